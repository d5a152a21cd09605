// The host probe: facts about each backup server, read by running the probe's fixed list of
// read-only commands through a command_runner and parsing their output (linux_parsers.h).
// A command that is missing, fails or times out makes its facts `missing`, with its stderr kept
// as evidence; it never yields a default value.
#pragma once

#include <memory>

#include "probes/host/command_runner.h"
#include "probes/probe.h"

namespace cloison {

class host_probe final : public probe {
 public:
  // `local` runs commands for hosts whose access is `local`.
  explicit host_probe(std::shared_ptr<const command_runner> local) : local_(std::move(local)) {}

  std::string_view name() const override { return "host"; }
  std::span<const fact_spec> facts() const override;
  // One target per backup host of the inventory.
  std::vector<target> plan(const inventory& inv) const override;

 protected:
  observation collect(const inventory& inv, const target& t, deadline until) const override;

 private:
  std::shared_ptr<const command_runner> local_;
};

}  // namespace cloison
