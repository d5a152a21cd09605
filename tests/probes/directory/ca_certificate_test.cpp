#include "probes/directory/ca_certificate.h"

#include <gtest/gtest.h>

#include "tests/support.h"

namespace cloison {
namespace {

using strings = std::vector<std::string>;

ca_certificate_findings judged(const std::string& name) {
  const auto out = judge_ca_certificate(testing::fixture_text("directory/certs/" + name));
  EXPECT_TRUE(out) << name;
  return out.value_or(ca_certificate_findings{});
}

// tests/data/directory/certs/README.md says how each certificate was made.
TEST(CaCertificate, AStrongRsaOrEcCertificateHasNoFinding) {
  const auto rsa = judged("rsa2048-sha256.der");
  EXPECT_EQ(rsa.subject, "CN=Lab Root CA strong");
  EXPECT_EQ(rsa.level1, strings{});
  EXPECT_EQ(rsa.level3, strings{});
  const auto ec = judged("ec256-sha256.der");
  EXPECT_EQ(ec.level1, strings{});
  EXPECT_EQ(ec.level3, strings{});
}

TEST(CaCertificate, DsaAndShortRsaKeysAreLevelOne) {
  EXPECT_EQ(judged("dsa2048.der").level1, strings{"DSA key"});
  const auto short_key = judged("rsa512-sha256.der");
  EXPECT_EQ(short_key.level1, strings{"RSA key of 512 bits (< 1024)"});
  EXPECT_EQ(short_key.level3, strings{});
}

TEST(CaCertificate, RsaUnder2048BitsSmallExponentsAndSha1AreLevelThree) {
  EXPECT_EQ(judged("rsa1024-sha256.der").level3, strings{"RSA key of 1024 bits (< 2048)"});
  EXPECT_EQ(judged("rsa2048-e3.der").level3, strings{"RSA exponent 3 (< 65537)"});
  const auto sha1 = judged("rsa2048-sha1.der");
  EXPECT_EQ(sha1.subject, "CN=Lab CA sha1");
  EXPECT_EQ(sha1.level1, strings{});
  EXPECT_EQ(sha1.level3, strings{"signed with SHA1"});
}

TEST(CaCertificate, BytesThatAreNotOneDerCertificateAreUndecodable) {
  const auto der = testing::fixture_text("directory/certs/rsa2048-sha256.der");
  EXPECT_FALSE(judge_ca_certificate(""));
  EXPECT_FALSE(judge_ca_certificate("not a certificate"));
  EXPECT_FALSE(judge_ca_certificate(der.substr(0, der.size() - 1)));  // truncated
  EXPECT_FALSE(judge_ca_certificate(der + "x"));                      // trailing bytes
}

}  // namespace
}  // namespace cloison
