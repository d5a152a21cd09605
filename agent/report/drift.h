// Drift between two reports of the same estate: new failures, resolved and still-failing findings,
// score and verdict changes per objective, ADS level change. Pure functions; thread-safe.
// A finding is keyed by (check, target); it is failing when its status is fail or error.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "agent/report/messages.h"
#include "agent/report/report.h"

namespace cloison {

struct finding_change {
  std::string check;
  std::string target;
  std::string objective;
  enum severity severity = severity::medium;
  localized title;
  std::optional<status> before;  // absent: the previous report has no such finding
  std::optional<status> after;   // absent: the new report has no such finding
  friend bool operator==(const finding_change&, const finding_change&) = default;
};

struct score_change {
  std::string objective;
  std::optional<objective_status> status_before, status_after;  // absent: not in that report
  std::optional<double> score_before, score_after;
  // The score went down, or the verdict got worse: met (or not applicable) → incomplete →
  // not met.
  bool regressed() const;
  friend bool operator==(const score_change&, const score_change&) = default;
};

struct drift {
  std::string before_started_at;
  std::string after_started_at;
  std::vector<finding_change> new_failures;   // failing now, not failing before (or absent)
  std::vector<finding_change> resolved;       // failing before, not failing now (or absent)
  std::vector<finding_change> still_failing;  // failing in both
  std::vector<score_change> scores;           // every objective of either report
  std::optional<int> ads_before, ads_after;   // estimated ADS levels
  // A new failure, a score drop, an objective newly not met, or a lower ADS level.
  bool regressed() const;
  friend bool operator==(const drift&, const drift&) = default;
};

// What changed from `before` to `after`. Lists follow the order of the report they come from
// (`after` for new and still-failing findings, `before` for resolved ones).
drift compare_reports(const report& before, const report& after);

// The drift as plain text for a terminal, in `l` (`cloison diff`).
std::string describe_drift(const drift& d, lang l);

}  // namespace cloison
