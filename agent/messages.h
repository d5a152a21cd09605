// The program's message catalogue: every human-facing text of the program itself, in French and
// English (check texts come from the policies). Thread-safe (read-only data).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "agent/policy.h"

namespace cloison {

enum class msg {
  audit_of,
  objective_met,
  objective_not_met,
  objective_not_applicable,
  score,
  findings_line,
  ads_level,
  ads_not_proven,
  failing_checks,
  errors_checks,
  report_written,
  phase_plan,
  phase_collect,
  phase_evaluate,
  phase_report,
  probes_done,
  // evidence bundle, verify, merge (agent/bundle.h, agent/merge.h)
  cannot_read,
  bundle_written,
  verify_signature_valid,
  verify_key_not_pinned,
  verify_signature_invalid,
  verify_bad_key,
  verify_modified,
  verify_missing,
  verify_unexpected,
  verify_duplicate,
  verify_not_regular,
  verify_manifest_line,
  verify_intact,
  verify_altered,
  merge_nothing,
  merge_establishments_differ,
  merge_policies_differ,
};

// The text of `m` in `l`. Texts may hold {} placeholders, filled by the caller in order.
std::string_view text(msg m, lang l);

// `text(m, l)` with each {} replaced by the next argument.
std::string format(msg m, lang l, std::initializer_list<std::string> args);
std::string format(msg m, lang l, const std::vector<std::string>& args);

}  // namespace cloison
