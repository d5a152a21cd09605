#include "agent/engine/scoring.h"

#include <algorithm>
#include <set>

namespace cloison {

namespace {

bool deciding(const finding& f) {
  return f.severity == severity::critical || f.severity == severity::high;
}

bool contains(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

void add_distinct(std::vector<std::string>& list, const std::string& value) {
  if (!contains(list, value))
    list.push_back(value);
}

ads_estimate estimate(const std::vector<finding>& findings, const std::string& directory,
                      bool read) {
  ads_estimate e;
  e.directory = directory;
  int level = 5;
  bool any_verdict = false;
  for (const auto& f : findings) {
    if (f.objective != kObjectiveAds)
      continue;
    any_verdict = any_verdict || f.status == status::pass || f.status == status::fail ||
                  f.status == status::waived;
    if (f.status == status::fail || f.status == status::waived)
      level = std::min(level, f.anssi_level);
    if (f.status == status::not_evaluated && f.cause.empty())
      add_distinct(e.not_evaluated, f.check);
    if (f.status == status::error)
      add_distinct(e.in_error, f.check);
  }
  if (read)
    e.estimated_level = level;
  e.level_proven =
      read && any_verdict && std::none_of(findings.begin(), findings.end(), [&](const finding& f) {
        return f.objective == kObjectiveAds && f.anssi_level < level &&
               (f.status == status::not_evaluated || f.status == status::error);
      });
  return e;
}

objective_result judge_objective(const std::string& id, const std::vector<finding>& findings,
                                 const coverage& covered, const std::optional<ads_estimate>& ads) {
  objective_result r{id, objective_status::met, std::nullopt, {}, {}};
  double passed = 0, counted = 0;
  bool failing = false;
  std::set<verdict_reason> reasons;
  const auto not_read = [&](const std::string& target) {
    return contains(covered.hosts_not_read, target) ||
           contains(covered.directories_not_read, target);
  };
  for (const auto& f : findings) {
    if (f.objective != id)
      continue;
    count(f.status, r.counts);
    if (f.status == status::pass || f.status == status::fail || f.status == status::error) {
      counted += f.weight;
      passed += f.status == status::pass ? f.weight : 0;
    }
    if (id == kObjectiveAds || !deciding(f))
      continue;
    failing = failing || f.status == status::fail;
    if (f.status == status::error)
      reasons.insert({reason_kind::check_in_error, f.check});
    if (f.status == status::not_evaluated && !f.cause.empty() && !not_read(f.target))
      reasons.insert({reason_kind::target_not_read, f.target});
  }
  if (counted > 0)
    r.score = 100.0 * passed / counted;
  const int judged = r.counts.pass + r.counts.fail + r.counts.error + r.counts.waived;

  if (id == kObjectiveAds) {
    if (!ads)
      r.status = objective_status::not_applicable;
    else if (!ads->estimated_level)
      reasons.insert({reason_kind::directory_not_read, ads->directory});
    else if (*ads->estimated_level < 3)
      failing = true;
    for (const auto& f : findings) {
      if (ads && f.objective == id && f.status == status::error && f.anssi_level <= 2)
        reasons.insert({reason_kind::ads_control_in_error, f.check});
    }
  } else {
    for (const auto& h : covered.hosts_not_read)
      reasons.insert({reason_kind::host_not_read, h});
    if (id == kObjectiveB && !covered.forbidden_flow_tested_from_production)
      reasons.insert({reason_kind::no_forbidden_flow_tested, ""});
    if (id == kObjectiveA) {
      for (const auto& d : covered.directories_not_read)
        reasons.insert({reason_kind::directory_not_read, d});
      if (ads && ads->estimated_level && *ads->estimated_level < 3) {
        failing = true;
        reasons.insert({reason_kind::ads_level_below_3, std::to_string(*ads->estimated_level)});
      }
    }
  }
  if (judged == 0 && r.status != objective_status::not_applicable && reasons.empty())
    reasons.insert({reason_kind::nothing_tested, ""});
  if (r.status != objective_status::not_applicable) {
    r.status = failing           ? objective_status::not_met
               : reasons.empty() ? objective_status::met
                                 : objective_status::incomplete;
  }
  r.reasons.assign(reasons.begin(), reasons.end());
  return r;
}

}  // namespace

verdicts decide(const std::vector<finding>& findings, const std::vector<std::string>& objectives,
                const coverage& covered) {
  verdicts v;
  if (covered.backup_directory && contains(objectives, std::string(kObjectiveAds))) {
    v.ads = estimate(findings, *covered.backup_directory,
                     !contains(covered.directories_not_read, *covered.backup_directory));
  }
  for (const auto& id : objectives)
    v.objectives.push_back(judge_objective(id, findings, covered, v.ads));
  return v;
}

int exit_code_of(const std::vector<objective_result>& objectives) {
  const auto any = [&](objective_status s) {
    return std::any_of(objectives.begin(), objectives.end(),
                       [&](const objective_result& o) { return o.status == s; });
  };
  return any(objective_status::not_met) ? 1 : any(objective_status::incomplete) ? 4 : 0;
}

std::string scoring_formula() {
  return "score = 100 * sum(weight, pass) / sum(weight, pass + fail + error); "
         "waived, not_applicable and not_evaluated findings count in neither sum; "
         "an objective is not_met when one of its critical or high checks fails (D2.03.A also "
         "while the dedicated backup AD is estimated below ADS level 3), else incomplete when one "
         "of them is in error or its evidence floor is not reached, else met; "
         "ADS level = smallest ANSSI level among failing evaluated ADS controls, else 5, "
         "proven only when no control of a lower level is not evaluated or in error";
}

}  // namespace cloison
