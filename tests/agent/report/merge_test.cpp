#include "agent/report/merge.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

namespace cloison {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

finding make(const std::string& check, const std::string& target, status st,
             const std::string& objective = "D2.03.B", severity sev = severity::critical) {
  finding f;
  f.check = check;
  f.objective = objective;
  f.target = target;
  f.status = st;
  f.severity = sev;
  f.weight = 5;
  return f;
}

report vantage(const std::string& started, std::vector<finding> findings) {
  report r;
  r.tool_version = "0.1.0";
  r.establishment = "CH Exemple";
  r.inventory = "/etc/cloison/cloison.yaml";
  r.started_at = started;
  r.finished_at = started;
  r.policies = {{"builtin:d2.03.yaml", std::string(64, 'a')}};
  r.objectives = {{"D2.03.A", objective_status::met, std::nullopt, {}, {}},
                  {"D2.03.B", objective_status::met, std::nullopt, {}, {}}};
  r.findings = std::move(findings);
  r.signing = signing_info{"Ed25519", "pem", "fp"};
  return r;
}

const finding& find(const report& r, const std::string& check, const std::string& target) {
  const auto it = std::find_if(r.findings.begin(), r.findings.end(), [&](const finding& f) {
    return f.check == check && f.target == target;
  });
  EXPECT_NE(it, r.findings.end()) << check << " @ " << target;
  return *it;
}

TEST(Merge, APassFromOneVantagePointNeverHidesAWorseVerdictFromAnother) {
  const std::vector<std::pair<status, status>> cases{
      {status::pass, status::fail},           {status::fail, status::pass},
      {status::error, status::fail},          {status::pass, status::error},
      {status::waived, status::error},        {status::pass, status::waived},
      {status::not_applicable, status::pass}, {status::fail, status::waived},
  };
  for (const auto& [a, b] : cases) {
    const auto worst = std::max(a, b, [](status x, status y) {
      const auto order = {status::not_applicable, status::pass, status::waived, status::error,
                          status::fail};
      return std::find(order.begin(), order.end(), x) < std::find(order.begin(), order.end(), y);
    });
    const auto merged = merge_reports({{"a.json", vantage("t1", {make("c", "repo01", a)})},
                                       {"b.json", vantage("t2", {make("c", "repo01", b)})}});
    ASSERT_EQ(merged.findings.size(), 1u);
    EXPECT_EQ(merged.findings[0].status, worst) << to_string(a) << " + " << to_string(b);
  }
}

TEST(Merge, KeepsTheTopologyForTheDiagramWithoutASingleVantagePoint) {
  auto a = vantage("t1", {});
  a.topology = topology{};
  a.topology->segments = {{"production", "production", {"10.0.0.0/16"}}};
  a.topology->vantage = "prod";
  auto b = vantage("t2", {});
  b.topology = a.topology;
  b.topology->vantage = "admin";
  const auto merged = merge_reports({{"a.json", a}, {"b.json", b}});
  ASSERT_TRUE(merged.topology.has_value());
  EXPECT_EQ(merged.topology->segments, a.topology->segments);
  EXPECT_EQ(merged.topology->vantage, "");
}

TEST(Merge, RescoresObjectivesFromTheMergedFindings) {
  // From production the forbidden flow is open; from administration everything passes.
  const auto merged = merge_reports(
      {{"admin.json",
        vantage("2026-11-28T02:30:00Z", {make("no-forbidden-flow", "repo01", status::pass),
                                         make("host-check", "repo01", status::pass, "D2.03.A")})},
       {"prod.json", vantage("2026-11-28T02:29:00Z",
                             {make("no-forbidden-flow", "repo01", status::fail),
                              make("host-check", "*", status::not_applicable, "D2.03.A")})}});
  ASSERT_EQ(merged.objectives.size(), 2u);
  EXPECT_EQ(merged.objectives[1].id, "D2.03.B");
  EXPECT_EQ(merged.objectives[1].status, objective_status::not_met);
  EXPECT_EQ(merged.objectives[1].score, 0.0);
  EXPECT_EQ(merged.objectives[0].status, objective_status::met);
  EXPECT_EQ(merged.objectives[0].score, 100.0);
  // The "*" placeholder of a probe that did not run there is dropped: the check was judged.
  EXPECT_EQ(merged.findings.size(), 2u);
  EXPECT_EQ(find(merged, "no-forbidden-flow", "repo01").status, status::fail);
  EXPECT_EQ(find(merged, "host-check", "repo01").status, status::pass);
  EXPECT_EQ(merged.started_at, "2026-11-28T02:29:00Z");
  EXPECT_EQ(merged.finished_at, "2026-11-28T02:30:00Z");
  EXPECT_FALSE(merged.signing.has_value());
  EXPECT_EQ(merged.scoring, merge_reports({{"a", vantage("t", {})}}).scoring);
}

TEST(Merge, ReestimatesTheAdsLevel) {
  auto ads = [](status st) {
    finding f = make("ads-krbtgt", "backup-ad", st, "ADS", severity::high);
    f.anssi_level = 2;
    return f;
  };
  auto a = vantage("t1", {ads(status::pass)});
  auto b = vantage("t2", {ads(status::fail)});
  a.ads = ads_estimate{"backup-ad", 5, true, {}, {}};
  a.objectives.push_back({"ADS", objective_status::met, 100.0, {}, {}});
  topology t;
  t.directories = {{"backup-ad", "backup", "ldaps://198.18.5.10", ""}};
  for (auto* r : {&a, &b}) {
    r->topology = t;
    r->observations.push_back({"directory", "backup-ad", outcome::ok, "", 0, "", "", ""});
  }
  b.observations.back().outcome = outcome::error;  // b could not read it; a did
  const auto merged = merge_reports({{"a", a}, {"b", b}});
  ASSERT_TRUE(merged.ads.has_value());
  EXPECT_EQ(merged.ads->estimated_level, 2);
  EXPECT_EQ(merged.objectives.back().id, "ADS");
  EXPECT_EQ(merged.objectives.back().status, objective_status::not_met);

  b.observations.back().outcome = outcome::error;
  a.observations.back().outcome = outcome::timeout;  // read by neither: no level, incomplete
  const auto unread = merge_reports({{"a", a}, {"b", b}});
  EXPECT_FALSE(unread.ads->estimated_level.has_value());
  EXPECT_EQ(unread.objectives.back().status, objective_status::incomplete);
}

TEST(Merge, FlowsObservationsAndEvidenceAreUnited) {
  auto a = vantage("t1", {make("c", "repo01", status::fail)});
  auto b = vantage("t2", {make("c", "repo01", status::fail)});
  a.flows = {{"admin", "repo01", "10.0.2.5", 22, "tcp", "open", "allowed", 1, 1},
             {"production", "repo01", "10.0.2.5", 9392, "tcp", "filtered", "forbidden", 1, 2}};
  b.flows = {{"production", "repo01", "10.0.2.5", 9392, "tcp", "open", "forbidden", 1, 1},
             {"admin", "repo01", "10.0.2.5", 22, "tcp", "open", "allowed", 1, 1}};
  a.observations = {{"host", "repo01", outcome::ok, "", 10, "", "", ""}};
  b.observations = {{"reachability", "repo01", outcome::ok, "", 20, "", "", ""}};
  a.evidence = {{"reach/repo01/matrix", "connect", "t1", std::string(64, '1'), "", 1, false},
                {"host/repo01/sshd", "sshd -T", "t1", std::string(64, '2'), "", 1, false}};
  b.evidence = {{"reach/repo01/matrix", "connect", "t2", std::string(64, '3'), "", 1, false},
                {"host/repo01/sshd", "sshd -T", "t1", std::string(64, '2'), "", 1, false}};
  a.findings[0].evidence = {"reach/repo01/matrix"};
  b.findings[0].evidence = {"reach/repo01/matrix"};
  const auto merged = merge_reports({{"a", a}, {"b", b}});
  ASSERT_EQ(merged.flows.size(), 2u);
  EXPECT_EQ(merged.flows[1].verdict, "open");  // the forbidden open flow wins over "filtered"
  EXPECT_EQ(merged.observations.size(), 2u);
  std::vector<std::string> ids;
  for (const auto& e : merged.evidence)
    ids.push_back(e.id);
  EXPECT_THAT(ids, ElementsAre("reach/repo01/matrix", "host/repo01/sshd", "reach/repo01/matrix#2"));
  EXPECT_THAT(merged.findings[0].evidence,
              ElementsAre("reach/repo01/matrix", "reach/repo01/matrix#2"));
}

TEST(Merge, EachVantagePointsTestOfAPairIsKept) {
  auto a = vantage("t1", {make("c", "repo01", status::pass)});
  auto b = vantage("t2", {make("c", "repo01", status::pass)});
  auto c = vantage("t3", {make("c", "repo01", status::pass)});
  flow_result from_dc{"production", "repo01", "10.0.2.5", 22, "tcp", "filtered", "forbidden", 1, 1};
  from_dc.vantage = "prod-dc";
  flow_result from_erp = from_dc;
  from_erp.vantage = "prod-erp";
  from_erp.verdict = "refused";
  flow_result from_dc_again = from_dc;
  from_dc_again.verdict = "open";
  a.flows = {from_dc};
  b.flows = {from_erp};
  c.flows = {from_dc_again};
  const auto merged = merge_reports({{"a", a}, {"b", b}, {"c", c}});
  ASSERT_EQ(merged.flows.size(), 2u);
  EXPECT_EQ(merged.flows[0].vantage, "prod-dc");
  EXPECT_EQ(merged.flows[0].verdict, "open");  // prod-dc's two runs: the open one wins
  EXPECT_EQ(merged.flows[1].vantage, "prod-erp");
  EXPECT_EQ(merged.flows[1].verdict, "refused");
}

TEST(Merge, RangesAreCutWhereAnotherReportFoundSomethingWorse) {
  auto a = vantage("t1", {make("c", "repo01", status::pass)});
  auto b = vantage("t2", {make("c", "repo01", status::fail)});
  flow_result swept{"production", "repo01", "10.0.2.5", 1, "tcp", "filtered", "forbidden", 1000, 1};
  swept.vantage = "prod-dc";
  swept.port_last = 65535;
  flow_result hole = swept;
  hole.port = 2500;
  hole.port_last = 3300;
  hole.verdict = "open";
  a.flows = {swept};
  b.flows = {hole};
  const auto merged = merge_reports({{"a", a}, {"b", b}});
  ASSERT_EQ(merged.flows.size(), 3u);
  EXPECT_EQ(merged.flows[0].port, 1u);
  EXPECT_EQ(merged.flows[0].last_port(), 2499u);
  EXPECT_EQ(merged.flows[0].verdict, "filtered");
  EXPECT_EQ(merged.flows[1].port, 2500u);
  EXPECT_EQ(merged.flows[1].last_port(), 3300u);
  EXPECT_EQ(merged.flows[1].verdict, "open");
  EXPECT_EQ(merged.flows[2].port, 3301u);
  EXPECT_EQ(merged.flows[2].last_port(), 65535u);
  EXPECT_EQ(merged.flows[2].verdict, "filtered");
}

TEST(Merge, RefusesOtherEstablishmentsAndOtherPolicies) {
  auto a = vantage("t1", {});
  auto b = vantage("t2", {});
  b.establishment = "CH Voisin";
  try {
    merge_reports({{"a.json", a}, {"b.json", b}});
    FAIL() << "merged two establishments";
  } catch (const merge_error& e) {
    EXPECT_EQ(e.text(lang::en),
              "a.json is about establishment 'CH Exemple' and b.json about establishment "
              "'CH Voisin': not merged");
    EXPECT_THAT(e.text(lang::fr), HasSubstr("fusion refusée"));
  }
  auto c = vantage("t3", {});
  c.policies[0].sha256 = std::string(64, 'f');
  EXPECT_THROW(merge_reports({{"a.json", a}, {"c.json", c}}), merge_error);
  auto moved = vantage("t4", {});
  moved.policies[0].file = "/usr/share/cloison/policies/d2.03.yaml";  // same bytes elsewhere
  EXPECT_NO_THROW(merge_reports({{"a.json", a}, {"moved.json", moved}}));
  EXPECT_THROW(merge_reports({}), merge_error);
}

}  // namespace
}  // namespace cloison
