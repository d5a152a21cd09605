#include "probes/host/windows_parsers.h"

#include <algorithm>
#include <array>
#include <iterator>
#include <utility>

#include <nlohmann/json.hpp>

#include "probes/host/text.h"

namespace cloison {

namespace {

using json = nlohmann::json;
using text::lower;

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && lower(a) == lower(b);
}

bool is_blank(std::string_view s) {
  if (s.substr(0, 3) == "\xEF\xBB\xBF")
    s.remove_prefix(3);
  return s.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

// The document, or a discarded value when the text is not JSON (nlohmann skips a UTF-8 BOM).
json parse(std::string_view text) {
  return json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
}

// Windows PowerShell 5.1 serialises some arrays as {"value": [...], "Count": n}.
const json& unwrap(const json& doc) {
  if (doc.is_object() && doc.size() == 2 && doc.contains("Count")) {
    const auto it = doc.find("value");
    if (it != doc.end() && it->is_array())
      return *it;
  }
  return doc;
}

// The objects of a list-valued document: an array (non-object items skipped), one bare object,
// or null (nothing). nullopt for any other value.
std::optional<std::vector<const json*>> objects_of(const json& value) {
  const auto& v = unwrap(value);
  std::vector<const json*> out;
  if (v.is_array()) {
    for (const auto& item : v) {
      if (item.is_object())
        out.push_back(&item);
    }
    return out;
  }
  if (v.is_object()) {
    out.push_back(&v);
    return out;
  }
  if (v.is_null())
    return out;
  return std::nullopt;
}

// The objects printed by a list command: empty text is no object.
std::optional<std::vector<const json*>> list_document(std::string_view text, json& storage) {
  if (is_blank(text))
    return std::vector<const json*>{};
  storage = parse(text);
  if (storage.is_discarded())
    return std::nullopt;
  return objects_of(storage);
}

// The one object printed by a single-object command (a one-item array is accepted).
const json* single_object(std::string_view text, json& storage) {
  storage = parse(text);
  if (storage.is_discarded())
    return nullptr;
  const auto& v = unwrap(storage);
  if (v.is_object())
    return &v;
  if (v.is_array() && v.size() == 1 && v.front().is_object())
    return &v.front();
  return nullptr;
}

const json* member(const json& object, const char* key) {
  const auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

std::string string_of(const json& object, const char* key) {
  const auto* v = member(object, key);
  return v != nullptr && v->is_string() ? v->get<std::string>() : std::string();
}

std::optional<long long> integer_of(const json& v) {
  if (v.is_number_integer())
    return v.get<long long>();
  return std::nullopt;
}

std::optional<bool> bool_of(const json* v) {
  if (v != nullptr && v->is_boolean())
    return v->get<bool>();
  return std::nullopt;
}

// An enum printed as its number or its name: the index in `names` (names compared
// case-insensitively; "" entries are unused numbers), or nullopt.
template <std::size_t N>
std::optional<std::size_t> enum_of(const json* v, const std::array<std::string_view, N>& names) {
  if (v == nullptr)
    return std::nullopt;
  if (v->is_number_integer()) {
    const auto n = v->get<long long>();
    if (n >= 0 && static_cast<unsigned long long>(n) < N &&
        !names[static_cast<std::size_t>(n)].empty())
      return static_cast<std::size_t>(n);
    return std::nullopt;
  }
  if (v->is_string()) {
    const auto s = v->get<std::string>();
    for (std::size_t i = 0; i < N; ++i) {
      if (!names[i].empty() && iequals(s, names[i]))
        return i;
    }
  }
  return std::nullopt;
}

// A registry value under `key`: the key must be present, with an integer or null.
bool registry_value(const json& object, const char* key, std::optional<long long>& out) {
  const auto* v = member(object, key);
  if (v == nullptr)
    return false;
  if (v->is_null()) {
    out.reset();
    return true;
  }
  out = integer_of(*v);
  return out.has_value();
}

}  // namespace

// --- accounts ----------------------------------------------------------------------------------

std::string windows_account_domain(std::string_view account) {
  const auto slash = account.find('\\');
  if (slash != std::string_view::npos)
    return std::string(account.substr(0, slash));
  const auto at = account.rfind('@');
  if (at != std::string_view::npos)
    return std::string(account.substr(at + 1));
  return {};
}

windows_account_kind classify_windows_account(std::string_view account,
                                              std::string_view computer_name) {
  account = text::trim(account);
  if (account.empty())
    return windows_account_kind::none;
  if (iequals(account, "LocalSystem") || iequals(account, "NT AUTHORITY\\SYSTEM"))
    return windows_account_kind::local_system;
  const auto slash = account.find('\\');
  if (slash == std::string_view::npos) {
    return account.find('@') != std::string_view::npos ? windows_account_kind::domain_account
                                                       : windows_account_kind::unqualified;
  }
  const auto authority = account.substr(0, slash);
  if (iequals(authority, "NT AUTHORITY") || iequals(authority, "BUILTIN"))
    return windows_account_kind::builtin;
  if (iequals(authority, "NT SERVICE"))
    return windows_account_kind::virtual_account;
  if (authority == "." || (!computer_name.empty() && iequals(authority, computer_name)))
    return windows_account_kind::local_account;
  return windows_account_kind::domain_account;
}

bool windows_account_in_domain(std::string_view account, std::string_view domain) {
  const auto wanted = lower(text::trim(domain));
  const auto authority = lower(windows_account_domain(text::trim(account)));
  if (wanted.empty() || authority.empty())
    return false;
  if (authority == wanted)
    return true;
  const auto a_dot = authority.find('.');
  const auto w_dot = wanted.find('.');
  if (a_dot != std::string::npos && w_dot != std::string::npos) {
    // A child domain of `domain`: "eu.prod.lab" in "prod.lab".
    return authority.size() > wanted.size() &&
           authority.compare(authority.size() - wanted.size() - 1, std::string::npos,
                             "." + wanted) == 0;
  }
  // One DNS name, one NetBIOS name: compare the DNS name's first label.
  if (a_dot != std::string::npos)
    return authority.substr(0, a_dot) == wanted;
  if (w_dot != std::string::npos)
    return wanted.substr(0, w_dot) == authority;
  return false;
}

// --- Win32_ComputerSystem ----------------------------------------------------------------------

std::optional<windows_computer_system> parse_windows_computer_system(std::string_view json_text) {
  json doc;
  const auto* o = single_object(json_text, doc);
  if (o == nullptr)
    return std::nullopt;
  const auto part = bool_of(member(*o, "PartOfDomain"));
  if (!part)
    return std::nullopt;
  windows_computer_system out;
  out.name = string_of(*o, "Name");
  out.part_of_domain = *part;
  out.domain = string_of(*o, "Domain");
  out.workgroup = string_of(*o, "Workgroup");
  if (const auto* role = member(*o, "DomainRole"); role != nullptr) {
    const auto n = integer_of(*role);
    if (n && *n >= 0 && *n <= 5)
      out.domain_role = static_cast<int>(*n);
  }
  return out;
}

std::optional<std::string> joined_domain(const windows_computer_system& system) {
  if (!system.part_of_domain)
    return std::nullopt;
  return system.domain;
}

// --- Get-LocalGroupMember ----------------------------------------------------------------------

std::optional<std::vector<windows_group_member>> parse_windows_group_members(
    std::string_view json_text) {
  static constexpr std::array<std::string_view, 5> kSources{"Unknown", "Local", "ActiveDirectory",
                                                            "AzureAD", "MicrosoftAccount"};
  json doc;
  const auto items = list_document(json_text, doc);
  if (!items)
    return std::nullopt;
  std::vector<windows_group_member> out;
  for (const auto* item : *items) {
    const auto* name = member(*item, "Name");
    if (name == nullptr || !name->is_string())
      continue;
    windows_group_member m;
    m.name = name->get<std::string>();
    m.object_class = string_of(*item, "ObjectClass");
    if (const auto source = enum_of(member(*item, "PrincipalSource"), kSources))
      m.source = static_cast<windows_principal_source>(*source);
    out.push_back(std::move(m));
  }
  return out;
}

std::vector<windows_group_member> members_from_domain(
    const std::vector<windows_group_member>& members, std::string_view domain) {
  std::vector<windows_group_member> out;
  std::copy_if(
      members.begin(), members.end(), std::back_inserter(out),
      [&](const windows_group_member& m) { return windows_account_in_domain(m.name, domain); });
  return out;
}

std::vector<windows_group_member> non_local_members(
    const std::vector<windows_group_member>& members) {
  std::vector<windows_group_member> out;
  std::copy_if(
      members.begin(), members.end(), std::back_inserter(out),
      [](const windows_group_member& m) { return m.source != windows_principal_source::local; });
  return out;
}

// --- Win32_Service -----------------------------------------------------------------------------

std::optional<std::vector<windows_service>> parse_windows_services(std::string_view json_text) {
  json doc;
  const auto items = list_document(json_text, doc);
  if (!items)
    return std::nullopt;
  std::vector<windows_service> out;
  for (const auto* item : *items) {
    const auto* name = member(*item, "Name");
    if (name == nullptr || !name->is_string())
      continue;
    out.push_back({name->get<std::string>(), string_of(*item, "DisplayName"),
                   string_of(*item, "StartName"), string_of(*item, "State"),
                   string_of(*item, "StartMode")});
  }
  return out;
}

std::vector<windows_service> services_under_domain_accounts(
    const std::vector<windows_service>& services, std::string_view computer_name) {
  std::vector<windows_service> out;
  std::copy_if(services.begin(), services.end(), std::back_inserter(out),
               [&](const windows_service& s) {
                 return classify_windows_account(s.start_name, computer_name) ==
                        windows_account_kind::domain_account;
               });
  return out;
}

std::vector<windows_service> services_under_local_system(
    const std::vector<windows_service>& services) {
  std::vector<windows_service> out;
  std::copy_if(
      services.begin(), services.end(), std::back_inserter(out), [](const windows_service& s) {
        return classify_windows_account(s.start_name) == windows_account_kind::local_system;
      });
  return out;
}

// --- Get-NetFirewallProfile --------------------------------------------------------------------

std::optional<std::vector<windows_firewall_profile>> parse_windows_firewall_profiles(
    std::string_view json_text) {
  static constexpr std::array<std::string_view, 3> kGpoBoolean{"False", "True", "NotConfigured"};
  static constexpr std::array<std::string_view, 5> kAction{"NotConfigured", "", "Allow", "",
                                                           "Block"};
  json doc;
  const auto items = list_document(json_text, doc);
  if (!items)
    return std::nullopt;
  std::vector<windows_firewall_profile> out;
  for (const auto* item : *items) {
    const auto* name = member(*item, "Name");
    if (name == nullptr || !name->is_string())
      continue;
    windows_firewall_profile p;
    p.name = name->get<std::string>();
    const auto* enabled = member(*item, "Enabled");
    if (const auto b = bool_of(enabled))
      p.enabled = b;
    else if (const auto e = enum_of(enabled, kGpoBoolean); e && *e < 2)
      p.enabled = *e == 1;
    if (const auto a = enum_of(member(*item, "DefaultInboundAction"), kAction)) {
      p.default_inbound = *a == 0   ? windows_firewall_action::not_configured
                          : *a == 2 ? windows_firewall_action::allow
                                    : windows_firewall_action::block;
    }
    out.push_back(std::move(p));
  }
  return out;
}

std::vector<std::string> firewall_profiles_disabled(
    const std::vector<windows_firewall_profile>& profiles) {
  std::vector<std::string> out;
  for (const auto& p : profiles) {
    if (p.enabled != true)
      out.push_back(p.name);
  }
  return out;
}

std::vector<std::string> firewall_profiles_not_blocking(
    const std::vector<windows_firewall_profile>& profiles) {
  std::vector<std::string> out;
  for (const auto& p : profiles) {
    if (p.default_inbound != windows_firewall_action::block)
      out.push_back(p.name);
  }
  return out;
}

bool windows_firewall_default_deny(const std::vector<windows_firewall_profile>& profiles) {
  for (const auto* wanted : {"Domain", "Private", "Public"}) {
    const auto it =
        std::find_if(profiles.begin(), profiles.end(),
                     [&](const windows_firewall_profile& p) { return iequals(p.name, wanted); });
    if (it == profiles.end())
      return false;
  }
  return firewall_profiles_disabled(profiles).empty() &&
         firewall_profiles_not_blocking(profiles).empty();
}

// --- remote access -----------------------------------------------------------------------------

std::optional<windows_remote_access> parse_windows_remote_access(std::string_view json_text) {
  static constexpr std::array<std::string_view, 8> kStatus{
      "",        "Stopped",         "StartPending", "StopPending",
      "Running", "ContinuePending", "PausePending", "Paused"};
  static constexpr std::array<std::string_view, 5> kStartType{"Boot", "System", "Automatic",
                                                              "Manual", "Disabled"};
  json doc;
  const auto* o = single_object(json_text, doc);
  if (o == nullptr)
    return std::nullopt;
  const auto* services = member(*o, "Services");
  if (services == nullptr)
    return std::nullopt;
  const auto items = objects_of(*services);
  if (!items)
    return std::nullopt;
  windows_remote_access out;
  for (const auto* item : *items) {
    const auto* name = member(*item, "Name");
    if (name == nullptr || !name->is_string())
      continue;
    windows_service_state s;
    s.name = name->get<std::string>();
    if (const auto st = enum_of(member(*item, "Status"), kStatus))
      s.status = static_cast<windows_service_status>(*st);
    if (const auto t = enum_of(member(*item, "StartType"), kStartType))
      s.start_type = static_cast<windows_start_type>(*t + 1);
    out.services.push_back(std::move(s));
  }
  // Both are optional in the document: a missing key reads as an absent value.
  if (const auto* v = member(*o, "fDenyTSConnections"); v != nullptr) {
    if (!v->is_null() && !v->is_number_integer())
      return std::nullopt;
    out.deny_ts_connections = integer_of(*v);
  }
  if (const auto* v = member(*o, "PolicyDenyTSConnections"); v != nullptr) {
    if (!v->is_null() && !v->is_number_integer())
      return std::nullopt;
    out.policy_deny_ts_connections = integer_of(*v);
  }
  return out;
}

std::optional<long long> effective_deny_ts_connections(const windows_remote_access& access) {
  return access.policy_deny_ts_connections ? access.policy_deny_ts_connections
                                           : access.deny_ts_connections;
}

bool windows_service_running(const windows_remote_access& access, std::string_view name) {
  return std::any_of(access.services.begin(), access.services.end(),
                     [&](const windows_service_state& s) {
                       return iequals(s.name, name) && s.status == windows_service_status::running;
                     });
}

bool rdp_enabled(const windows_remote_access& access) {
  return effective_deny_ts_connections(access).value_or(1) == 0 &&
         windows_service_running(access, "TermService");
}

bool winrm_running(const windows_remote_access& access) {
  return windows_service_running(access, "WinRM");
}

bool remote_registry_running(const windows_remote_access& access) {
  return windows_service_running(access, "RemoteRegistry");
}

// --- Get-SmbServerConfiguration ----------------------------------------------------------------

std::optional<windows_smb_server> parse_windows_smb_server(std::string_view json_text) {
  json doc;
  const auto* o = single_object(json_text, doc);
  if (o == nullptr)
    return std::nullopt;
  const auto smb1 = bool_of(member(*o, "EnableSMB1Protocol"));
  const auto required = bool_of(member(*o, "RequireSecuritySignature"));
  if (!smb1 || !required)
    return std::nullopt;
  return windows_smb_server{*smb1, *required, bool_of(member(*o, "EnableSecuritySignature"))};
}

// --- LLMNR and NetBIOS -------------------------------------------------------------------------

std::optional<windows_name_resolution> parse_windows_name_resolution(std::string_view json_text) {
  json doc;
  const auto* o = single_object(json_text, doc);
  if (o == nullptr)
    return std::nullopt;
  windows_name_resolution out;
  if (!registry_value(*o, "EnableMulticast", out.enable_multicast))
    return std::nullopt;
  const auto* adapters = member(*o, "Adapters");
  if (adapters == nullptr)
    return std::nullopt;
  const auto items = objects_of(*adapters);
  if (!items)
    return std::nullopt;
  for (const auto* item : *items) {
    windows_netbios_adapter a;
    a.description = string_of(*item, "Description");
    if (const auto* v = member(*item, "TcpipNetbiosOptions"); v != nullptr)
      a.netbios_options = integer_of(*v);
    out.adapters.push_back(std::move(a));
  }
  return out;
}

bool llmnr_disabled(const windows_name_resolution& names) {
  return names.enable_multicast == 0;
}

bool netbios_disabled_everywhere(const windows_name_resolution& names) {
  return !names.adapters.empty() &&
         std::all_of(names.adapters.begin(), names.adapters.end(),
                     [](const windows_netbios_adapter& a) { return a.netbios_options == 2; });
}

std::vector<std::string> adapters_with_netbios(const windows_name_resolution& names) {
  std::vector<std::string> out;
  for (const auto& a : names.adapters) {
    if (a.netbios_options != 2)
      out.push_back(a.description);
  }
  return out;
}

// --- LSA protection and WDigest ----------------------------------------------------------------

std::optional<windows_lsa> parse_windows_lsa(std::string_view json_text) {
  json doc;
  const auto* o = single_object(json_text, doc);
  windows_lsa out;
  if (o == nullptr || !registry_value(*o, "RunAsPPL", out.run_as_ppl))
    return std::nullopt;
  return out;
}

bool lsa_protection_enabled(const windows_lsa& lsa) {
  return lsa.run_as_ppl == 1 || lsa.run_as_ppl == 2;
}

std::optional<windows_wdigest> parse_windows_wdigest(std::string_view json_text) {
  json doc;
  const auto* o = single_object(json_text, doc);
  windows_wdigest out;
  if (o == nullptr || !registry_value(*o, "UseLogonCredential", out.use_logon_credential))
    return std::nullopt;
  return out;
}

bool wdigest_stores_cleartext(const windows_wdigest& wdigest) {
  return wdigest.use_logon_credential == 1;
}

}  // namespace cloison
