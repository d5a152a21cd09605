#include "agent/engine/scoring.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace cloison {
namespace {

finding make(const std::string& check_id, const std::string& objective, status st, double weight,
             severity sev = severity::medium) {
  finding f;
  f.check = check_id;
  f.objective = objective;
  f.target = "backup-01";
  f.status = st;
  f.weight = weight;
  f.severity = sev;
  return f;
}

finding ads(const std::string& check_id, int level, status st) {
  finding f = make(check_id, "ADS", st, 3, severity::high);
  f.anssi_id = "vuln_" + check_id;
  f.anssi_level = level;
  return f;
}

objective_result only(const std::vector<finding>& findings, const std::string& objective) {
  const auto results = score(findings, {objective});
  EXPECT_EQ(results.size(), 1u);
  return results.empty() ? objective_result{} : results.front();
}

TEST(Scoring, WeightedScore) {
  const auto r = only(
      {make("a", "D2.03.A", status::pass, 10), make("b", "D2.03.A", status::fail, 5)}, "D2.03.A");
  ASSERT_TRUE(r.score.has_value());
  EXPECT_NEAR(*r.score, 66.6667, 1e-3);
  EXPECT_DOUBLE_EQ(*r.score, 100.0 * 10 / 15);
  EXPECT_EQ(r.id, "D2.03.A");
}

TEST(Scoring, ErrorsCountAgainstTheScore) {
  const auto r = only(
      {make("a", "D2.03.A", status::pass, 3), make("b", "D2.03.A", status::error, 1)}, "D2.03.A");
  ASSERT_TRUE(r.score.has_value());
  EXPECT_DOUBLE_EQ(*r.score, 75.0);
}

TEST(Scoring, AllPassIs100AndAllFailIs0) {
  EXPECT_EQ(only({make("a", "X", status::pass, 3), make("b", "X", status::pass, 1)}, "X").score,
            100.0);
  EXPECT_EQ(only({make("a", "X", status::fail, 3), make("b", "X", status::error, 1)}, "X").score,
            0.0);
}

TEST(Scoring, WaivedAndNotApplicableAreExcludedFromSums) {
  const auto r =
      only({make("a", "X", status::pass, 10), make("b", "X", status::fail, 5),
            make("c", "X", status::waived, 100), make("d", "X", status::not_applicable, 100)},
           "X");
  ASSERT_TRUE(r.score.has_value());
  EXPECT_DOUBLE_EQ(*r.score, 100.0 * 10 / 15);
}

TEST(Scoring, WaivedFailOnlyLeavesPerfectScore) {
  const auto r = only(
      {make("a", "X", status::pass, 1), make("b", "X", status::waived, 10, severity::critical)},
      "X");
  EXPECT_EQ(r.score, 100.0);
  EXPECT_EQ(to_string(r.status), std::string_view("met"));  // a waived critical is an accepted risk
}

TEST(Scoring, AllNotApplicableHasNoScore) {
  const auto r = only({make("a", "X", status::not_applicable, 10),
                       make("b", "X", status::not_applicable, 5, severity::critical)},
                      "X");
  EXPECT_EQ(to_string(r.status), std::string_view("not_applicable"));
  EXPECT_FALSE(r.score.has_value());
  EXPECT_EQ(r.counts.not_applicable, 2);
}

TEST(Scoring, ObjectiveWithoutFindingsIsNotApplicable) {
  const auto r = only({make("a", "D2.03.A", status::fail, 10)}, "D2.03.B");
  EXPECT_EQ(r.id, "D2.03.B");
  EXPECT_EQ(to_string(r.status), std::string_view("not_applicable"));
  EXPECT_FALSE(r.score.has_value());
  EXPECT_EQ(r.counts, status_counts{});
}

TEST(Scoring, CriticalFailIsNotMet) {
  const auto r =
      only({make("a", "X", status::pass, 100), make("b", "X", status::fail, 1, severity::critical)},
           "X");
  EXPECT_EQ(to_string(r.status), std::string_view("not_met"));
  ASSERT_TRUE(r.score.has_value());
  EXPECT_DOUBLE_EQ(*r.score, 100.0 * 100 / 101);
}

TEST(Scoring, CriticalErrorIsNotMet) {
  const auto r = only(
      {make("a", "X", status::pass, 10), make("b", "X", status::error, 10, severity::critical)},
      "X");
  EXPECT_EQ(to_string(r.status), std::string_view("not_met"));
}

TEST(Scoring, CriticalNotApplicableDoesNotPreventMet) {
  const auto r = only({make("a", "X", status::pass, 10),
                       make("b", "X", status::not_applicable, 10, severity::critical)},
                      "X");
  EXPECT_EQ(to_string(r.status), std::string_view("met"));
}

TEST(Scoring, HighFailAloneIsStillMet) {
  const auto r = only({make("a", "X", status::pass, 10, severity::critical),
                       make("b", "X", status::fail, 5, severity::high),
                       make("c", "X", status::error, 3, severity::medium)},
                      "X");
  EXPECT_EQ(to_string(r.status), std::string_view("met"));
  ASSERT_TRUE(r.score.has_value());
  EXPECT_DOUBLE_EQ(*r.score, 100.0 * 10 / 18);
}

TEST(Scoring, Counts) {
  const auto r = only({make("a", "X", status::pass, 1), make("b", "X", status::pass, 1),
                       make("c", "X", status::fail, 1), make("d", "X", status::error, 1),
                       make("e", "X", status::error, 1), make("f", "X", status::error, 1),
                       make("g", "X", status::not_applicable, 1), make("h", "X", status::waived, 1),
                       make("i", "Y", status::pass, 1)},
                      "X");
  EXPECT_EQ(r.counts.pass, 2);
  EXPECT_EQ(r.counts.fail, 1);
  EXPECT_EQ(r.counts.error, 3);
  EXPECT_EQ(r.counts.not_applicable, 1);
  EXPECT_EQ(r.counts.waived, 1);
}

TEST(Scoring, OneResultPerObjectiveInTheGivenOrder) {
  const std::vector<finding> findings{make("a", "D2.03.A", status::pass, 1),
                                      make("b", "D2.03.B", status::fail, 1, severity::critical)};
  const auto results = score(findings, {"D2.03.B", "D2.03.A", "ADS"});
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0].id, "D2.03.B");
  EXPECT_EQ(to_string(results[0].status), std::string_view("not_met"));
  EXPECT_EQ(results[0].score, 0.0);
  EXPECT_EQ(results[1].id, "D2.03.A");
  EXPECT_EQ(to_string(results[1].status), std::string_view("met"));
  EXPECT_EQ(results[1].score, 100.0);
  EXPECT_EQ(results[2].id, "ADS");
  EXPECT_EQ(to_string(results[2].status), std::string_view("not_applicable"));
  EXPECT_TRUE(score(findings, {}).empty());
}

// --- ADS level -------------------------------------------------------------------------------

TEST(AdsLevel, NoFailingControlIsLevel5) {
  const auto e = estimate_ads_level({ads("c1", 1, status::pass), ads("c2", 2, status::pass),
                                     ads("c3", 3, status::not_applicable)},
                                    "backup-ad");
  EXPECT_EQ(e.directory, "backup-ad");
  EXPECT_EQ(e.estimated_level, 5);
  EXPECT_TRUE(e.level_proven);
  EXPECT_TRUE(e.not_evaluated.empty());
}

TEST(AdsLevel, SmallestFailingLevelWins) {
  const auto e = estimate_ads_level({ads("c1", 1, status::pass), ads("c3", 3, status::fail),
                                     ads("c2", 2, status::fail), ads("c4", 4, status::fail)},
                                    "backup-ad");
  EXPECT_EQ(e.estimated_level, 2);
  EXPECT_TRUE(e.level_proven);
}

TEST(AdsLevel, WaivedControlStillLowersTheLevel) {
  const auto e =
      estimate_ads_level({ads("c1", 1, status::waived), ads("c3", 3, status::fail)}, "backup-ad");
  EXPECT_EQ(e.estimated_level, 1);
  EXPECT_TRUE(e.level_proven);
}

TEST(AdsLevel, ErrorOnLowerLevelControlLeavesLevelUnproven) {
  const auto e =
      estimate_ads_level({ads("c1", 1, status::error), ads("c2", 2, status::pass)}, "backup-ad");
  EXPECT_EQ(e.estimated_level, 5);
  EXPECT_FALSE(e.level_proven);
  EXPECT_EQ(e.not_evaluated, std::vector<std::string>{"c1"});
}

TEST(AdsLevel, ErrorAboveTheEstimateDoesNotMatter) {
  const auto e =
      estimate_ads_level({ads("c4", 4, status::error), ads("c2", 2, status::fail)}, "backup-ad");
  EXPECT_EQ(e.estimated_level, 2);
  EXPECT_TRUE(e.level_proven);
  EXPECT_EQ(e.not_evaluated, std::vector<std::string>{"c4"});
}

TEST(AdsLevel, ErrorBelowTheEstimateMatters) {
  const auto e =
      estimate_ads_level({ads("c1", 1, status::error), ads("c3", 3, status::fail)}, "backup-ad");
  EXPECT_EQ(e.estimated_level, 3);
  EXPECT_FALSE(e.level_proven);
}

TEST(AdsLevel, NotEvaluatedListsEachCheckOnce) {
  auto second_target = ads("c1", 1, status::error);
  second_target.target = "backup-02";
  const auto e = estimate_ads_level({ads("c1", 1, status::error), second_target,
                                     ads("c2", 2, status::error), ads("c3", 3, status::pass)},
                                    "backup-ad");
  EXPECT_EQ(e.not_evaluated, (std::vector<std::string>{"c1", "c2"}));
  EXPECT_FALSE(e.level_proven);
}

TEST(AdsLevel, NoVerdictAtAllIsNotProven) {
  const auto none = estimate_ads_level({}, "backup-ad");
  EXPECT_EQ(none.estimated_level, 5);
  EXPECT_FALSE(none.level_proven);

  const auto only_na = estimate_ads_level(
      {ads("c1", 1, status::not_applicable), ads("c2", 2, status::not_applicable)}, "backup-ad");
  EXPECT_EQ(only_na.estimated_level, 5);
  EXPECT_FALSE(only_na.level_proven);

  const auto only_errors = estimate_ads_level({ads("c5", 5, status::error)}, "backup-ad");
  EXPECT_FALSE(only_errors.level_proven);
  EXPECT_EQ(only_errors.not_evaluated, std::vector<std::string>{"c5"});
}

TEST(AdsLevel, IgnoresOtherObjectives) {
  auto not_ads = make("sshd", "D2.03.A", status::fail, 10, severity::critical);
  not_ads.anssi_level = 1;
  auto not_ads_error = make("nss", "D2.03.B", status::error, 10);
  not_ads_error.anssi_level = 1;
  const auto e =
      estimate_ads_level({not_ads, not_ads_error, ads("c3", 3, status::pass)}, "backup-ad");
  EXPECT_EQ(e.estimated_level, 5);
  EXPECT_TRUE(e.level_proven);
  EXPECT_TRUE(e.not_evaluated.empty());
}

}  // namespace
}  // namespace cloison
