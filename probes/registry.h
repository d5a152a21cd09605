// The explicit registry of probes: the only place that lists them (probes/registry.cpp).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "probes/probe.h"
#include "probes/reachability/tcp_prober.h"

namespace cloison {

class probe_set {
 public:
  explicit probe_set(std::vector<std::unique_ptr<probe>> probes) : probes_(std::move(probes)) {}

  const std::vector<std::unique_ptr<probe>>& all() const { return probes_; }
  // The probe with this name, or nullptr.
  const probe* find(std::string_view name) const;
  // The spec of a fact by full name, or nullptr when no probe produces it.
  const fact_spec* find_fact(std::string_view fact) const;

 private:
  std::vector<std::unique_ptr<probe>> probes_;
};

// What the probes keep beyond one run, when something keeps it (the daemon's state folder).
struct probe_memory {
  std::string learned_keys_store;  // SSH host keys learned on first use (ssh_runner.h); "": none
};

// How the reachability of vantage point `v` is probed from this machine: over SSH for a remote
// vantage point (pinned keys, `learned_keys_store` as ssh_runner.h says), with local sockets for a
// local one or a remote one that is this machine.
std::shared_ptr<connector> vantage_connector(const vantage_point& v,
                                             const std::string& learned_keys_store);

// Every probe of this build, wired to the real system (local processes, sockets, clock).
probe_set builtin_probes(const probe_memory& memory = {});

}  // namespace cloison
