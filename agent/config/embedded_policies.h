// The policies shipped in policies/*.yaml, compiled into the binary (generated at build time), so
// that `cloison audit` works without installed files.
#pragma once

#include <span>
#include <string_view>

namespace cloison {

struct embedded_file {
  std::string_view name;  // "builtin:<file name>"
  std::string_view text;
};

std::span<const embedded_file> embedded_policies();

}  // namespace cloison
