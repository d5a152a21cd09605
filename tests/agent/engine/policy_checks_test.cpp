// The checks of loaded policies that need no file (agent/engine/policy_checks.h); the loader's
// located messages built on them are tested in tests/agent/config/policy_loader_test.cpp.
#include "agent/engine/policy_checks.h"

#include <gtest/gtest.h>

namespace cloison {
namespace {

TEST(PolicyChecks, EachMatcherJudgesTheTypesItCompares) {
  const json none;
  EXPECT_TRUE(can_judge(matcher_op::all, none, fact_type::text_list));
  EXPECT_FALSE(can_judge(matcher_op::any, none, fact_type::text));
  EXPECT_TRUE(can_judge(matcher_op::lt, json(3), fact_type::integer));
  EXPECT_FALSE(can_judge(matcher_op::ge, json(3), fact_type::text));
  EXPECT_TRUE(can_judge(matcher_op::in, json::array({"a"}), fact_type::text));
  EXPECT_FALSE(can_judge(matcher_op::not_in, json::array({"a"}), fact_type::text_list));
  EXPECT_TRUE(can_judge(matcher_op::matches, json("^a"), fact_type::text));
  EXPECT_FALSE(can_judge(matcher_op::matches, json("^a"), fact_type::boolean));
  for (const auto op :
       {matcher_op::contains, matcher_op::not_contains, matcher_op::empty, matcher_op::not_empty}) {
    EXPECT_TRUE(can_judge(op, none, fact_type::text)) << to_string(op);
    EXPECT_TRUE(can_judge(op, none, fact_type::text_list)) << to_string(op);
    EXPECT_FALSE(can_judge(op, none, fact_type::integer)) << to_string(op);
  }
}

TEST(PolicyChecks, EqualsNeedsAnOperandOfTheFactsKind) {
  EXPECT_TRUE(can_judge(matcher_op::equals, json(true), fact_type::boolean));
  EXPECT_FALSE(can_judge(matcher_op::equals, json("yes"), fact_type::boolean));
  EXPECT_TRUE(can_judge(matcher_op::not_equals, json(2), fact_type::integer));
  EXPECT_TRUE(can_judge(matcher_op::equals, json("no"), fact_type::text));
  EXPECT_TRUE(can_judge(matcher_op::equals, json::array(), fact_type::text_list));
  EXPECT_FALSE(can_judge(matcher_op::equals, json("a"), fact_type::text_list));
}

}  // namespace
}  // namespace cloison
