#include "agent/report/report.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "tests/support.h"

namespace cloison {
namespace {

using ::testing::HasSubstr;

report sample_report() {
  report r;
  r.tool_version = "0.1.0";
  r.establishment = "CH Exemple";
  r.inventory = "/etc/cloison/cloison.yaml";
  r.started_at = "2026-11-28T02:30:00Z";
  r.finished_at = "2026-11-28T02:30:04Z";
  r.run_user = "cloison";
  r.run_host = "admin01";
  r.policies = {{"builtin:d2.03.yaml", std::string(64, 'a')}};
  r.scoring = "formula";
  r.objectives = {
      {"D2.03.A", objective_status::not_met, 62.5, {3, 1, 1, 0, 1, 0}, {}},
      {"D2.03.B", objective_status::not_applicable, std::nullopt, {0, 0, 0, 4, 0, 0}, {}}};
  r.ads = ads_estimate{"backup-ad", 2, false, {"ads-krbtgt-age"}, {}};
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
  f.expected = {"doit valoir \"no\"", "must be \"no\""};
  f.rationale = {"raison", "rationale"};
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
  ads.explanation = {"fait manquant", "fact missing"};
  ads.rationale = {};
  ads.anssi_id = "vuln2_krbtgt";
  ads.anssi_level = 2;
  r.findings.push_back(ads);
  r.flows = {{"production", "repo01", "10.50.0.20", 22, "tcp", "filtered", "forbidden", 1000.5, 2}};
  r.observations = {
      {"host", "repo01", outcome::failed, "1 of 4 commands failed", 120, "", "", ""},
      {"host", "repo02", outcome::ok, "", 3, "2026-11-27T02:00:00Z", std::string(64, 'c'), ""},
      {"host", "bk01", outcome::ok, "", 90, "", "", "ssh-ed25519 SHA256:abc"}};
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
  EXPECT_EQ(j["findings"][0]["expected"]["en"], "must be \"no\"");
  EXPECT_FALSE(j["findings"][0].contains("explanation")) << "only when there is one";
  EXPECT_FALSE(j["findings"][1].contains("rationale"));
  EXPECT_EQ(j["findings"][1]["explanation"]["fr"], "fait manquant");
  // How a host was read appears only where it applies.
  EXPECT_FALSE(j["observations"][0].contains("collected_at"));
  EXPECT_FALSE(j["observations"][0].contains("learned_host_key"));
  EXPECT_EQ(j["observations"][1]["collected_at"], "2026-11-27T02:00:00Z");
  EXPECT_EQ(j["observations"][1]["collected_by"], std::string(64, 'c'));
  EXPECT_EQ(j["observations"][2]["learned_host_key"], "ssh-ed25519 SHA256:abc");
  EXPECT_EQ(report_from_json(json::parse(j.dump())), r);
}

TEST(Report, FlowsArePortRangesAndOldSinglePortRowsStayReadable) {
  auto r = sample_report();
  r.flows.front().port_last = 0;
  auto range = r.flows.front();
  range.port = 2500;
  range.port_last = 3300;
  r.flows.push_back(range);
  const auto j = to_json(r);
  EXPECT_EQ(j["flows"][0]["port"], 22);
  EXPECT_EQ(j["flows"][0]["port_last"], 22);  // a single port: both the same
  EXPECT_EQ(j["flows"][1]["port"], 2500);
  EXPECT_EQ(j["flows"][1]["port_last"], 3300);
  const auto back = report_from_json(json::parse(j.dump()));
  EXPECT_EQ(back, r);
  EXPECT_EQ(back.flows[1].port_count(), 801u);
  auto old = j;
  old["flows"][1].erase("port_last");  // written before ranges: one row per port
  EXPECT_EQ(report_from_json(old).flows[1].last_port(), 2500u);
  auto reversed = j;
  reversed["flows"][1]["port_last"] = 2499;
  EXPECT_THROW(report_from_json(reversed), std::runtime_error);
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
  auto v = to_json(sample_report());
  v["schema_version"] = 1.5;  // issue 19, defect 7: once read as 1
  EXPECT_THROW(report_from_json(v), std::runtime_error);
}

// Issue 19, defect 7: out-of-range numbers of a crafted report were rendered (a score of 1e300,
// a port of -1 read as 4294967295, a level of 9).
TEST(Report, NumbersOutOfTheirRangeAreRefusedAndNamed) {
  const auto good = to_json(sample_report());
  ASSERT_NO_THROW(report_from_json(good));
  const auto refused = [&](const json::json_pointer& where, const json& value) {
    auto j = good;
    j[where] = value;
    try {
      report_from_json(j);
      ADD_FAILURE() << where.to_string() << " = " << value.dump() << " was read";
    } catch (const std::runtime_error& e) {
      EXPECT_THAT(e.what(), HasSubstr(where.back() + " is not")) << where.to_string();
    }
  };
  refused("/objectives/0/score"_json_pointer, 1e300);
  refused("/objectives/0/score"_json_pointer, -1);
  refused("/objectives/0/counts/pass"_json_pointer, -3);
  refused("/objectives/0/counts/fail"_json_pointer, 1.5);
  refused("/findings/0/weight"_json_pointer, 101);
  refused("/findings/1/anssi/level"_json_pointer, 9);
  refused("/ads/estimated_level"_json_pointer, 0);
  refused("/flows/0/port"_json_pointer, -1);
  refused("/flows/0/port"_json_pointer, 65536);
  refused("/flows/0/port"_json_pointer, "22");
  refused("/flows/0/port_last"_json_pointer, 65536);
  refused("/flows/0/latency_ms"_json_pointer, -0.5);
  refused("/flows/0/attempts"_json_pointer, 18446744073709551615u);
  refused("/observations/0/elapsed_ms"_json_pointer, -1);
  refused("/evidence/0/size"_json_pointer, -1);
}

TEST(Report, TopologyRoundTripsAndIsOptional) {
  auto r = sample_report();
  topology t;
  t.segments = {{"production", "production", {"10.10.0.0/16", "fd00:10::/48"}},
                {"backup", "backup", {"10.50.0.0/24"}}};
  t.hosts = {{"repo01", "10.50.0.20", "backup", {"repository"}, "linux", "ssh", {"fd00:50::20"}},
             {"lost", "192.0.2.1", "", {}, "windows", "none", {}}};
  t.directories = {{"backup-ad", "backup", "ldaps://10.50.0.5", "backup"}};
  t.vantage_points = {{"agent", "administration", "local"}, {"inside", "production", "repo01"}};
  t.flows = {{"administration", "backup", "tcp", {"22", "2500-3300"}, "administration"}};
  t.vantage = "agent";
  r.topology = t;
  const auto j = to_json(r);
  EXPECT_EQ(j["topology"]["flows"][0]["ports"][1], "2500-3300");
  EXPECT_EQ(j["topology"]["hosts"][1]["segment"], "");
  EXPECT_EQ(j["topology"]["hosts"][0]["addresses"], json({"10.50.0.20", "fd00:50::20"}));
  EXPECT_EQ(j["topology"]["hosts"][1]["addresses"], json({"192.0.2.1"}));
  EXPECT_EQ(report_from_json(json::parse(j.dump())), r);
  auto earlier = j;  // a report of an earlier version: `address` alone
  earlier["topology"]["hosts"][0].erase("addresses");
  EXPECT_TRUE(report_from_json(earlier).topology->hosts[0].other_addresses.empty());
  EXPECT_FALSE(j["topology"].contains("isolation")) << "none declared";

  r.topology->isolation =
      topology::isolation_procedure{"Cut VLAN 50", "on-call", "2026-03-14", "failed"};
  auto cut = to_json(r);
  EXPECT_EQ(cut["topology"]["isolation"]["last_drill"], "2026-03-14");
  EXPECT_EQ(cut["topology"]["isolation"]["last_drill_result"], "failed");
  EXPECT_EQ(report_from_json(json::parse(cut.dump())), r);
  cut["topology"]["isolation"]["last_drill"] = 20260314;
  EXPECT_THROW(report_from_json(cut), std::runtime_error);
  cut["topology"]["isolation"] = nullptr;
  r.topology->isolation.reset();
  EXPECT_EQ(report_from_json(cut), r);

  r.topology.reset();
  auto without = to_json(r);
  EXPECT_EQ(without["topology"], nullptr);
  EXPECT_EQ(report_from_json(without), r);
  without.erase("topology");  // a report of an earlier cloison version
  EXPECT_EQ(report_from_json(without), r);
  auto broken = to_json(r);
  broken["topology"] = {{"segments", 3}};
  EXPECT_THROW(report_from_json(broken), std::runtime_error);
}

// Found by tests/fuzz/report_json (regressions/report_json/crash-2d10…): a number beyond a
// double's range threw json::out_of_range, which is no std::runtime_error.
TEST(Report, ANumberBeyondADoubleIsNotJson) {
  try {
    read_report_text(R"({"schema_version": 1, "score": 11e400})", "big.json");
    ADD_FAILURE() << "read";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()).rfind("big.json: not JSON: ", 0), 0u) << e.what();
  }
}

TEST(Report, ReadReportNamesTheFileAndTheProblem) {
  testing::temp_dir dir;
  write_report(sample_report(), dir.path().string());
  EXPECT_EQ(read_report((dir.path() / "report.json").string()), sample_report());
  const auto expect_error = [](const std::string& path, const std::string& words) {
    try {
      read_report(path);
      ADD_FAILURE() << path << " was read";
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
    }
  };
  expect_error((dir.path() / "absent.json").string(), "cannot read");
  expect_error(dir.write("garbage.json", "{\"schema_version\": 1,"), "not JSON");
  expect_error(dir.write("other.json", "{\"schema_version\": 1}"), "not a cloison report");
  // Issue 19, defect 7: no size or depth cap (10 MB of nesting cost 400 MB).
  expect_error(dir.write("deep.json", std::string(1u << 20, '[')), "JSON nested deeper than 64");
  const auto big = dir.write("big.json", "");
  std::filesystem::resize_file(big, kMaxReportBytes + 1);
  expect_error(big, "too large");
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

// Issue 19, defect 5: the temporary file had a predictable name ("<name>.tmp.<pid>") opened
// without O_EXCL: a symlink planted there made root write through it. Nothing is written
// through a planted link, whatever its name, and the file gets its own mode.
TEST(Report, WritesNeverFollowAPlantedLink) {
  testing::temp_dir dir;
  const auto victim = dir.write("victim", "precious\n");
  const auto path = (dir.path() / "report.xml").string();
  std::filesystem::create_symlink(victim, path + ".tmp." + std::to_string(::getpid()));
  write_file_atomically(path, "<testsuites/>\n");
  EXPECT_EQ(testing::read_text(victim), "precious\n");
  EXPECT_EQ(testing::read_text(path), "<testsuites/>\n");
  EXPECT_FALSE(std::filesystem::is_symlink(path));
  EXPECT_EQ(std::filesystem::status(path).permissions(), std::filesystem::perms::owner_read |
                                                             std::filesystem::perms::owner_write |
                                                             std::filesystem::perms::group_read);
}

TEST(Report, EvidenceFilesHoldTheFullContentWhetherInMemoryOrSpooled) {
  testing::temp_dir dir;
  std::string table;
  auto spool = std::make_unique<spooled_text>();
  for (int port = 1; port <= 65535; ++port) {  // every port: megabytes, never held in memory
    const std::string line = "production\tbk01\t10.2.0.10\t" + std::to_string(port) + "\n";
    spool->append(line);
    table += line;
  }
  const std::vector<evidence> items{make_evidence("reachability/bk01", "matrix", std::move(spool)),
                                    make_evidence("host/bk01/sshd", "sshd -T", "port 22\n", false)};
  write_evidence(items, dir.path().string());
  EXPECT_EQ(testing::read_text((dir.path() / "evidence" / (items[0].sha256 + ".txt")).string()),
            table);
  EXPECT_EQ(testing::read_text((dir.path() / "evidence" / (items[1].sha256 + ".txt")).string()),
            "port 22\n");
  EXPECT_EQ(items[0].sha256, sha256_hex(table));
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
