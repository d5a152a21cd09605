// The host probe: facts about each backup server, read by running the probe's fixed list of
// read-only commands through a command_runner and parsing their output (linux_parsers.h).
// A command that is missing, fails, times out or prints more than the host's output_cap makes its
// facts `missing`, with its stderr kept as evidence; it never yields a default value.
// Hosts with `access: collected` are read from their signed evidence file
// (probes/host/collected_evidence.h) through a replay runner; a refused file makes every fact
// missing.
#pragma once

#include <functional>
#include <memory>

#include "probes/host/collected_evidence.h"
#include "probes/probe.h"
#include "probes/transport/command_runner.h"

namespace cloison {

class host_probe final : public probe {
 public:
  // Makes the runner of a host reached over SSH (one per host and audit).
  using runner_factory = std::function<std::shared_ptr<const command_runner>(const backup_host&)>;

  // `local` runs commands for hosts whose access is `local`; `remote` makes the runner of hosts
  // whose access is `ssh` (without it, such hosts are an `error` observation). Hosts whose access
  // is `collected` are replayed from their evidence file, checked against the system clock.
  explicit host_probe(std::shared_ptr<const command_runner> local, runner_factory remote = {})
      : local_(std::move(local)), remote_(std::move(remote)) {}

  std::string_view name() const override { return "host"; }
  std::span<const fact_spec> facts() const override;
  // One target per backup host of the inventory.
  std::vector<target> plan(const inventory& inv, const run_context& run) const override;

 protected:
  // Runs the host's commands (Linux or Windows list), each output capped at the host's output_cap:
  // the fixed ones in one run_all() call (the SSH runner runs several at once over its
  // connection), then those whose argv follows from earlier outputs; privileged ones through
  // `sudo -n --` on SSH hosts whose inventory allows sudo.
  observation collect(const inventory& inv, const run_context& run, const target& t,
                      deadline until) const override;

 private:
  std::shared_ptr<const command_runner> local_;
  runner_factory remote_;
};

// Reads `host` through `runner` exactly as an audit's host probe would (its fixed commands, then
// those built from earlier outputs), recording every command with its result: what `cloison
// collect` signs on a host that refuses SSH. Never throws for failures of the commands.
collected_evidence gather_host_evidence(std::shared_ptr<const command_runner> runner,
                                        const backup_host& host, deadline until,
                                        std::string cloison_version);

}  // namespace cloison
