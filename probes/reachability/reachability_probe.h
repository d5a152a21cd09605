// The reachability probe: from the vantage point this audit stands at, connects to every pair of
// the matrix (matrix.h) and tells, per backup host, which forbidden ports answer and which
// declared flows do not. One target per backup host: "<segment> -> <host>".
//
// Positive control: forbidden ports are only judged when at least one declared flow from the same
// vantage point answered (to the host itself, or to one of the vantage's control destinations);
// otherwise isolation cannot be told from a dead host or a broken vantage point and the fact is
// missing (an `error` finding, never a `pass`).
#pragma once

#include <memory>

#include "probes/probe.h"
#include "probes/reachability/tcp_prober.h"

namespace cloison {

class reachability_probe final : public probe {
 public:
  explicit reachability_probe(std::shared_ptr<connector> c) : connector_(std::move(c)) {}

  std::string_view name() const override { return "reachability"; }
  std::span<const fact_spec> facts() const override;
  // No targets unless inv.reachability.vantage names a vantage point.
  std::vector<target> plan(const inventory& inv) const override;

 protected:
  observation collect(const inventory& inv, const target& t, deadline until) const override;

 private:
  std::shared_ptr<connector> connector_;
};

// The addresses of this machine's interfaces (in the current network namespace).
std::vector<ip_address> local_addresses();

// The vantage point whose segment holds one of `addresses`, when exactly one does; else "".
std::string detect_vantage(const inventory& inv, const std::vector<ip_address>& addresses);

}  // namespace cloison
