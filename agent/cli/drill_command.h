// `cloison drill [--config FILE] [--dry-run] [--confirm NAME]`: runs the inventory's isolation
// drill (agent/session/drill.h, docs/isolation-drill.md) from this machine, prints its progress
// and verdict, and writes its report (agent/session/drill_report.h). SIGINT, SIGTERM and SIGHUP
// are taken by a thread of their own (sigwait) while the drill runs: they end it, and the restore
// runs before the program exits. A restore that failed raises a drill_restore_failed alert to the
// inventory's syslog targets and prints the manual restore steps. Never throws.
#pragma once

#include <string>
#include <vector>

namespace cloison {

// The site may still be isolated: the restore failed or could not be verified.
inline constexpr int kExitRestoreFailed = 5;

struct drill_args {
  std::string config;                 // the inventory
  std::vector<std::string> policies;  // for the management ports; empty: the inventory's
  bool dry_run = false;
  std::string confirm;  // the establishment's name; empty: asked on a terminal
  std::string out;      // empty: <reports>/<start> when the inventory names a reports folder,
                        // else ./cloison-drill
  std::string language = "fr";
  std::string key_file;
  std::string tool_version;
};

// Exit code: 0 the drill passed (or, dry run, its pre-checks did); 1 it failed or a pre-check
// failed (the site was restored, or never touched); 2 a configuration or usage problem, no
// confirmation; 3 the report could not be written; 5 the restore failed: act now.
int drill_command(const drill_args& a);

}  // namespace cloison
