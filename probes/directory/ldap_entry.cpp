#include "probes/directory/ldap_entry.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace cloison {

bool ldap_name_less::operator()(std::string_view a, std::string_view b) const {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) <
           std::tolower(static_cast<unsigned char>(y));
  });
}

const std::vector<std::string>& ldap_entry::values(std::string_view name) const {
  static const std::vector<std::string> none;
  const auto it = attributes.find(name);
  return it == attributes.end() ? none : it->second;
}

std::string_view ldap_entry::first(std::string_view name) const {
  const auto& v = values(name);
  return v.empty() ? std::string_view{} : std::string_view{v.front()};
}

bool ldap_entry::has(std::string_view name) const {
  return !values(name).empty();
}

std::optional<ranged_attribute> parse_ranged_attribute(std::string_view description) {
  const auto at = description.find(";range=");
  if (at == std::string_view::npos)
    return std::nullopt;
  ranged_attribute r{std::string(description.substr(0, at)), std::nullopt};
  const auto dash = description.find('-', at);
  if (dash == std::string_view::npos)
    return r;
  const auto high = description.substr(dash + 1);
  unsigned long last = 0;
  if (high != "*" &&
      std::from_chars(high.data(), high.data() + high.size(), last).ec == std::errc{})
    r.next = last + 1;
  return r;
}

}  // namespace cloison
