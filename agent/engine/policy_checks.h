// The checks a loaded policy must pass that need no file: whether a matcher can judge the type of
// the fact it reads, and check ids unique across policies. The policy loader
// (agent/config/policy_loader.h) reports what they find at the place it read it. Pure;
// thread-safe.
#pragma once

#include <vector>

#include "agent/engine/policy.h"
#include "core/diagnostics.h"
#include "core/fact_spec.h"

namespace cloison {

// Whether a matcher `op` with `operand` can judge a fact of type `type`: all, any and none need a
// list of text; lt, le, gt and ge an integer; in and not_in anything but a list; matches a text;
// contains, not_contains, empty and not_empty a text or a list; equals and not_equals an operand
// of the fact's kind (a boolean, a number for an integer, a text, a list).
bool can_judge(matcher_op op, const json& operand, fact_type type);

// Reports check ids that appear in more than one of `policies` (ids are unique across files).
void check_unique_ids(const std::vector<policy>& policies, diagnostics& out);

}  // namespace cloison
