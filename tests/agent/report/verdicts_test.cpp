#include "agent/report/verdicts.h"

#include <gtest/gtest.h>

namespace cloison {
namespace {

// An estate of one production and one administration segment, a backup host read over SSH, a
// repository without access, a production and a backup directory; nothing observed yet.
report estate() {
  report r;
  topology t;
  t.segments = {{"production", "production", {"198.18.1.0/24"}},
                {"administration", "administration", {"198.18.3.0/24"}}};
  t.hosts = {{"bk01", "198.18.2.10", "", {}, "linux", "ssh", {}},
             {"repo01", "198.18.2.20", "", {"repository"}, "linux", "none", {}}};
  t.directories = {{"prod-ad", "production", "ldaps://198.18.4.10", ""},
                   {"backup-ad", "backup", "ldaps://198.18.5.10", ""}};
  r.topology = t;
  return r;
}

flow_result flow(const std::string& from, const std::string& expected, const std::string& verdict) {
  return {from, "bk01", "198.18.2.10", 22, "tcp", verdict, expected, 1.0, 1, "vp", "local"};
}

observation_summary observed(const std::string& probe, const std::string& target, outcome o) {
  return {probe, target, o, "", 0, "", "", ""};
}

TEST(Coverage, NothingObservedCoversNothingButTheHostsWithoutAccess) {
  const auto c = coverage_of(estate());
  EXPECT_FALSE(c.forbidden_flow_tested_from_production);
  EXPECT_EQ(c.hosts_not_read, std::vector<std::string>{"bk01"});  // repo01 has no access
  EXPECT_EQ(c.directories_not_read, (std::vector<std::string>{"prod-ad", "backup-ad"}));
  EXPECT_EQ(c.backup_directory, "backup-ad");
}

TEST(Coverage, OnlyAForbiddenFlowReallyTestedFromProductionCounts) {
  auto r = estate();
  r.flows = {flow("production", "allowed", "open"), flow("production", "forbidden", "error"),
             flow("administration", "forbidden", "filtered")};
  EXPECT_FALSE(coverage_of(r).forbidden_flow_tested_from_production);
  r.flows.push_back(flow("production", "forbidden", "refused"));
  EXPECT_TRUE(coverage_of(r).forbidden_flow_tested_from_production);
}

TEST(Coverage, ATargetIsReadUnlessItsObservationIsAnErrorOrATimeout) {
  auto r = estate();
  r.observations = {observed("host", "bk01", outcome::error),
                    observed("directory", "prod-ad", outcome::failed),
                    observed("directory", "backup-ad", outcome::timeout)};
  auto c = coverage_of(r);
  EXPECT_EQ(c.hosts_not_read, std::vector<std::string>{"bk01"});
  EXPECT_EQ(c.directories_not_read, std::vector<std::string>{"backup-ad"});
  r.observations.push_back(observed("host", "bk01", outcome::ok));  // another vantage point read it
  EXPECT_TRUE(coverage_of(r).hosts_not_read.empty());
  r.observations = {observed("directory", "bk01", outcome::ok)};  // another probe's target
  EXPECT_EQ(coverage_of(r).hosts_not_read, std::vector<std::string>{"bk01"});
}

TEST(Coverage, AReportWithoutTopologyCoversNothing) {
  auto r = estate();
  r.topology.reset();
  r.flows = {flow("production", "forbidden", "refused")};
  const auto c = coverage_of(r);
  EXPECT_FALSE(c.forbidden_flow_tested_from_production);
  EXPECT_FALSE(c.backup_directory.has_value());
}

TEST(DecideVerdicts, SetsTheObjectivesAndTheAdsEstimate) {
  auto r = estate();
  r.flows = {flow("production", "forbidden", "filtered")};
  r.observations = {observed("host", "bk01", outcome::ok),
                    observed("directory", "prod-ad", outcome::ok),
                    observed("directory", "backup-ad", outcome::ok)};
  finding f;
  f.check = "reach";
  f.objective = "D2.03.B";
  f.target = "bk01";
  f.status = status::pass;
  f.severity = severity::critical;
  f.weight = 10;
  finding a = f;
  a.objective = "D2.03.A";
  r.findings = {f, a};
  decide_verdicts(r, {"D2.03.A", "D2.03.B", "ADS"});
  ASSERT_EQ(r.objectives.size(), 3u);
  EXPECT_EQ(r.objectives[0].status, objective_status::met);
  EXPECT_EQ(r.objectives[1].status, objective_status::met);
  ASSERT_TRUE(r.ads.has_value());
  EXPECT_EQ(r.ads->estimated_level, 5);
  EXPECT_EQ(r.objectives[2].status, objective_status::incomplete);  // no ADS control judged
  EXPECT_EQ(r.objectives[2].reasons,
            (std::vector<verdict_reason>{{reason_kind::nothing_tested, ""}}));
}

}  // namespace
}  // namespace cloison
