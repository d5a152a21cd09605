#include "probes/host/host_probe.h"
#include "agent/config/embedded_policies.h"
#include "agent/config/policy_loader.h"
#include "agent/engine/evaluator.h"
#include "agent/evidence/agent_key.h"
#include "probes/host/collected_evidence.h"
#include "probes/host/linux_facts.h"
#include "probes/host/linux_system_parsers.h"
#include "probes/host/windows_commands.h"
#include "probes/registry.h"
#include "tests/support.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include <map>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace cloison {
namespace {

using namespace std::chrono_literals;

std::string fixture(const std::string& name) {
  return testing::fixture_text("host/" + name);
}

std::string joined(const std::vector<std::string>& argv) {
  std::string s;
  for (const auto& a : argv)
    s += (s.empty() ? "" : " ") + a;
  return s;
}

command_result ran(std::string out) {
  command_result r;
  r.outcome = outcome::ok;
  r.exit_code = 0;
  r.out = std::move(out);
  return r;
}

// Answers each command (keyed by its argv joined with spaces: two commands start with `cat`)
// with a canned result; records every call.
class fake_runner final : public command_runner {
 public:
  struct call {
    std::vector<std::string> argv;
    deadline until;
    std::size_t cap;
  };

  std::map<std::string, command_result> answers;
  mutable std::vector<call> calls;

  command_result run(const std::vector<std::string>& argv, deadline until,
                     std::size_t cap) const override {
    calls.push_back({argv, until, cap});
    auto it = answers.find(joined(argv));
    if (it != answers.end())
      return it->second;
    command_result r;
    r.outcome = outcome::error;
    r.failure = argv.front() + ": not answered by the fake runner";
    return r;
  }
};

class throwing_runner final : public command_runner {
 public:
  command_result run(const std::vector<std::string>&, deadline, std::size_t) const override {
    throw std::runtime_error("runner exploded");
  }
};

// The files as `grep -r -H ^` prints them: every line prefixed by "path:".
std::string grep_format(const std::vector<std::pair<std::string, std::string>>& files) {
  std::string out;
  for (const auto& [path, name] : files) {
    std::istringstream in(fixture(name));
    for (std::string line; std::getline(in, line);)
      out += path + ":" + line + "\n";
  }
  return out;
}

const std::string kSysctlForwarding =
    "/usr/sbin/sysctl net.ipv4.ip_forward net.ipv6.conf.all.forwarding";

std::shared_ptr<fake_runner> debian12_runner(
    const std::string& passwd = "getent_passwd_debian12.txt",
    const std::string& nsswitch = "nsswitch_debian12_default.conf") {
  auto r = std::make_shared<fake_runner>();
  r->answers["/usr/sbin/sshd -T"] = ran(fixture("sshd_T_debian12_default.txt"));
  r->answers["cat /etc/nsswitch.conf"] = ran(fixture(nsswitch));
  r->answers["getent passwd"] = ran(fixture(passwd));
  r->answers["cat /etc/resolv.conf"] = ran(fixture("resolv_lab_backup.conf"));
  r->answers["ip -j addr show"] = ran(fixture("ip_j_addr_backup.json"));
  r->answers["ip -j route show"] = ran(fixture("system/ip_j_route_backup.json"));
  // procps 4.0.2's sysctl on the Debian 12 build machine (no forwarding)
  r->answers[kSysctlForwarding] = ran(fixture("sysctl_forwarding_debian12.txt"));
  r->answers["ss -H -tlnup"] = ran(fixture("system/ss_tlnup_backup.txt"));
  r->answers["/usr/sbin/nft list ruleset"] = ran(fixture("system/nft_ruleset_drop.txt"));
  command_result no_iptables;  // iptables is not installed: read as "not configured"
  no_iptables.outcome = outcome::error;
  no_iptables.failure = "/usr/sbin/iptables-save: No such file or directory";
  no_iptables.program_missing = true;
  r->answers["/usr/sbin/iptables-save"] = no_iptables;
  command_result none;  // a tool or file that does not exist on a standalone backup server
  none.outcome = outcome::ok;
  none.exit_code = 1;
  none.err = "cat: /etc/sssd/sssd.conf: No such file or directory\n";
  r->answers["cat /etc/chrony/chrony.conf"] = none;
  r->answers["cat /etc/systemd/timesyncd.conf"] = ran(fixture("system/timesyncd.conf"));
  r->answers["cat /etc/ntpsec/ntp.conf"] = none;
  r->answers["/usr/sbin/realm list"] = ran("");
  r->answers["cat /etc/sssd/sssd.conf"] = none;
  r->answers["cat /etc/krb5.conf"] = ran(fixture("identity/krb5_backup.conf"));
  r->answers["cat /etc/samba/smb.conf"] = ran(fixture("identity/smb_standalone.conf"));
  command_result no_keytab;
  no_keytab.outcome = outcome::ok;
  no_keytab.exit_code = 1;
  no_keytab.err = "klist: Key table file '/etc/krb5.keytab' not found while starting keytab scan\n";
  r->answers["/usr/bin/klist -k"] = no_keytab;
  r->answers["grep -r -H ^ /etc/pam.d"] =
      ran(grep_format({{"/etc/pam.d/sshd", "identity/pam_sshd_default"},
                       {"/etc/pam.d/common-auth", "identity/pam_common_auth_default"}}));
  r->answers["grep -r -H ^ /etc/sudoers /etc/sudoers.d"] =
      ran(grep_format({{"/etc/sudoers", "identity/sudoers_default"}}));
  r->answers["getent group"] = ran(fixture("identity/group_default"));
  command_result virt = ran("none\n");
  virt.exit_code = 1;  // systemd-detect-virt exits 1 when it prints "none"
  r->answers["systemd-detect-virt"] = virt;
  return r;
}

backup_host local_host(const std::string& name, const std::string& address) {
  backup_host h;
  h.name = name;
  h.addresses = {address};
  h.os = "linux";
  h.access = access_method::local;
  return h;
}

inventory one_host_inventory() {
  inventory inv;
  inv.source = "test";
  inv.hosts.push_back(local_host("backup-01", "198.18.5.20"));
  return inv;
}

// Every fact the host probe declares, by name.
std::vector<std::string> all_host_facts() {
  std::vector<std::string> names;
  for (const auto& spec : host_probe(std::make_shared<fake_runner>()).facts())
    names.emplace_back(spec.name);
  return names;
}

// The commands every Linux host runs (those with a fixed argv); those built from the inventory and
// earlier outputs (the repository's) run only where they apply.
std::size_t fixed_command_count() {
  const auto& commands = linux_host_table().commands;
  return std::count_if(commands.begin(), commands.end(),
                       [](const host_command& c) { return !c.argv_for; });
}

std::size_t all_command_count() {
  return linux_host_table().commands.size();
}

// Where the runner's calls hold command `id` on a host that runs them all: the fixed commands
// first, then the others, each in table order.
std::size_t call_of(std::string_view id) {
  std::size_t fixed = 0, built = 0;
  for (const auto& c : linux_host_table().commands) {
    if (c.id == id)
      return c.argv_for ? fixed_command_count() + built : fixed;
    ++(c.argv_for ? built : fixed);
  }
  ADD_FAILURE() << "no command " << id;
  return 0;
}

observation observe_with(std::shared_ptr<const command_runner> runner, const inventory& inv,
                         const std::string& host = "backup-01", const run_context& run = {}) {
  host_probe p(std::move(runner));
  return p.observe(inv, run, target{host, ""}, std::chrono::steady_clock::now() + 10s);
}

const fact& fact_of(const observation& obs, const std::string& name) {
  static const fact kAbsent = fact::missing("(absent from the observation)");
  auto it = obs.facts.find(name);
  EXPECT_NE(it, obs.facts.end()) << name;
  return it == obs.facts.end() ? kAbsent : it->second;
}

json value_of(const observation& obs, const std::string& name) {
  const auto& f = fact_of(obs, name);
  EXPECT_TRUE(f.value.has_value()) << name << ": " << f.error;
  return f.value.value_or(json());
}

const evidence* evidence_by_id(const observation& obs, const std::string& id) {
  for (const auto& e : obs.evidence) {
    if (e.id == id)
      return &e;
  }
  return nullptr;
}

TEST(HostProbe, DeclaresItsFacts) {
  host_probe p(std::make_shared<fake_runner>());
  EXPECT_EQ(p.name(), "host");
  std::vector<std::string> names;
  for (const auto& spec : p.facts()) {
    names.emplace_back(spec.name);
    EXPECT_FALSE(spec.description.empty()) << spec.name;
  }
  // each name once: the Linux table's, then the Windows-only ones, then the SSH channel's
  std::vector<std::string> expected;
  for (const auto* table : {&linux_host_table(), &windows_host_table()}) {
    for (const auto& spec : table->facts) {
      if (std::find(expected.begin(), expected.end(), spec.name) == expected.end())
        expected.emplace_back(spec.name);
    }
  }
  expected.emplace_back("host.ssh.host_key_pinned");
  EXPECT_EQ(names, expected);
  const auto type_of = [&](std::string_view name) {
    for (const auto& spec : p.facts()) {
      if (spec.name == name)
        return spec.type;
    }
    ADD_FAILURE() << "no fact " << name;
    return fact_type::text;
  };
  EXPECT_EQ(type_of("host.accounts.uid0"), fact_type::text_list);
  EXPECT_EQ(type_of("host.sshd.password_authentication"), fact_type::text);
  EXPECT_EQ(type_of("host.firewall.rule_count"), fact_type::integer);
  EXPECT_EQ(type_of("host.windows.smb1_enabled"), fact_type::boolean);
}

// Debian's sshd gives non-root accounts PATH=/usr/local/bin:/usr/bin:/bin:/usr/games: a program
// of /usr/sbin named without its path is "not found" over SSH (realm list then read as not
// installed, xfs_info failing). Every program the Linux table names by its name alone must be
// in /usr/bin or /bin wherever this machine has it.
TEST(HostProbe, ProgramsOutsideTheNonRootPathAreNamedByTheirPath) {
  for (const auto& c : linux_host_table().commands) {
    if (c.argv.empty() || c.argv[0].starts_with("/"))
      continue;
    const auto& name = c.argv[0];
    const bool in_sbin = std::filesystem::exists("/usr/sbin/" + name);
    const bool in_bin = std::filesystem::exists("/usr/bin/" + name);
    EXPECT_TRUE(!in_sbin || in_bin) << c.id << ": " << name << " lives in /usr/sbin";
  }
  const auto& commands = linux_host_table().commands;
  const auto realm = std::find_if(commands.begin(), commands.end(),
                                  [](const host_command& c) { return c.id == "realm-list"; });
  ASSERT_NE(realm, commands.end());
  EXPECT_EQ(realm->argv[0], "/usr/sbin/realm");
}

TEST(HostProbe, PlansOneTargetPerInventoryHost) {
  inventory inv;
  inv.hosts.push_back(local_host("backup-01", "198.18.5.20"));
  auto ssh = local_host("backup-02", "198.18.5.21");
  ssh.access = access_method::ssh;
  inv.hosts.push_back(ssh);
  auto win = local_host("veeam-01", "198.18.5.30");
  win.os = "windows";
  inv.hosts.push_back(win);

  host_probe p(std::make_shared<fake_runner>());
  const auto targets = p.plan(inv, run_context{});
  ASSERT_EQ(targets.size(), 3u);
  EXPECT_EQ(targets[0].name, "backup-01");
  EXPECT_EQ(targets[0].address, "198.18.5.20");
  EXPECT_EQ(targets[1].name, "backup-02");
  EXPECT_EQ(targets[1].address, "198.18.5.21");
  EXPECT_EQ(targets[2].name, "veeam-01");
  EXPECT_EQ(targets[2].address, "198.18.5.30");
  EXPECT_TRUE(p.plan(inventory{}, run_context{}).empty());
}

TEST(HostProbe, ReadsFactsOfDebian12Host) {
  auto runner = debian12_runner();
  const auto obs = observe_with(runner, one_host_inventory());
  EXPECT_EQ(to_string(obs.outcome), std::string_view("ok"));
  EXPECT_EQ(obs.detail, "");
  EXPECT_EQ(obs.probe, "host");
  EXPECT_EQ(obs.target, "backup-01");
  EXPECT_EQ(obs.facts.size(), all_host_facts().size());

  EXPECT_EQ(value_of(obs, "host.sshd.password_authentication"), json("yes"));
  EXPECT_EQ(value_of(obs, "host.sshd.permit_root_login"), json("without-password"));
  EXPECT_EQ(value_of(obs, "host.sshd.pubkey_authentication"), json("yes"));
  EXPECT_EQ(value_of(obs, "host.nsswitch.passwd_sources"), json::array({"files", "systemd"}));
  EXPECT_EQ(value_of(obs, "host.nsswitch.group_sources"), json::array({"files", "systemd"}));
  EXPECT_EQ(value_of(obs, "host.accounts.uid0"), json::array({"root"}));
  EXPECT_EQ(value_of(obs, "host.dns.nameservers"), json::array({"198.18.5.10", "198.18.5.11"}));
}

// `text` with its first `from` replaced by `to` (which must be there).
std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return at == std::string::npos ? text : text.replace(at, from.size(), to);
}

json forwarding_with(const std::string& sshd_output) {
  auto runner = debian12_runner();
  runner->answers["/usr/sbin/sshd -T"] = ran(sshd_output);
  return value_of(observe_with(runner, one_host_inventory()), "host.sshd.forwarding");
}

TEST(HostProbe, SshdForwardingIsWhatTheEffectiveSettingsAllow) {
  const auto debian = fixture("sshd_T_debian12_default.txt");
  // Debian 12's sshd: X11 (its sshd_config), TCP, Unix-socket and agent forwarding
  EXPECT_EQ(forwarding_with(debian),
            json::array({"x11forwarding yes", "allowtcpforwarding yes",
                         "allowstreamlocalforwarding yes", "allowagentforwarding yes"}));
  EXPECT_EQ(fact_of(observe_with(debian12_runner(), one_host_inventory()), "host.sshd.forwarding")
                .evidence,
            std::vector<std::string>{"host/backup-01/sshd-effective"});
  // OpenSSH 9.2p1 (Debian 12) sshd -T of the lab's backup sshd_config (tests/lab/lab
  // write_sshd_config, S=/run/cloison-lab): every forwarding off
  EXPECT_EQ(forwarding_with(fixture("sshd_T_lab_backup.txt")), json::array());
  // the same sshd with only `HostKey` and `DisableForwarding yes`: sshd -T still prints
  // allowtcpforwarding yes (and agent, Unix sockets), which DisableForwarding overrides
  const auto disabled = fixture("sshd_T_disableforwarding.txt");
  ASSERT_NE(disabled.find("\nallowtcpforwarding yes\n"), std::string::npos);
  EXPECT_EQ(forwarding_with(disabled), json::array());
  // ... but not tunnels
  EXPECT_EQ(forwarding_with(replaced(disabled, "permittunnel no", "permittunnel point-to-point")),
            json::array({"permittunnel point-to-point"}));
  // TCP forwarding counts in the directions PermitOpen / PermitListen leave open; GatewayPorts
  // only with remote forwarding
  const auto gateway = replaced(debian, "gatewayports no", "gatewayports clientspecified");
  const auto closed = replaced(replaced(gateway, "permitopen any", "permitopen none"),
                               "permitlisten any", "permitlisten none");
  EXPECT_EQ(forwarding_with(closed),
            json::array({"x11forwarding yes", "allowstreamlocalforwarding yes",
                         "allowagentforwarding yes"}));
  EXPECT_EQ(
      forwarding_with(replaced(gateway, "permitopen any", "permitopen none")),
      json::array({"x11forwarding yes", "allowtcpforwarding yes", "gatewayports clientspecified",
                   "allowstreamlocalforwarding yes", "allowagentforwarding yes"}));
  EXPECT_EQ(
      forwarding_with(replaced(gateway, "allowtcpforwarding yes", "allowtcpforwarding local")),
      json::array({"x11forwarding yes", "allowtcpforwarding local",
                   "allowstreamlocalforwarding yes", "allowagentforwarding yes"}));
  // a keyword sshd did not print: missing, never a default
  auto runner = debian12_runner();
  runner->answers["/usr/sbin/sshd -T"] = ran(replaced(debian, "allowagentforwarding yes\n", ""));
  const auto obs = observe_with(runner, one_host_inventory());
  const auto& f = fact_of(obs, "host.sshd.forwarding");
  EXPECT_FALSE(f.value);
  EXPECT_EQ(f.error, "not present in the command output");
}

TEST(HostProbe, ReportsSecondUid0Account) {
  const auto obs =
      observe_with(debian12_runner("getent_passwd_second_uid0.txt"), one_host_inventory());
  EXPECT_EQ(value_of(obs, "host.accounts.uid0"), json::array({"root", "toor"}));
}

TEST(HostProbe, ReadsSssdSources) {
  const auto obs =
      observe_with(debian12_runner("getent_passwd_debian12.txt", "nsswitch_sssd_joined.conf"),
                   one_host_inventory());
  EXPECT_EQ(value_of(obs, "host.nsswitch.passwd_sources"),
            json::array({"files", "systemd", "sss"}));
  EXPECT_EQ(value_of(obs, "host.nsswitch.group_sources"), json::array({"files", "systemd", "sss"}));
}

TEST(HostProbe, RunsItsFixedCommandsWithDeadlineAndDefaultCap) {
  auto runner = debian12_runner();
  host_probe p(runner);
  const auto until = std::chrono::steady_clock::now() + 7s;
  p.observe(one_host_inventory(), run_context{}, target{"backup-01", ""}, until);
  ASSERT_EQ(runner->calls.size(), fixed_command_count());
  const auto argv_of = [&](std::string_view id) { return runner->calls[call_of(id)].argv; };
  EXPECT_EQ(argv_of("sshd-effective"), (std::vector<std::string>{"/usr/sbin/sshd", "-T"}));
  EXPECT_EQ(argv_of("nsswitch"), (std::vector<std::string>{"cat", "/etc/nsswitch.conf"}));
  EXPECT_EQ(argv_of("passwd"), (std::vector<std::string>{"getent", "passwd"}));
  EXPECT_EQ(argv_of("resolv-conf"), (std::vector<std::string>{"cat", "/etc/resolv.conf"}));
  EXPECT_EQ(argv_of("ip-addresses"), (std::vector<std::string>{"ip", "-j", "addr", "show"}));
  EXPECT_EQ(argv_of("listening"), (std::vector<std::string>{"ss", "-H", "-tlnup"}));
  EXPECT_EQ(argv_of("detect-virt"), (std::vector<std::string>{"systemd-detect-virt"}));
  for (const auto& c : runner->calls) {
    EXPECT_EQ(c.until, until);
    EXPECT_EQ(c.cap, kDefaultOutputCap);
  }
}

TEST(HostProbe, EveryFactPointsToEvidenceHashingItsContent) {
  const auto obs = observe_with(debian12_runner(), one_host_inventory());
  ASSERT_EQ(obs.evidence.size(), fixed_command_count());
  for (const auto& [name, f] : obs.facts) {
    if (f.not_applicable) {  // Windows facts on a Linux host; repository facts without the
                             // role; the SSH key of a local host
      EXPECT_TRUE(name.rfind("host.windows.", 0) == 0 || name.rfind("host.repository.", 0) == 0 ||
                  name == "host.ssh.host_key_pinned")
          << name;
      continue;
    }
    ASSERT_FALSE(f.evidence.empty()) << name;
    for (const auto& id : f.evidence) {
      const evidence* e = evidence_by_id(obs, id);
      ASSERT_NE(e, nullptr) << name << " -> " << id;
      EXPECT_EQ(e->sha256, sha256_hex(e->content)) << e->id;
      EXPECT_FALSE(e->truncated);
      EXPECT_FALSE(e->collected_at.empty());
    }
  }
  // The firewall is read from both engines' outputs.
  EXPECT_EQ(
      fact_of(obs, "host.firewall.engine").evidence,
      (std::vector<std::string>{"host/backup-01/nft-ruleset", "host/backup-01/iptables-save"}));
  const auto& sshd = fact_of(obs, "host.sshd.permit_root_login");
  EXPECT_EQ(sshd.evidence, std::vector<std::string>{"host/backup-01/sshd-effective"});
  const evidence* e = evidence_by_id(obs, "host/backup-01/sshd-effective");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->source, "/usr/sbin/sshd -T");
  EXPECT_EQ(e->content, fixture("sshd_T_debian12_default.txt"));
  EXPECT_EQ(e->sha256, sha256_hex(fixture("sshd_T_debian12_default.txt")));

  EXPECT_EQ(fact_of(obs, "host.nsswitch.group_sources").evidence,
            std::vector<std::string>{"host/backup-01/nsswitch"});
  EXPECT_EQ(fact_of(obs, "host.accounts.uid0").evidence,
            std::vector<std::string>{"host/backup-01/passwd"});
  EXPECT_EQ(fact_of(obs, "host.dns.nameservers").evidence,
            std::vector<std::string>{"host/backup-01/resolv-conf"});
  const evidence* resolv = evidence_by_id(obs, "host/backup-01/resolv-conf");
  ASSERT_NE(resolv, nullptr);
  EXPECT_EQ(resolv->source, "cat /etc/resolv.conf");
}

TEST(HostProbe, TruncatedOutputIsFlaggedOnItsEvidenceAndItsFactsAreMissing) {
  auto runner = debian12_runner();
  runner->answers["getent passwd"].truncated = true;
  const auto obs = observe_with(runner, one_host_inventory());
  const evidence* e = evidence_by_id(obs, "host/backup-01/passwd");
  ASSERT_NE(e, nullptr);
  EXPECT_TRUE(e->truncated);
  EXPECT_FALSE(evidence_by_id(obs, "host/backup-01/sshd-effective")->truncated);
  // A cut output is never read as if it were whole.
  const auto& uid0 = fact_of(obs, "host.accounts.uid0");
  EXPECT_FALSE(uid0.value.has_value());
  EXPECT_EQ(uid0.error,
            "getent passwd: output larger than the host's output_cap (4194304 bytes), cut");
  EXPECT_EQ(uid0.evidence, std::vector<std::string>{"host/backup-01/passwd"});
  EXPECT_EQ(to_string(obs.outcome), std::string_view("failed"));
  EXPECT_TRUE(value_of(obs, "host.sshd.permit_root_login").is_string());
}

TEST(HostProbe, EveryCommandRunsWithTheHostsOutputCap) {
  auto runner = debian12_runner();
  inventory inv = one_host_inventory();
  inv.hosts[0].output_cap = 65536;
  observe_with(runner, inv);
  ASSERT_EQ(runner->calls.size(), fixed_command_count());
  for (const auto& c : runner->calls)
    EXPECT_EQ(c.cap, 65536u);
}

TEST(HostProbe, FailingCommandMakesExactlyItsFactsMissing) {
  auto runner = debian12_runner();
  command_result failed;
  failed.outcome = outcome::ok;
  failed.exit_code = 1;
  failed.err = "sshd: no hostkeys available -- exiting.\n";
  runner->answers["/usr/sbin/sshd -T"] = failed;
  const auto obs = observe_with(runner, one_host_inventory());

  EXPECT_EQ(to_string(obs.outcome), std::string_view("failed"));
  EXPECT_EQ(obs.detail,
            "1 of " + std::to_string(fixed_command_count()) +
                " commands failed; first: /usr/sbin/sshd -T exited with code 1: sshd: no hostkeys "
                "available -- exiting.\n");
  for (const auto* name : {"host.sshd.password_authentication", "host.sshd.permit_root_login",
                           "host.sshd.pubkey_authentication"}) {
    const auto& f = fact_of(obs, name);
    EXPECT_FALSE(f.value.has_value()) << name;
    EXPECT_EQ(f.error,
              "/usr/sbin/sshd -T exited with code 1: sshd: no hostkeys available -- exiting.\n")
        << name;
    EXPECT_EQ(f.evidence, std::vector<std::string>{"host/backup-01/sshd-effective"}) << name;
  }
  // The other commands' facts are unaffected.
  EXPECT_EQ(value_of(obs, "host.accounts.uid0"), json::array({"root"}));
  EXPECT_EQ(value_of(obs, "host.nsswitch.passwd_sources"), json::array({"files", "systemd"}));
  EXPECT_EQ(value_of(obs, "host.dns.nameservers"), json::array({"198.18.5.10", "198.18.5.11"}));

  const evidence* e = evidence_by_id(obs, "host/backup-01/sshd-effective");
  ASSERT_NE(e, nullptr);
  EXPECT_NE(e->content.find("sshd: no hostkeys available -- exiting."), std::string::npos)
      << e->content;
  EXPECT_EQ(e->content,
            "--- stderr ---\nsshd: no hostkeys available -- exiting.\n\n--- exit code ---\n1");
  EXPECT_EQ(e->sha256, sha256_hex(e->content));
}

TEST(HostProbe, ABrokenCommandIsNeverReadAsAbsent) {
  auto runner = debian12_runner();
  command_result broken;  // the stderr of a missing file had started to arrive
  broken.outcome = outcome::error;
  broken.err = "cat: /etc/chrony/chrony.conf: No such file or directory";
  broken.failure = "ssh to 198.18.2.10:22: connection lost while reading";
  runner->answers["cat /etc/chrony/chrony.conf"] = broken;
  const auto obs = observe_with(runner, one_host_inventory());
  const auto& f = fact_of(obs, "host.time.sources");
  EXPECT_FALSE(f.value.has_value());
  EXPECT_EQ(f.error, "ssh to 198.18.2.10:22: connection lost while reading");
}

TEST(HostProbe, BinaryOutputOfATextCommandMakesItsFactsMissing) {
  auto runner = debian12_runner();
  runner->answers["ip -j route show"] = ran(std::string("\x8f\0\x01{\"dst\"", 8));
  const auto obs = observe_with(runner, one_host_inventory());
  const auto& f = fact_of(obs, "host.network.default_route");
  EXPECT_FALSE(f.value.has_value());
  EXPECT_EQ(f.error,
            "ip -j route show printed binary output (8 bytes with NUL bytes), not its text");
  const evidence* e = evidence_by_id(obs, "host/backup-01/ip-routes");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->content.substr(0, e->content.find("--- stderr")),
            "--- binary output: 8 bytes; the first 8 in hex ---\n8f 00 01 7b 22 64 73 74 \n");
}

TEST(HostProbe, MissingProgramMakesItsFactsMissingWithTheFailure) {
  auto runner = debian12_runner();
  command_result missing;
  missing.outcome = outcome::error;
  missing.failure = "getent: No such file or directory";
  missing.program_missing = true;
  runner->answers["getent passwd"] = missing;
  const auto obs = observe_with(runner, one_host_inventory());

  EXPECT_EQ(to_string(obs.outcome), std::string_view("failed"));
  const auto& f = fact_of(obs, "host.accounts.uid0");
  EXPECT_FALSE(f.value.has_value());
  EXPECT_EQ(f.error, "getent: No such file or directory");
  EXPECT_EQ(f.evidence, std::vector<std::string>{"host/backup-01/passwd"});
  const evidence* e = evidence_by_id(obs, "host/backup-01/passwd");
  ASSERT_NE(e, nullptr);
  EXPECT_NE(e->content.find("getent: No such file or directory"), std::string::npos);
  EXPECT_EQ(value_of(obs, "host.sshd.permit_root_login"), json("without-password"));
}

TEST(HostProbe, FactAbsentFromOutputIsMissingNeverDefaulted) {
  auto runner = debian12_runner();
  runner->answers["/usr/sbin/sshd -T"] = ran("port 22\npermitrootlogin no\n");
  runner->answers["cat /etc/nsswitch.conf"] = ran("passwd: files\n");
  const auto obs = observe_with(runner, one_host_inventory());
  EXPECT_EQ(to_string(obs.outcome), std::string_view("ok"));
  EXPECT_EQ(value_of(obs, "host.sshd.permit_root_login"), json("no"));
  for (const auto* name : {"host.sshd.password_authentication", "host.sshd.pubkey_authentication",
                           "host.nsswitch.group_sources"}) {
    const auto& f = fact_of(obs, name);
    EXPECT_FALSE(f.value.has_value()) << name;
    EXPECT_EQ(f.error, "not present in the command output") << name;
    EXPECT_EQ(f.evidence.size(), 1u) << name;
  }
}

TEST(HostProbe, EmptyOutputsGiveEmptyListsForListFacts) {
  auto runner = debian12_runner();
  runner->answers["getent passwd"] = ran("");
  runner->answers["cat /etc/resolv.conf"] = ran("");
  const auto obs = observe_with(runner, one_host_inventory());
  EXPECT_EQ(value_of(obs, "host.accounts.uid0"), json::array());
  EXPECT_EQ(value_of(obs, "host.dns.nameservers"), json::array());
}

command_result timed_out(const std::string& program) {
  command_result r;
  r.outcome = outcome::timeout;
  r.out = "partial";
  r.failure = program + ": no answer before the deadline (killed)";
  return r;
}

TEST(HostProbe, ACommandTimeoutMakesItsFactsMissingTheHostPartlyRead) {
  auto runner = debian12_runner();
  runner->answers["getent passwd"] = timed_out("getent");
  const auto obs = observe_with(runner, one_host_inventory());
  EXPECT_EQ(obs.outcome, outcome::failed);
  const auto& f = fact_of(obs, "host.accounts.uid0");
  EXPECT_FALSE(f.value.has_value());
  EXPECT_EQ(f.error, "getent: no answer before the deadline (killed)");
  const evidence* e = evidence_by_id(obs, "host/backup-01/passwd");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->content.rfind("partial\n--- stderr ---\n", 0), 0u) << e->content;
  EXPECT_NE(e->content.find("getent: no answer before the deadline (killed)"), std::string::npos);
  EXPECT_EQ(value_of(obs, "host.sshd.password_authentication"), json("yes"));
}

TEST(HostProbe, APartlyReadHostWithATimeoutHasFailedNotTimedOut) {
  auto runner = debian12_runner();
  command_result failed;
  failed.outcome = outcome::ok;
  failed.exit_code = 255;
  failed.err = "boom";
  runner->answers["/usr/sbin/sshd -T"] = failed;
  runner->answers["cat /etc/resolv.conf"] = timed_out("cat");
  const auto obs = observe_with(runner, one_host_inventory());
  EXPECT_EQ(obs.outcome, outcome::failed);  // other commands answered: not one cause
  EXPECT_THAT(obs.detail, ::testing::HasSubstr("(deadline reached)"));
  EXPECT_FALSE(fact_of(obs, "host.sshd.permit_root_login").value.has_value());
  EXPECT_FALSE(fact_of(obs, "host.dns.nameservers").value.has_value());
}

TEST(HostProbe, TimeoutObservationExplainsItself) {
  // observation::detail is the "human explanation when outcome != ok".
  auto runner = debian12_runner();
  runner->answers["getent passwd"] = timed_out("getent");
  const auto obs = observe_with(runner, one_host_inventory());
  ASSERT_EQ(obs.outcome, outcome::failed);
  EXPECT_THAT(obs.detail, ::testing::HasSubstr("1 of "));
  EXPECT_THAT(obs.detail, ::testing::HasSubstr("commands failed (deadline reached); first: "));
}

// A host that could not be read: the facts of its system (`own`, or every fact when unknown)
// missing with `why`, those of the other system ruled out, never a value.
void expect_unread(const observation& obs, const std::string& why,
                   const host_table* own = nullptr) {
  EXPECT_EQ(obs.facts.size(), all_host_facts().size());
  for (const auto& name : all_host_facts()) {
    const auto& f = fact_of(obs, name);
    EXPECT_FALSE(f.value.has_value()) << name;
    const bool mine = !own || name == "host.ssh.host_key_pinned" ||
                      std::any_of(own->facts.begin(), own->facts.end(),
                                  [&](const fact_spec& s) { return s.name == name; });
    if (mine) {
      EXPECT_EQ(f.error, why) << name;
    } else {
      EXPECT_TRUE(f.not_applicable) << name;
    }
  }
}

TEST(HostProbe, SshHostWithoutRunnerIsAnErrorWithItsFactsMissing) {
  auto runner = debian12_runner();
  inventory inv = one_host_inventory();
  inv.hosts[0].access = access_method::ssh;
  const auto obs = observe_with(runner, inv);
  EXPECT_EQ(to_string(obs.outcome), std::string_view("error"));
  EXPECT_EQ(obs.detail, "no SSH runner in this build");
  expect_unread(obs, obs.detail, &linux_host_table());
  EXPECT_TRUE(runner->calls.empty());
  EXPECT_TRUE(obs.evidence.empty());
}

TEST(HostProbe, LocalWindowsHostIsAnErrorWithItsFactsMissing) {
  auto runner = debian12_runner();
  inventory inv = one_host_inventory();
  inv.hosts[0].os = "windows";
  const auto obs = observe_with(runner, inv);
  EXPECT_EQ(to_string(obs.outcome), std::string_view("error"));
  EXPECT_EQ(obs.detail, "the local runner reads Linux hosts only");
  expect_unread(obs, obs.detail, &windows_host_table());
  EXPECT_TRUE(runner->calls.empty());
}

TEST(HostProbe, HostDeclaredWithoutAccessHasEveryFactRuledOutNeverAValue) {
  auto runner = debian12_runner();
  inventory inv = one_host_inventory();
  inv.hosts[0].access = access_method::none;
  const auto obs = observe_with(runner, inv);
  EXPECT_EQ(obs.detail,
            "declared without host access (access: none): host facts are not collected");
  for (const auto& name : all_host_facts()) {
    const auto& f = fact_of(obs, name);
    EXPECT_FALSE(f.value) << name;
    EXPECT_TRUE(f.not_applicable) << name;
  }
  EXPECT_TRUE(runner->calls.empty());
}

TEST(HostProbe, UnknownTargetIsAnError) {
  auto runner = debian12_runner();
  const auto obs = observe_with(runner, one_host_inventory(), "not-declared");
  EXPECT_EQ(to_string(obs.outcome), std::string_view("error"));
  EXPECT_EQ(obs.detail, "host not in the inventory");
  EXPECT_EQ(obs.target, "not-declared");
  expect_unread(obs, obs.detail);
  EXPECT_TRUE(runner->calls.empty());
}

TEST(HostProbe, ObservesTheNamedHostAmongSeveral) {
  auto runner = debian12_runner();
  inventory inv = one_host_inventory();
  auto ssh = local_host("backup-02", "198.18.5.21");
  ssh.access = access_method::ssh;
  inv.hosts.push_back(ssh);
  const auto local = observe_with(runner, inv, "backup-01");
  const auto remote = observe_with(runner, inv, "backup-02");
  EXPECT_EQ(to_string(local.outcome), std::string_view("ok"));
  EXPECT_EQ(to_string(remote.outcome), std::string_view("error"));
  EXPECT_EQ(remote.target, "backup-02");
  EXPECT_EQ(runner->calls.size(), fixed_command_count());  // only backup-01 ran commands
}

TEST(HostProbe, SshHostsUseTheirRunnerAndSudoOnlyForPrivilegedCommands) {
  auto runner = debian12_runner();
  for (const auto* privileged : {"/usr/sbin/sshd -T", "ss -H -tlnup", "/usr/sbin/nft list ruleset",
                                 "/usr/sbin/iptables-save"})
    runner->answers[std::string("sudo -n -- ") + privileged] = runner->answers[privileged];
  inventory inv;
  backup_host h = local_host("bk-ssh", "198.18.2.10");
  h.access = access_method::ssh;
  h.ssh.sudo = true;
  inv.hosts.push_back(h);
  std::vector<std::string> made_for;
  host_probe p(std::make_shared<fake_runner>(), [&](const backup_host& host) {
    made_for.push_back(host.name);
    return runner;
  });
  const auto obs =
      p.observe(inv, run_context{}, target{"bk-ssh", ""}, std::chrono::steady_clock::now() + 10s);
  EXPECT_EQ(made_for, std::vector<std::string>{"bk-ssh"});
  ASSERT_EQ(runner->calls.size(), fixed_command_count());
  const auto argv_of = [&](std::string_view id) { return runner->calls[call_of(id)].argv; };
  EXPECT_EQ(argv_of("sshd-effective"),
            (std::vector<std::string>{"sudo", "-n", "--", "/usr/sbin/sshd", "-T"}));
  EXPECT_EQ(argv_of("listening"),
            (std::vector<std::string>{"sudo", "-n", "--", "ss", "-H", "-tlnup"}));
  EXPECT_EQ(argv_of("ip-routes"), (std::vector<std::string>{"ip", "-j", "route", "show"}));
  EXPECT_EQ(argv_of("passwd"), (std::vector<std::string>{"getent", "passwd"}));
  EXPECT_EQ(value_of(obs, "host.sshd.password_authentication"), json("yes"));
}

TEST(HostProbe, ReadsSystemFactsAndAMissingToolAsNotConfigured) {
  const auto obs = observe_with(debian12_runner(), one_host_inventory());
  EXPECT_EQ(obs.outcome, outcome::ok) << obs.detail;
  EXPECT_EQ(value_of(obs, "host.firewall.engine"), json("nftables"));  // iptables-save absent
  EXPECT_EQ(value_of(obs, "host.firewall.input_policy"), json("drop"));
  EXPECT_EQ(value_of(obs, "host.virtualisation"), json("none"));  // exit code 1 accepted
  EXPECT_EQ(value_of(obs, "host.network.default_route"), json(false));
  const auto listening = value_of(obs, "host.network.listening");
  ASSERT_TRUE(listening.is_array());
  EXPECT_NE(std::find(listening.begin(), listening.end(), json("tcp 0.0.0.0:22 sshd")),
            listening.end())
      << listening.dump();
  // Over SSH, sudo reports a missing program in its own words: still "not configured".
  auto via_sudo = debian12_runner();
  command_result sudo_missing = ran("");
  sudo_missing.exit_code = 1;
  sudo_missing.err = "sudo: /usr/sbin/iptables-save: command not found\n";
  via_sudo->answers["/usr/sbin/iptables-save"] = sudo_missing;
  EXPECT_EQ(value_of(observe_with(via_sudo, one_host_inventory()), "host.firewall.engine"),
            json("nftables"));
  // sudo's refusal (no rule for the command) is not an absence: the firewall is unknown.
  command_result refused = ran("");
  refused.exit_code = 1;
  refused.err = "sudo: a password is required\n";
  via_sudo->answers["/usr/sbin/iptables-save"] = refused;
  const auto unknown = observe_with(via_sudo, one_host_inventory());
  EXPECT_FALSE(fact_of(unknown, "host.firewall.engine").value);
  EXPECT_THAT(fact_of(unknown, "host.firewall.engine").error,
              ::testing::HasSubstr("a password is required"));
  // A failure that is not an absence is not "not configured": the facts are missing.
  auto runner = debian12_runner();
  command_result denied = ran("");
  denied.exit_code = 1;
  denied.err = "Error: Operation not permitted\n";
  runner->answers["/usr/sbin/nft list ruleset"] = denied;
  EXPECT_FALSE(
      fact_of(observe_with(runner, one_host_inventory()), "host.firewall.input_policy").value);
}

inventory with_production_directory() {
  auto inv = one_host_inventory();
  directory prod;
  prod.name = "prod-ad";
  prod.role = directory_role::production;
  prod.uri = "ldaps://198.18.4.10";
  prod.base = "DC=prod,DC=lab";
  inv.directories.push_back(prod);
  return inv;
}

TEST(HostProbe, StandaloneBackupServerHasNoProductionIdentity) {
  const auto obs = observe_with(debian12_runner(), with_production_directory());
  EXPECT_EQ(obs.outcome, outcome::ok) << obs.detail;
  EXPECT_EQ(value_of(obs, "host.identity.joined_realms"), json::array());
  EXPECT_EQ(value_of(obs, "host.identity.production_references"), json::array());
  EXPECT_EQ(value_of(obs, "host.privileges.production_identities"), json::array());
  EXPECT_EQ(value_of(obs, "host.pam.directory_modules"), json::array());
  EXPECT_EQ(value_of(obs, "host.dns.production_nameservers"), json::array());
}

TEST(HostProbe, ServerJoinedToProductionIsFoundEverywhereItShows) {
  auto runner = debian12_runner();
  runner->answers["/usr/sbin/realm list"] = ran(fixture("identity/realm_list_joined.txt"));
  runner->answers["cat /etc/sssd/sssd.conf"] = ran(fixture("identity/sssd_joined_prod.conf"));
  runner->answers["cat /etc/krb5.conf"] = ran(fixture("identity/krb5_prod.conf"));
  runner->answers["/usr/bin/klist -k"] = ran(fixture("identity/klist_k_joined.txt"));
  runner->answers["grep -r -H ^ /etc/pam.d"] =
      ran(grep_format({{"/etc/pam.d/sshd", "identity/pam_sshd_default"},
                       {"/etc/pam.d/common-auth", "identity/pam_common_auth_sss"},
                       {"/etc/pam.d/common-account", "identity/pam_common_account_sss"}}));
  runner->answers["grep -r -H ^ /etc/sudoers /etc/sudoers.d"] =
      ran(grep_format({{"/etc/sudoers", "identity/sudoers_default"},
                       {"/etc/sudoers.d/prod_admins", "identity/sudoers_d_prod_admins"}}));
  runner->answers["getent group"] = ran(fixture("identity/group_prod_admins"));
  runner->answers["cat /etc/resolv.conf"] = ran("nameserver 198.18.4.10\n");
  const auto obs = observe_with(runner, with_production_directory());
  EXPECT_EQ(value_of(obs, "host.identity.joined_realms"), json::array({"PROD.LAB"}));
  const auto refs = value_of(obs, "host.identity.production_references");
  ASSERT_TRUE(refs.is_array());
  auto has = [&](const json& list, const std::string& prefix) {
    return std::any_of(list.begin(), list.end(),
                       [&](const json& x) { return x.get<std::string>().rfind(prefix, 0) == 0; });
  };
  EXPECT_TRUE(has(refs, "realm list: joined to prod.lab")) << refs.dump();
  EXPECT_TRUE(has(refs, "sssd.conf: domain prod.lab")) << refs.dump();
  EXPECT_TRUE(has(refs, "krb5.conf: default_realm PROD.LAB")) << refs.dump();
  EXPECT_TRUE(has(refs, "keytab: principals of PROD.LAB")) << refs.dump();
  EXPECT_EQ(value_of(obs, "host.pam.directory_modules"), json::array({"pam_sss"}));
  const auto privileges = value_of(obs, "host.privileges.production_identities");
  EXPECT_TRUE(has(privileges, "/etc/sudoers.d/prod_admins:")) << privileges.dump();
  EXPECT_TRUE(has(privileges, "group sudo: ")) << privileges.dump();
  EXPECT_EQ(value_of(obs, "host.dns.production_nameservers"),
            json::array({"198.18.4.10 (production directory prod-ad)"}));
}

// Answers the Windows commands from tests/data/host/windows/<prefix>_<name>.json, <name> being the
// command's id without "windows-", dashes made underscores (windows-smb-server: smb_server).
std::shared_ptr<fake_runner> windows_runner(const std::string& prefix) {
  auto r = std::make_shared<fake_runner>();
  for (const auto& c : windows_host_table().commands) {
    std::string name(c.id.substr(std::string_view("windows-").size()));
    std::replace(name.begin(), name.end(), '-', '_');
    r->answers[joined(c.argv)] = ran(fixture("windows/" + prefix + "_" + name + ".json"));
  }
  return r;
}

observation observe_windows(const std::shared_ptr<fake_runner>& runner) {
  auto inv = with_production_directory();
  inv.hosts[0].os = "windows";
  inv.hosts[0].access = access_method::ssh;
  inv.hosts[0].ssh.sudo = true;  // never used on Windows
  host_probe p(std::make_shared<fake_runner>(), [&](const backup_host&) { return runner; });
  return p.observe(inv, run_context{}, target{"backup-01", ""},
                   std::chrono::steady_clock::now() + 10s);
}

TEST(HostProbe, HardenedWindowsBackupServer) {
  auto runner = windows_runner("hardened");
  const auto obs = observe_windows(runner);
  EXPECT_EQ(obs.outcome, outcome::ok) << obs.detail;
  ASSERT_EQ(runner->calls.size(), windows_host_table().commands.size());
  EXPECT_EQ(runner->calls[0].argv[0], "powershell");  // no sudo on Windows
  EXPECT_EQ(value_of(obs, "host.identity.production_references"), json::array());
  EXPECT_EQ(value_of(obs, "host.privileges.production_identities"), json::array());
  EXPECT_EQ(value_of(obs, "host.windows.firewall_default_deny"), json(true));
  EXPECT_EQ(value_of(obs, "host.windows.smb1_enabled"), json(false));
  EXPECT_EQ(value_of(obs, "host.windows.wdigest_cleartext"), json(false));
  EXPECT_TRUE(fact_of(obs, "host.sshd.password_authentication").not_applicable);
}

TEST(HostProbe, WindowsBackupServerJoinedToProduction) {
  const auto obs = observe_windows(windows_runner("joined"));
  const auto refs = value_of(obs, "host.identity.production_references");
  ASSERT_TRUE(refs.is_array());
  EXPECT_FALSE(refs.empty()) << refs.dump();
  EXPECT_EQ(refs[0], json("joined to the domain prod.lab"));
  EXPECT_FALSE(value_of(obs, "host.privileges.production_identities").empty());
  EXPECT_EQ(value_of(obs, "host.windows.rdp_enabled"), json(true));
  EXPECT_EQ(value_of(obs, "host.windows.smb1_enabled"), json(true));
  EXPECT_EQ(value_of(obs, "host.windows.wdigest_cleartext"), json(true));
  EXPECT_EQ(value_of(obs, "host.windows.firewall_default_deny"), json(false));
}

TEST(HostProbe, TimeSourcesInProductionAreFound) {
  const auto standalone = observe_with(debian12_runner(), with_production_directory());
  EXPECT_EQ(value_of(standalone, "host.time.sources"), json::array({"198.18.5.20", "198.18.5.21"}));
  EXPECT_EQ(value_of(standalone, "host.time.production_sources"), json::array());
  auto runner = debian12_runner();
  runner->answers["cat /etc/chrony/chrony.conf"] =
      ran("# chrony.conf\npool 2.debian.pool.ntp.org iburst\nserver 198.18.4.10 iburst\n");
  const auto obs = observe_with(runner, with_production_directory());
  EXPECT_EQ(value_of(obs, "host.time.production_sources"), json::array({"198.18.4.10"}));
}

TEST(HostProbe, AddressesInAProductionSegmentAreFound) {
  auto inv = one_host_inventory();
  inv.segments = {{"production", segment_role::production, {*cidr::parse("198.18.1.0/24")}},
                  {"backup", segment_role::backup, {*cidr::parse("198.18.2.0/24")}}};
  const auto single = observe_with(debian12_runner(), inv);
  EXPECT_EQ(value_of(single, "host.network.addresses"),
            json::array({"lo 127.0.0.1/8", "lo ::1/128", "peer0 fe80::3c10:9eff:fe3f:9d83/64",
                         "eth0 198.18.2.10/24", "eth0 fe80::d88f:c6ff:feb4:7419/64"}));
  EXPECT_EQ(value_of(single, "host.network.in_production_segment"), json::array());
  auto runner = debian12_runner();
  runner->answers["ip -j addr show"] = ran(fixture("ip_j_addr_backup_dualhomed.json"));
  const auto dual = observe_with(runner, inv);
  EXPECT_EQ(value_of(dual, "host.network.in_production_segment"),
            json::array({"eth1 198.18.1.20/24 (in production)"}));
  runner->answers["ip -j addr show"] = ran("Object \"addr\" is unknown, try \"ip help\".");
  EXPECT_FALSE(fact_of(observe_with(runner, inv), "host.network.in_production_segment").value);
  EXPECT_FALSE(fact_of(observe_with(runner, inv), "host.network.undeclared_addresses").value);
}

// Global addresses the inventory does not list are never tested by the matrix; loopback and
// link-local ones are not reachable through the firewall and are not listed.
TEST(HostProbe, AddressesTheInventoryDoesNotListAreFound) {
  auto inv = one_host_inventory();
  inv.hosts[0].addresses = {"198.18.2.10"};
  EXPECT_EQ(value_of(observe_with(debian12_runner(), inv), "host.network.undeclared_addresses"),
            json::array());
  auto runner = debian12_runner();
  runner->answers["ip -j addr show"] = ran(fixture("ip_j_addr_backup_dualhomed.json"));
  EXPECT_EQ(value_of(observe_with(runner, inv), "host.network.undeclared_addresses"),
            json::array({"eth1 198.18.1.20/24", "eth1 fd00:1::20/64"}));
  inv.hosts[0].addresses = {"198.18.2.10", "fd00:1:0::20", "198.18.1.20"};  // as addresses
  EXPECT_EQ(value_of(observe_with(runner, inv), "host.network.undeclared_addresses"),
            json::array());
}

// An SSH runner (faked) that learned the host key on first use, or was pinned.
class tofu_runner final : public command_runner {
 public:
  tofu_runner(std::shared_ptr<fake_runner> inner, std::string learned)
      : inner_(std::move(inner)), learned_(std::move(learned)) {}
  command_result run(const std::vector<std::string>& argv, deadline until,
                     std::size_t cap) const override {
    return inner_->run(argv, until, cap);
  }
  std::string learned_host_key() const override { return learned_; }

 private:
  std::shared_ptr<fake_runner> inner_;
  std::string learned_;
};

observation observe_ssh(std::shared_ptr<const command_runner> runner, bool tofu) {
  inventory inv;
  backup_host h = local_host("bk-ssh", "198.18.2.10");
  h.access = access_method::ssh;
  h.ssh.trust_on_first_use = tofu;
  h.ssh.known_hosts = tofu ? "" : "/etc/cloison/known_hosts";
  inv.hosts.push_back(h);
  host_probe p(std::make_shared<fake_runner>(), [&](const backup_host&) { return runner; });
  return p.observe(inv, run_context{}, target{"bk-ssh", ""},
                   std::chrono::steady_clock::now() + 10s);
}

// The findings of the shipped check host-ssh-key-pinned for `obs`.
finding key_pinned_finding(const observation& obs) {
  diagnostics d;
  const auto probes = builtin_probes();
  const auto builtin = embedded_policies().front();
  const auto pol = load_policy_text(builtin.text, std::string(builtin.name), probes, d);
  EXPECT_TRUE(pol) << (d.empty() ? "" : d.items().front().to_string());
  std::vector<check> checks;
  for (const auto& c : pol->checks) {
    if (c.id == "host-ssh-key-pinned")
      checks.push_back(c);
  }
  EXPECT_EQ(checks.size(), 1u);
  const auto findings = evaluate(checks, {obs}, {}, std::chrono::sys_days{});
  const auto it = std::find_if(findings.begin(), findings.end(),
                               [](const finding& f) { return f.check == "host-ssh-key-pinned"; });
  EXPECT_NE(it, findings.end());
  return it == findings.end() ? finding{} : *it;
}

TEST(HostProbe, HostKeyLearnedOnFirstUseIsRecordedAndFailsTheCheck) {
  const auto obs = observe_ssh(
      std::make_shared<tofu_runner>(debian12_runner(), "ssh-ed25519 SHA256:AbCdEf0123"), true);
  EXPECT_EQ(obs.learned_host_key, "ssh-ed25519 SHA256:AbCdEf0123");
  const auto& pinned = fact_of(obs, "host.ssh.host_key_pinned");
  EXPECT_EQ(pinned.value, json(false));
  ASSERT_EQ(pinned.evidence, std::vector<std::string>{"host/bk-ssh/ssh-host-key"});
  const evidence* e = evidence_by_id(obs, "host/bk-ssh/ssh-host-key");
  ASSERT_NE(e, nullptr);
  EXPECT_THAT(e->content,
              ::testing::HasSubstr("host key learned on first use (trust_on_first_use, not in "
                                   "known_hosts): ssh-ed25519 SHA256:AbCdEf0123"));
  const auto f = key_pinned_finding(obs);
  EXPECT_EQ(f.status, status::fail);
  EXPECT_EQ(f.objective, "D2.03.A");
  EXPECT_TRUE(f.severity == severity::medium || f.severity == severity::low);
}

TEST(HostProbe, PinnedHostKeyPassesTheCheck) {
  const auto obs = observe_ssh(std::make_shared<tofu_runner>(debian12_runner(), ""), false);
  EXPECT_EQ(obs.learned_host_key, "");
  EXPECT_EQ(value_of(obs, "host.ssh.host_key_pinned"), json(true));
  EXPECT_THAT(evidence_by_id(obs, "host/bk-ssh/ssh-host-key")->content,
              ::testing::HasSubstr("pinned: found in known_hosts /etc/cloison/known_hosts"));
  EXPECT_EQ(key_pinned_finding(obs).status, status::pass);
}

TEST(HostProbe, HostKeyNeverCheckedIsAnErrorNotAPass) {
  // Trust on first use, but no command got through (e.g. the connection was refused).
  const auto obs =
      observe_ssh(std::make_shared<tofu_runner>(std::make_shared<fake_runner>(), ""), true);
  EXPECT_FALSE(fact_of(obs, "host.ssh.host_key_pinned").value.has_value());
  EXPECT_EQ(obs.outcome, outcome::error);  // nothing read: one cause, never a pass
  EXPECT_THAT(obs.detail, ::testing::StartsWith("no command got through: "));
  const auto f = key_pinned_finding(obs);
  EXPECT_EQ(f.status, status::not_evaluated);
  EXPECT_EQ(f.cause, "host-read");
}

TEST(HostProbe, HostKeyCheckIsNotApplicableToLocalHosts) {
  const auto obs = observe_with(debian12_runner(), one_host_inventory());
  EXPECT_TRUE(fact_of(obs, "host.ssh.host_key_pinned").not_applicable);
  EXPECT_EQ(key_pinned_finding(obs).status, status::not_applicable);
}

// Issue 19, defect 2: `cloison collect` once recorded sssd.conf with its bind password into a
// file made to be copied to another machine. Secrets leave neither the evidence nor the file.
TEST(HostProbe, SecretsAreHiddenBeforeAnythingKeepsThem) {
  auto runner = debian12_runner();
  runner->answers["cat /etc/sssd/sssd.conf"] =
      ran("[domain/bk.lab]\nid_provider = ldap\nldap_default_authtok = Hunter2-Bind!\n"
          "ldap_default_bind_dn = cn=sssd,dc=bk\n");
  backup_host h = local_host("repo01", "198.18.2.20");
  const auto e = gather_host_evidence(runner, h, std::chrono::steady_clock::now() + 10s, "0.1.0");
  const auto payload = signed_payload(e);
  EXPECT_EQ(payload.find("Hunter2-Bind!"), std::string::npos) << "the collected file holds it";
  EXPECT_NE(payload.find("ldap_default_authtok = <redacted>"), std::string::npos);
  const auto obs = observe_with(runner, one_host_inventory());
  for (const auto& ev : obs.evidence)
    EXPECT_EQ(ev.content.find("Hunter2-Bind!"), std::string::npos) << ev.id;
}

// A collected evidence file of the Debian 12 fixtures for host `name`, signed with a fresh key,
// and the inventory that names it.
struct collected_host {
  testing::temp_dir dir;
  agent_key key = agent_key::load_or_create((dir.path() / "agent.pem").string());
  inventory inv;

  explicit collected_host(const std::string& name = "repo01") {
    backup_host h = local_host("repo01", "198.18.2.20");
    h.access = access_method::local;  // what `cloison collect` runs: the local command lines
    h.name = name;
    auto e =
        gather_host_evidence(debian12_runner(), h, std::chrono::steady_clock::now() + 10s, "0.1.0");
    h.name = "repo01";
    const auto payload = signed_payload(e);
    h.access = access_method::collected;
    h.evidence.file =
        dir.write("repo01.json", evidence_file_text(payload, key.sign(payload), key.fingerprint()));
    h.evidence.public_key = dir.write("agent.pub", key.public_key_pem());
    inv.hosts.push_back(h);
  }

  observation observe() const {
    auto live = std::make_shared<fake_runner>();  // must not be used
    host_probe p(live, [](const backup_host&) -> std::shared_ptr<const command_runner> {
      ADD_FAILURE() << "no SSH runner for a collected host";
      return nullptr;
    });
    auto obs =
        p.observe(inv, run_context{}, target{"repo01", ""}, std::chrono::steady_clock::now() + 10s);
    EXPECT_TRUE(live->calls.empty());
    return obs;
  }
};

TEST(HostProbe, CollectedHostIsReadByTheSameParsersWithItsCollectionTime) {
  collected_host c;
  const auto obs = c.observe();
  EXPECT_EQ(to_string(obs.outcome), std::string_view("ok")) << obs.detail;
  EXPECT_EQ(value_of(obs, "host.sshd.password_authentication"), json("yes"));
  EXPECT_EQ(value_of(obs, "host.accounts.uid0"), json::array({"root"}));
  EXPECT_EQ(
      value_of(obs, "host.firewall.engine"),
      value_of(observe_with(debian12_runner(), one_host_inventory()), "host.firewall.engine"));
  EXPECT_TRUE(fact_of(obs, "host.ssh.host_key_pinned").not_applicable);
  EXPECT_FALSE(obs.collected_at.empty());
  EXPECT_EQ(obs.collected_by, c.key.fingerprint());
  for (const auto& e : obs.evidence)
    EXPECT_EQ(e.collected_at, obs.collected_at) << e.id;
  const evidence* origin = evidence_by_id(obs, "host/repo01/collected-evidence");
  ASSERT_NE(origin, nullptr);
  EXPECT_THAT(origin->content, ::testing::HasSubstr("collected_at: " + obs.collected_at));
  EXPECT_THAT(origin->content, ::testing::HasSubstr(c.key.fingerprint()));
  EXPECT_EQ(obs.evidence.size(), 1 + fixed_command_count());  // the file, then its commands
}

TEST(HostProbe, RefusedCollectedFileMakesItsSystemsFactsMissing) {
  collected_host c;
  std::string text = testing::read_text(c.inv.hosts[0].evidence.file);
  const auto at = text.find("permitrootlogin");  // one byte of the signed sshd -T output
  ASSERT_NE(at, std::string::npos);
  text[at + 1] ^= 1;
  c.dir.write("repo01.json", text);
  const auto obs = c.observe();
  EXPECT_EQ(to_string(obs.outcome), std::string_view("error"));
  EXPECT_THAT(obs.detail, ::testing::HasSubstr("collected evidence refused"));
  EXPECT_THAT(obs.detail, ::testing::HasSubstr("preuves collectées refusées"));
  for (const auto& [name, f] : obs.facts) {
    EXPECT_FALSE(f.value.has_value()) << name;
    if (name.starts_with("host.windows.")) {
      EXPECT_TRUE(f.not_applicable) << name;  // a Linux host: never a Windows error
    } else if (name != "host.ssh.host_key_pinned") {
      EXPECT_EQ(f.error, obs.detail) << name;
    }
  }
  EXPECT_TRUE(obs.collected_at.empty());
  EXPECT_TRUE(obs.evidence.empty());
}

TEST(HostProbe, CollectedFileOfAnotherHostIsRefused) {
  collected_host c("repo02");
  const auto obs = c.observe();
  EXPECT_EQ(to_string(obs.outcome), std::string_view("error"));
  EXPECT_THAT(obs.detail, ::testing::HasSubstr("collected on host 'repo02', not on 'repo01'"));
  EXPECT_FALSE(fact_of(obs, "host.sshd.permit_root_login").value.has_value());
}

TEST(HostProbe, ObserveTurnsARunnerExceptionIntoAnErrorObservation) {
  host_probe p(std::make_shared<throwing_runner>());
  observation obs;
  ASSERT_NO_THROW(obs = p.observe(one_host_inventory(), run_context{},
                                  target{"backup-01", "198.18.5.20"},
                                  std::chrono::steady_clock::now() + 10s));
  EXPECT_EQ(to_string(obs.outcome), std::string_view("error"));
  EXPECT_EQ(obs.detail, "probe failed: runner exploded");
  EXPECT_EQ(obs.probe, "host");
  EXPECT_EQ(obs.target, "backup-01");
  EXPECT_TRUE(obs.facts.empty());
  EXPECT_TRUE(obs.evidence.empty());
}

}  // namespace
}  // namespace cloison

namespace cloison {
namespace {

// --- firewall, listeners, privileges, MFA ------------------------------------------------------

TEST(HostProbe, FirewallDefaultDenyIsReadWithItsEngineAndPolicy) {
  const auto obs = observe_with(debian12_runner(), one_host_inventory());
  EXPECT_EQ(value_of(obs, "host.firewall.default_deny"), json(true));
  EXPECT_EQ(value_of(obs, "host.firewall.input_default"),
            json("deny (nftables, input policy drop, 7 rules)"));
  EXPECT_EQ(
      fact_of(obs, "host.firewall.input_default").evidence,
      (std::vector<std::string>{"host/backup-01/nft-ruleset", "host/backup-01/iptables-save"}));
  auto runner = debian12_runner();
  runner->answers["/usr/sbin/nft list ruleset"] =
      ran(fixture("system/nft_ruleset_final_reject.txt"));
  EXPECT_EQ(value_of(observe_with(runner, one_host_inventory()), "host.firewall.input_default"),
            json("deny (nftables, input policy accept, last input rule denies, 4 rules)"));
  runner->answers["/usr/sbin/nft list ruleset"] =
      ran(fixture("system/nft_ruleset_lab_backup_firewall_off.txt"));
  EXPECT_EQ(value_of(observe_with(runner, one_host_inventory()), "host.firewall.input_default"),
            json("allow (nftables, input policy accept, 0 rules)"));
  runner->answers["/usr/sbin/nft list ruleset"] = ran("");
  const auto none = observe_with(runner, one_host_inventory());
  EXPECT_EQ(value_of(none, "host.firewall.input_default"),
            json("allow (no firewall: neither nftables nor iptables has a table)"));
  EXPECT_EQ(value_of(none, "host.firewall.default_deny"), json(false));
}

inventory listener_inventory(std::vector<std::string> software) {
  inventory inv;
  inv.source = "test";
  auto h = local_host("backup-01", "198.18.2.10");
  h.software = std::move(software);
  inv.hosts.push_back(h);
  inv.segments.push_back({"backup", segment_role::backup, {*cidr::parse("198.18.2.0/24")}});
  inv.segments.push_back(
      {"administration", segment_role::administration, {*cidr::parse("198.18.3.0/24")}});
  // to the host's segment: counts; udp and flows to another segment do not
  inv.flows.push_back({"administration", "backup", "tcp", {{22, 22}, {6162, 6162}}, "admin"});
  inv.flows.push_back({"administration", "backup", "udp", {{8443, 8443}}, "not tcp"});
  inv.flows.push_back({"backup", "administration", "tcp", {{8443, 8443}}, "elsewhere"});
  return inv;
}

run_context listener_run() {
  run_context run;
  run.profiles.push_back({"veeam", {{9401, 9401}, {10006, 10006}}, false});
  run.profiles.push_back({"management", {{8443, 8443}}, true});  // not named
  return run;
}

TEST(HostProbe, ListenersOutsideTheDeclaredPortsAreReportedWithTheirProcess) {
  const auto obs =
      observe_with(debian12_runner(), listener_inventory({"veeam"}), "backup-01", listener_run());
  EXPECT_EQ(value_of(obs, "host.network.declared_ports"),
            json::array({"22", "6162", "9401", "10006"}));
  // 127.0.0.1%lo:10005 is loopback, udp 514 is no TCP listener
  EXPECT_EQ(value_of(obs, "host.network.undeclared_listeners"),
            json::array({"tcp [fd00:2::10]:8443 repo-api"}));
  EXPECT_EQ(fact_of(obs, "host.network.undeclared_listeners").evidence,
            std::vector<std::string>{"host/backup-01/listening"});
  const auto no_software =
      observe_with(debian12_runner(), listener_inventory({}), "backup-01", listener_run());
  EXPECT_EQ(value_of(no_software, "host.network.undeclared_listeners"),
            json::array({"tcp 198.18.2.10:9401 repo-api", "tcp [fd00:2::10]:8443 repo-api",
                         "tcp *:10006 veeamagent"}));
}

TEST(HostProbe, FlowsToTheHostByNameAndItsSshPortAreDeclared) {
  auto inv = listener_inventory({});
  inv.flows.push_back({"administration", "backup-01", "tcp", {{8443, 9401}}, "by name"});
  inv.hosts[0].access = access_method::ssh;
  inv.hosts[0].ssh.port = 10006;
  auto runner = debian12_runner();
  host_probe p(std::make_shared<fake_runner>(), [&](const backup_host&) { return runner; });
  const auto obs = p.observe(inv, listener_run(), target{"backup-01", ""},
                             std::chrono::steady_clock::now() + 10s);
  EXPECT_EQ(value_of(obs, "host.network.declared_ports"),
            json::array({"22", "6162", "8443-9401", "10006"}));
  EXPECT_EQ(value_of(obs, "host.network.undeclared_listeners"), json::array());
}

TEST(HostProbe, ProductionGroupInSshdAllowGroupsIsAProductionPrivilege) {
  auto runner = debian12_runner();
  runner->answers["/usr/sbin/sshd -T"] =
      ran(fixture("sshd_T_debian12_default.txt") +
          "allowusers cloison-audit\nallowusers PROD\\svc-backup\n"
          "allowgroups backup-admins\nallowgroups gg-admins-prod@prod.lab\n");
  const auto obs = observe_with(runner, with_production_directory());
  EXPECT_EQ(value_of(obs, "host.privileges.production_identities"),
            json::array({"sshd AllowGroups: gg-admins-prod@prod.lab",
                         "sshd AllowUsers: PROD\\svc-backup"}));
  EXPECT_EQ(fact_of(obs, "host.privileges.production_identities").evidence,
            (std::vector<std::string>{"host/backup-01/sudoers-files", "host/backup-01/groups",
                                      "host/backup-01/sshd-effective"}));
}

TEST(HostProbe, MfaModulesCountInTheSshdAuthStackOnly) {
  auto runner = debian12_runner();
  runner->answers["grep -r -H ^ /etc/pam.d"] =
      ran(grep_format({{"/etc/pam.d/sshd", "identity/pam_sshd_oath"},
                       {"/etc/pam.d/common-auth", "identity/pam_common_auth_default"}}));
  EXPECT_EQ(value_of(observe_with(runner, one_host_inventory()), "host.pam.mfa_modules"),
            json::array({"pam_oath"}));
  runner->answers["grep -r -H ^ /etc/pam.d"] =
      ran(grep_format({{"/etc/pam.d/sshd", "identity/pam_sshd_default"},
                       {"/etc/pam.d/common-auth", "identity/pam_common_auth_default"}}) +
          "/etc/pam.d/sshd:session optional pam_u2f.so\n");
  EXPECT_EQ(value_of(observe_with(runner, one_host_inventory()), "host.pam.mfa_modules"),
            json::array());
}

// --- repository immutability -------------------------------------------------------------------

const std::string kRepo = "/srv/backup-repo/backups";
const std::string kFindArgv = "find " + kRepo +
                              " -xdev -type f ( -name *.vbk -o -name *.vib -o -name *.vrb ) "
                              "-printf %T@\\t%p\\0";

std::vector<std::string> newest_fixture_paths() {
  std::vector<std::string> out;
  for (const auto& f :
       newest_files(parse_find_mtimes(fixture("system/find_printf_backups.bin")), 10))
    out.push_back(f.path);
  return out;
}

std::string lsattr_argv() {
  std::vector<std::string> argv{"lsattr", "--"};
  for (const auto& p : newest_fixture_paths())
    argv.push_back(p);
  return joined(argv);
}

// A Debian 12 repository host: the XFS repository of tests/data/host/system (one of the ten newest
// backup files is not immutable).
std::shared_ptr<fake_runner> repository_runner() {
  auto r = debian12_runner();
  r->answers["findmnt -J -T " + kRepo] = ran(fixture("system/findmnt_repo.json"));
  r->answers["/usr/sbin/xfs_info /srv/backup-repo"] = ran(fixture("system/xfs_info_repo.txt"));
  r->answers[kFindArgv] = ran(fixture("system/find_printf_backups.bin"));
  r->answers[lsattr_argv()] = ran(fixture("system/lsattr_newest.txt"));
  return r;
}

inventory repository_inventory(const std::string& path = kRepo) {
  auto inv = one_host_inventory();
  inv.hosts[0].roles = {"repository"};
  inv.hosts[0].repository_path = path;
  return inv;
}

const std::string kMutable =
    "/srv/backup-repo/backups/Job-PACS/Job-PACSD2026-11-24T220010_0024.vib";

TEST(HostProbe, RepositoryImmutabilityOfTheNewestBackupFiles) {
  auto runner = repository_runner();
  const auto obs = observe_with(runner, repository_inventory());
  EXPECT_EQ(obs.outcome, outcome::ok) << obs.detail;
  ASSERT_EQ(runner->calls.size(), all_command_count());
  EXPECT_EQ(runner->calls[call_of("repo-mount")].argv,
            (std::vector<std::string>{"findmnt", "-J", "-T", kRepo}));
  EXPECT_EQ(runner->calls[call_of("repo-xfs")].argv,
            (std::vector<std::string>{"/usr/sbin/xfs_info", "/srv/backup-repo"}));
  EXPECT_EQ(joined(runner->calls[call_of("repo-files")].argv), kFindArgv);
  // lsattr -- and the ten newest
  EXPECT_EQ(runner->calls[call_of("repo-attributes")].argv.size(), 12u);
  EXPECT_EQ(value_of(obs, "host.repository.fstype"), json("xfs"));
  EXPECT_EQ(value_of(obs, "host.repository.reflink"), json(true));
  const auto files = value_of(obs, "host.repository.newest_files");
  ASSERT_EQ(files.size(), 10u);
  EXPECT_EQ(files[0], json("/srv/backup-repo/backups/Job-PACS/Job-PACSD2026-11-28T220009_9C21.vib "
                           "(modified 2026-11-28T22:14:55Z, attributes ----i-----------------)"));
  EXPECT_EQ(value_of(obs, "host.repository.newest_immutable"), json("some"));
  EXPECT_EQ(value_of(obs, "host.repository.newest_not_immutable"),
            json::array({kMutable + " (modified 2026-11-24T22:14:42Z, attributes "
                                    "----------------------)"}));
  EXPECT_EQ(
      fact_of(obs, "host.repository.newest_not_immutable").evidence,
      (std::vector<std::string>{"host/backup-01/repo-files", "host/backup-01/repo-attributes"}));
  // find's NUL-terminated records are kept one per line
  const evidence* e = evidence_by_id(obs, "host/backup-01/repo-files");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->content.find('\0'), std::string::npos);
  EXPECT_NE(e->content.find("1795904095.0000000000\t" + newest_fixture_paths()[0] + "\n"),
            std::string::npos);
}

TEST(HostProbe, RepositoryWhoseNewestFilesAreAllImmutable) {
  auto runner = repository_runner();
  auto all = fixture("system/lsattr_newest.txt");
  const std::string mutable_line = "---------------------- " + kMutable;
  ASSERT_NE(all.find(mutable_line), std::string::npos);
  all.replace(all.find(mutable_line), 22, "----i-----------------");
  runner->answers[lsattr_argv()] = ran(all);
  const auto obs = observe_with(runner, repository_inventory());
  EXPECT_EQ(value_of(obs, "host.repository.newest_immutable"), json("all"));
  EXPECT_EQ(value_of(obs, "host.repository.newest_not_immutable"), json::array());
}

TEST(HostProbe, RepositoryCommandsNeedSudoOverSsh) {
  auto runner = repository_runner();
  for (const auto& privileged :
       {std::string("/usr/sbin/sshd -T"), std::string("ss -H -tlnup"),
        std::string("/usr/sbin/nft list ruleset"), kFindArgv, lsattr_argv()})
    runner->answers["sudo -n -- " + privileged] = runner->answers[privileged];
  auto inv = repository_inventory();
  inv.hosts[0].access = access_method::ssh;
  inv.hosts[0].ssh.sudo = true;
  host_probe p(std::make_shared<fake_runner>(), [&](const backup_host&) { return runner; });
  const auto obs = p.observe(inv, run_context{}, target{"backup-01", ""},
                             std::chrono::steady_clock::now() + 10s);
  ASSERT_EQ(runner->calls.size(), all_command_count());
  EXPECT_EQ(runner->calls[call_of("repo-mount")].argv[0], "findmnt");
  EXPECT_EQ(runner->calls[call_of("repo-xfs")].argv[0], "/usr/sbin/xfs_info");
  EXPECT_EQ(joined(runner->calls[call_of("repo-files")].argv), "sudo -n -- " + kFindArgv);
  EXPECT_EQ(joined(runner->calls[call_of("repo-attributes")].argv), "sudo -n -- " + lsattr_argv());
  EXPECT_EQ(value_of(obs, "host.repository.newest_immutable"), json("some"));
}

TEST(HostProbe, HostsWithoutTheRepositoryRoleRunNoRepositoryCommand) {
  auto runner = repository_runner();
  auto inv = repository_inventory();
  inv.hosts[0].roles = {"backup-server"};
  const auto obs = observe_with(runner, inv);
  EXPECT_EQ(runner->calls.size(), fixed_command_count());
  EXPECT_EQ(obs.evidence.size(), fixed_command_count());
  for (const auto* name :
       {"host.repository.fstype", "host.repository.reflink", "host.repository.newest_files",
        "host.repository.newest_immutable", "host.repository.newest_not_immutable"}) {
    EXPECT_TRUE(fact_of(obs, name).not_applicable) << name;
    EXPECT_FALSE(fact_of(obs, name).value) << name;
  }
}

TEST(HostProbe, RepositoryRoleWithoutAPathIsMissingNeverApplicableOrPassing) {
  auto runner = repository_runner();
  const auto obs = observe_with(runner, repository_inventory(""));
  EXPECT_EQ(runner->calls.size(), fixed_command_count());
  const auto& f = fact_of(obs, "host.repository.newest_not_immutable");
  EXPECT_FALSE(f.value);
  EXPECT_FALSE(f.not_applicable);
  EXPECT_EQ(f.error, "the inventory declares no absolute repository_path for this repository host");
  // a relative path (or one that find would read as an option) is never run
  auto dash = repository_runner();
  EXPECT_FALSE(
      fact_of(observe_with(dash, repository_inventory("-delete")), "host.repository.fstype").value);
  EXPECT_EQ(dash->calls.size(), fixed_command_count());
}

TEST(HostProbe, RepositoryWithoutBackupFilesIsMissing) {
  auto runner = repository_runner();
  runner->answers[kFindArgv] = ran("");
  const auto obs = observe_with(runner, repository_inventory());
  EXPECT_EQ(runner->calls.size(), all_command_count() - 1);  // nothing for lsattr
  EXPECT_EQ(value_of(obs, "host.repository.fstype"), json("xfs"));
  for (const auto* name : {"host.repository.newest_files", "host.repository.newest_immutable",
                           "host.repository.newest_not_immutable"}) {
    const auto& f = fact_of(obs, name);
    EXPECT_FALSE(f.value) << name;
    EXPECT_EQ(f.error, "no backup file (*.vbk *.vib *.vrb) under " + kRepo) << name;
    EXPECT_EQ(f.evidence, std::vector<std::string>{"host/backup-01/repo-files"}) << name;
  }
}

TEST(HostProbe, CutFileListIsMissingNeverAGuess) {
  auto runner = repository_runner();
  runner->answers[kFindArgv].truncated = true;
  const auto obs = observe_with(runner, repository_inventory());
  const auto& f = fact_of(obs, "host.repository.newest_not_immutable");
  EXPECT_FALSE(f.value);
  EXPECT_NE(f.error.find("output larger than the host's output_cap"), std::string::npos) << f.error;
}

TEST(HostProbe, LsattrFailureMakesTheImmutabilityFactsMissing) {
  auto runner = repository_runner();
  command_result denied = ran("");
  denied.exit_code = 1;
  denied.err = fixture("system/lsattr_permission_denied.txt");
  runner->answers[lsattr_argv()] = denied;
  const auto obs = observe_with(runner, repository_inventory());
  EXPECT_EQ(obs.outcome, outcome::failed);
  const auto& f = fact_of(obs, "host.repository.newest_not_immutable");
  EXPECT_FALSE(f.value);
  EXPECT_NE(f.error.find("Permission denied"), std::string::npos) << f.error;
  EXPECT_EQ(value_of(obs, "host.repository.fstype"), json("xfs"));  // the other reader stands
}

TEST(HostProbe, RepositoryOffXfsHasNoReflinkFact) {
  auto runner = repository_runner();
  runner->answers["findmnt -J -T " + kRepo] = ran(fixture("system/findmnt_ext4_root.json"));
  const auto obs = observe_with(runner, repository_inventory());
  EXPECT_EQ(runner->calls.size(), all_command_count() - 1);  // no xfs_info
  EXPECT_EQ(value_of(obs, "host.repository.fstype"), json("ext4"));
  EXPECT_TRUE(fact_of(obs, "host.repository.reflink").not_applicable);
  EXPECT_EQ(value_of(obs, "host.repository.newest_immutable"), json("some"));
  // a repository path that does not exist: findmnt fails, the fact is missing
  command_result no_path = ran("");
  no_path.exit_code = 1;
  runner->answers["findmnt -J -T " + kRepo] = no_path;
  EXPECT_FALSE(
      fact_of(observe_with(runner, repository_inventory()), "host.repository.fstype").value);
}

// --- verdicts of the shipped D2.03 checks on these facts ---------------------------------------

// The finding of check `id` of policies/d2.03.yaml on `obs` (as enabled, whatever the file says).
finding verdict(const std::string& id, const observation& obs) {
  static const auto policy = [] {
    diagnostics problems;
    auto p = load_policy(std::string(CLOISON_SOURCE_DIR) + "/policies/d2.03.yaml", builtin_probes(),
                         problems);
    EXPECT_TRUE(p.has_value()) << "policies/d2.03.yaml does not load";
    return p.value_or(cloison::policy{});
  }();
  for (auto c : policy.checks) {
    if (c.id != id)
      continue;
    c.enabled = true;
    const auto findings = evaluate({c}, {obs}, {}, std::chrono::sys_days{});
    const auto it = std::find_if(findings.begin(), findings.end(),
                                 [&](const finding& f) { return f.check == id; });
    EXPECT_NE(it, findings.end());
    return it == findings.end() ? finding{} : *it;
  }
  ADD_FAILURE() << "no check " << id;
  return {};
}

status verdict_status(const std::string& id, const observation& obs) {
  return verdict(id, obs).status;
}

TEST(HostChecks, FirewallDefaultDeny) {
  EXPECT_EQ(verdict_status("host-firewall-default-deny",
                           observe_with(debian12_runner(), one_host_inventory())),
            status::pass);
  auto runner = debian12_runner();
  runner->answers["/usr/sbin/nft list ruleset"] =
      ran(fixture("system/nft_ruleset_final_reject.txt"));
  EXPECT_EQ(
      verdict_status("host-firewall-default-deny", observe_with(runner, one_host_inventory())),
      status::pass);
  runner->answers["/usr/sbin/nft list ruleset"] =
      ran(fixture("system/nft_ruleset_lab_backup_firewall_off.txt"));
  const auto off =
      verdict("host-firewall-default-deny", observe_with(runner, one_host_inventory()));
  EXPECT_EQ(off.status, status::fail);
  EXPECT_EQ(off.observed, json("allow (nftables, input policy accept, 0 rules)"));
  runner->answers["/usr/sbin/nft list ruleset"] =
      ran(fixture("system/nft_ruleset_conditional_drop.txt"));
  EXPECT_EQ(
      verdict_status("host-firewall-default-deny", observe_with(runner, one_host_inventory())),
      status::fail);
  runner->answers["/usr/sbin/nft list ruleset"] = ran("");  // no firewall at all
  EXPECT_EQ(
      verdict_status("host-firewall-default-deny", observe_with(runner, one_host_inventory())),
      status::fail);
  command_result denied = ran("");  // nft run without root
  denied.exit_code = 1;
  denied.err = "Error: Operation not permitted\n";
  runner->answers["/usr/sbin/nft list ruleset"] = denied;
  const auto error =
      verdict("host-firewall-default-deny", observe_with(runner, one_host_inventory()));
  EXPECT_EQ(error.status, status::error);
  EXPECT_NE(error.message.find("Operation not permitted"), std::string::npos) << error.message;
}

TEST(HostChecks, NoIpForwarding) {
  const auto off = observe_with(debian12_runner(), one_host_inventory());
  EXPECT_EQ(value_of(off, "host.network.ip_forwarding"), json::array());
  EXPECT_EQ(fact_of(off, "host.network.ip_forwarding").evidence,
            std::vector<std::string>{"host/backup-01/ip-forwarding"});
  EXPECT_EQ(verdict_status("host-no-ip-forwarding", off), status::pass);
  auto runner = debian12_runner();
  runner->answers[kSysctlForwarding] =
      ran(replaced(fixture("sysctl_forwarding_debian12.txt"), "ip_forward = 0", "ip_forward = 1"));
  const auto on = verdict("host-no-ip-forwarding", observe_with(runner, one_host_inventory()));
  EXPECT_EQ(on.status, status::fail);
  EXPECT_EQ(on.observed, json::array({"net.ipv4.ip_forward = 1"}));
  // a kernel without IPv6: sysctl prints the IPv4 line and exits 1; that is no forwarding
  command_result no_ipv6 = ran("net.ipv4.ip_forward = 0\n");
  no_ipv6.exit_code = 1;
  no_ipv6.err =
      "sysctl: cannot stat /proc/sys/net/ipv6/conf/all/forwarding: No such file or "
      "directory\n";
  runner->answers[kSysctlForwarding] = no_ipv6;
  EXPECT_EQ(verdict_status("host-no-ip-forwarding", observe_with(runner, one_host_inventory())),
            status::pass);
  // without sysctl, or refused: never a pass
  command_result missing;
  missing.outcome = outcome::error;
  missing.failure = "/usr/sbin/sysctl: No such file or directory";
  missing.program_missing = true;
  runner->answers[kSysctlForwarding] = missing;
  EXPECT_EQ(verdict_status("host-no-ip-forwarding", observe_with(runner, one_host_inventory())),
            status::error);
  command_result denied = ran("");
  denied.exit_code = 255;
  denied.err = "sysctl: permission denied on key \"net.ipv4.ip_forward\"\n";
  runner->answers[kSysctlForwarding] = denied;
  EXPECT_EQ(verdict_status("host-no-ip-forwarding", observe_with(runner, one_host_inventory())),
            status::error);
}

TEST(HostChecks, ListenersDeclared) {
  EXPECT_EQ(verdict_status("host-listeners-declared",
                           observe_with(debian12_runner(), listener_inventory({"veeam"}),
                                        "backup-01", listener_run())),
            status::fail);  // repo-api on 8443
  auto runner = debian12_runner();
  runner->answers["ss -H -tlnup"] =
      ran(fixture("system/ss_tlnup_backup.txt")
              .substr(0, fixture("system/ss_tlnup_backup.txt")
                             .find("tcp LISTEN 0      16     [fd00:2::10]:8443")));
  EXPECT_EQ(
      verdict_status("host-listeners-declared", observe_with(runner, listener_inventory({"veeam"}),
                                                             "backup-01", listener_run())),
      status::pass);
  command_result failed;
  failed.outcome = outcome::error;
  failed.failure = "connection lost";
  runner->answers["ss -H -tlnup"] = failed;
  EXPECT_EQ(
      verdict_status("host-listeners-declared", observe_with(runner, listener_inventory({"veeam"}),
                                                             "backup-01", listener_run())),
      status::error);
}

TEST(HostChecks, MfaRequiredIsOffByDefaultAndReadsTheAuthStack) {
  diagnostics problems;
  const auto p = load_policy(std::string(CLOISON_SOURCE_DIR) + "/policies/d2.03.yaml",
                             builtin_probes(), problems);
  ASSERT_TRUE(p);
  const auto c = std::find_if(p->checks.begin(), p->checks.end(),
                              [](const check& x) { return x.id == "host-mfa-required"; });
  ASSERT_NE(c, p->checks.end());
  EXPECT_FALSE(c->enabled);
  EXPECT_EQ(
      verdict_status("host-mfa-required", observe_with(debian12_runner(), one_host_inventory())),
      status::fail);
  auto runner = debian12_runner();
  runner->answers["grep -r -H ^ /etc/pam.d"] =
      ran(grep_format({{"/etc/pam.d/sshd", "identity/pam_sshd_oath"},
                       {"/etc/pam.d/common-auth", "identity/pam_common_auth_default"}}));
  EXPECT_EQ(verdict_status("host-mfa-required", observe_with(runner, one_host_inventory())),
            status::pass);
  command_result failed;
  failed.outcome = outcome::timeout;
  failed.failure = "deadline reached";
  runner->answers["grep -r -H ^ /etc/pam.d"] = failed;
  EXPECT_EQ(verdict_status("host-mfa-required", observe_with(runner, one_host_inventory())),
            status::error);
}

TEST(HostChecks, ProductionGroupInAllowGroupsFailsNoProductionPrivileges) {
  EXPECT_EQ(verdict_status("host-no-production-privileges",
                           observe_with(debian12_runner(), with_production_directory())),
            status::pass);
  auto runner = debian12_runner();
  runner->answers["/usr/sbin/sshd -T"] =
      ran(fixture("sshd_T_debian12_default.txt") + "allowgroups gg-admins-prod@prod.lab\n");
  EXPECT_EQ(verdict_status("host-no-production-privileges",
                           observe_with(runner, with_production_directory())),
            status::fail);
}

TEST(HostChecks, RepositoryImmutable) {
  const auto some = verdict("host-repository-immutable",
                            observe_with(repository_runner(), repository_inventory()));
  EXPECT_EQ(some.status, status::fail);
  ASSERT_EQ(some.observed.size(), 1u);
  EXPECT_EQ(some.observed[0].get<std::string>().rfind(kMutable, 0), 0u);

  auto runner = repository_runner();
  auto all = fixture("system/lsattr_newest.txt");
  all.replace(all.find("---------------------- " + kMutable), 22, "----i-----------------");
  runner->answers[lsattr_argv()] = ran(all);
  EXPECT_EQ(
      verdict_status("host-repository-immutable", observe_with(runner, repository_inventory())),
      status::pass);

  runner->answers[kFindArgv] = ran("");  // no backup file: no evidence, never a pass
  const auto none =
      verdict("host-repository-immutable", observe_with(runner, repository_inventory()));
  EXPECT_EQ(none.status, status::error);
  EXPECT_NE(none.message.find("no backup file"), std::string::npos) << none.message;

  EXPECT_EQ(verdict_status("host-repository-immutable",
                           observe_with(repository_runner(), repository_inventory(""))),
            status::error);  // repository role without a path
  EXPECT_EQ(verdict_status("host-repository-immutable",
                           observe_with(repository_runner(), one_host_inventory())),
            status::not_applicable);  // no repository role
}

}  // namespace
}  // namespace cloison

namespace cloison {
namespace {

// --- the tables --------------------------------------------------------------------------------

void read_nothing(const reader_input&, fact_map&) {}

TEST(HostTable, ACommandSharedByRowsRunsOnceWhereTheFirstRowListsIt) {
  const auto& t = linux_host_table();
  std::size_t readers = 0;
  for (const auto& row : t.rows) {
    readers += std::count_if(row.commands.begin(), row.commands.end(),
                             [](const host_command& c) { return c.id == "sshd-effective"; });
  }
  EXPECT_GE(readers, 2u);  // the sshd facts and the production privileges (AllowGroups)
  EXPECT_EQ(std::count_if(t.commands.begin(), t.commands.end(),
                          [](const host_command& c) { return c.id == "sshd-effective"; }),
            1);
  EXPECT_EQ(t.commands.front().id, "sshd-effective");
  std::size_t facts = 0;
  for (const auto& row : t.rows)
    facts += row.facts.size();
  EXPECT_EQ(t.facts.size(), facts);
}

TEST(HostTable, WindowsRowsRunEveryPowerShellScriptOnceWithoutSudo) {
  std::vector<std::string_view> scripts, run;
  for (const auto& c : windows_commands())
    scripts.push_back(c.id);
  for (const auto& c : windows_host_table().commands) {
    run.push_back(c.id);
    EXPECT_EQ(c.argv, windows_command_argv(*find_windows_command(c.id)));
    EXPECT_FALSE(c.privileged()) << c.id;
  }
  EXPECT_EQ(run, scripts);
}

TEST(HostTable, RefusesAFactDeclaredTwiceAndTwoCommandsUnderOneId) {
  const host_command cat{.id = "x", .argv = {"cat", "/etc/x"}};
  const fact_spec spec{"host.x.y", fact_type::text, "y"};
  EXPECT_NO_THROW(make_host_table({{.commands = {cat}, .facts = {spec}, .read = read_nothing},
                                   {.commands = {cat}, .facts = {}, .read = read_nothing}}));
  EXPECT_THROW(make_host_table({{.commands = {cat}, .facts = {spec}, .read = read_nothing},
                                {.commands = {cat}, .facts = {spec}, .read = read_nothing}}),
               std::logic_error);
  host_command other = cat;
  other.sudo_path = "/usr/bin/cat";
  EXPECT_THROW(make_host_table({{.commands = {cat}, .facts = {spec}, .read = read_nothing},
                                {.commands = {other}, .facts = {}, .read = read_nothing}}),
               std::logic_error);
  // a privileged command built from earlier outputs must say what sudoers grants
  const host_command built{.id = "z",
                           .sudo_path = "/usr/bin/lsattr",
                           .argv_for = [](const backup_host&, const earlier_outputs&) {
                             return std::vector<std::string>{"lsattr"};
                           }};
  EXPECT_THROW(make_host_table({{.commands = {built}, .facts = {}, .read = read_nothing}}),
               std::logic_error);
}

TEST(HostTable, SudoersRuleEscapesWhatSudoersReadsSpecially) {
  const std::vector<host_command> commands{
      {.id = "a", .argv = {"tool", "k=v,w", "x:y", "%p\\0", "^"}, .sudo_path = "/usr/bin/tool"},
      {.id = "b", .argv = {"cat", "/etc/x"}}};  // not privileged: not granted
  EXPECT_EQ(sudoers_rule(commands, "audit-bk", backup_host{}),
            R"(audit-bk ALL=(root) NOPASSWD: /usr/bin/tool k\=v\,w x\:y %p\\\\0 ^)");
  for (const auto* account : {"ALL", "Audit", "", "-x", "a b", "a,b", "%sudo"})
    EXPECT_THROW(sudoers_rule(commands, account, backup_host{}), std::invalid_argument) << account;
  backup_host repo;
  repo.roles = {"repository"};
  for (const auto* path : {"relative/path", "/srv/x*y", "/srv/a\\b", "/srv/a\nb", "/srv/#1"}) {
    repo.repository_path = path;
    EXPECT_THROW(sudoers_rule(commands, "audit", repo), std::invalid_argument) << path;
  }
}

TEST(HostTable, SudoersRuleGrantsTheRepositoryCommandsOfARepositoryHost) {
  backup_host h;
  const auto& commands = linux_host_table().commands;
  const auto plain = sudoers_rule(commands, "cloison-audit", h);
  EXPECT_EQ(plain.find("/usr/bin/find"), std::string::npos) << plain;
  h.roles = {"repository"};
  h.repository_path = kRepo;
  // as docs/inventory.md shows it (four backslashes: sudoers, then its wildcard matching)
  EXPECT_TRUE(sudoers_rule(commands, "cloison-audit", h)
                  .ends_with(", /usr/bin/find " + kRepo +
                             R"( -xdev -type f ( -name *.vbk -o -name *.vib -o -name *.vrb ) )"
                             R"(-printf %T@\\\\t%p\\\\0, /usr/bin/lsattr -- )" +
                             kRepo + "/*"));
  h.repository_path = kRepo + "/";
  EXPECT_TRUE(
      sudoers_rule(commands, "cloison-audit", h).ends_with("/usr/bin/lsattr -- " + kRepo + "/*"));
}

}  // namespace
}  // namespace cloison
