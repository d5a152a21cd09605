#include "agent/config/policy_loader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <set>

#include "agent/config/embedded_policies.h"
#include "agent/engine/policy_checks.h"
#include "tests/support.h"

namespace cloison {
namespace {

using testing::data_path;
using ::testing::ElementsAre;
using testing::located;
using testing::temp_dir;

TEST(PolicyLoader, LoadsChecksWithTheirFields) {
  const auto probes = builtin_probes();
  diagnostics d;
  auto p = load_policy(data_path("policies/valid_small.yaml"), probes, d);
  ASSERT_TRUE(p) << (d.empty() ? "" : d.items().front().to_string());
  EXPECT_EQ(p->name, "small");
  EXPECT_EQ(p->sha256.size(), 64u);
  ASSERT_EQ(p->checks.size(), 3u);
  const auto& c0 = p->checks[0];
  EXPECT_EQ(c0.id, "no-password");
  EXPECT_EQ(c0.severity, severity::critical);
  EXPECT_EQ(c0.weight, 10);  // default weight of critical
  EXPECT_EQ(c0.expect.describe(), "equals \"no\"");
  EXPECT_EQ(c0.title.fr, "Pas de mot de passe SSH");
  const auto& c1 = p->checks[1];
  EXPECT_EQ(c1.weight, 7);  // explicit weight wins
  EXPECT_EQ(c1.expect.describe(), "all (in [\"root\"])");
  ASSERT_TRUE(c1.applies_if);
  EXPECT_EQ(c1.applies_if->fact, "host.sshd.pubkey_authentication");
  const auto& c2 = p->checks[2];
  EXPECT_FALSE(c2.enabled);
  EXPECT_EQ(c2.anssi_id, "vuln1_example");
  EXPECT_EQ(c2.anssi_level, 1);
  EXPECT_EQ(c2.expect.op, matcher_op::not_empty);
}

TEST(PolicyLoader, ReportsEveryProblemWithItsLocation) {
  const auto probes = builtin_probes();
  diagnostics d;
  EXPECT_FALSE(load_policy(data_path("policies/broken.yaml"), probes, d));
  EXPECT_THAT(
      located(d),
      ElementsAre(
          "5:9: id: 'Bad_Id' must be lowercase letters, digits, '.' and '-'",
          "6:16: objective: expected D2.03.A, D2.03.B or ADS, found 'D2.03.C'",
          "7:15: severity: expected critical, high, medium or low, found 'urgent'",
          "15:11: fact: unknown probe 'nosuchprobe' in 'nosuchprobe.x' (probes: inventory, host, "
          "reachability, directory)",
          "18:18: remediation: missing required key 'en'", "19:9: duplicate check id 'dup'",
          "22:11: fact: probe 'host' has no fact 'host.no_such_fact'",
          "23:14: expect: unknown matcher 'resembles' (expected equals, not_equals, lt, le, gt, "
          "ge, in, not_in, contains, not_contains, matches, empty, not_empty, all, any or none)",
          "26:5: check: unknown key 'color' (expected one of: id, title, rationale, remediation, "
          "objective, severity, weight, anssi, fact, expect, applies_if, enabled)",
          "31:13: expect: 'lt' cannot judge a fact of type text",
          "38:23: expect: invalid regular expression: Mismatched '(' and ')' in regular "
          "expression",
          "41:5: check 'ads-without-level': ADS checks need an 'anssi' section (id, level)"));
}

TEST(PolicyLoader, MatcherShapesAreChecked) {
  const auto probes = builtin_probes();
  temp_dir dir;
  const std::string head =
      "policy: {name: t, version: '1'}\n"
      "checks:\n";
  auto check = [](const std::string& id, const std::string& fact, const std::string& expect) {
    return "  - {id: " + id + ", objective: D2.03.A, severity: low, fact: " + fact +
           ", expect: " + expect + ", title: {fr: a, en: b}, remediation: {fr: a, en: b}}\n";
  };
  diagnostics d;
  EXPECT_FALSE(load_policy(
      dir.write("m.yaml",
                head + check("a", "host.accounts.uid0", "{empty: true}") +
                    check("b", "host.accounts.uid0", "{equals: 1, in: [1]}") +
                    check("c", "host.accounts.uid0", "{in: root}") +
                    check("d", "inventory.isolation.last_drill_age_days", "{gt: many}") +
                    check("e", "inventory.isolation.procedure_declared", "{equals: 'yes'}") +
                    check("f", "host.sshd.permit_root_login", "{all: {equals: x}}") +
                    check("g", "host.accounts.uid0", "{any: {lt: 3}}")),
      probes, d));
  EXPECT_THAT(located(d),
              ElementsAre("3:82: expect: 'empty' takes no value (write it alone)",
                          "4:82: expect: expected one matcher, e.g. {equals: \"no\"} or empty",
                          "5:82: expect: 'in' cannot judge a fact of type list of text",
                          "5:87: expect: 'in' needs a list", "6:108: expect: 'gt' needs a number",
                          "7:111: expect: \"yes\" cannot equal a fact of type boolean",
                          "8:91: expect: 'all' cannot judge a fact of type text",
                          "9:88: expect: 'lt' cannot judge a fact of type text"));
}

TEST(PolicyLoader, IdsMustBeUniqueAcrossFiles) {
  const auto probes = builtin_probes();
  diagnostics d;
  auto a = load_policy(data_path("policies/valid_small.yaml"), probes, d);
  ASSERT_TRUE(a);
  auto b = *a;
  b.file = "other.yaml";
  check_unique_ids({*a, b}, d);
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d.items()[0].to_string(), "other.yaml:0:0: check id 'no-password' is also defined in " +
                                          data_path("policies/valid_small.yaml"));
}

// Found by tests/fuzz/config_yaml (regressions/config_yaml/crash-ec49…): two port profiles
// without a name were compared as duplicates and located at the absent name, which threw
// YAML::InvalidNode.
TEST(PolicyLoader, PortProfilesWithoutANameAreDiagnostics) {
  const auto probes = builtin_probes();
  diagnostics d;
  EXPECT_EQ(load_policy_text("policy: {name: p, version: '1'}\nchecks: []\nport_profiles:\n"
                             "  - ports: ['22']\n  - ports: ['443']\n",
                             "p.yaml", probes, d),
            std::nullopt);
  EXPECT_THAT(located(d), ElementsAre("4:5: port profile: missing required key 'name'",
                                      "5:5: port profile: missing required key 'name'"));
}

TEST(PolicyLoader, ShippedPoliciesAreEmbeddedAndValid) {
  const auto probes = builtin_probes();
  ASSERT_FALSE(embedded_policies().empty());
  for (const auto& e : embedded_policies()) {
    diagnostics d;
    auto p = load_policy_text(e.text, std::string(e.name), probes, d);
    ASSERT_TRUE(p) << e.name << ": " << (d.empty() ? "" : d.items().front().to_string());
    EXPECT_FALSE(p->checks.empty());
    const auto on_disk = testing::read_text(std::string(CLOISON_SOURCE_DIR) + "/policies/" +
                                            std::string(e.name.substr(e.name.find(':') + 1)));
    EXPECT_EQ(p->sha256, sha256_hex(on_disk)) << "embedded copy differs from policies/";
    for (const auto& c : p->checks) {
      EXPECT_FALSE(c.title.fr.empty() || c.title.en.empty()) << c.id;
      EXPECT_FALSE(c.remediation.fr.empty() || c.remediation.en.empty()) << c.id;
      EXPECT_FALSE(c.rationale.fr.empty() || c.rationale.en.empty()) << c.id;
    }
  }
}

// Issue 18: every fact the ADS assessment produces is read by a shipped check, and every shipped
// check reads a fact some probe produces.
TEST(PolicyLoader, EveryAdsFactIsReadByAShippedCheckAndEveryCheckReadsAFact) {
  const auto probes = builtin_probes();
  std::set<std::string> read;
  for (const auto& e : embedded_policies()) {
    diagnostics d;
    const auto p = load_policy_text(e.text, std::string(e.name), probes, d);
    ASSERT_TRUE(p) << e.name;
    for (const auto& c : p->checks) {
      EXPECT_NE(probes.find_fact(c.fact), nullptr) << c.id << " reads " << c.fact;
      read.insert(c.fact);
    }
  }
  std::size_t ads_facts = 0;
  for (const auto& probe : probes.all()) {
    for (const auto& f : probe->facts()) {
      if (!f.name.starts_with("directory.ads."))
        continue;
      ++ads_facts;
      EXPECT_TRUE(read.count(std::string(f.name))) << f.name << " is read by no check";
    }
  }
  EXPECT_GT(ads_facts, 70u);
}

}  // namespace
}  // namespace cloison
