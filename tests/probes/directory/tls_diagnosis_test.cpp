#include "probes/directory/tls_diagnosis.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support.h"

namespace cloison {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

// tests/data/tls/README.md: dc1.der is valid from 1796315555 to 2111675555 (UTC seconds).
constexpr std::time_t kValid = 1800000000;
constexpr std::time_t kNotBefore = 1796315555;
constexpr std::time_t kNotAfter = 2111675555;

struct fixtures {
  std::string dc1 = testing::fixture_text("tls/dc1.der");
  std::string backup_ca = testing::fixture_text("tls/backup-ca.pem");
  std::string production_ca = testing::fixture_text("tls/production-ca.pem");
};

TEST(TlsDiagnosis, ACertificateThatVerifiesHasNoProblem) {
  const fixtures f;
  EXPECT_EQ(certificate_problem(f.dc1, f.backup_ca, "ca.pem", "dc1.backup.example", kValid), "");
  EXPECT_EQ(certificate_problem(f.dc1, f.backup_ca, "ca.pem", "192.0.2.10", kValid), "");
  // A bundle that also holds the right CA.
  EXPECT_EQ(certificate_problem(f.dc1, f.production_ca + f.backup_ca, "ca.pem",
                                "dc1.backup.example", kValid),
            "");
}

TEST(TlsDiagnosis, AnotherCaNamesTheIssuerAndTheCasTheFileHolds) {
  const fixtures f;
  EXPECT_EQ(certificate_problem(f.dc1, f.production_ca, "/etc/cloison/ca/prod.pem",
                                "dc1.backup.example", kValid),
            "the server's certificate (CN=dc1.backup.example,O=CH Exemple) is issued by CN=CH "
            "Exemple backup CA,O=CH Exemple, a CA that ca_file /etc/cloison/ca/prod.pem does not "
            "hold (it holds: CN=CH Exemple production CA,O=CH Exemple): the inventory names "
            "another CA than the one that signed the server's certificate");
}

TEST(TlsDiagnosis, ValidityDatesAreNamed) {
  const fixtures f;
  EXPECT_EQ(
      certificate_problem(f.dc1, f.backup_ca, "ca.pem", "dc1.backup.example", kNotAfter + 86400),
      "the server's certificate (CN=dc1.backup.example,O=CH Exemple) expired on 2036-11-30 "
      "16:32 UTC");
  EXPECT_EQ(
      certificate_problem(f.dc1, f.backup_ca, "ca.pem", "dc1.backup.example", kNotBefore - 86400),
      "the server's certificate (CN=dc1.backup.example,O=CH Exemple) is valid only from "
      "2026-12-03 16:32 UTC (is this machine's clock right?)");
}

TEST(TlsDiagnosis, AnotherHostNamesTheNamesTheCertificateCarries) {
  const fixtures f;
  const std::string names =
      "the server's certificate (CN=dc1.backup.example,O=CH Exemple) is for dc1.backup.example, "
      "192.0.2.10, not for ";
  EXPECT_EQ(certificate_problem(f.dc1, f.backup_ca, "ca.pem", "dc2.backup.example", kValid),
            names + "dc2.backup.example, the host of the inventory's uri");
  EXPECT_EQ(certificate_problem(f.dc1, f.backup_ca, "ca.pem", "192.0.2.11", kValid),
            names + "192.0.2.11, the host of the inventory's uri");
  EXPECT_EQ(certificate_problem(f.dc1, f.backup_ca, "ca.pem", "2001:db8::10", kValid),
            names + "2001:db8::10, the host of the inventory's uri");
}

TEST(TlsDiagnosis, UnreadableInputsAreTheirOwnProblem) {
  const fixtures f;
  EXPECT_EQ(certificate_problem("", f.backup_ca, "ca.pem", "dc1.backup.example", kValid),
            "the server's certificate cannot be read");
  EXPECT_EQ(certificate_problem(f.dc1.substr(0, f.dc1.size() / 2), f.backup_ca, "ca.pem",
                                "dc1.backup.example", kValid),
            "the server's certificate cannot be read");
  EXPECT_EQ(
      certificate_problem(f.dc1, "not a certificate\n", "ca.pem", "dc1.backup.example", kValid),
      "ca_file ca.pem holds no PEM certificate");
  // The server's certificate offered as the CA: a certificate that is not a CA anchors nothing.
  EXPECT_THAT(certificate_problem(f.dc1, testing::fixture_text("tls/dc1.pem"), "ca.pem",
                                  "dc1.backup.example", kValid),
              AllOf(HasSubstr("is issued by CN=CH Exemple backup CA"),
                    HasSubstr("it holds: CN=dc1.backup.example")));
}

}  // namespace
}  // namespace cloison
