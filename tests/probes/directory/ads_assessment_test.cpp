#include "probes/directory/ads_assessment.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "tests/probes/directory/ldap_fixture.h"
#include "tests/support.h"

namespace cloison {
namespace {

using namespace std::chrono;
using testing::fake_directory;

const sys_time kCaptureTime = sys_days(2026y / 11 / 29) + 1h;
const std::string kDomain = "DC=backup,DC=lab";
const std::string kDomainSid = "S-1-5-21-444168188-791113803-1657383804";

fake_directory lab(const std::string& name) {
  return fake_directory(
      testing::capture(name, [](std::string p) { return testing::fixture_text(p); }));
}

assessment_output assess(fake_directory& d, sys_time now = kCaptureTime) {
  ads_assessment a("directory/backup-lab", now);
  testing::drive(a, d);
  return a.result();
}

json value_of(const assessment_output& out, const std::string& control) {
  const auto it = out.facts.find("directory.ads." + control);
  EXPECT_NE(it, out.facts.end()) << control;
  if (it == out.facts.end() || !it->second.value) {
    ADD_FAILURE() << control << " is missing: " << (it == out.facts.end() ? "" : it->second.error);
    return nullptr;
  }
  return *it->second.value;
}

std::vector<std::string> list_of(const assessment_output& out, const std::string& control) {
  const auto v = value_of(out, control);
  return v.is_array() ? v.get<std::vector<std::string>>()
                      : std::vector<std::string>{"<not a list>"};
}

// The level-1 and level-2 controls decided by a list of offending objects.
const std::vector<std::string> kLevel12Lists{"critical_objects",
                                             "dc_inconsistent_uac",
                                             "dc_obsolete",
                                             "delegation_a2d2",
                                             "delegation_sourcedeleg",
                                             "delegation_t2a4d",
                                             "delegation_t4d",
                                             "dnsadmins",
                                             "dont_expire_priv",
                                             "dsheuristics_bad",
                                             "dsheuristics_bad_level2",
                                             "kerberos_properties_preauth_priv",
                                             "primary_group_id_1000",
                                             "spn_priv",
                                             "trusts_domain_notfiltered",
                                             "trusts_forest_sidhistory",
                                             "compatible_2000_anonymous",
                                             "dc_crypto_des",
                                             "guest",
                                             "kerberos_properties_deskey",
                                             "kerberos_properties_preauth",
                                             "privileged_members_password",
                                             "privileged_members_no_admincount",
                                             "rodc_priv_revealed",
                                             "sidhistory_dangerous",
                                             "sysvol_ntfrs",
                                             "permissions_naming_context",
                                             "permissions_adminsdholder",
                                             "permissions_schema",
                                             "permissions_dc",
                                             "permissions_msdns",
                                             "permissions_dfsr_sysvol",
                                             "permissions_gpo_priv",
                                             "permissions_gpo_container_priv",
                                             "adcs_control",
                                             "adcs_template_control",
                                             "adcs_template_auth_enroll_with_name",
                                             "certificates_vuln",
                                             "certificates_vuln_undecodable"};

TEST(AdsAssessment, CompliantBackupLabHoldsTheLevelOneAndTwoControlsButThreeSambaFindings) {
  auto d = lab("compliant-bk");
  const auto out = assess(d);
  for (const auto& control : kLevel12Lists) {
    if (control == "privileged_members_password" || control == "privileged_members_no_admincount")
      continue;
    EXPECT_EQ(list_of(out, control), std::vector<std::string>{}) << control;
  }
  // Thresholds of the policy (policies/d2.03.yaml).
  EXPECT_EQ(value_of(out, "functional_level"), 4);  // 2008 R2: passes level 1, fails level 3
  EXPECT_EQ(value_of(out, "adupdate_revision"), 5);
  EXPECT_EQ(value_of(out, "privileged_members_count"), 1);  // bk-admin; RID-500 and DCs excluded
  EXPECT_EQ(value_of(out, "krbtgt_password_age_days"), 0);
  EXPECT_EQ(value_of(out, "privileged_password_max_age_days"), 0);
  EXPECT_EQ(value_of(out, "dc_password_max_age_days"), 0);
  EXPECT_EQ(value_of(out, "dc_max_inactive_days"), 0);
  EXPECT_EQ(value_of(out, "dormant_accounts_percent"), 0);
  EXPECT_EQ(value_of(out, "server_password_max_age_days"), 0);
  EXPECT_EQ(value_of(out, "trust_account_password_max_age_days"), 0);
  // What the clean Samba lab really fails at level 2: minPwdLength 7, two of five enabled users
  // with a never-expiring password (cloison-ldap, svc-veeam), no adminCount (Samba runs no SDProp).
  EXPECT_EQ(value_of(out, "dont_expire_percent"), 40);
  EXPECT_EQ(
      list_of(out, "privileged_members_password"),
      (std::vector<std::string>{"Administrator (domain policy: minimum length 7, maximum age 42 d)",
                                "bk-admin (domain policy: minimum length 7, maximum age 42 d)"}));
  EXPECT_EQ(list_of(out, "privileged_members_no_admincount"), std::vector<std::string>{"bk-admin"});
  // Level 3.
  EXPECT_EQ(list_of(out, "protected_users"),
            (std::vector<std::string>{"Administrator", "bk-admin"}));
  EXPECT_EQ(list_of(out, "rodc_denied_group"), std::vector<std::string>{});
  // Level 4: Domain Admins is nested in Administrators, which is nested in nothing.
  EXPECT_EQ(list_of(out, "group_loop"), std::vector<std::string>{});
}

TEST(AdsAssessment, PartsOfTheDirectoryTheCaptureLacksAreMissingNeverPassing) {
  auto d = lab("compliant-bk");
  const auto out = assess(d);
  const auto& f = out.facts.at("directory.ads.display_specifier");
  EXPECT_FALSE(f.value);
  EXPECT_NE(f.error.find("noSuchObject"), std::string::npos) << f.error;
}

// A DNS application partition the server will not search: its zones and its head's descriptor are
// missing evidence, never a pass.
TEST(AdsAssessment, AnUnreadableDnsPartitionIsMissingNeverPassing) {
  auto d = lab("compliant-bk");
  d.fail_base("DC=DomainDnsZones," + kDomain);
  const auto out = assess(d);
  for (const auto* control :
       {"dnszone_bad_prop", "dnszone_bad_prop_all", "permissions_naming_context"}) {
    const auto& f = out.facts.at(std::string("directory.ads.") + control);
    EXPECT_FALSE(f.value) << control;
    EXPECT_NE(f.error.find("refused by the test"), std::string::npos) << f.error;
  }
}

// Privileged user accounts outside an enforced authentication silo: every one in the lab, until
// bk-admin is assigned an enforced silo; a silo that is not enforced does not count.
TEST(AdsAssessment, PrivilegedAccountsOutsideAnEnforcedSiloAreNamed) {
  auto d = lab("compliant-bk");
  EXPECT_EQ(list_of(assess(d), "silo_priv"),
            (std::vector<std::string>{"Administrator", "bk-admin"}));
  const std::string silo =
      "CN=Tier0,CN=AuthN Silos,CN=AuthN Policy Configuration,CN=Services,"
      "CN=Configuration," +
      kDomain;
  d.add({silo,
         {{"objectClass", {"top", "msDS-AuthNPolicySilo"}},
          {"msDS-AuthNPolicySiloEnforced", {"TRUE"}}}});
  d.modify("CN=bk-admin,CN=Users," + kDomain, "msDS-AssignedAuthNPolicySilo", {silo});
  EXPECT_EQ(list_of(assess(d), "silo_priv"), std::vector<std::string>{"Administrator"});
  d.modify(silo, "msDS-AuthNPolicySiloEnforced", {"FALSE"});
  EXPECT_EQ(list_of(assess(d), "silo_priv"),
            (std::vector<std::string>{"Administrator", "bk-admin"}));
}

// DCSync: tests/data/directory/sd/backup-lab-head-dcsync.bin grants both replication rights to
// svc-veeam (ordinary), bk-admin (a Domain Admin) and Read-only Domain Controllers.
TEST(AdsAssessment, ReplicationRightsOutsideThePrivilegedSetAreNamed) {
  auto d = lab("compliant-bk");
  d.modify(kDomain, "nTSecurityDescriptor",
           {testing::fixture_text("directory/sd/backup-lab-head-dcsync.bin")});
  const auto out = assess(d);
  EXPECT_EQ(list_of(out, "permissions_naming_context"),
            (std::vector<std::string>{
                "svc-veeam (" + kDomainSid +
                    "-1104) holds DS-Replication-Get-Changes on DC=backup,DC=lab",
                "svc-veeam (" + kDomainSid +
                    "-1104) holds DS-Replication-Get-Changes-All on DC=backup,DC=lab",
                "Read-only Domain Controllers (" + kDomainSid +
                    "-521) holds DS-Replication-Get-Changes-All on DC=backup,DC=lab"}));
  const auto& evidence = out.evidence;
  const auto sd = std::find_if(evidence.begin(), evidence.end(), [](const auto& e) {
    return e.id == "directory/backup-lab/naming-context-sd";
  });
  ASSERT_NE(sd, evidence.end());
  EXPECT_NE(sd->content.find("control=SD_FLAGS(7)"), std::string::npos) << sd->content;
  EXPECT_NE(sd->content.find("DS-Replication-Get-Changes-All held by: " + kDomainSid + "-516"),
            std::string::npos)
      << sd->content;
}

// Control of AdminSDHolder (tests/data/directory/sd/backup-lab-adminsdholder-control.bin):
// GenericAll to svc-veeam (ordinary) is named, WriteDacl to bk-admin (a Domain Admin) is not.
TEST(AdsAssessment, ControlOfAdminSdHolderOutsideThePrivilegedSetIsNamed) {
  auto d = lab("compliant-bk");
  d.modify("CN=AdminSDHolder,CN=System," + kDomain, "nTSecurityDescriptor",
           {testing::fixture_text("directory/sd/backup-lab-adminsdholder-control.bin")});
  const auto out = assess(d);
  EXPECT_EQ(
      list_of(out, "permissions_adminsdholder"),
      std::vector<std::string>{"svc-veeam (" + kDomainSid +
                               "-1104) holds GenericAll on CN=AdminSDHolder,CN=System," + kDomain});
  EXPECT_EQ(list_of(out, "permissions_schema"), std::vector<std::string>{});
}

// Each schema object is judged by its owner and every ACE of its DACL, inherited ones included (an
// inherit-only ACE of the schema head reaches every object without controlling the head), each
// trustee and right named once with the first object and the count
// (tests/data/directory/sd/backup-lab-schema-user*.bin). An unreadable descriptor is missing
// evidence.
TEST(AdsAssessment, ControlOfSchemaObjectsIsNamedOncePerTrustee) {
  const std::string schema = "CN=Schema,CN=Configuration," + kDomain;
  const auto with = [&](const std::string& descriptor, std::initializer_list<const char*> cns) {
    auto d = lab("compliant-bk");
    for (const auto* cn : cns) {
      d.add({std::string("CN=") + cn + "," + schema,
             {{"objectClass", {"top", "classSchema"}},
              {"nTSecurityDescriptor",
               {testing::fixture_text("directory/sd/backup-lab-schema-user-" + descriptor +
                                      "-control.bin")}}}});
    }
    return assess(d);
  };
  const std::string veeam = "svc-veeam (" + kDomainSid + "-1104) holds WriteDacl on CN=User,";
  EXPECT_EQ(list_of(with("explicit", {"User"}), "permissions_schema"),
            std::vector<std::string>{veeam + schema});
  EXPECT_EQ(list_of(with("inherited", {"User", "Computer", "Group"}), "permissions_schema"),
            std::vector<std::string>{veeam + schema + " (+2 more schema objects)"});

  auto d = lab("compliant-bk");
  d.add({"CN=User," + schema,
         {{"objectClass", {"top", "classSchema"}}, {"nTSecurityDescriptor", {"garbage"}}}});
  const auto out = assess(d);
  const auto& f = out.facts.at("directory.ads.permissions_schema");
  EXPECT_FALSE(f.value);
  EXPECT_THAT(f.error,
              ::testing::HasSubstr("no readable nTSecurityDescriptor on CN=User," + schema));
}

// CN=MicrosoftDNS grants DnsAdmins (RID 1101) WriteDacl and WriteOwner by design: only other
// trustees are named (tests/data/directory/sd/backup-lab-msdns-control.bin adds svc-veeam).
TEST(AdsAssessment, ControlOfMicrosoftDnsOutsideThePrivilegedGroupsAndDnsAdminsIsNamed) {
  auto d = lab("compliant-bk");
  const std::string dns = "CN=MicrosoftDNS,CN=System," + kDomain;
  d.modify(dns, "nTSecurityDescriptor",
           {testing::fixture_text("directory/sd/backup-lab-msdns-control.bin")});
  const auto out = assess(d);
  EXPECT_EQ(list_of(out, "permissions_msdns"),
            std::vector<std::string>{"svc-veeam (" + kDomainSid +
                                     "-1104) holds WriteProperty (every property) on " + dns});
  EXPECT_EQ(list_of(out, "permissions_dfsr_sysvol"), std::vector<std::string>{});
}

// An object the audit account cannot read the descriptor of is missing evidence, never a pass.
TEST(AdsAssessment, AnUnreadableDfsrDescriptorIsMissingNeverPassing) {
  auto d = lab("compliant-bk");
  const std::string topology =
      "CN=Topology,CN=Domain System Volume,CN=DFSR-GlobalSettings,CN=System," + kDomain;
  d.modify(topology, "nTSecurityDescriptor", {});
  const auto out = assess(d);
  const auto& f = out.facts.at("directory.ads.permissions_dfsr_sysvol");
  EXPECT_FALSE(f.value);
  EXPECT_NE(f.error.find("no readable nTSecurityDescriptor on " + topology), std::string::npos)
      << f.error;
}

// Samba 4.17 has no KDS root keys and shows no BCKUPKEY_* secret to the audit account: no object
// is not a pass. A backup key the account can read is judged like any other object.
TEST(AdsAssessment, DpapiAndKdsKeysAreJudgedOnlyWhenTheAuditAccountSeesThem) {
  auto d = lab("compliant-bk");
  auto out = assess(d);
  for (const auto* control : {"permissions_dpapi", "permissions_gmsa_keys"}) {
    const auto& f = out.facts.at(std::string("directory.ads.") + control);
    EXPECT_FALSE(f.value) << control;
    EXPECT_TRUE(f.not_decidable) << control;
    EXPECT_THAT(f.error, ::testing::HasSubstr("visible to the audit account")) << control;
  }
  const std::string key = "CN=BCKUPKEY_PREFERRED Secret,CN=System," + kDomain;
  d.add({key,
         {{"objectClass", {"top", "leaf", "secret"}},
          {"cn", {"BCKUPKEY_PREFERRED Secret"}},
          {"nTSecurityDescriptor",
           {testing::fixture_text("directory/sd/backup-lab-dc-control.bin")}}}});
  out = assess(d);
  EXPECT_EQ(
      list_of(out, "permissions_dpapi"),
      std::vector<std::string>{"svc-veeam (" + kDomainSid + "-1104) holds WriteDacl on " + key});
}

// Two groups nested in each other: the loop is named once, in membership order.
TEST(AdsAssessment, GroupNestingCyclesAreNamed) {
  auto d = lab("compliant-bk");
  const std::string operators = "CN=Backup Operators Lab,CN=Users," + kDomain;
  const std::string proxy = "CN=DnsUpdateProxy,CN=Users," + kDomain;
  d.modify(operators, "member",
           {"CN=svc-veeam,CN=Users," + kDomain, "CN=bk-operator,CN=Users," + kDomain, proxy});
  d.modify(operators, "memberOf", {proxy});
  d.modify(proxy, "member", {operators});
  d.modify(proxy, "memberOf", {operators});
  const auto out = assess(d);
  EXPECT_EQ(list_of(out, "group_loop"),
            std::vector<std::string>{operators + " -> " + proxy + " -> " + operators});
}

// Whoever controls DnsAdmins can join it; the capture holds no descriptor for the group (read
// without SD_FLAGS), which is missing evidence, never a pass.
TEST(AdsAssessment, ControlOfDnsAdminsIsNamedAndAnUnreadableOneIsMissing) {
  auto d = lab("compliant-bk");
  const auto before = assess(d);
  const auto& unread = before.facts.at("directory.ads.dnsadmins_permissions");
  EXPECT_FALSE(unread.value);
  EXPECT_EQ(unread.error, "no readable nTSecurityDescriptor on CN=DnsAdmins,CN=Users," + kDomain);
  const std::string group = "CN=DnsAdmins,CN=Users," + kDomain;
  d.modify(group, "nTSecurityDescriptor",
           {testing::fixture_text("directory/sd/backup-lab-dc-control.bin")});
  EXPECT_EQ(
      list_of(assess(d), "dnsadmins_permissions"),
      std::vector<std::string>{"svc-veeam (" + kDomainSid + "-1104) holds WriteDacl on " + group});
}

// The containers above privileged objects (CN=Users, CN=Builtin, OU=Domain Controllers), the DC's
// site and the GPOs linked there (Default Domain Policy on the head, Default Domain Controllers
// Policy on OU=Domain Controllers) are judged; a GPO linked elsewhere, or whose link is disabled,
// is not read.
TEST(AdsAssessment, GposAndContainersWherePrivilegedObjectsLiveAreJudged) {
  auto d = lab("compliant-bk");
  const auto control = testing::fixture_text("directory/sd/backup-lab-dc-control.bin");
  const std::string veeam = "svc-veeam (" + kDomainSid + "-1104) holds WriteDacl on ";
  const std::string dc_policy =
      "CN={6AC1786C-016F-11D2-945F-00C04FB984F9},CN=Policies,CN=System," + kDomain;
  const std::string domain_policy =
      "CN={31B2F340-016D-11D2-945F-00C04FB984F9},CN=Policies,CN=System," + kDomain;
  const std::string dc_ou = "OU=Domain Controllers," + kDomain;
  const std::string workstation_policy =
      "CN={0F0F0F0F-0000-0000-0000-000000000001},CN=Policies,CN=System," + kDomain;
  d.add({"OU=Workstations," + kDomain,
         {{"objectClass", {"top", "organizationalUnit"}},
          {"gPLink", {"[LDAP://" + workstation_policy + ";0]"}},
          {"nTSecurityDescriptor", {control}}}});
  d.add({workstation_policy,
         {{"objectClass", {"top", "container", "groupPolicyContainer"}},
          {"nTSecurityDescriptor", {control}}}});
  d.modify(dc_policy, "nTSecurityDescriptor", {control});
  d.modify(dc_ou, "nTSecurityDescriptor", {control});
  auto out = assess(d);
  EXPECT_EQ(list_of(out, "permissions_gpo_priv"), std::vector<std::string>{veeam + dc_policy});
  EXPECT_EQ(list_of(out, "permissions_gpo_container_priv"),
            std::vector<std::string>{veeam + dc_ou});
  EXPECT_THAT(d.asked(), ::testing::Not(::testing::Contains(::testing::HasSubstr("0F0F0F0F"))));
  EXPECT_THAT(d.asked(), ::testing::Not(::testing::Contains(::testing::HasSubstr("Workstations"))));

  // The domain head's link disabled (option 1): Default Domain Policy is no longer read.
  d.modify(domain_policy, "nTSecurityDescriptor", {control});
  d.modify(kDomain, "gPLink", {"[LDAP://" + domain_policy + ";1]"});
  out = assess(d);
  EXPECT_EQ(list_of(out, "permissions_gpo_priv"), std::vector<std::string>{veeam + dc_policy});
  d.modify(kDomain, "gPLink", {"[LDAP://" + domain_policy + ";0]"});
  out = assess(d);
  EXPECT_EQ(list_of(out, "permissions_gpo_priv"),
            (std::vector<std::string>{veeam + domain_policy, veeam + dc_policy}));
}

// A container above a privileged object whose descriptor cannot be read is missing evidence, and
// so are the GPOs, whose links it may hold.
TEST(AdsAssessment, AnUnreadableContainerOfPrivilegedObjectsIsMissingNeverPassing) {
  auto d = lab("compliant-bk");
  d.modify("CN=Builtin," + kDomain, "nTSecurityDescriptor", {});
  const auto out = assess(d);
  for (const auto* control : {"permissions_gpo_container_priv", "permissions_gpo_priv"}) {
    const auto& f = out.facts.at(std::string("directory.ads.") + control);
    EXPECT_FALSE(f.value) << control;
    EXPECT_THAT(f.error,
                ::testing::HasSubstr("no readable nTSecurityDescriptor on CN=Builtin," + kDomain))
        << control;
  }
}

// ESC1: a template a CA publishes, whose requester names the subject, for client authentication,
// that Domain Users may enroll in. Manager approval, a server-only EKU or no CA publishing it each
// remove the finding; control of the template or of the enrollment service is its own control.
TEST(AdsAssessment, TemplatesEnrollableWithAnyNameForAuthenticationAreNamed) {
  auto d = lab("compliant-bk");
  const std::string pki = "CN=Public Key Services,CN=Services,CN=Configuration," + kDomain;
  const std::string tmpl = "CN=CloisonESC1,CN=Certificate Templates," + pki;
  const std::string ca = "CN=BACKUP-CA,CN=Enrollment Services," + pki;
  d.add({tmpl,
         {{"objectClass", {"top", "pKICertificateTemplate"}},
          {"cn", {"CloisonESC1"}},
          {"msPKI-Certificate-Name-Flag", {"1"}},
          {"msPKI-Enrollment-Flag", {"0"}},
          {"msPKI-RA-Signature", {"0"}},
          {"pKIExtendedKeyUsage", {"1.3.6.1.5.5.7.3.2"}},
          {"nTSecurityDescriptor",
           {testing::fixture_text("directory/sd/backup-lab-template-enroll-du.bin")}}}});
  d.add({ca,
         {{"objectClass", {"top", "pKIEnrollmentService"}},
          {"cn", {"BACKUP-CA"}},
          {"certificateTemplates", {"CloisonESC1"}},
          {"nTSecurityDescriptor", {testing::fixture_text("directory/sd/backup-lab-pki.bin")}}}});
  const std::vector<std::string> esc1{
      kDomainSid +
      "-513 may enroll in CloisonESC1 (published by BACKUP-CA) naming any subject, for client "
      "authentication"};
  auto out = assess(d);
  EXPECT_EQ(list_of(out, "adcs_template_auth_enroll_with_name"), esc1);
  EXPECT_EQ(list_of(out, "adcs_template_control"), std::vector<std::string>{});
  EXPECT_EQ(list_of(out, "adcs_control"), std::vector<std::string>{});

  d.modify(tmpl, "msPKI-Enrollment-Flag", {"2"});  // manager approval
  EXPECT_EQ(list_of(assess(d), "adcs_template_auth_enroll_with_name"), std::vector<std::string>{});
  d.modify(tmpl, "msPKI-Enrollment-Flag", {"0"});
  d.modify(tmpl, "pKIExtendedKeyUsage", {"1.3.6.1.5.5.7.3.1"});  // server authentication only
  EXPECT_EQ(list_of(assess(d), "adcs_template_auth_enroll_with_name"), std::vector<std::string>{});
  d.modify(tmpl, "pKIExtendedKeyUsage", {});  // no EKU: any purpose
  EXPECT_EQ(list_of(assess(d), "adcs_template_auth_enroll_with_name"), esc1);
  d.modify(ca, "certificateTemplates", {"User"});  // not published
  EXPECT_EQ(list_of(assess(d), "adcs_template_auth_enroll_with_name"), std::vector<std::string>{});

  const auto control = testing::fixture_text("directory/sd/backup-lab-dc-control.bin");
  d.modify(tmpl, "nTSecurityDescriptor", {control});
  d.modify(ca, "nTSecurityDescriptor", {control});
  out = assess(d);
  const std::string veeam = "svc-veeam (" + kDomainSid + "-1104) holds WriteDacl on ";
  EXPECT_EQ(list_of(out, "adcs_template_control"), std::vector<std::string>{veeam + tmpl});
  EXPECT_EQ(list_of(out, "adcs_control"), std::vector<std::string>{veeam + ca});
}

// The cACertificate values of CN=Public Key Services, by level (tests/data/directory/certs).
TEST(AdsAssessment, WeakAndUndecodableCaCertificatesAreNamedByLevel) {
  auto d = lab("compliant-bk");
  const std::string root =
      "CN=LAB-ROOT,CN=Certification Authorities,CN=Public Key Services,"
      "CN=Services,CN=Configuration," +
      kDomain;
  d.add({root,
         {{"objectClass", {"top", "certificationAuthority"}},
          {"cn", {"LAB-ROOT"}},
          {"cACertificate",
           {testing::fixture_text("directory/certs/rsa512-sha256.der"),
            testing::fixture_text("directory/certs/rsa2048-sha1.der"),
            testing::fixture_text("directory/certs/rsa2048-sha256.der"), "garbage"}},
          {"nTSecurityDescriptor", {testing::fixture_text("directory/sd/backup-lab-pki.bin")}}}});
  const auto out = assess(d);
  EXPECT_EQ(
      list_of(out, "certificates_vuln"),
      std::vector<std::string>{"CN=Lab CA rsa512 (in " + root + "): RSA key of 512 bits (< 1024)"});
  EXPECT_EQ(list_of(out, "certificates_vuln_undecodable"), std::vector<std::string>{root});
  EXPECT_EQ(list_of(out, "certificates_vuln_level3"),
            std::vector<std::string>{"CN=Lab CA sha1 (in " + root + "): signed with SHA1"});
}

// The logon names searched in production: enabled privileged users, the built-in Administrator,
// DCs and disabled accounts aside; a UPN prefix counts as a name of its own.
TEST(AdsAssessment, PrivilegedLogonNamesLeaveOutTheBuiltInAdministrator) {
  auto d = lab("degraded-bk");
  d.modify("CN=bk-temp-admin,CN=Users," + kDomain, "userPrincipalName", {"Temp.Admin@backup.lab"});
  ads_assessment a("directory/backup-lab", kCaptureTime);
  testing::drive(a, d);
  EXPECT_EQ(a.privileged_logon_names(),
            (std::vector<std::string>{"bk-admin", "bk-temp-admin", "temp.admin"}));
}

// The configuration naming context's head is judged with the domain's (DCSync rights are read on
// the domain head only).
TEST(AdsAssessment, ControlOfTheConfigurationHeadIsNamed) {
  auto d = lab("compliant-bk");
  const std::string config = "CN=Configuration," + kDomain;
  d.modify(config, "nTSecurityDescriptor",
           {testing::fixture_text("directory/sd/backup-lab-dc-control.bin")});
  EXPECT_EQ(
      list_of(assess(d), "permissions_naming_context"),
      std::vector<std::string>{"svc-veeam (" + kDomainSid + "-1104) holds WriteDacl on " + config});
  d.modify(config, "nTSecurityDescriptor", {});
  const auto out = assess(d);
  const auto& f = out.facts.at("directory.ads.permissions_naming_context");
  EXPECT_FALSE(f.value);
  EXPECT_THAT(f.error, ::testing::HasSubstr("no readable nTSecurityDescriptor on " + config));
}

// The heads of the DNS application partitions are naming contexts too.
TEST(AdsAssessment, ControlOfADnsPartitionHeadIsNamed) {
  for (const auto* partition : {"DC=DomainDnsZones,", "DC=ForestDnsZones,"}) {
    auto d = lab("compliant-bk");
    const auto head = partition + kDomain;
    d.modify(head, "nTSecurityDescriptor",
             {testing::fixture_text("directory/sd/backup-lab-dc-control.bin")});
    EXPECT_EQ(
        list_of(assess(d), "permissions_naming_context"),
        std::vector<std::string>{"svc-veeam (" + kDomainSid + "-1104) holds WriteDacl on " + head});
  }
}

TEST(AdsAssessment, ControlOfADomainControllerObjectIsNamed) {
  auto d = lab("compliant-bk");
  const std::string dc = "CN=BKDC1,OU=Domain Controllers," + kDomain;
  d.modify(dc, "nTSecurityDescriptor",
           {testing::fixture_text("directory/sd/backup-lab-dc-control.bin")});
  const auto out = assess(d);
  EXPECT_EQ(
      list_of(out, "permissions_dc"),
      std::vector<std::string>{"svc-veeam (" + kDomainSid + "-1104) holds WriteDacl on " + dc});
}

// Privileged accounts and groups: control by an ordinary account, an ordinary owner, and the
// descriptors the capture does not hold (read without SD_FLAGS) are each findings.
TEST(AdsAssessment, ControlAndOwnersOfPrivilegedObjectsAndUnreadableDescriptors) {
  auto d = lab("compliant-bk");
  const std::string admin = "CN=bk-admin,CN=Users," + kDomain;
  const std::string administrator = "CN=Administrator,CN=Users," + kDomain;
  d.modify(admin, "nTSecurityDescriptor",
           {testing::fixture_text("directory/sd/backup-lab-dc-control.bin")});
  d.modify(administrator, "nTSecurityDescriptor",
           {testing::fixture_text("directory/sd/backup-lab-owned-by-user.bin")});
  const auto out = assess(d);
  const std::string veeam = "svc-veeam (" + kDomainSid + "-1104)";
  EXPECT_EQ(list_of(out, "privileged_members_perm"),
            (std::vector<std::string>{veeam + " owns " + administrator,
                                      veeam + " holds WriteDacl on " + admin}));
  EXPECT_EQ(list_of(out, "owner"),
            std::vector<std::string>{administrator + " is owned by " + veeam});
  const auto unread = list_of(out, "sd_failed_sd_read_on_priv");
  EXPECT_THAT(unread,
              ::testing::Contains("Domain Admins (CN=Domain Admins,CN=Users," + kDomain + ")"));
  EXPECT_THAT(unread, ::testing::Not(::testing::Contains(::testing::HasSubstr(admin))));
  EXPECT_THAT(unread, ::testing::Not(::testing::Contains(::testing::HasSubstr(administrator))));
}

// A longer control path: bk-operator controls svc-veeam, which controls the Domain Admin bk-admin.
// Each step is named; the walk stops at a privileged trustee and at a trustee already followed
// (svc-veeam also controls bk-operator: that cycle adds nothing).
TEST(AdsAssessment, ControlPathsOntoPrivilegedAccountsAreFollowed) {
  auto d = lab("compliant-bk");
  const std::string admin = "CN=bk-admin,CN=Users," + kDomain;
  const std::string veeam_dn = "CN=svc-veeam,CN=Users," + kDomain;
  const std::string operator_dn = "CN=bk-operator,CN=Users," + kDomain;
  d.modify(admin, "nTSecurityDescriptor",
           {testing::fixture_text("directory/sd/backup-lab-dc-control.bin")});
  d.modify(veeam_dn, "nTSecurityDescriptor",
           {testing::fixture_text("directory/sd/backup-lab-user-control.bin")});
  d.modify(operator_dn, "nTSecurityDescriptor",  // svc-veeam controls bk-operator: a cycle
           {testing::fixture_text("directory/sd/backup-lab-dc-control.bin")});
  const auto out = assess(d);
  const std::string veeam = "svc-veeam (" + kDomainSid + "-1104)";
  const std::string op = "bk-operator (" + kDomainSid + "-1105)";
  const std::string first = "holds WriteDacl on " + admin;
  EXPECT_EQ(list_of(out, "privileged_members_perm"),
            (std::vector<std::string>{veeam + " " + first, op + " holds GenericAll on " + veeam_dn +
                                                               ", which " + first}));
  const auto& f = out.facts.at("directory.ads.privileged_members_perm");
  EXPECT_THAT(f.evidence, ::testing::Contains("directory/backup-lab/control-paths"));

  // Without anyone controlling a privileged object, nothing is walked.
  auto compliant = lab("compliant-bk");
  const auto clean = assess(compliant);
  EXPECT_EQ(list_of(clean, "privileged_members_perm"), std::vector<std::string>{});
  EXPECT_THAT(clean.facts.at("directory.ads.privileged_members_perm").evidence,
              ::testing::Not(::testing::Contains("directory/backup-lab/control-paths")));
}

// A head whose descriptor is absent or unreadable (an account the DC will not show it to) is
// missing evidence, never a pass.
TEST(AdsAssessment, AnUnreadableHeadDescriptorIsMissingNeverPassing) {
  for (const std::vector<std::string>& value :
       {std::vector<std::string>{}, std::vector<std::string>{std::string("\x01\x00\x04", 3)}}) {
    auto d = lab("compliant-bk");
    d.modify(kDomain, "nTSecurityDescriptor", value);
    const auto out = assess(d);
    const auto& f = out.facts.at("directory.ads.permissions_naming_context");
    EXPECT_FALSE(f.value);
    EXPECT_NE(f.error.find("no readable nTSecurityDescriptor on DC=backup,DC=lab"),
              std::string::npos)
        << f.error;
  }
}

TEST(AdsAssessment, DegradedBackupLabChangesExactlyTheScenarioControls) {
  auto clean = lab("compliant-bk");
  auto degraded = lab("degraded-bk");
  const auto before = assess(clean);
  const auto after = assess(degraded);
  std::set<std::string> changed;
  for (const auto& [name, f] : after.facts) {
    if (f.value != before.facts.at(name).value)
      changed.insert(name.substr(std::string("directory.ads.").size()));
  }
  EXPECT_EQ(changed, (std::set<std::string>{
                         "delegation_t4d",                    // bk-unconstrained-delegation
                         "kerberos_properties_preauth_priv",  // bk-asrep-admin
                         "kerberos_properties_preauth",
                         "spn_priv",  // bk-spn-admin
                         "kerberos_properties_encryption",
                         "krbtgt_password_age_days",  // bk-krbtgt-stale
                         "guest",                     // bk-guest-enabled
                         "dont_expire_percent",       // Guest has DONT_EXPIRE_PASSWORD
                         "privileged_members_count",  // bk-extra-domain-admin
                         "privileged_members_no_admincount",
                         "privileged_members_password",
                         "protected_users",
                         "silo_priv",
                         // the captures hold no descriptor of the privileged objects (read without
                         // SD_FLAGS): bk-temp-admin is one more unreadable
                         "sd_failed_sd_read_on_priv",
                     }));
  EXPECT_EQ(list_of(after, "delegation_t4d"), std::vector<std::string>{"LAB-APPSRV$"});
  EXPECT_EQ(list_of(after, "kerberos_properties_preauth_priv"),
            std::vector<std::string>{"bk-admin"});
  EXPECT_EQ(list_of(after, "spn_priv"), std::vector<std::string>{"bk-admin"});
  EXPECT_EQ(list_of(after, "guest"), std::vector<std::string>{"Guest"});
  EXPECT_EQ(value_of(after, "krbtgt_password_age_days"), 730);
  EXPECT_EQ(value_of(after, "privileged_members_count"), 2);
  EXPECT_THAT(list_of(after, "sd_failed_sd_read_on_priv"),
              ::testing::Contains("bk-temp-admin (CN=bk-temp-admin,CN=Users," + kDomain + ")"));
  EXPECT_EQ(list_of(after, "privileged_members_no_admincount"),
            (std::vector<std::string>{"bk-admin", "bk-temp-admin"}));
}

TEST(AdsAssessment, EvidenceNamesTheQueryAndTheDecodedDecidingEntries) {
  auto d = lab("degraded-bk");
  const auto out = assess(d);
  const auto& t4d = out.facts.at("directory.ads.delegation_t4d");
  ASSERT_EQ(t4d.evidence, std::vector<std::string>{"directory/backup-lab/accounts"});
  std::set<std::string> ids;
  for (const auto& e : out.evidence) {
    EXPECT_TRUE(ids.insert(e.id).second) << "duplicate evidence " << e.id;
    EXPECT_EQ(e.sha256, sha256_hex(e.content));
  }
  for (const auto& [name, f] : out.facts) {
    for (const auto& id : f.evidence)
      EXPECT_TRUE(ids.count(id)) << name << " cites unknown evidence " << id;
  }
  const auto accounts = std::find_if(out.evidence.begin(), out.evidence.end(),
                                     [](const evidence& e) { return e.id.ends_with("/accounts"); });
  ASSERT_NE(accounts, out.evidence.end());
  EXPECT_NE(accounts->content.find("filter=(objectClass=user)"), std::string::npos);
  EXPECT_NE(accounts->content.find("CN=LAB-APPSRV,CN=Computers,DC=backup,DC=lab\n  "
                                   "sAMAccountName=LAB-APPSRV$ objectSid=" +
                                   kDomainSid +
                                   "-1110 userAccountControl=528384 "
                                   "(WORKSTATION_TRUST_ACCOUNT|TRUSTED_FOR_DELEGATION)"),
            std::string::npos)
      << accounts->content;
  EXPECT_NE(accounts->content.find("pwdLastSet=2024-11-29 (730 d)"), std::string::npos);
  // Accounts that decide nothing are not copied into the evidence.
  EXPECT_EQ(accounts->content.find("bk-operator"), std::string::npos);
}

TEST(AdsAssessment, AFailedSearchMakesItsFactsMissingAndLeavesTheOthers) {
  auto d = lab("compliant-bk");
  d.fail_base("CN=Directory Service,CN=Windows NT,CN=Services,CN=Configuration," + kDomain);
  d.fail_base("CN=AdminSDHolder,CN=System," + kDomain);
  const auto out = assess(d);
  const auto& heuristics = out.facts.at("directory.ads.dsheuristics_bad");
  EXPECT_FALSE(heuristics.value);
  EXPECT_NE(heuristics.error.find("refused by the test"), std::string::npos) << heuristics.error;
  EXPECT_FALSE(out.facts.at("directory.ads.dsheuristics_bad_level2").value);
  EXPECT_EQ(value_of(out, "guest"), json::array());
  // Failing to read a critical object is itself the level-1 finding.
  const auto critical = list_of(out, "critical_objects");
  ASSERT_EQ(critical.size(), 1u);
  EXPECT_TRUE(critical[0].starts_with("CN=AdminSDHolder (LDAP search adminsdholder"));
}

TEST(AdsAssessment, AnUnreadableRootDseStopsTheStagesAndEveryFactIsMissing) {
  auto d = lab("compliant-bk");
  d.fail_base("");
  const auto out = assess(d);
  EXPECT_EQ(d.asked().size(), 1u);
  EXPECT_EQ(out.facts.size(), ads_fact_specs().size());
  for (const auto& [name, f] : out.facts)
    EXPECT_FALSE(f.value) << name;
  EXPECT_NE(out.facts.at("directory.ads.guest").error.find("was not run"), std::string::npos);
}

TEST(AdsAssessment, EveryFactSpecIsProducedAndNothingElse) {
  auto d = lab("compliant-bk");
  const auto out = assess(d);
  std::set<std::string> specs;
  for (const auto& s : ads_fact_specs())
    EXPECT_TRUE(specs.insert(std::string(s.name)).second) << s.name;
  std::set<std::string> produced;
  for (const auto& [name, f] : out.facts)
    produced.insert(name);
  EXPECT_EQ(produced, specs);
}

ldap_entry entry(std::string dn, std::map<std::string, std::vector<std::string>> attributes) {
  ldap_entry e{std::move(dn), {}};
  for (auto& [k, v] : attributes)
    e.attributes[k] = std::move(v);
  return e;
}

ldap_entry user(const std::string& name, std::uint32_t uac, std::uint32_t rid,
                std::map<std::string, std::vector<std::string>> more = {}) {
  more["objectClass"] = {"top", "person", "user"};
  more["sAMAccountName"] = {name};
  more["userAccountControl"] = {std::to_string(uac)};
  more["objectSid"] = {testing::sid_bytes(kDomainSid + "-" + std::to_string(rid))};
  more.insert({"pwdLastSet", {"134403802633941920"}});  // 2026-11-28, unless given
  more.insert({"whenCreated", {"20261128225743.0Z"}});
  more.insert({"primaryGroupID", {"513"}});
  return entry("CN=" + name + ",CN=Users," + kDomain, std::move(more));
}

TEST(AdsAssessment, HandMadeEdgeCases) {
  auto d = lab("compliant-bk");
  const std::string da = "CN=Domain Admins,CN=Users," + kDomain;
  // A group nested in Domain Admins: its member is privileged although nothing sets adminCount.
  // (member and its memberOf back link kept consistent, as the directory keeps them)
  d.add(entry("CN=Helpdesk,CN=Users," + kDomain,
              {{"objectClass", {"top", "group"}},
               {"sAMAccountName", {"Helpdesk"}},
               {"objectSid", {testing::sid_bytes(kDomainSid + "-2000")}},
               {"member", {"CN=hd-user,CN=Users," + kDomain}},
               {"memberOf", {da}}}));
  d.modify(da, "member",
           {"CN=bk-admin,CN=Users," + kDomain, "CN=Administrator,CN=Users," + kDomain,
            "CN=Helpdesk,CN=Users," + kDomain});
  // hd-user has a strict fine-grained password policy (PSO).
  const std::string pso = "CN=Admins PSO,CN=Password Settings Container,CN=System," + kDomain;
  d.add(entry(pso, {{"objectClass", {"top", "msDS-PasswordSettings"}},
                    {"msDS-MinimumPasswordLength", {"14"}},
                    {"msDS-MaximumPasswordAge", {"-77760000000000"}}}));  // 90 days
  d.add(user("hd-user", 0x10200, 2001,
             {{"memberOf", {"CN=Helpdesk,CN=Users," + kDomain}}, {"msDS-ResultantPSO", {pso}}}));
  // adminCount alone does not make an account privileged.
  d.add(user("old-admin", 0x200, 2002, {{"adminCount", {"1"}}}));
  // A hidden Domain Admin by primary group.
  d.add(user("hidden-da", 0x200, 2003, {{"primaryGroupID", {"512"}}}));
  // Constrained delegation with protocol transition to the DC.
  d.add(user("app2", 0x1000200, 2004, {{"msDS-AllowedToDelegateTo", {"cifs/BKDC1.backup.lab"}}}));
  d.add(user("app3", 0x200, 2005, {{"msDS-AllowedToDelegateTo", {"http/web.backup.lab"}}}));
  // sIDHistory with a builtin SID, and with an ordinary one.
  d.add(user("migrated", 0x200, 2006, {{"sIDHistory", {testing::sid_bytes("S-1-5-32-544")}}}));
  d.add(user("migrated2", 0x200, 2007,
             {{"sIDHistory", {testing::sid_bytes("S-1-5-21-1-2-3-1500")}}}));
  // A dormant account: password four years old, never logged on, created four years ago.
  d.add(user("dormant", 0x200, 2008,
             {{"pwdLastSet", {"133143840000000000"}}, {"whenCreated", {"20221201000000.0Z"}}}));
  // dSHeuristics: 7 = 2 (level 2), 8 = 1 and 16 = 1 (level 1).
  d.modify("CN=Directory Service,CN=Windows NT,CN=Services,CN=Configuration," + kDomain,
           "dSHeuristics", {"0000002100000001"});
  // Anonymous in Pre-Windows 2000 Compatible Access.
  d.modify("CN=Pre-Windows 2000 Compatible Access,CN=Builtin," + kDomain, "member",
           {"CN=S-1-5-11,CN=ForeignSecurityPrincipals," + kDomain,
            "CN=S-1-5-7,CN=ForeignSecurityPrincipals," + kDomain});
  // Trusts: outbound external without quarantine, outbound forest with SID history, inbound
  // forest with TGT delegation.
  const auto trust = [&](const std::string& partner, const char* direction,
                         const char* attributes) {
    d.add(entry("CN=" + partner + ",CN=System," + kDomain,
                {{"objectClass", {"top", "leaf", "trustedDomain"}},
                 {"trustPartner", {partner}},
                 {"flatName", {"X"}},
                 {"trustDirection", {direction}},
                 {"trustAttributes", {attributes}}}));
  };
  trust("ext.example", "2", "0");
  trust("quarantined.example", "2", "4");
  trust("sidh.example", "3", "72");
  trust("deleg.example", "1", "2056");
  // DNS zones in the application partitions.
  const auto zone = [&](const std::string& dn, const std::string& name, unsigned char update) {
    std::string property;
    for (const std::uint32_t v : {1u, 1u, 0u, 1u, 2u}) {
      for (int i = 0; i < 4; ++i)
        property += static_cast<char>((v >> (8 * i)) & 0xFF);
    }
    property += static_cast<char>(update);
    property += '\0';
    d.add(entry(
        dn, {{"objectClass", {"top", "dnsZone"}}, {"name", {name}}, {"dNSProperty", {property}}}));
  };
  zone("DC=backup.lab,CN=MicrosoftDNS,DC=DomainDnsZones," + kDomain, "backup.lab", 1);
  zone("DC=_msdcs.backup.lab,CN=MicrosoftDNS,DC=ForestDnsZones," + kDomain, "_msdcs.backup.lab", 2);
  zone("DC=other.lab,CN=MicrosoftDNS,DC=DomainDnsZones," + kDomain, "other.lab", 1);

  const auto out = assess(d);
  EXPECT_EQ(value_of(out, "privileged_members_count"), 3);  // bk-admin, hd-user, hidden-da
  EXPECT_EQ(list_of(out, "dont_expire_priv"), std::vector<std::string>{"hd-user"});
  EXPECT_EQ(list_of(out, "privileged_members_no_admincount"),
            (std::vector<std::string>{"bk-admin", "hd-user", "hidden-da"}));
  EXPECT_EQ(
      list_of(out, "privileged_members_password"),
      (std::vector<std::string>{"Administrator (domain policy: minimum length 7, maximum age 42 d)",
                                "bk-admin (domain policy: minimum length 7, maximum age 42 d)",
                                "hidden-da (domain policy: minimum length 7, maximum age 42 d)"}));
  EXPECT_EQ(list_of(out, "primary_group_id_1000"),
            std::vector<std::string>{"hidden-da (primaryGroupID 512)"});
  EXPECT_EQ(list_of(out, "delegation_a2d2"),
            std::vector<std::string>{"app2 -> cifs/BKDC1.backup.lab"});
  EXPECT_EQ(list_of(out, "delegation_t2a4d"),
            std::vector<std::string>{"app2 -> cifs/BKDC1.backup.lab"});
  EXPECT_EQ(list_of(out, "sidhistory_dangerous"),
            std::vector<std::string>{"migrated (S-1-5-32-544)"});
  EXPECT_EQ(list_of(out, "sidhistory_present").size(), 2u);
  EXPECT_EQ(value_of(out, "dormant_accounts_percent"), 8);  // 1 of 14 enabled accounts, rounded up
  EXPECT_EQ(list_of(out, "dsheuristics_bad"),
            (std::vector<std::string>{"fAllowAnonNSPI (character 8) = 1",
                                      "dwAdminSDExMask (character 16) = 1"}));
  EXPECT_EQ(list_of(out, "dsheuristics_bad_level2"),
            std::vector<std::string>{"fLDAPBlockAnonOps (character 7) = 2"});
  EXPECT_EQ(list_of(out, "compatible_2000_anonymous"),
            std::vector<std::string>{"CN=S-1-5-7,CN=ForeignSecurityPrincipals," + kDomain});
  EXPECT_EQ(list_of(out, "trusts_domain_notfiltered"),
            std::vector<std::string>{"ext.example (X, outbound, )"});
  EXPECT_EQ(list_of(out, "trusts_forest_sidhistory"),
            std::vector<std::string>{
                "sidh.example (X, bidirectional, FOREST_TRANSITIVE|TREAT_AS_EXTERNAL)"});
  EXPECT_EQ(
      list_of(out, "trusts_tgt_deleg"),
      std::vector<std::string>{"deleg.example (X, inbound, "
                               "FOREST_TRANSITIVE|CROSS_ORGANIZATION_ENABLE_TGT_DELEGATION)"});
  EXPECT_EQ(list_of(out, "dnszone_bad_prop"), std::vector<std::string>{"backup.lab"});
  EXPECT_EQ(list_of(out, "dnszone_bad_prop_all"),
            (std::vector<std::string>{"backup.lab", "other.lab"}));
}

TEST(AdsAssessment, AgesAreMeasuredAtTheGivenTime) {
  auto d = lab("compliant-bk");
  const auto out = assess(d, kCaptureTime + days(100));
  EXPECT_EQ(value_of(out, "krbtgt_password_age_days"), 100);
  EXPECT_EQ(value_of(out, "dc_password_max_age_days"), 100);
  EXPECT_EQ(value_of(out, "dc_max_inactive_days"), 100);  // BKDC1 never logged on: since creation
  EXPECT_EQ(value_of(out, "privileged_password_max_age_days"), 100);
  // Each measure names its account in the measures evidence, which the fact cites.
  const auto& priv = out.facts.at("directory.ads.privileged_password_max_age_days");
  ASSERT_EQ(priv.evidence.back(), "directory/backup-lab/measures");
  const auto measures = std::find_if(out.evidence.begin(), out.evidence.end(),
                                     [](const evidence& e) { return e.id.ends_with("/measures"); });
  ASSERT_NE(measures, out.evidence.end());
  EXPECT_NE(measures->content.find("privileged_password_max_age_days = 100 (Administrator)\n"),
            std::string::npos)
      << measures->content;
  EXPECT_NE(measures->content.find("dc_password_max_age_days = 100 (BKDC1$)\n"), std::string::npos);
}

}  // namespace
}  // namespace cloison
