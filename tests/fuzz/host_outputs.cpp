// libFuzzer harness of the host probe's readers (probes/host/): every Linux and Windows parser,
// through the probe itself. The input stands for what the host's commands print: cut at each
// '\x1e' byte, command i (in the order the probe runs them) prints part i modulo the number of
// parts, so a fixture file alone is what every command prints. A Linux host (local runner) and a
// Windows host (PowerShell over SSH) are read from it. The parsers skip what they cannot read;
// an exception escaping them (which probe::observe turns into "probe failed") aborts the run.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/inventory.h"
#include "core/run_context.h"
#include "probes/host/host_probe.h"
#include "probes/transport/command_runner.h"

namespace cloison {
namespace {

// Prints the parts of the input, one per command, in turn.
class fuzz_runner final : public command_runner {
 public:
  explicit fuzz_runner(std::string_view input) {
    for (std::size_t at = 0;;) {
      const auto end = input.find('\x1e', at);
      parts_.emplace_back(input.substr(at, end - at));
      if (end == std::string_view::npos)
        break;
      at = end + 1;
    }
  }
  command_result run(const std::vector<std::string>&, deadline, std::size_t cap) const override {
    std::lock_guard lock(mutex_);
    command_result r;
    r.exit_code = 0;
    r.out = parts_[next_++ % parts_.size()];
    r.truncated = r.out.size() > cap;
    r.out.resize(std::min(r.out.size(), cap));
    return r;
  }

 private:
  std::vector<std::string> parts_;
  mutable std::mutex mutex_;
  mutable std::size_t next_ = 0;  // guarded by mutex_
};

// The estate the readers judge against: production and backup segments and directories, a
// declared flow, a repository.
inventory estate() {
  inventory inv;
  inv.source = "fuzz";
  inv.segments = {{"prod", segment_role::production, {*cidr::parse("198.18.1.0/24")}},
                  {"backup", segment_role::backup, {*cidr::parse("198.18.2.0/24")}}};
  inv.directories = {{.name = "prod-ad",
                      .role = directory_role::production,
                      .uri = "ldaps://198.18.4.10",
                      .base = "DC=prod,DC=lab"}};
  inv.flows = {{.from = "prod", .to = "backup", .ports = {{9392, 9392}}, .purpose = "jobs"}};
  const backup_host linux_host{.name = "linux",
                               .addresses = {"198.18.2.20"},
                               .roles = {"repository"},
                               .access = access_method::local,
                               .repository_path = "/srv/backups"};
  backup_host windows_host{.name = "windows",
                           .addresses = {"198.18.2.30"},
                           .os = "windows",
                           .roles = {"backup_server"},
                           .access = access_method::ssh};
  inv.hosts = {linux_host, windows_host};
  return inv;
}

void read_host(const inventory& inv, const std::string& name, std::string_view input) {
  const auto runner = std::make_shared<fuzz_runner>(input);
  const host_probe probe(runner, [&](const backup_host&) { return runner; });
  const auto o = probe.observe(
      inv, run_context{.vantage = "fuzz", .profiles = {}, .today = {}, .undeclared_addresses = {}},
      {name, ""}, deadline::max());
  if (o.outcome == outcome::error && o.detail.starts_with("probe failed")) {
    std::fprintf(stderr, "host %s: %s\n", name.c_str(), o.detail.c_str());
    std::abort();
  }
}

}  // namespace
}  // namespace cloison

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const cloison::inventory inv = cloison::estate();
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  cloison::read_host(inv, "linux", input);
  cloison::read_host(inv, "windows", input);
  return 0;
}
