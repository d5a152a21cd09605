#include "probes/host/linux_system_parsers.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <ctime>
#include <nlohmann/json.hpp>
#include <sstream>

#include "probes/host/text.h"

namespace cloison {

namespace {

using text::for_each_line;
using text::lower;
using text::to_number;
using text::trim;
using text::words;

bool all_alpha(std::string_view s) {
  return !s.empty() &&
         std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isalpha(c) != 0; });
}

// Text before a '#' that is outside double quotes.
std::string_view strip_hash_comment(std::string_view line) {
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '"')
      quoted = !quoted;
    else if (line[i] == '#' && !quoted)
      return line.substr(0, i);
  }
  return line;
}

// "users:(("sshd",pid=1,fd=3),("x",pid=2,fd=4))" -> its processes.
std::vector<socket_user> parse_ss_users(std::string_view rest) {
  std::vector<socket_user> out;
  const auto start = rest.find("users:(");
  if (start == std::string_view::npos)
    return out;
  rest.remove_prefix(start + 7);
  for (;;) {
    const auto open = rest.find("(\"");
    if (open == std::string_view::npos)
      break;
    rest.remove_prefix(open + 2);
    const auto name_end = rest.find("\",pid=");
    if (name_end == std::string_view::npos)
      break;
    socket_user u{std::string(rest.substr(0, name_end)), -1};
    rest.remove_prefix(name_end + 6);
    const auto digits = rest.find_first_not_of("0123456789");
    if (digits == std::string_view::npos || !to_number(rest.substr(0, digits), u.pid))
      break;
    rest.remove_prefix(digits);
    out.push_back(std::move(u));
  }
  return out;
}

// The line without its double-quoted strings (rule comments, log prefixes).
std::string without_quoted(std::string_view line) {
  std::string out;
  bool quoted = false;
  for (const char c : line) {
    if (c == '"')
      quoted = !quoted;
    else if (!quoted)
      out += c;
  }
  return out;
}

// An nft rule that drops or rejects every packet reaching it: its statements are only counter,
// log and comment beside the verdict ("counter packets 0 bytes 0 drop", "log prefix ... reject
// with icmpx admin-prohibited"). Quoted strings are gone from `w`.
bool unconditional_nft_deny(std::vector<std::string> w) {
  std::erase(w, "comment");  // its text was quoted
  std::size_t i = 0;
  auto at = [&](std::size_t k, std::string_view v) { return k < w.size() && w[k] == v; };
  while (i < w.size()) {
    if (w[i] == "counter") {
      i += at(i + 1, "packets") && at(i + 3, "bytes") ? 5 : 1;
    } else if (w[i] == "log") {
      ++i;
      for (;;) {
        if (at(i, "prefix")) {
          ++i;
        } else if (at(i, "level") || at(i, "group") || at(i, "snaplen") ||
                   at(i, "queue-threshold")) {
          i += 2;
        } else if (at(i, "flags")) {
          i += at(i + 1, "tcp") || at(i + 1, "ip") ? 3 : 2;
        } else {
          break;
        }
      }
    } else {
      break;
    }
  }
  return (i + 1 == w.size() && w[i] == "drop") || at(i, "reject");
}

const std::string& more_restrictive(const std::string& a, const std::string& b) {
  if (a == "drop" || b.empty())
    return a;
  if (b == "drop" || a.empty())
    return b;
  return a;
}

}  // namespace

// --- listening sockets -------------------------------------------------------------------------

std::vector<listening_socket> parse_ss_listening(std::string_view text) {
  std::vector<listening_socket> out;
  for_each_line(text, [&](std::string_view line) {
    const auto w = words(line);
    if (w.size() < 5 || !all_alpha(w[0]))
      return;
    const std::string& local = w[4];
    const auto colon = local.rfind(':');
    if (colon == std::string::npos || colon == 0)
      return;
    listening_socket s;
    s.proto = w[0];
    if (!to_number(std::string_view(local).substr(colon + 1), s.port) || s.port > 65535)
      return;
    std::string host = local.substr(0, colon);
    const auto bracket = host.rfind(']');  // "[fe80::1]%eth0": the device follows the bracket
    const auto percent = host.find('%', bracket == std::string::npos ? 0 : bracket);
    if (percent != std::string::npos) {
      s.device = host.substr(percent + 1);
      host.erase(percent);
    }
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
      host = host.substr(1, host.size() - 2);
    if (host.empty())
      return;
    s.address = host;
    const auto users_at = line.find("users:(");
    if (users_at != std::string_view::npos)
      s.users = parse_ss_users(line.substr(users_at));
    if (!s.users.empty()) {
      s.process = s.users.front().name;
      s.pid = s.users.front().pid;
    }
    out.push_back(std::move(s));
  });
  return out;
}

bool listens_on_all_addresses(const listening_socket& s) {
  return s.address == "0.0.0.0" || s.address == "::" || s.address == "*";
}

// --- firewall ----------------------------------------------------------------------------------

firewall_summary parse_nft_ruleset(std::string_view text) {
  firewall_summary out{"nftables", "", 0, false};
  // Kind of each open block: "table", "chain" or "other" (sets, maps, anonymous sets in rules...).
  std::vector<std::string> blocks;
  std::string family;
  bool input_chain = false;            // the open chain is a filter base chain of the input hook
  std::vector<std::string> last_rule;  // its last rule so far, quoted strings removed
  for_each_line(text, [&](std::string_view raw) {
    const auto line = trim(strip_hash_comment(raw));
    const auto w = words(line);
    const auto depth = blocks.size();
    const bool in_chain = depth == 2 && blocks[0] == "table" && blocks[1] == "chain";
    if (in_chain && !w.empty() && w[0] != "}") {
      if (w[0] == "type") {
        const auto hook = std::find(w.begin(), w.end(), "hook");
        const auto policy = std::find(w.begin(), w.end(), "policy");
        auto value = [&](auto it) {
          if (it == w.end() || it + 1 == w.end())
            return std::string();
          auto v = *(it + 1);
          if (!v.empty() && v.back() == ';')
            v.pop_back();
          return v;
        };
        if (w.size() > 1 && w[1] == "filter" && value(hook) == "input" &&
            (family == "inet" || family == "ip")) {
          const auto p = policy == w.end() ? std::string("accept") : value(policy);
          out.input_policy = more_restrictive(out.input_policy, p);
          out.default_deny = out.default_deny || p == "drop";
          input_chain = true;
        }
      } else if (w[0] != "comment" && w[0] != "devices") {
        ++out.rule_count;
        last_rule = words(without_quoted(line));
      }
    }
    // Open and close blocks, ignoring braces inside quoted strings (comments of rules).
    bool quoted = false;
    bool first_open = true;
    for (const char c : line) {
      if (c == '"') {
        quoted = !quoted;
      } else if (!quoted && c == '{') {
        std::string kind = "other";
        if (first_open && depth == 0 && !w.empty() && w[0] == "table") {
          kind = "table";
          out.has_table = true;
          family = w.size() >= 4 ? w[1] : "ip";  // `table NAME {` is of family ip
        } else if (first_open && depth == 1 && !w.empty() && w[0] == "chain") {
          kind = "chain";
          input_chain = false;
          last_rule.clear();
        }
        blocks.push_back(kind);
        first_open = false;
      } else if (!quoted && c == '}' && !blocks.empty()) {
        if (blocks.size() == 2 && blocks.back() == "chain" && input_chain)
          out.default_deny = out.default_deny || unconditional_nft_deny(last_rule);
        blocks.pop_back();
      }
    }
  });
  return out;
}

firewall_summary parse_iptables_save(std::string_view text) {
  firewall_summary out{"iptables", "", 0, false};
  std::string table;
  std::vector<std::string> last_input;  // the last -A INPUT rule of *filter, quoted strings removed
  for_each_line(text, [&](std::string_view raw) {
    const auto line = trim(raw);
    if (line.size() > 1 && line[0] == '*') {
      table = std::string(line.substr(1));
      out.has_table = true;
      return;
    }
    const auto w = words(line);
    if (table.empty() || w.size() < 2)
      return;
    if (w[0] == "-A") {
      ++out.rule_count;
      if (table == "filter" && w[1] == "INPUT")
        last_input = words(without_quoted(line));
    } else if (table == "filter" && w[0] == ":INPUT") {
      out.input_policy = lower(w[1]);
    }
  });
  // "-A INPUT [-m comment --comment X] -j DROP|REJECT [--reject-with TYPE]"
  std::vector<std::string> rule;
  for (std::size_t i = 2; i < last_input.size(); ++i) {
    if (last_input[i] == "-m" && i + 2 < last_input.size() && last_input[i + 1] == "comment" &&
        last_input[i + 2] == "--comment") {
      i += 2;
      continue;
    }
    rule.push_back(last_input[i]);
  }
  const bool drop = rule == std::vector<std::string>{"-j", "DROP"};
  const bool reject = rule.size() >= 2 && rule[0] == "-j" && rule[1] == "REJECT" &&
                      (rule.size() == 2 || (rule.size() == 4 && rule[2] == "--reject-with"));
  out.default_deny = out.input_policy == "drop" || drop || reject;
  return out;
}

firewall_summary pick_firewall(std::string_view nft_ruleset, std::string_view iptables_save) {
  const auto nft = parse_nft_ruleset(nft_ruleset);
  const auto ipt = parse_iptables_save(iptables_save);
  const bool legacy = iptables_save.find("(legacy)") != std::string_view::npos;
  if (nft.has_table && ipt.has_table && legacy) {
    return {"nftables+iptables-legacy", more_restrictive(nft.input_policy, ipt.input_policy),
            nft.rule_count + ipt.rule_count, true, nft.default_deny || ipt.default_deny};
  }
  if (nft.has_table)
    return nft;
  if (ipt.has_table)
    return ipt;
  return {"none", "", 0, false, false};
}

// --- routes ------------------------------------------------------------------------------------

std::optional<std::vector<route_entry>> parse_ip_routes(std::string_view text) {
  const auto doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_array())
    return std::nullopt;
  auto str = [](const nlohmann::json& o, const char* key) {
    const auto it = o.find(key);
    return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  std::vector<route_entry> out;
  for (const auto& r : doc) {
    if (!r.is_object())
      continue;
    auto dst = str(r, "dst");
    if (dst.empty())
      continue;
    if (dst != "default" && dst.find('/') == std::string::npos)
      dst += dst.find(':') == std::string::npos ? "/32" : "/128";
    auto type = str(r, "type");
    if (type.empty())
      type = "unicast";
    const auto hops = r.find("nexthops");
    if (hops != r.end() && hops->is_array() && !hops->empty()) {
      for (const auto& h : *hops) {
        if (h.is_object())
          out.push_back({dst, str(h, "gateway"), str(h, "dev"), type});
      }
      continue;
    }
    out.push_back({dst, str(r, "gateway"), str(r, "dev"), type});
  }
  return out;
}

bool has_default_route(const std::vector<route_entry>& routes) {
  return std::any_of(routes.begin(), routes.end(), [](const route_entry& r) {
    return r.type == "unicast" && (r.dst == "default" || r.dst == "0.0.0.0/0" || r.dst == "::/0");
  });
}

// --- time sources ------------------------------------------------------------------------------

std::vector<chrony_source> parse_chronyc_sources(std::string_view text) {
  std::vector<chrony_source> out;
  for_each_line(text, [&](std::string_view line) {
    const auto w = words(line);
    if (w.size() < 3 || w[0].size() != 2)
      return;
    chrony_source s;
    switch (w[0][0]) {
      case '^':
        s.mode = "server";
        break;
      case '=':
        s.mode = "peer";
        break;
      case '#':
        s.mode = "refclock";
        break;
      default:
        return;
    }
    switch (w[0][1]) {
      case '*':
        s.state = "synced";
        break;
      case '+':
        s.state = "combined";
        break;
      case '-':
        s.state = "not_combined";
        break;
      case 'x':
        s.state = "falseticker";
        break;
      case '~':
        s.state = "too_variable";
        break;
      case '?':
        s.state = "unusable";
        break;
      default:
        return;
    }
    if (!to_number(std::string_view(w[2]), s.stratum))
      return;
    s.address = w[1];
    out.push_back(std::move(s));
  });
  return out;
}

timesyncd_servers parse_timesyncd(std::string_view text) {
  timesyncd_servers out;
  std::string section;  // "" before any [Section] header (timedatectl output has none)
  for_each_line(text, [&](std::string_view raw) {
    const auto line = trim(raw);
    if (line.empty() || line[0] == '#' || line[0] == ';')
      return;
    if (line.front() == '[' && line.back() == ']') {
      section = std::string(line.substr(1, line.size() - 2));
      return;
    }
    if (!section.empty() && section != "Time")
      return;
    const auto eq = line.find('=');
    if (eq == std::string_view::npos)
      return;
    const auto key = trim(line.substr(0, eq));
    const auto value = line.substr(eq + 1);
    std::vector<std::string>* list = nullptr;
    if (key == "NTP" || key == "SystemNTPServers")
      list = &out.system;
    else if (key == "FallbackNTP" || key == "FallbackNTPServers")
      list = &out.fallback;
    else if (key == "LinkNTPServers")
      list = &out.link;
    else if (key == "RuntimeNTPServers")
      list = &out.runtime;
    else if (key == "ServerName")
      out.current = std::string(trim(value));
    if (list == nullptr)
      return;
    const auto servers = words(value);
    if (servers.empty())
      list->clear();
    list->insert(list->end(), servers.begin(), servers.end());
  });
  return out;
}

std::vector<std::string> timesyncd_effective_servers(const timesyncd_servers& t) {
  std::vector<std::string> out = t.system;
  out.insert(out.end(), t.link.begin(), t.link.end());
  out.insert(out.end(), t.runtime.begin(), t.runtime.end());
  return out.empty() ? t.fallback : out;
}

std::vector<ntp_server_line> parse_ntp_conf(std::string_view text) {
  std::vector<ntp_server_line> out;
  for_each_line(text, [&](std::string_view raw) {
    const auto w = words(raw.substr(0, raw.find('#')));
    if (w.size() < 2 || (w[0] != "server" && w[0] != "pool" && w[0] != "peer"))
      return;
    std::size_t i = 1;
    if (w[i] == "-4" || w[i] == "-6")
      ++i;
    if (i < w.size() && w[i].front() != '-')
      out.push_back({w[0], w[i]});
  });
  return out;
}

// --- repository immutability -------------------------------------------------------------------

std::optional<mount_info> parse_findmnt(std::string_view text) {
  const auto doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object())
    return std::nullopt;
  const auto fss = doc.find("filesystems");
  if (fss == doc.end() || !fss->is_array() || fss->empty() || !fss->front().is_object())
    return std::nullopt;
  const auto& fs = fss->front();
  for (const char* key : {"target", "source", "fstype"}) {
    const auto it = fs.find(key);
    if (it == fs.end() || !it->is_string())
      return std::nullopt;
  }
  mount_info m{fs["target"].get<std::string>(),
               fs["source"].get<std::string>(),
               fs["fstype"].get<std::string>(),
               {}};
  const auto opts = fs.find("options");
  if (opts != fs.end() && opts->is_string()) {
    const auto s = opts->get<std::string>();
    std::string current;
    bool quoted = false;
    for (const char c : s) {
      if (c == '"')
        quoted = !quoted;
      if (c == ',' && !quoted) {
        if (!current.empty())
          m.options.push_back(current);
        current.clear();
      } else {
        current += c;
      }
    }
    if (!current.empty())
      m.options.push_back(current);
  }
  return m;
}

std::optional<bool> parse_xfs_reflink(std::string_view text) {
  std::optional<bool> out;
  for_each_line(text, [&](std::string_view line) {
    for (const auto& w : words(line)) {
      if (!out && w.rfind("reflink=", 0) == 0) {
        const auto v = std::string_view(w).substr(8);
        if (v == "0" || v == "1")
          out = v == "1";
      }
    }
  });
  return out;
}

namespace {

// "FLAGS" of an lsattr line: a fixed-width field, '-' for every flag not set.
bool lsattr_flags(std::string_view flags) {
  const bool flag_chars = std::all_of(
      flags.begin(), flags.end(), [](unsigned char c) { return c == '-' || std::isalpha(c) != 0; });
  return flags.size() >= 4 && flag_chars && flags.find('-') != std::string_view::npos;
}

file_attributes attributes(std::string_view flags, std::string_view path) {
  return {std::string(path), std::string(flags), flags.find('i') != std::string_view::npos,
          flags.find('a') != std::string_view::npos};
}

}  // namespace

std::vector<file_attributes> parse_lsattr(std::string_view text) {
  std::vector<file_attributes> out;
  for_each_line(text, [&](std::string_view line) {
    const auto space = line.find(' ');
    if (space == std::string_view::npos || space + 1 >= line.size())
      return;
    if (lsattr_flags(line.substr(0, space)))
      out.push_back(attributes(line.substr(0, space), line.substr(space + 1)));
  });
  return out;
}

std::vector<std::optional<file_attributes>> lsattr_of(std::string_view text,
                                                      const std::vector<std::string>& paths) {
  std::vector<std::optional<file_attributes>> out;
  for (const auto& path : paths) {
    const auto space = text.find(' ');
    const auto rest = space == std::string_view::npos ? std::string_view() : text.substr(space + 1);
    const bool due = space != std::string_view::npos && lsattr_flags(text.substr(0, space)) &&
                     rest.substr(0, path.size()) == path &&
                     (rest.size() == path.size() || rest[path.size()] == '\n');
    if (!due) {
      out.emplace_back(std::nullopt);
      continue;
    }
    out.emplace_back(attributes(text.substr(0, space), path));
    text = rest.substr(std::min(rest.size(), path.size() + 1));
  }
  return out;
}

std::vector<dated_file> parse_find_mtimes(std::string_view text) {
  std::vector<dated_file> out;
  for (auto end = text.find('\0'); end != std::string_view::npos; end = text.find('\0')) {
    const auto record = text.substr(0, end);
    text.remove_prefix(end + 1);
    const auto tab = record.find('\t');
    dated_file f;
    const auto time = std::string(record.substr(0, tab));
    const auto [last, ec] = std::from_chars(time.data(), time.data() + time.size(), f.mtime);
    constexpr double kMaxSeconds = 4611686018427387904.0;  // 2^62: a time_t holds it
    if (tab == std::string_view::npos || tab + 1 == record.size() || time.empty() ||
        ec != std::errc() || last != time.data() + time.size() ||
        !(std::fabs(f.mtime) < kMaxSeconds))  // NaN too
      continue;
    f.path = std::string(record.substr(tab + 1));
    const auto at = static_cast<std::time_t>(f.mtime);
    std::tm tm{};
    char buf[32];
    if (gmtime_r(&at, &tm) == nullptr ||
        std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
      continue;
    f.mtime_utc = buf;
    out.push_back(std::move(f));
  }
  return out;
}

std::vector<dated_file> newest_files(std::vector<dated_file> files, std::size_t n) {
  std::sort(files.begin(), files.end(), [](const dated_file& a, const dated_file& b) {
    return a.mtime != b.mtime ? a.mtime > b.mtime : a.path < b.path;
  });
  if (files.size() > n)
    files.resize(n);
  return files;
}

// --- virtualisation ----------------------------------------------------------------------------

std::optional<std::string> parse_detect_virt(std::string_view text) {
  auto line = text.substr(0, text.find('\n'));
  if (!line.empty() && line.back() == '\r')
    line.remove_suffix(1);
  line = trim(line);
  const bool valid = !line.empty() && std::all_of(line.begin(), line.end(), [](unsigned char c) {
    return std::islower(c) != 0 || std::isdigit(c) != 0 || c == '-' || c == '_';
  });
  if (!valid)
    return std::nullopt;
  return std::string(line);
}

}  // namespace cloison
