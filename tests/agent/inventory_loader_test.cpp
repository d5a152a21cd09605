#include "agent/inventory_loader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support.h"

namespace cloison {
namespace {

using testing::data_path;
using ::testing::ElementsAre;
using testing::located;
using testing::temp_dir;

TEST(InventoryLoader, LoadsARealisticInventory) {
  diagnostics d;
  auto inv = load_inventory(data_path("inventory/valid.yaml"), d);
  ASSERT_TRUE(inv) << (d.empty() ? "" : d.items().front().to_string());
  EXPECT_EQ(inv->establishment, "CH Exemple — site principal");
  ASSERT_EQ(inv->segments.size(), 3u);
  EXPECT_EQ(inv->segments[0].role, segment_role::production);
  ASSERT_EQ(inv->segments[0].cidrs.size(), 2u);
  EXPECT_EQ(inv->segments[0].cidrs[1].to_string(), "fd00:10::/48");
  ASSERT_EQ(inv->hosts.size(), 2u);
  EXPECT_EQ(inv->hosts[0].os, "windows");
  EXPECT_EQ(inv->hosts[0].access, access_method::ssh);  // implied by the ssh section
  EXPECT_EQ(inv->hosts[1].ssh.port, 2222u);
  EXPECT_TRUE(inv->hosts[1].ssh.sudo);
  // Relative secret paths are resolved against the inventory's folder; absolute ones are kept.
  EXPECT_EQ(inv->hosts[0].ssh.key_file, data_path("inventory/keys/audit_ed25519"));
  EXPECT_EQ(inv->hosts[1].ssh.key_file, "/etc/cloison/keys/audit_ed25519");
  EXPECT_EQ(inv->directories[0].password_file, data_path("inventory/secrets/prod.pw"));
  EXPECT_EQ(inv->directories[0].bind_dn, "CN=cloison,OU=Audit,DC=prod,DC=example");
  EXPECT_EQ(inv->directories[1].role, directory_role::backup);
  EXPECT_EQ(inv->directories[1].bind_method, "gssapi");
  ASSERT_EQ(inv->flows.size(), 2u);
  ASSERT_EQ(inv->flows[0].ports.size(), 3u);
  EXPECT_EQ(inv->flows[0].ports[2].first, 2500u);
  EXPECT_EQ(inv->flows[0].ports[2].last, 3300u);
  ASSERT_TRUE(inv->isolation);
  EXPECT_EQ(inv->isolation->last_drill, "2026-03-14");
  EXPECT_FALSE(inv->vantage_points[0].remote());
  // Through a backup host: that host's address and ssh settings, without sudo.
  EXPECT_EQ(inv->vantage_points[1].via, "repo01");
  EXPECT_TRUE(inv->vantage_points[1].remote());
  EXPECT_EQ(inv->vantage_points[1].address, "10.50.0.20");
  EXPECT_EQ(inv->vantage_points[1].ssh.port, 2222u);
  EXPECT_EQ(inv->vantage_points[1].ssh.user, "audit");
  EXPECT_FALSE(inv->vantage_points[1].ssh.sudo);
  // A production machine reached over SSH with settings of its own.
  EXPECT_EQ(inv->vantage_points[2].via, "ssh");
  EXPECT_EQ(inv->vantage_points[2].address, "10.10.3.7");
  EXPECT_EQ(inv->vantage_points[2].ssh.user, "cloison-probe");
  EXPECT_EQ(inv->vantage_points[2].ssh.key_file, data_path("inventory/keys/probe_ed25519"));
  EXPECT_EQ(inv->vantage_points[2].ssh.known_hosts, data_path("inventory/keys/known_hosts"));
  EXPECT_EQ(inv->waivers, data_path("inventory/waivers.yaml"));
  EXPECT_EQ(inv->alerts.size(), 2u);
}

TEST(InventoryLoader, ReportsEveryProblemWithItsLocation) {
  diagnostics d;
  EXPECT_FALSE(load_inventory(data_path("inventory/broken.yaml"), d));
  EXPECT_THAT(
      located(d),
      ElementsAre(
          "4:11: role: unknown segment role 'prod' (expected production, backup, administration, "
          "directory or other)",
          "5:13: cidrs: '10.10.0.0/33' is not a valid CIDR (e.g. 10.20.0.0/16, host bits zero)",
          "5:27: cidrs: '10.10.0.1/16' is not a valid CIDR (e.g. 10.20.0.0/16, host bits zero)",
          "5:55: cidrs: '10.0.0.0/8' holds 16777216 addresses; a segment is at most 65536 IPv4 "
          "addresses (a /16): declare the ranges really in use",
          "6:11: duplicate name 'production' (already used by a segment)",
          "9:5: segment: unknown key 'colour' (expected one of: name, role, cidrs)",
          "12:14: address: '10.50.0.300' is not an IPv4 or IPv6 address",
          "13:9: os: expected linux or windows, found 'solaris'",
          "14:10: ssh: key_file is required unless use_agent is true",
          "14:10: ssh: known_hosts is required (host keys are pinned) unless trust_on_first_use is "
          "true",
          "14:24: ssh: unknown key 'password' (expected one of: user, port, key_file, "
          "passphrase_file, known_hosts, trust_on_first_use, use_agent, sudo)",
          "15:5: host 'repo01': access ssh needs an 'ssh' section",
          "19:28: 'nowhere' does not name a declared segment",
          "21:28: 'ghost' does not name a declared segment or host",
          "21:43: ports: '0' is not a port (1-65535) or a range FIRST-LAST",
          "21:46: ports: '70000' is not a port (1-65535) or a range FIRST-LAST",
          "21:53: ports: '30-20' is not a port (1-65535) or a range FIRST-LAST",
          "25:15: last_drill: expected a date YYYY-MM-DD, found '2026-02-30'",
          "29:10: uri: expected ldap://HOST or ldaps://HOST, found 'http://dc1'",
          "31:11: bind: method simple needs dn and password_file"));
}

TEST(InventoryLoader, WrongShapesAreReportedNotThrown) {
  temp_dir dir;
  diagnostics d;
  const auto path = dir.write("shapes.yaml",
                              "establishment: [not, text]\n"
                              "segments: {name: x}\n"
                              "hosts:\n"
                              "  - just-a-string\n"
                              "  - {name: a, address: 10.0.0.1, ssh: {user: u, key_file: k, "
                              "known_hosts: h, port: 99999}}\n");
  EXPECT_FALSE(load_inventory(path, d));
  EXPECT_THAT(located(d), ElementsAre("1:16: establishment: expected text, found a list",
                                      "2:11: segments: expected a list, found a map",
                                      "4:5: host: expected a map, found 'just-a-string'",
                                      "5:84: port: 99999 is out of range [1, 65535]"));
}

TEST(InventoryLoader, RemoteVantagePointsAreCheckedWhereTheyAreDeclared) {
  temp_dir dir;
  diagnostics d;
  const auto path =
      dir.write("v.yaml",
                "establishment: e\n"
                "segments: [{name: prod, role: production, cidrs: [10.1.0.0/16]}]\n"
                "hosts:\n"
                "  - {name: repo, address: 10.2.0.20, access: none}\n"
                "vantage_points:\n"
                "  - {name: a, segment: prod, via: ssh}\n"
                "  - {name: b, segment: prod, via: ssh, address: web01, ssh: {user: u}}\n"
                "  - {name: c, segment: prod, via: ssh, address: 10.1.0.7,\n"
                "     ssh: {user: u, key_file: k, known_hosts: h, sudo: true}}\n"
                "  - {name: d, segment: prod, address: 10.1.0.8}\n"
                "  - {name: e, segment: prod, via: repo, ssh: {user: u}}\n"
                "  - {name: f, segment: prod, via: repo}\n"
                "  - {name: g, segment: prod, via: ghost}\n"
                "  - {name: h, segment: prod, via: ssh, address: 10.1.0.9, port: 22,\n"
                "     ssh: {user: u, key_file: k, known_hosts: h}}\n");
  EXPECT_FALSE(load_inventory(path, d));
  EXPECT_THAT(
      located(d),
      ElementsAre(
          "6:5: vantage point 'a': via ssh needs an 'address'",
          "6:5: vantage point 'a': via ssh needs an 'ssh' section",
          "7:49: address: 'web01' is not an IPv4 or IPv6 address",
          "7:61: ssh: key_file is required unless use_agent is true",
          "7:61: ssh: known_hosts is required (host keys are pinned) unless trust_on_first_use is "
          "true",
          "9:56: sudo: the reachability probe needs no privilege",
          "10:39: vantage point 'd': 'address' and 'ssh' go with via: ssh (via local is this "
          "machine)",
          "11:46: vantage point 'e': 'address' and 'ssh' go with via: ssh (via repo uses that "
          "host's)",
          "12:35: vantage point 'f': host 'repo' is not reached over SSH (no 'ssh' section): use "
          "via: ssh with an address and ssh settings, or via: local",
          "13:35: 'ghost' does not name a declared host",
          "14:59: vantage point: unknown key 'port' (expected one of: name, segment, via, address, "
          "ssh)"));
}

TEST(InventoryLoader, EstablishmentIsRequired) {
  temp_dir dir;
  diagnostics d;
  EXPECT_FALSE(load_inventory(dir.write("i.yaml", "segments: []\n"), d));
  EXPECT_THAT(located(d), ElementsAre("1:1: inventory: missing required key 'establishment'"));
}

TEST(InventoryLoader, DuplicateYamlKeysAreErrors) {
  temp_dir dir;
  diagnostics d;
  EXPECT_FALSE(load_inventory(dir.write("i.yaml", "establishment: a\nestablishment: b\n"), d));
  EXPECT_THAT(located(d), ElementsAre("2:1: inventory: duplicate key 'establishment'"));
}

TEST(InventoryLoader, LocalMachineInventoryAuditsThisHostLocally) {
  const auto inv = local_machine_inventory();
  ASSERT_EQ(inv.hosts.size(), 1u);
  EXPECT_EQ(inv.hosts[0].access, access_method::local);
  EXPECT_FALSE(inv.isolation);  // nothing is declared: isolation checks must not pass
}

}  // namespace
}  // namespace cloison
