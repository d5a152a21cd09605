#include "probes/host/linux_identity_parsers.h"
#include "tests/support.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace cloison {
namespace {

using strings = std::vector<std::string>;

std::string fixture(const std::string& name) {
  return testing::fixture_text("host/identity/" + name);
}

// --- realm list --------------------------------------------------------------------------------

TEST(LinuxIdentityRealmList, ReadsSssdJoinWithPermittedLoginsAndGroups) {
  const auto realms = parse_realm_list(fixture("realm_list_joined.txt"));
  ASSERT_EQ(realms.size(), 1u);
  const auto& r = realms.front();
  EXPECT_EQ(r.name, "prod.lab");
  EXPECT_EQ(r.type, "kerberos");
  EXPECT_EQ(r.realm_name, "PROD.LAB");
  EXPECT_EQ(r.domain_name, "prod.lab");
  EXPECT_EQ(r.configured, "kerberos-member");
  EXPECT_EQ(r.server_software, "active-directory");
  EXPECT_EQ(r.client_software, "sssd");
  EXPECT_EQ(r.required_packages, (strings{"sssd-tools", "sssd", "libnss-sss", "libpam-sss", "adcli",
                                          "samba-common-bin"}));
  EXPECT_EQ(r.login_formats, strings{"%U@prod.lab"});
  EXPECT_EQ(r.login_policy, "allow-permitted-logins");
  EXPECT_EQ(r.permitted_logins, (strings{"jdoe@prod.lab", "svc-backup@prod.lab"}));
  EXPECT_EQ(r.permitted_groups, (strings{"Linux Admins@prod.lab", "Domain Admins@prod.lab"}));
}

TEST(LinuxIdentityRealmList, ReadsWinbindJoin) {
  const auto realms = parse_realm_list(fixture("realm_list_winbind.txt"));
  ASSERT_EQ(realms.size(), 1u);
  EXPECT_EQ(realms[0].client_software, "winbind");
  EXPECT_EQ(realms[0].login_formats, strings{"PROD\\%U"});
  EXPECT_EQ(realms[0].login_policy, "allow-any-login");
  EXPECT_TRUE(realms[0].permitted_logins.empty());
  EXPECT_TRUE(realms[0].permitted_groups.empty());
}

TEST(LinuxIdentityRealmList, HostJoinedToNothingGivesNoRealm) {
  EXPECT_TRUE(parse_realm_list(fixture("realm_list_empty.txt")).empty());
  EXPECT_TRUE(parse_realm_list("").empty());
}

TEST(LinuxIdentityRealmList, DiscoveredButNotConfiguredRealmsAreNotJoined) {
  EXPECT_TRUE(parse_realm_list(fixture("realm_discover_not_joined.txt")).empty());
  EXPECT_TRUE(parse_realm_list(fixture("realm_list_all_not_joined.txt")).empty());
}

TEST(LinuxIdentityRealmList, SeveralRealmsAndMalformedLines) {
  const auto realms = parse_realm_list(
      "  orphan: before any heading\n"
      "a.lab\n  configured: kerberos-member\n  no colon here\n  client-software: sssd\n"
      "b.lab\n  configured: no\n"
      "c.lab\n  realm-name: C.LAB\n"  // no configured line: not joined
      "d.lab\r\n  configured: kerberos-member\r\n");
  ASSERT_EQ(realms.size(), 2u);
  EXPECT_EQ(realms[0].name, "a.lab");
  EXPECT_EQ(realms[0].client_software, "sssd");
  EXPECT_EQ(realms[1].name, "d.lab");
  EXPECT_EQ(realms[1].configured, "kerberos-member");
}

// --- sssd.conf ---------------------------------------------------------------------------------

TEST(LinuxIdentitySssd, ReadsDomainWrittenByRealmJoin) {
  const auto c = parse_sssd_conf(fixture("sssd_joined_prod.conf"));
  EXPECT_EQ(c.domains, strings{"prod.lab"});
  ASSERT_EQ(c.domain_sections.size(), 1u);
  const auto& d = c.domain_sections.front();
  EXPECT_EQ(d.name, "prod.lab");
  EXPECT_TRUE(d.listed);
  EXPECT_EQ(d.id_provider, "ad");
  EXPECT_EQ(d.auth_provider, "");  // not written: sssd uses id_provider, the check decides
  EXPECT_EQ(d.access_provider, "simple");
  EXPECT_EQ(d.ad_domain, "prod.lab");
  EXPECT_EQ(d.krb5_realm, "PROD.LAB");
  EXPECT_EQ(d.ldap_uri, "");
  EXPECT_EQ(d.options.at("simple_allow_groups"), "Linux Admins@prod.lab, Domain Admins@prod.lab");
  EXPECT_EQ(d.options.at("realmd_tags"), "manages-system joined-with-adcli");
  EXPECT_EQ(d.options.at("use_fully_qualified_names"), "True");
}

TEST(LinuxIdentitySssd, AfterRealmLeaveNoDomainRemains) {
  const auto c = parse_sssd_conf(fixture("sssd_after_leave.conf"));
  EXPECT_TRUE(c.domains.empty());
  EXPECT_TRUE(c.domain_sections.empty());
  EXPECT_TRUE(parse_sssd_conf("").domain_sections.empty());
}

TEST(LinuxIdentitySssd, LdapDomainsListOrderCaseAndUnlistedSections) {
  const auto c = parse_sssd_conf(
      "; comment\n[SSSD]\nDomains = prod.lab ,  LDAP\n"
      "[domain/LDAP]\nID_Provider = ldap\nauth_provider = krb5\n"
      "ldap_uri = ldaps://ldap1.prod.lab, ldaps://ldap2.prod.lab\n"
      "  krb5_realm = PROD.LAB  \n"
      "not a key line\n= no key\n"
      "[domain/old.lab]\nid_provider = ad\n"
      "[nss]\nid_provider = files\n"
      "[domain/LDAP]\nid_provider = proxy\n");  // repeated section: merged, last value wins
  EXPECT_EQ(c.domains, (strings{"prod.lab", "LDAP"}));
  ASSERT_EQ(c.domain_sections.size(), 2u);
  EXPECT_EQ(c.domain_sections[0].name, "LDAP");
  EXPECT_TRUE(c.domain_sections[0].listed);
  EXPECT_EQ(c.domain_sections[0].id_provider, "proxy");
  EXPECT_EQ(c.domain_sections[0].auth_provider, "krb5");
  EXPECT_EQ(c.domain_sections[0].ldap_uri, "ldaps://ldap1.prod.lab, ldaps://ldap2.prod.lab");
  EXPECT_EQ(c.domain_sections[0].krb5_realm, "PROD.LAB");
  EXPECT_EQ(c.domain_sections[1].name, "old.lab");
  EXPECT_FALSE(c.domain_sections[1].listed);
}

// --- krb5.conf ---------------------------------------------------------------------------------

TEST(LinuxIdentityKrb5, BackupRealmWithStaticKdcs) {
  const auto k = parse_krb5_conf(fixture("krb5_backup.conf"));
  EXPECT_EQ(k.default_realm, "BACKUP.LAB");
  ASSERT_FALSE(k.realms.empty());
  EXPECT_EQ(k.realms[0].name, "BACKUP.LAB");
  EXPECT_EQ(k.realms[0].kdcs, (strings{"kdc1.backup.lab", "kdc2.backup.lab"}));
  EXPECT_EQ(k.realms[0].admin_server, "kdc1.backup.lab");
  EXPECT_EQ(k.libdefaults.at("rdns"), "false");
}

TEST(LinuxIdentityKrb5, RealmJoinSetsDefaultRealmWithoutStanza) {
  const auto k = parse_krb5_conf(fixture("krb5_prod.conf"));
  EXPECT_EQ(k.default_realm, "PROD.LAB");
  EXPECT_EQ(k.libdefaults.at("udp_preference_limit"), "0");
  EXPECT_EQ(k.realms.size(), 10u);  // krb5-config's example realms, none is PROD.LAB
  for (const auto& r : k.realms)
    EXPECT_NE(r.name, "PROD.LAB");
  EXPECT_EQ(k.realms[0].name, "ATHENA.MIT.EDU");
  EXPECT_EQ(k.realms[0].kdcs,
            (strings{"kerberos.mit.edu", "kerberos-1.mit.edu", "kerberos-2.mit.edu:88"}));
  EXPECT_EQ(k.realms[0].default_domain, "mit.edu");
  EXPECT_EQ(k.domain_realm.at(".mit.edu"), "ATHENA.MIT.EDU");
  EXPECT_EQ(k.domain_realm.at(".utoronto.ca"), "UTORONTO.CA");  // space-indented lines
}

TEST(LinuxIdentityKrb5, StaticProductionKdcs) {
  const auto k = parse_krb5_conf(fixture("krb5_prod_static_kdc.conf"));
  EXPECT_EQ(k.default_realm, "PROD.LAB");
  ASSERT_FALSE(k.realms.empty());
  EXPECT_EQ(k.realms[0].name, "PROD.LAB");
  EXPECT_EQ(k.realms[0].kdcs, (strings{"dc1.prod.lab", "dc2.prod.lab"}));
  EXPECT_EQ(k.realms[0].admin_server, "dc1.prod.lab");
}

TEST(LinuxIdentityKrb5, SambaGeneratedFileWithUnindentedStanza) {
  const auto k = parse_krb5_conf(fixture("krb5_samba_dc_generated.conf"));
  EXPECT_EQ(k.default_realm, "PROD.LAB");
  ASSERT_EQ(k.realms.size(), 1u);
  EXPECT_EQ(k.realms[0].default_domain, "prod.lab");
  EXPECT_TRUE(k.realms[0].kdcs.empty());
  EXPECT_EQ(k.domain_realm.at("dc1"), "PROD.LAB");
  EXPECT_EQ(k.libdefaults.at("dns_lookup_kdc"), "true");
}

TEST(LinuxIdentityKrb5, NestedStanzasFinalMarkersQuotesAndIncludes) {
  const auto k = parse_krb5_conf(
      "include /etc/krb5.conf.d/extra.conf\nincludedir /etc/krb5.conf.d/\n"
      "[libdefaults]\n  default_realm* = \"PROD.LAB\"\n  default_realm = OTHER.LAB\n"
      "  PROD.LAB = {\n    forwardable = false\n  }\n"
      "[realms]\n PROD.LAB = {\n  kdc = dc1.prod.lab\n  auth_to_local_names = {\n"
      "   kdc = not-a-kdc\n  }\n  kdc = dc2.prod.lab\n  admin_server = dc1.prod.lab\n"
      "  admin_server = dc9.prod.lab\n }\n"
      " PROD.LAB = {\n  kdc = dc3.prod.lab\n }\n"
      "; comment = yes\n# kdc = x\n"
      "[domain_realm]\n .prod.lab = PROD.LAB\n prod.lab = PROD.LAB\n garbage line\n");
  EXPECT_EQ(k.default_realm, "PROD.LAB");  // first value wins, quotes removed
  EXPECT_EQ(k.libdefaults.count("forwardable"), 0u);
  ASSERT_EQ(k.realms.size(), 1u);
  EXPECT_EQ(k.realms[0].kdcs, (strings{"dc1.prod.lab", "dc2.prod.lab", "dc3.prod.lab"}));
  EXPECT_EQ(k.realms[0].admin_server, "dc1.prod.lab");
  EXPECT_EQ(k.domain_realm.size(), 2u);
  EXPECT_EQ(k.includes, (strings{"/etc/krb5.conf.d/extra.conf", "/etc/krb5.conf.d/"}));
}

TEST(LinuxIdentityKrb5, EmptyText) {
  const auto k = parse_krb5_conf("");
  EXPECT_EQ(k.default_realm, "");
  EXPECT_TRUE(k.realms.empty());
}

// --- smb.conf ----------------------------------------------------------------------------------

TEST(LinuxIdentitySmb, DebianDefaultIsStandalone) {
  const auto s = parse_smb_conf(fixture("smb_standalone.conf"));
  EXPECT_EQ(s.security, "");
  EXPECT_EQ(s.server_role, "standalone server");
  EXPECT_EQ(s.realm, "");
  EXPECT_EQ(s.workgroup, "WORKGROUP");
  EXPECT_EQ(s.parameters.at("maptoguest"), "bad user");
  EXPECT_EQ(s.parameters.count("path"), 0u);  // share parameters are not global
}

TEST(LinuxIdentitySmb, WinbindJoinWrittenByRealmd) {
  const auto s = parse_smb_conf(fixture("smb_ads_winbind.conf"));
  EXPECT_EQ(s.security, "ads");
  EXPECT_EQ(s.realm, "PROD.LAB");
  EXPECT_EQ(s.workgroup, "PROD");
  EXPECT_EQ(s.parameters.at("kerberosmethod"), "secrets and keytab");
  EXPECT_EQ(s.parameters.at("idmapconfigprod:backend"), "rid");
}

TEST(LinuxIdentitySmb, TestparmOutputReadsTheSame) {
  const auto raw = parse_smb_conf(fixture("smb_ads_winbind.conf"));
  const auto tp = parse_smb_conf(fixture("smb_ads_winbind_testparm.txt"));
  EXPECT_EQ(tp.security, raw.security);  // testparm prints "ADS"
  EXPECT_EQ(tp.realm, raw.realm);
  EXPECT_EQ(tp.workgroup, raw.workgroup);
}

TEST(LinuxIdentitySmb, SambaSyntaxAsTestparmReadsIt) {
  const auto s = parse_smb_conf(fixture("smb_edge_syntax.conf"));
  EXPECT_EQ(s.workgroup, "PROD");  // "Work Group" in "[ Global ]" overrides the earlier value
  EXPECT_EQ(s.security, "ads");
  EXPECT_EQ(s.realm, "PROD.LAB");  // the [data] realm is not global
  EXPECT_EQ(s.parameters.at("serverstring"), "Backup server");
}

TEST(LinuxIdentitySmb, EmptyAndCommentOnly) {
  EXPECT_TRUE(parse_smb_conf("").parameters.empty());
  EXPECT_TRUE(parse_smb_conf("# security = ads\n; realm = X\n[global]\n").parameters.empty());
}

// --- klist -k ----------------------------------------------------------------------------------

TEST(LinuxIdentityKlist, UniquePrincipalsOfAdcliKeytab) {
  const auto k = parse_klist_keytab(fixture("klist_k_joined.txt"));
  EXPECT_EQ(k.keytab, "FILE:/etc/krb5.keytab");
  ASSERT_EQ(k.principals.size(), 5u);
  EXPECT_EQ(k.principals[0].principal, "BACKUP01$@PROD.LAB");
  EXPECT_EQ(k.principals[0].name, "BACKUP01$");
  EXPECT_EQ(k.principals[0].realm, "PROD.LAB");
  EXPECT_EQ(k.principals[2].principal, "host/backup01.prod.lab@PROD.LAB");
  EXPECT_EQ(k.principals[2].name, "host/backup01.prod.lab");
  EXPECT_EQ(k.principals[4].principal, "RestrictedKrbHost/backup01.prod.lab@PROD.LAB");
}

TEST(LinuxIdentityKlist, TimestampAndEnctypeVariantGivesTheSamePrincipals) {
  const auto plain = parse_klist_keytab(fixture("klist_k_joined.txt"));
  const auto kte = parse_klist_keytab(fixture("klist_kte_joined.txt"));
  ASSERT_EQ(kte.principals.size(), plain.principals.size());
  for (std::size_t i = 0; i < plain.principals.size(); ++i)
    EXPECT_EQ(kte.principals[i].principal, plain.principals[i].principal);
}

TEST(LinuxIdentityKlist, WinbindKeytabKeepsCaseDistinctPrincipals) {
  const auto k = parse_klist_keytab(fixture("klist_k_winbind.txt"));
  ASSERT_EQ(k.principals.size(), 5u);
  EXPECT_EQ(k.principals[0].principal, "host/backup01.prod.lab@PROD.LAB");
  EXPECT_EQ(k.principals[2].principal, "restrictedkrbhost/backup01.prod.lab@PROD.LAB");
  EXPECT_EQ(k.principals[4].principal, "BACKUP01$@PROD.LAB");
  for (const auto& p : k.principals)
    EXPECT_EQ(p.realm, "PROD.LAB");
}

TEST(LinuxIdentityKlist, MissingKeytabAndMalformedLines) {
  const auto missing = parse_klist_keytab(fixture("klist_k_missing.txt"));
  EXPECT_EQ(missing.keytab, "FILE:/etc/krb5.keytab.missing");
  EXPECT_TRUE(missing.principals.empty());
  const auto k = parse_klist_keytab(
      "KVNO Principal\n---- ----\n   2 noatsign\n   x host/a@R\n   3 @R\n   4 h@\n"
      "   5 01/02/26 10:00:00 (aes256-cts-hmac-sha1-96) svc/a@R.LAB\n");
  ASSERT_EQ(k.principals.size(), 1u);
  EXPECT_EQ(k.principals[0].principal, "svc/a@R.LAB");
  EXPECT_TRUE(parse_klist_keytab("").principals.empty());
}

// Found by tests/fuzz/host_outputs (regressions/host_outputs/timeout-25fb…): a carriage return
// inside a line (a separator for the words, not for trim) made the split loop forever.
TEST(LinuxIdentityKlist, ControlCharactersInsideALineSeparateWords) {
  const auto k = parse_klist_keytab("   2 host/a@R\rx\n   3\v\fsvc/b@R \r\n");
  ASSERT_EQ(k.principals.size(), 2u);
  EXPECT_EQ(k.principals[0].principal, "host/a@R");
  EXPECT_EQ(k.principals[1].principal, "svc/b@R");
}

// --- PAM ---------------------------------------------------------------------------------------

const std::map<std::string, std::string>& sss_files() {
  static const std::map<std::string, std::string> files = {
      {"common-auth", fixture("pam_common_auth_sss")},
      {"common-account", fixture("pam_common_account_sss")},
      {"common-session", fixture("pam_common_session_sss")},
      {"common-password", fixture("pam_common_password_sss")}};
  return files;
}

TEST(LinuxIdentityPam, DebianDefaultCommonAuth) {
  const auto s = parse_pam_stack(fixture("pam_common_auth_default"));
  EXPECT_EQ(pam_module_names(s.auth), (strings{"pam_unix", "pam_deny", "pam_permit", "pam_cap"}));
  ASSERT_FALSE(s.auth.empty());
  EXPECT_EQ(s.auth[0].control, "[success=1 default=ignore]");
  EXPECT_EQ(s.auth[0].args, strings{"nullok"});
  EXPECT_EQ(s.auth[0].source, "");
  EXPECT_TRUE(s.account.empty());
  EXPECT_TRUE(s.missing_includes.empty());
}

TEST(LinuxIdentityPam, CommonAuthWithSss) {
  const auto s = parse_pam_stack(fixture("pam_common_auth_sss"));
  EXPECT_EQ(pam_module_names(s.auth),
            (strings{"pam_unix", "pam_sss", "pam_deny", "pam_permit", "pam_cap"}));
  EXPECT_EQ(s.auth[0].control, "[success=2 default=ignore]");
  EXPECT_EQ(s.auth[1].args, strings{"use_first_pass"});
}

TEST(LinuxIdentityPam, WinbindAndSssBothEnabled) {
  const auto s = parse_pam_stack(fixture("pam_common_auth_winbind_sss"));
  EXPECT_EQ(pam_module_names(s.auth),
            (strings{"pam_unix", "pam_winbind", "pam_sss", "pam_deny", "pam_permit", "pam_cap"}));
  EXPECT_EQ(s.auth[1].args,
            (strings{"krb5_auth", "krb5_ccache_type=FILE", "cached_login", "try_first_pass"}));
}

TEST(LinuxIdentityPam, SshdDefaultResolvesIncludesInOrder) {
  std::map<std::string, std::string> files = {{"common-auth", fixture("pam_common_auth_default")}};
  const auto s = parse_pam_stack(fixture("pam_sshd_default"), files);
  EXPECT_EQ(pam_module_names(s.auth), (strings{"pam_unix", "pam_deny", "pam_permit", "pam_cap"}));
  EXPECT_EQ(s.auth[0].source, "common-auth");
  EXPECT_EQ(pam_module_names(s.account), strings{"pam_nologin"});
  EXPECT_EQ(s.missing_includes, (strings{"common-account", "common-session", "common-password"}));
  EXPECT_EQ(pam_module_names(s.session),
            (strings{"pam_selinux", "pam_loginuid", "pam_keyinit", "pam_motd", "pam_motd",
                     "pam_mail", "pam_limits", "pam_env", "pam_env", "pam_selinux"}));
  EXPECT_EQ(s.session[0].control, "[success=ok ignore=ignore module_unknown=ignore default=bad]");
  EXPECT_EQ(s.session[5].args, (strings{"standard", "noenv"}));  // "# [1]" comment dropped
}

TEST(LinuxIdentityPam, SshdOnSssJoinedHostHasDirectoryModulesInEveryType) {
  const auto s = parse_pam_stack(fixture("pam_sshd_default"), sss_files());
  EXPECT_TRUE(s.missing_includes.empty());
  EXPECT_EQ(pam_module_names(s.account), (strings{"pam_nologin", "pam_unix", "pam_deny",
                                                  "pam_permit", "pam_localuser", "pam_sss"}));
  EXPECT_EQ(pam_module_names(s.password),
            (strings{"pam_pwquality", "pam_unix", "pam_sss", "pam_deny", "pam_permit"}));
  for (const auto* list : {&s.auth, &s.account, &s.password, &s.session}) {
    bool directory = false;
    for (const auto& e : *list)
      directory = directory || classify_pam_module(e.module) == pam_module_kind::directory;
    EXPECT_TRUE(directory);
  }
}

TEST(LinuxIdentityPam, SshdWithOathAfterCommonAuth) {
  std::map<std::string, std::string> files = sss_files();
  files["common-auth"] = fixture("pam_common_auth_default");
  const auto s = parse_pam_stack(fixture("pam_sshd_oath"), files);
  EXPECT_EQ(pam_module_names(s.auth),
            (strings{"pam_unix", "pam_deny", "pam_permit", "pam_cap", "pam_oath"}));
  EXPECT_EQ(s.auth.back().control, "requisite");
  EXPECT_EQ(s.auth.back().args, (strings{"usersfile=/etc/users.oath", "window=20", "digits=6"}));
  EXPECT_EQ(classify_pam_module(s.auth.back().module), pam_module_kind::mfa);
}

TEST(LinuxIdentityPam, SudoIncludesAndMissingNoninteractiveSession) {
  const auto s = parse_pam_stack(fixture("pam_sudo_default"), sss_files());
  EXPECT_EQ(pam_module_names(s.session), strings{"pam_limits"});
  EXPECT_EQ(s.missing_includes, strings{"common-session-noninteractive"});
  EXPECT_EQ(s.auth.size(), 5u);
  const auto i = parse_pam_stack(fixture("pam_sudo_i_default"), sss_files());
  EXPECT_TRUE(i.missing_includes.empty());
  EXPECT_EQ(pam_module_names(i.session),
            (strings{"pam_limits", "pam_permit", "pam_deny", "pam_permit", "pam_unix", "pam_sss",
                     "pam_systemd"}));
}

TEST(LinuxIdentityPam, OptionalPrefixTypeCaseAndPaths) {
  const auto s = parse_pam_stack(
      "-session optional pam_systemd.so\n"
      "Auth sufficient /lib/x86_64-linux-gnu/security/pam_krb5.so minimum_uid=1000\n"
      "auth required pam_google_authenticator.so [authtok_prompt=Your secret token: ] nullok\n"
      "auth \\\n  required pam_u2f.so\n"
      "bogus required pam_x.so\nauth required\n# auth required pam_ldap.so\n");
  ASSERT_EQ(s.session.size(), 1u);
  EXPECT_TRUE(s.session[0].optional_prefix);
  EXPECT_EQ(s.session[0].type, "session");
  EXPECT_EQ(pam_module_names(s.auth), (strings{"pam_krb5", "pam_google_authenticator", "pam_u2f"}));
  EXPECT_EQ(s.auth[1].args, (strings{"[authtok_prompt=Your secret token: ]", "nullok"}));
  EXPECT_FALSE(s.auth[0].optional_prefix);
}

TEST(LinuxIdentityPam, RedHatIncludeAndSubstackTakeOneType) {
  const std::map<std::string, std::string> files = {
      {"system-auth",
       "auth sufficient pam_sss.so\naccount required pam_unix.so\nauth required pam_deny.so\n"},
      {"loop", "@include loop\nauth required pam_permit.so\n"}};
  const auto s = parse_pam_stack(
      "auth substack system-auth\naccount include /etc/pam.d/system-auth\n@include loop\n"
      "auth include absent\n",
      files);
  EXPECT_EQ(pam_module_names(s.auth), (strings{"pam_sss", "pam_deny", "pam_permit"}));
  EXPECT_EQ(pam_module_names(s.account), strings{"pam_unix"});
  EXPECT_EQ(s.missing_includes, (strings{"loop", "absent"}));
}

TEST(LinuxIdentityPam, ClassifiesModules) {
  for (const auto* m : {"pam_sss", "pam_winbind.so", "pam_ldap", "/lib/security/pam_krb5.so"})
    EXPECT_EQ(classify_pam_module(m), pam_module_kind::directory) << m;
  for (const auto* m :
       {"pam_oath", "pam_google_authenticator.so", "pam_u2f", "pam_duo", "pam_yubico"})
    EXPECT_EQ(classify_pam_module(m), pam_module_kind::mfa) << m;
  for (const auto* m : {"pam_unix", "pam_sss_gss", "", "pam_ssss", "pam_deny.so"})
    EXPECT_EQ(classify_pam_module(m), pam_module_kind::other) << m;
}

// --- sudoers -----------------------------------------------------------------------------------

TEST(LinuxIdentitySudoers, DebianDefault) {
  const auto f = parse_sudoers(fixture("sudoers_default"));
  ASSERT_EQ(f.rules.size(), 2u);
  EXPECT_EQ(f.rules[0].who, strings{"root"});
  EXPECT_EQ(f.rules[0].hosts, strings{"ALL"});
  EXPECT_EQ(f.rules[0].runas, "ALL:ALL");
  EXPECT_EQ(f.rules[0].commands, strings{"ALL"});
  EXPECT_FALSE(f.rules[0].nopasswd);
  EXPECT_EQ(f.rules[1].who, strings{"%sudo"});
  EXPECT_EQ(f.includes, strings{"/etc/sudoers.d"});
  const std::set<std::string> local = {"sudo", "adm", "root"};
  EXPECT_TRUE(rules_naming_directory_identities(f, local).empty());
  EXPECT_TRUE(parse_sudoers(fixture("sudoers_d_readme")).rules.empty());
}

TEST(LinuxIdentitySudoers, ProductionAdminsDropIn) {
  const auto f = parse_sudoers(fixture("sudoers_d_prod_admins"));
  ASSERT_EQ(f.rules.size(), 7u);
  EXPECT_EQ(f.rules[0].who, strings{"%linux admins@prod.lab"});
  EXPECT_EQ(f.rules[0].runas, "ALL:ALL");
  EXPECT_EQ(f.rules[1].who, strings{"%PROD\\domain admins"});
  EXPECT_TRUE(f.rules[1].nopasswd);
  EXPECT_EQ(f.rules[1].commands, strings{"ALL"});
  // One user specification, two runs of commands: runas and tag change.
  EXPECT_EQ(f.rules[2].who, strings{"%Backup Admins@prod.lab"});
  EXPECT_EQ(f.rules[2].runas, "root");
  EXPECT_TRUE(f.rules[2].nopasswd);
  EXPECT_EQ(f.rules[2].commands, strings{"VEEAM"});
  EXPECT_EQ(f.rules[3].runas, "veeam");
  EXPECT_FALSE(f.rules[3].nopasswd);
  EXPECT_EQ(f.rules[3].commands, strings{"/usr/bin/veeamconfig"});
  EXPECT_EQ(f.rules[3].line, f.rules[2].line);
  EXPECT_EQ(f.rules[4].who, strings{"jdoe@prod.lab"});
  EXPECT_EQ(f.rules[4].hosts, strings{"backup01"});
  EXPECT_EQ(f.rules[5].who, strings{"BACKUP_OPS"});
  EXPECT_EQ(f.rules[5].runas, "");
  EXPECT_TRUE(f.rules[5].nopasswd);
  EXPECT_EQ(f.user_aliases.at("BACKUP_OPS"),
            (strings{"svc-backup@prod.lab", "PROD\\backupop", "localop"}));
  EXPECT_EQ(f.rules[6].who, strings{"%backupadmins"});
}

TEST(LinuxIdentitySudoers, DirectoryRulesDependOnLocalGroups) {
  const auto f = parse_sudoers(fixture("sudoers_d_prod_admins"));
  const auto groups = group_members(fixture("group_backup_local"), {"backupadmins"});
  ASSERT_EQ(groups.count("backupadmins"), 1u);
  std::set<std::string> local;
  for (const auto& g : parse_group(fixture("group_backup_local")))
    local.insert(g.name);
  EXPECT_EQ(rules_naming_directory_identities(f, local),
            (std::vector<std::size_t>{0, 1, 2, 3, 4, 5}));
  // On a host without a local backupadmins group, %backupadmins can only come from a directory.
  EXPECT_EQ(rules_naming_directory_identities(f, {"sudo", "adm"}),
            (std::vector<std::size_t>{0, 1, 2, 3, 4, 5, 6}));
}

TEST(LinuxIdentitySudoers, ClassifiesIdentities) {
  const std::set<std::string> local = {"sudo", "wheel", "adm"};
  for (const auto* w : {"%linux admins@prod.lab", "%PROD\\domain admins", "jdoe@prod.lab",
                        "PROD\\jdoe", "%:Domain Admins", "+admins", "%backupops"})
    EXPECT_TRUE(is_directory_identity(w, local)) << w;
  for (const auto* w : {"root", "%sudo", "%wheel", "ALL", "!jdoe@prod.lab", "#0", "%#27", "%",
                        "@prod.lab", "user@", "\\x", ""})
    EXPECT_FALSE(is_directory_identity(w, local)) << w;
}

TEST(LinuxIdentitySudoers, ContinuationsTagsOptionsAndHostSpecs) {
  const auto f = parse_sudoers(
      "Defaults:%sudo !lecture\nDefaults>root env_keep+=HOME\n"
      "ops, %wheel \\\n  ALL, !web1 = (root) NOPASSWD: NOEXEC: /bin/ls, /bin/echo a\\,b, \\\n"
      "  PASSWD: /bin/sh : db1 = CWD=/tmp sha256:abcd /usr/bin/psql\n"
      "#1000 ALL = ALL  # uid rule, trailing comment\n"
      "%#27 ALL=(ALL) /bin/date (x)\n"
      "User_Alias A = x@prod.lab : B = %localg, A\n"
      "Cmnd_Alias C = /bin/true\nHost_Alias H = h1\n"
      "broken line without equals\njdoe ALL = (root\nx ALL =\n\"unterminated ALL = ALL\n");
  ASSERT_EQ(f.rules.size(), 5u);  // the last four lines are malformed
  EXPECT_EQ(f.rules[0].who, (strings{"ops", "%wheel"}));
  EXPECT_EQ(f.rules[0].hosts, (strings{"ALL", "!web1"}));
  EXPECT_EQ(f.rules[0].commands, (strings{"/bin/ls", "/bin/echo a,b"}));
  EXPECT_TRUE(f.rules[0].nopasswd);
  EXPECT_EQ(f.rules[0].line, 3);
  EXPECT_EQ(f.rules[1].commands, strings{"/bin/sh"});
  EXPECT_FALSE(f.rules[1].nopasswd);
  EXPECT_EQ(f.rules[1].runas, "root");
  EXPECT_EQ(f.rules[2].hosts, strings{"db1"});
  EXPECT_EQ(f.rules[2].runas, "");
  EXPECT_EQ(f.rules[2].commands, strings{"/usr/bin/psql"});
  EXPECT_EQ(f.rules[3].who, strings{"#1000"});
  EXPECT_EQ(f.rules[3].line, 6);
  EXPECT_EQ(f.rules[4].who, strings{"%#27"});
  EXPECT_EQ(f.rules[4].commands, strings{"/bin/date (x)"});
  EXPECT_EQ(f.user_aliases.at("A"), strings{"x@prod.lab"});
  EXPECT_EQ(f.user_aliases.at("B"), (strings{"%localg", "A"}));
}

TEST(LinuxIdentitySudoers, AliasesAreFollowedForDirectoryIdentities) {
  const auto f = parse_sudoers(
      "User_Alias A = x@prod.lab : B = %localg, A\nUser_Alias L = %localg, !y@prod.lab\n"
      "B ALL = ALL\nL ALL = ALL\n!A ALL = ALL\n");
  ASSERT_EQ(f.rules.size(), 3u);
  EXPECT_EQ(rules_naming_directory_identities(f, {"localg"}), std::vector<std::size_t>{0});
}

TEST(LinuxIdentitySudoers, IncludesAndEmptyText) {
  const auto f = parse_sudoers(
      "@includedir /etc/sudoers.d\n#includedir /etc/sudoers.local\n@include \"/etc/sudo x\"\n"
      "#include /etc/sudoers.%h\n");
  EXPECT_EQ(f.includes,
            (strings{"/etc/sudoers.d", "/etc/sudoers.local", "/etc/sudo x", "/etc/sudoers.%h"}));
  EXPECT_TRUE(f.rules.empty());
  EXPECT_TRUE(parse_sudoers("").rules.empty());
}

// --- /etc/group --------------------------------------------------------------------------------

TEST(LinuxIdentityGroup, DebianDefaultHasNoAdminMembers) {
  const auto m = group_members(fixture("group_default"), {"sudo", "wheel", "adm"});
  ASSERT_EQ(m.size(), 2u);  // no wheel group on Debian
  EXPECT_TRUE(m.at("sudo").empty());
  EXPECT_TRUE(m.at("adm").empty());
  EXPECT_EQ(m.count("wheel"), 0u);
}

TEST(LinuxIdentityGroup, LocalAdministrators) {
  const auto m = group_members(fixture("group_backup_local"), {"sudo", "wheel", "adm"});
  EXPECT_EQ(m.at("sudo"), strings{"backupadm"});
  EXPECT_EQ(m.at("adm"), strings{"backupadm"});
}

TEST(LinuxIdentityGroup, ProductionIdentitiesInLocalAdminGroups) {
  const auto m = group_members(fixture("group_prod_admins"), {"sudo", "adm"});
  EXPECT_EQ(m.at("sudo"), (strings{"backupadm", "jdoe@prod.lab"}));
  EXPECT_EQ(m.at("adm"), (strings{"backupadm", "svc-backup@prod.lab"}));
  std::vector<std::string> directory;
  for (const auto& [group, members] : m)
    for (const auto& u : members)
      if (is_directory_identity(u, {}))
        directory.push_back(group + ":" + u);
  EXPECT_EQ(directory, (strings{"adm:svc-backup@prod.lab", "sudo:jdoe@prod.lab"}));
}

TEST(LinuxIdentityGroup, MalformedLinesAreSkipped) {
  const auto g = parse_group(
      "# comment:x:1:\nok:x:10:a,,b\nshort:x:11\nbad:x:gid:a\n:x:12:a\n+:::\n"
      "extra:x:13:a:b\nlast:x:14:");
  ASSERT_EQ(g.size(), 2u);
  EXPECT_EQ(g[0].name, "ok");
  EXPECT_EQ(g[0].gid, 10);
  EXPECT_EQ(g[0].members, (strings{"a", "b"}));
  EXPECT_EQ(g[1].name, "last");
  EXPECT_TRUE(g[1].members.empty());
  EXPECT_TRUE(group_members("", {"sudo"}).empty());
}

}  // namespace
}  // namespace cloison

namespace cloison {
namespace {

TEST(LinuxIdentitySssdRedaction, BindPasswordsNeverReachTheEvidence) {
  const std::string conf =
      "[domain/prod.lab]\n"
      "id_provider = ldap\n"
      "ldap_default_bind_dn = cn=reader,dc=prod,dc=lab\n"
      "ldap_default_authtok_type = password\n"
      "ldap_default_authtok = S3cret-Bind!\n"
      "LDAP_Default_AuthTok=Other-S3cret\n"
      "ad_machine_password_secret = M4chine\n"
      "# ldap_default_authtok = commented-out stays\n";
  const auto redacted = redact_sssd_conf(conf);
  EXPECT_EQ(redacted.find("S3cret-Bind!"), std::string::npos);
  EXPECT_EQ(redacted.find("Other-S3cret"), std::string::npos);
  EXPECT_EQ(redacted.find("M4chine"), std::string::npos);
  EXPECT_NE(redacted.find("ldap_default_authtok = <redacted>"), std::string::npos);
  EXPECT_NE(redacted.find("id_provider = ldap"), std::string::npos);
  EXPECT_NE(redacted.find("# ldap_default_authtok = commented-out stays"), std::string::npos);
  // What the readers decide from is unchanged by redaction.
  EXPECT_EQ(parse_sssd_conf(redacted).domain_sections.at(0).id_provider, "ldap");
}

}  // namespace
}  // namespace cloison
