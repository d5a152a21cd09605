#include <gtest/gtest.h>

#include "probes/directory/independence_assessment.h"
#include "tests/probes/directory/ldap_fixture.h"
#include "tests/support.h"

namespace cloison {
namespace {

using testing::fake_directory;

const std::string kBackupSid = "S-1-5-21-444168188-791113803-1657383804";
const std::string kProdSid = "S-1-5-21-3188554424-2162333472-3819335497";

fake_directory lab(const std::string& name) {
  return fake_directory(
      testing::capture(name, [](std::string p) { return testing::fixture_text(p); }));
}

// The lab inventory (tests/lab/inventory.yaml) as the directory probe passes it.
independence_context context(directory_role role) {
  independence_context c;
  c.role = role;
  c.backup_hosts = {{"lab-backup", {"198.18.2.10"}}, {"lab-repo", {"198.18.2.20"}}};
  c.backup_accounts = {"svc-veeam", "bk-admin", "cloison-audit"};
  if (role == directory_role::production)
    c.other_side = {{"backup.lab", kBackupSid, ""}};
  else
    c.other_side = {{"prod.lab", kProdSid, ""}};
  return c;
}

assessment_output assess(fake_directory& d, independence_context c) {
  independence_assessment a("directory/lab", std::move(c));
  testing::drive(a, d);
  return a.result();
}

json value(const assessment_output& out, const std::string& name) {
  const auto& f = out.facts.at(name);
  EXPECT_TRUE(f.value) << name << ": " << f.error;
  return f.value.value_or(nullptr);
}

TEST(AdsIndependence, CleanProductionDirectoryHoldsNothingOfTheBackupSide) {
  auto d = lab("compliant-prod");
  const auto out = assess(d, context(directory_role::production));
  EXPECT_EQ(value(out, "directory.production.backup_computer_accounts"), json::array());
  EXPECT_EQ(value(out, "directory.production.backup_accounts_present"), json::array());
  EXPECT_EQ(value(out, "directory.trusts.with_other_side"), json::array());
  const auto& fsp = out.facts.at("directory.backup.production_foreign_principals");
  EXPECT_TRUE(fsp.not_applicable);
  EXPECT_FALSE(fsp.value);
}

TEST(AdsIndependence, DegradedProductionDirectoryShowsTheBackupComputerAndTheTrust) {
  auto d = lab("degraded-prod");
  const auto out = assess(d, context(directory_role::production));
  EXPECT_EQ(value(out, "directory.production.backup_computer_accounts"),
            json::array({"CN=LAB-BACKUP,CN=Computers,DC=prod,DC=lab"}));
  EXPECT_EQ(value(out, "directory.trusts.with_other_side"),
            json::array({"backup.lab (BACKUP, bidirectional)"}));
  EXPECT_EQ(value(out, "directory.production.backup_accounts_present"), json::array());
  const auto& computers = out.facts.at("directory.production.backup_computer_accounts");
  ASSERT_EQ(computers.evidence, std::vector<std::string>{"directory/lab/computers"});
  const auto& e = *std::find_if(out.evidence.begin(), out.evidence.end(), [](const evidence& x) {
    return x.id == "directory/lab/computers";
  });
  EXPECT_NE(e.content.find("names backup host lab-backup (lab-backup)"), std::string::npos)
      << e.content;
}

TEST(AdsIndependence, BackupDirectorySeesTheTrustAndRulesOutProductionFacts) {
  auto clean = lab("compliant-bk");
  auto degraded = lab("degraded-bk");
  const auto before = assess(clean, context(directory_role::backup));
  const auto after = assess(degraded, context(directory_role::backup));
  EXPECT_EQ(value(before, "directory.trusts.with_other_side"), json::array());
  EXPECT_EQ(value(after, "directory.trusts.with_other_side"),
            json::array({"prod.lab (PROD, bidirectional)"}));
  // Only well-known FSPs (S-1-5-4, -9, -11, -17) exist in the lab.
  EXPECT_EQ(value(after, "directory.backup.production_foreign_principals"), json::array());
  for (const auto* name : {"directory.production.backup_computer_accounts",
                           "directory.production.backup_accounts_present"}) {
    EXPECT_TRUE(after.facts.at(name).not_applicable) << name;
    EXPECT_EQ(after.facts.at(name).error, "collected on the production directory only");
  }
}

ldap_entry entry(std::string dn, std::map<std::string, std::vector<std::string>> attributes) {
  ldap_entry e{std::move(dn), {}};
  for (auto& [k, v] : attributes)
    e.attributes[k] = std::move(v);
  return e;
}

TEST(AdsIndependence, HandMadeMatches) {
  auto prod = lab("compliant-prod");
  prod.add(entry("CN=svc-veeam,CN=Users,DC=prod,DC=lab", {{"objectClass", {"top", "user"}},
                                                          {"sAMAccountName", {"svc-veeam"}},
                                                          {"userAccountControl", {"512"}}}));
  prod.add(entry("CN=bk-admin,CN=Users,DC=prod,DC=lab",  // disabled: not counted
                 {{"objectClass", {"top", "user"}},
                  {"sAMAccountName", {"bk-admin"}},
                  {"userAccountControl", {"514"}}}));
  prod.add(entry("CN=REPO,CN=Computers,DC=prod,DC=lab",  // found by its SPN host
                 {{"objectClass", {"top", "user", "computer"}},
                  {"sAMAccountName", {"REPO$"}},
                  {"userAccountControl", {"4096"}},
                  {"servicePrincipalName", {"HOST/lab-repo.prod.lab"}}}));
  prod.add(entry("CN=LAB-BACKUPS,CN=Computers,DC=prod,DC=lab",  // a different name
                 {{"objectClass", {"top", "user", "computer"}},
                  {"sAMAccountName", {"LAB-BACKUPS$"}},
                  {"userAccountControl", {"4096"}}}));
  prod.add(entry("CN=bk,CN=System,DC=prod,DC=lab",  // matched by SID only
                 {{"objectClass", {"top", "trustedDomain"}},
                  {"trustPartner", {"renamed.example"}},
                  {"flatName", {"RENAMED"}},
                  {"securityIdentifier", {testing::sid_bytes(kBackupSid)}},
                  {"trustDirection", {"2"}}}));
  auto out = assess(prod, context(directory_role::production));
  EXPECT_EQ(value(out, "directory.production.backup_accounts_present"), json::array({"svc-veeam"}));
  EXPECT_EQ(value(out, "directory.production.backup_computer_accounts"),
            json::array({"CN=REPO,CN=Computers,DC=prod,DC=lab"}));
  EXPECT_EQ(value(out, "directory.trusts.with_other_side"),
            json::array({"renamed.example (RENAMED, outbound)"}));

  auto backup = lab("compliant-bk");
  const std::string fsp = "CN=" + kProdSid + "-1105,CN=ForeignSecurityPrincipals,DC=backup,DC=lab";
  backup.add(entry(fsp, {{"objectClass", {"top", "foreignSecurityPrincipal"}},
                         {"objectSid", {testing::sid_bytes(kProdSid + "-1105")}},
                         {"memberOf", {"CN=Administrators,CN=Builtin,DC=backup,DC=lab"}}}));
  out = assess(backup, context(directory_role::backup));
  EXPECT_EQ(value(out, "directory.backup.production_foreign_principals"),
            json::array({kProdSid + "-1105 (member of Administrators)"}));
}

TEST(AdsIndependence, WithoutAnOtherSideTheTrustFactIsRuledOutAndFailuresAreMissing) {
  auto d = lab("compliant-prod");
  auto c = context(directory_role::production);
  c.other_side.clear();
  c.backup_accounts.clear();
  d.fail_base("DC=prod,DC=lab");
  const auto out = assess(d, c);
  EXPECT_TRUE(out.facts.at("directory.trusts.with_other_side").not_applicable);
  EXPECT_TRUE(out.facts.at("directory.production.backup_accounts_present").not_applicable);
  const auto& computers = out.facts.at("directory.production.backup_computer_accounts");
  EXPECT_FALSE(computers.value);
  EXPECT_FALSE(computers.not_applicable);
  EXPECT_NE(computers.error.find("refused by the test"), std::string::npos);
}

TEST(AdsIndependence, EveryFactSpecIsProduced) {
  auto d = lab("compliant-prod");
  const auto out = assess(d, context(directory_role::production));
  ASSERT_EQ(out.facts.size(), independence_fact_specs().size());
  for (const auto& s : independence_fact_specs())
    EXPECT_TRUE(out.facts.count(std::string(s.name))) << s.name;
}

// Namesakes of the backup AD's privileged accounts in production: the search finds accounts by
// sAMAccountName or UPN prefix (the fake answers the filter as a DC would), never computers, and
// names each once with its state.
TEST(AdsIndependence, NamesakesAreFoundBySamAccountNameOrUpnPrefix) {
  auto prod = lab("compliant-prod");
  const std::vector<std::string> names{"adm-jdupont", "bk-admin", "alice.martin"};
  const auto query = namesake_query("DC=prod,DC=lab", names);
  EXPECT_EQ(query.filter,
            "(&(objectClass=user)(!(objectClass=computer))(|(sAMAccountName=adm-jdupont)"
            "(userPrincipalName=adm-jdupont@*)(sAMAccountName=bk-admin)"
            "(userPrincipalName=bk-admin@*)(sAMAccountName=alice.martin)"
            "(userPrincipalName=alice.martin@*)))");
  std::vector<ldap_entry> entries;
  prod.search(
      query, [&](const ldap_entry& e) { entries.push_back(e); }, [](std::string) {});
  EXPECT_EQ(namesake_lines(entries, names, "prod.lab"),
            (std::vector<std::string>{
                "alice.martin: prod.lab account alice.martin (CN=alice.martin,CN=Users,DC=prod,"
                "DC=lab, enabled)",
                "adm-jdupont: prod.lab account adm-jdupont (CN=adm-jdupont,CN=Users,DC=prod,"
                "DC=lab, enabled)"}));
  // A UPN prefix alone matches, and a disabled account says so.
  const ldap_entry renamed{"CN=J Dupont,OU=Staff,DC=prod,DC=lab",
                           {{"sAMAccountName", {"jdupont"}},
                            {"userPrincipalName", {"BK-Admin@prod.lab"}},
                            {"userAccountControl", {"514"}}}};
  EXPECT_EQ(namesake_lines({renamed}, names, "prod.lab"),
            std::vector<std::string>{
                "bk-admin: prod.lab account jdupont (CN=J Dupont,OU=Staff,DC=prod,DC=lab, "
                "disabled)"});
  // Special characters are escaped in the filter.
  EXPECT_EQ(namesake_query("DC=x", {"a*(b)"}).filter,
            "(&(objectClass=user)(!(objectClass=computer))(|(sAMAccountName=a\\2a\\28b\\29)"
            "(userPrincipalName=a\\2a\\28b\\29@*)))");
}

}  // namespace
}  // namespace cloison
