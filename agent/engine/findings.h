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

// pass, fail: the check was judged. error: cloison tried to establish a fact and could not
// (never a pass); one per cause when a whole target could not be read (a cause finding, below).
// not_evaluated: cloison cannot decide the check by construction, or the target it reads is
// already reported once as a cause. not_applicable: the declared estate rules the check out.
// waived: a valid waiver covers a failure.
enum class status { pass, fail, error, not_applicable, waived, not_evaluated };
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
  localized rationale;      // why the check matters (from the policy)
  json observed;            // the fact's value, null when it could not be established
  std::string expectation;  // the matcher, in its syntax: `equals "no"`
  localized expected;       // the matcher in words: "must be "no""
  std::string message;      // why: the missing evidence, the type problem, the inapplicability
  localized explanation;    // `message` in each language; empty in reports of earlier versions
  std::vector<std::string> evidence;  // evidence ids
  std::optional<applied_waiver> waiver;
  std::string anssi_id;
  int anssi_level = 0;
  // not_evaluated because a target could not be read: the check id of the cause finding (same
  // target) that reports it. Empty otherwise.
  std::string cause;
  friend bool operator==(const finding&, const finding&) = default;
};

// The check id of the one `error` finding a target that could not be read gives: "<probe>-read"
// (host-read, directory-read, reachability-read). A cause finding has no objective; it counts in
// no score; the findings that depend on it are not_evaluated and name it in `cause`.
std::string cause_check_id(std::string_view probe);
bool is_cause(const finding& f);

struct status_counts {
  int pass = 0, fail = 0, error = 0, not_applicable = 0, waived = 0, not_evaluated = 0;
  friend bool operator==(const status_counts&, const status_counts&) = default;
};
// Adds one finding of status `s` to `c`.
void count(status s, status_counts& c);
// A failing finding: fail or error (what drift and the run history key on).
bool is_failing(status s);

// met: nothing below. not_met: a critical or high check fails (not waived), or, for D2.03.A,
// the dedicated backup AD is estimated below ADS level 3; for ADS, the estimate is below 3.
// incomplete: not not_met, but a critical or high check is in error or depends on a cause, or
// the objective's evidence floor is not reached (scoring.h). not_applicable: the objective has
// nothing to judge in this estate (ADS without a dedicated backup AD).
enum class objective_status { met, not_met, incomplete, not_applicable };
std::string_view to_string(objective_status s);
std::optional<objective_status> objective_status_from_string(std::string_view s);

// Why an objective is incomplete, or not met for a reason no finding carries. `subject` names
// what it is about: a host, a directory, a check id, the ADS level.
enum class reason_kind {
  check_in_error,            // subject: the check id; a critical/high check is in error
  target_not_read,           // subject: the host or directory that is a cause
  no_forbidden_flow_tested,  // D2.03.B: no forbidden flow was tested from production
  host_not_read,             // a backup host with an access method gave no facts
  directory_not_read,        // a declared directory gave no facts (the backup AD: no level)
  ads_level_below_3,         // subject: the estimated level
  ads_control_in_error,      // subject: the check id of a level-1 or level-2 control in error
  nothing_tested,            // no check of the objective got a verdict
};
std::string_view to_string(reason_kind k);
std::optional<reason_kind> reason_kind_from_string(std::string_view s);

struct verdict_reason {
  reason_kind kind;
  std::string subject;
  friend bool operator==(const verdict_reason&, const verdict_reason&) = default;
  friend auto operator<=>(const verdict_reason&, const verdict_reason&) = default;
};

struct objective_result {
  std::string id;
  objective_status status = objective_status::not_met;
  std::optional<double> score;  // 0..100; absent when no finding counts (all not applicable)
  status_counts counts;
  std::vector<verdict_reason> reasons;  // why incomplete (or not met without a failing finding)
  friend bool operator==(const objective_result&, const objective_result&) = default;
};

struct ads_estimate {
  std::string directory;
  std::optional<int> estimated_level;  // absent when the backup directory was not read
  bool level_proven = true;            // no control below the estimate is not_evaluated or in error
  std::vector<std::string> not_evaluated;  // ids of the ADS controls cloison cannot decide
  std::vector<std::string> in_error;       // ids of the ADS controls it could not establish
  friend bool operator==(const ads_estimate&, const ads_estimate&) = default;
};

}  // namespace cloison
