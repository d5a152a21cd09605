#include "agent/engine/evaluator.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace cloison {
namespace {

using std::chrono::sys_days;

constexpr sys_days kToday = sys_days{std::chrono::year{2025} / 6 / 15};

matcher make(matcher_op op, json operand = nullptr) {
  matcher m;
  m.op = op;
  m.operand = std::move(operand);
  return m;
}

check make_check(const std::string& id, const std::string& fact, matcher expect) {
  check c;
  c.id = id;
  c.objective = "D2.03.A";
  c.severity = severity::high;
  c.weight = 5;
  c.title = {"titre " + id, "title " + id};
  c.rationale = {"raison", "rationale"};
  c.remediation = {"corriger", "fix it"};
  c.fact = fact;
  c.expect = std::move(expect);
  return c;
}

check root_login_check() {
  return make_check("sshd-no-root-login", "host.sshd.permit_root_login",
                    make(matcher_op::in, json::array({"no", "prohibit-password"})));
}

observation host_obs(const std::string& target, const std::string& permit_root_login) {
  observation o;
  o.probe = "host";
  o.target = target;
  o.facts["host.sshd.permit_root_login"] =
      fact::of(permit_root_login, {"host/" + target + "/sshd-effective"});
  o.facts["host.sshd.password_authentication"] =
      fact::of("no", {"host/" + target + "/sshd-effective"});
  return o;
}

waiver make_waiver(const std::string& check_id, const std::string& target,
                   const std::string& expires) {
  return waiver{check_id, target,  "accepted until the migration",
                "rssi",   expires, "waivers.yaml:3"};
}

TEST(Evaluator, PassAndFailPerTarget) {
  const auto findings = evaluate(
      {root_login_check()},
      {host_obs("backup-01", "no"), host_obs("backup-02", "without-password")}, {}, kToday);
  ASSERT_EQ(findings.size(), 2u);

  const auto& pass = findings[0];
  EXPECT_EQ(pass.target, "backup-01");
  EXPECT_EQ(to_string(pass.status), std::string_view("pass"));
  EXPECT_EQ(pass.check, "sshd-no-root-login");
  EXPECT_EQ(pass.objective, "D2.03.A");
  EXPECT_EQ(pass.severity, severity::high);
  EXPECT_EQ(pass.weight, 5.0);
  EXPECT_EQ(pass.title.en, "title sshd-no-root-login");
  EXPECT_EQ(pass.remediation.fr, "corriger");
  EXPECT_EQ(pass.observed, json("no"));
  EXPECT_EQ(pass.expectation, "in [\"no\",\"prohibit-password\"]");
  EXPECT_EQ(pass.evidence, std::vector<std::string>{"host/backup-01/sshd-effective"});
  EXPECT_EQ(pass.message, "");
  EXPECT_FALSE(pass.waiver.has_value());

  const auto& fail = findings[1];
  EXPECT_EQ(fail.target, "backup-02");
  EXPECT_EQ(to_string(fail.status), std::string_view("fail"));
  EXPECT_EQ(fail.observed, json("without-password"));
  EXPECT_EQ(fail.evidence, std::vector<std::string>{"host/backup-02/sshd-effective"});
}

TEST(Evaluator, FindingsFollowCheckThenObservationOrder) {
  auto second = make_check("sshd-no-password", "host.sshd.password_authentication",
                           make(matcher_op::equals, "no"));
  const auto findings = evaluate({root_login_check(), second},
                                 {host_obs("a", "no"), host_obs("b", "no")}, {}, kToday);
  ASSERT_EQ(findings.size(), 4u);
  EXPECT_EQ(findings[0].check + "@" + findings[0].target, "sshd-no-root-login@a");
  EXPECT_EQ(findings[1].check + "@" + findings[1].target, "sshd-no-root-login@b");
  EXPECT_EQ(findings[2].check + "@" + findings[2].target, "sshd-no-password@a");
  EXPECT_EQ(findings[3].check + "@" + findings[3].target, "sshd-no-password@b");
}

TEST(Evaluator, OnlyObservationsOfTheChecksProbeCount) {
  observation inv;
  inv.probe = "inventory";
  inv.target = "inventory";
  inv.facts["host.sshd.permit_root_login"] = fact::of("no");  // not the host probe: ignored
  const auto findings =
      evaluate({root_login_check()}, {inv, host_obs("backup-01", "yes")}, {}, kToday);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].target, "backup-01");
  EXPECT_EQ(to_string(findings[0].status), std::string_view("fail"));
}

TEST(Evaluator, MissingFactIsAnErrorNamingIt) {
  observation o = host_obs("backup-01", "no");
  o.facts.erase("host.sshd.permit_root_login");
  const auto findings = evaluate({root_login_check()}, {o}, {}, kToday);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(to_string(findings[0].status), std::string_view("error"));
  EXPECT_EQ(findings[0].message, "fact host.sshd.permit_root_login was not collected");
  EXPECT_EQ(findings[0].explanation.fr, "le fait host.sshd.permit_root_login n'a pas été collecté");
  EXPECT_EQ(findings[0].explanation.en, findings[0].message);
  EXPECT_TRUE(findings[0].observed.is_null());
}

// Issue 20: the report showed matcher syntax as the expectation, and no rationale.
TEST(Evaluator, FindingsCarryTheRationaleAndTheExpectationInWords) {
  const auto findings = evaluate({root_login_check()}, {host_obs("backup-01", "yes")}, {}, kToday);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].rationale.fr, "raison");
  EXPECT_EQ(findings[0].expectation, "in [\"no\",\"prohibit-password\"]");
  EXPECT_EQ(findings[0].expected.fr, "doit être l'une des valeurs [\"no\",\"prohibit-password\"]");
  EXPECT_EQ(findings[0].expected.en, "must be one of [\"no\",\"prohibit-password\"]");
  EXPECT_EQ(make(matcher_op::empty).in_words().fr, "doit être vide");
  matcher every = make(matcher_op::all);
  every.element = std::make_shared<const matcher>(make(matcher_op::le, 90));
  EXPECT_EQ(every.in_words().en, "every element must be at most 90");
  EXPECT_EQ(every.in_words().fr, "chaque élément doit être inférieur ou égal à 90");
}

TEST(Evaluator, AnUnreadTargetIsOneCauseAndItsChecksAreNotEvaluated) {
  observation o;
  o.probe = "host";
  o.target = "backup-01";
  o.outcome = outcome::error;
  o.detail = "probe failed: runner exploded";
  o.evidence.push_back(make_evidence("host/backup-01/ssh", "ssh", "connection refused", false));
  o.facts["host.windows.smb1_enabled"] = fact::ruled_out("not collected on linux hosts");
  auto windows_check = root_login_check();
  windows_check.id = "smb1";
  windows_check.fact = "host.windows.smb1_enabled";
  const auto findings =
      evaluate({root_login_check(), root_login_check(), windows_check}, {o}, {}, kToday);
  ASSERT_EQ(findings.size(), 4u);
  EXPECT_EQ(findings[0].check, "host-read");
  EXPECT_EQ(findings[0].status, status::error);
  EXPECT_TRUE(is_cause(findings[0]));
  EXPECT_EQ(findings[0].target, "backup-01");
  EXPECT_EQ(findings[0].message, "error: probe failed: runner exploded");
  EXPECT_EQ(findings[0].evidence, std::vector<std::string>{"host/backup-01/ssh"});
  for (const std::size_t i : {1u, 2u}) {
    EXPECT_EQ(findings[i].status, status::not_evaluated);
    EXPECT_EQ(findings[i].cause, "host-read");
    EXPECT_FALSE(is_cause(findings[i]));
  }
  EXPECT_EQ(findings[3].status, status::not_applicable);  // whatever the cause
}

TEST(Evaluator, APartlyReadTargetKeepsAnErrorPerMissingFact) {
  observation o = host_obs("backup-01", "no");
  o.outcome = outcome::failed;
  o.detail = "1 of 20 commands failed";
  o.facts["host.sshd.permit_root_login"] = fact::missing("sshd -T exited with code 1");
  const auto findings = evaluate({root_login_check()}, {o}, {}, kToday);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].status, status::error);
  EXPECT_TRUE(findings[0].cause.empty());
}

TEST(Evaluator, AnUndecidableFactIsNotEvaluatedWithItsReason) {
  observation o = host_obs("backup-01", "no");
  o.facts["host.sshd.permit_root_login"] = fact::undecidable("needs what LDAP does not show");
  const auto findings = evaluate({root_login_check()}, {o}, {}, kToday);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].status, status::not_evaluated);
  EXPECT_EQ(findings[0].message, "needs what LDAP does not show");
  EXPECT_TRUE(findings[0].cause.empty());
}

TEST(Evaluator, AnOutOfScopeFactGivesNoFinding) {
  observation o = host_obs("backup-01", "no");
  o.facts["host.sshd.permit_root_login"] = fact::out_of_scope("not this kind of target");
  EXPECT_TRUE(evaluate({root_login_check()}, {o}, {}, kToday).empty());
}

TEST(Evaluator, FactWithoutValueIsAnErrorWithItsErrorAndEvidence) {
  observation o = host_obs("backup-01", "no");
  o.facts["host.sshd.permit_root_login"] =
      fact::missing("sshd -T exited with code 1: no hostkeys", {"host/backup-01/sshd-effective"});
  const auto findings = evaluate({root_login_check()}, {o}, {}, kToday);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(to_string(findings[0].status), std::string_view("error"));
  EXPECT_EQ(findings[0].message,
            "fact host.sshd.permit_root_login could not be established: sshd -T exited with code "
            "1: no hostkeys");
  EXPECT_EQ(findings[0].evidence, std::vector<std::string>{"host/backup-01/sshd-effective"});
  EXPECT_TRUE(findings[0].observed.is_null());
}

TEST(Evaluator, MissingFactIsNeverPassEvenForNegativeMatchers) {
  // not_in / not_equals / none would say "yes" to nothing: a missing fact must still be an error.
  observation o;
  o.probe = "host";
  o.target = "backup-01";
  o.facts["host.sshd.permit_root_login"] = fact::missing("timeout");
  for (auto m : {make(matcher_op::not_in, json::array({"yes"})),
                 make(matcher_op::not_equals, "yes"), make(matcher_op::empty)}) {
    const auto findings =
        evaluate({make_check("c", "host.sshd.permit_root_login", m)}, {o}, {}, kToday);
    ASSERT_EQ(findings.size(), 1u);
    EXPECT_EQ(to_string(findings[0].status), std::string_view("error")) << m.describe();
  }
}

TEST(Evaluator, TypeMismatchIsAnError) {
  auto c = make_check("drill-recent", "host.sshd.permit_root_login", make(matcher_op::le, 180));
  const auto findings = evaluate({c}, {host_obs("backup-01", "no")}, {}, kToday);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(to_string(findings[0].status), std::string_view("error"));
  EXPECT_EQ(findings[0].message, "le cannot judge a string value");
  EXPECT_EQ(findings[0].explanation.fr,
            "la valeur observée (string) ne peut pas être jugée par « le 180 »");
  EXPECT_EQ(findings[0].observed, json("no"));
  EXPECT_EQ(findings[0].evidence, std::vector<std::string>{"host/backup-01/sshd-effective"});
}

check conditional_check() {
  auto c = root_login_check();
  c.applies_if = condition{"host.sshd.password_authentication", make(matcher_op::equals, "yes")};
  return c;
}

TEST(Evaluator, AppliesIfFalseIsNotApplicable) {
  const auto findings = evaluate({conditional_check()}, {host_obs("backup-01", "yes")}, {}, kToday);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(to_string(findings[0].status), std::string_view("not_applicable"));
  EXPECT_EQ(findings[0].message,
            "not applicable: host.sshd.password_authentication is \"no\", not equals \"yes\"");
  EXPECT_EQ(findings[0].explanation.fr,
            "sans objet : host.sshd.password_authentication vaut \"no\", alors qu'il doit valoir "
            "\"yes\"");
}

TEST(Evaluator, AppliesIfTrueJudgesTheCheck) {
  observation o = host_obs("backup-01", "yes");
  o.facts["host.sshd.password_authentication"] = fact::of("yes");
  const auto findings = evaluate({conditional_check()}, {o}, {}, kToday);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(to_string(findings[0].status), std::string_view("fail"));
}

TEST(Evaluator, AppliesIfFactMissingIsAnError) {
  observation o = host_obs("backup-01", "no");
  o.facts["host.sshd.password_authentication"] =
      fact::missing("sshd: not found", {"host/backup-01/sshd-effective"});
  const auto findings = evaluate({conditional_check()}, {o}, {}, kToday);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(to_string(findings[0].status), std::string_view("error"));
  EXPECT_EQ(findings[0].message,
            "fact host.sshd.password_authentication could not be established: sshd: not found");
  EXPECT_EQ(findings[0].evidence, std::vector<std::string>{"host/backup-01/sshd-effective"});

  o.facts.erase("host.sshd.password_authentication");
  const auto absent = evaluate({conditional_check()}, {o}, {}, kToday);
  ASSERT_EQ(absent.size(), 1u);
  EXPECT_EQ(to_string(absent[0].status), std::string_view("error"));
  EXPECT_EQ(absent[0].message, "fact host.sshd.password_authentication was not collected");
}

TEST(Evaluator, AppliesIfTypeMismatchIsAnError) {
  auto c = root_login_check();
  c.applies_if = condition{"host.sshd.password_authentication", make(matcher_op::gt, 1)};
  const auto findings = evaluate({c}, {host_obs("backup-01", "no")}, {}, kToday);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(to_string(findings[0].status), std::string_view("error"));
  EXPECT_EQ(findings[0].message, "applies_if: gt cannot judge a string value");
}

TEST(Evaluator, CheckWithoutObservationIsOneNotApplicableFinding) {
  auto c = make_check("ldap-bind", "directory.bind.anonymous", make(matcher_op::equals, false));
  const auto findings =
      evaluate({c}, {host_obs("backup-01", "no"), host_obs("backup-02", "no")}, {}, kToday);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].check, "ldap-bind");
  EXPECT_EQ(findings[0].target, "*");
  EXPECT_EQ(to_string(findings[0].status), std::string_view("not_applicable"));
  EXPECT_EQ(findings[0].message, "probe 'directory' observed no target in this run");
  EXPECT_EQ(findings[0].expectation, "equals false");

  const auto none = evaluate({root_login_check()}, {}, {}, kToday);
  ASSERT_EQ(none.size(), 1u);
  EXPECT_EQ(none[0].target, "*");
  EXPECT_EQ(to_string(none[0].status), std::string_view("not_applicable"));
}

TEST(Evaluator, DisabledChecksProduceNothing) {
  auto c = root_login_check();
  c.enabled = false;
  EXPECT_TRUE(evaluate({c}, {host_obs("backup-01", "yes")}, {}, kToday).empty());
  EXPECT_TRUE(evaluate({c}, {}, {}, kToday).empty());  // not even a not_applicable one
}

TEST(Evaluator, AdsFieldsAreCopied) {
  auto c = root_login_check();
  c.objective = "ADS";
  c.anssi_id = "vuln1_x";
  c.anssi_level = 2;
  const auto findings = evaluate({c}, {host_obs("backup-01", "no")}, {}, kToday);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].objective, "ADS");
  EXPECT_EQ(findings[0].anssi_id, "vuln1_x");
  EXPECT_EQ(findings[0].anssi_level, 2);
}

// --- waivers ---------------------------------------------------------------------------------

TEST(EvaluatorWaivers, ValidWaiverTurnsFailIntoWaived) {
  const auto w = make_waiver("sshd-no-root-login", "backup-01", "2025-12-31");
  const auto findings = evaluate({root_login_check()}, {host_obs("backup-01", "yes")}, {w}, kToday);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(to_string(findings[0].status), std::string_view("waived"));
  ASSERT_TRUE(findings[0].waiver.has_value());
  EXPECT_EQ(findings[0].waiver->waiver.expires, w.expires);
  EXPECT_EQ(findings[0].waiver->waiver, w);
  EXPECT_FALSE(findings[0].waiver->expired);
  EXPECT_EQ(findings[0].observed, json("yes"));  // the waiver hides nothing
}

TEST(EvaluatorWaivers, WaiverHoldsOnItsExpiryDay) {
  const auto w = make_waiver("sshd-no-root-login", "backup-01", "2025-06-15");
  const auto findings = evaluate({root_login_check()}, {host_obs("backup-01", "yes")}, {w}, kToday);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(to_string(findings[0].status), std::string_view("waived"));
  ASSERT_TRUE(findings[0].waiver.has_value());
  EXPECT_FALSE(findings[0].waiver->expired);
}

TEST(EvaluatorWaivers, ExpiredWaiverStaysFailAndIsShownExpired) {
  const auto w = make_waiver("sshd-no-root-login", "backup-01", "2025-06-14");
  const auto findings = evaluate({root_login_check()}, {host_obs("backup-01", "yes")}, {w}, kToday);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(to_string(findings[0].status), std::string_view("fail"));
  ASSERT_TRUE(findings[0].waiver.has_value());
  EXPECT_EQ(findings[0].waiver->waiver.expires, w.expires);
  EXPECT_EQ(findings[0].waiver->waiver, w);
  EXPECT_TRUE(findings[0].waiver->expired);
}

TEST(EvaluatorWaivers, MalformedExpiryCountsAsExpired) {
  const auto w = make_waiver("sshd-no-root-login", "backup-01", "someday");
  const auto findings = evaluate({root_login_check()}, {host_obs("backup-01", "yes")}, {w}, kToday);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(to_string(findings[0].status), std::string_view("fail"));
  ASSERT_TRUE(findings[0].waiver.has_value());
  EXPECT_TRUE(findings[0].waiver->expired);
}

TEST(EvaluatorWaivers, WaiverForAnotherTargetDoesNotApply) {
  const auto w = make_waiver("sshd-no-root-login", "backup-02", "2025-12-31");
  const auto findings = evaluate({root_login_check()}, {host_obs("backup-01", "yes")}, {w}, kToday);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(to_string(findings[0].status), std::string_view("fail"));
  EXPECT_FALSE(findings[0].waiver.has_value());
}

TEST(EvaluatorWaivers, WaiverForAnotherCheckDoesNotApply) {
  const auto w = make_waiver("sshd-no-password", "", "2025-12-31");
  const auto findings = evaluate({root_login_check()}, {host_obs("backup-01", "yes")}, {w}, kToday);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(to_string(findings[0].status), std::string_view("fail"));
  EXPECT_FALSE(findings[0].waiver.has_value());
}

TEST(EvaluatorWaivers, StarOrEmptyTargetAppliesToEveryTarget) {
  for (const char* any_target : {"*", ""}) {
    const auto w = make_waiver("sshd-no-root-login", any_target, "2025-12-31");
    const auto findings =
        evaluate({root_login_check()}, {host_obs("backup-01", "yes"), host_obs("backup-02", "yes")},
                 {w}, kToday);
    ASSERT_EQ(findings.size(), 2u);
    for (const auto& f : findings) {
      EXPECT_EQ(to_string(f.status), std::string_view("waived"))
          << '"' << any_target << "\" " << f.target;
      ASSERT_TRUE(f.waiver.has_value());
      EXPECT_EQ(f.waiver->waiver.target, any_target);
    }
  }
}

TEST(EvaluatorWaivers, WaiverNeverTouchesAPass) {
  const auto w = make_waiver("sshd-no-root-login", "*", "2025-12-31");
  const auto findings =
      evaluate({root_login_check()}, {host_obs("backup-01", "no"), host_obs("backup-02", "yes")},
               {w}, kToday);
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_EQ(to_string(findings[0].status), std::string_view("pass"));
  EXPECT_FALSE(findings[0].waiver.has_value());
  EXPECT_EQ(to_string(findings[1].status), std::string_view("waived"));
}

TEST(EvaluatorWaivers, WaiverNeverTouchesAnError) {
  observation o = host_obs("backup-01", "yes");
  o.facts["host.sshd.permit_root_login"] = fact::missing("timeout");
  const auto w = make_waiver("sshd-no-root-login", "*", "2025-12-31");
  const auto findings = evaluate({root_login_check()}, {o}, {w}, kToday);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(to_string(findings[0].status), std::string_view("error"));
  EXPECT_FALSE(findings[0].waiver.has_value());
}

TEST(EvaluatorWaivers, ValidWaiverAppliesEvenAfterAnExpiredOne) {
  // evaluator.h: "Waivers valid on `today` turn `fail` into `waived`". An expired waiver for every
  // target listed before a valid one for this target must not hide the valid one.
  const auto expired = make_waiver("sshd-no-root-login", "*", "2025-01-31");
  const auto valid = make_waiver("sshd-no-root-login", "backup-01", "2025-12-31");
  const auto findings =
      evaluate({root_login_check()}, {host_obs("backup-01", "yes")}, {expired, valid}, kToday);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(to_string(findings[0].status), std::string_view("waived"));
  ASSERT_TRUE(findings[0].waiver.has_value());
  EXPECT_EQ(findings[0].waiver->waiver.expires, valid.expires);
  EXPECT_EQ(findings[0].waiver->waiver, valid);
  EXPECT_FALSE(findings[0].waiver->expired);
}

TEST(EvaluatorWaivers, FirstValidWaiverIsAttached) {
  const auto first = make_waiver("sshd-no-root-login", "backup-01", "2025-12-31");
  const auto second = make_waiver("sshd-no-root-login", "*", "2026-12-31");
  const auto findings =
      evaluate({root_login_check()}, {host_obs("backup-01", "yes")}, {first, second}, kToday);
  ASSERT_EQ(findings.size(), 1u);
  ASSERT_TRUE(findings[0].waiver.has_value());
  EXPECT_EQ(findings[0].waiver->waiver.expires, first.expires);
  EXPECT_EQ(findings[0].waiver->waiver, first);
}

}  // namespace
}  // namespace cloison

namespace cloison {
namespace {

TEST(Evaluator, RuledOutFactIsNotApplicableNeverPass) {
  check c;
  c.id = "x";
  c.objective = "D2.03.A";
  c.fact = "host.sshd.permit_root_login";
  c.expect.op = matcher_op::equals;
  c.expect.operand = "no";
  observation obs;
  obs.probe = "host";
  obs.target = "repo";
  obs.facts["host.sshd.permit_root_login"] = fact::ruled_out("declared without host access");
  const auto f = evaluate({c}, {obs}, {}, std::chrono::sys_days{});
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].status, status::not_applicable);
  EXPECT_EQ(f[0].message, "not applicable: declared without host access");
}

}  // namespace
}  // namespace cloison
