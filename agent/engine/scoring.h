// Scoring, as the product brief (DESIGN.md section 2) defines it. Pure and thread-safe.
//   score(objective) = 100 * sum(weight of pass) / sum(weight of pass + fail + error)
//   met  iff no critical finding of the objective is fail or error
//   not_applicable iff every finding of the objective is not_applicable (score absent)
// Waived findings count in no sum.
#pragma once

#include <string>
#include <vector>

#include "agent/engine/findings.h"

namespace cloison {

// One result per objective in `objectives`, in that order.
std::vector<objective_result> score(const std::vector<finding>& findings,
                                    const std::vector<std::string>& objectives);

// The dedicated AD's estimated ANSSI ADS level: the smallest ANSSI level among failing ADS controls
// (waived ones included: a waiver accepts a risk, it does not remove it), else 5. The level is
// proven only when every ADS control of a lower level than the estimate got a verdict; controls in
// error are listed in not_evaluated.
ads_estimate estimate_ads_level(const std::vector<finding>& findings, const std::string& directory);

// The formula, as printed in every report.
std::string scoring_formula();

}  // namespace cloison
