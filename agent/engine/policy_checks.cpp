#include "agent/engine/policy_checks.h"

#include <map>

namespace cloison {

bool can_judge(matcher_op op, const json& operand, fact_type type) {
  const bool list = type == fact_type::text_list;
  switch (op) {
    case matcher_op::all:
    case matcher_op::any:
    case matcher_op::none:
      return list;
    case matcher_op::lt:
    case matcher_op::le:
    case matcher_op::gt:
    case matcher_op::ge:
      return type == fact_type::integer;
    case matcher_op::in:
    case matcher_op::not_in:
      return !list;
    case matcher_op::matches:
      return type == fact_type::text;
    case matcher_op::contains:
    case matcher_op::not_contains:
    case matcher_op::empty:
    case matcher_op::not_empty:
      return type == fact_type::text || list;
    case matcher_op::equals:
    case matcher_op::not_equals:
      return (type == fact_type::boolean && operand.is_boolean()) ||
             (type == fact_type::integer && operand.is_number()) ||
             (type == fact_type::text && operand.is_string()) || (list && operand.is_array());
  }
  return false;
}

void check_unique_ids(const std::vector<policy>& policies, diagnostics& out) {
  std::map<std::string, std::string> seen;
  for (const auto& p : policies) {
    for (const auto& c : p.checks) {
      auto [it, fresh] = seen.emplace(c.id, p.file);
      if (!fresh)
        out.add(p.file, 0, 0, "check id '" + c.id + "' is also defined in " + it->second);
    }
  }
}

}  // namespace cloison
