#include "agent/engine/findings.h"

#include <array>
#include <utility>

namespace cloison {

namespace {

constexpr std::array<std::pair<status, std::string_view>, 6> kStatusNames{{
    {status::pass, "pass"},
    {status::fail, "fail"},
    {status::error, "error"},
    {status::not_applicable, "not_applicable"},
    {status::waived, "waived"},
    {status::not_evaluated, "not_evaluated"},
}};

constexpr std::array<std::pair<objective_status, std::string_view>, 4> kObjectiveNames{{
    {objective_status::met, "met"},
    {objective_status::not_met, "not_met"},
    {objective_status::incomplete, "incomplete"},
    {objective_status::not_applicable, "not_applicable"},
}};

constexpr std::array<std::pair<reason_kind, std::string_view>, 8> kReasonNames{{
    {reason_kind::check_in_error, "check_in_error"},
    {reason_kind::target_not_read, "target_not_read"},
    {reason_kind::no_forbidden_flow_tested, "no_forbidden_flow_tested"},
    {reason_kind::host_not_read, "host_not_read"},
    {reason_kind::directory_not_read, "directory_not_read"},
    {reason_kind::ads_level_below_3, "ads_level_below_3"},
    {reason_kind::ads_control_in_error, "ads_control_in_error"},
    {reason_kind::nothing_tested, "nothing_tested"},
}};

template <typename E, std::size_t N>
std::string_view name_of(const std::array<std::pair<E, std::string_view>, N>& table, E v) {
  for (const auto& [value, name] : table) {
    if (value == v)
      return name;
  }
  return "";
}

template <typename E, std::size_t N>
std::optional<E> value_of(const std::array<std::pair<E, std::string_view>, N>& table,
                          std::string_view s) {
  for (const auto& [value, name] : table) {
    if (name == s)
      return value;
  }
  return std::nullopt;
}

}  // namespace

std::string_view to_string(status s) {
  return name_of(kStatusNames, s);
}
std::optional<status> status_from_string(std::string_view s) {
  return value_of(kStatusNames, s);
}
std::string_view to_string(objective_status s) {
  return name_of(kObjectiveNames, s);
}
std::optional<objective_status> objective_status_from_string(std::string_view s) {
  return value_of(kObjectiveNames, s);
}
std::string_view to_string(reason_kind k) {
  return name_of(kReasonNames, k);
}
std::optional<reason_kind> reason_kind_from_string(std::string_view s) {
  return value_of(kReasonNames, s);
}

void count(status s, status_counts& c) {
  switch (s) {
    case status::pass:
      ++c.pass;
      break;
    case status::fail:
      ++c.fail;
      break;
    case status::error:
      ++c.error;
      break;
    case status::not_applicable:
      ++c.not_applicable;
      break;
    case status::waived:
      ++c.waived;
      break;
    case status::not_evaluated:
      ++c.not_evaluated;
      break;
  }
}

bool is_failing(status s) {
  return s == status::fail || s == status::error;
}

std::string cause_check_id(std::string_view probe) {
  return std::string(probe) + "-read";
}

bool is_cause(const finding& f) {
  return f.objective.empty() && f.status == status::error;
}

}  // namespace cloison
