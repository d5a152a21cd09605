// The daemon's alerts: each change once, its resolution once, runs that could not run in between
// neither repeating nor losing them; the JSON every channel sends.
#include "agent/daemon/alerts.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "probes/transport/ssh_runner.h"

namespace cloison {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

recorded_finding failing(std::string check, std::string target, status s = status::fail,
                         severity sev = severity::high) {
  return {std::move(check), std::move(target), "D2.03.A", s, sev};
}

run_digest ran(std::int64_t id, std::vector<recorded_finding> f = {},
               objective_status a = objective_status::met, std::optional<int> ads = 3) {
  run_digest d;
  d.run_id = id;
  d.started_at = "2026-11-0" + std::to_string(id) + "T02:30:00Z";
  d.ran = true;
  d.objectives = {{"D2.03.A", a, 80.0}, {"D2.03.B", objective_status::met, 100.0}};
  d.ads_level = ads;
  d.failing = std::move(f);
  return d;
}

run_digest could_not_run(std::int64_t id) {
  run_digest d;
  d.run_id = id;
  d.started_at = "2026-11-0" + std::to_string(id) + "T02:30:00Z";
  d.error = "inventory.yaml:3:5: segment: missing required key 'role'";
  return d;
}

std::vector<std::string> ids(const std::vector<alert>& alerts) {
  std::vector<std::string> out;
  for (const auto& a : alerts)
    out.push_back(a.id);
  return out;
}

TEST(Alerts, ANewFailureAlertsOnceAndItsResolutionOnce) {
  const auto first = ran(1);
  const auto second = ran(2, {failing("ssh-root-login", "repo01")});
  const auto alerts = derive_alerts(first, false, second);
  ASSERT_EQ(alerts.size(), 1u);
  const auto& a = alerts[0];
  EXPECT_EQ(a.kind, alert_kind::new_failure);
  EXPECT_EQ(a.id, "new_failure:ssh-root-login:repo01");
  EXPECT_FALSE(a.resolution);
  EXPECT_EQ(a.severity, alert_severity::high);
  EXPECT_EQ(a.check, "ssh-root-login");
  EXPECT_EQ(a.target, "repo01");
  EXPECT_EQ(a.objective, "D2.03.A");
  EXPECT_EQ(a.after, "fail");
  EXPECT_EQ(a.run_id, 2);
  EXPECT_EQ(a.run_started_at, "2026-11-02T02:30:00Z");
  EXPECT_EQ(a.message.en, "New failure: ssh-root-login on repo01 (fail, severity high).");
  EXPECT_EQ(a.message.fr,
            "Nouvelle non-conformité : ssh-root-login sur repo01 (non conforme, gravité élevée).");

  // A third run identical to the second raises nothing.
  auto third = second;
  third.run_id = 3;
  EXPECT_THAT(derive_alerts(second, false, third), IsEmpty());

  // Fixed: one resolution, then nothing.
  const auto fourth = ran(4);
  const auto resolved = derive_alerts(third, false, fourth);
  ASSERT_EQ(resolved.size(), 1u);
  EXPECT_EQ(resolved[0].kind, alert_kind::failure_resolved);
  EXPECT_EQ(resolved[0].id, "failure_resolved:ssh-root-login:repo01");
  EXPECT_TRUE(resolved[0].resolution);
  EXPECT_EQ(resolved[0].severity, alert_severity::info);
  EXPECT_EQ(resolved[0].before, "fail");
  EXPECT_EQ(resolved[0].message.en, "Resolved: ssh-root-login on repo01 no longer fails.");
  EXPECT_THAT(derive_alerts(fourth, false, ran(5)), IsEmpty());
}

TEST(Alerts, AFailureTurningIntoAnErrorIsNotANewFailure) {
  EXPECT_THAT(derive_alerts(ran(1, {failing("c", "t", status::fail)}), false,
                            ran(2, {failing("c", "t", status::error)})),
              IsEmpty());
}

TEST(Alerts, ObjectiveChangesAlertBothWaysWithTheirDirection) {
  const auto worse = derive_alerts(ran(1), false, ran(2, {}, objective_status::not_met));
  ASSERT_EQ(worse.size(), 1u);
  EXPECT_EQ(worse[0].kind, alert_kind::objective_changed);
  EXPECT_EQ(worse[0].id, "objective_changed:D2.03.A:met:not_met");
  EXPECT_EQ(worse[0].objective, "D2.03.A");
  EXPECT_EQ(worse[0].before, "met");
  EXPECT_EQ(worse[0].after, "not_met");
  EXPECT_EQ(worse[0].severity, alert_severity::high);
  EXPECT_FALSE(worse[0].resolution);
  EXPECT_EQ(worse[0].message.en, "Objective D2.03.A got worse: met → NOT MET.");
  EXPECT_EQ(worse[0].message.fr, "L'objectif D2.03.A s'est dégradé : atteint → NON ATTEINT.");

  const auto incomplete = derive_alerts(ran(2, {}, objective_status::not_met), false,
                                        ran(3, {}, objective_status::incomplete));
  ASSERT_EQ(incomplete.size(), 1u);
  EXPECT_EQ(incomplete[0].id, "objective_changed:D2.03.A:not_met:incomplete");
  EXPECT_EQ(incomplete[0].severity, alert_severity::info);
  EXPECT_TRUE(incomplete[0].resolution);
  EXPECT_EQ(incomplete[0].message.en, "Objective D2.03.A improved: NOT MET → INCOMPLETE.");

  const auto got_incomplete =
      derive_alerts(ran(1), false, ran(2, {}, objective_status::incomplete));
  ASSERT_EQ(got_incomplete.size(), 1u);
  EXPECT_EQ(got_incomplete[0].severity, alert_severity::medium);

  const auto back = derive_alerts(ran(3, {}, objective_status::incomplete), false, ran(4));
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].id, "objective_changed:D2.03.A:incomplete:met");
  EXPECT_TRUE(back[0].resolution);
}

TEST(Alerts, AdsLevelDropAndRecovery) {
  const auto dropped = derive_alerts(ran(1, {}, objective_status::met, 3), false,
                                     ran(2, {}, objective_status::met, 1));
  ASSERT_EQ(dropped.size(), 1u);
  EXPECT_EQ(dropped[0].kind, alert_kind::ads_level_dropped);
  EXPECT_EQ(dropped[0].id, "ads_level_dropped:3:1");
  EXPECT_EQ(dropped[0].before, "3");
  EXPECT_EQ(dropped[0].after, "1");
  EXPECT_EQ(dropped[0].severity, alert_severity::high);
  const auto recovered = derive_alerts(ran(2, {}, objective_status::met, 1), false,
                                       ran(3, {}, objective_status::met, 4));
  ASSERT_EQ(recovered.size(), 1u);
  EXPECT_EQ(recovered[0].kind, alert_kind::ads_level_recovered);
  EXPECT_TRUE(recovered[0].resolution);
  // A directory not read (no level) is no level change: its error finding reports it.
  EXPECT_THAT(derive_alerts(ran(3, {}, objective_status::met, 4), false,
                            ran(4, {}, objective_status::met, std::nullopt)),
              IsEmpty());
}

observation_summary host_error(std::string target, std::string detail) {
  observation_summary o;
  o.probe = "host";
  o.target = std::move(target);
  o.outcome = outcome::error;
  o.detail = std::move(detail);
  return o;
}

TEST(Alerts, AChangedHostKeyAlertsOnceThenItsFix) {
  report rep;
  rep.observations.push_back(host_error("repo01",
                                        "no command got through: host key of 10.50.0.20 CHANGED: "
                                        "ssh-ed25519 SHA256:abc does not match known_hosts /k "
                                        "(possible man-in-the-middle): refused"));
  rep.observations.push_back(
      host_error("repo02",
                 "no command got through: host key of 10.50.0.21 not in known_hosts "
                 "/k (ssh-ed25519 SHA256:def): refused"));
  rep.observations.push_back(
      host_error("repo03",
                 "host key of 10.50.0.22 changed since it was learned (a seen, b "
                 "learned): refused"));
  const auto keys = changed_host_keys(rep);
  ASSERT_EQ(keys.size(), 2u);  // an unknown key is no change
  EXPECT_EQ(keys[0].host, "repo01");
  EXPECT_EQ(keys[1].host, "repo03");

  auto before = ran(1), changed = ran(2), again = ran(3), fixed = ran(4);
  changed.changed_host_keys = again.changed_host_keys = {keys[0]};
  const auto alerts = derive_alerts(before, false, changed);
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].kind, alert_kind::host_key_changed);
  EXPECT_EQ(alerts[0].id, "host_key_changed:repo01");
  EXPECT_EQ(alerts[0].severity, alert_severity::critical);
  EXPECT_EQ(alerts[0].target, "repo01");
  EXPECT_EQ(alerts[0].after, keys[0].detail);
  EXPECT_THAT(derive_alerts(changed, false, again), IsEmpty());
  const auto resolved = derive_alerts(again, false, fixed);
  ASSERT_EQ(resolved.size(), 1u);
  EXPECT_EQ(resolved[0].kind, alert_kind::host_key_resolved);
  EXPECT_TRUE(resolved[0].resolution);
  EXPECT_EQ(resolved[0].message.en, "The SSH host key of repo01 is no longer refused.");

  // A run whose report could not be read says nothing about host keys, either way.
  fixed.host_keys_known = false;
  EXPECT_THAT(derive_alerts(again, false, fixed), IsEmpty());
}

TEST(Alerts, TheRunnersChangedKeyWordsAreRecognised) {
  for (const auto words : kHostKeyChangedWords)
    EXPECT_TRUE(says_host_key_changed("host key of 10.0.0.1" + std::string(words) + "x: refused"));
  EXPECT_FALSE(says_host_key_changed("host key of 10.0.0.1 not in known_hosts /k (x): refused"));
}

TEST(Alerts, RunFailedOnceForFailedRunsInARowThenRecovered) {
  const auto first = ran(1);
  const auto failed = derive_alerts(first, false, could_not_run(2));
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].kind, alert_kind::run_failed);
  EXPECT_EQ(failed[0].id, "run_failed:");
  EXPECT_EQ(failed[0].after, "inventory.yaml:3:5: segment: missing required key 'role'");
  EXPECT_EQ(failed[0].message.en,
            "The audit could not run: inventory.yaml:3:5: segment: missing required key 'role'");
  EXPECT_THAT(derive_alerts(first, true, could_not_run(3)), IsEmpty());
  const auto recovered = derive_alerts(first, true, ran(4));
  ASSERT_EQ(recovered.size(), 1u);
  EXPECT_EQ(recovered[0].kind, alert_kind::run_recovered);
  EXPECT_TRUE(recovered[0].resolution);
  // The very first run could not run: that is an alert too.
  EXPECT_THAT(ids(derive_alerts(std::nullopt, false, could_not_run(1))),
              ElementsAre("run_failed:"));
}

TEST(Alerts, FailedRunsInBetweenNeitherRepeatNorLoseChanges) {
  const auto last = ran(1, {failing("a", "t"), failing("b", "t")});
  // Runs 2 and 3 could not run; run 4 compares with run 1: a still fails (nothing), b is
  // resolved, c is new.
  const auto now = ran(4, {failing("a", "t"), failing("c", "t")});
  EXPECT_THAT(ids(derive_alerts(last, true, now)),
              ElementsAre("run_recovered:", "new_failure:c:t", "failure_resolved:b:t"));
}

TEST(Alerts, TheFirstRunReportsItsFailuresButNoVerdictChange) {
  EXPECT_THAT(ids(derive_alerts(std::nullopt, false,
                                ran(1, {failing("a", "t")}, objective_status::not_met, 1))),
              ElementsAre("new_failure:a:t"));
}

TEST(Alerts, DigestOfARecordedRun) {
  run_record r;
  r.id = 7;
  r.started_at = "2026-11-07T02:30:00Z";
  r.ads_level = 2;
  r.objectives = {{"D2.03.A", objective_status::not_met, 40.0}};
  const auto d = digest_of(r, {failing("a", "t")}, nullptr);
  EXPECT_TRUE(d.ran);
  EXPECT_EQ(d.run_id, 7);
  EXPECT_EQ(d.ads_level, 2);
  EXPECT_EQ(d.objectives, r.objectives);
  EXPECT_EQ(d.failing.size(), 1u);
  EXPECT_FALSE(d.host_keys_known);
  r.error = "cannot write the report";
  EXPECT_FALSE(digest_of(r, {}, nullptr).ran);
}

TEST(Alerts, JsonFieldNamesAreStable) {
  const auto a = derive_alerts(ran(1), false, ran(2, {failing("c", "t")}));
  ASSERT_EQ(a.size(), 1u);
  const auto j = to_json(a[0]);
  std::vector<std::string> keys;
  for (const auto& [k, v] : j.items())
    keys.push_back(k);
  EXPECT_THAT(keys,
              ElementsAre("kind", "id", "resolution", "severity", "objective", "check", "target",
                          "before", "after", "message", "run_id", "run_started_at"));
  EXPECT_EQ(j["kind"], "new_failure");
  EXPECT_EQ(j["resolution"], false);
  EXPECT_EQ(j["severity"], "high");
  EXPECT_EQ(j["before"], "");
  EXPECT_EQ(j["run_id"], 2);
  EXPECT_EQ(j["message"]["en"], a[0].message.en);
  EXPECT_EQ(j["message"]["fr"], a[0].message.fr);
}

}  // namespace
}  // namespace cloison
