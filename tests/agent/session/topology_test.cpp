// The topology the audit writes into the report, from the inventory.
#include <gtest/gtest.h>

#include "agent/config/inventory_loader.h"
#include "agent/session/audit.h"
#include "tests/support.h"

namespace cloison {
namespace {

TEST(Topology, DescribesTheInventoryWithSegmentsOfAddresses) {
  diagnostics problems;
  auto inv = load_inventory(testing::data_path("inventory/valid.yaml"), problems);
  ASSERT_TRUE(inv) << problems.size();
  run_context run;
  run.vantage = "agent";
  const auto t = describe_topology(*inv, run);
  ASSERT_EQ(t.segments.size(), 3u);
  EXPECT_EQ(t.segments[0].name, "production");
  EXPECT_EQ(t.segments[0].role, "production");
  EXPECT_EQ(t.segments[0].cidrs, (std::vector<std::string>{"10.10.0.0/16", "fd00:10::/48"}));
  EXPECT_EQ(t.segments[2].role, "administration");
  ASSERT_EQ(t.hosts.size(), 2u);
  EXPECT_EQ(t.hosts[0].name, "veeam01");
  EXPECT_EQ(t.hosts[0].segment, "backup");
  EXPECT_EQ(t.hosts[0].os, "windows");
  EXPECT_EQ(t.hosts[1].roles, std::vector<std::string>{"repository"});
  ASSERT_EQ(t.directories.size(), 2u);
  EXPECT_EQ(t.directories[1].role, "backup");
  EXPECT_EQ(t.directories[1].segment, "") << "a DNS name is not placed";
  ASSERT_EQ(t.vantage_points.size(), 3u);
  EXPECT_EQ(t.vantage_points[1].via, "repo01");
  EXPECT_EQ(t.vantage_points[2].via, "ssh");
  ASSERT_EQ(t.flows.size(), 2u);
  EXPECT_EQ(t.flows[0].ports, (std::vector<std::string>{"22", "9392", "2500-3300"}));
  EXPECT_EQ(t.flows[0].purpose, "administration");
  EXPECT_EQ(t.vantage, "agent");
  ASSERT_TRUE(t.isolation.has_value());
  EXPECT_EQ(t.isolation->description,
            "Shut down the firewall interface of VLAN 50 (rule ISOLATE-BACKUP)");
  EXPECT_EQ(t.isolation->triggered_by, "on-call network engineer, on the CISO's order");
  EXPECT_EQ(t.isolation->last_drill, "2026-03-14");
}

TEST(Topology, CarriesNoSecretFile) {
  diagnostics problems;
  const auto inv = load_inventory(testing::data_path("inventory/valid.yaml"), problems);
  ASSERT_TRUE(inv);
  report r;
  r.topology = describe_topology(*inv, run_context{});
  const auto text = to_json(r).dump();
  for (const char* secret : {"audit_ed25519", "known_hosts", "prod.pw", "keytab", "ca/prod.pem",
                             "CN=cloison", "svc-veeam", "alerts.example"}) {
    EXPECT_EQ(text.find(secret), std::string::npos) << secret;
  }
}

TEST(Topology, TheLastDrillComesFromTheInventoryProbesFacts) {
  topology t;
  t.isolation = topology::isolation_procedure{"cut", "on-call", "2026-10-15", ""};
  observation o;
  o.probe = "inventory";
  o.facts["inventory.isolation.last_drill_age_days"] = fact::of(3);
  o.facts["inventory.isolation.last_drill_result"] = fact::of("passed");
  const auto today = std::chrono::sys_days{std::chrono::year{2026} / 12 / 5};
  add_last_drill(t, {o}, today);
  EXPECT_EQ(t.isolation->last_drill, "2026-12-02");
  EXPECT_EQ(t.isolation->last_drill_result, "passed");
  // Without the inventory probe's observation, the inventory's date stays.
  t.isolation->last_drill = "2026-10-15";
  add_last_drill(t, {}, today);
  EXPECT_EQ(t.isolation->last_drill, "2026-10-15");
}

}  // namespace
}  // namespace cloison