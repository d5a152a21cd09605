#include "probes/directory/ldap_entry.h"

#include <gtest/gtest.h>

namespace cloison {
namespace {

TEST(LdapEntry, AttributeNamesIgnoreCase) {
  ldap_entry e;
  e.attributes["userAccountControl"] = {"512"};
  EXPECT_EQ(e.first("useraccountcontrol"), "512");
  EXPECT_TRUE(e.has("USERACCOUNTCONTROL"));
  EXPECT_TRUE(e.values("member").empty());
  EXPECT_EQ(e.first("member"), "");
}

TEST(LdapEntry, RangedAttributeDescriptions) {
  const auto first = parse_ranged_attribute("member;range=0-1499");
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->name, "member");
  EXPECT_EQ(first->next, 1500u);
  const auto last = parse_ranged_attribute("member;range=1500-*");
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(last->name, "member");
  EXPECT_FALSE(last->next.has_value());
  EXPECT_FALSE(parse_ranged_attribute("member").has_value());
  EXPECT_FALSE(parse_ranged_attribute("member;binary").has_value());
  // A malformed upper bound reads as the last part: the client stops instead of looping.
  EXPECT_FALSE(parse_ranged_attribute("member;range=0-x")->next.has_value());
}

}  // namespace
}  // namespace cloison
