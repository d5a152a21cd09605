// Which alerts a run of the daemon raises: pure derivation from what the history recorded. An
// alert reports a CHANGE, once: a failure that appears, an objective whose verdict moves, the ADS
// level going down or up, a host whose SSH key changed, the audit that stops (or starts again)
// running; and, once, the end of it (a resolution). A run identical to the last one raises
// nothing. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/history/history.h"
#include "agent/report/messages.h"

namespace cloison {

// A host whose SSH host key was refused because it differs from the one pinned in known_hosts or
// learned on first use (probes/transport/ssh_runner.h, says_host_key_changed).
struct refused_host_key {
  std::string host;    // the host observation's target (the host's name)
  std::string detail;  // the observation's detail: which key was seen, against which
  friend bool operator==(const refused_host_key&, const refused_host_key&) = default;
};

// What the alerts of one recorded run are derived from.
struct run_digest {
  std::int64_t run_id = 0;
  std::string started_at;  // UTC, ISO 8601
  bool ran = false;        // false: the run could not run
  std::string error;       // why it could not run ("" when it ran)
  std::vector<run_record::objective> objectives;
  std::optional<int> ads_level;
  std::vector<recorded_finding> failing;  // fail and error findings
  std::vector<refused_host_key> changed_host_keys;
  bool host_keys_known = true;  // false: its report could not be read; no host key alert then
};

// The digest of a recorded run: `failing` is history::failing_findings(r.id), `rep` the run's
// report (for the refused host keys; nullptr when it could not run or its report.json could not be
// read back: host_keys_known is then false).
run_digest digest_of(const run_record& r, std::vector<recorded_finding> failing, const report* rep);

// The hosts of `rep` whose SSH host key changed and was refused, in report order.
std::vector<refused_host_key> changed_host_keys(const report& rep);

enum class alert_kind {
  new_failure,          // a (check, target) fails or is in error now, and did not in last_ran
  failure_resolved,     // it did in last_ran, and does not now (resolution)
  objective_changed,    // an objective's verdict moved (either way; `before` → `after`)
  ads_level_dropped,    // the estimated ADS level went down
  ads_level_recovered,  // it went up (resolution)
  host_key_changed,     // a host's SSH key changed and was refused
  host_key_resolved,    // it is no longer refused (resolution)
  run_failed,           // this run could not run, the previous one ran (or there was none)
  run_recovered,        // this run ran, the previous one could not (resolution)
  // `cloison drill` could not restore the backup zone's flows: it may still be isolated (raised
  // by the drill, never by derive_alerts; id "drill_restore_failed:<drill start>", after: why)
  drill_restore_failed,
};
std::string_view to_string(alert_kind k);

// critical, high, medium, low: how bad what appeared is; info: a resolution, an improvement.
enum class alert_severity { critical, high, medium, low, info };
std::string_view to_string(alert_severity s);

struct alert {
  alert_kind kind = alert_kind::new_failure;
  // The change, stable from run to run: "<kind>:<subject>", the subject being "<check>:<target>"
  // (findings), "<objective>:<before>:<after>" (objectives), "<before>:<after>" (ADS levels),
  // "<host>" (host keys), "" for run_failed and run_recovered ("run_failed:"). Receivers may
  // deduplicate on it with run_id.
  std::string id;
  bool resolution = false;  // the end of a problem, or a verdict that got better
  alert_severity severity = alert_severity::info;
  std::string objective;  // findings and objective changes; "" otherwise (and for cause findings)
  std::string check;      // findings
  std::string target;     // findings; the host for host keys
  // What changed, as text ("" when it does not apply): findings: the status ("fail", "error")
  // before (failure_resolved) or after (new_failure); objectives: verdicts ("met", "not_met",
  // "incomplete", "not_applicable"); ADS: the levels ("2"); host keys: after, the refusal's
  // detail; run_failed: after, why it could not run.
  std::string before;
  std::string after;
  localized message;  // one sentence in each language
  std::int64_t run_id = 0;
  std::string run_started_at;
  friend bool operator==(const alert&, const alert&) = default;
};

// The alerts raised by run `now`. `last_ran` is the last run before it that ran (nullopt when
// none); `previous_failed` says whether the run just before `now` could not run. Finding,
// objective, ADS and host key alerts compare `now` with `last_ran`, so runs that could not run in
// between neither repeat nor lose them; `now` raises none of them when it could not run itself
// (run_failed only, once for consecutive failures). Without `last_ran`, every failure and refused
// host key of `now` is new, and objectives and ADS levels, having no earlier value, raise nothing.
// Host keys are compared only when both runs' are known (host_keys_known).
// Order: run_failed / run_recovered, host keys, objectives, ADS level, new failures, resolved ones.
std::vector<alert> derive_alerts(const std::optional<run_digest>& last_ran, bool previous_failed,
                                 const run_digest& now);

// The alert as the webhook's document element and the syslog payload, with these fields, always
// present: "kind" (alert_kind as text: "new_failure", ...), "id", "resolution" (boolean),
// "severity" ("critical", "high", "medium", "low", "info"), "objective", "check", "target",
// "before", "after" (strings, "" when not applicable), "message" ({"en": ..., "fr": ...}),
// "run_id" (integer), "run_started_at" (ISO 8601 UTC). Fields are added in later versions, never
// removed or changed.
json to_json(const alert& a);

}  // namespace cloison
