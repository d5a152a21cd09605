#include "probes/directory/ad_decoders.h"

#include <gtest/gtest.h>

#include "tests/probes/directory/ldap_fixture.h"

namespace cloison {
namespace {

using namespace std::chrono;

TEST(AdDecoders, SidOfTheBackupLabDomainAndAnAccount) {
  // objectSid values of DC=backup,DC=lab and bk-admin in tests/data/directory.
  EXPECT_EQ(decode_sid(testing::base64_decode("AQQAAAAAAAUVAAAA/Hd5GktwJy98q8li")),
            "S-1-5-21-444168188-791113803-1657383804");
  const auto admin = decode_sid(testing::base64_decode("AQUAAAAAAAUVAAAA/Hd5GktwJy98q8liUgQAAA=="));
  ASSERT_EQ(admin, "S-1-5-21-444168188-791113803-1657383804-1106");
  EXPECT_EQ(sid_domain(*admin), "S-1-5-21-444168188-791113803-1657383804");
  EXPECT_EQ(sid_rid(*admin), 1106u);
}

TEST(AdDecoders, BuiltinSidAndMalformedSids) {
  const std::string administrators{
      "\x01\x02\x00\x00\x00\x00\x00\x05\x20\x00\x00\x00\x20\x02\x00\x00", 16};
  EXPECT_EQ(decode_sid(administrators), "S-1-5-32-544");
  EXPECT_EQ(sid_rid("S-1-5-32-544"), 544u);
  EXPECT_EQ(decode_sid(administrators.substr(0, 15)), std::nullopt);                    // truncated
  EXPECT_EQ(decode_sid(std::string("\x02") + administrators.substr(1)), std::nullopt);  // revision
  EXPECT_EQ(decode_sid(""), std::nullopt);
  EXPECT_EQ(sid_rid("S-1-5"), std::nullopt);
  EXPECT_EQ(sid_domain("S-1-5"), "");
}

TEST(AdDecoders, FiletimeValuesAndNever) {
  // krbtgt pwdLastSet of the degraded backup lab: 2024-11-29 00:44:09 UTC.
  const auto t = decode_filetime("133773146490000000");
  ASSERT_TRUE(t);
  EXPECT_EQ(floor<seconds>(*t), sys_days(2024y / 11 / 29) + 44min + 9s);
  EXPECT_EQ(decode_filetime("0"), std::nullopt);
  EXPECT_EQ(decode_filetime("9223372036854775807"), std::nullopt);
  EXPECT_EQ(decode_filetime("-1"), std::nullopt);
  EXPECT_EQ(decode_filetime("12x"), std::nullopt);
  EXPECT_EQ(decode_filetime(""), std::nullopt);
  // 1970-01-01 exactly.
  EXPECT_EQ(decode_filetime("116444736000000000"), sys_time{});
}

TEST(AdDecoders, GeneralizedTime) {
  EXPECT_EQ(decode_generalized_time("20261128225740.0Z"),
            sys_days(2026y / 11 / 28) + 22h + 57min + 40s);
  EXPECT_EQ(decode_generalized_time("20261128225740Z"),
            sys_days(2026y / 11 / 28) + 22h + 57min + 40s);
  EXPECT_EQ(decode_generalized_time("20261332225740.0Z"), std::nullopt);  // month 13
  EXPECT_EQ(decode_generalized_time("2026112822574"), std::nullopt);
  EXPECT_EQ(decode_generalized_time("20261128225740.0"), std::nullopt);  // not UTC
}

TEST(AdDecoders, AgesAndIntervals) {
  const auto now = sys_days(2026y / 11 / 29) + 1h;
  EXPECT_EQ(days_between(sys_days(2024y / 11 / 29), now), 730);
  EXPECT_EQ(days_between(now + hours(5), now), 0);
  EXPECT_EQ(decode_interval_days("-36288000000000"), 42);  // maxPwdAge of the lab domains
  EXPECT_EQ(decode_interval_days("0"), std::nullopt);
  EXPECT_EQ(decode_interval_days("-9223372036854775808"), std::nullopt);
}

// Found by tests/fuzz/directory_entries (regressions/directory_entries/crash-3a19…): a FILETIME
// or generalized time outside 1677-2262 overflowed sys_time's nanoseconds, and so did the days
// between two times more than 292 years apart (signed overflow, UBSan).
TEST(AdDecoders, TimesASysTimeCannotHoldAreMalformed) {
  EXPECT_EQ(decode_filetime("1"), std::nullopt);                    // 1601
  EXPECT_EQ(decode_filetime("9000000000000000000"), std::nullopt);  // 30120
  EXPECT_EQ(decode_generalized_time("16010101000000.0Z"), std::nullopt);
  EXPECT_EQ(decode_generalized_time("99991231235959.0Z"), std::nullopt);
  const auto first = decode_generalized_time("16780101000000.0Z");
  const auto last = decode_generalized_time("22611231000000.0Z");
  ASSERT_TRUE(first && last);
  EXPECT_EQ(days_between(*first, *last),
            (sys_days(2261y / 12 / 31) - sys_days(1678y / 1 / 1)).count());
}

TEST(AdDecoders, UserAccountControlNames) {
  EXPECT_EQ(uac_flag_names(4194816),
            (std::vector<std::string>{"NORMAL_ACCOUNT", "DONT_REQ_PREAUTH"}));  // bk-admin
  EXPECT_EQ(uac_flag_names(532480),
            (std::vector<std::string>{"SERVER_TRUST_ACCOUNT", "TRUSTED_FOR_DELEGATION"}));  // DC
  EXPECT_EQ(uac_flag_names(0x400), (std::vector<std::string>{"0x400"}));
  EXPECT_TRUE(uac_flag_names(0).empty());
}

TEST(AdDecoders, Trusts) {
  EXPECT_EQ(trust_direction_name(3), "bidirectional");
  EXPECT_EQ(trust_direction_name(1), "inbound");
  EXPECT_EQ(trust_direction_name(9), "9");
  EXPECT_EQ(trust_attribute_names(8), (std::vector<std::string>{"FOREST_TRANSITIVE"}));
  EXPECT_EQ(trust_attribute_names(0x44),
            (std::vector<std::string>{"QUARANTINED_DOMAIN", "TREAT_AS_EXTERNAL"}));
}

TEST(AdDecoders, DsheuristicsPositionsAreOneBasedWithDefaults) {
  EXPECT_EQ(dsheuristics_char("", 7), '0');  // absent: every default
  EXPECT_EQ(dsheuristics_char("0000002", 7), '2');
  EXPECT_EQ(dsheuristics_char("0000002", 8), '0');
  EXPECT_EQ(dsheuristics_char("00000000010000000002000000011", 28), '1');
  EXPECT_EQ(dsheuristics_char("abc", 0), '0');
}

TEST(AdDecoders, FunctionalLevels) {
  EXPECT_EQ(functional_level_name(4), "Windows Server 2008 R2");  // the lab's Samba 4.17
  EXPECT_EQ(functional_level_name(7), "Windows Server 2016");
  EXPECT_EQ(functional_level_name(42), "level 42");
}

TEST(AdDecoders, DnsZoneAllowUpdateProperty) {
  // DNS_RPC_PROPERTY: DataLength, NameLength, Flag, Version, Id (little-endian), Data, Name.
  const auto property = [](std::uint32_t id, unsigned char data) {
    std::string p;
    for (const std::uint32_t v : {1u, 1u, 0u, 1u, id}) {
      for (int i = 0; i < 4; ++i)
        p += static_cast<char>((v >> (8 * i)) & 0xFF);
    }
    return p + static_cast<char>(data) + '\0';
  };
  EXPECT_EQ(dns_zone_allow_update({property(0x01, 1), property(0x02, 1)}), 1);
  EXPECT_EQ(dns_zone_allow_update({property(0x02, 2)}), 2);
  EXPECT_EQ(dns_zone_allow_update({property(0x01, 1)}), std::nullopt);
  EXPECT_EQ(dns_zone_allow_update({"short"}), std::nullopt);
}

TEST(AdDecoders, ParentDnSkipsEscapedCommas) {
  EXPECT_EQ(parent_dn("CN=bk-admin,CN=Users,DC=backup,DC=lab"), "CN=Users,DC=backup,DC=lab");
  EXPECT_EQ(parent_dn("CN=Durand\\, Bob,OU=Admins,DC=x"), "OU=Admins,DC=x");
  EXPECT_EQ(parent_dn("CN=a\\2C b,DC=x"), "DC=x");
  EXPECT_EQ(parent_dn("DC=x"), "");
  EXPECT_EQ(parent_dn("CN=trailing\\"), "");
  EXPECT_EQ(parent_dn(""), "");
}

// Samba's default links on the lab DC (domain head and OU=Domain Controllers), a disabled link
// (option 1), an enforced one (2) and malformed ones.
TEST(AdDecoders, EnabledGpoLinks) {
  EXPECT_EQ(
      enabled_gpo_links("[LDAP://CN={31B2F340-016D-11D2-945F-00C04FB984F9},CN=Policies,"
                        "CN=System,DC=backup,DC=lab;0]"),
      std::vector<std::string>{
          "CN={31B2F340-016D-11D2-945F-00C04FB984F9},CN=Policies,CN=System,DC=backup,DC=lab"});
  EXPECT_EQ(enabled_gpo_links("[LDAP://cn={A},cn=policies,cn=system,DC=x;1]"
                              "[ldap://cn={B},cn=policies,cn=system,DC=x;2][LDAP://cn={C};x]"
                              "[cn={D};0][LDAP://cn={E}]"),
            std::vector<std::string>{"cn={B},cn=policies,cn=system,DC=x"});
  EXPECT_EQ(enabled_gpo_links(""), std::vector<std::string>{});
  EXPECT_EQ(enabled_gpo_links(" "), std::vector<std::string>{});
  EXPECT_EQ(enabled_gpo_links("[LDAP://cn={F};0"), std::vector<std::string>{});
}

}  // namespace
}  // namespace cloison
