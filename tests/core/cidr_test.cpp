#include "core/cidr.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

namespace cloison {
namespace {

ip_address addr(const std::string& text) {
  auto a = ip_address::parse(text);
  EXPECT_TRUE(a.has_value()) << text;
  return a.value_or(ip_address{});
}

cidr block(const std::string& text) {
  auto c = cidr::parse(text);
  EXPECT_TRUE(c.has_value()) << text;
  return c.value_or(cidr{});
}

TEST(CidrIpAddress, ParsesIpv4IntoFirstFourBytes) {
  const auto a = ip_address::parse("192.168.1.20");
  ASSERT_TRUE(a.has_value());
  EXPECT_FALSE(a->v6);
  EXPECT_EQ(a->bytes[0], 192);
  EXPECT_EQ(a->bytes[1], 168);
  EXPECT_EQ(a->bytes[2], 1);
  EXPECT_EQ(a->bytes[3], 20);
  for (std::size_t i = 4; i < a->bytes.size(); ++i)
    EXPECT_EQ(a->bytes[i], 0) << i;
  EXPECT_EQ(a->to_string(), "192.168.1.20");
}

TEST(CidrIpAddress, ParsesIpv6AndPrintsCanonicalForm) {
  const auto a = ip_address::parse("2001:DB8:0:0:0:0:0:1");
  ASSERT_TRUE(a.has_value());
  EXPECT_TRUE(a->v6);
  EXPECT_EQ(a->bytes[0], 0x20);
  EXPECT_EQ(a->bytes[1], 0x01);
  EXPECT_EQ(a->bytes[2], 0x0d);
  EXPECT_EQ(a->bytes[3], 0xb8);
  EXPECT_EQ(a->bytes[15], 0x01);
  EXPECT_EQ(a->to_string(), "2001:db8::1");
  ip_address unspecified;
  unspecified.v6 = true;
  EXPECT_EQ(addr("::"), unspecified);
}

TEST(CidrIpAddress, RejectsInvalidText) {
  for (const char* bad : {"", "10.0.0", "10.0.0.256", "10.0.0.1 ", " 10.0.0.1", "a.b.c.d",
                          "10.0.0.0/8", "2001:db8:::1", "2001:db8::g", "localhost", "1.2.3.4.5"}) {
    EXPECT_FALSE(ip_address::parse(bad).has_value()) << '"' << bad << '"';
  }
}

TEST(CidrParse, ParsesIpv4Block) {
  const auto c = cidr::parse("10.0.0.0/8");
  ASSERT_TRUE(c.has_value());
  EXPECT_FALSE(c->network.v6);
  EXPECT_EQ(c->prefix, 8u);
  EXPECT_EQ(c->network, addr("10.0.0.0"));
  EXPECT_EQ(c->to_string(), "10.0.0.0/8");
}

TEST(CidrParse, ParsesIpv6Block) {
  const auto c = cidr::parse("2001:db8:5::/48");
  ASSERT_TRUE(c.has_value());
  EXPECT_TRUE(c->network.v6);
  EXPECT_EQ(c->prefix, 48u);
  EXPECT_EQ(c->network, addr("2001:db8:5::"));
  EXPECT_EQ(c->to_string(), "2001:db8:5::/48");
}

TEST(CidrParse, BareAddressIsAHostRoute) {
  const auto v4 = cidr::parse("198.18.5.10");
  ASSERT_TRUE(v4.has_value());
  EXPECT_EQ(v4->prefix, 32u);
  EXPECT_EQ(v4->to_string(), "198.18.5.10/32");
  EXPECT_EQ(v4->size(), 1u);

  const auto v6 = cidr::parse("2001:db8::1");
  ASSERT_TRUE(v6.has_value());
  EXPECT_EQ(v6->prefix, 128u);
  EXPECT_EQ(v6->to_string(), "2001:db8::1/128");
  EXPECT_EQ(v6->size(), 1u);
}

TEST(CidrParse, AcceptsBoundaryPrefixes) {
  EXPECT_EQ(block("0.0.0.0/0").prefix, 0u);
  EXPECT_EQ(block("10.1.2.3/32").prefix, 32u);
  EXPECT_EQ(block("::/0").prefix, 0u);
  EXPECT_EQ(block("2001:db8::1/128").prefix, 128u);
}

TEST(CidrParse, RejectsPrefixBeyondAddressWidth) {
  EXPECT_FALSE(cidr::parse("10.0.0.0/33").has_value());
  EXPECT_FALSE(cidr::parse("10.0.0.0/64").has_value());
  EXPECT_FALSE(cidr::parse("2001:db8::/129").has_value());
  EXPECT_FALSE(cidr::parse("10.0.0.0/4294967296").has_value());  // overflows unsigned
}

TEST(CidrParse, RejectsHostBitsSetBelowPrefix) {
  EXPECT_FALSE(cidr::parse("10.0.0.1/24").has_value());
  EXPECT_FALSE(cidr::parse("10.0.1.0/23").has_value());
  EXPECT_FALSE(cidr::parse("192.168.1.0/0").has_value());
  EXPECT_FALSE(cidr::parse("2001:db8::1/64").has_value());
  // The same networks without host bits are accepted.
  EXPECT_TRUE(cidr::parse("10.0.0.0/24").has_value());
  EXPECT_TRUE(cidr::parse("10.0.0.0/23").has_value());
  EXPECT_TRUE(cidr::parse("2001:db8::/64").has_value());
}

TEST(CidrParse, RejectsGarbage) {
  for (const char* bad : {"", "/24", "10.0.0.0/", "10.0.0.0/8x", "10.0.0.0/x8", "10.0.0.0/-1",
                          "10.0.0.0/+8", "10.0.0.0/ 8", "10.0.0.0/8 ", "10.0.0.0//8",
                          "10.0.0.0/8/8", "10.0.0/8", "backup", "2001:db8::/4 8"}) {
    EXPECT_FALSE(cidr::parse(bad).has_value()) << '"' << bad << '"';
  }
}

TEST(CidrContains, Ipv4) {
  const auto c = block("10.0.5.0/24");
  EXPECT_TRUE(c.contains(addr("10.0.5.0")));
  EXPECT_TRUE(c.contains(addr("10.0.5.1")));
  EXPECT_TRUE(c.contains(addr("10.0.5.255")));
  EXPECT_FALSE(c.contains(addr("10.0.4.255")));
  EXPECT_FALSE(c.contains(addr("10.0.6.0")));
  EXPECT_FALSE(c.contains(addr("11.0.5.1")));
}

TEST(CidrContains, NonOctetPrefix) {
  const auto c = block("172.16.0.0/12");
  EXPECT_TRUE(c.contains(addr("172.31.255.255")));
  EXPECT_FALSE(c.contains(addr("172.32.0.0")));
  EXPECT_FALSE(c.contains(addr("172.15.255.255")));
}

TEST(CidrContains, HostRouteAndDefaultRoute) {
  EXPECT_TRUE(block("10.0.0.7").contains(addr("10.0.0.7")));
  EXPECT_FALSE(block("10.0.0.7").contains(addr("10.0.0.8")));
  EXPECT_TRUE(block("0.0.0.0/0").contains(addr("203.0.113.9")));
  EXPECT_TRUE(block("::/0").contains(addr("2001:db8::9")));
}

TEST(CidrContains, Ipv6) {
  const auto c = block("2001:db8:5::/48");
  EXPECT_TRUE(c.contains(addr("2001:db8:5::1")));
  EXPECT_TRUE(c.contains(addr("2001:db8:5:ffff:ffff:ffff:ffff:ffff")));
  EXPECT_FALSE(c.contains(addr("2001:db8:6::1")));
}

TEST(CidrContains, NeverAcrossAddressFamilies) {
  // 0.0.0.0/0 and ::/0 contain every address of their own family only.
  EXPECT_FALSE(block("0.0.0.0/0").contains(addr("::1")));
  EXPECT_FALSE(block("::/0").contains(addr("10.0.0.1")));
  // a00::1 starts with the byte 0x0a of 10.0.0.0/8: still not contained.
  EXPECT_FALSE(block("10.0.0.0/8").contains(addr("a00::1")));
}

TEST(CidrOverlaps, NestedBlocksOverlapBothWays) {
  const auto production = block("10.0.0.0/16");
  const auto backup = block("10.0.5.0/24");
  EXPECT_TRUE(production.overlaps(backup));
  EXPECT_TRUE(backup.overlaps(production));
  EXPECT_TRUE(production.overlaps(production));
}

TEST(CidrOverlaps, DisjointBlocksDoNot) {
  EXPECT_FALSE(block("10.0.0.0/24").overlaps(block("10.0.1.0/24")));
  EXPECT_FALSE(block("10.0.1.0/24").overlaps(block("10.0.0.0/24")));
  EXPECT_FALSE(block("10.0.0.0/25").overlaps(block("10.0.0.128/25")));
  EXPECT_TRUE(block("10.0.0.0/23").overlaps(block("10.0.1.128/25")));
}

TEST(CidrOverlaps, Ipv6) {
  EXPECT_TRUE(block("2001:db8::/32").overlaps(block("2001:db8:5::/48")));
  EXPECT_FALSE(block("2001:db8:4::/48").overlaps(block("2001:db8:5::/48")));
}

TEST(CidrOverlaps, V4AndV6NeverOverlap) {
  EXPECT_FALSE(block("0.0.0.0/0").overlaps(block("::/0")));
  EXPECT_FALSE(block("::/0").overlaps(block("0.0.0.0/0")));
  EXPECT_FALSE(block("10.0.0.0/8").overlaps(block("a00::/8")));
}

TEST(CidrSize, CountsAddresses) {
  EXPECT_EQ(block("10.0.5.0/24").size(), 256u);
  EXPECT_EQ(block("10.0.0.0/16").size(), 65536u);
  EXPECT_EQ(block("10.0.0.0/31").size(), 2u);
  EXPECT_EQ(block("0.0.0.0/0").size(), std::uint64_t{1} << 32);
  EXPECT_EQ(block("2001:db8::/120").size(), 256u);
  EXPECT_EQ(block("2001:db8::/65").size(), std::uint64_t{1} << 63);
}

TEST(CidrSize, SaturatesForLargeIpv6Blocks) {
  constexpr auto kMax = std::numeric_limits<std::uint64_t>::max();
  EXPECT_EQ(block("::/0").size(), kMax);
  EXPECT_EQ(block("2001:db8::/32").size(), kMax);
  EXPECT_EQ(block("2001:db8::/64").size(), kMax);
}

TEST(CidrIpAddress, LoopbackIs127Slash8AndColonColon1) {
  EXPECT_TRUE(addr("127.0.0.1").loopback());
  EXPECT_TRUE(addr("127.9.8.7").loopback());
  EXPECT_TRUE(addr("::1").loopback());
  EXPECT_FALSE(addr("0.0.0.0").loopback());
  EXPECT_FALSE(addr("10.0.0.1").loopback());
  EXPECT_FALSE(addr("::").loopback());
  EXPECT_FALSE(addr("::ffff:127.0.0.1").loopback());
}

TEST(HttpsUrl, ParsesHostPortAndTarget) {
  EXPECT_EQ(https_url::parse("https://alerts.example.org/hooks/cloison?x=1"),
            (https_url{"alerts.example.org", 443, "/hooks/cloison?x=1"}));
  EXPECT_EQ(https_url::parse("HTTPS://127.0.0.1:8443"), (https_url{"127.0.0.1", 8443, "/"}));
  EXPECT_EQ(https_url::parse("https://[fd00::5]:9000/a"), (https_url{"fd00::5", 9000, "/a"}));
  EXPECT_EQ(https_url::parse("https://h?q"), (https_url{"h", 443, "/?q"}));
}

TEST(HttpsUrl, RefusesOtherSchemesUserInfoAndMalformedAuthorities) {
  for (const auto* bad :
       {"http://127.0.0.1/", "ftp://h/", "https://", "https:///path", "https://user:pw@h/",
        "https://h:0/", "https://h:65536/", "https://h:/", "https://h:44x/", "https://[fd00::5/",
        "https://[h]/", "https://fd00::5/", "https://h/a b", "https://h/#frag", "https://h_x/",
        "alerts.example.org"}) {
    EXPECT_FALSE(https_url::parse(bad).has_value()) << bad;
  }
}

TEST(ListenAddress, ParsesAnAddressAndAPort) {
  const auto v4 = listen_address::parse("127.0.0.1:9469");
  ASSERT_TRUE(v4.has_value());
  EXPECT_EQ(v4->address, addr("127.0.0.1"));
  EXPECT_EQ(v4->port, 9469u);
  const auto v6 = listen_address::parse("[::]:80");
  ASSERT_TRUE(v6.has_value());
  EXPECT_EQ(v6->address, addr("::"));
  for (const auto* bad : {"127.0.0.1", "localhost:9469", "127.0.0.1:", ":9469", "[127.0.0.1]:1",
                          "::1:9469", "[::1]", "10.0.0.1:70000"}) {
    EXPECT_FALSE(listen_address::parse(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace cloison
