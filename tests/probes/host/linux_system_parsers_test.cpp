#include "probes/host/linux_system_parsers.h"
#include "tests/support.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace cloison {
namespace {

using strings = std::vector<std::string>;

// Fixtures are real outputs; tests/data/host/system/README.md says how each was produced.
std::string fixture(const std::string& name) {
  return testing::fixture_text("host/system/" + name);
}

// --- ss -H -tlnup ------------------------------------------------------------------------------

TEST(LinuxSystemParsersSs, ReadsEveryListenerOfTheBackupHost) {
  const auto s = parse_ss_listening(fixture("ss_tlnup_backup.txt"));
  ASSERT_EQ(s.size(), 10u);
  EXPECT_EQ(s[0].proto, "udp");
  EXPECT_EQ(s[0].address, "127.0.0.1");
  EXPECT_EQ(s[0].port, 323u);
  EXPECT_EQ(s[0].process, "chronyd");
  EXPECT_EQ(s[0].pid, 14813);
  EXPECT_EQ(s[4].proto, "tcp");
  EXPECT_EQ(s[4].address, "0.0.0.0");
  EXPECT_EQ(s[4].port, 22u);
  EXPECT_EQ(s[4].process, "sshd");
  EXPECT_EQ(s[4].pid, 14594);
  EXPECT_TRUE(s[4].device.empty());
}

TEST(LinuxSystemParsersSs, StripsBracketsOfIpv6Addresses) {
  const auto s = parse_ss_listening(fixture("ss_tlnup_backup.txt"));
  ASSERT_EQ(s.size(), 10u);
  EXPECT_EQ(s[2].address, "::1");
  EXPECT_EQ(s[2].port, 323u);
  EXPECT_EQ(s[7].address, "fd00:2::10");
  EXPECT_EQ(s[7].port, 8443u);
  EXPECT_EQ(s[7].process, "repo-api");
  EXPECT_EQ(s[8].address, "::");
  EXPECT_EQ(s[8].port, 22u);
  EXPECT_EQ(s[8].pid, 14594);
}

TEST(LinuxSystemParsersSs, KeepsDualStackWildcardAndDeviceScope) {
  const auto s = parse_ss_listening(fixture("ss_tlnup_backup.txt"));
  ASSERT_EQ(s.size(), 10u);
  EXPECT_EQ(s[9].address, "*");
  EXPECT_EQ(s[9].port, 10006u);
  EXPECT_EQ(s[9].process, "veeamagent");
  EXPECT_EQ(s[5].address, "127.0.0.1");
  EXPECT_EQ(s[5].device, "lo");
  EXPECT_EQ(s[5].port, 10005u);
}

TEST(LinuxSystemParsersSs, ListsEveryProcessSharingASocket) {
  const auto s = parse_ss_listening(fixture("ss_tlnup_backup.txt"));
  ASSERT_EQ(s.size(), 10u);
  ASSERT_EQ(s[3].users.size(), 3u);
  EXPECT_EQ(s[3].port, 6162u);
  EXPECT_EQ(s[3].users[0].name, "veeamtransport");
  EXPECT_EQ(s[3].users[0].pid, 14722);
  EXPECT_EQ(s[3].users[2].pid, 14597);
  EXPECT_EQ(s[3].process, "veeamtransport");
  EXPECT_EQ(s[3].pid, 14722);
}

TEST(LinuxSystemParsersSs, TellsWhichListenersAcceptOnAllAddresses) {
  std::vector<unsigned> open_ports;
  for (const auto& l : parse_ss_listening(fixture("ss_tlnup_backup.txt"))) {
    if (listens_on_all_addresses(l))
      open_ports.push_back(l.port);
  }
  EXPECT_EQ(open_ports, (std::vector<unsigned>{6162, 22, 22, 10006}));
}

TEST(LinuxSystemParsersSs, ScopedIpv6AndSocketsWithoutProcess) {
  const auto s = parse_ss_listening(
      "tcp LISTEN 0 128 [fe80::1]%eth0:22 [::]:*\n"
      "udp UNCONN 0 0 0.0.0.0%eth0:67 0.0.0.0:*\n"
      "tcp LISTEN 0 64 0.0.0.0:2049 0.0.0.0:*\n");
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[0].address, "fe80::1");
  EXPECT_EQ(s[0].device, "eth0");
  EXPECT_EQ(s[0].port, 22u);
  EXPECT_EQ(s[1].address, "0.0.0.0");
  EXPECT_EQ(s[1].device, "eth0");
  EXPECT_EQ(s[2].port, 2049u);  // a kernel server (nfsd): no users:(...)
  EXPECT_TRUE(s[2].process.empty());
  EXPECT_EQ(s[2].pid, -1);
  EXPECT_TRUE(s[2].users.empty());
}

TEST(LinuxSystemParsersSs, ProcessNamesWithSpacesAndCommas) {
  const auto s = parse_ss_listening(
      "tcp LISTEN 0 5 0.0.0.0:8080 0.0.0.0:* users:((\"my app, v2\",pid=77,fd=9))\n");
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].process, "my app, v2");
  EXPECT_EQ(s[0].pid, 77);
}

TEST(LinuxSystemParsersSs, SkipsMalformedLines) {
  const auto s = parse_ss_listening(
      "Netid State Recv-Q Send-Q Local Address:Port Peer Address:Port Process\n"  // a header
      "LISTEN 0 128 0.0.0.0:22 0.0.0.0:*\n"                                       // no netid column
      "tcp LISTEN 0 128 0.0.0.0:ssh 0.0.0.0:*\n"    // port not numeric
      "tcp LISTEN 0 128 0.0.0.0 0.0.0.0:*\n"        // no port
      "tcp LISTEN 0 128 :22 0.0.0.0:*\n"            // no address
      "tcp LISTEN 0 128 0.0.0.0:99999 0.0.0.0:*\n"  // no such port
      "tcp LISTEN 0 128 0.0.0.0:-1 0.0.0.0:*\n"
      "tcp LISTEN 0\n"
      "\n"
      "tcp LISTEN 0 128 198.18.2.10:65535 0.0.0.0:*\r\n");
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].address, "198.18.2.10");
  EXPECT_EQ(s[0].port, 65535u);
}

TEST(LinuxSystemParsersSs, EmptyText) {
  EXPECT_TRUE(parse_ss_listening("").empty());
}

// --- nft list ruleset --------------------------------------------------------------------------

TEST(LinuxSystemParsersNft, DefaultDropInputPolicy) {
  const auto f = parse_nft_ruleset(fixture("nft_ruleset_drop.txt"));
  EXPECT_EQ(f.engine, "nftables");
  EXPECT_EQ(f.input_policy, "drop");
  EXPECT_EQ(f.rule_count, 7u);
  EXPECT_TRUE(f.has_table);
}

TEST(LinuxSystemParsersNft, EmptyRulesetHasNoTable) {
  const auto f = parse_nft_ruleset(fixture("nft_ruleset_empty.txt"));
  EXPECT_EQ(f.engine, "nftables");
  EXPECT_EQ(f.input_policy, "");
  EXPECT_EQ(f.rule_count, 0u);
  EXPECT_FALSE(f.has_table);
}

TEST(LinuxSystemParsersNft, DebianDefaultAcceptsEverything) {
  const auto f = parse_nft_ruleset(fixture("nft_ruleset_debian_default.txt"));
  EXPECT_EQ(f.input_policy, "accept");
  EXPECT_EQ(f.rule_count, 0u);
  EXPECT_TRUE(f.has_table);
}

TEST(LinuxSystemParsersNft, SetsAreNoRulesAndIp6TablesDoNotDecide) {
  // 3 rules in input (one with a long anonymous set), 2 in a regular chain; the named set spans
  // several lines; the ip6 table's drop does not filter IPv4.
  const auto f = parse_nft_ruleset(fixture("nft_ruleset_sets_accept.txt"));
  EXPECT_EQ(f.input_policy, "accept");
  EXPECT_EQ(f.rule_count, 5u);
}

TEST(LinuxSystemParsersNft, ReadsTablesMadeByIptablesNft) {
  const auto f = parse_nft_ruleset(fixture("nft_ruleset_iptables_nft.txt"));
  EXPECT_EQ(f.input_policy, "accept");
  EXPECT_EQ(f.rule_count, 7u);
  EXPECT_TRUE(f.has_table);
}

TEST(LinuxSystemParsersNft, AnyDroppingInputChainMakesTheHookDropping) {
  const auto f = parse_nft_ruleset(
      "table inet a {\n"
      "\tchain in {\n"
      "\t\ttype filter hook input priority filter; policy accept;\n"
      "\t}\n"
      "}\n"
      "table ip b {\n"
      "\tchain in {\n"
      "\t\ttype filter hook input priority 10; policy drop;\n"
      "\t\ttcp dport 22 accept\n"
      "\t}\n"
      "}\n");
  EXPECT_EQ(f.input_policy, "drop");
  EXPECT_EQ(f.rule_count, 1u);
}

TEST(LinuxSystemParsersNft, IgnoresNonFilterAndNonInputBaseChains) {
  const auto f = parse_nft_ruleset(
      "table ip nat {\n"
      "\tchain in { type nat hook input priority 100; policy accept; }\n"
      "}\n"
      "table netdev edge {\n"
      "\tchain ingress {\n"
      "\t\ttype filter hook ingress device \"eth0\" priority -500; policy drop;\n"
      "\t}\n"
      "}\n"
      "table inet f {\n"
      "\tchain out {\n"
      "\t\ttype filter hook output priority 0; policy drop;\n"
      "\t}\n"
      "}\n");
  EXPECT_EQ(f.input_policy, "");
  EXPECT_TRUE(f.has_table);
}

TEST(LinuxSystemParsersNft, BracesInCommentsAndHandlesDoNotConfuseDepth) {
  const auto f = parse_nft_ruleset(
      "table inet f { # handle 1\n"
      "\tchain input { # handle 1\n"
      "\t\ttype filter hook input priority filter; policy drop; # handle 1\n"
      "\t\ttcp dport 22 accept comment \"ssh { from bastion\" # handle 2\n"
      "\t\tcomment \"input chain }\"\n"
      "\t\tudp dport 123 accept # handle 3\n"
      "\t}\n"
      "}\n");
  EXPECT_EQ(f.input_policy, "drop");
  EXPECT_EQ(f.rule_count, 2u);
}

TEST(LinuxSystemParsersNft, BaseChainWithoutPolicyAccepts) {
  const auto f = parse_nft_ruleset(
      "table inet f {\n  chain input {\n    type filter hook input priority 0;\n  }\n}\n");
  EXPECT_EQ(f.input_policy, "accept");
}

TEST(LinuxSystemParsersNft, CrlfLineEndings) {
  const auto f = parse_nft_ruleset(
      "table inet f {\r\n\tchain input {\r\n\t\ttype filter hook input priority 0; policy "
      "drop;\r\n\t\tct state established accept\r\n\t}\r\n}\r\n");
  EXPECT_EQ(f.input_policy, "drop");
  EXPECT_EQ(f.rule_count, 1u);
}

TEST(LinuxSystemParsersNft, DefaultDenyFromPolicyOrAnUnconditionalLastRule) {
  EXPECT_TRUE(parse_nft_ruleset(fixture("nft_ruleset_drop.txt")).default_deny);
  const auto lab = parse_nft_ruleset(fixture("nft_ruleset_lab_backup_host.txt"));
  EXPECT_TRUE(lab.default_deny);
  EXPECT_EQ(lab.input_policy, "drop");
  EXPECT_EQ(lab.rule_count, 3u);
  // policy accept, but the last rule logs, counts and rejects everything
  const auto reject = parse_nft_ruleset(fixture("nft_ruleset_final_reject.txt"));
  EXPECT_EQ(reject.input_policy, "accept");
  EXPECT_TRUE(reject.default_deny);
  EXPECT_EQ(reject.rule_count, 4u);
  // one of two input chains ends with a bare `counter drop`: every packet must pass both
  const auto two = parse_nft_ruleset(fixture("nft_ruleset_two_tables_final_drop.txt"));
  EXPECT_EQ(two.input_policy, "accept");
  EXPECT_TRUE(two.default_deny);
}

TEST(LinuxSystemParsersNft, NoDefaultDenyWhenTheLastRuleMatchesSomething) {
  const auto f = parse_nft_ruleset(fixture("nft_ruleset_conditional_drop.txt"));
  EXPECT_EQ(f.input_policy, "accept");
  EXPECT_FALSE(f.default_deny);  // ip saddr 198.18.1.0/24 ... drop: only production is dropped
  EXPECT_FALSE(parse_nft_ruleset(fixture("nft_ruleset_lab_backup_firewall_off.txt")).default_deny);
  EXPECT_FALSE(parse_nft_ruleset(fixture("nft_ruleset_debian_default.txt")).default_deny);
  EXPECT_FALSE(parse_nft_ruleset(fixture("nft_ruleset_empty.txt")).default_deny);
  // the ip6-only table drops, but IPv4 is not filtered
  EXPECT_FALSE(parse_nft_ruleset(fixture("nft_ruleset_sets_accept.txt")).default_deny);
}

TEST(LinuxSystemParsersNft, OnlyTheLastRuleOfAnInputChainDecides) {
  const auto drop_then_accept = parse_nft_ruleset(
      "table inet f {\n\tchain input {\n\t\ttype filter hook input priority 0; policy accept;\n"
      "\t\tdrop\n\t\ttcp dport 22 accept\n\t}\n}\n");
  EXPECT_FALSE(drop_then_accept.default_deny);
  const auto output_drop = parse_nft_ruleset(
      "table inet f {\n\tchain out {\n\t\ttype filter hook output priority 0; policy accept;\n"
      "\t\tcounter drop\n\t}\n\tchain other {\n\t\tdrop\n\t}\n}\n");
  EXPECT_FALSE(output_drop.default_deny);  // an output chain and a regular chain
  const auto commented = parse_nft_ruleset(
      "table ip f {\n\tchain input {\n\t\ttype filter hook input priority 0; policy accept;\n"
      "\t\tcounter packets 3 bytes 180 drop comment \"default deny\" # handle 7\n\t}\n}\n");
  EXPECT_TRUE(commented.default_deny);
  const auto limited = parse_nft_ruleset(
      "table ip f {\n\tchain input {\n\t\ttype filter hook input priority 0; policy accept;\n"
      "\t\tlimit rate 10/second drop\n\t}\n}\n");
  EXPECT_FALSE(limited.default_deny);  // a limit matches some packets only
}

// --- iptables-save -----------------------------------------------------------------------------

TEST(LinuxSystemParsersIptables, AcceptPolicyAndRulesOfAllTables) {
  const auto f = parse_iptables_save(fixture("iptables_save_accept.txt"));
  EXPECT_EQ(f.engine, "iptables");
  EXPECT_EQ(f.input_policy, "accept");
  EXPECT_EQ(f.rule_count, 7u);  // 4 INPUT, 1 FORWARD, 1 BACKUP-LOG, 1 nat POSTROUTING
  EXPECT_TRUE(f.has_table);
}

TEST(LinuxSystemParsersIptables, DropPolicy) {
  const auto f = parse_iptables_save(fixture("iptables_save_drop.txt"));
  EXPECT_EQ(f.input_policy, "drop");
  EXPECT_EQ(f.rule_count, 6u);
}

TEST(LinuxSystemParsersIptables, OnlyTheFilterTableInputPolicyCounts) {
  const auto f = parse_iptables_save(
      "*nat\n:INPUT DROP [0:0]\nCOMMIT\n*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n*mangle\n"
      ":INPUT DROP [0:0]\nCOMMIT\n");
  EXPECT_EQ(f.input_policy, "accept");
}

TEST(LinuxSystemParsersIptables, EmptyAndMalformed) {
  const auto e = parse_iptables_save("");
  EXPECT_FALSE(e.has_table);
  EXPECT_EQ(e.input_policy, "");
  const auto m = parse_iptables_save("-A INPUT -j ACCEPT\n:INPUT DROP [0:0]\n*filter\n:INPUT\n");
  EXPECT_TRUE(m.has_table);
  EXPECT_EQ(m.rule_count, 0u);  // lines before any *table are skipped
  EXPECT_EQ(m.input_policy, "");
}

TEST(LinuxSystemParsersIptables, DefaultDenyFromPolicyOrABareLastInputRule) {
  EXPECT_TRUE(parse_iptables_save(fixture("iptables_save_drop.txt")).default_deny);
  EXPECT_FALSE(parse_iptables_save(fixture("iptables_save_accept.txt")).default_deny);
  const auto reject = parse_iptables_save(fixture("iptables_save_final_reject.txt"));
  EXPECT_EQ(reject.input_policy, "accept");
  EXPECT_TRUE(reject.default_deny);
  const auto conditional = parse_iptables_save(fixture("iptables_save_conditional_drop.txt"));
  EXPECT_FALSE(conditional.default_deny);  // -s 198.18.1.0/24 -j DROP
  EXPECT_TRUE(parse_iptables_save("*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -m comment --comment "
                                  "\"last one\" -j DROP\nCOMMIT\n")
                  .default_deny);
  EXPECT_FALSE(
      parse_iptables_save("*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j DROP\n-A INPUT -j ACCEPT\n"
                          "-A FORWARD -j DROP\nCOMMIT\n*nat\n-A INPUT -j DROP\nCOMMIT\n")
          .default_deny);  // the filter INPUT chain ends with an accept
  EXPECT_FALSE(parse_iptables_save(fixture("iptables_save_empty.txt")).has_table);
}

// --- picking the firewall in force -------------------------------------------------------------

TEST(LinuxSystemParsersFirewall, PrefersNftablesWhenItListsTables) {
  const auto f =
      pick_firewall(fixture("nft_ruleset_iptables_nft.txt"), fixture("iptables_save_accept.txt"));
  EXPECT_EQ(f.engine, "nftables");
  EXPECT_EQ(f.rule_count, 7u);
}

TEST(LinuxSystemParsersFirewall, FallsBackToIptablesWhenNftablesIsEmptyOrMissing) {
  const auto f = pick_firewall(fixture("nft_ruleset_empty.txt"), fixture("iptables_save_drop.txt"));
  EXPECT_EQ(f.engine, "iptables");
  EXPECT_EQ(f.input_policy, "drop");
  EXPECT_EQ(pick_firewall("", fixture("iptables_save_drop.txt")).engine, "iptables");
}

TEST(LinuxSystemParsersFirewall, NoneWhenNeitherHasATable) {
  const auto f = pick_firewall(fixture("nft_ruleset_empty.txt"), "");
  EXPECT_EQ(f.engine, "none");
  EXPECT_FALSE(f.has_table);
  EXPECT_EQ(f.input_policy, "");
  EXPECT_EQ(f.rule_count, 0u);
}

TEST(LinuxSystemParsersFirewall, CombinesNftablesWithLegacyIptables) {
  const std::string legacy =
      "# Generated by iptables-save v1.8.9 (legacy) on Sat Nov 28 23:37:51 2026\n"
      "*filter\n:INPUT DROP [0:0]\n-A INPUT -i lo -j ACCEPT\nCOMMIT\n";
  const auto f = pick_firewall(fixture("nft_ruleset_debian_default.txt"), legacy);
  EXPECT_EQ(f.engine, "nftables+iptables-legacy");
  EXPECT_EQ(f.input_policy, "drop");
  EXPECT_EQ(f.rule_count, 1u);
  EXPECT_TRUE(f.has_table);
  EXPECT_TRUE(f.default_deny);
}

TEST(LinuxSystemParsersFirewall, LabBackupHostFirewallOnAndOff) {
  const auto on =
      pick_firewall(fixture("nft_ruleset_lab_backup_host.txt"), fixture("iptables_save_empty.txt"));
  EXPECT_EQ(on.engine, "nftables");
  EXPECT_TRUE(on.default_deny);
  const auto off = pick_firewall(fixture("nft_ruleset_lab_backup_firewall_off.txt"),
                                 fixture("iptables_save_empty.txt"));
  EXPECT_EQ(off.engine, "nftables");
  EXPECT_EQ(off.input_policy, "accept");
  EXPECT_EQ(off.rule_count, 0u);
  EXPECT_FALSE(off.default_deny);
  EXPECT_FALSE(pick_firewall("", "").default_deny);
}

// --- ip -j route -------------------------------------------------------------------------------

TEST(LinuxSystemParsersRoutes, BackupHostWithoutDefaultRoute) {
  const auto r = parse_ip_routes(fixture("ip_j_route_backup.json"));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->size(), 4u);
  EXPECT_EQ((*r)[0].dst, "198.18.2.0/24");
  EXPECT_EQ((*r)[0].gateway, "");
  EXPECT_EQ((*r)[0].dev, "eth0");
  EXPECT_EQ((*r)[0].type, "unicast");
  EXPECT_EQ((*r)[3].dst, "198.18.9.0/24");
  EXPECT_EQ((*r)[3].gateway, "198.18.8.1");
  EXPECT_EQ((*r)[3].dev, "mgmt0");
  EXPECT_FALSE(has_default_route(*r));
}

TEST(LinuxSystemParsersRoutes, DefaultRoute) {
  const auto r = parse_ip_routes(fixture("ip_j_route_default.json"));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->size(), 5u);
  EXPECT_EQ((*r)[0].dst, "default");
  EXPECT_EQ((*r)[0].gateway, "198.18.2.1");
  EXPECT_EQ((*r)[0].dev, "eth0");
  EXPECT_TRUE(has_default_route(*r));
}

TEST(LinuxSystemParsersRoutes, UnreachableDefaultIsNoExitAndHostRoutesGetAPrefix) {
  const auto r = parse_ip_routes(fixture("ip_j_route_unreachable_default.json"));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->size(), 6u);
  EXPECT_EQ((*r)[0].dst, "default");
  EXPECT_EQ((*r)[0].type, "unreachable");
  EXPECT_EQ((*r)[0].dev, "");
  EXPECT_EQ((*r)[5].dst, "198.18.9.77/32");
  EXPECT_EQ((*r)[5].gateway, "198.18.8.1");
  EXPECT_FALSE(has_default_route(*r));
}

TEST(LinuxSystemParsersRoutes, Ipv6DefaultRoute) {
  const auto r = parse_ip_routes(fixture("ip_j_6_route_default.json"));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->size(), 4u);
  EXPECT_EQ((*r)[0].dst, "fd00:2::/64");
  EXPECT_EQ((*r)[3].dst, "default");
  EXPECT_EQ((*r)[3].gateway, "fd00:2::1");
  EXPECT_TRUE(has_default_route(*r));
}

TEST(LinuxSystemParsersRoutes, MultipathGivesOneEntryPerNexthop) {
  // Shape of iproute2's JSON for `ip route add default nexthop via A dev X nexthop via B dev Y`.
  const auto r = parse_ip_routes(
      R"([{"dst":"default","flags":[],"nexthops":[{"gateway":"198.18.2.1","dev":"eth0",)"
      R"("weight":1,"flags":[]},{"gateway":"198.18.8.1","dev":"mgmt0","weight":1,"flags":[]}]},)"
      R"({"dst":"fd00::1","dev":"eth0","flags":[]}])");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[0].gateway, "198.18.2.1");
  EXPECT_EQ((*r)[1].gateway, "198.18.8.1");
  EXPECT_EQ((*r)[1].dev, "mgmt0");
  EXPECT_EQ((*r)[2].dst, "fd00::1/128");
  EXPECT_TRUE(has_default_route(*r));
}

TEST(LinuxSystemParsersRoutes, RefusesWhatIsNotItsJsonAndSkipsEntriesWithoutDst) {
  EXPECT_FALSE(parse_ip_routes("default via 198.18.2.1 dev eth0"));
  EXPECT_FALSE(parse_ip_routes(R"({"dst":"default"})"));
  EXPECT_FALSE(parse_ip_routes(""));
  const auto r = parse_ip_routes(R"([{"gateway":"198.18.2.1"},{"dst":5},7,{"dst":"0.0.0.0/0"}])");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->size(), 1u);
  EXPECT_TRUE(has_default_route(*r));
  EXPECT_FALSE(has_default_route({}));
  EXPECT_FALSE(has_default_route({{"default", "", "", "blackhole"}}));
}

// --- chronyc -n sources ------------------------------------------------------------------------

TEST(LinuxSystemParsersChrony, ReadsSourcesWithTheirState) {
  const auto s = parse_chronyc_sources(fixture("chronyc_sources.txt"));
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[0].address, "198.18.5.20");
  EXPECT_EQ(s[0].mode, "server");
  EXPECT_EQ(s[0].state, "synced");
  EXPECT_EQ(s[0].stratum, 8);
  EXPECT_EQ(s[1].address, "198.18.5.21");
  EXPECT_EQ(s[1].state, "combined");
  EXPECT_EQ(s[2].address, "198.18.5.99");
  EXPECT_EQ(s[2].state, "unusable");
  EXPECT_EQ(s[2].stratum, 0);
}

TEST(LinuxSystemParsersChrony, VerboseLegendIsSkipped) {
  const auto s = parse_chronyc_sources(fixture("chronyc_sources_verbose.txt"));
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[0].state, "synced");
  EXPECT_EQ(s[2].address, "198.18.5.99");
}

TEST(LinuxSystemParsersChrony, EveryModeAndStateAndMalformedLines) {
  const auto s = parse_chronyc_sources(
      "=- 198.18.5.30                  3   6   377    12   +1ms[+1ms] +/- 5ms\n"
      "#x PPS0                         0   4   377    10   +1ns[+1ns] +/- 1ns\n"
      "^~ 198.18.5.31                  2   6   377    12   +1ms[+1ms] +/- 5ms\r\n"
      "^! 198.18.5.32                  2   6   377    12   +1ms[+1ms] +/- 5ms\n"  // unknown state
      "*^ 198.18.5.33                  2   6   377    12   +1ms[+1ms] +/- 5ms\n"  // swapped
      "^* 198.18.5.34                  two\n"                                     // bad stratum
      "^*\n"
      "210 Number of sources = 3\n");
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[0].mode, "peer");
  EXPECT_EQ(s[0].state, "not_combined");
  EXPECT_EQ(s[1].mode, "refclock");
  EXPECT_EQ(s[1].state, "falseticker");
  EXPECT_EQ(s[1].address, "PPS0");
  EXPECT_EQ(s[2].state, "too_variable");
  EXPECT_EQ(s[2].stratum, 2);
}

TEST(LinuxSystemParsersChrony, NoSources) {
  EXPECT_TRUE(parse_chronyc_sources("MS Name/IP address         Stratum Poll Reach LastRx Last "
                                    "sample\n=========================\n")
                  .empty());
  EXPECT_TRUE(parse_chronyc_sources("").empty());
}

// --- timesyncd ---------------------------------------------------------------------------------

TEST(LinuxSystemParsersTimesyncd, ReadsShowTimesync) {
  const auto t = parse_timesyncd(fixture("timedatectl_show_timesync.txt"));
  EXPECT_EQ(t.system, (strings{"198.18.5.20", "198.18.5.21"}));
  EXPECT_TRUE(t.link.empty());
  EXPECT_TRUE(t.runtime.empty());
  EXPECT_EQ(t.fallback, strings{"198.18.5.99"});
  EXPECT_EQ(t.current, "198.18.5.20");
  EXPECT_EQ(timesyncd_effective_servers(t), (strings{"198.18.5.20", "198.18.5.21"}));
}

TEST(LinuxSystemParsersTimesyncd, ReadsConfigurationFileAndDropIn) {
  const auto conf = parse_timesyncd(fixture("timesyncd.conf"));
  EXPECT_EQ(conf.system, (strings{"198.18.5.20", "198.18.5.21"}));
  EXPECT_TRUE(conf.fallback.empty());  // the Debian default is a comment
  EXPECT_EQ(conf.current, "");
  const auto both =
      parse_timesyncd(fixture("timesyncd.conf") + fixture("timesyncd_dropin_lab.conf"));
  EXPECT_EQ(both.system, (strings{"198.18.5.20", "198.18.5.21"}));
  EXPECT_EQ(both.fallback, strings{"198.18.5.99"});
}

TEST(LinuxSystemParsersTimesyncd, AppendsResetsAndIgnoresOtherSections) {
  const auto t = parse_timesyncd(
      "[Time]\n"
      "NTP=10.0.0.1\n"
      "NTP=\n"  // clears
      "NTP=198.18.5.20  198.18.5.21\n"
      "NTP=ntp.lab\n"  // appends
      "; NTP=10.9.9.9\n"
      "[Other]\n"
      "NTP=10.8.8.8\n"
      "[Time]\r\n"
      "FallbackNTP=198.18.5.99\r\n"
      "garbage line\n");
  EXPECT_EQ(t.system, (strings{"198.18.5.20", "198.18.5.21", "ntp.lab"}));
  EXPECT_EQ(t.fallback, strings{"198.18.5.99"});
}

TEST(LinuxSystemParsersTimesyncd, FallbackIsUsedOnlyWithoutOtherServers) {
  const auto t = parse_timesyncd(
      "LinkNTPServers=198.18.2.1\nSystemNTPServers=\nRuntimeNTPServers=\n"
      "FallbackNTPServers=0.debian.pool.ntp.org 1.debian.pool.ntp.org\n");
  EXPECT_EQ(timesyncd_effective_servers(t), strings{"198.18.2.1"});
  const auto f = parse_timesyncd("FallbackNTPServers=0.debian.pool.ntp.org\n");
  EXPECT_EQ(timesyncd_effective_servers(f), strings{"0.debian.pool.ntp.org"});
  EXPECT_TRUE(timesyncd_effective_servers(parse_timesyncd("")).empty());
}

// --- ntp.conf ----------------------------------------------------------------------------------

TEST(LinuxSystemParsersNtp, ReadsDebianNtpsecDefaultPools) {
  const auto n = parse_ntp_conf(fixture("ntp.conf"));
  ASSERT_EQ(n.size(), 4u);  // "# server time.cloudflare.com nts" is a comment
  EXPECT_EQ(n[0].kind, "pool");
  EXPECT_EQ(n[0].address, "0.debian.pool.ntp.org");
  EXPECT_EQ(n[3].address, "3.debian.pool.ntp.org");
}

TEST(LinuxSystemParsersNtp, ServerPeerAndAddressFamilyFlags) {
  const auto n = parse_ntp_conf(
      "server 198.18.5.20 iburst prefer # bastion\n"
      "  server -4 dc01.prod.example iburst\n"
      "peer -6 fd00:5::20\r\n"
      "refclock shm unit 0\n"
      "restrict default kod nomodify\n"
      "server\n"
      "server -4\n"
      "servers 10.0.0.1\n"
      "#server 10.9.9.9\n");
  ASSERT_EQ(n.size(), 3u);
  EXPECT_EQ(n[0].kind, "server");
  EXPECT_EQ(n[0].address, "198.18.5.20");
  EXPECT_EQ(n[1].address, "dc01.prod.example");
  EXPECT_EQ(n[2].kind, "peer");
  EXPECT_EQ(n[2].address, "fd00:5::20");
}

// --- findmnt -J -T -----------------------------------------------------------------------------

TEST(LinuxSystemParsersFindmnt, ReadsXfsRepositoryMount) {
  const auto m = parse_findmnt(fixture("findmnt_xfs.json"));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->target, "/srv/backup-repo");
  EXPECT_EQ(m->source, "/dev/loop0");
  EXPECT_EQ(m->fstype, "xfs");
  EXPECT_EQ(m->options, (strings{"rw", "nosuid", "nodev", "noatime", "inode64", "logbufs=8",
                                 "logbsize=32k", "noquota"}));
}

TEST(LinuxSystemParsersFindmnt, ReadsExt4Root) {
  const auto m = parse_findmnt(fixture("findmnt_ext4_root.json"));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->target, "/");
  EXPECT_EQ(m->fstype, "ext4");
  ASSERT_EQ(m->options.size(), 6u);
  EXPECT_EQ(m->options[5], "resgid=65534");
}

TEST(LinuxSystemParsersFindmnt, QuotedOptionsAndRefusals) {
  const auto m =
      parse_findmnt(R"({"filesystems":[{"target":"/r","source":"/dev/sdb1","fstype":"xfs",)"
                    R"("options":"ro,context=\"system_u:object_r:x,s0:c1,c2\",nodev"}]})");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->options, (strings{"ro", "context=\"system_u:object_r:x,s0:c1,c2\"", "nodev"}));
  EXPECT_FALSE(parse_findmnt("TARGET SOURCE FSTYPE OPTIONS\n/ /dev/vda ext4 rw"));
  EXPECT_FALSE(parse_findmnt(R"({"filesystems":[]})"));
  EXPECT_FALSE(parse_findmnt(R"({"filesystems":[{"target":"/","fstype":"ext4"}]})"));
  EXPECT_FALSE(parse_findmnt(R"([{"target":"/","source":"/dev/vda","fstype":"ext4"}])"));
  EXPECT_FALSE(parse_findmnt(""));
  const auto no_options =
      parse_findmnt(R"({"filesystems":[{"target":"/","source":"/dev/vda","fstype":"ext4"}]})");
  ASSERT_TRUE(no_options);
  EXPECT_TRUE(no_options->options.empty());
}

// --- xfs_info ----------------------------------------------------------------------------------

TEST(LinuxSystemParsersXfsInfo, ReflinkOnAndOff) {
  EXPECT_EQ(parse_xfs_reflink(fixture("xfs_info_reflink.txt")), std::optional<bool>(true));
  EXPECT_EQ(parse_xfs_reflink(fixture("xfs_info_noreflink.txt")), std::optional<bool>(false));
}

TEST(LinuxSystemParsersXfsInfo, NoReflinkField) {
  EXPECT_FALSE(parse_xfs_reflink(""));
  EXPECT_FALSE(parse_xfs_reflink("xfs_info: /srv is not a mounted XFS filesystem\n"));
  EXPECT_FALSE(parse_xfs_reflink("         =   reflink=yes  bigtime=1\n"));
}

// --- lsattr ------------------------------------------------------------------------------------

TEST(LinuxSystemParsersLsattr, ImmutableBackupFiles) {
  const auto a = parse_lsattr(fixture("lsattr_immutable.txt"));
  ASSERT_EQ(a.size(), 3u);
  EXPECT_EQ(a[0].path, "Job-PACS/Job-PACSD2026-11-27T220014_5F3A.vbk");
  EXPECT_EQ(a[0].flags, "----i-----------------");
  EXPECT_TRUE(a[0].immutable);
  EXPECT_FALSE(a[0].append_only);
  EXPECT_EQ(a[2].path, "Job-EHR/Job-EHR 2026-11-28T213001_0B77.vbk");  // a name with a space
  EXPECT_TRUE(a[2].immutable);
}

TEST(LinuxSystemParsersLsattr, MutableAndMixed) {
  const auto m = parse_lsattr(fixture("lsattr_mutable.txt"));
  ASSERT_EQ(m.size(), 4u);
  for (const auto& f : m)
    EXPECT_FALSE(f.immutable) << f.path;
  const auto x = parse_lsattr(fixture("lsattr_mixed.txt"));
  ASSERT_EQ(x.size(), 3u);
  EXPECT_EQ(x[0].path, "Job-PACS/Job-PACS.vbm");
  EXPECT_FALSE(x[0].immutable);
  EXPECT_TRUE(x[1].immutable);
  EXPECT_TRUE(x[2].immutable);
}

TEST(LinuxSystemParsersLsattr, RecursiveOutputSkipsDirectoryHeaders) {
  const auto r = parse_lsattr(fixture("lsattr_recursive.txt"));
  ASSERT_EQ(r.size(), 6u);  // 2 directories and 4 files
  EXPECT_EQ(r[0].path, "/srv/backup-repo/backups/Job-PACS");
  EXPECT_FALSE(r[0].immutable);
  EXPECT_EQ(r[1].path, "/srv/backup-repo/backups/Job-PACS/Job-PACSD2026-11-27T220014_5F3A.vbk");
  EXPECT_TRUE(r[1].immutable);
  EXPECT_EQ(r[5].path, "/srv/backup-repo/backups/Job-EHR/Job-EHR 2026-11-28T213001_0B77.vbk");
}

TEST(LinuxSystemParsersLsattr, ErrorLinesAreSkipped) {
  const auto e = parse_lsattr(fixture("lsattr_errors.txt"));
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].path, "/tmp/cfx/plain");
  EXPECT_EQ(e[0].flags, "--------------e-------");
  EXPECT_FALSE(e[0].immutable);
}

TEST(LinuxSystemParsersLsattr, AppendOnlyAndMalformed) {
  const auto a = parse_lsattr(
      "-----a---------------- /srv/r/log.vib\r\n"
      "----ia---------------- /srv/r/both.vbk\n"
      "Immutable /srv/r/x\n"      // no '-': not a flags field (e.g. lsattr -l output)
      "--i- \n"                   // no path
      "----i-----------------\n"  // no path
      "--*-i---------------- /srv/r/y\n"
      "\n");
  ASSERT_EQ(a.size(), 2u);
  EXPECT_TRUE(a[0].append_only);
  EXPECT_FALSE(a[0].immutable);
  EXPECT_TRUE(a[1].append_only);
  EXPECT_TRUE(a[1].immutable);
}

TEST(LinuxSystemParsersLsattr, ReadsTheOutputAgainstThePathsItWasGiven) {
  const strings paths{"/srv/backup-repo/backups/Job-PACS/Job-PACSD2026-11-28T220009_9C21.vib",
                      "/srv/backup-repo/backups/Job-EHR/Job-EHR 2026-11-28T213001_0B77.vbk",
                      "/srv/backup-repo/backups/Job-PACS/Job-PACSD2026-11-24T220010_0024.vib"};
  const auto a = lsattr_of(fixture("lsattr_dashdash.txt"), paths);
  ASSERT_EQ(a.size(), 3u);
  ASSERT_TRUE(a[0] && a[1] && a[2]);
  EXPECT_TRUE(a[0]->immutable);
  EXPECT_EQ(a[1]->path, paths[1]);
  EXPECT_TRUE(a[1]->immutable);
  EXPECT_FALSE(a[2]->immutable);
  EXPECT_EQ(a[2]->flags, "----------------------");
}

TEST(LinuxSystemParsersLsattr, PathsWithNewlinesAreMatchedWhole) {
  const auto newest = newest_files(parse_find_mtimes(fixture("find_printf_backups.bin")), 10);
  strings paths;
  for (const auto& f : newest)
    paths.push_back(f.path);
  const auto a = lsattr_of(fixture("lsattr_newest.txt"), paths);
  ASSERT_EQ(a.size(), 10u);
  for (std::size_t i = 0; i < a.size(); ++i) {
    ASSERT_TRUE(a[i]) << paths[i];
    EXPECT_EQ(a[i]->immutable, i != 7) << paths[i];  // ..._0024.vib is the mutable one
  }
  EXPECT_EQ(a[5]->path, "/srv/backup-repo/backups/Job-EHR/odd\nname.vib");
}

TEST(LinuxSystemParsersLsattr, AFileLsattrCouldNotReadHasNoAttributes) {
  const strings paths{"/srv/r/a.vbk", "/srv/r/b.vib", "/srv/r/c.vib"};
  // b's line went to stderr (e.g. permission denied); c's line names another file
  const auto a = lsattr_of("----i----- /srv/r/a.vbk\n----i----- /srv/r/c.vibX\n", paths);
  ASSERT_EQ(a.size(), 3u);
  EXPECT_TRUE(a[0] && a[0]->immutable);
  EXPECT_FALSE(a[1]);
  EXPECT_FALSE(a[2]);
  const auto denied =
      lsattr_of(fixture("lsattr_permission_denied.txt"), {"/srv/backup-repo/backups/Job-PACS/"
                                                          "Job-PACSD2026-11-28T220009_9C21.vib"});
  ASSERT_EQ(denied.size(), 1u);
  EXPECT_FALSE(denied[0]);
  EXPECT_TRUE(lsattr_of("", {}).empty());
}

// --- find -printf '%T@\t%p\0' --------------------------------------------------------------------

TEST(LinuxSystemParsersFind, ReadsNulTerminatedRecords) {
  const auto f = parse_find_mtimes(fixture("find_printf_backups.bin"));
  ASSERT_EQ(f.size(), 12u);
  EXPECT_EQ(f[0].path, "/srv/backup-repo/backups/Job-PACS/Job-PACSD2026-11-20T220011_1A2B.vbk");
  EXPECT_DOUBLE_EQ(f[0].mtime, 1795213867.0);
  EXPECT_EQ(f[0].mtime_utc, "2026-11-20T22:31:07Z");
  EXPECT_EQ(f[11].path, "/srv/backup-repo/backups/Job-EHR/odd\nname.vib");
}

TEST(LinuxSystemParsersFind, SelectsTheNewestFiles) {
  const auto n = newest_files(parse_find_mtimes(fixture("find_printf_backups.bin")), 10);
  ASSERT_EQ(n.size(), 10u);
  EXPECT_EQ(n[0].path, "/srv/backup-repo/backups/Job-PACS/Job-PACSD2026-11-28T220009_9C21.vib");
  EXPECT_EQ(n[0].mtime_utc, "2026-11-28T22:14:55Z");
  EXPECT_EQ(n[1].path, "/srv/backup-repo/backups/Job-EHR/Job-EHR 2026-11-28T213001_0B77.vbk");
  EXPECT_EQ(n[9].path, "/srv/backup-repo/backups/Job-PACS/Job-PACSD2026-11-22T220010_0022.vib");
  for (std::size_t i = 1; i < n.size(); ++i)
    EXPECT_GE(n[i - 1].mtime, n[i].mtime);
  EXPECT_EQ(newest_files(parse_find_mtimes(fixture("find_printf_backups.bin")), 50).size(), 12u);
  EXPECT_TRUE(newest_files({}, 10).empty());
}

TEST(LinuxSystemParsersFind, EqualTimesByPathAndBrokenRecordsSkipped) {
  using namespace std::string_literals;
  const auto f = parse_find_mtimes(
      "1795904095.5\t/r/b.vib\0"s
      "1795904095.5\t/r/a.vib\0"s
      "notatime\t/r/x.vib\0"s
      "1795904095\0"s               // no tab
      "17959\t\0"s                  // no path
      "1795904099.0\t/r/cut.vi"s);  // cut at the cap: no NUL
  ASSERT_EQ(f.size(), 2u);
  const auto n = newest_files(f, 1);
  ASSERT_EQ(n.size(), 1u);
  EXPECT_EQ(n[0].path, "/r/a.vib");
  EXPECT_TRUE(parse_find_mtimes("").empty());
}

// Found by tests/fuzz/host_outputs (regressions/host_outputs/crash-3f99…): an mtime beyond a
// time_t (or NaN, infinite) was cast to one (undefined behaviour: UBSan stops the sanitizer build
// here) and NaN would have broken newest_files' ordering.
TEST(LinuxSystemParsersFind, TimesATimeTCannotHoldAreSkipped) {
  using namespace std::string_literals;
  const auto f = parse_find_mtimes(
      "179521386700000000000\t/r/far.vbk\0"s
      "nan\t/r/nan.vbk\0"s
      "inf\t/r/inf.vbk\0"s
      "-1e300\t/r/past.vbk\0"s
      "1795213867.5\t/r/ok.vbk\0"s);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].path, "/r/ok.vbk");
}

// --- systemd-detect-virt -----------------------------------------------------------------------

TEST(LinuxSystemParsersDetectVirt, RealOutputs) {
  EXPECT_EQ(parse_detect_virt(fixture("detect_virt_kvm.txt")), std::optional<std::string>("kvm"));
  EXPECT_EQ(parse_detect_virt(fixture("detect_virt_docker.txt")),
            std::optional<std::string>("docker"));
}

TEST(LinuxSystemParsersDetectVirt, OtherIdentifiersAndRefusals) {
  EXPECT_EQ(parse_detect_virt("none\n"), std::optional<std::string>("none"));
  EXPECT_EQ(parse_detect_virt("microsoft\r\n"), std::optional<std::string>("microsoft"));
  EXPECT_EQ(parse_detect_virt("vm-other"), std::optional<std::string>("vm-other"));
  EXPECT_EQ(parse_detect_virt("systemd-nspawn\n"), std::optional<std::string>("systemd-nspawn"));
  EXPECT_FALSE(parse_detect_virt(""));
  EXPECT_FALSE(parse_detect_virt("\nkvm\n"));
  EXPECT_FALSE(parse_detect_virt("VMware\n"));
  EXPECT_FALSE(parse_detect_virt("bash: systemd-detect-virt: command not found\n"));
}

}  // namespace
}  // namespace cloison
