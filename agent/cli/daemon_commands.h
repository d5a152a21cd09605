// `cloison daemon` (agent/daemon/daemon.h) and `cloison history`, which reads what the daemon
// recorded in its state folder (agent/history/history.h). Never throw.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "agent/report/messages.h"

namespace cloison {

struct daemon_args {
  std::string config;     // the inventory
  std::string vantage;    // the vantage point the audits stand at; "": detected
  std::string state_dir;  // the daemon's state folder
  std::string log_format = "text";
  bool verbose = false;
  lang language = lang::fr;
};

// Exit code: 0 stopped by SIGTERM or SIGINT, 2 the configuration is invalid (its problems printed
// as file:line:col), 3 the state folder is used by another daemon or cannot be used.
int daemon_command(const daemon_args& a);

struct history_args {
  std::string state_dir;
  // list | show [RUN] | diff [RUN [OTHER]] | baseline | baseline pin [RUN]; RUN by default: the
  // newest run
  std::vector<std::string> words;
  bool baseline = false;   // diff: from the pinned baseline
  std::size_t limit = 30;  // list: the newest runs shown; 0: all
  lang language = lang::fr;
};

// list: the runs, newest first; show: a run and its failing findings; diff: the drift from RUN to
// OTHER (default: from the run before RUN; with `baseline`, from the pinned baseline); baseline:
// the pinned run; baseline pin: pins it. Exit code: 0 done (diff: no regression), 1 diff:
// regressed, 2 bad words, no history, no such run or a report that cannot be read, 3 the history
// cannot be read.
int history_command(const history_args& a);

}  // namespace cloison
