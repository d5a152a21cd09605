// Policy evaluation: observations + checks + waivers -> findings. Pure and thread-safe.
#pragma once

#include <chrono>
#include <vector>

#include "agent/engine/findings.h"
#include "agent/engine/policy.h"
#include "agent/engine/waivers.h"
#include "core/observation.h"

namespace cloison {

// One finding per enabled check and per target observed by the check's probe; a check whose probe
// observed nothing gets one `not_applicable` finding with target "*". A fact that is missing, or
// that the matcher cannot judge, gives `error` (never `pass`); an undecidable fact gives
// `not_evaluated`; an out-of-scope fact gives no finding. A target that could not be read at all
// (outcome error or timeout) gives one cause finding (findings.h), first; the checks whose facts
// it lacks are then `not_evaluated` and name it. Waivers valid on `today` turn `fail` into
// `waived`; expired ones stay attached to the failing finding.
std::vector<finding> evaluate(const std::vector<check>& checks,
                              const std::vector<observation>& observations,
                              const std::vector<waiver>& waivers, std::chrono::sys_days today);

}  // namespace cloison
