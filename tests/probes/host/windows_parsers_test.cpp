// The fixtures are hand-written after the PowerShell documentation (no Windows host here): see
// tests/data/host/windows/README.md.
#include "probes/host/windows_parsers.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "probes/host/linux_facts.h"
#include "probes/host/windows_commands.h"
#include "tests/support.h"

namespace cloison {
namespace {

using strings = std::vector<std::string>;

std::string fixture(const std::string& name) {
  return testing::fixture_text("host/windows/" + name);
}

template <typename T>
strings names_of(const std::vector<T>& items) {
  strings out;
  for (const auto& i : items)
    out.push_back(i.name);
  return out;
}

// Text that is not what the command prints: every parser must answer nullopt.
const std::vector<std::string> kMalformed{
    "{",
    "[{\"Name\":\"x\"",
    "not json",
    "Get-LocalGroupMember : Failed to compare two elements in the array.",
    "#< CLIXML\r\n<Objs Version=\"1.1.0.1\"></Objs>",
    "\"a string\"",
    "42",
    "true",
    "{\"Name\":\"x\"} trailing",
};

// --- commands ----------------------------------------------------------------------------------

TEST(WindowsCommands, FixedListOfReadOnlyJsonScripts) {
  const auto commands = windows_commands();
  // every script runs, once (windows_facts.cpp)
  ASSERT_EQ(commands.size(), windows_host_table().commands.size());
  std::set<std::string_view> ids;
  for (const auto& c : commands) {
    EXPECT_TRUE(ids.insert(c.id).second) << "duplicate id " << c.id;
    EXPECT_TRUE(c.script.ends_with("| ConvertTo-Json -Depth 4 -Compress")) << c.id;
    // Safe inside -Command "..." for cmd.exe (OpenSSH for Windows' default shell).
    EXPECT_EQ(c.script.find('"'), std::string_view::npos) << c.id;
    EXPECT_EQ(c.script.find('%'), std::string_view::npos) << c.id;
    EXPECT_EQ(c.script.find('\n'), std::string_view::npos) << c.id;
    EXPECT_NE(c.script.back(), '\\') << c.id;
    // Read-only: no cmdlet that changes state.
    for (const auto* verb : {"Set-", "New-", "Remove-", "Add-", "Enable-", "Disable-", "Start-",
                             "Stop-", "Restart-", "Invoke-", "Install-", "Clear-"}) {
      EXPECT_EQ(c.script.find(verb), std::string_view::npos) << c.id << " uses " << verb;
    }
  }
  for (const auto* id :
       {"windows-computer-system", "windows-administrators", "windows-backup-services",
        "windows-firewall-profiles", "windows-remote-access", "windows-smb-server",
        "windows-name-resolution", "windows-lsa", "windows-wdigest"}) {
    EXPECT_NE(find_windows_command(id), nullptr) << id;
  }
  EXPECT_EQ(find_windows_command("nope"), nullptr);
}

TEST(WindowsCommands, RegistryReadsToleratesAbsentValues) {
  for (const auto* id :
       {"windows-remote-access", "windows-name-resolution", "windows-lsa", "windows-wdigest"}) {
    const auto* c = find_windows_command(id);
    ASSERT_NE(c, nullptr);
    EXPECT_NE(c->script.find("Get-ItemProperty"), std::string_view::npos) << id;
    EXPECT_NE(c->script.find("-ErrorAction SilentlyContinue"), std::string_view::npos) << id;
  }
  EXPECT_NE(find_windows_command("windows-administrators")->script.find("-SID S-1-5-32-544"),
            std::string_view::npos);
  EXPECT_NE(find_windows_command("windows-firewall-profiles")->script.find("ActiveStore"),
            std::string_view::npos);
  EXPECT_NE(find_windows_command("windows-wdigest")->script.find("\\WDigest'"),
            std::string_view::npos);
}

TEST(WindowsCommands, ArgvAndCommandLine) {
  const auto* c = find_windows_command("windows-lsa");
  ASSERT_NE(c, nullptr);
  const auto argv = windows_command_argv(*c);
  EXPECT_EQ(argv, (strings{"powershell", "-NoProfile", "-NonInteractive", "-Command",
                           std::string(c->script)}));
  EXPECT_EQ(windows_command_line(*c),
            "powershell -NoProfile -NonInteractive -Command \"" + std::string(c->script) + "\"");
}

// --- accounts ----------------------------------------------------------------------------------

TEST(WindowsAccounts, ClassifiesServiceLogonAccounts) {
  using k = windows_account_kind;
  EXPECT_EQ(classify_windows_account("LocalSystem"), k::local_system);
  EXPECT_EQ(classify_windows_account("localsystem"), k::local_system);
  EXPECT_EQ(classify_windows_account("NT AUTHORITY\\SYSTEM"), k::local_system);
  EXPECT_EQ(classify_windows_account("NT AUTHORITY\\LocalService"), k::builtin);
  EXPECT_EQ(classify_windows_account("NT Authority\\NetworkService"), k::builtin);
  EXPECT_EQ(classify_windows_account("BUILTIN\\Administrators"), k::builtin);
  EXPECT_EQ(classify_windows_account("NT SERVICE\\VeeamTransportSvc"), k::virtual_account);
  EXPECT_EQ(classify_windows_account(".\\svc-veeam"), k::local_account);
  EXPECT_EQ(classify_windows_account("BACKUP01\\svc-veeam", "backup01"), k::local_account);
  EXPECT_EQ(classify_windows_account("BACKUP01\\svc-veeam"), k::domain_account);
  EXPECT_EQ(classify_windows_account("PROD\\svc-veeam", "BACKUP01"), k::domain_account);
  EXPECT_EQ(classify_windows_account("PROD\\gmsa-commvault$"), k::domain_account);
  EXPECT_EQ(classify_windows_account("svc-veeam@prod.lab"), k::domain_account);
  EXPECT_EQ(classify_windows_account("svc-veeam"), k::unqualified);
  EXPECT_EQ(classify_windows_account(""), k::none);
  EXPECT_EQ(classify_windows_account("  "), k::none);
}

TEST(WindowsAccounts, DomainOfAnAccount) {
  EXPECT_EQ(windows_account_domain("PROD\\svc-veeam"), "PROD");
  EXPECT_EQ(windows_account_domain("svc-veeam@prod.lab"), "prod.lab");
  EXPECT_EQ(windows_account_domain("svc-veeam"), "");
  EXPECT_TRUE(windows_account_in_domain("PROD\\Domain Admins", "PROD"));
  EXPECT_TRUE(windows_account_in_domain("prod\\Domain Admins", "PROD"));
  EXPECT_TRUE(windows_account_in_domain("PROD\\Domain Admins", "prod.lab"));
  EXPECT_TRUE(windows_account_in_domain("PROD\\Domain Admins", "PROD.LAB"));
  EXPECT_TRUE(windows_account_in_domain("svc@prod.lab", "prod.lab"));
  EXPECT_TRUE(windows_account_in_domain("svc@PROD.LAB", "PROD"));
  EXPECT_TRUE(windows_account_in_domain("svc@eu.prod.lab", "prod.lab"));
  EXPECT_FALSE(windows_account_in_domain("svc@prod.lab.evil", "prod.lab"));
  EXPECT_FALSE(windows_account_in_domain("svc@notprod.lab", "prod.lab"));
  EXPECT_FALSE(windows_account_in_domain("PRODUCTION\\x", "PROD"));
  EXPECT_FALSE(windows_account_in_domain("BACKUP01\\Administrator", "prod.lab"));
  EXPECT_FALSE(windows_account_in_domain("Administrator", "prod.lab"));
  EXPECT_FALSE(windows_account_in_domain("PROD\\x", ""));
}

// --- Win32_ComputerSystem ----------------------------------------------------------------------

TEST(WindowsComputerSystem, StandaloneServerInAWorkgroup) {
  const auto cs = parse_windows_computer_system(fixture("hardened_computer_system.json"));
  ASSERT_TRUE(cs);
  EXPECT_EQ(cs->name, "BACKUP01");
  EXPECT_FALSE(cs->part_of_domain);
  EXPECT_EQ(cs->domain, "WORKGROUP");
  EXPECT_EQ(cs->workgroup, "WORKGROUP");
  EXPECT_EQ(cs->domain_role, 2);
  EXPECT_FALSE(joined_domain(*cs));
}

TEST(WindowsComputerSystem, MemberServerOfProd) {
  const auto cs = parse_windows_computer_system(fixture("joined_computer_system.json"));
  ASSERT_TRUE(cs);
  EXPECT_EQ(cs->name, "BACKUP02");
  EXPECT_TRUE(cs->part_of_domain);
  EXPECT_EQ(cs->domain, "prod.lab");
  EXPECT_EQ(cs->workgroup, "");
  EXPECT_EQ(cs->domain_role, 3);
  EXPECT_EQ(joined_domain(*cs), "prod.lab");
}

TEST(WindowsComputerSystem, AcceptsAOneItemArrayAndBomAndRejectsTheRest) {
  const auto cs = parse_windows_computer_system(
      "\xEF\xBB\xBF[{\"PartOfDomain\":true,\"Domain\":\"prod.lab\",\"DomainRole\":9}]\r\n");
  ASSERT_TRUE(cs);
  EXPECT_TRUE(cs->part_of_domain);
  EXPECT_EQ(cs->domain_role, -1);  // out of range: not reported
  EXPECT_EQ(cs->name, "");
  EXPECT_FALSE(parse_windows_computer_system("{\"Domain\":\"prod.lab\"}"));
  EXPECT_FALSE(parse_windows_computer_system("{\"PartOfDomain\":\"True\"}"));
  EXPECT_FALSE(parse_windows_computer_system("[]"));
  EXPECT_FALSE(parse_windows_computer_system("[{\"PartOfDomain\":true},{\"PartOfDomain\":false}]"));
  EXPECT_FALSE(parse_windows_computer_system(""));
  for (const auto& bad : kMalformed)
    EXPECT_FALSE(parse_windows_computer_system(bad)) << bad;
}

// --- Get-LocalGroupMember ----------------------------------------------------------------------

TEST(WindowsAdministrators, LocalMembersOnly) {
  const auto m = parse_windows_group_members(fixture("hardened_administrators.json"));
  ASSERT_TRUE(m);
  EXPECT_EQ(names_of(*m), (strings{"BACKUP01\\Administrator", "BACKUP01\\bkp-admin"}));
  for (const auto& member : *m) {
    EXPECT_EQ(member.object_class, "User");
    EXPECT_EQ(member.source, windows_principal_source::local);
  }
  EXPECT_TRUE(non_local_members(*m).empty());
  EXPECT_TRUE(members_from_domain(*m, "prod.lab").empty());
}

TEST(WindowsAdministrators, DomainMembersOfAJoinedHost) {
  const auto m = parse_windows_group_members(fixture("joined_administrators.json"));
  ASSERT_TRUE(m);
  ASSERT_EQ(m->size(), 4u);
  EXPECT_EQ((*m)[1].name, "PROD\\Domain Admins");
  EXPECT_EQ((*m)[1].object_class, "Group");
  EXPECT_EQ((*m)[1].source, windows_principal_source::active_directory);
  const strings prod{"PROD\\Domain Admins", "PROD\\Backup Operators EHR", "PROD\\svc-veeam"};
  EXPECT_EQ(names_of(members_from_domain(*m, "PROD")), prod);
  EXPECT_EQ(names_of(members_from_domain(*m, "prod.lab")), prod);
  EXPECT_EQ(names_of(non_local_members(*m)), prod);
  EXPECT_TRUE(members_from_domain(*m, "corp.lab").empty());
}

TEST(WindowsAdministrators, EnumNamesAsPowerShell7PrintsThem) {
  const auto m = parse_windows_group_members(fixture("joined_administrators_enum_strings.json"));
  ASSERT_TRUE(m);
  ASSERT_EQ(m->size(), 4u);
  EXPECT_EQ((*m)[0].source, windows_principal_source::local);
  EXPECT_EQ((*m)[1].source, windows_principal_source::active_directory);
  EXPECT_EQ((*m)[2].source, windows_principal_source::azure_ad);
  EXPECT_EQ((*m)[3].source, windows_principal_source::microsoft_account);
  EXPECT_EQ(names_of(non_local_members(*m)), (strings{"PROD\\Domain Admins", "AzureAD\\JaneDoe",
                                                      "MicrosoftAccount\\jdoe@outlook.com"}));
  EXPECT_EQ(names_of(members_from_domain(*m, "prod.lab")), strings{"PROD\\Domain Admins"});
}

TEST(WindowsAdministrators, SingleMemberIsABareObject) {
  const auto m = parse_windows_group_members(fixture("administrators_single.json"));
  ASSERT_TRUE(m);
  EXPECT_EQ(names_of(*m), strings{"BACKUP01\\Administrator"});
  EXPECT_EQ((*m)[0].source, windows_principal_source::local);
}

TEST(WindowsAdministrators, OddItemsAndEmptyOutput) {
  const auto m = parse_windows_group_members(
      "[{\"Name\":\"S-1-5-21-1-2-3-1104\",\"ObjectClass\":\"User\",\"PrincipalSource\":0},"
      "{\"ObjectClass\":\"User\"},{\"Name\":null},7,"
      "{\"Name\":\"X\\\\y\",\"PrincipalSource\":9},{\"Name\":\"X\\\\z\",\"PrincipalSource\":"
      "\"Bogus\"}]");
  ASSERT_TRUE(m);
  EXPECT_EQ(names_of(*m), (strings{"S-1-5-21-1-2-3-1104", "X\\y", "X\\z"}));
  for (const auto& member : *m)
    EXPECT_EQ(member.source, windows_principal_source::unknown);
  EXPECT_EQ(non_local_members(*m).size(), 3u);  // unknown is not local
  // An empty group: ConvertTo-Json prints nothing.
  ASSERT_TRUE(parse_windows_group_members(""));
  EXPECT_TRUE(parse_windows_group_members("\r\n")->empty());
  EXPECT_TRUE(parse_windows_group_members("[]")->empty());
  for (const auto& bad : kMalformed)
    EXPECT_FALSE(parse_windows_group_members(bad)) << bad;
}

TEST(WindowsAdministrators, UnwrapsWindowsPowerShellValueCountArrays) {
  const auto m = parse_windows_group_members(
      "{\"value\":[{\"Name\":\"PROD\\\\Domain Admins\",\"ObjectClass\":\"Group\","
      "\"PrincipalSource\":2}],\"Count\":1}");
  ASSERT_TRUE(m);
  EXPECT_EQ(names_of(*m), strings{"PROD\\Domain Admins"});
}

// --- Win32_Service -----------------------------------------------------------------------------

TEST(WindowsBackupServices, LocalVirtualAndBuiltinAccounts) {
  const auto s = parse_windows_services(fixture("hardened_backup_services.json"));
  ASSERT_TRUE(s);
  ASSERT_EQ(s->size(), 4u);
  EXPECT_EQ((*s)[0].name, "VeeamBackupSvc");
  EXPECT_EQ((*s)[0].display_name, "Veeam Backup Service");
  EXPECT_EQ((*s)[0].start_name, ".\\svc-veeam");
  EXPECT_EQ((*s)[0].state, "Running");
  EXPECT_EQ((*s)[0].start_mode, "Auto");
  EXPECT_EQ((*s)[3].state, "Stopped");
  EXPECT_EQ((*s)[3].start_mode, "Manual");
  EXPECT_EQ(classify_windows_account((*s)[1].start_name, "BACKUP01"),
            windows_account_kind::local_account);
  EXPECT_EQ(classify_windows_account((*s)[2].start_name), windows_account_kind::builtin);
  EXPECT_EQ(classify_windows_account((*s)[3].start_name), windows_account_kind::virtual_account);
  EXPECT_TRUE(services_under_domain_accounts(*s, "BACKUP01").empty());
  EXPECT_TRUE(services_under_local_system(*s).empty());
  // Without the computer name, "BACKUP01\svc-veeam" cannot be told from a domain account.
  EXPECT_EQ(names_of(services_under_domain_accounts(*s)), strings{"VeeamCatalogSvc"});
}

TEST(WindowsBackupServices, DomainAccountsAndLocalSystem) {
  const auto s = parse_windows_services(fixture("joined_backup_services.json"));
  ASSERT_TRUE(s);
  EXPECT_EQ(names_of(services_under_domain_accounts(*s, "BACKUP02")),
            (strings{"VeeamBackupSvc", "VeeamBrokerSvc"}));
  EXPECT_EQ(names_of(services_under_local_system(*s)), strings{"VeeamTransportSvc"});
  EXPECT_TRUE(windows_account_in_domain((*s)[0].start_name, "prod.lab"));
  EXPECT_TRUE(windows_account_in_domain((*s)[1].start_name, "prod.lab"));
}

TEST(WindowsBackupServices, SingleServiceAndNone) {
  const auto one = parse_windows_services(fixture("backup_services_commvault_single.json"));
  ASSERT_TRUE(one);
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ((*one)[0].name, "GxCVD(Instance001)");
  EXPECT_EQ((*one)[0].start_name, "PROD\\gmsa-commvault$");
  EXPECT_EQ(names_of(services_under_domain_accounts(*one, "BACKUP02")),
            strings{"GxCVD(Instance001)"});
  const auto none = parse_windows_services(fixture("backup_services_none.json"));
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

TEST(WindowsBackupServices, NullStartNameAndMalformed) {
  const auto s = parse_windows_services(
      "{\"Name\":\"VeeamFLRSvc\",\"DisplayName\":null,\"StartName\":null,\"State\":\"Stopped\","
      "\"StartMode\":\"Disabled\"}");
  ASSERT_TRUE(s);
  ASSERT_EQ(s->size(), 1u);
  EXPECT_EQ((*s)[0].start_name, "");
  EXPECT_EQ(classify_windows_account((*s)[0].start_name), windows_account_kind::none);
  for (const auto& bad : kMalformed)
    EXPECT_FALSE(parse_windows_services(bad)) << bad;
}

// --- Get-NetFirewallProfile --------------------------------------------------------------------

TEST(WindowsFirewall, EveryProfileOnAndBlocking) {
  const auto p = parse_windows_firewall_profiles(fixture("hardened_firewall_profiles.json"));
  ASSERT_TRUE(p);
  EXPECT_EQ(names_of(*p), (strings{"Domain", "Private", "Public"}));
  for (const auto& profile : *p) {
    EXPECT_EQ(profile.enabled, true);
    EXPECT_EQ(profile.default_inbound, windows_firewall_action::block);
  }
  EXPECT_TRUE(firewall_profiles_disabled(*p).empty());
  EXPECT_TRUE(firewall_profiles_not_blocking(*p).empty());
  EXPECT_TRUE(windows_firewall_default_deny(*p));
}

TEST(WindowsFirewall, DomainProfileOffNumbersAndNames) {
  for (const auto* name :
       {"joined_firewall_profiles.json", "joined_firewall_profiles_enum_strings.json"}) {
    SCOPED_TRACE(name);
    const auto p = parse_windows_firewall_profiles(fixture(name));
    ASSERT_TRUE(p);
    ASSERT_EQ(p->size(), 3u);
    EXPECT_EQ((*p)[0].enabled, false);
    EXPECT_EQ((*p)[0].default_inbound, windows_firewall_action::allow);
    EXPECT_EQ((*p)[1].enabled, true);
    EXPECT_EQ((*p)[1].default_inbound, windows_firewall_action::block);
    EXPECT_EQ(firewall_profiles_disabled(*p), strings{"Domain"});
    EXPECT_EQ(firewall_profiles_not_blocking(*p), strings{"Domain"});
    EXPECT_FALSE(windows_firewall_default_deny(*p));
  }
}

TEST(WindowsFirewall, NotConfiguredBooleansAndMissingProfiles) {
  const auto p = parse_windows_firewall_profiles(
      "[{\"Name\":\"Domain\",\"Enabled\":2,\"DefaultInboundAction\":0},"
      "{\"Name\":\"Private\",\"Enabled\":true,\"DefaultInboundAction\":\"NotConfigured\"},"
      "{\"Name\":\"Public\",\"Enabled\":\"NotConfigured\",\"DefaultInboundAction\":3},"
      "{\"Enabled\":1}]");
  ASSERT_TRUE(p);
  ASSERT_EQ(p->size(), 3u);
  EXPECT_FALSE((*p)[0].enabled.has_value());
  EXPECT_EQ((*p)[0].default_inbound, windows_firewall_action::not_configured);
  EXPECT_EQ((*p)[1].enabled, true);
  EXPECT_EQ((*p)[1].default_inbound, windows_firewall_action::not_configured);
  EXPECT_FALSE((*p)[2].enabled.has_value());
  EXPECT_EQ((*p)[2].default_inbound, windows_firewall_action::unknown);
  EXPECT_EQ(firewall_profiles_disabled(*p), (strings{"Domain", "Public"}));
  EXPECT_EQ(firewall_profiles_not_blocking(*p), (strings{"Domain", "Private", "Public"}));

  // One profile only (a bare object): on and blocking, but not every profile is there.
  const auto one = parse_windows_firewall_profiles(
      "{\"Name\":\"Public\",\"Enabled\":1,\"DefaultInboundAction\":4}");
  ASSERT_TRUE(one);
  EXPECT_TRUE(firewall_profiles_disabled(*one).empty());
  EXPECT_FALSE(windows_firewall_default_deny(*one));
  EXPECT_FALSE(windows_firewall_default_deny({}));
  for (const auto& bad : kMalformed)
    EXPECT_FALSE(parse_windows_firewall_profiles(bad)) << bad;
}

// --- remote access -----------------------------------------------------------------------------

TEST(WindowsRemoteAccess, EverythingStoppedAndDenied) {
  const auto r = parse_windows_remote_access(fixture("hardened_remote_access.json"));
  ASSERT_TRUE(r);
  EXPECT_EQ(names_of(r->services), (strings{"RemoteRegistry", "TermService", "WinRM"}));
  for (const auto& s : r->services) {
    EXPECT_EQ(s.status, windows_service_status::stopped);
    EXPECT_EQ(s.start_type, windows_start_type::disabled);
  }
  EXPECT_EQ(r->deny_ts_connections, 1);
  EXPECT_FALSE(r->policy_deny_ts_connections);
  EXPECT_EQ(effective_deny_ts_connections(*r), 1);
  EXPECT_FALSE(rdp_enabled(*r));
  EXPECT_FALSE(winrm_running(*r));
  EXPECT_FALSE(remote_registry_running(*r));
}

TEST(WindowsRemoteAccess, RdpWinRmAndRemoteRegistryOnNumbersAndNames) {
  for (const auto* name : {"joined_remote_access.json", "joined_remote_access_enum_strings.json"}) {
    SCOPED_TRACE(name);
    const auto r = parse_windows_remote_access(fixture(name));
    ASSERT_TRUE(r);
    ASSERT_EQ(r->services.size(), 3u);
    EXPECT_EQ(r->services[0].status, windows_service_status::running);
    EXPECT_EQ(r->services[0].start_type, windows_start_type::automatic);
    EXPECT_EQ(r->services[1].start_type, windows_start_type::manual);
    EXPECT_EQ(r->deny_ts_connections, 0);
    EXPECT_TRUE(rdp_enabled(*r));
    EXPECT_TRUE(winrm_running(*r));
    EXPECT_TRUE(remote_registry_running(*r));
    EXPECT_TRUE(windows_service_running(*r, "termservice"));
  }
}

TEST(WindowsRemoteAccess, PolicyOverridesTheTerminalServerValue) {
  const auto r = parse_windows_remote_access(fixture("remote_access_policy_deny.json"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->deny_ts_connections, 0);
  EXPECT_EQ(r->policy_deny_ts_connections, 1);
  EXPECT_EQ(effective_deny_ts_connections(*r), 1);
  EXPECT_FALSE(rdp_enabled(*r));  // TermService runs, but the policy denies connections
  EXPECT_TRUE(winrm_running(*r));
  EXPECT_FALSE(remote_registry_running(*r));  // not installed: absent from the list
}

TEST(WindowsRemoteAccess, ShapesAndDefaults) {
  // One service as a bare object, every other status, an absent value (Windows' default: deny).
  const auto r = parse_windows_remote_access(
      "{\"Services\":{\"Name\":\"TermService\",\"Status\":4,\"StartType\":0},"
      "\"fDenyTSConnections\":null,\"PolicyDenyTSConnections\":null}");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->services.size(), 1u);
  EXPECT_EQ(r->services[0].start_type, windows_start_type::boot);
  EXPECT_FALSE(effective_deny_ts_connections(*r));
  EXPECT_FALSE(rdp_enabled(*r));
  const auto policy_allows = parse_windows_remote_access(
      "{\"Services\":[{\"Name\":\"TermService\",\"Status\":\"Running\"}],"
      "\"fDenyTSConnections\":1,\"PolicyDenyTSConnections\":0}");
  ASSERT_TRUE(policy_allows);
  EXPECT_TRUE(rdp_enabled(*policy_allows));
  const auto paused = parse_windows_remote_access(
      "{\"Services\":[{\"Name\":\"TermService\",\"Status\":7,\"StartType\":5},"
      "{\"Name\":\"WinRM\",\"Status\":0,\"StartType\":\"Boot\"}],\"fDenyTSConnections\":0}");
  ASSERT_TRUE(paused);
  EXPECT_EQ(paused->services[0].status, windows_service_status::paused);
  EXPECT_EQ(paused->services[0].start_type, windows_start_type::unknown);
  EXPECT_EQ(paused->services[1].status, windows_service_status::unknown);
  EXPECT_EQ(paused->services[1].start_type, windows_start_type::boot);
  EXPECT_FALSE(rdp_enabled(*paused));
  const auto none = parse_windows_remote_access("{\"Services\":null,\"fDenyTSConnections\":0}");
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->services.empty());
  EXPECT_FALSE(rdp_enabled(*none));

  EXPECT_FALSE(parse_windows_remote_access("{\"fDenyTSConnections\":0}"));
  EXPECT_FALSE(parse_windows_remote_access("{\"Services\":[],\"fDenyTSConnections\":\"0\"}"));
  EXPECT_FALSE(parse_windows_remote_access("{\"Services\":5}"));
  EXPECT_FALSE(parse_windows_remote_access(""));
  for (const auto& bad : kMalformed)
    EXPECT_FALSE(parse_windows_remote_access(bad)) << bad;
}

// --- Get-SmbServerConfiguration ----------------------------------------------------------------

TEST(WindowsSmb, HardenedAndBadServers) {
  const auto good = parse_windows_smb_server(fixture("hardened_smb_server.json"));
  ASSERT_TRUE(good);
  EXPECT_FALSE(good->smb1_enabled);
  EXPECT_TRUE(good->signing_required);
  EXPECT_EQ(good->signing_enabled, true);
  const auto bad = parse_windows_smb_server(fixture("joined_smb_server.json"));
  ASSERT_TRUE(bad);
  EXPECT_TRUE(bad->smb1_enabled);
  EXPECT_FALSE(bad->signing_required);
  EXPECT_EQ(bad->signing_enabled, false);
}

TEST(WindowsSmb, RequiresTheTwoKeyBooleans) {
  const auto partial =
      parse_windows_smb_server("{\"EnableSMB1Protocol\":false,\"RequireSecuritySignature\":true}");
  ASSERT_TRUE(partial);
  EXPECT_FALSE(partial->signing_enabled);
  EXPECT_FALSE(parse_windows_smb_server("{\"EnableSMB1Protocol\":false}"));
  EXPECT_FALSE(
      parse_windows_smb_server("{\"EnableSMB1Protocol\":null,\"RequireSecuritySignature\":true}"));
  EXPECT_FALSE(parse_windows_smb_server(""));
  for (const auto& bad : kMalformed)
    EXPECT_FALSE(parse_windows_smb_server(bad)) << bad;
}

// --- LLMNR and NetBIOS -------------------------------------------------------------------------

TEST(WindowsNameResolution, BothOff) {
  const auto n = parse_windows_name_resolution(fixture("hardened_name_resolution.json"));
  ASSERT_TRUE(n);
  EXPECT_EQ(n->enable_multicast, 0);
  ASSERT_EQ(n->adapters.size(), 2u);
  EXPECT_EQ(n->adapters[0].description, "Intel(R) Ethernet Controller X710 for 10GbE SFP+");
  EXPECT_EQ(n->adapters[0].netbios_options, 2);
  EXPECT_TRUE(llmnr_disabled(*n));
  EXPECT_TRUE(netbios_disabled_everywhere(*n));
  EXPECT_TRUE(adapters_with_netbios(*n).empty());
}

TEST(WindowsNameResolution, PolicyAbsentAndNetbiosViaDhcp) {
  const auto n = parse_windows_name_resolution(fixture("joined_name_resolution.json"));
  ASSERT_TRUE(n);
  EXPECT_FALSE(n->enable_multicast);
  EXPECT_FALSE(llmnr_disabled(*n));
  EXPECT_FALSE(netbios_disabled_everywhere(*n));
  EXPECT_EQ(adapters_with_netbios(*n), strings{"vmxnet3 Ethernet Adapter"});
}

TEST(WindowsNameResolution, ShapesAndEdges) {
  // One adapter as a bare object; one of two adapters with NetBIOS on; a null option.
  const auto one = parse_windows_name_resolution(
      "{\"EnableMulticast\":1,\"Adapters\":{\"Description\":\"mgmt\",\"TcpipNetbiosOptions\":2}}");
  ASSERT_TRUE(one);
  EXPECT_FALSE(llmnr_disabled(*one));
  EXPECT_TRUE(netbios_disabled_everywhere(*one));
  const auto mixed = parse_windows_name_resolution(
      "{\"EnableMulticast\":0,\"Adapters\":[{\"Description\":\"a\",\"TcpipNetbiosOptions\":2},"
      "{\"Description\":\"b\",\"TcpipNetbiosOptions\":1},{\"Description\":\"c\","
      "\"TcpipNetbiosOptions\":null}]}");
  ASSERT_TRUE(mixed);
  EXPECT_FALSE(netbios_disabled_everywhere(*mixed));
  EXPECT_EQ(adapters_with_netbios(*mixed), (strings{"b", "c"}));
  // No adapter listed: no evidence that NetBIOS is off.
  const auto none = parse_windows_name_resolution("{\"EnableMulticast\":0,\"Adapters\":[]}");
  ASSERT_TRUE(none);
  EXPECT_FALSE(netbios_disabled_everywhere(*none));

  EXPECT_FALSE(parse_windows_name_resolution("{\"Adapters\":[]}"));
  EXPECT_FALSE(parse_windows_name_resolution("{\"EnableMulticast\":0}"));
  EXPECT_FALSE(parse_windows_name_resolution("{\"EnableMulticast\":\"0\",\"Adapters\":[]}"));
  for (const auto& bad : kMalformed)
    EXPECT_FALSE(parse_windows_name_resolution(bad)) << bad;
}

// --- LSA protection and WDigest ----------------------------------------------------------------

TEST(WindowsLsa, RunAsPpl) {
  const auto on = parse_windows_lsa(fixture("hardened_lsa.json"));
  ASSERT_TRUE(on);
  EXPECT_EQ(on->run_as_ppl, 1);
  EXPECT_TRUE(lsa_protection_enabled(*on));
  const auto absent = parse_windows_lsa(fixture("joined_lsa.json"));
  ASSERT_TRUE(absent);
  EXPECT_FALSE(absent->run_as_ppl);
  EXPECT_FALSE(lsa_protection_enabled(*absent));
  EXPECT_TRUE(lsa_protection_enabled(*parse_windows_lsa("{\"RunAsPPL\":2}")));
  EXPECT_FALSE(lsa_protection_enabled(*parse_windows_lsa("{\"RunAsPPL\":0}")));
  EXPECT_FALSE(lsa_protection_enabled(*parse_windows_lsa("[{\"RunAsPPL\":3}]")));
  EXPECT_FALSE(parse_windows_lsa("{}"));
  EXPECT_FALSE(parse_windows_lsa("{\"RunAsPPL\":\"1\"}"));
  EXPECT_FALSE(parse_windows_lsa("{\"RunAsPPL\":1.5}"));
  EXPECT_FALSE(parse_windows_lsa("{\"UseLogonCredential\":1}"));
  EXPECT_FALSE(parse_windows_lsa(""));
  for (const auto& bad : kMalformed)
    EXPECT_FALSE(parse_windows_lsa(bad)) << bad;
}

TEST(WindowsWDigest, UseLogonCredential) {
  const auto absent = parse_windows_wdigest(fixture("hardened_wdigest.json"));
  ASSERT_TRUE(absent);
  EXPECT_FALSE(absent->use_logon_credential);
  EXPECT_FALSE(wdigest_stores_cleartext(*absent));
  const auto on = parse_windows_wdigest(fixture("joined_wdigest.json"));
  ASSERT_TRUE(on);
  EXPECT_EQ(on->use_logon_credential, 1);
  EXPECT_TRUE(wdigest_stores_cleartext(*on));
  EXPECT_FALSE(wdigest_stores_cleartext(*parse_windows_wdigest("{\"UseLogonCredential\":0}")));
  EXPECT_FALSE(parse_windows_wdigest("{\"RunAsPPL\":1}"));
  EXPECT_FALSE(parse_windows_wdigest("{\"UseLogonCredential\":true}"));
  EXPECT_FALSE(parse_windows_wdigest(""));
  for (const auto& bad : kMalformed)
    EXPECT_FALSE(parse_windows_wdigest(bad)) << bad;
}

// --- every parser on every fixture of another command ------------------------------------------

TEST(WindowsParsers, NoParserThrowsOnAnyFixture) {
  for (const auto* name :
       {"hardened_computer_system.json", "hardened_administrators.json",
        "hardened_backup_services.json", "hardened_firewall_profiles.json",
        "hardened_remote_access.json", "hardened_smb_server.json", "hardened_name_resolution.json",
        "hardened_lsa.json", "hardened_wdigest.json", "backup_services_none.json"}) {
    const auto text = fixture(name);
    EXPECT_NO_THROW({
      (void)parse_windows_computer_system(text);
      (void)parse_windows_group_members(text);
      (void)parse_windows_services(text);
      (void)parse_windows_firewall_profiles(text);
      (void)parse_windows_remote_access(text);
      (void)parse_windows_smb_server(text);
      (void)parse_windows_name_resolution(text);
      (void)parse_windows_lsa(text);
      (void)parse_windows_wdigest(text);
    }) << name;
  }
  // Registry parsers refuse the other commands' documents.
  EXPECT_FALSE(parse_windows_lsa(fixture("hardened_wdigest.json")));
  EXPECT_FALSE(parse_windows_wdigest(fixture("hardened_lsa.json")));
  EXPECT_FALSE(parse_windows_remote_access(fixture("hardened_smb_server.json")));
  EXPECT_FALSE(parse_windows_smb_server(fixture("hardened_firewall_profiles.json")));
}

}  // namespace
}  // namespace cloison
