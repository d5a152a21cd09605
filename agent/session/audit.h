// The audit pipeline: plan -> probes -> observations -> evaluation -> scoring -> report.
#pragma once

#include <chrono>
#include <cstddef>
#include <vector>

#include "agent/engine/policy.h"
#include "agent/engine/waivers.h"
#include "agent/report/messages.h"
#include "agent/report/report.h"
#include "core/inventory.h"
#include "core/run_context.h"
#include "probes/registry.h"

namespace cloison {

// Receives progress while an audit runs. Calls come from worker threads but never concurrently
// (run_audit serialises them).
class audit_listener {
 public:
  virtual ~audit_listener() = default;
  virtual void phase(msg name) = 0;
  virtual void observed(std::size_t done, std::size_t total, const observation& obs) = 0;
};

struct audit_settings {
  std::size_t concurrency = 8;          // targets observed at once
  std::chrono::seconds per_target{60};  // deadline of one target's observation
  std::string tool_version;
  std::vector<std::string> only_probes;  // when non-empty, run only these probes
};

struct audit_result {
  struct report report;
  std::vector<cloison::evidence> evidence;  // full contents, for the evidence folder and bundle
  // exit_code_of(report.objectives): 0 every objective met (or not applicable), 1 one not met,
  // 4 none not met but one incomplete.
  int exit_code() const;
};

// The estate as the inventory declares it, for the report: segments, hosts and directories with
// the segment their address falls in, vantage points, declared flows, and the vantage point of
// this run (run.vantage). Carries no secret (key, password or keytab file). Pure.
topology describe_topology(const inventory& inv, const run_context& run);

// The last drill as the inventory probe's observation found it (its date, from the drill records
// when newer than the inventory's, and the outcome of the last `cloison drill`), into
// t.isolation (when declared); unchanged when the inventory probe did not run. Pure.
void add_last_drill(topology& t, const std::vector<observation>& observations,
                    std::chrono::sys_days today);

// Runs every probe on the targets it plans for `inv` in the run `run`, evaluates every enabled
// check of `policies` (waivers judged on run.today), scores the objectives and builds the report.
// Audited systems' failures end up as findings; this function throws only on programming errors.
audit_result run_audit(const inventory& inv, const run_context& run,
                       const std::vector<policy>& policies, const std::vector<waiver>& waivers,
                       const probe_set& probes, const audit_settings& settings,
                       audit_listener& listener);

}  // namespace cloison
