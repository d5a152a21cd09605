// Test-only stand-ins for the LDAP client: an LDIF reader and a fake directory that answers the
// searches of a staged assessment from captured entries (base, scope, the filters the directory
// logic emits, attribute selection). The product reads entries through libldap, never this.
#pragma once

#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <functional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "probes/directory/ad_decoders.h"
#include "probes/directory/ldap_entry.h"

namespace cloison::testing {

inline std::string base64_decode(const std::string& in) {
  std::string out(in.size() / 4 * 3 + 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(in.data()),
                                static_cast<int>(in.size()));
  if (n < 0)
    throw std::runtime_error("bad base64: " + in);
  std::size_t size = static_cast<std::size_t>(n);
  for (auto it = in.rbegin(); it != in.rend() && *it == '='; ++it)
    --size;  // EVP_DecodeBlock counts the padding as zero bytes
  out.resize(size);
  return out;
}

// Entries of an LDIF text (RFC 2849 subset: folded lines, comments, "attr:: base64", "dn::").
inline std::vector<ldap_entry> read_ldif(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r')
      line.pop_back();
    if (!line.empty() && line[0] == ' ' && !lines.empty())
      lines.back() += line.substr(1);
    else
      lines.push_back(line);
  }
  std::vector<ldap_entry> out;
  bool open = false;
  for (const auto& line : lines) {
    if (line.empty()) {
      open = false;
      continue;
    }
    if (line[0] == '#')
      continue;
    const auto colon = line.find(':');
    if (colon == std::string::npos)
      throw std::runtime_error("bad LDIF line: " + line);
    const auto name = line.substr(0, colon);
    const bool b64 = colon + 1 < line.size() && line[colon + 1] == ':';
    auto value = line.substr(colon + (b64 ? 2 : 1));
    value.erase(0, value.find_first_not_of(' '));
    if (b64)
      value = base64_decode(value);
    if (!open) {
      if (name != "dn")
        throw std::runtime_error("LDIF record without dn: " + line);
      out.push_back(ldap_entry{value, {}});
      open = true;
    } else {
      out.back().attributes[name].push_back(value);
    }
  }
  return out;
}

// A directory made of captured entries. A search whose base is neither an entry nor above one
// fails (noSuchObject, as the server answers; parts of the directory the capture does not hold
// therefore fail too).
class fake_directory {
 public:
  explicit fake_directory(std::vector<ldap_entry> entries) : entries_(std::move(entries)) {}
  void add(const ldap_entry& e) { entries_.push_back(e); }
  // Sets attribute `name` of the entry `dn` (which must exist) to `values`.
  void modify(const std::string& dn, const std::string& name, std::vector<std::string> values) {
    for (auto& e : entries_) {
      if (lower(e.dn) == lower(dn)) {
        e.attributes[name] = std::move(values);
        return;
      }
    }
    throw std::runtime_error("no entry " + dn);
  }
  // Makes every search with this base fail, with `why`.
  void fail_base(std::string base) { failing_.insert(lower(base)); }
  // The searches answered so far, as "base|filter".
  const std::vector<std::string>& asked() const { return asked_; }

  // Answers `q`: calls `entry` for each match (with the requested attributes only) or `failed`.
  void search(const ldap_query& q, const std::function<void(const ldap_entry&)>& entry,
              const std::function<void(std::string)>& failed) {
    asked_.push_back(q.base + "|" + q.filter);
    const auto base = lower(q.base);
    const bool known = base.empty() || std::any_of(entries_.begin(), entries_.end(), [&](auto& e) {
                         return lower(e.dn) == base || ends_with(lower(e.dn), "," + base);
                       });
    if (failing_.count(base) || !known) {
      failed(failing_.count(base) ? "refused by the test" : "noSuchObject (32)");
      return;
    }
    for (const auto& e : entries_) {
      const auto dn = lower(e.dn);
      const bool in_scope =
          q.scope == ldap_scope::base ? dn == base
          : q.scope == ldap_scope::one_level
              ? ends_with(dn, "," + base) && dn.find(',') == dn.size() - base.size() - 1
          : base.empty() ? dn.empty()
                         : (dn == base || ends_with(dn, "," + base));
      if (!in_scope)
        continue;
      std::size_t at = 0;
      if (!matches(q.filter, at, e))
        continue;
      ldap_entry projected{e.dn, {}};
      for (const auto& a : q.attributes) {
        if (e.has(a))
          projected.attributes[a] = e.values(a);
      }
      entry(projected);
    }
  }

 private:
  static std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
  }
  static bool ends_with(const std::string& s, const std::string& tail) {
    return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
  }
  static std::string unescape(const std::string& v) {
    std::string out;
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (v[i] == '\\' && i + 2 < v.size()) {
        out += static_cast<char>(std::stoi(v.substr(i + 1, 2), nullptr, 16));
        i += 2;
      } else {
        out += v[i];
      }
    }
    return out;
  }
  const ldap_entry* find(const std::string& dn) const {
    for (const auto& e : entries_) {
      if (lower(e.dn) == lower(dn))
        return &e;
    }
    return nullptr;
  }
  bool item(const std::string& text, const ldap_entry& e) const {
    const auto eq = text.find('=');
    if (eq == std::string::npos)
      throw std::runtime_error("filter item without '=': " + text);
    if (text[eq - 1] == ':') {  // extensible: attr:rule:=value
      const auto c = text.find(':');
      const auto attr = text.substr(0, c);
      const auto rule = text.substr(c + 1, eq - 1 - c - 1);
      const auto value = unescape(text.substr(eq + 1));
      if (rule == "1.2.840.113556.1.4.803") {
        const auto want = std::stoll(value);
        const auto have = parse_int64(e.first(attr));
        return have && (*have & want) == want;
      }
      throw std::runtime_error("unsupported matching rule: " + text);
    }
    const auto attr = text.substr(0, eq);
    const auto value = unescape(text.substr(eq + 1));
    if (value == "*")  // every entry has an objectClass, even the rootDSE that does not list it
      return e.has(attr) || lower(attr) == "objectclass";
    const bool sid = lower(attr) == "objectsid" || lower(attr) == "securityidentifier";
    const bool prefix = value.size() > 1 && value.back() == '*';  // "BCKUPKEY_*"
    for (const auto& v : e.values(attr)) {
      const auto have = lower(sid ? decode_sid(v).value_or("") : v);
      if (prefix ? have.starts_with(lower(value.substr(0, value.size() - 1)))
                 : have == lower(value))
        return true;
    }
    return false;
  }
  bool matches(const std::string& f, std::size_t& at, const ldap_entry& e) const {
    if (f[at] != '(')
      throw std::runtime_error("filter: expected '(' at " + std::to_string(at) + " in " + f);
    ++at;
    bool result = false;
    const char op = f[at];
    if (op == '&' || op == '|') {
      ++at;
      result = op == '&';
      while (f[at] == '(') {
        const bool r = matches(f, at, e);
        result = op == '&' ? result && r : result || r;
      }
    } else if (op == '!') {
      ++at;
      result = !matches(f, at, e);
    } else {
      const auto end = f.find(')', at);
      result = item(f.substr(at, end - at), e);
      at = end;
    }
    if (f[at] != ')')
      throw std::runtime_error("filter: expected ')' at " + std::to_string(at) + " in " + f);
    ++at;
    return result;
  }

  std::vector<ldap_entry> entries_;
  std::set<std::string> failing_;
  std::vector<std::string> asked_;
};

// Runs a staged assessment (ads_assessment, independence_assessment) against `d` to the end.
template <class Assessment>
void drive(Assessment& a, fake_directory& d) {
  for (auto stage = a.next_stage(); !stage.empty(); stage = a.next_stage()) {
    for (std::size_t i = 0; i < stage.size(); ++i) {
      d.search(
          stage[i], [&](const ldap_entry& e) { a.consume(i, e); },
          [&](std::string why) { a.search_failed(i, std::move(why)); });
    }
  }
}

// The binary form of a SID string ("S-1-5-32-544"), as objectSid holds it.
inline std::string sid_bytes(const std::string& sid) {
  std::vector<std::uint64_t> parts;
  std::istringstream in(sid.substr(2));
  for (std::string p; std::getline(in, p, '-');)
    parts.push_back(std::stoull(p));
  std::string out;
  out += static_cast<char>(parts[0]);
  out += static_cast<char>(parts.size() - 2);
  for (int i = 5; i >= 0; --i)
    out += static_cast<char>((parts[1] >> (8 * i)) & 0xFF);
  for (std::size_t s = 2; s < parts.size(); ++s) {
    for (int i = 0; i < 4; ++i)
      out += static_cast<char>((parts[s] >> (8 * i)) & 0xFF);
  }
  return out;
}

// The entries of the capture `name` ("degraded-bk"): rootDSE, domain and configuration files.
inline std::vector<ldap_entry> capture(const std::string& name,
                                       const std::function<std::string(std::string)>& read) {
  std::vector<ldap_entry> all;
  for (const auto* part : {"rootdse", "domain", "config"}) {
    auto entries = read_ldif(read("directory/" + name + "-" + part + ".ldif"));
    all.insert(all.end(), entries.begin(), entries.end());
  }
  return all;
}

}  // namespace cloison::testing
