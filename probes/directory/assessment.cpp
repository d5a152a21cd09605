#include "probes/directory/assessment.h"

#include <algorithm>
#include <cctype>

namespace cloison {

namespace {

constexpr std::size_t kMaxEvidenceLines = 500;

std::string_view scope_name(ldap_scope s) {
  switch (s) {
    case ldap_scope::base:
      return "base";
    case ldap_scope::one_level:
      return "one";
    case ldap_scope::subtree:
      return "sub";
  }
  return "sub";
}

}  // namespace

std::size_t search_log::add(std::string name, ldap_query q) {
  searches_.push_back(search{std::move(name), std::move(q), 0, {}, 0, std::nullopt});
  return searches_.size() - 1;
}

void search_log::note(std::size_t handle, std::string line) {
  auto& s = searches_[handle];
  if (s.lines.size() < kMaxEvidenceLines)
    s.lines.push_back(std::move(line));
  else
    ++s.lines_dropped;
}

void search_log::fail(std::size_t handle, std::string why) {
  if (!searches_[handle].failure)
    searches_[handle].failure = std::move(why);
}

std::optional<std::string> search_log::problem(std::string_view name) const {
  bool seen = false;
  for (const auto& s : searches_) {
    if (s.name != name)
      continue;
    seen = true;
    if (s.failure)
      return "LDAP search " + s.name + " (base \"" + s.query.base + "\", filter " + s.query.filter +
             ") failed: " + *s.failure;
  }
  if (!seen)
    return "LDAP search " + std::string(name) + " was not run (an earlier search failed)";
  return std::nullopt;
}

std::string search_log::evidence_id(std::string_view name) const {
  for (const auto& s : searches_) {
    if (s.name == name)
      return prefix_ + "/" + s.name;
  }
  return "";
}

std::vector<evidence> search_log::evidence_items() const {
  // Searches sharing a name (one per group, say) make one evidence item.
  std::vector<evidence> out;
  std::vector<std::string> done;
  for (const auto& first : searches_) {
    if (std::find(done.begin(), done.end(), first.name) != done.end())
      continue;
    done.push_back(first.name);
    std::string content, source;
    for (const auto& s : searches_) {
      if (s.name != first.name)
        continue;
      std::string attributes;
      for (const auto& a : s.query.attributes)
        attributes += (attributes.empty() ? "" : " ") + a;
      const std::string q =
          "base=\"" + s.query.base + "\" scope=" + std::string(scope_name(s.query.scope)) +
          " filter=" + s.query.filter +
          (s.query.sd_flags != 0 ? " control=SD_FLAGS(" + std::to_string(s.query.sd_flags) + ")"
                                 : "");
      source += (source.empty() ? "ldapsearch " : "; ") + q;
      content += "# search " + q + "\n# attributes: " + attributes + "\n";
      content += s.failure ? "# failed: " + *s.failure + "\n"
                           : "# entries returned: " + std::to_string(s.entries) + "\n";
      for (const auto& l : s.lines)
        content += l + "\n";
      if (s.lines_dropped > 0)
        content += "# ... " + std::to_string(s.lines_dropped) + " more lines not kept\n";
      content += "\n";
    }
    out.push_back(make_evidence(prefix_ + "/" + first.name, source, content, false));
  }
  return out;
}

void put_directory_fact(assessment_output& out, const search_log& log, std::string_view name,
                        json value, std::initializer_list<std::string_view> sources) {
  std::vector<std::string> ids;
  for (const auto s : sources) {
    if (auto why = log.problem(s)) {
      out.facts[std::string(name)] = fact::missing(*why, ids);
      return;
    }
    ids.push_back(log.evidence_id(s));
  }
  out.facts[std::string(name)] = fact::of(std::move(value), std::move(ids));
}

std::string ldap_filter_escape(std::string_view value) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (const char c : value) {
    if (c == '*' || c == '(' || c == ')' || c == '\\' || c == '\0') {
      out += '\\';
      out += kHex[(static_cast<unsigned char>(c) >> 4) & 0xF];
      out += kHex[static_cast<unsigned char>(c) & 0xF];
    } else {
      out += c;
    }
  }
  return out;
}

std::optional<std::int64_t> int_value(const ldap_entry& e, std::string_view attribute) {
  if (!e.has(attribute))
    return std::nullopt;
  return parse_int64(e.first(attribute));
}

std::optional<std::string> sid_value(const ldap_entry& e, std::string_view attribute) {
  if (!e.has(attribute))
    return std::nullopt;
  return decode_sid(e.first(attribute));
}

std::uint32_t uac_of(const ldap_entry& e) {
  return static_cast<std::uint32_t>(int_value(e, "userAccountControl").value_or(0));
}

std::string display_name(const ldap_entry& e) {
  if (e.has("sAMAccountName"))
    return std::string(e.first("sAMAccountName"));
  if (e.has("cn"))
    return std::string(e.first("cn"));
  return e.dn;
}

bool same_text(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool has_class(const ldap_entry& e, std::string_view cls) {
  const auto& v = e.values("objectClass");
  return std::any_of(v.begin(), v.end(), [&](const std::string& c) { return same_text(c, cls); });
}

std::string first_rdn_value(std::string_view dn) {
  const auto eq = dn.find('=');
  if (eq == std::string_view::npos)
    return std::string(dn);
  std::string out;
  for (std::size_t i = eq + 1; i < dn.size(); ++i) {
    if (dn[i] == '\\' && i + 1 < dn.size()) {
      out += dn[++i];
      continue;
    }
    if (dn[i] == ',')
      break;
    out += dn[i];
  }
  return out;
}

std::string dns_name_of(std::string_view dn) {
  std::string out;
  std::size_t at = 0;
  while (at < dn.size()) {
    auto end = dn.find(',', at);
    if (end == std::string_view::npos)
      end = dn.size();
    const auto rdn = dn.substr(at, end - at);
    if (rdn.size() > 3 && same_text(rdn.substr(0, 3), "DC="))
      out += (out.empty() ? "" : ".") + std::string(rdn.substr(3));
    at = end + 1;
  }
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace cloison
