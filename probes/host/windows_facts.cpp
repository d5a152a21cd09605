#include <stdexcept>

#include "probes/host/linux_facts.h"
#include "probes/host/production_names.h"
#include "probes/host/windows_commands.h"
#include "probes/host/windows_parsers.h"

namespace cloison {

namespace {

void put(fact_map& facts, std::string_view name, json value, const reader_input& in) {
  put_fact(facts, name, std::move(value), in, "the PowerShell output is not the expected JSON");
}

bool from_production(const production_names& p, const std::string& account) {
  for (const auto& d : p.domains) {
    if (windows_account_in_domain(account, d))
      return true;
  }
  return false;
}

// The host command running the PowerShell script `id` of windows_commands.h.
host_command powershell(std::string_view id) {
  const auto* c = find_windows_command(id);
  if (!c)
    throw std::logic_error("host table: no PowerShell script " + std::string(id));
  return {.id = c->id, .argv = windows_command_argv(*c)};
}

// The Windows table (the same shape as the Linux one; no command is privileged: no sudo).
std::vector<host_fact_row> windows_rows() {
  return {
      {.commands = {powershell("windows-computer-system"), powershell("windows-administrators"),
                    powershell("windows-backup-services")},
       .facts = {{"host.identity.joined_realms", fact_type::text_list,
                  "the domain the host is joined to (Win32_ComputerSystem)"},
                 {"host.identity.production_references", fact_type::text_list,
                  "production domain membership and backup services running as production "
                  "accounts"},
                 {"host.privileges.production_identities", fact_type::text_list,
                  "production accounts and groups in the local Administrators group"}},
       .read =
           [](const reader_input& in, fact_map& facts) {
             const auto prod = production_of(in.inv);
             const auto system = parse_windows_computer_system(in.outputs[0].text);
             const auto admins = parse_windows_group_members(in.outputs[1].text);
             const auto services = parse_windows_services(in.outputs[2].text);
             if (!system || !admins || !services) {
               for (auto name :
                    {"host.identity.joined_realms", "host.identity.production_references",
                     "host.privileges.production_identities"})
                 put(facts, name, nullptr, in);
               return;
             }
             json realms = json::array(), refs = json::array(), privileges = json::array();
             if (const auto domain = joined_domain(*system)) {
               realms.push_back(*domain);
               if (names_production(prod, *domain))
                 refs.push_back("joined to the domain " + *domain);
             }
             for (const auto& s : *services) {
               if (from_production(prod, s.start_name))
                 refs.push_back("service " + s.name + " runs as " + s.start_name);
             }
             for (const auto& m : *admins) {
               if (from_production(prod, m.name))
                 privileges.push_back("Administrators: " + m.name + " (" + m.object_class + ")");
             }
             put(facts, "host.identity.joined_realms", realms, in);
             put(facts, "host.identity.production_references", refs, in);
             put(facts, "host.privileges.production_identities", privileges, in);
           }},
      {.commands = {powershell("windows-firewall-profiles")},
       .facts = {{"host.windows.firewall_default_deny", fact_type::boolean,
                  "every firewall profile is on and blocks inbound traffic by default"}},
       .read =
           [](const reader_input& in, fact_map& facts) {
             const auto p = parse_windows_firewall_profiles(in.outputs[0].text);
             put(facts, "host.windows.firewall_default_deny",
                 p ? json(windows_firewall_default_deny(*p)) : json(nullptr), in);
           }},
      {.commands = {powershell("windows-remote-access")},
       .facts = {{"host.windows.rdp_enabled", fact_type::boolean, "RDP accepts connections"},
                 {"host.windows.remote_services_running", fact_type::text_list,
                  "WinRM and RemoteRegistry when running"}},
       .read =
           [](const reader_input& in, fact_map& facts) {
             const auto a = parse_windows_remote_access(in.outputs[0].text);
             json running = json::array();
             if (a && winrm_running(*a))
               running.push_back("WinRM");
             if (a && remote_registry_running(*a))
               running.push_back("RemoteRegistry");
             put(facts, "host.windows.rdp_enabled", a ? json(rdp_enabled(*a)) : json(nullptr), in);
             put(facts, "host.windows.remote_services_running", a ? running : json(nullptr), in);
           }},
      {.commands = {powershell("windows-smb-server")},
       .facts = {{"host.windows.smb1_enabled", fact_type::boolean, "the SMB server accepts SMB1"},
                 {"host.windows.smb_signing_required", fact_type::boolean,
                  "the SMB server requires signing"}},
       .read =
           [](const reader_input& in, fact_map& facts) {
             const auto s = parse_windows_smb_server(in.outputs[0].text);
             put(facts, "host.windows.smb1_enabled", s ? json(s->smb1_enabled) : json(nullptr), in);
             put(facts, "host.windows.smb_signing_required",
                 s ? json(s->signing_required) : json(nullptr), in);
           }},
      {.commands = {powershell("windows-name-resolution")},
       .facts = {{"host.windows.llmnr_disabled", fact_type::boolean,
                  "LLMNR is turned off by policy"},
                 {"host.windows.netbios_disabled", fact_type::boolean,
                  "NetBIOS over TCP/IP is off on every IP-enabled adapter"}},
       .read =
           [](const reader_input& in, fact_map& facts) {
             const auto n = parse_windows_name_resolution(in.outputs[0].text);
             put(facts, "host.windows.llmnr_disabled", n ? json(llmnr_disabled(*n)) : json(nullptr),
                 in);
             put(facts, "host.windows.netbios_disabled",
                 n ? json(netbios_disabled_everywhere(*n)) : json(nullptr), in);
           }},
      {.commands = {powershell("windows-lsa")},
       .facts = {{"host.windows.lsa_protection", fact_type::boolean,
                  "LSA runs as a protected process"}},
       .read =
           [](const reader_input& in, fact_map& facts) {
             const auto l = parse_windows_lsa(in.outputs[0].text);
             put(facts, "host.windows.lsa_protection",
                 l ? json(lsa_protection_enabled(*l)) : json(nullptr), in);
           }},
      {.commands = {powershell("windows-wdigest")},
       .facts = {{"host.windows.wdigest_cleartext", fact_type::boolean,
                  "WDigest keeps clear-text credentials in memory (UseLogonCredential = 1)"}},
       .read =
           [](const reader_input& in, fact_map& facts) {
             const auto w = parse_windows_wdigest(in.outputs[0].text);
             put(facts, "host.windows.wdigest_cleartext",
                 w ? json(wdigest_stores_cleartext(*w)) : json(nullptr), in);
           }},
  };
}

}  // namespace

const host_table& windows_host_table() {
  static const host_table kTable = make_host_table(windows_rows());
  return kTable;
}

}  // namespace cloison
