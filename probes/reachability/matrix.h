// The reachability matrix: which (destination, port) pairs to test from a vantage point, and
// whether each is a declared, allowed flow (a positive control) or a forbidden one. Pure functions
// of the inventory and the run's context; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "core/inventory.h"
#include "core/run_context.h"

namespace cloison {

struct planned_pair {
  std::string to;       // backup host name, or the name of a declared flow's destination
  std::string address;  // what is connected to
  unsigned port = 0;
  bool allowed = false;      // covered by a declared tcp flow from the vantage's segment
  bool backup_host = false;  // the destination is a backup host (forbidden pairs exist only there)
};

struct matrix {
  std::string vantage;  // the vantage point's name
  std::string from;     // the vantage point's segment
  std::vector<planned_pair> pairs;
  std::string problem;  // non-empty: the matrix cannot be derived (unknown vantage, too large)
};

// The pairs to test from vantage point run.vantage (a name from inv.vantage_points):
//  - every backup host outside the vantage's own segment, on every port of its profiles among
//    run.profiles (the profiles marked `always`, plus those named in its `software`, or every
//    profile when it names none): allowed when a declared tcp flow from the vantage's segment to
//    the host, or to a segment holding its address, covers the port; forbidden otherwise;
//  - every other destination of a declared tcp flow from the vantage's segment (hosts of a
//    destination segment, directories whose URI names an address in it), on the flow's ports:
//    allowed; these are the vantage's controls.
// A matrix larger than inv.reachability.max_pairs is refused (problem set, no pairs).
matrix derive_matrix(const inventory& inv, const run_context& run);

}  // namespace cloison
