#include "agent/cli/collect_command.h"

#include <unistd.h>

#include <iostream>

#include "agent/cli/cli.h"
#include "agent/cli/console.h"
#include "agent/config/inventory_loader.h"
#include "agent/evidence/agent_key.h"
#include "agent/report/messages.h"
#include "agent/report/report.h"
#include "probes/host/collected_evidence.h"
#include "probes/host/host_probe.h"
#include "probes/transport/local_runner.h"

#ifndef CLOISON_VERSION
#error "CLOISON_VERSION must be defined by the build"
#endif

namespace cloison {

int collect_command(const collect_args& a) {
  if (geteuid() != 0) {
    print_error("collect",
                "must run as root: the host probe reads what only root can read (sudoers, "
                "sssd.conf, keytabs, the firewall ruleset); run it with sudo. Nothing collected");
    return kExitUsage;
  }
  const auto cap = parse_byte_size(a.output_cap);
  if (!cap || *cap < kMinOutputCap || *cap > kMaxOutputCap) {
    print_error("collect",
                "--output-cap: expected a size from 1KiB to 256MiB (e.g. 4MiB, 512KiB or a byte "
                "count), found '" +
                    a.output_cap + "'");
    return kExitUsage;
  }
  std::optional<agent_key> key;
  try {
    key = agent_key::load_or_create(agent_key_path(a.key_file));
  } catch (const std::exception& e) {
    print_error("collect", std::string(e.what()) + "; nothing collected");
    return kExitUsage;
  }
  backup_host self;
  self.name = a.host.empty() ? this_host_name() : a.host;
  self.access = access_method::local;
  self.output_cap = static_cast<std::size_t>(*cap);
  if (!a.repository_path.empty()) {
    self.roles.push_back("repository");
    self.repository_path = a.repository_path;
  }
  const auto evidence = gather_host_evidence(
      std::make_shared<local_runner>(), self,
      std::chrono::steady_clock::now() + std::chrono::seconds(a.timeout_s), CLOISON_VERSION);
  for (const auto& c : evidence.commands) {
    const auto& r = c.result;
    if (r.outcome != outcome::ok || r.truncated) {
      std::string line;
      for (const auto& arg : c.argv)
        line += (line.empty() ? "" : " ") + arg;
      print_error("collect", line + ": " +
                                 (r.truncated ? "output cut at --output-cap" : r.failure) +
                                 " (recorded; the audit will report it)");
    }
  }
  const std::string payload = signed_payload(evidence);
  const std::string text = evidence_file_text(payload, key->sign(payload), key->fingerprint());
  if (text.size() > kMaxCollectedFileBytes) {
    std::cerr << "cloison collect: the evidence file would hold " << text.size()
              << " bytes, more than an audit reads (" << kMaxCollectedFileBytes
              << "): lower --output-cap\n";
    return kExitCannotRun;
  }
  try {
    write_file_atomically(a.out, text);
  } catch (const std::exception& e) {
    print_error("collect", e.what());
    return kExitCannotRun;
  }
  std::cout << format(counted::collect_written, a.language,
                      static_cast<long long>(evidence.commands.size()), {a.out, key->fingerprint()})
            << "\n";
  return kExitMet;
}

}  // namespace cloison
