// Pure parsers of the facts of a Windows backup server: the JSON printed by the PowerShell
// commands of windows_commands.h (one parser per command), and helpers that give the facts the
// checks need. They never touch a system. No Windows host exists where cloison is built: they are
// tested on hand-written outputs whose shape follows the PowerShell and WMI documentation
// (tests/data/host/windows/README.md), not on captured ones.
//
// What every parser copes with (ConvertTo-Json's habits):
//  - one object is printed bare, several as an array: list parsers take either, single-object
//    parsers also take an array of exactly one object;
//  - Windows PowerShell 5.1's wrapping of some arrays as {"value": [...], "Count": n} is unwrapped;
//  - no pipeline input prints nothing: list parsers read empty (or blank) text as no item;
//  - enums are numbers (Windows PowerShell 5.1, PowerShell 7 without -EnumsAsStrings) or their
//    names (-EnumsAsStrings): both are read, names case-insensitively;
//  - absent registry values are null;
//  - a UTF-8 BOM and surrounding whitespace (CRLF) are skipped.
// Malformed JSON, or a document of the wrong shape, gives nullopt; an item of a list without
// its key property (e.g. no Name) is skipped, never guessed. Values are reported as written;
// Windows defaults for absent values are applied by the helpers only, as each one says.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cloison {

// --- accounts ----------------------------------------------------------------------------------

enum class windows_account_kind {
  none,             // empty or null
  local_system,     // "LocalSystem", "NT AUTHORITY\SYSTEM"
  builtin,          // other "NT AUTHORITY\..." (LocalService, NetworkService), "BUILTIN\..."
  virtual_account,  // "NT SERVICE\..." (per-service virtual account)
  local_account,    // ".\svc", or "COMPUTER\svc" when COMPUTER is the host's own name
  domain_account,   // "PROD\svc", "PROD\gmsa$", "svc@prod.lab": an account of a directory
  unqualified,      // a bare name ("svc"): cannot be told apart
};
// Names are compared case-insensitively. Without `computer_name`, "NAME\svc" is a domain account
// unless NAME is ".", "NT AUTHORITY", "NT SERVICE" or "BUILTIN".
windows_account_kind classify_windows_account(std::string_view account,
                                              std::string_view computer_name = {});

// The authority part of an account name: "PROD" for "PROD\svc", "prod.lab" for "svc@prod.lab",
// "" for a bare name.
std::string windows_account_domain(std::string_view account);

// Whether the account belongs to `domain` (case-insensitive): its authority (above) equals
// `domain`; or both are DNS names and the authority is a child of `domain` ("eu.prod.lab" in
// "prod.lab"); or one is a DNS name and the other a NetBIOS name equal to the DNS name's first
// label ("PROD\x" in "prod.lab", "x@prod.lab" in "PROD") — the NetBIOS name of most domains, not
// all: a domain whose NetBIOS name differs must be named as such.
bool windows_account_in_domain(std::string_view account, std::string_view domain);

// --- Win32_ComputerSystem ----------------------------------------------------------------------

struct windows_computer_system {
  std::string name;             // "BACKUP01" ("" when not printed)
  bool part_of_domain = false;  // PartOfDomain
  std::string domain;           // "prod.lab"; the workgroup name when not part of a domain
  int domain_role = -1;         // 0 standalone workstation, 1 member workstation, 2 standalone
                                // server, 3 member server, 4 backup DC, 5 primary DC; -1 absent
  std::string workgroup;        // "" when null (joined hosts)
};
// nullopt unless PartOfDomain is a boolean.
std::optional<windows_computer_system> parse_windows_computer_system(std::string_view json);

// The domain the host is joined to; nullopt when it is not part of a domain.
std::optional<std::string> joined_domain(const windows_computer_system& system);

// --- Get-LocalGroupMember ----------------------------------------------------------------------

enum class windows_principal_source {
  unknown,  // 0 Unknown, absent, or an unknown value
  local,    // 1 Local
  active_directory,
  azure_ad,
  microsoft_account,
};
struct windows_group_member {
  std::string name;          // "BACKUP01\Administrator", "PROD\Domain Admins"
  std::string object_class;  // "User", "Group"
  windows_principal_source source = windows_principal_source::unknown;
};
// Items without a string Name are skipped.
std::optional<std::vector<windows_group_member>> parse_windows_group_members(std::string_view json);

// Members whose name belongs to `domain` (windows_account_in_domain), in order.
std::vector<windows_group_member> members_from_domain(
    const std::vector<windows_group_member>& members, std::string_view domain);

// Members whose source is not `local` (directory, Entra ID, Microsoft accounts, unknown), in
// order: what a host outside any directory should not have.
std::vector<windows_group_member> non_local_members(
    const std::vector<windows_group_member>& members);

// --- Win32_Service (backup services) -----------------------------------------------------------

struct windows_service {
  std::string name;          // "VeeamBackupSvc"
  std::string display_name;  // "Veeam Backup Service"
  std::string start_name;    // the logon account ("" when null)
  std::string state;         // "Running", "Stopped", ...
  std::string start_mode;    // "Auto", "Manual", "Disabled", ...
};
// Items without a string Name are skipped. Empty text: no service matched.
std::optional<std::vector<windows_service>> parse_windows_services(std::string_view json);

// Services whose start_name is a domain account (classify_windows_account), in order.
std::vector<windows_service> services_under_domain_accounts(
    const std::vector<windows_service>& services, std::string_view computer_name = {});

// Services whose start_name is LocalSystem (the most privileged account), in order.
std::vector<windows_service> services_under_local_system(
    const std::vector<windows_service>& services);

// --- Get-NetFirewallProfile --------------------------------------------------------------------

enum class windows_firewall_action { unknown, not_configured, allow, block };
struct windows_firewall_profile {
  std::string name;             // "Domain", "Private", "Public"
  std::optional<bool> enabled;  // nullopt: NotConfigured (GpoBoolean 2), null or unknown
  windows_firewall_action default_inbound = windows_firewall_action::unknown;
};
// Enabled: true/false, GpoBoolean 0 False / 1 True / 2 NotConfigured, or those names.
// DefaultInboundAction: 0 NotConfigured, 2 Allow, 4 Block, or those names. Items without a
// string Name are skipped.
std::optional<std::vector<windows_firewall_profile>> parse_windows_firewall_profiles(
    std::string_view json);

// Names of the profiles not positively enabled (false, NotConfigured or unknown), in order.
std::vector<std::string> firewall_profiles_disabled(
    const std::vector<windows_firewall_profile>& profiles);
// Names of the profiles whose default inbound action is not Block, in order.
std::vector<std::string> firewall_profiles_not_blocking(
    const std::vector<windows_firewall_profile>& profiles);
// Every one of Domain, Private and Public is present, enabled and blocks inbound by default.
bool windows_firewall_default_deny(const std::vector<windows_firewall_profile>& profiles);

// --- remote access: Get-Service and fDenyTSConnections -----------------------------------------

enum class windows_service_status {
  unknown,
  stopped,           // 1
  start_pending,     // 2
  stop_pending,      // 3
  running,           // 4
  continue_pending,  // 5
  pause_pending,     // 6
  paused,            // 7
};
enum class windows_start_type { unknown, boot, system, automatic, manual, disabled };  // 0..4
struct windows_service_state {
  std::string name;  // "TermService", "WinRM", "RemoteRegistry"
  windows_service_status status = windows_service_status::unknown;
  windows_start_type start_type = windows_start_type::unknown;
};
struct windows_remote_access {
  std::vector<windows_service_state> services;   // a service absent from the host is absent here
  std::optional<long long> deny_ts_connections;  // Terminal Server fDenyTSConnections
  std::optional<long long> policy_deny_ts_connections;  // Group Policy value (overrides)
};
// The object printed by "windows-remote-access". nullopt unless it is an object with a
// Services member (an array, one object, or null for none).
std::optional<windows_remote_access> parse_windows_remote_access(std::string_view json);

// The fDenyTSConnections in force: the policy value when present, else the Terminal Server one.
std::optional<long long> effective_deny_ts_connections(const windows_remote_access& access);
// Whether the named service (case-insensitive) is listed and running.
bool windows_service_running(const windows_remote_access& access, std::string_view name);
// RDP accepts connections: fDenyTSConnections in force is 0 (absent counts as 1, Windows' default)
// and TermService is running.
bool rdp_enabled(const windows_remote_access& access);
bool winrm_running(const windows_remote_access& access);
bool remote_registry_running(const windows_remote_access& access);

// --- Get-SmbServerConfiguration ----------------------------------------------------------------

struct windows_smb_server {
  bool smb1_enabled = false;            // EnableSMB1Protocol
  bool signing_required = false;        // RequireSecuritySignature
  std::optional<bool> signing_enabled;  // EnableSecuritySignature
};
// nullopt unless EnableSMB1Protocol and RequireSecuritySignature are booleans.
std::optional<windows_smb_server> parse_windows_smb_server(std::string_view json);

// --- LLMNR and NetBIOS -------------------------------------------------------------------------

struct windows_netbios_adapter {
  std::string description;                   // "Intel(R) Ethernet ..."
  std::optional<long long> netbios_options;  // TcpipNetbiosOptions: 0 via DHCP, 1 on, 2 off
};
struct windows_name_resolution {
  std::optional<long long> enable_multicast;      // policy EnableMulticast; nullopt when absent
  std::vector<windows_netbios_adapter> adapters;  // IP-enabled adapters
};
// The object printed by "windows-name-resolution". nullopt unless it is an object holding
// EnableMulticast (a number or null) and Adapters (an array, one object, or null for none).
std::optional<windows_name_resolution> parse_windows_name_resolution(std::string_view json);

// LLMNR is off: the policy sets EnableMulticast to 0 (absent means on, Windows' default).
bool llmnr_disabled(const windows_name_resolution& names);
// NetBIOS over TCP/IP is off (2) on every IP-enabled adapter; false when no adapter is listed.
bool netbios_disabled_everywhere(const windows_name_resolution& names);
// Descriptions of the adapters where NetBIOS is not off, in order.
std::vector<std::string> adapters_with_netbios(const windows_name_resolution& names);

// --- LSA protection and WDigest ----------------------------------------------------------------

struct windows_lsa {
  std::optional<long long> run_as_ppl;  // RunAsPPL; nullopt when absent
};
// {"RunAsPPL": n|null}. nullopt unless the key is present with a number or null.
std::optional<windows_lsa> parse_windows_lsa(std::string_view json);
// RunAsPPL is 1 (with a UEFI variable) or 2 (without).
bool lsa_protection_enabled(const windows_lsa& lsa);

struct windows_wdigest {
  std::optional<long long> use_logon_credential;  // UseLogonCredential; nullopt when absent
};
// {"UseLogonCredential": n|null}. nullopt unless the key is present with a number or null.
std::optional<windows_wdigest> parse_windows_wdigest(std::string_view json);
// WDigest keeps clear-text credentials in LSASS: UseLogonCredential is 1. Absent is off on
// Windows 8.1 / Server 2012 R2 and later (the only ones this auditor expects).
bool wdigest_stores_cleartext(const windows_wdigest& wdigest);

}  // namespace cloison
