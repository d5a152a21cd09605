#include "agent/report/drift.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace cloison {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

finding make(const std::string& check, const std::string& target, status s,
             severity sev = severity::high) {
  finding f;
  f.check = check;
  f.objective = "D2.03.A";
  f.target = target;
  f.status = s;
  f.severity = sev;
  f.title = {"titre " + check, "title " + check};
  return f;
}

report with(std::vector<finding> findings, double score_a = 50,
            objective_status a = objective_status::not_met) {
  report r;
  r.started_at = "2026-11-28T02:30:00Z";
  r.findings = std::move(findings);
  r.objectives = {{"D2.03.A", a, score_a, {}, {}}};
  return r;
}

std::vector<std::string> keys(const std::vector<finding_change>& list) {
  std::vector<std::string> out;
  for (const auto& c : list)
    out.push_back(c.check + "@" + c.target);
  return out;
}

TEST(Drift, SortsFindingsByCheckAndTarget) {
  const auto before = with({make("a", "h1", status::pass), make("a", "h2", status::fail),
                            make("b", "h1", status::error), make("c", "h1", status::fail),
                            make("gone", "h1", status::fail), make("d", "h1", status::waived)});
  const auto after = with({make("a", "h1", status::fail), make("a", "h2", status::pass),
                           make("b", "h1", status::fail), make("c", "h1", status::waived),
                           make("new", "h9", status::error), make("d", "h1", status::fail)});
  const auto d = compare_reports(before, after);
  EXPECT_EQ(keys(d.new_failures), (std::vector<std::string>{"a@h1", "new@h9", "d@h1"}));
  EXPECT_EQ(keys(d.resolved), (std::vector<std::string>{"a@h2", "c@h1", "gone@h1"}));
  EXPECT_EQ(keys(d.still_failing), (std::vector<std::string>{"b@h1"}));
  EXPECT_EQ(d.new_failures[1].before, std::nullopt) << "absent before";
  EXPECT_EQ(d.new_failures[1].after, status::error) << "an error counts as failing";
  EXPECT_EQ(d.resolved[1].after, status::waived) << "a waived finding no longer fails";
  EXPECT_EQ(d.resolved[2].after, std::nullopt) << "absent now";
  EXPECT_EQ(d.still_failing[0].before, status::error);
  EXPECT_EQ(d.still_failing[0].after, status::fail);
  EXPECT_TRUE(d.regressed());
}

TEST(Drift, IdenticalReportsDoNotRegress) {
  const auto r = with({make("a", "h1", status::fail), make("b", "h1", status::pass)});
  const auto d = compare_reports(r, r);
  EXPECT_TRUE(d.new_failures.empty());
  EXPECT_TRUE(d.resolved.empty());
  EXPECT_EQ(keys(d.still_failing), std::vector<std::string>{"a@h1"});
  EXPECT_FALSE(d.regressed());
}

TEST(Drift, ScoreDropsAndVerdictsRegress) {
  const auto base = with({}, 80, objective_status::met);
  EXPECT_TRUE(compare_reports(base, with({}, 79.9, objective_status::met)).regressed());
  EXPECT_FALSE(compare_reports(base, with({}, 80.000000001, objective_status::met)).regressed());
  EXPECT_FALSE(compare_reports(base, with({}, 79.999999999, objective_status::met)).regressed())
      << "floating-point noise is no drop";
  EXPECT_FALSE(compare_reports(base, with({}, 95, objective_status::met)).regressed());
  const auto d = compare_reports(base, with({}, 90, objective_status::not_met));
  EXPECT_TRUE(d.regressed()) << "met to not met";
  ASSERT_EQ(d.scores.size(), 1u);
  EXPECT_EQ(d.scores[0].score_before, 80);
  EXPECT_EQ(d.scores[0].score_after, 90);
  EXPECT_FALSE(compare_reports(with({}, 40), with({}, 60)).regressed()) << "not met, better";
}

TEST(Drift, MetToIncompleteIsARegressionIncompleteToMetIsNot) {
  const auto met = with({}, 100, objective_status::met);
  const auto incomplete = with({}, 100, objective_status::incomplete);
  EXPECT_TRUE(compare_reports(met, incomplete).regressed());
  EXPECT_TRUE(compare_reports(incomplete, with({}, 100, objective_status::not_met)).regressed());
  EXPECT_FALSE(compare_reports(incomplete, met).regressed());
  EXPECT_FALSE(compare_reports(with({}, 100, objective_status::not_met), incomplete).regressed());
  const auto d = compare_reports(met, incomplete);
  EXPECT_THAT(describe_drift(d, lang::fr),
              HasSubstr("D2.03.A  atteint 100/100 → INCOMPLET 100/100"));
  EXPECT_THAT(describe_drift(d, lang::en), HasSubstr("D2.03.A  met 100/100 → INCOMPLETE 100/100"));
}

TEST(Drift, ObjectivesOfEitherReportAndAdsLevel) {
  auto before = with({});
  auto after = with({});
  after.objectives.push_back({"ADS", objective_status::met, 100, {}, {}});
  before.ads = ads_estimate{"backup-ad", 4, true, {}, {}};
  after.ads = ads_estimate{"backup-ad", 4, true, {}, {}};
  auto d = compare_reports(before, after);
  ASSERT_EQ(d.scores.size(), 2u);
  EXPECT_EQ(d.scores[1].objective, "ADS");
  EXPECT_EQ(d.scores[1].status_before, std::nullopt);
  EXPECT_FALSE(d.regressed());
  after.ads->estimated_level = 2;
  d = compare_reports(before, after);
  EXPECT_EQ(d.ads_before, 4);
  EXPECT_EQ(d.ads_after, 2);
  EXPECT_TRUE(d.regressed()) << "a lower ADS level";
}

TEST(Drift, DescribedInBothLanguages) {
  const auto d = compare_reports(with({make("a", "h1", status::pass)}, 80),
                                 with({make("a", "h1", status::fail, severity::critical)}, 60));
  const auto fr = describe_drift(d, lang::fr);
  EXPECT_THAT(fr, HasSubstr("Nouvelle non-conformité (1) :"));
  EXPECT_THAT(fr, HasSubstr("[critique] a @ h1: titre a (conforme → non conforme)"));
  EXPECT_THAT(fr, HasSubstr("D2.03.A  NON ATTEINT 80/100 → NON ATTEINT 60/100"));
  EXPECT_THAT(fr, HasSubstr("\nRégression.\n"));
  const auto en = describe_drift(d, lang::en);
  EXPECT_THAT(en, HasSubstr("New failure (1):"));
  EXPECT_THAT(en, HasSubstr("[critical] a @ h1: title a (pass → fail)"));
  EXPECT_THAT(en, HasSubstr("\nRegression.\n"));
  // what is compared is named by the first line (its two times), not assumed to be the previous
  // audit: `cloison history diff --baseline` compares with the pinned baseline
  EXPECT_THAT(en, Not(HasSubstr("previous")));
  EXPECT_THAT(describe_drift(compare_reports(with({}), with({})), lang::en),
              HasSubstr("\nNo regression.\n"));
}

}  // namespace
}  // namespace cloison
