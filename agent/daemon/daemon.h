// `cloison daemon`: audits on the inventory's schedule and on demand (SIGUSR1, POST /run), one at
// a time; every run recorded in the state folder's history; alerts on drift; /metrics and
// /healthz. Under systemd (NOTIFY_SOCKET set) it reports readiness, reloads and the watchdog.
//
// The state folder holds:
//   daemon.lock        held (flock) by the daemon that uses the folder; a second one refuses
//   history.db         the runs (agent/history/history.h)
//   runs/<start>/      each run's report.json, report.xml, report.html, evidence/ and
//                      evidence-bundle.tar.gz; written as runs/<start>.partial, renamed when
//                      complete, so a folder without .partial is never half-written
//   known_hosts        SSH host keys learned on first use, pinned from then on
//   agent-key.pem      the key that signs the bundles (created on first use)
//   alert-queue.db     webhook alerts not delivered yet
//
// Signals: SIGHUP reloads the inventory and policies (an invalid configuration is refused, its
// problems logged, and the old one keeps running); SIGTERM and SIGINT stop within 5 s, finishing
// the audit under way when it ends in time, else abandoning it (nothing of it is recorded).
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>

#include "agent/history/history.h"
#include "agent/report/messages.h"
#include "core/diagnostics.h"

namespace cloison {

inline constexpr const char* kDefaultStateDir = "/var/lib/cloison";

struct daemon_options {
  std::string inventory_file;
  std::string vantage;  // the vantage point the audits stand at; "": as `cloison audit` detects it
  std::filesystem::path state_dir = kDefaultStateDir;
  std::string tool_version;  // written into the reports
  lang language = lang::fr;  // of report.xml and of the page shown first in report.html
};

// The daemon cannot start: the state folder is used by another daemon or cannot be used, or the
// configuration is invalid (its problems are then in the diagnostics given to run_daemon).
class daemon_refused : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Runs the daemon in this thread until SIGTERM or SIGINT, then returns. Logs through spdlog's
// default logger. Throws daemon_refused when it cannot start; `problems` then holds the
// configuration's located problems, if that was why.
void run_daemon(const daemon_options& options, diagnostics& problems);

}  // namespace cloison
