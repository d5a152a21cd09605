#include "agent/report/drift.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>

#include "agent/report/local_time.h"

namespace cloison {

namespace {

// Scores are rounded to a hundredth before comparing: the same findings must not drift by
// floating-point noise.
double rounded(double score) {
  return std::round(score * 100.0) / 100.0;
}

bool failing(std::optional<status> s) {
  return s && is_failing(*s);
}

using key = std::pair<std::string, std::string>;

std::map<key, const finding*> by_key(const report& r) {
  std::map<key, const finding*> out;
  for (const auto& f : r.findings)
    out.emplace(key{f.check, f.target}, &f);
  return out;
}

finding_change change_of(const finding& f, std::optional<status> before,
                         std::optional<status> after) {
  return {f.check, f.target, f.objective, f.severity, f.title, before, after};
}

const objective_result* objective_in(const report& r, const std::string& id) {
  const auto it = std::find_if(r.objectives.begin(), r.objectives.end(),
                               [&](const objective_result& o) { return o.id == id; });
  return it == r.objectives.end() ? nullptr : &*it;
}

std::string status_text(std::optional<status> s, lang l) {
  return std::string(text(s ? status_name(*s) : msg::absent, l));
}

std::string score_text(const std::optional<objective_status>& status,
                       const std::optional<double>& score, lang l) {
  if (!status)
    return std::string(text(msg::absent, l));
  std::string out(text(verdict_name(*status), l));
  if (score)
    out += " " + std::to_string(std::lround(*score)) + "/100";
  return out;
}

}  // namespace

bool score_change::regressed() const {
  if (score_before && score_after && rounded(*score_after) < rounded(*score_before))
    return true;
  // Worse: met or not applicable, then incomplete, then not met.
  const auto badness = [](objective_status s) {
    return s == objective_status::not_met ? 2 : s == objective_status::incomplete ? 1 : 0;
  };
  return status_before && status_after && badness(*status_after) > badness(*status_before);
}

bool drift::regressed() const {
  return !new_failures.empty() ||
         std::any_of(scores.begin(), scores.end(),
                     [](const score_change& s) { return s.regressed(); }) ||
         (ads_before && ads_after && *ads_after < *ads_before);
}

drift compare_reports(const report& before, const report& after) {
  drift d;
  d.before_started_at = before.started_at;
  d.after_started_at = after.started_at;
  const auto old_findings = by_key(before);
  const auto new_findings = by_key(after);
  for (const auto& f : after.findings) {
    const auto old = old_findings.find({f.check, f.target});
    const auto was = old == old_findings.end() ? std::nullopt : std::optional(old->second->status);
    if (failing(f.status) && failing(was)) {
      d.still_failing.push_back(change_of(f, was, f.status));
    } else if (failing(f.status)) {
      d.new_failures.push_back(change_of(f, was, f.status));
    } else if (failing(was)) {
      d.resolved.push_back(change_of(*old->second, was, f.status));
    }
  }
  for (const auto& f : before.findings) {
    if (failing(f.status) && !new_findings.contains({f.check, f.target}))
      d.resolved.push_back(change_of(f, f.status, std::nullopt));
  }
  std::vector<std::string> ids;
  for (const auto* r : {&before, &after}) {
    for (const auto& o : r->objectives) {
      if (std::find(ids.begin(), ids.end(), o.id) == ids.end())
        ids.push_back(o.id);
    }
  }
  for (const auto& id : ids) {
    score_change c{id, {}, {}, {}, {}};
    if (const auto* o = objective_in(before, id)) {
      c.status_before = o->status;
      c.score_before = o->score;
    }
    if (const auto* o = objective_in(after, id)) {
      c.status_after = o->status;
      c.score_after = o->score;
    }
    d.scores.push_back(c);
  }
  if (before.ads)
    d.ads_before = before.ads->estimated_level;
  if (after.ads)
    d.ads_after = after.ads->estimated_level;
  return d;
}

std::string describe_drift(const drift& d, lang l) {
  std::ostringstream out;
  out << format(msg::drift_between, l,
                {local_time_text(d.before_started_at), local_time_text(d.after_started_at)})
      << "\n";
  for (auto [list, heading] : {std::pair{&d.new_failures, counted::drift_new_failures},
                               std::pair{&d.resolved, counted::drift_resolved},
                               std::pair{&d.still_failing, counted::drift_still_failing}}) {
    out << format(heading, l, static_cast<long long>(list->size())) << "\n";
    for (const auto& c : *list) {
      out << "  - [" << text(severity_name(c.severity), l) << "] " << c.check << " @ " << c.target
          << ": " << c.title.in(l) << " (" << status_text(c.before, l) << " → "
          << status_text(c.after, l) << ")\n";
    }
  }
  out << text(msg::drift_scores, l) << "\n";
  for (const auto& s : d.scores) {
    out << "  " << s.objective << "  " << score_text(s.status_before, s.score_before, l) << " → "
        << score_text(s.status_after, s.score_after, l) << (s.regressed() ? "  (-)" : "") << "\n";
  }
  if (d.ads_before || d.ads_after) {
    const auto level = [&](const std::optional<int>& v) {
      return v ? std::to_string(*v) : std::string(text(msg::absent, l));
    };
    out << format(msg::drift_ads, l, {level(d.ads_before), level(d.ads_after)}) << "\n";
  }
  out << text(d.regressed() ? msg::drift_regressed : msg::drift_not_regressed, l) << "\n";
  return out.str();
}

}  // namespace cloison
