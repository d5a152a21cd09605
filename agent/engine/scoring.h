// Scoring and verdicts, as the product brief (DESIGN.md section 2) defines them. Pure and
// thread-safe.
//   score(objective) = 100 * sum(weight of pass) / sum(weight of pass + fail + error)
//   (waived, not_applicable, not_evaluated and cause findings count in no sum)
//   not_met    a critical or high check of the objective fails (not waived); D2.03.A also while
//              the dedicated backup AD's estimated ADS level is below 3; ADS: estimate below 3
//   incomplete otherwise, when a critical or high check is in error or depends on a target that
//              could not be read, or the evidence floor is not reached:
//                D2.03.B: a forbidden flow tested from production; every backup host with an
//                         access method read
//                D2.03.A: every backup host with an access method read; every declared
//                         directory read
//                ADS:     the backup directory read; no level-1 or level-2 control in error
//              an objective with nothing judged is never met
//   met        otherwise
//   not_applicable  ADS when no dedicated backup AD is declared
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "agent/engine/findings.h"

namespace cloison {

// What a run (or the runs merged into a report) established about the declared estate: the
// material of the evidence floors.
struct coverage {
  bool forbidden_flow_tested_from_production = false;
  std::vector<std::string> hosts_not_read;        // backup hosts with an access method, no facts
  std::vector<std::string> directories_not_read;  // declared directories that gave no facts
  std::optional<std::string> backup_directory;    // the dedicated backup AD, when declared
};

struct verdicts {
  std::vector<objective_result> objectives;  // one per requested objective, in that order
  std::optional<ads_estimate> ads;  // when a backup directory is declared and ADS is requested
};

// The verdict of every objective in `objectives` (ids among D2.03.A, D2.03.B, ADS) and the
// dedicated AD's ADS estimate.
// ADS estimate: the smallest ANSSI level among failing (or waived: a waiver accepts a risk, it
// does not remove it) evaluated ADS controls, else 5; absent when the backup directory was not
// read. It is proven when no control of a lower level is not_evaluated or in error.
verdicts decide(const std::vector<finding>& findings, const std::vector<std::string>& objectives,
                const coverage& covered);

// The documented exit code of these verdicts: 1 when an objective is not met, else 4 when one is
// incomplete, else 0.
int exit_code_of(const std::vector<objective_result>& objectives);

// The formula and the rules, as printed in every report.
std::string scoring_formula();

}  // namespace cloison
