// Policies are data: checks that read one fact each and compare it with an expectation drawn from
// a closed set of matchers. Plain types produced by load_policy() (agent/config/policy_loader.h);
// matcher evaluation is pure and thread-safe.
#pragma once

#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "core/observation.h"
#include "core/port_profile.h"

namespace cloison {

enum class lang { fr, en };
std::optional<lang> lang_from_string(std::string_view s);

struct localized {
  std::string fr;
  std::string en;
  const std::string& in(lang l) const { return l == lang::fr ? fr : en; }
  friend bool operator==(const localized&, const localized&) = default;
};

enum class severity { critical, high, medium, low };
std::string_view to_string(severity s);
std::optional<severity> severity_from_string(std::string_view s);
// Weight of a check of this severity when the policy does not set one.
double default_weight(severity s);

// The objectives a check can serve. ADS gathers the ANSSI control points of a dedicated backup AD.
inline constexpr std::string_view kObjectiveA = "D2.03.A";
inline constexpr std::string_view kObjectiveB = "D2.03.B";
inline constexpr std::string_view kObjectiveAds = "ADS";

enum class matcher_op {
  equals,
  not_equals,
  lt,
  le,
  gt,
  ge,
  in,
  not_in,
  contains,
  not_contains,
  matches,
  empty,
  not_empty,
  all,
  any,
  none
};
std::string_view to_string(matcher_op op);
std::optional<matcher_op> matcher_op_from_string(std::string_view s);

struct matcher {
  matcher_op op = matcher_op::equals;
  json operand;                               // the value compared with (unused by empty/not_empty)
  std::shared_ptr<const std::regex> pattern;  // compiled operand of `matches`
  std::shared_ptr<const matcher> element;     // what all/any/none apply to each list element

  // Human-readable form, e.g. `equals "no"` or `all (in ["root"])`.
  std::string describe() const;
  // The same in words, in each language: "must be "no"", "every element must be one of ["root"]".
  localized in_words() const;
};

// Result of applying a matcher to a value: yes, no, or a mismatch between the value's type and
// what the matcher compares (a matcher never silently answers "no" to a value it cannot judge).
struct match_result {
  bool matched = false;
  std::string problem;  // non-empty: the value cannot be judged by this matcher
};

match_result evaluate(const matcher& m, const json& value);

struct condition {
  std::string fact;
  matcher expect;
};

struct check {
  std::string id;
  std::string objective;
  enum severity severity = severity::medium;
  double weight = 0;
  localized title;
  localized rationale;
  localized remediation;
  std::string fact;  // full fact name; its first segment names the probe
  matcher expect;
  std::optional<condition> applies_if;  // not_applicable when the condition does not hold
  std::string anssi_id;                 // ADS checks only
  int anssi_level = 0;                  // ADS checks only: 1..5
  bool enabled = true;
};

struct policy {
  std::string file;    // where it was loaded from ("builtin:d2.03.yaml" for the embedded one)
  std::string sha256;  // of the file's bytes
  std::string name;
  std::string version;
  std::vector<check> checks;
  std::vector<port_profile> port_profiles;  // ports the reachability probe tests, by product
};

// The probe a fact belongs to: the text before its first dot.
std::string_view probe_of_fact(std::string_view fact);

}  // namespace cloison
