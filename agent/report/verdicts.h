// The verdicts of a report: what its observations and flows covered of the declared estate, and
// the objective states and ADS estimate decided from its findings (agent/engine/scoring.h). The
// audit and the merge both decide through here. Pure; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "agent/engine/scoring.h"
#include "agent/report/report.h"

namespace cloison {

// What `r` established: a forbidden flow tested (verdict other than error) from a segment of role
// production; the backup hosts with an access method (other than none) that no host observation
// read; the declared directories that no directory observation read. An observation reads its
// target unless its outcome is error or timeout. Without a topology (reports of earlier versions)
// nothing is covered.
coverage coverage_of(const report& r);

// Sets r.objectives (one per id of `objectives`) and r.ads from r.findings and coverage_of(r).
void decide_verdicts(report& r, const std::vector<std::string>& objectives);

}  // namespace cloison
