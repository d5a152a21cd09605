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
  f.target = "backup-ad";
  f.anssi_id = "vuln_" + check_id;
  f.anssi_level = level;
  return f;
}

// Every floor reached: a forbidden flow tested from production, every host and directory read.
coverage full() {
  coverage c;
  c.forbidden_flow_tested_from_production = true;
  return c;
}

coverage with_backup_ad(coverage c = full()) {
  c.backup_directory = "backup-ad";
  return c;
}

objective_result only(const std::vector<finding>& findings, const std::string& objective,
                      const coverage& c = full()) {
  const auto v = decide(findings, {objective}, c);
  EXPECT_EQ(v.objectives.size(), 1u);
  return v.objectives.empty() ? objective_result{} : v.objectives.front();
}

std::vector<reason_kind> kinds(const objective_result& r) {
  std::vector<reason_kind> out;
  for (const auto& why : r.reasons)
    out.push_back(why.kind);
  return out;
}

TEST(Scoring, WeightedScore) {
  const auto r = only(
      {make("a", "D2.03.A", status::pass, 10), make("b", "D2.03.A", status::fail, 5)}, "D2.03.A");
  ASSERT_TRUE(r.score.has_value());
  EXPECT_DOUBLE_EQ(*r.score, 100.0 * 10 / 15);
  EXPECT_EQ(r.id, "D2.03.A");
}

TEST(Scoring, ErrorsCountAgainstTheScoreNotEvaluatedDoNot) {
  const auto r =
      only({make("a", "D2.03.A", status::pass, 3), make("b", "D2.03.A", status::error, 1),
            make("c", "D2.03.A", status::not_evaluated, 50)},
           "D2.03.A");
  ASSERT_TRUE(r.score.has_value());
  EXPECT_DOUBLE_EQ(*r.score, 75.0);
  EXPECT_EQ(r.counts.not_evaluated, 1);
}

TEST(Scoring, WaivedAndNotApplicableAreExcludedFromSums) {
  const auto r =
      only({make("a", "D2.03.B", status::pass, 10), make("b", "D2.03.B", status::fail, 5),
            make("c", "D2.03.B", status::waived, 100),
            make("d", "D2.03.B", status::not_applicable, 100)},
           "D2.03.B");
  ASSERT_TRUE(r.score.has_value());
  EXPECT_DOUBLE_EQ(*r.score, 100.0 * 10 / 15);
}

TEST(Scoring, AWaivedCriticalIsAnAcceptedRisk) {
  const auto r = only({make("a", "D2.03.B", status::pass, 1),
                       make("b", "D2.03.B", status::waived, 10, severity::critical)},
                      "D2.03.B");
  EXPECT_EQ(r.score, 100.0);
  EXPECT_EQ(r.status, objective_status::met);
}

TEST(Scoring, CriticalOrHighFailIsNotMet) {
  for (const auto sev : {severity::critical, severity::high}) {
    const auto r =
        only({make("a", "D2.03.A", status::pass, 100), make("b", "D2.03.A", status::fail, 1, sev)},
             "D2.03.A");
    EXPECT_EQ(r.status, objective_status::not_met) << to_string(sev);
    EXPECT_DOUBLE_EQ(*r.score, 100.0 * 100 / 101);
  }
}

TEST(Scoring, MediumAndLowOnlyLowerTheScore) {
  const auto r = only({make("a", "D2.03.A", status::pass, 10, severity::critical),
                       make("b", "D2.03.A", status::fail, 5, severity::medium),
                       make("c", "D2.03.A", status::error, 3, severity::low)},
                      "D2.03.A");
  EXPECT_EQ(r.status, objective_status::met);
  EXPECT_DOUBLE_EQ(*r.score, 100.0 * 10 / 18);
}

TEST(Scoring, CriticalOrHighErrorIsIncompleteAndNamesTheCheck) {
  const auto r = only({make("a", "D2.03.A", status::pass, 10),
                       make("b", "D2.03.A", status::error, 10, severity::high)},
                      "D2.03.A");
  EXPECT_EQ(r.status, objective_status::incomplete);
  EXPECT_EQ(r.reasons, (std::vector<verdict_reason>{{reason_kind::check_in_error, "b"}}));
}

TEST(Scoring, AFailWinsOverAnError) {
  const auto r = only({make("a", "D2.03.A", status::fail, 1, severity::critical),
                       make("b", "D2.03.A", status::error, 1, severity::critical)},
                      "D2.03.A");
  EXPECT_EQ(r.status, objective_status::not_met);
}

TEST(Scoring, ACheckThatDependsOnAnUnreadTargetIsIncomplete) {
  auto dependent = make("b", "D2.03.B", status::not_evaluated, 1, severity::high);
  dependent.cause = "reachability-read";
  const auto r = only({make("a", "D2.03.B", status::pass, 1), dependent}, "D2.03.B");
  EXPECT_EQ(r.status, objective_status::incomplete);
  EXPECT_EQ(r.reasons, (std::vector<verdict_reason>{{reason_kind::target_not_read, "backup-01"}}));
}

TEST(Scoring, AnUndecidableCheckChangesNothing) {
  const auto r = only({make("a", "D2.03.A", status::pass, 1),
                       make("b", "D2.03.A", status::not_evaluated, 1, severity::critical)},
                      "D2.03.A");
  EXPECT_EQ(r.status, objective_status::met);
}

TEST(Scoring, NothingTestedIsNeverMet) {
  const auto r = only({make("a", "D2.03.A", status::not_applicable, 1)}, "D2.03.A");
  EXPECT_EQ(r.status, objective_status::incomplete);
  EXPECT_EQ(kinds(r), std::vector<reason_kind>{reason_kind::nothing_tested});
  EXPECT_FALSE(r.score.has_value());
}

TEST(EvidenceFloor, D203BNeedsAForbiddenFlowTestedFromProduction) {
  coverage c = full();
  c.forbidden_flow_tested_from_production = false;
  const auto b = only({make("a", "D2.03.B", status::pass, 1)}, "D2.03.B", c);
  EXPECT_EQ(b.status, objective_status::incomplete);
  EXPECT_EQ(kinds(b), std::vector<reason_kind>{reason_kind::no_forbidden_flow_tested});
  EXPECT_EQ(only({make("a", "D2.03.A", status::pass, 1)}, "D2.03.A", c).status,
            objective_status::met);
}

TEST(EvidenceFloor, HostsNotReadLeaveBothObjectivesIncomplete) {
  coverage c = full();
  c.hosts_not_read = {"repo-01"};
  for (const std::string id : {"D2.03.A", "D2.03.B"}) {
    const auto r = only({make("a", id, status::pass, 1)}, id, c);
    EXPECT_EQ(r.status, objective_status::incomplete) << id;
    EXPECT_EQ(r.reasons, (std::vector<verdict_reason>{{reason_kind::host_not_read, "repo-01"}}));
  }
}

TEST(EvidenceFloor, DirectoriesNotReadLeaveD203AIncomplete) {
  coverage c = full();
  c.directories_not_read = {"prod-ad"};
  EXPECT_EQ(only({make("a", "D2.03.A", status::pass, 1)}, "D2.03.A", c).reasons,
            (std::vector<verdict_reason>{{reason_kind::directory_not_read, "prod-ad"}}));
  EXPECT_EQ(only({make("a", "D2.03.B", status::pass, 1)}, "D2.03.B", c).status,
            objective_status::met);
}

TEST(EvidenceFloor, AnUnreadTargetIsNamedOnce) {
  coverage c = full();
  c.hosts_not_read = {"backup-01"};
  auto dependent = make("b", "D2.03.A", status::not_evaluated, 1, severity::critical);
  dependent.cause = "host-read";
  const auto r = only({make("a", "D2.03.A", status::pass, 1), dependent}, "D2.03.A", c);
  EXPECT_EQ(r.reasons, (std::vector<verdict_reason>{{reason_kind::host_not_read, "backup-01"}}));
}

TEST(Scoring, OneResultPerObjectiveInTheGivenOrder) {
  const std::vector<finding> findings{make("a", "D2.03.A", status::pass, 1),
                                      make("b", "D2.03.B", status::fail, 1, severity::critical)};
  const auto v = decide(findings, {"D2.03.B", "D2.03.A", "ADS"}, full());
  ASSERT_EQ(v.objectives.size(), 3u);
  EXPECT_EQ(v.objectives[0].id, "D2.03.B");
  EXPECT_EQ(v.objectives[0].status, objective_status::not_met);
  EXPECT_EQ(v.objectives[1].id, "D2.03.A");
  EXPECT_EQ(v.objectives[1].status, objective_status::met);
  EXPECT_EQ(v.objectives[2].id, "ADS");
  EXPECT_EQ(v.objectives[2].status, objective_status::not_applicable);  // no backup AD declared
  EXPECT_FALSE(v.ads.has_value());
  EXPECT_TRUE(decide(findings, {}, full()).objectives.empty());
}

TEST(ExitCode, NotMetThenIncompleteThenMet) {
  objective_result met{"D2.03.A", objective_status::met, 100.0, {}, {}};
  auto incomplete = met, not_met = met, na = met;
  incomplete.status = objective_status::incomplete;
  not_met.status = objective_status::not_met;
  na.status = objective_status::not_applicable;
  EXPECT_EQ(exit_code_of({met, na}), 0);
  EXPECT_EQ(exit_code_of({met, incomplete}), 4);
  EXPECT_EQ(exit_code_of({incomplete, not_met}), 1);
  EXPECT_EQ(exit_code_of({}), 0);
}

// --- ADS level -------------------------------------------------------------------------------

ads_estimate estimate(const std::vector<finding>& findings, coverage c = with_backup_ad()) {
  const auto v = decide(findings, {"ADS"}, c);
  EXPECT_TRUE(v.ads.has_value());
  return v.ads.value_or(ads_estimate{});
}

TEST(AdsLevel, NoFailingControlIsLevel5AndMet) {
  const std::vector<finding> f{ads("c1", 1, status::pass), ads("c2", 2, status::pass),
                               ads("c3", 3, status::not_applicable)};
  const auto e = estimate(f);
  EXPECT_EQ(e.directory, "backup-ad");
  EXPECT_EQ(e.estimated_level, 5);
  EXPECT_TRUE(e.level_proven);
  EXPECT_EQ(decide(f, {"ADS"}, with_backup_ad()).objectives.at(0).status, objective_status::met);
}

TEST(AdsLevel, SmallestFailingLevelWins) {
  const auto e = estimate({ads("c1", 1, status::pass), ads("c3", 3, status::fail),
                           ads("c2", 2, status::fail), ads("c4", 4, status::fail)});
  EXPECT_EQ(e.estimated_level, 2);
  EXPECT_TRUE(e.level_proven);
}

TEST(AdsLevel, WaivedControlStillLowersTheLevel) {
  EXPECT_EQ(estimate({ads("c1", 1, status::waived), ads("c3", 3, status::fail)}).estimated_level,
            1);
}

TEST(AdsLevel, AFailingLevel3ControlKeepsTheObjectiveMet) {
  const std::vector<finding> f{ads("c1", 1, status::pass), ads("c3", 3, status::fail)};
  EXPECT_EQ(estimate(f).estimated_level, 3);
  EXPECT_EQ(decide(f, {"ADS"}, with_backup_ad()).objectives.at(0).status, objective_status::met);
}

TEST(AdsLevel, BelowLevel3IsNotMetAndSoIsD203A) {
  const std::vector<finding> f{ads("c2", 2, status::fail), make("a", "D2.03.A", status::pass, 1)};
  const auto v = decide(f, {"D2.03.A", "ADS"}, with_backup_ad());
  EXPECT_EQ(v.objectives.at(0).status, objective_status::not_met);
  EXPECT_EQ(v.objectives.at(0).reasons,
            (std::vector<verdict_reason>{{reason_kind::ads_level_below_3, "2"}}));
  EXPECT_EQ(v.objectives.at(1).status, objective_status::not_met);
}

TEST(AdsLevel, NotEvaluatedControlsAreListedAndDoNotBlockTheObjective) {
  const std::vector<finding> f{ads("c1", 1, status::pass), ads("c1sd", 1, status::not_evaluated),
                               ads("c2", 2, status::pass)};
  const auto v = decide(f, {"ADS"}, with_backup_ad());
  EXPECT_EQ(v.ads->estimated_level, 5);
  EXPECT_FALSE(v.ads->level_proven);
  EXPECT_EQ(v.ads->not_evaluated, std::vector<std::string>{"c1sd"});
  EXPECT_EQ(v.objectives.at(0).status, objective_status::met);
}

TEST(AdsLevel, ALevel1Or2ControlInErrorIsIncomplete) {
  const auto v =
      decide({ads("c1", 1, status::error), ads("c2", 2, status::pass)}, {"ADS"}, with_backup_ad());
  EXPECT_EQ(v.ads->estimated_level, 5);
  EXPECT_FALSE(v.ads->level_proven);
  EXPECT_EQ(v.ads->in_error, std::vector<std::string>{"c1"});
  EXPECT_EQ(v.objectives.at(0).status, objective_status::incomplete);
  EXPECT_EQ(v.objectives.at(0).reasons,
            (std::vector<verdict_reason>{{reason_kind::ads_control_in_error, "c1"}}));
  // above level 2, an error leaves the objective met
  EXPECT_EQ(
      decide({ads("c4", 4, status::error), ads("c2", 2, status::pass)}, {"ADS"}, with_backup_ad())
          .objectives.at(0)
          .status,
      objective_status::met);
}

TEST(AdsLevel, AnUnreadBackupDirectoryHasNoLevelAndOneReason) {
  coverage c = with_backup_ad();
  c.directories_not_read = {"backup-ad"};
  auto dependent = ads("c1", 1, status::not_evaluated);
  dependent.cause = "directory-read";
  const auto v = decide({dependent, make("a", "D2.03.A", status::pass, 1)}, {"D2.03.A", "ADS"}, c);
  EXPECT_FALSE(v.ads->estimated_level.has_value());
  EXPECT_FALSE(v.ads->level_proven);
  EXPECT_TRUE(v.ads->not_evaluated.empty());  // not by construction: because of the cause
  EXPECT_EQ(v.objectives.at(1).status, objective_status::incomplete);
  EXPECT_EQ(v.objectives.at(1).reasons,
            (std::vector<verdict_reason>{{reason_kind::directory_not_read, "backup-ad"}}));
  EXPECT_EQ(v.objectives.at(0).status, objective_status::incomplete);
}

TEST(AdsLevel, NoVerdictAtAllIsNotProven) {
  EXPECT_FALSE(estimate({}).level_proven);
  EXPECT_FALSE(estimate({ads("c1", 1, status::not_applicable)}).level_proven);
}

TEST(AdsLevel, IgnoresOtherObjectives) {
  auto not_ads = make("sshd", "D2.03.A", status::fail, 10, severity::critical);
  not_ads.anssi_level = 1;
  const auto e = estimate({not_ads, ads("c3", 3, status::pass)});
  EXPECT_EQ(e.estimated_level, 5);
  EXPECT_TRUE(e.level_proven);
}

}  // namespace
}  // namespace cloison
