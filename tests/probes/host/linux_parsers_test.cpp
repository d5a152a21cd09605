#include "probes/host/linux_parsers.h"
#include "tests/support.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace cloison {
namespace {

using strings = std::vector<std::string>;

std::string fixture(const std::string& name) {
  return testing::fixture_text("host/" + name);
}

// --- sshd -T ---------------------------------------------------------------------------------

TEST(LinuxParsersSshd, ReadsDebian12EffectiveConfiguration) {
  const auto s = parse_sshd_effective(fixture("sshd_T_debian12_default.txt"));
  ASSERT_EQ(s.count("passwordauthentication"), 1u);
  EXPECT_EQ(s.at("passwordauthentication"), strings{"yes"});
  EXPECT_EQ(s.at("permitrootlogin"), strings{"without-password"});
  EXPECT_EQ(s.at("pubkeyauthentication"), strings{"yes"});
  EXPECT_EQ(s.at("kbdinteractiveauthentication"), strings{"no"});
  EXPECT_EQ(s.at("port"), strings{"22"});
}

TEST(LinuxParsersSshd, KeepsRepeatedKeywordsInOutputOrder) {
  const auto s = parse_sshd_effective(fixture("sshd_T_debian12_default.txt"));
  EXPECT_EQ(s.at("hostkey"), (strings{"/etc/ssh/ssh_host_rsa_key", "/etc/ssh/ssh_host_ecdsa_key",
                                      "/etc/ssh/ssh_host_ed25519_key"}));
  EXPECT_EQ(s.at("listenaddress"), (strings{"[::]:22", "0.0.0.0:22"}));
  EXPECT_EQ(s.at("acceptenv"), (strings{"LANG", "LC_*"}));
}

TEST(LinuxParsersSshd, JoinsMultiWordValuesWithSingleSpaces) {
  const auto s = parse_sshd_effective(fixture("sshd_T_debian12_default.txt"));
  EXPECT_EQ(s.at("subsystem"), strings{"sftp /usr/lib/openssh/sftp-server"});
  EXPECT_EQ(s.at("authorizedkeysfile"), strings{".ssh/authorized_keys .ssh/authorized_keys2"});
  EXPECT_EQ(s.at("rekeylimit"), strings{"0 0"});

  const auto inline_text = parse_sshd_effective("subsystem   sftp\t\t/usr/lib/sftp  \n");
  EXPECT_EQ(inline_text.at("subsystem"), strings{"sftp /usr/lib/sftp"});
}

TEST(LinuxParsersSshd, LowercasesKeywordsButNotValues) {
  const auto s = parse_sshd_effective("PasswordAuthentication No\nLogLevel VERBOSE\n");
  EXPECT_EQ(s.count("PasswordAuthentication"), 0u);
  EXPECT_EQ(s.at("passwordauthentication"), strings{"No"});
  EXPECT_EQ(s.at("loglevel"), strings{"VERBOSE"});
}

TEST(LinuxParsersSshd, EmptyTextAndBlankLines) {
  EXPECT_TRUE(parse_sshd_effective("").empty());
  EXPECT_TRUE(parse_sshd_effective("\n\n   \n\t\n").empty());
  const auto s = parse_sshd_effective("\n\nport 2222\n\n");
  EXPECT_EQ(s.size(), 1u);
  EXPECT_EQ(s.at("port"), strings{"2222"});
}

TEST(LinuxParsersSshd, KeywordWithoutValueGivesEmptyValue) {
  const auto s = parse_sshd_effective("banner\n");
  EXPECT_EQ(s.at("banner"), strings{""});
}

TEST(LinuxParsersSshd, LastLineWithoutNewlineIsRead) {
  const auto s = parse_sshd_effective("port 22\npermitrootlogin no");
  EXPECT_EQ(s.at("permitrootlogin"), strings{"no"});
}

TEST(LinuxParsersSshd, CrlfLineEndingsAreTreatedAsWhitespace) {
  const auto s = parse_sshd_effective("permitrootlogin no\r\npasswordauthentication yes\r\n");
  EXPECT_EQ(s.at("permitrootlogin"), strings{"no"});
  EXPECT_EQ(s.at("passwordauthentication"), strings{"yes"});
}

// --- nsswitch.conf ---------------------------------------------------------------------------

TEST(LinuxParsersNsswitch, ReadsDebian12Default) {
  const auto n = parse_nsswitch(fixture("nsswitch_debian12_default.conf"));
  EXPECT_EQ(n.at("passwd"), (strings{"files", "systemd"}));
  EXPECT_EQ(n.at("group"), (strings{"files", "systemd"}));
  EXPECT_EQ(n.at("shadow"), (strings{"files", "systemd"}));
  EXPECT_EQ(n.at("hosts"), (strings{"files", "dns"}));
  EXPECT_EQ(n.at("protocols"), (strings{"db", "files"}));
  EXPECT_EQ(n.at("netgroup"), strings{"nis"});
  EXPECT_EQ(n.size(), 11u);  // the comment lines are no databases
}

TEST(LinuxParsersNsswitch, DropsActionItemsOfSssdJoinedHost) {
  const auto n = parse_nsswitch(fixture("nsswitch_sssd_joined.conf"));
  EXPECT_EQ(n.at("hosts"), (strings{"files", "mdns4_minimal", "dns"}));
  EXPECT_EQ(n.at("passwd"), (strings{"files", "systemd", "sss"}));
  EXPECT_EQ(n.at("group"), (strings{"files", "systemd", "sss"}));
  EXPECT_EQ(n.at("gshadow"), strings{"files"});
  EXPECT_EQ(n.at("sudoers"), (strings{"files", "sss"}));
  EXPECT_EQ(n.at("automount"), strings{"sss"});
}

TEST(LinuxParsersNsswitch, DropsMultiWordActionItems) {
  const auto n = parse_nsswitch(
      "hosts: files [NOTFOUND=return  UNAVAIL=continue] dns [!SUCCESS=return] mdns\n");
  EXPECT_EQ(n.at("hosts"), (strings{"files", "dns", "mdns"}));
}

TEST(LinuxParsersNsswitch, StripsTrailingComments) {
  const auto n = parse_nsswitch("passwd: files ldap # ldap added by ops\n#group: files ldap\n");
  EXPECT_EQ(n.at("passwd"), (strings{"files", "ldap"}));
  EXPECT_EQ(n.count("group"), 0u);
}

TEST(LinuxParsersNsswitch, SkipsLinesWithoutColonOrWithSeveralWordsBeforeIt) {
  const auto n = parse_nsswitch("passwd files\npass wd: files\ngroup: files\n");
  EXPECT_EQ(n.size(), 1u);
  EXPECT_EQ(n.at("group"), strings{"files"});
}

TEST(LinuxParsersNsswitch, DatabaseWithoutSourcesHasEmptyList) {
  const auto n = parse_nsswitch("passwd:\n");
  ASSERT_EQ(n.count("passwd"), 1u);
  EXPECT_TRUE(n.at("passwd").empty());
}

TEST(LinuxParsersNsswitch, EmptyText) {
  EXPECT_TRUE(parse_nsswitch("").empty());
}

TEST(LinuxParsersNsswitch, CrlfLineEndingsAreTreatedAsWhitespace) {
  const auto n = parse_nsswitch("passwd: files sss\r\ngroup: files\r\n");
  EXPECT_EQ(n.at("passwd"), (strings{"files", "sss"}));
  EXPECT_EQ(n.at("group"), strings{"files"});
}

// --- getent passwd ---------------------------------------------------------------------------

std::vector<std::string> uid0_names(const std::vector<passwd_entry>& entries) {
  std::vector<std::string> names;
  for (const auto& e : entries) {
    if (e.uid == 0)
      names.push_back(e.name);
  }
  return names;
}

TEST(LinuxParsersPasswd, ReadsDebian12Accounts) {
  const auto p = parse_passwd(fixture("getent_passwd_debian12.txt"));
  ASSERT_EQ(p.size(), 25u);
  EXPECT_EQ(p.front().name, "root");
  EXPECT_EQ(p.front().uid, 0);
  EXPECT_EQ(p.front().gid, 0);
  EXPECT_EQ(p.front().home, "/root");
  EXPECT_EQ(p.front().shell, "/bin/bash");
  EXPECT_EQ(p.back().name, "sshd");
  EXPECT_EQ(p.back().uid, 102);
  EXPECT_EQ(p.back().gid, 65534);
  EXPECT_EQ(p.back().home, "/run/sshd");
  EXPECT_EQ(p.back().shell, "/usr/sbin/nologin");
  EXPECT_EQ(uid0_names(p), strings{"root"});
}

TEST(LinuxParsersPasswd, KeepsGecosWithCommasOutOfTheWay) {
  const auto p = parse_passwd(fixture("getent_passwd_debian12.txt"));
  const auto it =
      std::find_if(p.begin(), p.end(), [](const auto& e) { return e.name == "postgres"; });
  ASSERT_NE(it, p.end());
  EXPECT_EQ(it->uid, 101);
  EXPECT_EQ(it->gid, 104);
  EXPECT_EQ(it->home, "/var/lib/postgresql");
  EXPECT_EQ(it->shell, "/bin/bash");
}

TEST(LinuxParsersPasswd, FindsSecondUid0Account) {
  const auto p = parse_passwd(fixture("getent_passwd_second_uid0.txt"));
  ASSERT_EQ(p.size(), 26u);
  EXPECT_EQ(uid0_names(p), (strings{"root", "toor"}));
  EXPECT_EQ(p.back().home, "/root");
}

TEST(LinuxParsersPasswd, SkipsLinesWithoutSevenFields) {
  const auto p = parse_passwd(
      "short:x:0:0:root:/root\n"               // 6 fields
      "long:x:0:0:root:/root:/bin/sh:extra\n"  // 8 fields
      "\n"
      "ok:x:5:6::/home/ok:/bin/sh\n");
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].name, "ok");
  EXPECT_EQ(p[0].uid, 5);
  EXPECT_EQ(p[0].gid, 6);
}

TEST(LinuxParsersPasswd, SkipsNonNumericIdsAndEmptyNames) {
  const auto p = parse_passwd(
      "evil:x:0x0:0::/root:/bin/sh\n"
      "blank:x::0::/root:/bin/sh\n"
      "words:x:zero:0::/root:/bin/sh\n"
      "badgid:x:0:root::/root:/bin/sh\n"
      "space:x: 0:0::/root:/bin/sh\n"
      ":x:0:0::/root:/bin/sh\n"
      "good:x:0:0::/root:/bin/sh\n");
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].name, "good");
}

TEST(LinuxParsersPasswd, EmptyText) {
  EXPECT_TRUE(parse_passwd("").empty());
  EXPECT_TRUE(parse_passwd("\n\n").empty());
}

TEST(LinuxParsersPasswd, CrlfLineEndingsAreStripped) {
  const auto p = parse_passwd("root:x:0:0:root:/root:/bin/sh\r\ntoor:x:0:0::/root:/bin/sh\r\n");
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(uid0_names(p), (strings{"root", "toor"}));
  EXPECT_EQ(p[0].home, "/root");
  EXPECT_EQ(p[0].shell, "/bin/sh");
}

// --- resolv.conf -----------------------------------------------------------------------------

TEST(LinuxParsersResolv, ReadsLabBackupNameservers) {
  EXPECT_EQ(parse_resolv_nameservers(fixture("resolv_lab_backup.conf")),
            (strings{"198.18.5.10", "198.18.5.11"}));
}

TEST(LinuxParsersResolv, IgnoresCommentsAndIncompleteLines) {
  const auto ns = parse_resolv_nameservers(
      "# nameserver 10.9.9.9\n"
      "; nameserver 10.8.8.8\n"
      "nameserver\n"
      "  nameserver   2001:db8::53   # v6\n"
      "nameserver 10.0.0.53;old\n"
      "nameservers 10.7.7.7\n"
      "search nameserver\n");
  EXPECT_EQ(ns, (strings{"2001:db8::53", "10.0.0.53"}));
}

TEST(LinuxParsersResolv, EmptyText) {
  EXPECT_TRUE(parse_resolv_nameservers("").empty());
}

TEST(LinuxParsersResolv, CrlfLineEndings) {
  EXPECT_EQ(parse_resolv_nameservers("nameserver 10.0.0.1\r\nnameserver 10.0.0.2\r\n"),
            (strings{"10.0.0.1", "10.0.0.2"}));
}

}  // namespace
}  // namespace cloison

namespace cloison {
namespace {

TEST(LinuxParsersIpAddr, ReadsEveryAddressOfTheRealOutput) {
  const auto a = parse_ip_addresses(fixture("ip_j_addr_backup_dualhomed.json"));
  ASSERT_TRUE(a);
  ASSERT_EQ(a->size(), 9u);
  EXPECT_EQ((*a)[3].interface, "eth0");
  EXPECT_EQ((*a)[3].address, "198.18.2.10");
  EXPECT_EQ((*a)[3].prefix, 24u);
  EXPECT_EQ((*a)[6].address, "198.18.1.20");
  EXPECT_EQ((*a)[7].address, "fd00:1::20");
  EXPECT_EQ((*a)[7].prefix, 64u);
  EXPECT_EQ((*a)[7].scope, "global");
  EXPECT_EQ((*a)[0].scope, "host");
  EXPECT_EQ((*a)[8].scope, "link");
}

TEST(LinuxParsersIpAddr, RefusesWhatIsNotItsJson) {
  EXPECT_FALSE(parse_ip_addresses("1: lo: <LOOPBACK,UP> mtu 65536"));
  EXPECT_FALSE(parse_ip_addresses("{\"ifname\": \"lo\"}"));
  EXPECT_FALSE(parse_ip_addresses(""));
  // Entries without the expected fields are skipped, not guessed.
  const auto a =
      parse_ip_addresses(R"([{"ifname":"x","addr_info":[{"local":"10.0.0.1"}]},{"addr_info":[]}])");
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->empty());
}

}  // namespace
}  // namespace cloison
