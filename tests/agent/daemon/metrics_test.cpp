#include "agent/daemon/metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace cloison {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

daemon_metrics idle() {
  daemon_metrics m;
  m.version = "1.4.0";
  return m;
}

run_record completed_run() {
  run_record r;
  r.id = 7;
  r.started_at = "2026-12-03T20:25:12Z";
  r.finished_at = "2026-12-03T20:26:54Z";
  r.exit_code = 1;
  r.report_dir = "/var/lib/cloison/runs/7";
  r.ads_level = 2;
  r.objectives = {{"D2.03.A", objective_status::not_met, 62.5},
                  {"D2.03.B", objective_status::met, 100},
                  {"ADS", objective_status::incomplete, std::nullopt}};
  return r;
}

TEST(Metrics, BeforeAnyRunOnlyTheDaemonsOwnMetricsAreRendered) {
  EXPECT_EQ(render_metrics(idle()),
            "# HELP cloison_build_info The running cloison, by version (always 1).\n"
            "# TYPE cloison_build_info gauge\n"
            "cloison_build_info{version=\"1.4.0\"} 1\n"
            "# HELP cloison_audit_running 1 while an audit runs.\n"
            "# TYPE cloison_audit_running gauge\n"
            "cloison_audit_running 0\n"
            "# HELP cloison_alerts_queued Alerts waiting to be delivered.\n"
            "# TYPE cloison_alerts_queued gauge\n"
            "cloison_alerts_queued 0\n"
            "# HELP cloison_runs_total Runs recorded since the daemon started.\n"
            "# TYPE cloison_runs_total counter\n"
            "cloison_runs_total 0\n"
            "# HELP cloison_runs_failed_total Runs that could not run since the daemon started.\n"
            "# TYPE cloison_runs_failed_total counter\n"
            "cloison_runs_failed_total 0\n"
            "# HELP cloison_runs_skipped_total Runs not started since the daemon started because "
            "another was running.\n"
            "# TYPE cloison_runs_skipped_total counter\n"
            "cloison_runs_skipped_total 0\n");
}

TEST(Metrics, ACompletedRunGivesItsObjectivesFindingsAndAdsLevel) {
  auto m = idle();
  m.last_run = m.last_completed = completed_run();
  m.findings = {{{status::fail, severity::critical}, 2},
                {{status::fail, severity::high}, 3},
                {{status::error, severity::medium}, 1},
                {{status::pass, severity::high}, 14},
                {{status::waived, severity::low}, 0}};
  m.runs_total = 5;
  m.runs_failed_total = 1;
  m.runs_skipped_total = 2;
  m.alerts_queued = 3;
  m.audit_running = true;
  const auto text = render_metrics(m);

  EXPECT_THAT(text, HasSubstr("cloison_audit_running 1\n"
                              "# HELP cloison_alerts_queued Alerts waiting to be delivered.\n"
                              "# TYPE cloison_alerts_queued gauge\n"
                              "cloison_alerts_queued 3\n"));
  EXPECT_THAT(text, HasSubstr("cloison_runs_total 5\n"));
  EXPECT_THAT(text, HasSubstr("cloison_runs_failed_total 1\n"));
  EXPECT_THAT(text, HasSubstr("cloison_runs_skipped_total 2\n"));
  const auto from_last_run = text.substr(text.find("# HELP cloison_last_run_timestamp_seconds"));
  EXPECT_EQ(
      from_last_run,
      "# HELP cloison_last_run_timestamp_seconds When the last run started (Unix time).\n"
      "# TYPE cloison_last_run_timestamp_seconds gauge\n"
      "cloison_last_run_timestamp_seconds 1796329512\n"
      "# HELP cloison_last_run_duration_seconds How long the last run took.\n"
      "# TYPE cloison_last_run_duration_seconds gauge\n"
      "cloison_last_run_duration_seconds 102\n"
      "# HELP cloison_last_run_success 1 when the last run produced a report (whatever its "
      "verdicts), 0 when it could not run.\n"
      "# TYPE cloison_last_run_success gauge\n"
      "cloison_last_run_success 1\n"
      "# HELP cloison_last_run_exit_code Exit code of the last run, as cloison audit's: 0 met, 1 "
      "not met, 4 incomplete, 2 or 3 could not run.\n"
      "# TYPE cloison_last_run_exit_code gauge\n"
      "cloison_last_run_exit_code 1\n"
      "# HELP cloison_last_report_timestamp_seconds When the last run that produced a report "
      "started (Unix time); the objective, finding and ADS metrics are its.\n"
      "# TYPE cloison_last_report_timestamp_seconds gauge\n"
      "cloison_last_report_timestamp_seconds 1796329512\n"
      "# HELP cloison_objective_state State of each objective in the last report: 1 for its "
      "state, 0 for the others.\n"
      "# TYPE cloison_objective_state gauge\n"
      "cloison_objective_state{objective=\"D2.03.A\",state=\"met\"} 0\n"
      "cloison_objective_state{objective=\"D2.03.A\",state=\"not_met\"} 1\n"
      "cloison_objective_state{objective=\"D2.03.A\",state=\"incomplete\"} 0\n"
      "cloison_objective_state{objective=\"D2.03.A\",state=\"not_applicable\"} 0\n"
      "cloison_objective_state{objective=\"D2.03.B\",state=\"met\"} 1\n"
      "cloison_objective_state{objective=\"D2.03.B\",state=\"not_met\"} 0\n"
      "cloison_objective_state{objective=\"D2.03.B\",state=\"incomplete\"} 0\n"
      "cloison_objective_state{objective=\"D2.03.B\",state=\"not_applicable\"} 0\n"
      "cloison_objective_state{objective=\"ADS\",state=\"met\"} 0\n"
      "cloison_objective_state{objective=\"ADS\",state=\"not_met\"} 0\n"
      "cloison_objective_state{objective=\"ADS\",state=\"incomplete\"} 1\n"
      "cloison_objective_state{objective=\"ADS\",state=\"not_applicable\"} 0\n"
      "# HELP cloison_objective_score Score of each objective in the last report (0 to 100).\n"
      "# TYPE cloison_objective_score gauge\n"
      "cloison_objective_score{objective=\"D2.03.A\"} 62.5\n"
      "cloison_objective_score{objective=\"D2.03.B\"} 100\n"
      "# HELP cloison_findings Findings of the last report by status and severity.\n"
      "# TYPE cloison_findings gauge\n"
      "cloison_findings{status=\"pass\",severity=\"high\"} 14\n"
      "cloison_findings{status=\"fail\",severity=\"critical\"} 2\n"
      "cloison_findings{status=\"fail\",severity=\"high\"} 3\n"
      "cloison_findings{status=\"error\",severity=\"medium\"} 1\n"
      "cloison_findings{status=\"waived\",severity=\"low\"} 0\n"
      "# HELP cloison_ads_level ADS level estimated for the dedicated backup directory in the "
      "last report.\n"
      "# TYPE cloison_ads_level gauge\n"
      "cloison_ads_level 2\n");
}

TEST(Metrics, ARunThatCouldNotRunKeepsTheVerdictsOfTheLastReport) {
  auto m = idle();
  m.last_completed = completed_run();
  run_record failed;
  failed.started_at = "2026-12-04T20:25:00Z";
  failed.finished_at = "2026-12-04T20:25:01Z";
  failed.exit_code = 2;
  failed.error = "inventory.yaml:3:1: unknown key";
  m.last_run = failed;
  const auto text = render_metrics(m);

  EXPECT_THAT(text, HasSubstr("\ncloison_last_run_timestamp_seconds 1796415900\n"));
  EXPECT_THAT(text, HasSubstr("\ncloison_last_run_duration_seconds 1\n"));
  EXPECT_THAT(text, HasSubstr("\ncloison_last_run_success 0\n"));
  EXPECT_THAT(text, HasSubstr("\ncloison_last_run_exit_code 2\n"));
  EXPECT_THAT(text, HasSubstr("\ncloison_last_report_timestamp_seconds 1796329512\n"));
  EXPECT_THAT(text,
              HasSubstr("\ncloison_objective_state{objective=\"D2.03.A\",state=\"not_met\"} 1\n"));
}

TEST(Metrics, NoReportYetLeavesOutTheVerdicts) {
  auto m = idle();
  run_record failed;
  failed.started_at = "2026-12-04T20:25:00Z";
  failed.finished_at = "2026-12-04T20:25:01Z";
  failed.exit_code = 3;
  failed.error = "report.json could not be written";
  m.last_run = failed;
  const auto text = render_metrics(m);

  EXPECT_THAT(text, HasSubstr("\ncloison_last_run_success 0\n"));
  for (const char* absent : {"cloison_last_report_timestamp_seconds", "cloison_objective_state",
                             "cloison_objective_score", "cloison_findings", "cloison_ads_level"})
    EXPECT_THAT(text, Not(HasSubstr(absent)));
}

TEST(Metrics, NoAdsLevelWhenNotEstimated) {
  auto m = idle();
  m.last_run = m.last_completed = completed_run();
  m.last_completed->ads_level.reset();
  EXPECT_THAT(render_metrics(m), Not(HasSubstr("cloison_ads_level")));
}

TEST(Metrics, TimesNotInReportFormLeaveTheirSamplesOut) {
  auto m = idle();
  m.last_run = completed_run();
  m.last_run->finished_at = "2026-12-03 20:26:54";
  const auto text = render_metrics(m);
  EXPECT_THAT(text, HasSubstr("\ncloison_last_run_timestamp_seconds 1796329512\n"));
  EXPECT_THAT(text, Not(HasSubstr("cloison_last_run_duration_seconds")));
}

TEST(Metrics, LabelValuesAreEscaped) {
  auto m = idle();
  m.version = "1.4\\dev \"x\"\nnext";
  m.last_run = m.last_completed = completed_run();
  m.last_completed->objectives = {{"A\"\\\n", objective_status::met, 10}};
  const auto text = render_metrics(m);
  EXPECT_THAT(text, HasSubstr("cloison_build_info{version=\"1.4\\\\dev \\\"x\\\"\\nnext\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("cloison_objective_score{objective=\"A\\\"\\\\\\n\"} 10\n"));
}

}  // namespace
}  // namespace cloison
