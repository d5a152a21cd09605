#include <gtest/gtest.h>

#include <memory>
#include <regex>
#include <string>

#include "agent/engine/policy.h"

namespace cloison {
namespace {

matcher make(matcher_op op, json operand = nullptr) {
  matcher m;
  m.op = op;
  m.operand = std::move(operand);
  return m;
}

matcher matches(const std::string& pattern) {
  matcher m = make(matcher_op::matches, pattern);
  m.pattern = std::make_shared<const std::regex>(pattern);
  return m;
}

matcher over(matcher_op op, matcher element) {
  matcher m = make(op);
  m.element = std::make_shared<const matcher>(std::move(element));
  return m;
}

// The outcome of a judgeable value: matched, and no problem.
void expect_yes(const matcher& m, const json& v) {
  const auto r = evaluate(m, v);
  EXPECT_TRUE(r.matched) << m.describe() << " on " << v.dump();
  EXPECT_EQ(r.problem, "") << m.describe() << " on " << v.dump();
}

void expect_no(const matcher& m, const json& v) {
  const auto r = evaluate(m, v);
  EXPECT_FALSE(r.matched) << m.describe() << " on " << v.dump();
  EXPECT_EQ(r.problem, "") << m.describe() << " on " << v.dump();
}

void expect_problem(const matcher& m, const json& v, const std::string& problem) {
  const auto r = evaluate(m, v);
  EXPECT_FALSE(r.matched) << m.describe() << " on " << v.dump();
  EXPECT_EQ(r.problem, problem) << m.describe() << " on " << v.dump();
}

TEST(MatcherEquals, Strings) {
  expect_yes(make(matcher_op::equals, "no"), "no");
  expect_no(make(matcher_op::equals, "no"), "No");
  expect_no(make(matcher_op::equals, "no"), "no ");
  expect_no(make(matcher_op::equals, "no"), json::array({"no"}));
}

TEST(MatcherEquals, Booleans) {
  expect_yes(make(matcher_op::equals, true), true);
  expect_no(make(matcher_op::equals, true), false);
  expect_no(make(matcher_op::equals, true), "true");
  expect_no(make(matcher_op::equals, true), 1);
}

TEST(MatcherEquals, NumbersCompareByValueAcrossIntegerAndFloat) {
  expect_yes(make(matcher_op::equals, 3), 3);
  expect_yes(make(matcher_op::equals, 3), 3.0);
  expect_yes(make(matcher_op::equals, 3.0), 3);
  expect_yes(make(matcher_op::equals, 3), 3u);
  expect_no(make(matcher_op::equals, 3), 3.5);
  expect_no(make(matcher_op::equals, 3), "3");
}

TEST(MatcherEquals, Lists) {
  expect_yes(make(matcher_op::equals, json::array({"files", "systemd"})),
             json::array({"files", "systemd"}));
  expect_no(make(matcher_op::equals, json::array({"files", "systemd"})),
            json::array({"systemd", "files"}));
  expect_no(make(matcher_op::equals, json::array({"files", "systemd"})), json::array({"files"}));
  expect_yes(make(matcher_op::equals, json::array()), json::array());
}

TEST(MatcherNotEquals, IsTheNegationOfEquals) {
  expect_no(make(matcher_op::not_equals, "no"), "no");
  expect_yes(make(matcher_op::not_equals, "no"), "yes");
  expect_no(make(matcher_op::not_equals, 3), 3.0);
  expect_yes(make(matcher_op::not_equals, false), true);
  expect_no(make(matcher_op::not_equals, json::array({"root"})), json::array({"root"}));
  expect_yes(make(matcher_op::not_equals, json::array({"root"})), json::array({"root", "toor"}));
}

TEST(MatcherOrdering, LessThan) {
  expect_yes(make(matcher_op::lt, 180), 30);
  expect_no(make(matcher_op::lt, 180), 180);
  expect_no(make(matcher_op::lt, 180), 181);
  expect_yes(make(matcher_op::lt, 180), 179.5);
  expect_yes(make(matcher_op::lt, 0), -1);
}

TEST(MatcherOrdering, LessOrEqual) {
  expect_yes(make(matcher_op::le, 180), 180);
  expect_yes(make(matcher_op::le, 180), 180.0);
  expect_no(make(matcher_op::le, 180), 180.01);
}

TEST(MatcherOrdering, GreaterThan) {
  expect_yes(make(matcher_op::gt, 2), 3);
  expect_no(make(matcher_op::gt, 2), 2);
  expect_no(make(matcher_op::gt, 2.5), 2);
}

TEST(MatcherOrdering, GreaterOrEqual) {
  expect_yes(make(matcher_op::ge, 2), 2);
  expect_yes(make(matcher_op::ge, 2), 2.5);
  expect_no(make(matcher_op::ge, 2), 1);
}

TEST(MatcherOrdering, NonNumbersAreProblems) {
  expect_problem(make(matcher_op::lt, 180), "30", "lt cannot judge a string value");
  expect_problem(make(matcher_op::le, 180), true, "le cannot judge a boolean value");
  expect_problem(make(matcher_op::gt, 0), json::array({1}), "gt cannot judge a array value");
  expect_problem(make(matcher_op::ge, 0), nullptr, "ge cannot judge a null value");
}

TEST(MatcherIn, Membership) {
  const auto m = make(matcher_op::in, json::array({"no", "prohibit-password"}));
  expect_yes(m, "no");
  expect_yes(m, "prohibit-password");
  expect_no(m, "without-password");
  expect_no(m, "yes");
  expect_no(make(matcher_op::in, json::array()), "no");
  expect_yes(make(matcher_op::in, json::array({1, 2})), 2.0);
}

TEST(MatcherNotIn, NegatedMembership) {
  const auto m = make(matcher_op::not_in, json::array({"yes", "without-password"}));
  expect_no(m, "yes");
  expect_no(m, "without-password");
  expect_yes(m, "no");
  expect_yes(make(matcher_op::not_in, json::array()), "anything");
}

TEST(MatcherContains, SubstringOfText) {
  expect_yes(make(matcher_op::contains, "sss"), "files sss");
  expect_yes(make(matcher_op::contains, ""), "anything");
  expect_no(make(matcher_op::contains, "ldap"), "files sss");
  expect_no(make(matcher_op::contains, "SSS"), "files sss");
}

TEST(MatcherContains, MembershipOfList) {
  const auto m = make(matcher_op::contains, "sss");
  expect_yes(m, json::array({"files", "systemd", "sss"}));
  expect_no(m, json::array({"files", "systemd"}));
  // List membership is exact: an element containing the text is not the text.
  expect_no(m, json::array({"files", "sssd"}));
  expect_no(m, json::array());
  expect_yes(make(matcher_op::contains, 0), json::array({1000, 0}));
}

TEST(MatcherContains, NumberOrBooleanValueIsAProblem) {
  expect_problem(make(matcher_op::contains, "1"), 10, "contains cannot judge a number value");
  expect_problem(make(matcher_op::contains, "t"), true, "contains cannot judge a boolean value");
  expect_problem(make(matcher_op::not_contains, "1"), 10,
                 "not_contains cannot judge a number value");
}

TEST(MatcherNotContains, NegatedSubstringAndMembership) {
  const auto m = make(matcher_op::not_contains, "sss");
  expect_no(m, "files sss");
  expect_yes(m, "files systemd");
  expect_no(m, json::array({"files", "sss"}));
  expect_yes(m, json::array({"files", "systemd"}));
  expect_yes(m, json::array());
}

TEST(MatcherMatches, RegexSearch) {
  expect_yes(matches("^(no|prohibit-password)$"), "no");
  expect_yes(matches("^(no|prohibit-password)$"), "prohibit-password");
  expect_no(matches("^(no|prohibit-password)$"), "without-password");
  // Search, not full match: the pattern may match anywhere.
  expect_yes(matches("sss"), "files systemd sss");
  expect_yes(matches("[0-9]+"), "port 22");
  expect_no(matches("^[0-9]+$"), "port 22");
}

TEST(MatcherMatches, NonStringIsAProblem) {
  expect_problem(matches("^1"), 10, "matches cannot judge a number value");
  expect_problem(matches("sss"), json::array({"sss"}), "matches cannot judge a array value");
  expect_problem(matches("true"), true, "matches cannot judge a boolean value");
}

TEST(MatcherEmpty, Lists) {
  expect_yes(make(matcher_op::empty), json::array());
  expect_no(make(matcher_op::empty), json::array({""}));
  expect_no(make(matcher_op::not_empty), json::array());
  expect_yes(make(matcher_op::not_empty), json::array({"root"}));
}

TEST(MatcherEmpty, NonEmptyStrings) {
  expect_no(make(matcher_op::empty), "x");
  expect_yes(make(matcher_op::not_empty), " ");
}

TEST(MatcherEmpty, EmptyString) {
  expect_yes(make(matcher_op::empty), "");
  expect_no(make(matcher_op::not_empty), "");
}

TEST(MatcherEmpty, NumberOrBooleanIsAProblem) {
  expect_problem(make(matcher_op::empty), 0, "empty cannot judge a number value");
  expect_problem(make(matcher_op::empty), 0.0, "empty cannot judge a number value");
  expect_problem(make(matcher_op::not_empty), false, "not_empty cannot judge a boolean value");
  expect_problem(make(matcher_op::not_empty), nullptr, "not_empty cannot judge a null value");
}

TEST(MatcherAll, EveryElementMustMatch) {
  const auto m = over(matcher_op::all, make(matcher_op::in, json::array({"root"})));
  expect_yes(m, json::array({"root"}));
  expect_yes(m, json::array({"root", "root"}));
  expect_no(m, json::array({"root", "toor"}));
  expect_no(m, json::array({"toor"}));
}

TEST(MatcherAll, VacuouslyTrueOnEmptyList) {
  expect_yes(over(matcher_op::all, make(matcher_op::equals, "x")), json::array());
}

TEST(MatcherAny, SomeElementMustMatch) {
  const auto m = over(matcher_op::any, make(matcher_op::equals, "sss"));
  expect_yes(m, json::array({"files", "sss"}));
  expect_no(m, json::array({"files", "systemd"}));
  expect_no(m, json::array());
}

TEST(MatcherNone, NoElementMayMatch) {
  const auto m = over(matcher_op::none, matches("^(ldap|sss|winbind)$"));
  expect_yes(m, json::array({"files", "systemd"}));
  expect_no(m, json::array({"files", "sss"}));
  expect_yes(m, json::array());
}

TEST(MatcherOverElements, NonListIsAProblem) {
  expect_problem(over(matcher_op::all, make(matcher_op::equals, "root")), "root",
                 "all cannot judge a string value");
  expect_problem(over(matcher_op::any, make(matcher_op::equals, 1)), 1,
                 "any cannot judge a number value");
  expect_problem(over(matcher_op::none, make(matcher_op::equals, true)), true,
                 "none cannot judge a boolean value");
}

TEST(MatcherOverElements, ProblemInAnElementPropagates) {
  // A list of numbers judged by a text matcher: never silently "no" (nor "yes" for none).
  expect_problem(over(matcher_op::all, matches("^x")), json::array({1, 2}),
                 "matches cannot judge a number value");
  expect_problem(over(matcher_op::none, matches("^x")), json::array({1, 2}),
                 "matches cannot judge a number value");
  // Even after elements that matched.
  expect_problem(over(matcher_op::any, make(matcher_op::gt, 0)), json::array({5, "six"}),
                 "gt cannot judge a string value");
}

TEST(MatcherOverElements, Nested) {
  const auto m = over(matcher_op::all, over(matcher_op::any, make(matcher_op::equals, 0)));
  expect_yes(m, json::array({json::array({0, 1}), json::array({0})}));
  expect_no(m, json::array({json::array({0, 1}), json::array({1})}));
}

TEST(MatcherDescribe, Texts) {
  EXPECT_EQ(make(matcher_op::equals, "no").describe(), "equals \"no\"");
  EXPECT_EQ(make(matcher_op::not_equals, true).describe(), "not_equals true");
  EXPECT_EQ(make(matcher_op::le, 180).describe(), "le 180");
  EXPECT_EQ(make(matcher_op::gt, 2.5).describe(), "gt 2.5");
  EXPECT_EQ(make(matcher_op::in, json::array({"no", "prohibit-password"})).describe(),
            "in [\"no\",\"prohibit-password\"]");
  EXPECT_EQ(make(matcher_op::not_contains, "sss").describe(), "not_contains \"sss\"");
  EXPECT_EQ(matches("^no$").describe(), "matches \"^no$\"");
  EXPECT_EQ(make(matcher_op::empty).describe(), "empty");
  EXPECT_EQ(make(matcher_op::not_empty).describe(), "not_empty");
  EXPECT_EQ(over(matcher_op::all, make(matcher_op::in, json::array({"root"}))).describe(),
            "all (in [\"root\"])");
  EXPECT_EQ(over(matcher_op::none, make(matcher_op::empty)).describe(), "none (empty)");
  EXPECT_EQ(over(matcher_op::any, over(matcher_op::all, make(matcher_op::lt, 3))).describe(),
            "any (all (lt 3))");
}

TEST(MatcherNames, RoundTrip) {
  for (const char* name :
       {"equals", "not_equals", "lt", "le", "gt", "ge", "in", "not_in", "contains", "not_contains",
        "matches", "empty", "not_empty", "all", "any", "none"}) {
    const auto op = matcher_op_from_string(name);
    ASSERT_TRUE(op.has_value()) << name;
    EXPECT_EQ(to_string(*op), name);
  }
  EXPECT_FALSE(matcher_op_from_string("equal").has_value());
  EXPECT_FALSE(matcher_op_from_string("").has_value());
}

}  // namespace
}  // namespace cloison
