#include "probes/host/linux_identity_parsers.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <optional>
#include <utility>

#include "probes/host/text.h"

namespace cloison {

namespace {

using text::for_each_line;
using text::lower;
using text::trim;
using text::words;

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

struct logical_line {
  int number = 0;  // 1-based number of its first physical line
  std::string text;
};

enum class continuation {
  space,        // "a \<nl>b" -> "a  b" (PAM)
  odd_escape,   // as `space`, but only after an odd number of backslashes (sudoers)
  samba_style,  // "a \<nl>   b" -> "a b": backslash and the next line's indentation dropped
};

// Physical lines joined where one ends with a continuation backslash.
std::vector<logical_line> logical_lines(std::string_view text, continuation mode) {
  std::vector<logical_line> out;
  bool pending = false;
  int number = 0;
  for_each_line(text, [&](std::string_view line) {
    ++number;
    if (pending && mode == continuation::samba_style)
      line = trim(line);
    if (!pending)
      out.push_back({number, std::string()});
    std::size_t backslashes = 0;
    while (backslashes < line.size() && line[line.size() - 1 - backslashes] == '\\')
      ++backslashes;
    pending = mode == continuation::odd_escape ? backslashes % 2 == 1 : backslashes > 0;
    if (pending) {
      line.remove_suffix(1);
      out.back().text.append(line);
      if (mode != continuation::samba_style)
        out.back().text.push_back(' ');
    } else {
      out.back().text.append(line);
    }
  });
  return out;
}

std::vector<std::string> split_trimmed(std::string_view s, std::string_view sep) {
  std::vector<std::string> out;
  while (true) {
    const auto pos = s.find(sep);
    const auto item = trim(s.substr(0, pos));
    if (!item.empty())
      out.emplace_back(item);
    if (pos == std::string_view::npos)
      break;
    s.remove_prefix(pos + sep.size());
  }
  return out;
}

std::string basename(std::string_view path) {
  const auto slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

bool to_long(std::string_view s, long& v) {
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return !s.empty() && ec == std::errc() && end == s.data() + s.size();
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), is_digit);
}

// "[name]" -> "name" (trimmed); nullopt when the line is not a section header.
std::optional<std::string_view> section_header(std::string_view line) {
  if (line.size() < 2 || line.front() != '[')
    return std::nullopt;
  const auto close = line.find(']');
  if (close == std::string_view::npos)
    return std::nullopt;
  return trim(line.substr(1, close - 1));
}

}  // namespace

// --- realm list --------------------------------------------------------------------------------

std::vector<realm_entry> parse_realm_list(std::string_view text) {
  std::vector<realm_entry> all;
  for_each_line(text, [&](std::string_view raw) {
    const auto line = trim(raw);
    if (line.empty() || line.front() == '#')
      return;
    if (!is_space(raw.front())) {
      all.push_back({});
      all.back().name = std::string(line);
      return;
    }
    const auto colon = line.find(':');
    if (all.empty() || colon == std::string_view::npos)
      return;
    const auto key = trim(line.substr(0, colon));
    const std::string value(trim(line.substr(colon + 1)));
    auto& r = all.back();
    if (key == "type")
      r.type = value;
    else if (key == "realm-name")
      r.realm_name = value;
    else if (key == "domain-name")
      r.domain_name = value;
    else if (key == "configured")
      r.configured = value;
    else if (key == "server-software")
      r.server_software = value;
    else if (key == "client-software")
      r.client_software = value;
    else if (key == "required-package")
      r.required_packages.push_back(value);
    else if (key == "login-formats")
      for (auto& v : split_trimmed(value, ", "))
        r.login_formats.push_back(std::move(v));
    else if (key == "login-policy")
      r.login_policy = value;
    else if (key == "permitted-logins")
      for (auto& v : split_trimmed(value, ", "))
        r.permitted_logins.push_back(std::move(v));
    else if (key == "permitted-groups")
      for (auto& v : split_trimmed(value, ", "))
        r.permitted_groups.push_back(std::move(v));
  });
  std::vector<realm_entry> joined;
  for (auto& r : all)
    if (!r.configured.empty() && r.configured != "no")
      joined.push_back(std::move(r));
  return joined;
}

// --- sssd.conf ---------------------------------------------------------------------------------

sssd_config parse_sssd_conf(std::string_view text) {
  sssd_config out;
  enum class where { none, sssd, domain, other } in = where::none;
  sssd_domain* domain = nullptr;
  for_each_line(text, [&](std::string_view raw) {
    const auto line = trim(raw);
    if (line.empty() || line.front() == '#' || line.front() == ';')
      return;
    if (const auto name = section_header(line)) {
      const auto lname = lower(*name);
      domain = nullptr;
      if (lname == "sssd") {
        in = where::sssd;
      } else if (starts_with(lname, "domain/") && name->size() > 7) {
        in = where::domain;
        const std::string dname(name->substr(7));
        auto it = std::find_if(out.domain_sections.begin(), out.domain_sections.end(),
                               [&](const sssd_domain& d) { return d.name == dname; });
        if (it == out.domain_sections.end()) {
          out.domain_sections.push_back({});
          out.domain_sections.back().name = dname;
          it = std::prev(out.domain_sections.end());
        }
        domain = &*it;
      } else {
        in = where::other;
      }
      return;
    }
    const auto eq = line.find('=');
    if (eq == std::string_view::npos)
      return;
    const auto key = lower(trim(line.substr(0, eq)));
    const std::string value(trim(line.substr(eq + 1)));
    if (key.empty())
      return;
    if (in == where::sssd && key == "domains")
      out.domains = split_trimmed(value, ",");
    else if (in == where::domain && domain != nullptr)
      domain->options[key] = value;
  });
  for (auto& d : out.domain_sections) {
    const auto get = [&](const char* key) {
      const auto it = d.options.find(key);
      return it == d.options.end() ? std::string() : it->second;
    };
    d.id_provider = get("id_provider");
    d.auth_provider = get("auth_provider");
    d.access_provider = get("access_provider");
    d.ad_domain = get("ad_domain");
    d.krb5_realm = get("krb5_realm");
    d.ldap_uri = get("ldap_uri");
    d.listed = std::find(out.domains.begin(), out.domains.end(), d.name) != out.domains.end();
  }
  return out;
}

// --- krb5.conf ---------------------------------------------------------------------------------

krb5_config parse_krb5_conf(std::string_view text) {
  krb5_config out;
  std::string section;
  int depth = 0;
  krb5_realm* realm = nullptr;
  for_each_line(text, [&](std::string_view raw) {
    const auto line = trim(raw);
    if (line.empty() || line.front() == '#' || line.front() == ';')
      return;
    if (const auto name = section_header(line)) {
      section = lower(*name);
      depth = 0;
      realm = nullptr;
      return;
    }
    if (line.front() == '}') {
      if (depth > 0 && --depth == 0)
        realm = nullptr;
      return;
    }
    const auto eq = line.find('=');
    if (eq == std::string_view::npos) {
      const auto sp = line.find_first_of(" \t");
      if (depth == 0 && sp != std::string_view::npos) {
        const auto directive = line.substr(0, sp);
        if (directive == "include" || directive == "includedir")
          out.includes.emplace_back(trim(line.substr(sp)));
      }
      return;
    }
    auto tag = trim(line.substr(0, eq));
    if (!tag.empty() && tag.back() == '*')
      tag = trim(tag.substr(0, tag.size() - 1));  // final marker
    auto value = trim(line.substr(eq + 1));
    if (tag.empty())
      return;
    if (!value.empty() && value.front() == '{') {
      ++depth;
      if (depth == 1 && section == "realms") {
        auto it = std::find_if(out.realms.begin(), out.realms.end(),
                               [&](const krb5_realm& r) { return r.name == tag; });
        if (it == out.realms.end()) {
          out.realms.push_back({});
          out.realms.back().name = std::string(tag);
          it = std::prev(out.realms.end());
        }
        realm = &*it;
      }
      return;
    }
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
      value = value.substr(1, value.size() - 2);
    if (value.empty())
      return;
    const std::string v(value);
    if (section == "libdefaults" && depth == 0) {
      out.libdefaults.emplace(std::string(tag), v);
    } else if (section == "domain_realm" && depth == 0) {
      out.domain_realm.emplace(std::string(tag), v);
    } else if (section == "realms" && depth == 1 && realm != nullptr) {
      if (tag == "kdc")
        realm->kdcs.push_back(v);
      else if (tag == "admin_server" && realm->admin_server.empty())
        realm->admin_server = v;
      else if (tag == "default_domain" && realm->default_domain.empty())
        realm->default_domain = v;
    }
  });
  if (const auto it = out.libdefaults.find("default_realm"); it != out.libdefaults.end())
    out.default_realm = it->second;
  return out;
}

// --- smb.conf ----------------------------------------------------------------------------------

namespace {

std::string samba_name(std::string_view s) {
  std::string out;
  for (const char c : s)
    if (!is_space(c))
      out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  return out;
}

}  // namespace

smb_global parse_smb_conf(std::string_view text) {
  smb_global out;
  bool global = true;  // parameters before any section are global
  for (const auto& l : logical_lines(text, continuation::samba_style)) {
    const auto line = trim(l.text);
    if (line.empty() || line.front() == '#' || line.front() == ';')
      continue;
    if (const auto name = section_header(line)) {
      global = samba_name(*name) == "global";
      continue;
    }
    const auto eq = line.find('=');
    if (!global || eq == std::string_view::npos)
      continue;
    const auto key = samba_name(line.substr(0, eq));
    if (!key.empty())
      out.parameters[key] = std::string(trim(line.substr(eq + 1)));
  }
  const auto get = [&](const char* key) {
    const auto it = out.parameters.find(key);
    return it == out.parameters.end() ? std::string() : it->second;
  };
  out.security = lower(get("security"));
  out.server_role = lower(get("serverrole"));
  out.realm = get("realm");
  out.workgroup = get("workgroup");
  return out;
}

// --- klist -k ----------------------------------------------------------------------------------

keytab_listing parse_klist_keytab(std::string_view text) {
  keytab_listing out;
  std::set<std::string> seen;
  for_each_line(text, [&](std::string_view raw) {
    const auto line = trim(raw);
    constexpr std::string_view kName = "Keytab name:";
    if (starts_with(line, kName)) {
      out.keytab = std::string(trim(line.substr(kName.size())));
      return;
    }
    const auto split = words(line);
    if (split.size() < 2 || !all_digits(split.front()))
      return;
    for (std::size_t i = 1; i < split.size(); ++i) {
      const std::string_view w = split[i];
      const auto at = w.rfind('@');
      if (w.front() == '(' || at == std::string_view::npos)
        continue;
      if (at == 0 || at + 1 == w.size())
        return;  // "@REALM" or "name@": not a principal
      if (seen.emplace(w).second)
        out.principals.push_back(
            {std::string(w), std::string(w.substr(0, at)), std::string(w.substr(at + 1))});
      return;
    }
  });
  return out;
}

// --- PAM ---------------------------------------------------------------------------------------

namespace {

// Words of a PAM line; "[...]" is one word even with spaces inside.
std::vector<std::string> pam_words(std::string_view line) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < line.size()) {
    if (is_space(line[i])) {
      ++i;
      continue;
    }
    const auto start = i;
    if (line[i] == '[') {
      const auto close = line.find(']', i);
      i = close == std::string_view::npos ? line.size() : close + 1;
    } else {
      while (i < line.size() && !is_space(line[i]))
        ++i;
    }
    out.emplace_back(line.substr(start, i - start));
  }
  return out;
}

std::string pam_module_name(std::string_view path) {
  auto name = basename(path);
  if (name.size() > 3 && name.compare(name.size() - 3, 3, ".so") == 0)
    name.resize(name.size() - 3);
  return name;
}

std::vector<pam_entry>* pam_list(pam_stack& stack, const std::string& type) {
  if (type == "auth")
    return &stack.auth;
  if (type == "account")
    return &stack.account;
  if (type == "password")
    return &stack.password;
  if (type == "session")
    return &stack.session;
  return nullptr;
}

constexpr int kMaxPamDepth = 16;

void parse_pam_into(std::string_view text, const std::string& source,
                    const std::map<std::string, std::string>& files, const std::string& only_type,
                    std::vector<std::string>& visiting, pam_stack& out) {
  const auto include = [&](const std::string& name, const std::string& type) {
    auto it = files.find(name);
    if (it == files.end())
      it = files.find(basename(name));
    if (it == files.end() || visiting.size() >= kMaxPamDepth ||
        std::find(visiting.begin(), visiting.end(), it->first) != visiting.end()) {
      out.missing_includes.push_back(name);
      return;
    }
    visiting.push_back(it->first);
    parse_pam_into(it->second, it->first, files, type, visiting, out);
    visiting.pop_back();
  };
  for (const auto& l : logical_lines(text, continuation::space)) {
    const auto w = pam_words(std::string_view(l.text).substr(0, l.text.find('#')));
    if (w.size() >= 2 && w[0] == "@include") {
      include(w[1], only_type);
      continue;
    }
    if (w.size() < 3)
      continue;
    pam_entry e;
    e.optional_prefix = w[0].front() == '-';
    e.type = lower(std::string_view(w[0]).substr(e.optional_prefix ? 1 : 0));
    auto* list = pam_list(out, e.type);
    if (list == nullptr || (!only_type.empty() && e.type != only_type))
      continue;
    if (w[1] == "include" || w[1] == "substack") {
      include(w[2], e.type);
      continue;
    }
    e.control = w[1];
    e.module = pam_module_name(w[2]);
    if (e.module.empty())
      continue;
    e.args.assign(w.begin() + 3, w.end());
    e.source = source;
    list->push_back(std::move(e));
  }
}

}  // namespace

pam_stack parse_pam_stack(std::string_view text, const std::map<std::string, std::string>& files) {
  pam_stack out;
  std::vector<std::string> visiting;
  parse_pam_into(text, "", files, "", visiting, out);
  return out;
}

std::vector<std::string> pam_module_names(const std::vector<pam_entry>& entries) {
  std::vector<std::string> out;
  out.reserve(entries.size());
  for (const auto& e : entries)
    out.push_back(e.module);
  return out;
}

pam_module_kind classify_pam_module(std::string_view module) {
  static constexpr std::array<std::string_view, 4> kDirectory = {"pam_sss", "pam_winbind",
                                                                 "pam_ldap", "pam_krb5"};
  static constexpr std::array<std::string_view, 5> kMfa = {"pam_oath", "pam_google_authenticator",
                                                           "pam_u2f", "pam_duo", "pam_yubico"};
  const auto name = pam_module_name(module);
  if (std::find(kDirectory.begin(), kDirectory.end(), name) != kDirectory.end())
    return pam_module_kind::directory;
  if (std::find(kMfa.begin(), kMfa.end(), name) != kMfa.end())
    return pam_module_kind::mfa;
  return pam_module_kind::other;
}

// --- sudoers -----------------------------------------------------------------------------------

namespace {

enum class sudo_token_kind { word, comma, equals, colon, runas };
struct sudo_token {
  sudo_token_kind kind;
  std::string text;  // unescaped word, or the inside of "(...)"
};

// Tokens of one sudoers line; nullopt on an unterminated quote or parenthesis. '#' not followed
// by a digit starts a comment (as in sudo's lexer: "#0" is a uid, "%#27" a gid).
std::optional<std::vector<sudo_token>> sudo_tokens(std::string_view line) {
  std::vector<sudo_token> out;
  std::string word;
  bool in_word = false;
  const auto flush = [&] {
    if (in_word)
      out.push_back({sudo_token_kind::word, word});
    word.clear();
    in_word = false;
  };
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (c == '\\' && i + 1 < line.size()) {
      word.push_back(line[++i]);
      in_word = true;
    } else if (c == '"') {
      const auto close = line.find('"', i + 1);
      if (close == std::string_view::npos)
        return std::nullopt;
      for (std::size_t j = i + 1; j < close; ++j) {
        if (line[j] == '\\' && j + 1 < close)
          ++j;
        word.push_back(line[j]);
      }
      in_word = true;
      i = close;
    } else if (c == '#' && !(i + 1 < line.size() && is_digit(line[i + 1]))) {
      break;
    } else if (is_space(c)) {
      flush();
    } else if (c == ',' || c == '=' || c == ':') {
      flush();
      out.push_back({c == ',' ? sudo_token_kind::comma
                              : (c == '=' ? sudo_token_kind::equals : sudo_token_kind::colon),
                     std::string(1, c)});
    } else if (c == '(' && !in_word &&
               (out.empty() || out.back().kind == sudo_token_kind::equals ||
                out.back().kind == sudo_token_kind::comma)) {
      // A Runas_Spec opens a Cmnd_Spec: right after '=' or ','.
      const auto close = line.find(')', i + 1);
      if (close == std::string_view::npos)
        return std::nullopt;
      out.push_back({sudo_token_kind::runas, std::string(trim(line.substr(i + 1, close - i - 1)))});
      i = close;
    } else {
      word.push_back(c);
      in_word = true;
    }
  }
  flush();
  return out;
}

bool is_sudo_tag(const std::string& w) {
  static constexpr std::array<std::string_view, 16> kTags = {
      "NOPASSWD",  "PASSWD",      "NOEXEC",     "EXEC",         "SETENV", "NOSETENV",
      "LOG_INPUT", "NOLOG_INPUT", "LOG_OUTPUT", "NOLOG_OUTPUT", "MAIL",   "NOMAIL",
      "FOLLOW",    "NOFOLLOW",    "INTERCEPT",  "NOINTERCEPT"};
  return std::find(kTags.begin(), kTags.end(), w) != kTags.end();
}

bool is_sudo_option(const std::string& w) {
  static constexpr std::array<std::string_view, 8> kOptions = {
      "ROLE", "TYPE", "CWD", "CHROOT", "NOTBEFORE", "NOTAFTER", "TIMEOUT", "APPARMOR_PROFILE"};
  return std::find(kOptions.begin(), kOptions.end(), w) != kOptions.end();
}

bool is_digest(const std::string& w) {
  return w == "sha224" || w == "sha256" || w == "sha384" || w == "sha512";
}

class sudo_spec_parser {
 public:
  sudo_spec_parser(const std::vector<sudo_token>& t, int line) : t_(t), line_(line) {}

  // Rules of one user specification; nullopt when it does not follow the grammar.
  std::optional<std::vector<sudo_rule>> parse() {
    const auto users = list();
    if (!users)
      return std::nullopt;
    std::vector<sudo_rule> rules;
    do {
      const auto hosts = list();
      if (!hosts || !take(sudo_token_kind::equals))
        return std::nullopt;
      if (!commands(*users, *hosts, rules))
        return std::nullopt;
    } while (take(sudo_token_kind::colon));
    if (i_ != t_.size())
      return std::nullopt;
    return rules;
  }

 private:
  bool at(sudo_token_kind k, std::size_t ahead = 0) const {
    return i_ + ahead < t_.size() && t_[i_ + ahead].kind == k;
  }
  bool take(sudo_token_kind k) {
    if (!at(k))
      return false;
    ++i_;
    return true;
  }

  // word (, word)*
  std::optional<std::vector<std::string>> list() {
    std::vector<std::string> out;
    do {
      if (!at(sudo_token_kind::word))
        return std::nullopt;
      out.push_back(t_[i_++].text);
    } while (take(sudo_token_kind::comma));
    return out;
  }

  bool commands(const std::vector<std::string>& users, const std::vector<std::string>& hosts,
                std::vector<sudo_rule>& rules) {
    std::string runas;
    bool nopasswd = false;
    sudo_rule* current = nullptr;
    do {
      if (at(sudo_token_kind::runas))
        runas = t_[i_++].text;
      while (at(sudo_token_kind::word) && is_sudo_option(t_[i_].text) &&
             at(sudo_token_kind::equals, 1) && at(sudo_token_kind::word, 2)) {
        i_ += 3;
      }
      while (at(sudo_token_kind::word) && is_sudo_tag(t_[i_].text) &&
             at(sudo_token_kind::colon, 1)) {
        if (t_[i_].text == "NOPASSWD")
          nopasswd = true;
        else if (t_[i_].text == "PASSWD")
          nopasswd = false;
        i_ += 2;
      }
      while (at(sudo_token_kind::word) && is_digest(t_[i_].text) && at(sudo_token_kind::colon, 1) &&
             at(sudo_token_kind::word, 2)) {
        i_ += 3;
      }
      std::string command;
      while (at(sudo_token_kind::word))
        command += (command.empty() ? "" : " ") + t_[i_++].text;
      if (command.empty())
        return false;
      if (current == nullptr || current->runas != runas || current->nopasswd != nopasswd) {
        rules.push_back({users, hosts, runas, {}, nopasswd, line_});
        current = &rules.back();
      }
      current->commands.push_back(std::move(command));
    } while (take(sudo_token_kind::comma));
    return true;
  }

  const std::vector<sudo_token>& t_;
  int line_;
  std::size_t i_ = 0;
};

bool is_defaults(std::string_view line) {
  constexpr std::string_view kDefaults = "Defaults";
  return starts_with(line, kDefaults) &&
         (line.size() == kDefaults.size() ||
          std::string_view(" \t:@>!").find(line[kDefaults.size()]) != std::string_view::npos);
}

void parse_user_aliases(std::string_view rest, sudoers_file& out) {
  const auto tokens = sudo_tokens(rest);
  if (!tokens)
    return;
  std::map<std::string, std::vector<std::string>> parsed;
  const auto& t = *tokens;
  std::size_t i = 0;
  while (true) {
    if (i + 2 >= t.size() || t[i].kind != sudo_token_kind::word ||
        t[i + 1].kind != sudo_token_kind::equals)
      return;  // malformed: keep none of this line
    auto& items = parsed[t[i].text];
    i += 2;
    while (true) {
      if (i >= t.size() || t[i].kind != sudo_token_kind::word)
        return;
      items.push_back(t[i++].text);
      if (i < t.size() && t[i].kind == sudo_token_kind::comma) {
        ++i;
        continue;
      }
      break;
    }
    if (i == t.size())
      break;
    if (t[i].kind != sudo_token_kind::colon)
      return;
    ++i;
  }
  for (auto& [name, items] : parsed)
    out.user_aliases[name] = std::move(items);
}

}  // namespace

sudoers_file parse_sudoers(std::string_view text) {
  sudoers_file out;
  for (const auto& l : logical_lines(text, continuation::odd_escape)) {
    const auto line = trim(l.text);
    if (line.empty())
      continue;
    const auto sp = line.find_first_of(" \t");
    const auto first = line.substr(0, sp);
    if (first == "@include" || first == "@includedir" || first == "#include" ||
        first == "#includedir") {
      if (sp != std::string_view::npos) {
        auto target = trim(line.substr(sp));
        if (target.size() >= 2 && target.front() == '"' && target.back() == '"')
          target = target.substr(1, target.size() - 2);
        if (!target.empty())
          out.includes.emplace_back(target);
      }
      continue;
    }
    if (line.front() == '#' && !(line.size() > 1 && is_digit(line[1])))
      continue;  // comment
    if (is_defaults(line))
      continue;
    if (first == "User_Alias") {
      if (sp != std::string_view::npos)
        parse_user_aliases(line.substr(sp), out);
      continue;
    }
    if (first == "Runas_Alias" || first == "Host_Alias" || first == "Cmnd_Alias" ||
        first == "Cmd_Alias") {
      continue;
    }
    const auto tokens = sudo_tokens(line);
    if (!tokens || tokens->empty())
      continue;
    if (auto rules = sudo_spec_parser(*tokens, l.number).parse())
      for (auto& r : *rules)
        out.rules.push_back(std::move(r));
  }
  return out;
}

bool is_directory_identity(std::string_view who, const std::set<std::string>& local_groups) {
  if (who.empty() || who.front() == '!' || who == "ALL" || who.front() == '#')
    return false;
  if (who.front() == '+')
    return who.size() > 1;  // netgroup: NIS or LDAP
  const bool group = who.front() == '%';
  if (group)
    who.remove_prefix(1);
  if (group && !who.empty() && who.front() == ':')
    return who.size() > 1;  // non-Unix group, resolved by a group plugin
  if (who.empty() || who.front() == '#')
    return false;
  const auto at = who.find('@');
  if (at != std::string_view::npos && at > 0 && at + 1 < who.size())
    return true;
  const auto backslash = who.find('\\');
  if (backslash != std::string_view::npos && backslash > 0 && backslash + 1 < who.size())
    return true;
  return group && local_groups.count(std::string(who)) == 0;
}

namespace {

bool names_directory_identity(const std::string& who, const sudoers_file& file,
                              const std::set<std::string>& local_groups, int depth) {
  const auto alias = file.user_aliases.find(who);
  if (alias == file.user_aliases.end())
    return is_directory_identity(who, local_groups);
  if (depth > 8)
    return false;
  return std::any_of(alias->second.begin(), alias->second.end(), [&](const std::string& item) {
    return names_directory_identity(item, file, local_groups, depth + 1);
  });
}

}  // namespace

std::vector<std::size_t> rules_naming_directory_identities(
    const sudoers_file& file, const std::set<std::string>& local_groups) {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < file.rules.size(); ++i) {
    const auto& who = file.rules[i].who;
    if (std::any_of(who.begin(), who.end(), [&](const std::string& w) {
          return names_directory_identity(w, file, local_groups, 0);
        })) {
      out.push_back(i);
    }
  }
  return out;
}

// --- /etc/group --------------------------------------------------------------------------------

std::vector<group_entry> parse_group(std::string_view text) {
  std::vector<group_entry> out;
  for_each_line(text, [&](std::string_view line) {
    if (line.empty() || line.front() == '#')
      return;
    std::vector<std::string_view> f;
    for (auto rest = line;;) {
      const auto colon = rest.find(':');
      f.push_back(rest.substr(0, colon));
      if (colon == std::string_view::npos)
        break;
      rest.remove_prefix(colon + 1);
    }
    group_entry e;
    if (f.size() != 4 || f[0].empty() || !to_long(f[2], e.gid))
      return;
    e.name = std::string(f[0]);
    e.members = split_trimmed(f[3], ",");
    out.push_back(std::move(e));
  });
  return out;
}

std::map<std::string, std::vector<std::string>> group_members(std::string_view text,
                                                              const std::set<std::string>& names) {
  std::map<std::string, std::vector<std::string>> out;
  for (auto& g : parse_group(text))
    if (names.count(g.name) != 0)
      out.emplace(g.name, std::move(g.members));
  return out;
}

std::string redact_sssd_conf(std::string_view text) {
  std::string out;
  text::for_each_line(text, [&](std::string_view line) {
    const auto eq = line.find('=');
    std::string key(text::trim(line.substr(0, eq == std::string_view::npos ? 0 : eq)));
    std::transform(key.begin(), key.end(), key.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    const bool secret =
        eq != std::string_view::npos && !key.starts_with('#') && !key.starts_with(';') &&
        (key == "ldap_default_authtok" || key.find("password") != std::string::npos ||
         key.find("secret") != std::string::npos);
    out += secret ? std::string(line.substr(0, eq + 1)) + " <redacted>" : std::string(line);
    out += '\n';
  });
  return out;
}

}  // namespace cloison
