// The daemon's state as Prometheus metrics: a snapshot the daemon takes under its lock, rendered
// in the text exposition format, version 0.0.4. Pure and thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "agent/engine/findings.h"
#include "agent/history/history.h"

namespace cloison {

struct daemon_metrics {
  std::string version;                       // cloison's, for cloison_build_info
  std::optional<run_record> last_run;        // the last run recorded (ran or could not run)
  std::optional<run_record> last_completed;  // the last run that produced a report
  // The findings of last_completed by status and severity. Every bucket held is rendered, zeros
  // included; a bucket absent from the map is not rendered.
  std::map<std::pair<status, severity>, int> findings;
  // Since the daemon started (counters start again at 0 with the process, as Prometheus expects).
  std::uint64_t runs_total = 0;          // runs recorded, whether they ran or could not
  std::uint64_t runs_failed_total = 0;   // runs that could not run
  std::uint64_t runs_skipped_total = 0;  // runs due while another was running, not started
  std::size_t alerts_queued = 0;         // alerts waiting to be delivered
  bool audit_running = false;
};

// The metrics of `m`, one family after the other, each with its # HELP and # TYPE lines:
//   cloison_build_info{version} 1, cloison_audit_running 0|1, cloison_alerts_queued,
//   cloison_runs_total, cloison_runs_failed_total, cloison_runs_skipped_total (counters);
// of last_run, absent before the first run:
//   cloison_last_run_timestamp_seconds (when it started), cloison_last_run_duration_seconds,
//   cloison_last_run_success (1: it produced a report, whatever its verdicts; 0: it could not
//   run), cloison_last_run_exit_code (cloison audit's: 0, 1, 4; 2 or 3 when it could not run);
// of last_completed, absent before the first report:
//   cloison_last_report_timestamp_seconds (when it started),
//   cloison_objective_state{objective,state} (one sample per state: met, not_met, incomplete,
//   not_applicable; 1 for the objective's, 0 for the others), cloison_objective_score{objective}
//   (0..100; absent when the objective has no score), cloison_findings{status,severity},
//   cloison_ads_level (absent when not estimated).
// A time that is not report.json's UTC form leaves its sample (and a duration using it) out.
std::string render_metrics(const daemon_metrics& m);

}  // namespace cloison
