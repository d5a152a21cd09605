#include "probes/host/linux_parsers.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <nlohmann/json.hpp>
#include <sstream>

#include "probes/host/text.h"

namespace cloison {

namespace {

using text::for_each_line;
using text::words;

std::string_view strip_comment(std::string_view line) {
  return line.substr(0, line.find('#'));
}

std::vector<std::string> split(std::string_view line, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= line.size(); ++i) {
    if (i == line.size() || line[i] == sep) {
      out.emplace_back(line.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

bool to_long(const std::string& s, long& v) {
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return !s.empty() && ec == std::errc() && end == s.data() + s.size();
}

}  // namespace

std::map<std::string, std::vector<std::string>> parse_sshd_effective(std::string_view text) {
  std::map<std::string, std::vector<std::string>> out;
  for_each_line(text, [&](std::string_view line) {
    auto w = words(line);
    if (w.empty())
      return;
    std::string key = w.front();
    std::transform(key.begin(), key.end(), key.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    std::string value;
    for (std::size_t i = 1; i < w.size(); ++i)
      value += (i > 1 ? " " : "") + w[i];
    out[key].push_back(value);
  });
  return out;
}

std::map<std::string, std::vector<std::string>> parse_nsswitch(std::string_view text) {
  std::map<std::string, std::vector<std::string>> out;
  for_each_line(text, [&](std::string_view raw) {
    const auto line = strip_comment(raw);
    const auto colon = line.find(':');
    if (colon == std::string_view::npos)
      return;
    auto db = words(line.substr(0, colon));
    if (db.size() != 1)
      return;
    std::vector<std::string> sources;
    bool in_action = false;
    for (const auto& w : words(line.substr(colon + 1))) {
      if (w.front() == '[')
        in_action = true;
      if (!in_action)
        sources.push_back(w);
      if (w.back() == ']')
        in_action = false;
    }
    out[db.front()] = sources;
  });
  return out;
}

std::vector<passwd_entry> parse_passwd(std::string_view text) {
  std::vector<passwd_entry> out;
  for_each_line(text, [&](std::string_view line) {
    auto f = split(line, ':');
    if (f.size() != 7 || f[0].empty())
      return;
    passwd_entry e{f[0], -1, -1, f[5], f[6]};
    if (!to_long(f[2], e.uid) || !to_long(f[3], e.gid))
      return;
    out.push_back(std::move(e));
  });
  return out;
}

std::vector<std::string> parse_resolv_nameservers(std::string_view text) {
  std::vector<std::string> out;
  for_each_line(text, [&](std::string_view raw) {
    auto w = words(strip_comment(raw.substr(0, raw.find(';'))));
    if (w.size() >= 2 && w[0] == "nameserver")
      out.push_back(w[1]);
  });
  return out;
}

std::map<std::string, std::string> parse_grep_files(std::string_view text) {
  std::map<std::string, std::string> files;
  for_each_line(text, [&](std::string_view line) {
    const auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0)
      return;
    auto& f = files[std::string(line.substr(0, colon))];
    f.append(line.substr(colon + 1));
    f += '\n';
  });
  return files;
}

std::optional<std::vector<interface_address>> parse_ip_addresses(std::string_view text) {
  const auto doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_array())
    return std::nullopt;
  std::vector<interface_address> out;
  for (const auto& link : doc) {
    const auto name = link.value("ifname", std::string());
    const auto infos = link.find("addr_info");
    if (name.empty() || infos == link.end() || !infos->is_array())
      continue;
    for (const auto& info : *infos) {
      const auto local = info.find("local");
      const auto prefix = info.find("prefixlen");
      if (local == info.end() || !local->is_string() || prefix == info.end() ||
          !prefix->is_number_unsigned()) {
        continue;
      }
      const auto scope = info.find("scope");
      out.push_back({name, local->get<std::string>(), prefix->get<unsigned>(),
                     scope != info.end() && scope->is_string() ? scope->get<std::string>() : ""});
    }
  }
  return out;
}

}  // namespace cloison
