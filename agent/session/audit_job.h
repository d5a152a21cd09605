// One audit, from its request to its written outputs: what `cloison audit` runs once, and what the
// daemon runs on its schedule (with the configuration it prepared once, until it reloads). Steps:
//   prepare()  loads the inventory, the policies and the waivers, checks the request against them
//              and sets the run's context (vantage point, port profiles); nothing is audited
//              while anything is wrong;
//   run()      observes the estate and evaluates it on the day it runs (run_audit,
//              agent/session/audit.h);
//   write()    writes report.json, report.xml, the evidence, report.html and the signed bundle,
//              each file atomically.
// A job is used by one thread at a time; the probe set it was prepared with must outlive it.
#pragma once

#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "agent/engine/policy.h"
#include "agent/engine/waivers.h"
#include "agent/evidence/agent_key.h"
#include "agent/report/report.h"
#include "agent/report/report_trend.h"
#include "agent/session/audit.h"
#include "core/diagnostics.h"
#include "core/inventory.h"
#include "core/run_context.h"
#include "probes/registry.h"

namespace cloison {

// What to audit and where to write it. Empty fields take the defaults their comments name.
struct audit_request {
  bool local = false;                     // this machine as a backup server (no inventory file)
  std::string inventory_file;             // the inventory, unless `local`
  std::vector<std::string> policy_files;  // empty: the inventory's, else the built-in policies
  std::string waivers_file;               // empty: the inventory's (none when it names none)
  std::string vantage;  // the vantage point this run stands at; empty: the one this machine's
                        // addresses designate (none when no or several vantage points match)
  std::vector<std::string> only_probes;  // empty: every probe
  std::size_t concurrency = 8;           // targets observed at once
  std::string tool_version;              // written into the report

  std::filesystem::path out_dir;     // report.json, report.xml, report.html, evidence/
  lang language = lang::fr;          // of report.xml and of the page shown first in report.html
  std::optional<report> previous;    // report.html then shows the drift since it
  std::optional<score_trend> trend;  // report.html then shows the scores of these earlier runs
  std::string bundle;                // the signed evidence bundle to write; empty: none
  std::string key_file;              // the agent's signing key (agent_key_path())
};

// A request that cannot be served as given: an unknown probe, or no usable signing key for the
// bundle. what() says which, naming the option ("--probes: unknown probe 'x'").
class audit_refused : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct inventory_references;  // agent/config/inventory_loader.h

// What an audit refuses in an inventory once its policies are known, for `cloison validate` too:
// a host's software that names no port profile of `profiles`, located at the name; one of
// `vantage_points` whose reachability matrix cannot be derived (more pairs than
// reachability.max_pairs).
void check_against_policies(const inventory& inv, const inventory_references& references,
                            const std::vector<port_profile>& profiles,
                            const std::vector<std::string>& vantage_points, diagnostics& out);

class audit_job {
 public:
  // Loads the request's inventory, policies and waivers, checks that its probes exist, that the
  // hosts' software names port profiles of the policies, that its vantage point is declared and
  // that its reachability matrix can be derived, then loads (or creates) the signing key when a
  // bundle is asked for. The run's date is today's (UTC). Configuration problems are all added to
  // `problems` and nothing is returned; an unknown probe (found before the other checks) or an
  // unusable key throws audit_refused.
  static std::optional<audit_job> prepare(audit_request request, const probe_set& probes,
                                          diagnostics& problems);

  // The same prepared audit writing elsewhere: the request's out_dir, bundle, previous report and
  // trend replaced (a bundle asked for here needs the key prepare() loaded: signing_key() not
  // null).
  audit_job writing_to(std::filesystem::path out_dir, std::string bundle,
                       std::optional<report> previous, std::optional<score_trend> trend) const;

  // Runs the probes and evaluates the policies (run_audit) on today's date (UTC); the report
  // records the signing key when there is one. Progress goes to `listener`. Throws only on
  // programming errors.
  audit_result run(audit_listener& listener) const;

  // Writes `result` into the request's out_dir: report.json, report.xml, evidence/<sha256>.txt,
  // report.html, then the bundle when asked for. Throws std::runtime_error when a file cannot be
  // written; the files written before it are complete.
  void write(const audit_result& result) const;

  const audit_request& request() const { return request_; }
  // The inventory as loaded (its schedule and alert targets, for the daemon).
  const struct inventory& estate() const { return inventory_; }
  // The key that signs the bundle; nullptr when no bundle is asked for.
  const agent_key* signing_key() const { return key_ ? &*key_ : nullptr; }

 private:
  audit_job(audit_request request, const probe_set& probes) noexcept
      : request_(std::move(request)), probes_(&probes) {}

  audit_request request_;
  const probe_set* probes_;
  inventory inventory_;
  run_context run_;
  std::vector<policy> policies_;
  std::vector<waiver> waivers_;
  std::string waivers_file_;  // the waivers file used ("" when none)
  std::optional<agent_key> key_;
};

}  // namespace cloison
