#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <thread>

#include "probes/reachability/matrix.h"
#include "probes/reachability/reachability_probe.h"

namespace cloison {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

port_range ports(unsigned a, unsigned b) {
  return {a, b};
}

// production 10.1/16, backup 10.2.0/24 (bk01 .10, repo .20), admin 10.3.0/24, directory 10.4.0/24.
// Production tests the backup segment on the profiles' ports, which keeps these tests small; the
// default, every port, has its own test.
inventory estate() {
  inventory inv;
  inv.segments = {{"production", segment_role::production, {*cidr::parse("10.1.0.0/16")}},
                  {"backup", segment_role::backup, {*cidr::parse("10.2.0.0/24")}},
                  {"admin", segment_role::administration, {*cidr::parse("10.3.0.0/24")}},
                  {"dirs", segment_role::directory, {*cidr::parse("10.4.0.0/24")}}};
  inv.vantage_points = {{"from-prod", "production", "local"},
                        {"from-admin", "admin", "local"},
                        {"from-backup", "backup", "local"}};
  backup_host bk01;
  bk01.name = "bk01";
  bk01.addresses = {"10.2.0.10"};
  bk01.software = {"veeam"};
  backup_host repo;
  repo.name = "repo";
  repo.addresses = {"10.2.0.20"};
  repo.software = {"bareos"};
  inv.hosts = {bk01, repo};
  directory prod_ad;
  prod_ad.name = "prod-ad";
  prod_ad.uri = "ldaps://10.4.0.5";
  directory named;
  named.name = "by-name";
  named.uri = "ldaps://dc.example:636";
  inv.directories = {prod_ad, named};
  inv.flows = {{"admin", "bk01", "tcp", {ports(22, 22), ports(9392, 9392)}, ""},
               {"admin", "backup", "tcp", {ports(9101, 9101)}, ""},
               {"production", "dirs", "tcp", {ports(389, 389), ports(636, 636)}, ""},
               {"production", "dirs", "udp", {ports(53, 53)}, ""}};
  inv.reachability.sweeps = {{"production", "backup", port_sweep::scope::profiles, {}}};
  return inv;
}

// A run standing at `vantage`, with the policies' port profiles.
run_context run_at(const std::string& vantage) {
  run_context run;
  run.vantage = vantage;
  run.profiles = {{"management", {ports(22, 22), ports(445, 445)}, true},
                  {"veeam", {ports(9392, 9392), ports(2500, 2502)}, false},
                  {"bareos", {ports(9101, 9103)}, false}};
  return run;
}

std::map<std::string, std::vector<std::pair<unsigned, bool>>> by_destination(const matrix& m) {
  std::map<std::string, std::vector<std::pair<unsigned, bool>>> out;
  for (const auto& r : m.ranges) {
    for (unsigned port = r.first; port <= r.last; ++port)
      out[r.to].push_back({port, r.allowed});
  }
  return out;
}

TEST(ReachabilityMatrix, FromProductionEveryBackupPortIsForbiddenAndDirectoriesAreControls) {
  const auto m = derive_matrix(estate(), run_at("from-prod"));
  ASSERT_EQ(m.problem, "");
  EXPECT_EQ(m.from, "production");
  auto d = by_destination(m);
  using P = std::pair<unsigned, bool>;
  EXPECT_EQ(
      d["bk01"],
      (std::vector<P>{
          {22, false}, {445, false}, {2500, false}, {2501, false}, {2502, false}, {9392, false}}));
  EXPECT_EQ(
      d["repo"],
      (std::vector<P>{{22, false}, {445, false}, {9101, false}, {9102, false}, {9103, false}}));
  // tcp flows to the directory segment become controls; the udp one and DNS-named URIs do not.
  EXPECT_EQ(d["prod-ad"], (std::vector<P>{{389, true}, {636, true}}));
  EXPECT_EQ(d.count("by-name"), 0u);
}

TEST(ReachabilityMatrix, WithoutASweepEveryPortIsTestedButFromAnAdministrationSegment) {
  auto inv = estate();
  inv.reachability.sweeps.clear();
  const auto m = derive_matrix(inv, run_at("from-prod"));
  ASSERT_EQ(m.problem, "");
  std::vector<std::string> seen;
  for (const auto& r : m.ranges)
    seen.push_back(r.to + " " + std::to_string(r.first) + "-" + std::to_string(r.last) +
                   (r.allowed ? " allowed" : " forbidden"));
  EXPECT_EQ(seen, (std::vector<std::string>{"bk01 1-65535 forbidden", "repo 1-65535 forbidden",
                                            "prod-ad 389-389 allowed", "prod-ad 636-636 allowed"}));
  EXPECT_EQ(m.pairs, 2u * 65535u + 2u);
  // From an administration segment, the profiles' ports: the declared flows are its business.
  EXPECT_EQ(by_destination(derive_matrix(inv, run_at("from-admin"))),
            by_destination(derive_matrix(estate(), run_at("from-admin"))));
  EXPECT_EQ(by_destination(derive_matrix(inv, run_at("from-admin")))["bk01"].size(), 6u);
}

TEST(ReachabilityMatrix, FromAdminDeclaredFlowsAreAllowedByHostAndBySegment) {
  const auto m = derive_matrix(estate(), run_at("from-admin"));
  auto d = by_destination(m);
  using P = std::pair<unsigned, bool>;
  EXPECT_EQ(
      d["bk01"],
      (std::vector<P>{
          {22, true}, {445, false}, {2500, false}, {2501, false}, {2502, false}, {9392, true}}));
  EXPECT_EQ(d["repo"], (std::vector<P>{
                           {22, false}, {445, false}, {9101, true}, {9102, false}, {9103, false}}));
}

TEST(ReachabilityMatrix, HostsWithoutSoftwareGetEveryProfileAndSameSegmentIsSkipped) {
  auto inv = estate();
  inv.hosts[1].software.clear();
  EXPECT_EQ(by_destination(derive_matrix(inv, run_at("from-prod")))["repo"].size(), 2u + 4u + 3u);
  EXPECT_TRUE(by_destination(derive_matrix(inv, run_at("from-backup"))).empty());
}

TEST(ReachabilityMatrix, IsKeptAsRangesCutWhereDeclaredFlowsStartAndEnd) {
  auto inv = estate();
  auto run = run_at("from-admin");
  run.profiles[1].ports = {ports(1, 65535)};  // every port of bk01 (veeam)
  inv.flows.push_back({"admin", "bk01", "tcp", {ports(100, 200), ports(150, 300)}, ""});
  const auto m = derive_matrix(inv, run);
  ASSERT_EQ(m.problem, "");
  std::vector<std::string> bk01;
  std::size_t offset = 0;
  for (const auto& r : m.ranges) {
    EXPECT_EQ(r.offset, offset);  // pairs numbered range after range
    offset += r.count();
    if (r.to == "bk01")
      bk01.push_back(std::to_string(r.first) + "-" + std::to_string(r.last) +
                     (r.allowed ? " allowed" : " forbidden"));
  }
  EXPECT_EQ(m.pairs, offset);
  // 22 and 9392 are declared from admin to bk01, 9101 to the backup segment, and 100-300 by the
  // two overlapping ranges above.
  EXPECT_EQ(bk01, (std::vector<std::string>{"1-21 forbidden", "22-22 allowed", "23-99 forbidden",
                                            "100-300 allowed", "301-9100 forbidden",
                                            "9101-9101 allowed", "9102-9391 forbidden",
                                            "9392-9392 allowed", "9393-65535 forbidden"}));
  // repo: management + bareos only, 9101 declared for the backup segment.
  EXPECT_EQ(by_destination(m)["repo"].size(), 5u);
}

TEST(ReachabilityMatrix, TheFirstMatchingSweepDecidesAHostsPorts) {
  auto inv = estate();
  inv.reachability.sweeps = {
      {"production", "repo", port_sweep::scope::listed, {ports(9000, 9100), ports(22, 22)}},
      {"production", "backup", port_sweep::scope::all, {}},  // bk01, by its segment
      {"production", "repo", port_sweep::scope::all, {}},    // not reached: repo matched above
      {"admin", "backup", port_sweep::scope::profiles, {}}};
  const auto m = derive_matrix(inv, run_at("from-prod"));
  ASSERT_EQ(m.problem, "");
  std::map<std::string, std::vector<std::string>> seen;
  for (const auto& r : m.ranges)
    seen[r.to].push_back(std::to_string(r.first) + "-" + std::to_string(r.last));
  EXPECT_EQ(seen["bk01"], (std::vector<std::string>{"1-65535"}));
  EXPECT_EQ(seen["repo"], (std::vector<std::string>{"22-22", "9000-9100"}));
  EXPECT_EQ(seen["prod-ad"], (std::vector<std::string>{"389-389", "636-636"}));  // controls
  EXPECT_EQ(m.pairs, 65535u + 1u + 101u + 2u);
  // From admin, `profiles` is what a host without a sweep gets: the same matrix as without.
  auto plain = estate();
  EXPECT_EQ(by_destination(derive_matrix(inv, run_at("from-admin"))),
            by_destination(derive_matrix(plain, run_at("from-admin"))));
}

// bk01 dual-stack in the backup segment; repo with a leg in production, which production's
// vantage point does not test (not behind the firewall), but the backup side's IPv6 does.
inventory dual_stack_estate() {
  auto inv = estate();
  inv.segments[1].cidrs.push_back(*cidr::parse("fd00:2::/64"));
  inv.hosts[0].addresses = {"10.2.0.10", "fd00:2::10"};
  inv.hosts[1].addresses = {"10.1.9.20", "fd00:2::20"};
  return inv;
}

TEST(ReachabilityMatrix, EveryAddressOfAHostIsTestedUnlessInTheVantagePointsSegment) {
  const auto m = derive_matrix(dual_stack_estate(), run_at("from-prod"));
  ASSERT_EQ(m.problem, "");
  std::map<std::string, std::vector<std::string>> seen;  // host -> "address first-last"
  for (const auto& r : m.ranges)
    seen[r.to].push_back(r.address + " " + std::to_string(r.first) + "-" + std::to_string(r.last));
  EXPECT_EQ(seen["bk01"], (std::vector<std::string>{
                              "10.2.0.10 22-22", "10.2.0.10 445-445", "10.2.0.10 2500-2502",
                              "10.2.0.10 9392-9392", "fd00:2::10 22-22", "fd00:2::10 445-445",
                              "fd00:2::10 2500-2502", "fd00:2::10 9392-9392"}));
  EXPECT_EQ(seen["repo"], (std::vector<std::string>{"fd00:2::20 22-22", "fd00:2::20 445-445",
                                                    "fd00:2::20 9101-9103"}));
  // From the backup segment (no sweep: every port) every address of bk01 is inside; repo's
  // production leg is not.
  const auto inside = derive_matrix(dual_stack_estate(), run_at("from-backup"));
  ASSERT_EQ(inside.ranges.size(), 1u);
  EXPECT_EQ(inside.ranges[0].address, "10.1.9.20");
  EXPECT_EQ(inside.pairs, 65535u);
}

// An address the host facts found, not the inventory: tested for what must never be open; the
// declared flows are judged on the declared addresses.
TEST(ReachabilityMatrix, UndeclaredAddressesAreTestedOnForbiddenPortsOnly) {
  auto run = run_at("from-admin");
  run.undeclared_addresses["bk01"] = {"10.2.0.99", "10.3.0.99"};  // the second: admin's segment
  const auto m = derive_matrix(estate(), run);
  ASSERT_EQ(m.problem, "");
  std::vector<std::string> seen;
  for (const auto& r : m.ranges) {
    if (r.to == "bk01")
      seen.push_back(r.address + " " + std::to_string(r.first) + "-" + std::to_string(r.last) +
                     (r.allowed ? " allowed" : " forbidden"));
  }
  // bk01 from admin: 22 and 9392 declared, 445 and 2500-2502 (veeam) forbidden.
  EXPECT_EQ(seen, (std::vector<std::string>{
                      "10.2.0.10 22-22 allowed", "10.2.0.10 445-445 forbidden",
                      "10.2.0.10 2500-2502 forbidden", "10.2.0.10 9392-9392 allowed",
                      "10.2.0.99 445-445 forbidden", "10.2.0.99 2500-2502 forbidden"}));
}

TEST(ReachabilityMatrix, RefusesUnknownVantageAndOversizedMatrix) {
  EXPECT_THAT(derive_matrix(estate(), run_at("nowhere")).problem,
              HasSubstr("'nowhere' is not declared"));
  auto inv = estate();
  auto run = run_at("from-prod");
  run.profiles[1].ports = {ports(1, 65535)};
  inv.reachability.max_pairs = 1000;
  const auto m = derive_matrix(inv, run);
  EXPECT_THAT(m.problem, HasSubstr("more than 1000 pairs"));
  EXPECT_TRUE(m.ranges.empty());
  EXPECT_EQ(m.pairs, 0u);
}

TEST(ReachabilityMatrix, UriAddress) {
  EXPECT_EQ(uri_address("ldaps://198.18.5.10"), "198.18.5.10");
  EXPECT_EQ(uri_address("ldap://198.18.5.10:389/"), "198.18.5.10");
  EXPECT_EQ(uri_address("ldaps://[fd00::5]:636"), "fd00::5");
  EXPECT_EQ(uri_address("ldaps://dc1.backup.lab"), "");
}

// Answers from a table keyed by "address:port"; anything else is filtered.
class table_connector final : public connector {
 public:
  std::map<std::string, connect_result> answers;
  std::size_t calls = 0;
  std::size_t pairs = 0;  // probed, over every call
  prober_settings settings;
  std::vector<connect_result> probe(const target_list& targets, const prober_settings& s) override {
    ++calls;
    pairs += targets.size();
    settings = s;
    std::vector<connect_result> out;
    for (std::size_t i = 0; i < targets.size(); ++i) {
      const auto t = targets[i];
      auto it = answers.find(t.address.to_string() + ":" + std::to_string(t.port));
      out.push_back(it != answers.end() ? it->second
                                        : connect_result{"", std::chrono::microseconds(1000000), 2,
                                                         verdict::filtered});
    }
    return out;
  }
};

connect_result answer(verdict v) {
  return {"", std::chrono::microseconds(150), 1, v};
}

observation observe(const std::shared_ptr<table_connector>& c, inventory inv,
                    const std::string& vantage, const std::string& target) {
  reachability_probe probe(c);
  return probe.observe(inv, run_at(vantage), {target, ""},
                       std::chrono::steady_clock::now() + std::chrono::seconds(5));
}

TEST(ReachabilityProbe, PlansOneTargetPerBackupHostFromTheVantage) {
  reachability_probe probe(std::make_shared<table_connector>());
  auto inv = estate();
  EXPECT_TRUE(probe.plan(inv, run_at("")).empty());  // no vantage: nothing to test
  const auto targets = probe.plan(inv, run_at("from-prod"));
  ASSERT_EQ(targets.size(), 2u);
  EXPECT_EQ(targets[0].name, "production -> bk01");
  EXPECT_EQ(targets[1].name, "production -> repo");
}

TEST(ReachabilityProbe, IsolatedWhenControlAnswersAndForbiddenPortsAreSilent) {
  auto c = std::make_shared<table_connector>();
  c->answers["10.4.0.5:389"] = answer(verdict::open);
  c->answers["10.2.0.10:445"] = answer(verdict::refused);  // refused is not open
  const auto obs = observe(c, estate(), "from-prod", "production -> bk01");
  EXPECT_EQ(obs.outcome, outcome::ok) << obs.detail;
  EXPECT_EQ(obs.facts.at("reachability.forbidden_open").value, json::array());
  EXPECT_EQ(obs.facts.at("reachability.control_answered").value, json(true));
  // bk01's 6 pairs + the 2 controls, as rows with their verdict and expectation, by port;
  // 2500-2502 (filtered alike) are one range: 22, 445, 2500-2502, 9392, then prod-ad 389, 636.
  ASSERT_EQ(obs.flows.size(), 6u);
  EXPECT_EQ(obs.flows[2].port, 2500u);
  EXPECT_EQ(obs.flows[2].port_last, 2502u);
  EXPECT_EQ(obs.flows[2].verdict, "filtered");
  EXPECT_EQ(obs.flows[1].port, 445u);
  EXPECT_EQ(obs.flows[1].verdict, "refused");
  EXPECT_EQ(obs.flows[1].expected, "forbidden");
  EXPECT_EQ(obs.flows[0].verdict, "filtered");
  EXPECT_EQ(obs.flows[0].attempts, 2);
  ASSERT_EQ(obs.evidence.size(), 1u);
  ASSERT_TRUE(obs.evidence[0].spooled);  // a line per pair: kept on disk, not in memory
  EXPECT_THAT(content_prefix(obs.evidence[0], 1 << 20),
              HasSubstr("production\tbk01\t10.2.0.10\t445\tforbidden\trefused"));
  EXPECT_EQ(obs.evidence[0].sha256, sha256_hex(content_prefix(obs.evidence[0], 1 << 20)));
}

TEST(ReachabilityProbe, ForbiddenOpenPortsAreListed) {
  auto c = std::make_shared<table_connector>();
  c->answers["10.4.0.5:636"] = answer(verdict::open);
  c->answers["10.2.0.10:22"] = answer(verdict::open);
  c->answers["10.2.0.10:9392"] = answer(verdict::open);
  const auto obs = observe(c, estate(), "from-prod", "production -> bk01");
  EXPECT_EQ(obs.facts.at("reachability.forbidden_open").value, json({"22", "9392"}));
}

// A firewall open to everything must not make a list of 65,535 ports in every finding.
TEST(ReachabilityProbe, ConsecutiveOpenForbiddenPortsAreOneRange) {
  auto c = std::make_shared<table_connector>();
  c->answers["10.4.0.5:389"] = answer(verdict::open);
  for (const unsigned port : {22u, 2500u, 2501u, 2502u, 9392u})
    c->answers["10.2.0.10:" + std::to_string(port)] = answer(verdict::open);
  const auto obs = observe(c, estate(), "from-prod", "production -> bk01");
  EXPECT_EQ(obs.facts.at("reachability.forbidden_open").value, json({"22", "2500-2502", "9392"}));
  auto every_port = estate();
  every_port.reachability.sweeps.clear();
  auto all_open = std::make_shared<table_connector>();
  all_open->answers["10.4.0.5:389"] = answer(verdict::open);
  for (unsigned port = 1; port <= 65535; ++port)
    all_open->answers["10.2.0.10:" + std::to_string(port)] = answer(verdict::open);
  EXPECT_EQ(observe(all_open, every_port, "from-prod", "production -> bk01")
                .facts.at("reachability.forbidden_open")
                .value,
            json({"1-65535"}));
}

// A hole on one address of a dual-stack host: the items say which address, so the finding is
// not read as the IPv4 address the administrators know.
TEST(ReachabilityProbe, OpenForbiddenPortsNameTheirAddressWhenAHostHasSeveral) {
  auto c = std::make_shared<table_connector>();
  c->answers["10.4.0.5:389"] = answer(verdict::open);
  c->answers["10.2.0.10:9392"] = answer(verdict::open);
  c->answers["fd00:2::10:22"] = answer(verdict::open);
  c->answers["fd00:2::10:2500"] = answer(verdict::open);
  c->answers["fd00:2::10:2501"] = answer(verdict::open);
  const auto obs = observe(c, dual_stack_estate(), "from-prod", "production -> bk01");
  EXPECT_EQ(obs.facts.at("reachability.forbidden_open").value,
            json({"10.2.0.10:9392", "[fd00:2::10]:22", "[fd00:2::10]:2500-2501"}));
  EXPECT_THAT(content_prefix(obs.evidence[0], 1 << 20),
              HasSubstr("production\tbk01\tfd00:2::10\t22\tforbidden\topen"));
  // repo's one tested address (its production leg is not behind the firewall): bare ports.
  auto r = std::make_shared<table_connector>();
  r->answers["10.4.0.5:389"] = answer(verdict::open);
  r->answers["fd00:2::20:22"] = answer(verdict::open);
  EXPECT_EQ(observe(r, dual_stack_estate(), "from-prod", "production -> repo")
                .facts.at("reachability.forbidden_open")
                .value,
            json({"22"}));
}

TEST(ReachabilityProbe, WithoutAnyAnsweringControlIsolationIsNotJudged) {
  auto c = std::make_shared<table_connector>();  // everything filtered: dead host or broken vantage
  const auto obs = observe(c, estate(), "from-prod", "production -> bk01");
  const auto& f = obs.facts.at("reachability.forbidden_open");
  EXPECT_FALSE(f.value);
  EXPECT_THAT(f.error,
              HasSubstr("cannot tell isolation from a dead host or a broken vantage point"));
  EXPECT_EQ(obs.outcome, outcome::failed);
}

TEST(ReachabilityProbe, AllowedFlowsThatDoNotOpenAreReported) {
  auto c = std::make_shared<table_connector>();
  c->answers["10.2.0.10:22"] = answer(verdict::refused);  // sshd stopped: host alive, flow broken
  const auto obs = observe(c, estate(), "from-admin", "admin -> bk01");
  EXPECT_EQ(obs.facts.at("reachability.allowed_not_open").value,
            json({"22 (refused)", "9392 (filtered)"}));
  EXPECT_EQ(obs.facts.at("reachability.forbidden_open").value,
            json::array());  // 22 answered: control ok
}

TEST(ReachabilityProbe, PairsThatCouldNotBeProbedMakeTheVerdictMissing) {
  auto c = std::make_shared<table_connector>();
  c->answers["10.4.0.5:389"] = answer(verdict::open);
  c->answers["10.2.0.10:445"] = {"local: EMFILE", std::chrono::microseconds(0), 0,
                                 verdict::filtered};
  const auto obs = observe(c, estate(), "from-prod", "production -> bk01");
  EXPECT_FALSE(obs.facts.at("reachability.forbidden_open").value);
  EXPECT_EQ(obs.outcome, outcome::error);
  EXPECT_EQ(obs.flows[1].verdict, "error");
}

TEST(ReachabilityProbe, AnOversizedMatrixIsAnErrorObservation) {
  auto inv = estate();
  inv.reachability.max_pairs = 3;
  const auto run = run_at("from-prod");
  reachability_probe probe(std::make_shared<table_connector>());
  const auto targets = probe.plan(inv, run);
  ASSERT_EQ(targets.size(), 1u);
  const auto obs = probe.observe(inv, run, targets[0], std::chrono::steady_clock::now());
  EXPECT_EQ(obs.outcome, outcome::error);
  EXPECT_THAT(obs.detail, HasSubstr("more than 3 pairs"));
}

TEST(ReachabilityProbe, DetectsTheVantageFromLocalAddresses) {
  const auto inv = estate();
  EXPECT_EQ(detect_vantage(inv, {*ip_address::parse("10.3.0.7")}), "from-admin");
  EXPECT_EQ(detect_vantage(inv, {*ip_address::parse("127.0.0.1")}), "");
  // Two vantage points match: ambiguous, none chosen.
  EXPECT_EQ(detect_vantage(inv, {*ip_address::parse("10.3.0.7"), *ip_address::parse("10.1.2.3")}),
            "");
}

TEST(ReachabilityProbe, ARemoteVantagePointIsDetectedByItsOwnAddress) {
  auto inv = estate();
  vantage_point web;
  web.name = "prod-web";
  web.segment = "production";
  web.via = "ssh";
  web.address = "10.1.3.7";
  inv.vantage_points = {inv.vantage_points[1], web};  // from-admin (local), prod-web (remote)
  // cloison runs on prod-web itself: that vantage point, probed locally.
  EXPECT_EQ(detect_vantage(inv, {*ip_address::parse("10.1.3.7")}), "prod-web");
  EXPECT_TRUE(is_local_address("10.1.3.7", {*ip_address::parse("10.1.3.7")}));
  // Another production machine does not stand at prod-web: its segment alone is not enough.
  EXPECT_EQ(detect_vantage(inv, {*ip_address::parse("10.1.3.8")}), "");
  EXPECT_FALSE(is_local_address("10.1.3.7", {*ip_address::parse("10.1.3.8")}));
  EXPECT_FALSE(is_local_address("not an address", {*ip_address::parse("10.1.3.8")}));
  EXPECT_EQ(detect_vantage(inv, {*ip_address::parse("10.3.0.7")}), "from-admin");
}

TEST(ReachabilityProbe, FlowsNameTheVantagePointAndHowTheyWereProbed) {
  auto c = std::make_shared<table_connector>();
  auto forwarded = answer(verdict::open);
  forwarded.method = probe_method::ssh_forward;
  c->answers["10.4.0.5:389"] = forwarded;
  auto by_command = answer(verdict::refused);
  by_command.method = probe_method::ssh_command;
  c->answers["10.2.0.10:445"] = by_command;
  const auto obs = observe(c, estate(), "from-prod", "production -> bk01");
  ASSERT_EQ(obs.flows.size(), 6u);
  for (const auto& f : obs.flows)
    EXPECT_EQ(f.vantage, "from-prod");
  EXPECT_EQ(obs.flows[0].method, "local");
  EXPECT_EQ(obs.flows[1].method, "ssh-command");
  EXPECT_EQ(obs.flows[4].to, "prod-ad");
  EXPECT_EQ(obs.flows[4].method, "ssh-forward");
  EXPECT_THAT(obs.evidence[0].source, HasSubstr("(vantage point from-prod)"));
  EXPECT_THAT(
      content_prefix(obs.evidence[0], 1 << 20),
      HasSubstr("production\tbk01\t10.2.0.10\t445\tforbidden\trefused\t0.150\t1\tssh-command"));
}

TEST(ReachabilityProbe, OneConnectorPerVantagePoint) {
  auto c = std::make_shared<table_connector>();
  c->answers["10.4.0.5:389"] = answer(verdict::open);
  std::vector<std::string> made;
  reachability_probe probe([&](const vantage_point& v) -> std::shared_ptr<connector> {
    made.push_back(v.name + "/" + v.via);
    return c;
  });
  auto inv = estate();
  inv.vantage_points[0].via = "ssh";
  inv.vantage_points[0].address = "10.1.3.7";
  const auto run = run_at("from-prod");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  for (const auto& t : probe.plan(inv, run))
    EXPECT_EQ(probe.observe(inv, run, t, deadline).outcome, outcome::ok);
  EXPECT_EQ(made, std::vector<std::string>{"from-prod/ssh"});  // both hosts, one connector
  EXPECT_EQ(c->calls, 1u);                                     // and one sweep
}

// A table that cannot be written (no temporary folder, a full disk) is an error, never a pass, and
// the sweep is still dropped once every target has been observed: nothing stays in memory.
TEST(ReachabilityProbe, ATableThatCannotBeSpooledIsAnErrorAndFreesTheSweep) {
  auto c = std::make_shared<table_connector>();
  c->answers["10.4.0.5:389"] = answer(verdict::open);
  reachability_probe probe(c);
  const auto inv = estate();
  const auto run = run_at("from-prod");
  const auto targets = probe.plan(inv, run);
  ASSERT_EQ(targets.size(), 2u);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  probe.prepare(inv);
  const char* saved = std::getenv("TMPDIR");
  const std::string restore = saved ? saved : "";
  ::setenv("TMPDIR", "/nonexistent/cloison-spool", 1);
  for (const auto& t : targets) {
    const auto obs = probe.observe(inv, run, t, deadline);
    EXPECT_EQ(obs.outcome, outcome::error);
    EXPECT_THAT(obs.detail, HasSubstr("/nonexistent/cloison-spool"));
  }
  if (saved)
    ::setenv("TMPDIR", restore.c_str(), 1);
  else
    ::unsetenv("TMPDIR");
  EXPECT_EQ(c->calls, 1u);
  EXPECT_EQ(probe.observe(inv, run, targets[0], deadline).outcome, outcome::ok);
  EXPECT_EQ(c->calls, 2u);  // a new sweep: the failed one was not kept
}

TEST(ReachabilityProbe, OneSweepPerAuditServesEveryHostInOneWindow) {
  auto c = std::make_shared<table_connector>();
  c->answers["10.4.0.5:389"] = answer(verdict::open);
  c->answers["10.2.0.20:22"] = answer(verdict::open);  // repo: a forbidden port answers
  reachability_probe probe(c);
  auto inv = estate();
  const auto run = run_at("from-prod");
  const auto targets = probe.plan(inv, run);
  ASSERT_EQ(targets.size(), 2u);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  probe.prepare(inv);
  std::vector<observation> obs(targets.size());
  {
    std::vector<std::jthread> workers;  // as the audit observes them: concurrently
    for (std::size_t i = 0; i < targets.size(); ++i)
      workers.emplace_back([&, i] { obs[i] = probe.observe(inv, run, targets[i], deadline); });
  }
  const auto m = derive_matrix(inv, run);
  EXPECT_EQ(c->calls, 1u);
  EXPECT_EQ(c->pairs, m.pairs);            // every host's pairs and the controls, each once
  EXPECT_EQ(c->settings.concurrency, 0u);  // the whole window (the connector derives it)
  EXPECT_EQ(obs[0].facts.at("reachability.forbidden_open").value, json::array());
  EXPECT_EQ(obs[1].facts.at("reachability.forbidden_open").value, json({"22"}));
  for (const auto& o : obs) {
    for (const auto& f : o.flows)
      EXPECT_TRUE(f.to == o.target.substr(o.target.find("-> ") + 3) || f.expected == "allowed")
          << o.target << " holds " << f.to;
  }
  // The sweep was dropped once both targets read it: the next audit probes again.
  EXPECT_EQ(probe.observe(inv, run, targets[0], deadline).outcome, outcome::ok);
  EXPECT_EQ(c->calls, 2u);
  // prepare() starts a new audit: a target read alone probes afresh.
  probe.prepare(inv);
  inv.reachability.concurrency = 64;
  probe.observe(inv, run, targets[1], deadline);
  EXPECT_EQ(c->calls, 3u);
  EXPECT_EQ(c->settings.concurrency, 64u);
}

}  // namespace
}  // namespace cloison
