#include "agent/engine/policy.h"

#include <array>
#include <utility>

namespace cloison {

namespace {

constexpr std::array<std::pair<matcher_op, std::string_view>, 16> kMatcherNames{{
    {matcher_op::equals, "equals"},
    {matcher_op::not_equals, "not_equals"},
    {matcher_op::lt, "lt"},
    {matcher_op::le, "le"},
    {matcher_op::gt, "gt"},
    {matcher_op::ge, "ge"},
    {matcher_op::in, "in"},
    {matcher_op::not_in, "not_in"},
    {matcher_op::contains, "contains"},
    {matcher_op::not_contains, "not_contains"},
    {matcher_op::matches, "matches"},
    {matcher_op::empty, "empty"},
    {matcher_op::not_empty, "not_empty"},
    {matcher_op::all, "all"},
    {matcher_op::any, "any"},
    {matcher_op::none, "none"},
}};

constexpr std::array<std::pair<severity, std::string_view>, 4> kSeverityNames{{
    {severity::critical, "critical"},
    {severity::high, "high"},
    {severity::medium, "medium"},
    {severity::low, "low"},
}};

std::string type_name(const json& v) {
  if (v.is_number())
    return "number";
  return v.type_name();
}

match_result mismatch(const matcher& m, const json& value) {
  return {false, std::string(to_string(m.op)) + " cannot judge a " + type_name(value) + " value"};
}

match_result compare(const matcher& m, const json& value) {
  if (!value.is_number() || !m.operand.is_number())
    return mismatch(m, value);
  const double a = value.get<double>(), b = m.operand.get<double>();
  switch (m.op) {
    case matcher_op::lt:
      return {a < b, {}};
    case matcher_op::le:
      return {a <= b, {}};
    case matcher_op::gt:
      return {a > b, {}};
    default:
      return {a >= b, {}};
  }
}

bool list_has(const json& list, const json& v) {
  for (const auto& item : list) {
    if (item == v)
      return true;
  }
  return false;
}

match_result over_elements(const matcher& m, const json& value) {
  if (!value.is_array())
    return mismatch(m, value);
  std::size_t hits = 0;
  for (const auto& item : value) {
    auto r = evaluate(*m.element, item);
    if (!r.problem.empty())
      return r;
    hits += r.matched;
  }
  switch (m.op) {
    case matcher_op::all:
      return {hits == value.size(), {}};
    case matcher_op::any:
      return {hits > 0, {}};
    default:
      return {hits == 0, {}};
  }
}

}  // namespace

std::optional<lang> lang_from_string(std::string_view s) {
  if (s == "fr")
    return lang::fr;
  if (s == "en")
    return lang::en;
  return std::nullopt;
}

std::string_view to_string(severity s) {
  for (const auto& [v, name] : kSeverityNames) {
    if (v == s)
      return name;
  }
  return "medium";
}

std::optional<severity> severity_from_string(std::string_view s) {
  for (const auto& [v, name] : kSeverityNames) {
    if (name == s)
      return v;
  }
  return std::nullopt;
}

double default_weight(severity s) {
  switch (s) {
    case severity::critical:
      return 10;
    case severity::high:
      return 5;
    case severity::medium:
      return 3;
    case severity::low:
      return 1;
  }
  return 1;
}

std::string_view to_string(matcher_op op) {
  for (const auto& [v, name] : kMatcherNames) {
    if (v == op)
      return name;
  }
  return "equals";
}

std::optional<matcher_op> matcher_op_from_string(std::string_view s) {
  for (const auto& [v, name] : kMatcherNames) {
    if (name == s)
      return v;
  }
  return std::nullopt;
}

std::string matcher::describe() const {
  const std::string name(to_string(op));
  switch (op) {
    case matcher_op::empty:
    case matcher_op::not_empty:
      return name;
    case matcher_op::all:
    case matcher_op::any:
    case matcher_op::none:
      return name + " (" + element->describe() + ")";
    default:
      return name + " " + operand.dump();
  }
}

localized matcher::in_words() const {
  const std::string x = operand.dump();
  switch (op) {
    case matcher_op::equals:
      return {"doit valoir " + x, "must be " + x};
    case matcher_op::not_equals:
      return {"ne doit pas valoir " + x, "must not be " + x};
    case matcher_op::lt:
      return {"doit être inférieur à " + x, "must be less than " + x};
    case matcher_op::le:
      return {"doit être inférieur ou égal à " + x, "must be at most " + x};
    case matcher_op::gt:
      return {"doit être supérieur à " + x, "must be greater than " + x};
    case matcher_op::ge:
      return {"doit être supérieur ou égal à " + x, "must be at least " + x};
    case matcher_op::in:
      return {"doit être l'une des valeurs " + x, "must be one of " + x};
    case matcher_op::not_in:
      return {"ne doit être aucune des valeurs " + x, "must be none of " + x};
    case matcher_op::contains:
      return {"doit contenir " + x, "must contain " + x};
    case matcher_op::not_contains:
      return {"ne doit pas contenir " + x, "must not contain " + x};
    case matcher_op::matches:
      return {"doit correspondre à l'expression régulière " + x,
              "must match the regular expression " + x};
    case matcher_op::empty:
      return {"doit être vide", "must be empty"};
    case matcher_op::not_empty:
      return {"ne doit pas être vide", "must not be empty"};
    case matcher_op::all:
    case matcher_op::any:
    case matcher_op::none: {
      const auto each = element->in_words();
      if (op == matcher_op::all)
        return {"chaque élément " + each.fr, "every element " + each.en};
      if (op == matcher_op::any)
        return {"au moins un élément " + each.fr, "at least one element " + each.en};
      return {"aucun élément ne doit remplir la condition : " + each.fr,
              "no element may meet the condition: " + each.en};
    }
  }
  return {describe(), describe()};
}

match_result evaluate(const matcher& m, const json& value) {
  switch (m.op) {
    case matcher_op::equals:
      return {value == m.operand, {}};
    case matcher_op::not_equals:
      return {value != m.operand, {}};
    case matcher_op::lt:
    case matcher_op::le:
    case matcher_op::gt:
    case matcher_op::ge:
      return compare(m, value);
    case matcher_op::in:
      return {list_has(m.operand, value), {}};
    case matcher_op::not_in:
      return {!list_has(m.operand, value), {}};
    case matcher_op::contains:
    case matcher_op::not_contains: {
      bool found = false;
      if (value.is_string() && m.operand.is_string()) {
        found = value.get_ref<const std::string&>().find(m.operand.get_ref<const std::string&>()) !=
                std::string::npos;
      } else if (value.is_array()) {
        found = list_has(value, m.operand);
      } else {
        return mismatch(m, value);
      }
      return {m.op == matcher_op::contains ? found : !found, {}};
    }
    case matcher_op::matches:
      if (!value.is_string())
        return mismatch(m, value);
      return {std::regex_search(value.get_ref<const std::string&>(), *m.pattern), {}};
    case matcher_op::empty:
    case matcher_op::not_empty: {
      if (!value.is_string() && !value.is_array() && !value.is_object())
        return mismatch(m, value);
      // json::empty() is false for every string, even "": test the text itself.
      const bool is_empty =
          value.is_string() ? value.get_ref<const std::string&>().empty() : value.empty();
      return {is_empty == (m.op == matcher_op::empty), {}};
    }
    case matcher_op::all:
    case matcher_op::any:
    case matcher_op::none:
      return over_elements(m, value);
  }
  return mismatch(m, value);
}

std::string_view probe_of_fact(std::string_view fact) {
  return fact.substr(0, fact.find('.'));
}

}  // namespace cloison
