// command_runner for this machine: fork/exec without a shell, LC_ALL=C, stdin from /dev/null,
// bounded output, deadline enforced by SIGKILL of the child's process group.
#pragma once

#include "probes/transport/command_runner.h"

namespace cloison {

class local_runner final : public command_runner {
 public:
  command_result run(const std::vector<std::string>& argv, deadline until,
                     std::size_t cap) const override;
};

}  // namespace cloison
