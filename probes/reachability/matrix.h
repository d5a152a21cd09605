// The reachability matrix: which (destination, port) pairs to test from a vantage point, and
// whether each is a declared, allowed flow (a positive control) or a forbidden one. Kept as port
// ranges, so that its size does not grow with the number of ports (a sweep of every port of a
// host is a few ranges). Pure functions of the inventory and the run's context; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/inventory.h"
#include "core/run_context.h"

namespace cloison {

// Consecutive ports of one destination address, tested alike: each port is one pair.
struct planned_range {
  std::string to;       // backup host name, or the name of a declared flow's destination
  std::string address;  // what is connected to
  unsigned first = 0;
  unsigned last = 0;
  bool allowed = false;      // covered by a declared tcp flow from the vantage's segment
  bool backup_host = false;  // the destination is a backup host (forbidden pairs exist only there)
  std::size_t offset = 0;    // the number of the range's first pair: port p is pair offset+p-first
  std::size_t count() const { return last - first + 1; }
};

struct matrix {
  std::string vantage;  // the vantage point's name
  std::string from;     // the vantage point's segment
  // The pairs, numbered in this order. One destination's ranges are consecutive, address after
  // address, each address's in port order, and never overlap.
  std::vector<planned_range> ranges;
  std::size_t pairs = 0;  // how many
  std::string problem;    // non-empty: the matrix cannot be derived (unknown vantage, too large)
};

// The pairs to test from vantage point run.vantage (a name from inv.vantage_points):
//  - every address of every backup host that lies outside the vantage's own segment, on the ports
//    of the first matching inv.reachability.sweeps (without one: every port, or from an
//    administration segment the host's profiles among run.profiles): allowed when a declared tcp
//    flow from the vantage's segment to the host, or to a segment holding the address, covers the
//    port; forbidden otherwise;
//  - the same for the host's run.undeclared_addresses, on forbidden ports only: whether declared
//    flows work is judged on the declared addresses;
//  - every other destination of a declared tcp flow from the vantage's segment (directories whose
//    URI names an address in a destination segment), on the flow's ports: allowed; these are the
//    vantage's controls. An address named twice is tested once, under the first name.
// A matrix larger than inv.reachability.max_pairs is refused (problem set, no ranges).
matrix derive_matrix(const inventory& inv, const run_context& run);

}  // namespace cloison
