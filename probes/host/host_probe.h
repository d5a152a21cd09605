// The host probe: facts about each backup server, read by running the probe's fixed list of
// read-only commands through a command_runner and parsing their output (linux_parsers.h).
// A command that is missing, fails or times out makes its facts `missing`, with its stderr kept
// as evidence; it never yields a default value.
#pragma once

#include <functional>
#include <memory>

#include "probes/host/command_runner.h"
#include "probes/probe.h"

namespace cloison {

class host_probe final : public probe {
 public:
  // Makes the runner of a host reached over SSH (one per host and audit).
  using runner_factory = std::function<std::shared_ptr<const command_runner>(const backup_host&)>;

  // `local` runs commands for hosts whose access is `local`; `remote` makes the runner of hosts
  // whose access is `ssh` (without it, such hosts are an `error` observation).
  explicit host_probe(std::shared_ptr<const command_runner> local, runner_factory remote = {})
      : local_(std::move(local)), remote_(std::move(remote)) {}

  std::string_view name() const override { return "host"; }
  std::span<const fact_spec> facts() const override;
  // One target per backup host of the inventory.
  std::vector<target> plan(const inventory& inv) const override;

 protected:
  // Runs the fixed commands, in one run_all() call (the SSH runner runs several at once over its
  // connection); those that need root (sshd -T) go through `sudo -n --` on SSH hosts whose
  // inventory entry allows sudo.
  observation collect(const inventory& inv, const target& t, deadline until) const override;

 private:
  std::shared_ptr<const command_runner> local_;
  runner_factory remote_;
};

}  // namespace cloison
