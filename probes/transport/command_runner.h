// Runs fixed, read-only commands on an audited host. Implementations: the local runner (this
// machine) and the SSH runner (probes/transport/), the recording and replay runners of collected
// evidence (probes/host/collected_evidence.h). Commands are argv vectors from the probe's own
// list; a runner never goes through a shell with text from a policy or an inventory.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/observation.h"
#include "probes/probe.h"

namespace cloison {

struct command_result {
  enum outcome outcome = outcome::ok;  // ok when the command ran (whatever its exit code)
  int exit_code = -1;
  std::string out;
  std::string err;
  bool truncated = false;        // true when stdout or stderr exceeded the cap and was cut
  std::string failure;           // why it could not run or finish (outcome error/timeout)
  bool program_missing = false;  // the program does not exist on the host (nothing ran)
};

class command_runner {
 public:
  virtual ~command_runner() = default;
  // Runs argv to completion or until `until`, keeping at most `cap` bytes of each stream.
  // Never throws for failures of the command (missing program, timeout): they are in the result.
  // Thread-safe.
  virtual command_result run(const std::vector<std::string>& argv, deadline until,
                             std::size_t cap) const = 0;

  // Runs every argv as run() would, all before `until`, and returns their results in the same
  // order. A runner may run several at once (the SSH runner: channels of its one connection);
  // this default runs them one after another. Thread-safe.
  virtual std::vector<command_result> run_all(const std::vector<std::vector<std::string>>& argvs,
                                              deadline until, std::size_t cap) const {
    std::vector<command_result> results;
    for (const auto& argv : argvs)
      results.push_back(run(argv, until, cap));
    return results;
  }
  // The SSH host key accepted on first use (trust_on_first_use) although no known_hosts entry
  // pinned it, "ssh-ed25519 SHA256:..."; empty when none was learned or the runner is not SSH.
  virtual std::string learned_host_key() const { return {}; }
};

}  // namespace cloison
