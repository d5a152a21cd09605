// Findings (one per check and target), objective results and the ADS level estimate: the
// verdicts of an audit. Plain data, produced by evaluate() and score(), written to report.json.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/engine/policy.h"
#include "agent/engine/waivers.h"

namespace cloison {

enum class status { pass, fail, error, not_applicable, waived };
std::string_view to_string(status s);
std::optional<status> status_from_string(std::string_view s);

struct applied_waiver {
  struct waiver waiver;
  bool expired = false;
  friend bool operator==(const applied_waiver&, const applied_waiver&) = default;
};

struct finding {
  std::string check;
  std::string objective;
  std::string target;
  enum status status = status::error;
  enum severity severity = severity::medium;
  double weight = 0;
  localized title;
  localized remediation;
  json observed;            // the fact's value, null when it could not be established
  std::string expectation;  // the matcher, described
  std::string message;      // why: the missing evidence, the type problem, the inapplicability
  std::vector<std::string> evidence;  // evidence ids
  std::optional<applied_waiver> waiver;
  std::string anssi_id;
  int anssi_level = 0;
  friend bool operator==(const finding&, const finding&) = default;
};

struct status_counts {
  int pass = 0, fail = 0, error = 0, not_applicable = 0, waived = 0;
  friend bool operator==(const status_counts&, const status_counts&) = default;
};

enum class objective_status { met, not_met, not_applicable };
std::string_view to_string(objective_status s);
std::optional<objective_status> objective_status_from_string(std::string_view s);

struct objective_result {
  std::string id;
  objective_status status = objective_status::not_met;
  std::optional<double> score;  // 0..100; absent when no finding counts (all not applicable)
  status_counts counts;
  friend bool operator==(const objective_result&, const objective_result&) = default;
};

struct ads_estimate {
  std::string directory;
  int estimated_level = 5;
  bool level_proven = true;
  std::vector<std::string> not_evaluated;  // ids of ADS checks without a verdict (error)
  friend bool operator==(const ads_estimate&, const ads_estimate&) = default;
};

}  // namespace cloison
