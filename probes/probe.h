// The probe extension point. A probe observes targets that it derives from the inventory and the
// run's context (core/run_context.h: vantage point, port profiles, date) and returns observations
// made of typed facts and evidence. Adding a probe: its own folder in probes/ (which includes no
// other probe's folder; shared transports live in probes/transport/), one line in
// probes/registry.cpp, its facts documented in policies/README.md.
//
// Contract: a failure of the audited system (refused connection, missing command, timeout) is an
// observation with an outcome, never an exception. The non-virtual observe() enforces it: it times
// the call and turns anything collect() throws into an `error` observation.
#pragma once

#include <chrono>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/fact_spec.h"
#include "core/inventory.h"
#include "core/observation.h"
#include "core/run_context.h"

namespace cloison {

using deadline = std::chrono::steady_clock::time_point;

struct target {
  std::string name;
  std::string address;  // empty when the target is not a network peer
};

class probe {
 public:
  virtual ~probe() = default;

  // The name policies use as the first segment of fact names ("host", "inventory", ...).
  virtual std::string_view name() const = 0;
  // Every fact this probe can produce. Policies may only read facts listed here.
  virtual std::span<const fact_spec> facts() const = 0;
  // The targets this probe observes for `inv` in the run `run`. Pure; cheap; never throws for a
  // loaded inventory.
  virtual std::vector<target> plan(const inventory& inv, const run_context& run) const = 0;
  // Process-wide set-up the probe needs for `inv` (such as the Kerberos configuration), done once
  // per audit before any target is observed, on the thread that runs the audit, while no other
  // thread runs. Never throws for a loaded inventory. Default: nothing.
  virtual void prepare(const inventory&) const {}
  // True when plan() and observe() read run_context::undeclared_addresses: the probe is then
  // planned and observed after every other probe of the audit. Default: false.
  virtual bool after_host_facts() const { return false; }

  // Observes one target before `until`. Never throws. Thread-safe: different targets may be
  // observed concurrently.
  observation observe(const inventory& inv, const run_context& run, const target& t,
                      deadline until) const noexcept;

 protected:
  // The probe's own work. May throw; observe() turns exceptions into an `error` observation.
  virtual observation collect(const inventory& inv, const run_context& run, const target& t,
                              deadline until) const = 0;
};

}  // namespace cloison
