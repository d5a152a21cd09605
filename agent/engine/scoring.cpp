#include "agent/engine/scoring.h"

#include <algorithm>

namespace cloison {

std::vector<objective_result> score(const std::vector<finding>& findings,
                                    const std::vector<std::string>& objectives) {
  std::vector<objective_result> results;
  for (const auto& id : objectives) {
    objective_result r{id, objective_status::met, std::nullopt, {}};
    double passed = 0, counted = 0;
    bool critical_problem = false;
    for (const auto& f : findings) {
      if (f.objective != id)
        continue;
      switch (f.status) {
        case status::pass:
          ++r.counts.pass;
          break;
        case status::fail:
          ++r.counts.fail;
          break;
        case status::error:
          ++r.counts.error;
          break;
        case status::not_applicable:
          ++r.counts.not_applicable;
          break;
        case status::waived:
          ++r.counts.waived;
          break;
      }
      if (f.status == status::pass || f.status == status::fail || f.status == status::error) {
        counted += f.weight;
        if (f.status == status::pass)
          passed += f.weight;
        critical_problem =
            critical_problem || (f.severity == severity::critical && f.status != status::pass);
      }
    }
    const int judged = r.counts.pass + r.counts.fail + r.counts.error + r.counts.waived;
    if (counted > 0)
      r.score = 100.0 * passed / counted;
    if (critical_problem) {
      r.status = objective_status::not_met;
    } else if (judged == 0) {
      r.status = objective_status::not_applicable;
    }
    results.push_back(r);
  }
  return results;
}

ads_estimate estimate_ads_level(const std::vector<finding>& findings,
                                const std::string& directory) {
  ads_estimate e;
  e.directory = directory;
  bool any_verdict = false;
  for (const auto& f : findings) {
    if (f.objective != "ADS")
      continue;
    const bool failing = f.status == status::fail || f.status == status::waived;
    if (failing)
      e.estimated_level = std::min(e.estimated_level, f.anssi_level);
    any_verdict = any_verdict || failing || f.status == status::pass;
    if (f.status == status::error && std::find(e.not_evaluated.begin(), e.not_evaluated.end(),
                                               f.check) == e.not_evaluated.end()) {
      e.not_evaluated.push_back(f.check);
    }
  }
  e.level_proven = any_verdict;
  for (const auto& f : findings) {
    if (f.objective == "ADS" && f.status == status::error && f.anssi_level < e.estimated_level) {
      e.level_proven = false;
    }
  }
  return e;
}

std::string scoring_formula() {
  return "score = 100 * sum(weight, pass) / sum(weight, pass + fail + error); "
         "an objective is met only when none of its critical checks fails or errs; "
         "waived and not_applicable findings count in neither sum; "
         "ADS level = smallest ANSSI level among failing ADS controls, else 5, "
         "proven only when every control of a lower level was evaluated";
}

}  // namespace cloison
