#include "agent/engine/findings.h"

#include <array>
#include <utility>

namespace cloison {

namespace {

constexpr std::array<std::pair<status, std::string_view>, 5> kStatusNames{{
    {status::pass, "pass"},
    {status::fail, "fail"},
    {status::error, "error"},
    {status::not_applicable, "not_applicable"},
    {status::waived, "waived"},
}};

constexpr std::array<std::pair<objective_status, std::string_view>, 3> kObjectiveNames{{
    {objective_status::met, "met"},
    {objective_status::not_met, "not_met"},
    {objective_status::not_applicable, "not_applicable"},
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

}  // namespace cloison
