#include "agent/session/audit.h"

#include <gtest/gtest.h>

#include <array>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "probes/reachability/reachability_probe.h"

namespace cloison {
namespace {

// Answers from a table keyed by "address:port"; anything else is filtered.
class table_connector final : public connector {
 public:
  std::map<std::string, verdict> answers;
  std::vector<connect_result> probe(const target_list& targets, const prober_settings&) override {
    std::vector<connect_result> out;
    for (std::size_t i = 0; i < targets.size(); ++i) {
      const auto t = targets[i];
      const auto it = answers.find(t.address.to_string() + ":" + std::to_string(t.port));
      out.push_back({"", std::chrono::microseconds(1000), 1,
                     it == answers.end() ? verdict::filtered : it->second});
    }
    return out;
  }
};

class quiet_listener final : public audit_listener {
 public:
  void phase(msg) override {}
  void observed(std::size_t, std::size_t, const observation&) override {}
};

// Two backup hosts swept on every port from production, whose DC answers the two controls.
inventory estate() {
  inventory inv;
  inv.establishment = "CH Test";
  inv.segments = {{"production", segment_role::production, {*cidr::parse("10.1.0.0/16")}},
                  {"backup", segment_role::backup, {*cidr::parse("10.2.0.0/24")}},
                  {"dirs", segment_role::directory, {*cidr::parse("10.4.0.0/24")}}};
  inv.vantage_points = {{"from-prod", "production", "local"}};
  for (const auto& [name, address] : {std::pair{"bk01", "10.2.0.10"}, {"repo", "10.2.0.20"}}) {
    backup_host h;
    h.name = name;
    h.addresses = {address};
    inv.hosts.push_back(h);
  }
  directory dc;
  dc.name = "prod-ad";
  dc.uri = "ldaps://10.4.0.5";
  inv.directories = {dc};
  inv.flows = {{"production", "dirs", "tcp", {{389, 389}, {636, 636}}, ""}};
  return inv;
}

TEST(RunAudit, ReportFlowsAreRangesAndEachControlIsReportedOnce) {
  auto c = std::make_shared<table_connector>();
  c->answers = {{"10.4.0.5:389", verdict::open},
                {"10.4.0.5:636", verdict::open},
                {"10.2.0.10:2600", verdict::open},
                {"10.2.0.10:2601", verdict::open},
                {"10.2.0.20:22", verdict::refused}};
  std::vector<std::unique_ptr<probe>> list;
  list.push_back(std::make_unique<reachability_probe>(c));
  const probe_set probes(std::move(list));
  run_context run;
  run.vantage = "from-prod";
  run.profiles = {{"management", {{22, 22}}, true}};  // not used from production: every port
  quiet_listener listener;
  const auto result = run_audit(estate(), run, {}, {}, probes, {}, listener);
  std::vector<std::string> rows;
  for (const auto& f : result.report.flows) {
    rows.push_back(f.to + " " + std::to_string(f.port) + "-" + std::to_string(f.last_port()) + " " +
                   f.verdict + " " + f.expected);
  }
  // 131,070 pairs, 8 rows. Both hosts' observations tested the controls: each shows once.
  EXPECT_EQ(rows, (std::vector<std::string>{
                      "bk01 1-2599 filtered forbidden", "bk01 2600-2601 open forbidden",
                      "bk01 2602-65535 filtered forbidden", "prod-ad 389-389 open allowed",
                      "prod-ad 636-636 open allowed", "repo 1-21 filtered forbidden",
                      "repo 22-22 refused forbidden", "repo 23-65535 filtered forbidden"}));
}

// A host probe whose facts show addresses the inventory does not list on bk01.
class undeclared_addresses_probe final : public probe {
 public:
  std::string_view name() const override { return "host"; }
  std::span<const fact_spec> facts() const override { return kFacts; }
  std::vector<target> plan(const inventory& inv, const run_context&) const override {
    std::vector<target> out;
    for (const auto& h : inv.hosts)
      out.push_back({h.name, h.primary_address()});
    return out;
  }

 protected:
  observation collect(const inventory&, const run_context&, const target& t,
                      deadline) const override {
    observation obs;
    obs.facts["host.network.undeclared_addresses"] = fact::of(
        t.name == "bk01" ? json({"eth1 10.2.0.99/24", "eth0 fd00:2::99/64"}) : json::array());
    return obs;
  }

 private:
  static constexpr std::array kFacts{
      fact_spec{"host.network.undeclared_addresses", fact_type::text_list, "undeclared addresses"}};
};

// Host facts first, then the flows: an address found on a host is tested in the same run.
TEST(RunAudit, AddressesTheHostFactsFindUndeclaredAreTestedInTheSameRun) {
  auto c = std::make_shared<table_connector>();
  c->answers = {{"10.4.0.5:389", verdict::open}, {"10.2.0.99:22", verdict::open}};
  std::vector<std::unique_ptr<probe>> list;
  list.push_back(std::make_unique<reachability_probe>(c));  // listed first, observed last
  list.push_back(std::make_unique<undeclared_addresses_probe>());
  const probe_set probes(std::move(list));
  run_context run;
  run.vantage = "from-prod";
  quiet_listener listener;
  auto inv = estate();
  inv.segments[1].cidrs.push_back(*cidr::parse("fd00:2::/64"));
  const auto result = run_audit(inv, run, {}, {}, probes, {}, listener);
  std::vector<std::string> rows;
  for (const auto& f : result.report.flows) {
    if (f.to == "bk01")
      rows.push_back(f.address + " " + std::to_string(f.port) + "-" +
                     std::to_string(f.last_port()) + " " + f.verdict);
  }
  EXPECT_EQ(rows, (std::vector<std::string>{"10.2.0.10 1-65535 filtered", "10.2.0.99 1-21 filtered",
                                            "10.2.0.99 22-22 open", "10.2.0.99 23-65535 filtered",
                                            "fd00:2::99 1-65535 filtered"}));
}

}  // namespace
}  // namespace cloison
