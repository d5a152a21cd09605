#include "agent/report.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "tests/support.h"

namespace cloison {
namespace {

report sample_report() {
  report r;
  r.tool_version = "0.1.0";
  r.establishment = "CH Exemple";
  r.inventory = "/etc/cloison/cloison.yaml";
  r.started_at = "2026-11-28T02:30:00Z";
  r.finished_at = "2026-11-28T02:30:04Z";
  r.policies = {{"builtin:d2.03.yaml", std::string(64, 'a')}};
  r.scoring = "formula";
  r.objectives = {{"D2.03.A", objective_status::not_met, 62.5, {3, 1, 1, 0, 1}},
                  {"D2.03.B", objective_status::not_applicable, std::nullopt, {0, 0, 0, 4, 0}}};
  r.ads = ads_estimate{"backup-ad", 2, false, {"ads-krbtgt-age"}};
  finding f;
  f.check = "host-sshd-no-root-login";
  f.objective = "D2.03.A";
  f.target = "repo01";
  f.status = status::waived;
  f.severity = severity::high;
  f.weight = 5;
  f.title = {"Connexion root interdite", "Root login refused"};
  f.remediation = {"PermitRootLogin no", "PermitRootLogin no"};
  f.observed = "yes";
  f.expectation = "equals \"no\"";
  f.evidence = {"host/repo01/sshd-effective"};
  f.waiver = applied_waiver{{"host-sshd-no-root-login", "repo01", "vendor support until March",
                             "RSSI", "2027-03-31", "waivers.yaml:2"},
                            false};
  r.findings.push_back(f);
  finding ads = f;
  ads.check = "ads-krbtgt-age";
  ads.objective = "ADS";
  ads.status = status::error;
  ads.observed = nullptr;
  ads.waiver.reset();
  ads.message = "fact missing";
  ads.anssi_id = "vuln2_krbtgt";
  ads.anssi_level = 2;
  r.findings.push_back(ads);
  r.flows = {{"production", "repo01", "10.50.0.20", 22, "tcp", "filtered", "forbidden", 1000.5, 2}};
  r.observations = {{"host", "repo01", outcome::failed, "1 of 4 commands failed", 120}};
  r.evidence = {{"host/repo01/sshd-effective", "sshd -T", "2026-11-28T02:30:01Z",
                 std::string(64, 'b'), "permitrootlogin yes\n", 20, false}};
  return r;
}

TEST(Report, JsonRoundTripKeepsEverything) {
  const auto r = sample_report();
  const auto j = to_json(r);
  EXPECT_EQ(j["schema_version"], 1);
  EXPECT_EQ(j["objectives"][1]["score"], nullptr);
  EXPECT_EQ(j["findings"][0]["waiver"]["expired"], false);
  EXPECT_EQ(j["findings"][1]["anssi"]["level"], 2);
  EXPECT_EQ(report_from_json(json::parse(j.dump())), r);
}

TEST(Report, SigningIsOptionalAndRoundTrips) {
  auto r = sample_report();
  EXPECT_FALSE(to_json(r).contains("signing"));
  r.signing = signing_info{"Ed25519", "-----BEGIN PUBLIC KEY-----\n...", std::string(64, 'c')};
  const auto j = to_json(r);
  EXPECT_EQ(j["signing"]["fingerprint"], std::string(64, 'c'));
  EXPECT_EQ(report_from_json(json::parse(j.dump())), r);
  auto absent = to_json(sample_report());
  absent["signing"] = nullptr;
  EXPECT_FALSE(report_from_json(absent).signing.has_value());
}

TEST(Report, RejectsOtherSchemaVersionsAndMalformedInput) {
  auto j = to_json(sample_report());
  j["schema_version"] = 2;
  EXPECT_THROW(report_from_json(j), std::runtime_error);
  auto k = to_json(sample_report());
  k["findings"][0]["status"] = "maybe";
  EXPECT_THROW(report_from_json(k), std::runtime_error);
  auto m = to_json(sample_report());
  m.erase("objectives");
  EXPECT_THROW(report_from_json(m), std::runtime_error);
}

TEST(Report, WriteIsAtomicAndReplacesThePreviousReport) {
  testing::temp_dir dir;
  auto r = sample_report();
  write_report(r, dir.path().string());
  r.establishment = "second run";
  write_report(r, dir.path().string());
  const auto text = testing::read_text((dir.path() / "report.json").string());
  EXPECT_EQ(report_from_json(json::parse(text)).establishment, "second run");
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    EXPECT_EQ(entry.path().filename(), "report.json") << "temporary file left behind";
  }
}

TEST(Report, WriteFailureLeavesNoFileAndThrows) {
  EXPECT_THROW(write_report(sample_report(), "/proc/cloison-cannot-write-here"), std::exception);
}

TEST(Report, InvalidUtf8InEvidenceIsReplacedNotFatal) {
  testing::temp_dir dir;
  auto r = sample_report();
  r.evidence[0].excerpt = std::string("bad \xff\xfe bytes");
  EXPECT_NO_THROW(write_report(r, dir.path().string()));
  const auto back =
      report_from_json(json::parse(testing::read_text((dir.path() / "report.json").string())));
  EXPECT_EQ(back.evidence[0].excerpt, "bad \xEF\xBF\xBD\xEF\xBF\xBD bytes");
}

}  // namespace
}  // namespace cloison
