#include "agent/config/inventory_loader.h"

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
  ASSERT_EQ(inv->alerts.size(), 3u);
  EXPECT_EQ(inv->alerts[0].socket, "/dev/log");
  EXPECT_EQ(inv->alerts[1].url, "https://alerts.example/hook");
  EXPECT_EQ(inv->alerts[1].token_file, "");
  EXPECT_EQ(inv->alerts[2].listen, "127.0.0.1:9469");
  ASSERT_TRUE(inv->schedule);
  EXPECT_EQ(inv->schedule->cron, "30 2 * * *");
  EXPECT_EQ(inv->retention.max_runs, 100u);
  EXPECT_EQ(inv->retention.max_age, std::chrono::hours(24 * 365));
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
          "29:10: uri: expected one ldap://HOST or ldaps://HOST URL (no list), found 'http://dc1'",
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

TEST(InventoryLoader, RepositoryPathMustBeAbsolute) {
  temp_dir dir;
  diagnostics d;
  const auto path = dir.write("repo.yaml",
                              "establishment: x\n"
                              "hosts:\n"
                              "  - {name: a, address: 10.0.0.1, repository_path: -delete}\n"
                              "  - {name: b, address: 10.0.0.2, repository_path: srv/veeam}\n"
                              "  - {name: c, address: 10.0.0.3, repository_path: /srv/veeam}\n");
  EXPECT_FALSE(load_inventory(path, d));
  EXPECT_THAT(located(d),
              ElementsAre("3:51: repository_path: expected an absolute path, found '-delete'",
                          "4:51: repository_path: expected an absolute path, found 'srv/veeam'"));
}

TEST(InventoryLoader, AHostHasOneAddressOrAListOfThem) {
  temp_dir dir;
  diagnostics d;
  const auto path = dir.write("a.yaml",
                              "establishment: x\n"
                              "hosts:\n"
                              "  - {name: a, address: 10.0.0.1}\n"
                              "  - {name: b, addresses: [10.0.0.2, 'fd00:2::10']}\n");
  const auto inv = load_inventory(path, d);
  ASSERT_TRUE(inv) << located(d).front();
  EXPECT_EQ(inv->hosts[0].addresses, std::vector<std::string>{"10.0.0.1"});
  EXPECT_EQ(inv->hosts[0].primary_address(), "10.0.0.1");
  EXPECT_EQ(inv->hosts[1].addresses, (std::vector<std::string>{"10.0.0.2", "fd00:2::10"}));
  EXPECT_EQ(inv->hosts[1].primary_address(), "10.0.0.2");
}

TEST(InventoryLoader, BadAddressListsAreLocatedAndAllReported) {
  temp_dir dir;
  diagnostics d;
  const auto path = dir.write("a.yaml",
                              "establishment: x\n"
                              "hosts:\n"
                              "  - {name: a, addresses: []}\n"
                              "  - {name: b, addresses: [10.0.0.2, 'fd00:2::10', 'fd00:2:0::10']}\n"
                              "  - {name: c, address: 10.0.0.3, addresses: [10.0.0.4]}\n"
                              "  - {name: d}\n"
                              "  - {name: e, addresses: [10.0.0.5, web01]}\n"
                              "  - {name: f, addresses: 10.0.0.6}\n");
  EXPECT_FALSE(load_inventory(path, d));
  EXPECT_THAT(located(d),
              ElementsAre("3:26: addresses: the list is empty; a host has at least one address",
                          "4:51: addresses: 'fd00:2:0::10' is listed twice for host 'b'",
                          "5:45: host 'c': give 'address' or 'addresses', not both",
                          "6:5: host: missing required key 'address' (or 'addresses', a list)",
                          "7:37: addresses: 'web01' is not an IPv4 or IPv6 address",
                          "8:26: addresses: expected a list, found '10.0.0.6'"));
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

// Issue 19, defect 1: libldap fails over along a list, and the bind would follow it in clear.
TEST(InventoryLoader, ADirectoryUriIsOneUrlNotAList) {
  temp_dir dir;
  diagnostics d;
  EXPECT_FALSE(load_inventory(
      dir.write("i.yaml",
                "establishment: a\n"
                "directories:\n"
                "  - {name: a, role: backup, uri: \"ldaps://127.0.0.1:1 ldap://127.0.0.1\",\n"
                "     base: DC=a, bind: {method: simple, dn: x, password_file: /p}}\n"
                "  - {name: b, role: backup, uri: \"ldaps://a.lab,ldap://b.lab\",\n"
                "     base: DC=b, bind: {method: simple, dn: x, password_file: /p}}\n"),
      d));
  EXPECT_THAT(
      located(d),
      ElementsAre("3:34: uri: expected one ldap://HOST or ldaps://HOST URL (no list), found "
                  "'ldaps://127.0.0.1:1 ldap://127.0.0.1'",
                  "5:34: uri: expected one ldap://HOST or ldaps://HOST URL (no list), found "
                  "'ldaps://a.lab,ldap://b.lab'"));
}

// A directory without bind used to pass validate, then fail at the audit's bind (an empty
// password file): the directory checks need an authenticated reader.
TEST(InventoryLoader, ADirectoryNeedsABind) {
  temp_dir dir;
  diagnostics d;
  EXPECT_FALSE(load_inventory(
      dir.write("i.yaml",
                "establishment: a\n"
                "directories:\n"
                "  - {name: a, role: backup, uri: ldaps://dc1.a, base: DC=a, ca_file: c}\n"),
      d));
  EXPECT_THAT(located(d), ElementsAre("3:5: directory: missing required key 'bind'"));
}

// Issue 19, defect 7: without ca_file, TLS fell back to the system's trust store and ldap.conf.
TEST(InventoryLoader, TlsNeedsTheInventorysCa) {
  temp_dir dir;
  diagnostics d;
  EXPECT_FALSE(load_inventory(
      dir.write(
          "i.yaml",
          "establishment: a\n"
          "directories:\n"
          "  - {name: a, role: backup, uri: ldaps://dc1.a, base: DC=a,\n"
          "     bind: {method: simple, dn: x, password_file: /p}}\n"
          "  - {name: b, role: backup, uri: ldap://dc1.b, base: DC=b,\n"
          "     bind: {method: simple, dn: x, password_file: /p}}\n"
          "  - {name: c, role: backup, uri: ldap://dc1.c, base: DC=c,\n"
          "     bind: {method: gssapi, keytab: /k}}\n"
          "  - {name: d, role: backup, uri: ldap://dc1.d, base: DC=d, allow_plaintext: true,\n"
          "     bind: {method: simple, dn: x, password_file: /p}}\n"),
      d));
  const std::string why =
      ": ca_file: required with LDAPS or StartTLS: the server's certificate is verified against "
      "the CA the inventory names, never the system's trust store";
  // LDAPS and StartTLS need it; Kerberos sealing on ldap:// and an allowed plaintext bind do not.
  EXPECT_THAT(located(d), ElementsAre("3:5" + why, "5:5" + why));
}

TEST(InventoryLoader, DuplicateYamlKeysAreErrors) {
  temp_dir dir;
  diagnostics d;
  EXPECT_FALSE(load_inventory(dir.write("i.yaml", "establishment: a\nestablishment: b\n"), d));
  EXPECT_THAT(located(d), ElementsAre("2:1: inventory: duplicate key 'establishment'"));
}

TEST(InventoryLoader, KerberosBindsNeedAKeytabADnsNameAndOneKrb5Conf) {
  temp_dir dir;
  diagnostics d;
  const auto path = dir.write(
      "k.yaml",
      "establishment: e\n"
      "directories:\n"
      "  - {name: a, role: backup, uri: ldap://dc1.bk.example, base: DC=bk,\n"
      "     bind: {method: gssapi, keytab: a.keytab, principal: audit@BK.EXAMPLE, krb5_conf: k1}}\n"
      "  - {name: b, role: production, uri: ldaps://10.1.2.3, base: DC=p, ca_file: ca.pem,\n"
      "     bind: {method: gssapi, keytab: b.keytab, krb5_conf: k2}}\n"
      "  - {name: c, role: production, uri: ldaps://dc.c.example, base: DC=c, ca_file: ca.pem,\n"
      "     bind: {method: gssapi}}\n");
  const auto inv = load_inventory(path, d);
  EXPECT_FALSE(inv);
  EXPECT_THAT(located(d),
              ElementsAre("6:21: bind: method gssapi needs the DC's DNS name in uri, found the "
                          "address '10.1.2.3' (the Kerberos service is ldap/<DNS name>)",
                          "6:58: krb5_conf: one file per inventory; directory a names " +
                              (dir.path() / "k1").string(),
                          "8:12: bind: method gssapi needs keytab"));
}

TEST(InventoryLoader, KerberosBindIsRead) {
  temp_dir dir;
  diagnostics d;
  const auto inv = load_inventory(
      dir.write("k.yaml",
                "establishment: e\n"
                "directories:\n"
                "  - {name: a, role: backup, uri: ldap://dc1.bk.example, base: DC=bk,\n"
                "     bind: {method: gssapi, keytab: a.keytab, principal: audit@BK.EXAMPLE, "
                "krb5_conf: krb5.conf}}\n"),
      d);
  ASSERT_TRUE(inv) << d.size();
  const auto& b = inv->directories.at(0);
  EXPECT_EQ(b.bind_method, "gssapi");
  EXPECT_EQ(b.keytab, (dir.path() / "a.keytab").string());
  EXPECT_EQ(b.principal, "audit@BK.EXAMPLE");
  EXPECT_EQ(b.krb5_conf, (dir.path() / "krb5.conf").string());
}

TEST(InventoryLoader, ReadsCollectedHostsAndOutputCaps) {
  temp_dir dir;
  diagnostics d;
  const auto inv = load_inventory(
      dir.write("i.yaml",
                "establishment: e\n"
                "hosts:\n"
                "  - name: repo01\n"
                "    address: 10.0.0.1\n"
                "    access: collected\n"
                "    evidence: {file: ev/repo01.json, public_key: /etc/cloison/repo01.pub, "
                "max_age: 36h}\n"
                "    output_cap: 512KiB\n"
                "  - name: repo02\n"
                "    address: 10.0.0.2\n"
                "    evidence: {file: repo02.json, public_key: repo02.pub}\n"
                "    output_cap: 65536\n"
                "  - {name: bk, address: 10.0.0.3, access: local}\n"),
      d);
  ASSERT_TRUE(inv) << (d.empty() ? "" : d.items().front().to_string());
  const auto& repo01 = inv->hosts[0];
  EXPECT_EQ(repo01.access, access_method::collected);
  EXPECT_EQ(repo01.evidence.file, (dir.path() / "ev/repo01.json").string());
  EXPECT_EQ(repo01.evidence.public_key, "/etc/cloison/repo01.pub");
  EXPECT_EQ(repo01.evidence.max_age, std::chrono::hours(36));
  EXPECT_EQ(repo01.output_cap, 512u * 1024);
  EXPECT_EQ(inv->hosts[1].access, access_method::collected);  // implied by the evidence section
  EXPECT_EQ(inv->hosts[1].evidence.max_age, std::chrono::hours(24 * 8));  // default
  EXPECT_EQ(inv->hosts[1].output_cap, 65536u);
  EXPECT_EQ(inv->hosts[2].output_cap, kDefaultOutputCap);
}

TEST(InventoryLoader, CollectedHostsAndOutputCapsAreCheckedWithLocations) {
  temp_dir dir;
  diagnostics d;
  EXPECT_FALSE(load_inventory(dir.write("i.yaml",
                                        "establishment: e\n"
                                        "hosts:\n"
                                        "  - {name: a, address: 10.0.0.1, access: collected}\n"
                                        "  - name: b\n"
                                        "    address: 10.0.0.2\n"
                                        "    access: local\n"
                                        "    evidence: {file: f, public_key: k}\n"
                                        "  - name: c\n"
                                        "    address: 10.0.0.3\n"
                                        "    evidence: {file: f, max_age: 8 days, signer: x}\n"
                                        "    output_cap: 4MB\n"
                                        "  - name: d\n"
                                        "    address: 10.0.0.4\n"
                                        "    os: windows\n"
                                        "    evidence: {file: f, public_key: k, max_age: 0d}\n"
                                        "    output_cap: 512\n"
                                        "  - {name: e, address: 10.0.0.5, access: colected}\n"),
                              d));
  EXPECT_THAT(
      located(d),
      ElementsAre(
          "3:5: host 'a': access collected needs an 'evidence' section",
          "7:15: evidence: read only for hosts with access: collected",
          "10:15: evidence: missing required key 'public_key'",
          "10:34: max_age: expected a duration such as 36h or 8d (s, m, h, d), found '8 days'",
          "10:42: evidence: unknown key 'signer' (expected one of: file, public_key, max_age)",
          "11:17: output_cap: expected a size from 1KiB to 256MiB (e.g. 4MiB, 512KiB or a byte "
          "count), found '4MB'",
          "14:9: os: collected evidence is gathered on Linux hosts only",
          "15:49: max_age: expected a duration such as 36h or 8d (s, m, h, d), found '0d'",
          "16:17: output_cap: expected a size from 1KiB to 256MiB (e.g. 4MiB, 512KiB or a byte "
          "count), found '512'",
          "17:42: access: expected local, ssh, collected or none, found 'colected'"));
}

TEST(InventoryLoader, ParsesByteSizesAndDurations) {
  EXPECT_EQ(parse_byte_size("4194304"), 4194304u);
  EXPECT_EQ(parse_byte_size("4MiB"), 4u << 20);
  EXPECT_EQ(parse_byte_size("512KiB"), 512u << 10);
  EXPECT_EQ(parse_byte_size("1GiB"), 1u << 30);
  EXPECT_EQ(parse_byte_size("0"), 0u);
  for (const auto* bad : {"", "MiB", "4 MiB", "4MB", "4mib", "-1", "1.5MiB", "4MiBx",
                          "99999999999999999999", "9999999999999GiB"})
    EXPECT_FALSE(parse_byte_size(bad)) << bad;
  EXPECT_EQ(parse_duration("90s"), std::chrono::seconds(90));
  EXPECT_EQ(parse_duration("30m"), std::chrono::minutes(30));
  EXPECT_EQ(parse_duration("12h"), std::chrono::hours(12));
  EXPECT_EQ(parse_duration("8d"), std::chrono::hours(8 * 24));
  for (const auto* bad : {"", "8", "0d", "8w", "d", "1.5d", "8 d", "-1d", "40000d"})
    EXPECT_FALSE(parse_duration(bad)) << bad;
}

TEST(InventoryLoader, AScheduleIsACronExpressionOrACronWithARandomDelay) {
  temp_dir dir;
  diagnostics d;
  const auto plain = load_inventory(dir.write("plain.yaml",
                                              "establishment: e\n"
                                              "schedule: \"30 2 * * *\"\n"),
                                    d);
  ASSERT_TRUE(plain) << (d.empty() ? "" : d.items().front().to_string());
  ASSERT_TRUE(plain->schedule);
  EXPECT_EQ(plain->schedule->cron, "30 2 * * *");
  EXPECT_EQ(plain->schedule->times, std::get<cron_schedule>(parse_cron("30 2 * * *")));
  EXPECT_EQ(plain->schedule->random_delay, std::chrono::seconds(0));
  const auto delayed =
      load_inventory(dir.write("delayed.yaml",
                               "establishment: e\n"
                               "schedule: {cron: \"0 3 * * mon-fri\", random_delay: 30m}\n"),
                     d);
  ASSERT_TRUE(delayed) << (d.empty() ? "" : d.items().front().to_string());
  ASSERT_TRUE(delayed->schedule);
  EXPECT_EQ(delayed->schedule->cron, "0 3 * * mon-fri");
  EXPECT_TRUE(delayed->schedule->times.days_of_week[5]);
  EXPECT_FALSE(delayed->schedule->times.days_of_week[6]);
  EXPECT_EQ(delayed->schedule->random_delay, std::chrono::minutes(30));
  const auto block = load_inventory(dir.write("block.yaml",
                                              "establishment: e\n"
                                              "schedule:\n"
                                              "  cron: '*/15 * * * *'\n"
                                              "  random_delay: 12h\n"),
                                    d);
  ASSERT_TRUE(block) << (d.empty() ? "" : d.items().front().to_string());
  EXPECT_EQ(block->schedule->random_delay, std::chrono::hours(12));
  const auto none = load_inventory(dir.write("none.yaml", "establishment: e\n"), d);
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->schedule);
}

TEST(InventoryLoader, RetentionDefaultsTo400RunsAnd400DaysAndZeroMeansNoLimit) {
  temp_dir dir;
  diagnostics d;
  const auto absent = load_inventory(dir.write("absent.yaml", "establishment: e\n"), d);
  ASSERT_TRUE(absent);
  EXPECT_EQ(absent->retention.max_runs, 400u);
  EXPECT_EQ(absent->retention.max_age, std::chrono::hours(24 * 400));
  const auto set = load_inventory(
      dir.write("set.yaml", "establishment: e\nretention: {runs: 30, days: 0}\n"), d);
  ASSERT_TRUE(set) << (d.empty() ? "" : d.items().front().to_string());
  EXPECT_EQ(set->retention.max_runs, 30u);
  EXPECT_EQ(set->retention.max_age, std::chrono::hours(0));
  const auto days_only =
      load_inventory(dir.write("days.yaml", "establishment: e\nretention: {days: 90}\n"), d);
  ASSERT_TRUE(days_only);
  EXPECT_EQ(days_only->retention.max_runs, 400u);
  EXPECT_EQ(days_only->retention.max_age, std::chrono::hours(24 * 90));
}

TEST(InventoryLoader, ReadsReachabilitySweeps) {
  temp_dir dir;
  diagnostics d;
  const auto inv =
      load_inventory(dir.write("sweeps.yaml",
                               "establishment: e\n"
                               "segments:\n"
                               "  - {name: prod, role: production, cidrs: [10.1.0.0/16]}\n"
                               "  - {name: bk, role: backup, cidrs: [10.2.0.0/24]}\n"
                               "hosts:\n"
                               "  - {name: repo, address: 10.2.0.20, access: none}\n"
                               "reachability:\n"
                               "  sweeps:\n"
                               "    - {from: prod, to: repo, ports: [22, 9000-9100]}\n"
                               "    - {from: prod, to: bk, ports: all}\n"
                               "    - {from: bk, to: bk, ports: profiles}\n"),
                     d);
  ASSERT_TRUE(inv) << (d.empty() ? "" : d.items().front().to_string());
  const auto& s = inv->reachability.sweeps;
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[0].from, "prod");
  EXPECT_EQ(s[0].to, "repo");
  EXPECT_EQ(s[0].ports, port_sweep::scope::listed);
  EXPECT_EQ(s[0].listed, (std::vector<port_range>{{22, 22}, {9000, 9100}}));
  EXPECT_EQ(s[1].ports, port_sweep::scope::all);
  EXPECT_EQ(s[2].ports, port_sweep::scope::profiles);
}

TEST(InventoryLoader, BadSweepsAreLocatedAndAllReported) {
  temp_dir dir;
  diagnostics d;
  const auto inv =
      load_inventory(dir.write("bad.yaml",
                               "establishment: e\n"
                               "segments:\n"
                               "  - {name: prod, role: production, cidrs: [10.1.0.0/16]}\n"
                               "reachability:\n"
                               "  sweeps:\n"
                               "    - {from: prod, to: nowhere, ports: some}\n"
                               "    - {from: prod, to: prod, ports: [22, 0-5]}\n"
                               "    - {from: prod, to: prod, ports: []}\n"
                               "    - {from: prod, ports: all, why: x}\n"),
                     d);
  EXPECT_FALSE(inv);
  std::vector<std::string> seen;
  for (const auto& item : d.sorted())
    seen.push_back(item.to_string());
  ASSERT_EQ(seen.size(), 6u) << ::testing::PrintToString(seen);
  EXPECT_NE(seen[0].find("bad.yaml:6:24: 'nowhere'"), std::string::npos) << seen[0];
  EXPECT_NE(seen[1].find("bad.yaml:6:40: ports: expected all, profiles or a list of ports, found "
                         "'some'"),
            std::string::npos)
      << seen[1];
  EXPECT_NE(seen[2].find("bad.yaml:7:42: ports: '0-5' is not a port"), std::string::npos)
      << seen[2];
  EXPECT_NE(seen[3].find("bad.yaml:8:37: ports: an empty list tests nothing"), std::string::npos)
      << seen[3];
  EXPECT_NE(seen[4].find("bad.yaml:9:7"), std::string::npos) << seen[4];
  EXPECT_NE(seen[4].find("'to'"), std::string::npos) << seen[4];
  EXPECT_NE(seen[5].find("bad.yaml:9:32: sweep: unknown key 'why'"), std::string::npos) << seen[5];
}

TEST(InventoryLoader, BadRetentionValuesAreLocatedAndAllReported) {
  temp_dir dir;
  diagnostics d;
  const auto inv = load_inventory(dir.write("bad.yaml",
                                            "establishment: e\n"
                                            "retention:\n"
                                            "  runs: -1\n"
                                            "  days: forever\n"
                                            "  weeks: 3\n"),
                                  d);
  EXPECT_FALSE(inv);
  ASSERT_EQ(d.size(), 3u);
  std::vector<std::string> seen;
  for (const auto& item : d.sorted())
    seen.push_back(item.to_string());
  EXPECT_NE(seen[0].find("bad.yaml:3:9"), std::string::npos) << seen[0];
  EXPECT_NE(seen[1].find("bad.yaml:4:9"), std::string::npos) << seen[1];
  EXPECT_NE(seen[2].find("bad.yaml:5:3"), std::string::npos) << seen[2];
  EXPECT_NE(seen[2].find("weeks"), std::string::npos) << seen[2];
}

// The column is the faulty token's: the value's column, plus its opening quote when quoted, plus
// the characters before the token.
TEST(InventoryLoader, ABadCronExpressionIsLocatedAtItsFaultyToken) {
  temp_dir dir;
  struct example {
    std::string yaml;
    std::string diagnostic;
  };
  for (const auto& [yaml, diagnostic] : std::vector<example>{
           {"schedule: 30 25 * * *\n", "2:14: schedule: hour: 25 is out of range 0-23"},
           {"schedule: \"30 25 * * *\"\n", "2:15: schedule: hour: 25 is out of range 0-23"},
           {"schedule: '30 2 * * 8'\n", "2:21: schedule: day of week: 8 is out of range 0-7"},
           {"schedule:   \"*/0 * * * *\"\n", "2:16: schedule: minute: step 0 is out of range 1-60"},
           {"schedule: {cron: \"0 0 * foo *\"}\n",
            "2:25: cron: month: 'foo' is not a name of jan-dec"},
           {"schedule:\n  cron: 0 5-2 * * *\n", "3:11: cron: hour: range 5-2 is reversed"},
           {"schedule: \"30 2 * *\"\n",
            "2:20: schedule: expected 5 fields (minute hour day-of-month month day-of-week), "
            "found 4"},
           {"schedule: \"0 0 31 2 *\"\n",
            "2:16: schedule: day of month: the schedule never runs (none of its months has these "
            "days)"},
           // characters, not bytes, before the token
           {"schedule: \"é é é é é é\"\n",
            "2:22: schedule: expected 5 fields (minute hour day-of-month month day-of-week), "
            "found 6"},
           {"schedule: [30, 2]\n", "2:11: schedule: expected text, found a list"},
           {"schedule:\n", "3:1: schedule: expected text, found nothing"},
       }) {
    diagnostics d;
    const auto path = dir.write("s.yaml", "establishment: e\n" + yaml);
    EXPECT_FALSE(load_inventory(path, d)) << yaml;
    EXPECT_THAT(located(d), ElementsAre(diagnostic)) << yaml;
  }
  diagnostics d;
  const auto path = dir.write("full.yaml", "establishment: e\nschedule: \"30 2 * * * *\"\n");
  EXPECT_FALSE(load_inventory(path, d));
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d.items()[0].to_string(),
            path +
                ":2:23: schedule: expected 5 fields (minute hour day-of-month month "
                "day-of-week), found 6");
}

TEST(InventoryLoader, AScheduleMapIsStrict) {
  temp_dir dir;
  diagnostics d;
  EXPECT_FALSE(
      load_inventory(dir.write("s.yaml",
                               "establishment: e\n"
                               "schedule: {cron: \"30 2 * * *\", random_delay: 13h, jitter: 5m}\n"),
                     d));
  EXPECT_FALSE(load_inventory(dir.write("t.yaml",
                                        "establishment: e\n"
                                        "schedule:\n"
                                        "  random_delay: 30 minutes\n"),
                              d));
  EXPECT_FALSE(load_inventory(dir.write("u.yaml",
                                        "establishment: e\n"
                                        "schedule: {cron: \"30 2 * * *\", random_delay: 0s}\n"),
                              d));
  EXPECT_THAT(
      located(d),
      ElementsAre("2:46: random_delay: expected a duration from 1s to 12h, found '13h'",
                  "2:51: schedule: unknown key 'jitter' (expected one of: cron, random_delay)",
                  "3:3: schedule: missing required key 'cron'",
                  "3:17: random_delay: expected a duration from 1s to 12h, found '30 minutes'",
                  "2:46: random_delay: expected a duration from 1s to 12h, found '0s'"));
}

TEST(InventoryLoader, LocalMachineInventoryAuditsThisHostLocally) {
  const auto inv = local_machine_inventory();
  ASSERT_EQ(inv.hosts.size(), 1u);
  EXPECT_EQ(inv.hosts[0].access, access_method::local);
  EXPECT_FALSE(inv.isolation);  // nothing is declared: isolation checks must not pass
}

TEST(InventoryLoader, ReadsEachTypeOfAlertWithItsKeys) {
  temp_dir dir;
  diagnostics d;
  inventory_references refs;
  const auto inv = load_inventory(
      dir.write("i.yaml",
                "establishment: a\n"
                "alerts:\n"
                "  - {type: syslog, socket: /run/test.sock}\n"
                "  - {type: webhook, url: 'https://[::1]:8443/in?x=1', token_file: t.token,\n"
                "     ca_file: ca.pem}\n"
                "  - {type: prometheus, listen: '0.0.0.0:9100', token_file: /etc/m.token}\n"),
      d, &refs);
  ASSERT_TRUE(inv) << (d.empty() ? "" : d.items().front().to_string());
  ASSERT_EQ(inv->alerts.size(), 3u);
  EXPECT_EQ(inv->alerts[0].socket, "/run/test.sock");
  EXPECT_EQ(inv->alerts[1].url, "https://[::1]:8443/in?x=1");
  EXPECT_EQ(inv->alerts[1].token_file, (dir.path() / "t.token").string());
  EXPECT_EQ(inv->alerts[1].ca_file, (dir.path() / "ca.pem").string());
  EXPECT_EQ(inv->alerts[2].listen, "0.0.0.0:9100");
  EXPECT_EQ(inv->alerts[2].token_file, "/etc/m.token");
  // Token files are secrets: `cloison validate` checks they exist and are open to no one else.
  std::vector<std::string> secrets;
  for (const auto& s : refs.secrets)
    secrets.push_back(s.value);
  EXPECT_THAT(secrets, ElementsAre((dir.path() / "t.token").string(), "/etc/m.token"));
}

TEST(InventoryLoader, AnAlertTakesOnlyTheKeysOfItsType) {
  temp_dir dir;
  diagnostics d;
  EXPECT_FALSE(
      load_inventory(dir.write("i.yaml",
                               "establishment: a\n"
                               "alerts:\n"
                               "  - {type: syslog, url: 'https://h/'}\n"
                               "  - {type: webhook, url: 'https://h/', listen: '127.0.0.1:1'}\n"
                               "  - {type: prometheus, socket: /dev/log}\n"
                               "  - {type: email, url: 'https://h/'}\n"
                               "  - {url: 'https://h/'}\n"),
                     d));
  EXPECT_THAT(
      located(d),
      ElementsAre("3:20: syslog alert: unknown key 'url' (expected one of: type, socket)",
                  "4:40: webhook alert: unknown key 'listen' (expected one of: type, url, ca_file, "
                  "token_file)",
                  "5:24: prometheus alert: unknown key 'socket' (expected one of: type, listen, "
                  "token_file)",
                  "6:12: type: expected syslog, webhook or prometheus, found 'email'",
                  "7:5: alert: missing required key 'type'"));
}

TEST(InventoryLoader, AWebhookNeedsAnHttpsUrl) {
  temp_dir dir;
  diagnostics d;
  EXPECT_FALSE(load_inventory(dir.write("i.yaml",
                                        "establishment: a\n"
                                        "alerts:\n"
                                        "  - {type: webhook}\n"
                                        "  - {type: webhook, url: 'http://127.0.0.1/hook'}\n"
                                        "  - {type: webhook, url: 'https://u:p@h/hook'}\n"),
                              d));
  const std::string why =
      "url: expected https://HOST[:PORT]/PATH (TLS only, no user info), found '";
  EXPECT_THAT(located(d), ElementsAre("3:5: webhook alert: missing required key 'url'",
                                      "4:26: " + why + "http://127.0.0.1/hook'",
                                      "5:26: " + why + "https://u:p@h/hook'"));
}

TEST(InventoryLoader, APrometheusEndpointOffLoopbackNeedsAToken) {
  temp_dir dir;
  diagnostics d;
  EXPECT_FALSE(load_inventory(dir.write("i.yaml",
                                        "establishment: a\n"
                                        "alerts:\n"
                                        "  - {type: prometheus, listen: '10.0.0.5:9469'}\n"
                                        "  - {type: prometheus, listen: 'localhost:9469'}\n"
                                        "  - {type: syslog, socket: dev/log}\n"),
                              d));
  EXPECT_THAT(
      located(d),
      ElementsAre("3:32: listen: 10.0.0.5:9469 is reachable from other machines: a token_file is "
                  "required (the bearer token scrapers must present)",
                  "4:5: alert: only one prometheus endpoint may be declared",
                  "4:32: listen: expected ADDRESS:PORT ('127.0.0.1:9469', '[::1]:9469'), found "
                  "'localhost:9469'",
                  "5:28: socket: expected an absolute path, found 'dev/log'"));
}

TEST(InventoryLoader, ValidateRefusesAWebhookTokenOpenToOthers) {
  temp_dir dir;
  const auto token = dir.write("t.token", "secret");
  std::filesystem::permissions(token, std::filesystem::perms::owner_read |
                                          std::filesystem::perms::owner_write |
                                          std::filesystem::perms::group_read);
  diagnostics d;
  inventory_references refs;
  const auto path = dir.write("i.yaml",
                              "establishment: a\n"
                              "alerts:\n"
                              "  - {type: webhook, url: 'https://h/', token_file: t.token,\n"
                              "     ca_file: missing.pem}\n");
  ASSERT_TRUE(load_inventory(path, d, &refs));
  check_files(refs, path, d);
  EXPECT_THAT(
      located(d),
      ElementsAre(
          "3:52: " + token +
              ": a secret readable by its group or by others (mode 0640): chmod "
              "600 " +
              token,
          "4:15: " + (dir.path() / "missing.pem").string() +
              ": cannot be read here (No such file or directory); the audit needs it on the "
              "machine it runs on"));
}

}  // namespace
}  // namespace cloison

namespace cloison {
namespace {

constexpr const char* kDrillInventory = R"(establishment: CH Test
segments:
  - {name: administration, role: administration, cidrs: [10.3.0.0/24]}
  - {name: backup, role: backup, cidrs: [10.2.0.0/24]}
hosts:
  - {name: bk1, address: 10.2.0.10}
isolation:
  description: nft set on the core firewall
  triggered_by: on-call
  drill:
)";

TEST(InventoryLoader, ReadsTheIsolationDrill) {
  testing::temp_dir dir;
  const auto path = dir.write("inventory.yaml", std::string(kDrillInventory) + R"(    via: ssh
    address: 10.3.0.1
    ssh: {user: fw, key_file: fw_key, known_hosts: known_hosts}
    isolate: [nft, add, element, inet, cloison_isolation, isolated, "{ 10.2.0.0/24 timeout 30m }"]
    restore: [nft, flush, set, inet, cloison_isolation, isolated]
    max_isolate_time: 30s
    hold: 1m
    stay_open:
      - {from: administration, to: bk1, ports: [22], purpose: console}
    reports: drills
)");
  diagnostics d;
  const auto inv = load_inventory(path, d);
  ASSERT_TRUE(inv) << (d.empty() ? "" : d.items().front().to_string());
  const auto& drill = *inv->isolation->drill;
  EXPECT_EQ(drill.via, "ssh");
  EXPECT_EQ(drill.address, "10.3.0.1");
  EXPECT_EQ(drill.ssh.user, "fw");
  EXPECT_EQ(drill.isolate.back(), "{ 10.2.0.0/24 timeout 30m }");
  EXPECT_EQ(drill.restore.size(), 6u);
  EXPECT_EQ(drill.max_isolate_time, std::chrono::seconds(30));
  EXPECT_EQ(drill.hold, std::chrono::seconds(60));
  EXPECT_EQ(drill.max_duration, std::chrono::minutes(15));
  ASSERT_EQ(drill.stay_open.size(), 1u);
  EXPECT_EQ(drill.stay_open[0].to, "bk1");
  EXPECT_EQ(drill.reports, (dir.path() / "drills").string());
}

TEST(InventoryLoader, DrillProblemsAreLocated) {
  testing::temp_dir dir;
  const auto path = dir.write("inventory.yaml", std::string(kDrillInventory) + R"(    via: ftp
    isolate: []
    restore: [true]
    max_isolate_time: 10m
    hold: soon
    stay_open:
      - {from: administration, to: nowhere, protocol: udp, ports: [53]}
    colour: red
)");
  diagnostics d;
  EXPECT_FALSE(load_inventory(path, d));
  EXPECT_THAT(
      located(d),
      ElementsAre("11:5: max_duration: must leave time to isolate, hold and restore (at least 2 x "
                  "max_isolate_time + hold = 1210s)",
                  "11:10: via: expected local or ssh, found 'ftp'",
                  "12:14: isolate: expected a command as a list of words",
                  "15:11: hold: expected a duration from 1s to 24h (s, m, h), found 'soon'",
                  "17:36: 'nowhere' does not name a declared segment or host",
                  "17:55: stay_open: only tcp flows can be measured",
                  "18:5: drill: unknown key 'colour' (expected one of: via, address, ssh, isolate, "
                  "restore, max_isolate_time, hold, max_duration, stay_open, reports)"));
}

}  // namespace
}  // namespace cloison
