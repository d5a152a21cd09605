// Fact specifications: the name, type and meaning of a fact a probe can produce. Probes declare
// them (probes/probe.h); policies may only read facts so declared, and their matchers are checked
// against the fact's type. Plain data.
#pragma once

#include <string_view>

namespace cloison {

enum class fact_type { text, integer, boolean, text_list };
std::string_view to_string(fact_type t);

struct fact_spec {
  std::string_view name;  // full name, "<probe>.<group>.<fact>"
  fact_type type;
  std::string_view description;
};

}  // namespace cloison
