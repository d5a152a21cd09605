#include "probes/inventory/inventory_probe.h"

#include <gtest/gtest.h>

#include "tests/support.h"

#include <string>
#include <vector>

namespace cloison {
namespace {

using namespace std::chrono_literals;
using std::chrono::sys_days;

constexpr sys_days kToday = sys_days{std::chrono::year{2025} / 6 / 15};

cidr block(const std::string& text) {
  auto c = cidr::parse(text);
  EXPECT_TRUE(c.has_value()) << text;
  return c.value_or(cidr{});
}

segment make_segment(const std::string& name, segment_role role,
                     const std::vector<std::string>& cidrs) {
  segment s;
  s.name = name;
  s.role = role;
  for (const auto& c : cidrs)
    s.cidrs.push_back(block(c));
  return s;
}

backup_host make_host(const std::string& name, const std::string& address) {
  backup_host h;
  h.name = name;
  h.addresses = {address};
  h.access = access_method::local;
  return h;
}

isolation_procedure procedure(const std::string& description, const std::string& triggered_by,
                              const std::string& last_drill) {
  return isolation_procedure{description, triggered_by, last_drill, std::nullopt};
}

inventory base_inventory() {
  inventory inv;
  inv.source = "/etc/cloison/cloison.yaml";
  inv.establishment = "CH Test";
  inv.segments.push_back(make_segment("production", segment_role::production, {"10.0.0.0/16"}));
  inv.segments.push_back(make_segment("backup", segment_role::backup, {"198.18.5.0/24"}));
  inv.hosts.push_back(make_host("backup-01", "198.18.5.20"));
  inv.isolation = procedure("pull the uplink of switch sw-bkp-01", "RSSI on call", "2025-05-16");
  return inv;
}

observation observe(const inventory& inv, sys_days today = kToday) {
  inventory_probe p;
  run_context run;
  run.today = today;
  return p.observe(inv, run, target{"inventory", ""}, std::chrono::steady_clock::now() + 10s);
}

json value_of(const observation& obs, const std::string& name) {
  auto it = obs.facts.find(name);
  if (it == obs.facts.end()) {
    ADD_FAILURE() << name << " absent";
    return json();
  }
  EXPECT_TRUE(it->second.value.has_value()) << name << ": " << it->second.error;
  return it->second.value.value_or(json());
}

TEST(InventoryProbe, DeclaresFactsAndASingleTarget) {
  inventory_probe p;
  EXPECT_EQ(p.name(), "inventory");
  std::vector<std::string> names;
  for (const auto& spec : p.facts())
    names.emplace_back(spec.name);
  EXPECT_EQ(names,
            (std::vector<std::string>{
                "inventory.isolation.procedure_declared", "inventory.isolation.last_drill_age_days",
                "inventory.isolation.last_drill_result", "inventory.isolation.last_drill_failed",
                "inventory.segments.backup_declared", "inventory.segments.overlaps",
                "inventory.hosts.in_production_segment"}));
  const auto targets = p.plan(base_inventory(), run_context{});
  ASSERT_EQ(targets.size(), 1u);
  EXPECT_EQ(targets[0].name, "inventory");
  EXPECT_EQ(targets[0].address, "");
}

TEST(InventoryProbe, CleanInventory) {
  const auto obs = observe(base_inventory());
  EXPECT_EQ(to_string(obs.outcome), std::string_view("ok"));
  EXPECT_EQ(obs.probe, "inventory");
  EXPECT_EQ(obs.target, "inventory");
  EXPECT_EQ(obs.facts.size(), 7u);
  EXPECT_EQ(value_of(obs, "inventory.isolation.last_drill_result"), json(""));
  EXPECT_EQ(value_of(obs, "inventory.isolation.last_drill_failed"), json(false));  // none recorded
  EXPECT_EQ(value_of(obs, "inventory.isolation.procedure_declared"), json(true));
  EXPECT_EQ(value_of(obs, "inventory.isolation.last_drill_age_days"), json(30));
  EXPECT_EQ(value_of(obs, "inventory.segments.backup_declared"), json(true));
  EXPECT_EQ(value_of(obs, "inventory.segments.overlaps"), json::array());
  EXPECT_EQ(value_of(obs, "inventory.hosts.in_production_segment"), json::array());
}

TEST(InventoryProbe, FactsPointToTheInventoryEvidence) {
  const auto obs = observe(base_inventory());
  ASSERT_EQ(obs.evidence.size(), 1u);
  const auto& e = obs.evidence[0];
  EXPECT_EQ(e.id, "inventory//etc/cloison/cloison.yaml");
  EXPECT_EQ(e.source, "inventory /etc/cloison/cloison.yaml");
  EXPECT_EQ(e.content, "establishment: CH Test");
  EXPECT_EQ(e.sha256, sha256_hex("establishment: CH Test"));
  for (const auto& [name, f] : obs.facts) {
    EXPECT_EQ(f.evidence, std::vector<std::string>{e.id}) << name;
  }
}

TEST(InventoryProbe, BuiltInInventoryEvidence) {
  inventory inv = base_inventory();
  inv.source.clear();
  const auto obs = observe(inv);
  ASSERT_EQ(obs.evidence.size(), 1u);
  EXPECT_EQ(obs.evidence[0].id, "inventory/(built-in)");
}

TEST(InventoryProbe, ProcedureNotDeclaredWithoutTrigger) {
  inventory inv = base_inventory();
  inv.isolation->triggered_by.clear();
  EXPECT_EQ(value_of(observe(inv), "inventory.isolation.procedure_declared"), json(false));
}

TEST(InventoryProbe, ProcedureNotDeclaredWithoutDescription) {
  inventory inv = base_inventory();
  inv.isolation->description.clear();
  EXPECT_EQ(value_of(observe(inv), "inventory.isolation.procedure_declared"), json(false));
}

TEST(InventoryProbe, ProcedureNotDeclaredWithoutIsolationSection) {
  inventory inv = base_inventory();
  inv.isolation.reset();
  const auto obs = observe(inv);
  EXPECT_EQ(value_of(obs, "inventory.isolation.procedure_declared"), json(false));
  const auto& age = obs.facts.at("inventory.isolation.last_drill_age_days");
  EXPECT_FALSE(age.value.has_value());
  EXPECT_EQ(age.error, "no isolation drill date declared (isolation.last_drill)");
}

TEST(InventoryProbe, DrillAgeIsExactDaysBeforeTheInjectedDate) {
  inventory inv = base_inventory();
  inv.isolation->last_drill = "2024-06-15";
  EXPECT_EQ(value_of(observe(inv), "inventory.isolation.last_drill_age_days"), json(365));
  inv.isolation->last_drill = "2024-02-29";  // leap day
  EXPECT_EQ(value_of(observe(inv), "inventory.isolation.last_drill_age_days"), json(472));
  inv.isolation->last_drill = "2025-06-15";
  EXPECT_EQ(value_of(observe(inv), "inventory.isolation.last_drill_age_days"), json(0));
  // Same inventory, another audit date.
  EXPECT_EQ(value_of(observe(inv, sys_days{std::chrono::year{2025} / 7 / 1}),
                     "inventory.isolation.last_drill_age_days"),
            json(16));
}

TEST(InventoryProbe, DrillAgeMissingWhenNeverDrilled) {
  inventory inv = base_inventory();
  inv.isolation->last_drill.clear();
  const auto obs = observe(inv);
  const auto& age = obs.facts.at("inventory.isolation.last_drill_age_days");
  EXPECT_FALSE(age.value.has_value());
  EXPECT_EQ(age.error, "no isolation drill date declared (isolation.last_drill)");
  EXPECT_EQ(age.evidence.size(), 1u);
  // The procedure itself is still declared.
  EXPECT_EQ(value_of(obs, "inventory.isolation.procedure_declared"), json(true));
}

TEST(InventoryProbe, DrillAgeMissingWhenDateMalformed) {
  inventory inv = base_inventory();
  for (const char* bad : {"2025-02-30", "15/05/2025", "2025-5-16", "yesterday"}) {
    inv.isolation->last_drill = bad;
    EXPECT_FALSE(observe(inv).facts.at("inventory.isolation.last_drill_age_days").value.has_value())
        << bad;
  }
}

TEST(InventoryProbe, BackupNotDeclaredWithoutBackupSegment) {
  inventory inv = base_inventory();
  inv.segments[1].role = segment_role::administration;
  EXPECT_EQ(value_of(observe(inv), "inventory.segments.backup_declared"), json(false));
  inv.segments.clear();
  EXPECT_EQ(value_of(observe(inv), "inventory.segments.backup_declared"), json(false));
}

TEST(InventoryProbe, ListsOverlappingSegments) {
  inventory inv = base_inventory();
  inv.segments[1].cidrs = {block("10.0.5.0/24")};
  const auto obs = observe(inv);
  EXPECT_EQ(value_of(obs, "inventory.segments.overlaps"),
            json::array({"production 10.0.0.0/16 <> backup 10.0.5.0/24"}));
}

TEST(InventoryProbe, ListsEveryOverlappingPairOnce) {
  inventory inv = base_inventory();
  inv.segments[0].cidrs.push_back(block("172.16.0.0/12"));
  inv.segments[1].cidrs = {block("10.0.5.0/24"), block("198.18.5.0/24")};
  inv.segments.push_back(make_segment("admin", segment_role::administration, {"172.16.9.0/24"}));
  inv.segments.push_back(make_segment("v6", segment_role::other, {"::/0"}));
  const auto obs = observe(inv);
  EXPECT_EQ(value_of(obs, "inventory.segments.overlaps"),
            json::array({"production 10.0.0.0/16 <> backup 10.0.5.0/24",
                         "production 172.16.0.0/12 <> admin 172.16.9.0/24"}));
}

TEST(InventoryProbe, ListsBackupHostsInAProductionSegment) {
  inventory inv = base_inventory();
  inv.hosts.push_back(make_host("backup-02", "10.0.7.8"));
  inv.hosts.push_back(make_host("backup-03", "not-an-address"));
  inv.segments.push_back(make_segment("admin", segment_role::administration, {"198.18.0.0/16"}));
  const auto obs = observe(inv);
  EXPECT_EQ(value_of(obs, "inventory.hosts.in_production_segment"),
            json::array({"backup-02 (10.0.7.8 in production)"}));
}

TEST(InventoryProbe, HostInProductionIsNotJudgedOnOtherRoles) {
  inventory inv = base_inventory();
  inv.segments[0].role = segment_role::other;
  inv.hosts[0].addresses = {"10.0.0.1"};
  EXPECT_EQ(value_of(observe(inv), "inventory.hosts.in_production_segment"), json::array());
}

TEST(InventoryProbe, EveryAddressOfAHostIsPlaced) {
  inventory inv = base_inventory();
  inv.segments.push_back(make_segment("production-v6", segment_role::production, {"fd00:1::/64"}));
  auto h = make_host("backup-02", "198.18.5.21");
  h.addresses.push_back("fd00:1::21");  // its IPv6 side sits in production
  inv.hosts.push_back(h);
  EXPECT_EQ(value_of(observe(inv), "inventory.hosts.in_production_segment"),
            json::array({"backup-02 (fd00:1::21 in production-v6)"}));
}

std::string drill_record_text(const std::string& outcome, const std::string& finished_at) {
  return R"({"format": "cloison-drill/1", "outcome": ")" + outcome + R"(", "finished_at": ")" +
         finished_at + R"(", "pairs": []})";
}

TEST(InventoryProbe, DrillRecordsOfCloisonDrillFeedTheDrillFacts) {
  testing::temp_dir dir;
  inventory inv = base_inventory();  // last_drill typed by hand: 2025-05-16, 30 days before
  inv.isolation->drill = isolation_drill{};
  inv.isolation->drill->reports = dir.path().string();
  dir.write("last-success.json", drill_record_text("passed", "2025-06-10T02:00:00Z"));
  dir.write("latest.json", drill_record_text("failed", "2025-06-14T02:00:00Z"));
  auto obs = observe(inv);
  EXPECT_EQ(value_of(obs, "inventory.isolation.last_drill_age_days"), json(5));
  EXPECT_EQ(obs.facts.at("inventory.isolation.last_drill_age_days").evidence,
            std::vector<std::string>{"drill/last-success.json"});
  EXPECT_EQ(value_of(obs, "inventory.isolation.last_drill_failed"), json(true));
  EXPECT_EQ(value_of(obs, "inventory.isolation.last_drill_result"), json("failed"));

  // An older drill than the date typed by hand does not move it back; a passed latest drill.
  dir.write("last-success.json", drill_record_text("passed", "2025-01-10T02:00:00Z"));
  dir.write("latest.json", drill_record_text("passed", "2025-01-10T02:00:00Z"));
  obs = observe(inv);
  EXPECT_EQ(value_of(obs, "inventory.isolation.last_drill_age_days"), json(30));
  EXPECT_EQ(value_of(obs, "inventory.isolation.last_drill_failed"), json(false));

  // A record that is not a drill report is missing evidence, never a pass.
  dir.write("latest.json", "{\"outcome\": \"passed\"}");
  obs = observe(inv);
  EXPECT_FALSE(obs.facts.at("inventory.isolation.last_drill_failed").value.has_value());
}

TEST(InventoryProbe, ParsesDrillRecords) {
  const auto real = parse_drill_record(testing::fixture_text("drill/drill-passed.json"));
  ASSERT_TRUE(real);
  EXPECT_EQ(real->outcome, "passed");
  EXPECT_EQ(real->day, sys_days{std::chrono::year{2026} / 12 / 5});
  const auto r = parse_drill_record(drill_record_text("restore_failed", "2026-12-05T20:00:01Z"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->outcome, "restore_failed");
  EXPECT_EQ(r->day, sys_days{std::chrono::year{2026} / 12 / 5});
  EXPECT_FALSE(parse_drill_record("{\"format\": \"cloison-drill/2\"}"));
  EXPECT_FALSE(parse_drill_record(drill_record_text("passed", "yesterday")));
  EXPECT_FALSE(parse_drill_record("not json"));
}

}  // namespace
}  // namespace cloison
