// `cloison collect --local --out FILE`: on a host that refuses SSH (a hardened repository), runs
// the host probe's commands (probes/host/host_probe.h gather_host_evidence, as for a local audit:
// no sudo: it refuses to run as another user than root) through the local runner, and writes the
// results as an evidence file signed with the agent's Ed25519 key
// (probes/host/collected_evidence.h, docs/collected-evidence.md). The inventory of the auditing
// machine then names that file
// (`access: collected`). Never throws.
#pragma once

#include <string>

#include "agent/engine/policy.h"

namespace cloison {

struct collect_args {
  std::string out;                  // the evidence file to write (atomically, mode 0640)
  std::string key_file;             // the agent's signing key (agent_key_path())
  std::string host;                 // the host's inventory name; empty: this machine's host name
  std::string output_cap = "4MiB";  // per command and stream, as the inventory's output_cap
  std::string repository_path;      // a repository host: its backup files' folder, as inventoried
  unsigned timeout_s = 60;          // for all the commands together
  lang language = lang::fr;
};

// Exit code: 0 written, 2 not run as root, a bad option or an unusable key, 3 the file cannot be
// written (or would be larger than the audit accepts).
int collect_command(const collect_args& a);

}  // namespace cloison
