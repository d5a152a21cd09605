#include "probes/reachability/ssh_connector.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "probes/transport/local_runner.h"
#include "tests/support.h"

namespace cloison {
namespace {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;
using testing::fixture_text;
using testing::temp_dir;

connect_target at(const char* address, std::uint16_t port) {
  return {*ip_address::parse(address), port};
}

// ---------------------------------------------------------------- direct-tcpip refusals

TEST(ChannelOpenFailure, ParsesLibsshText) {
  // libssh 0.10 (channels.c, ssh_packet_channel_open_fail) with OpenSSH 9.2's reason texts.
  const auto f = parse_channel_open_failure(
      "Channel opening failure: channel 44 error (2) Connection refused");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->channel, 44u);
  EXPECT_EQ(f->code, 2u);
  EXPECT_EQ(f->text, "Connection refused");
  const auto p =
      parse_channel_open_failure("Channel opening failure: channel 43 error (1) open failed");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->code, 1u);
  EXPECT_EQ(p->text, "open failed");
}

TEST(ChannelOpenFailure, OtherErrorsAreNotRefusals) {
  EXPECT_FALSE(parse_channel_open_failure(""));
  EXPECT_FALSE(parse_channel_open_failure("Socket error: disconnected"));
  EXPECT_FALSE(parse_channel_open_failure("Unknown channel id 57"));
  EXPECT_FALSE(parse_channel_open_failure("Channel opening failure: channel x error (2) y"));
  EXPECT_FALSE(parse_channel_open_failure("Channel opening failure: channel 3 error 2 y"));
}

TEST(ChannelOpenFailure, VerdictsAsForLocalProbing) {
  auto verdict_of = [](unsigned code, std::string text) {
    return verdict_of_open_failure({43, code, std::move(text)});
  };
  auto refused = verdict_of(2, "Connection refused");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->v, verdict::refused);
  EXPECT_EQ(refused->error, "");
  auto no_route = verdict_of(2, "No route to host");
  ASSERT_TRUE(no_route);
  EXPECT_EQ(no_route->v, verdict::unreachable);
  EXPECT_EQ(no_route->error, "EHOSTUNREACH");
  auto no_net = verdict_of(2, "Network is unreachable");
  ASSERT_TRUE(no_net);
  EXPECT_EQ(no_net->v, verdict::unreachable);
  EXPECT_EQ(no_net->error, "ENETUNREACH");
  auto timed_out = verdict_of(2, "Connection timed out");  // the sshd's kernel gave up first
  ASSERT_TRUE(timed_out);
  EXPECT_EQ(timed_out->v, verdict::filtered);
  auto rejected = verdict_of(2, "Permission denied");  // a local reject rule at the vantage point
  ASSERT_TRUE(rejected);
  EXPECT_EQ(rejected->v, verdict::unreachable);
  EXPECT_EQ(rejected->error, "EACCES");
}

TEST(ChannelOpenFailure, WhatTheSshdDidNotTryGoesToTheCommand) {
  // AllowTcpForwarding no / PermitOpen: administratively prohibited.
  EXPECT_FALSE(verdict_of_open_failure({43, 1, "open failed"}));
  // A connect that failed before it started (OpenSSH says only "open failed").
  EXPECT_FALSE(verdict_of_open_failure({43, 2, "open failed"}));
  // Resource shortage, unknown channel type, an unknown text.
  EXPECT_FALSE(verdict_of_open_failure({43, 4, "Connection refused"}));
  EXPECT_FALSE(verdict_of_open_failure({43, 3, "unknown channel type"}));
  EXPECT_FALSE(verdict_of_open_failure({43, 2, "Connexion refusée"}));
}

// ---------------------------------------------------------------- the command fallback

TEST(ConnectCommand, AddressesAndPortsAreArgvData) {
  const std::vector<connect_target> batch{at("198.18.2.10", 22), at("fd00:0:0::5", 9392)};
  const auto argv = connect_command(batch, 1500ms);
  ASSERT_EQ(argv.size(), 9u);
  EXPECT_EQ(argv[0], "bash");
  EXPECT_EQ(argv[1], "-c");
  EXPECT_EQ(argv[2], kConnectScript);
  EXPECT_EQ(argv[3], "_");
  EXPECT_EQ(argv[4], "1.500");
  EXPECT_EQ(argv[5], "198.18.2.10");
  EXPECT_EQ(argv[6], "22");
  EXPECT_EQ(argv[7], "fd00::5");
  EXPECT_EQ(argv[8], "9392");
  EXPECT_EQ(connect_command(batch, 250ms)[4], "0.250");
  EXPECT_EQ(connect_command(batch, 12000ms)[4], "12.000");
}

// tests/data/reachability/README.md: the script run by bash in a throw-away network namespace.
TEST(ConnectOutput, RealOutputOfEveryVerdict) {
  const auto r = parse_connect_output(fixture_text("reachability/connect_script_loopback.txt"), 7);
  ASSERT_EQ(r.size(), 7u);
  for (const auto& x : r) {
    EXPECT_EQ(x.attempts, 1);
    EXPECT_EQ(x.method, probe_method::ssh_command);
    if (x.v != verdict::filtered) {
      EXPECT_GT(x.latency.count(), 0);
    }
  }
  EXPECT_EQ(r[0].v, verdict::open);
  EXPECT_EQ(r[0].error, "");
  EXPECT_EQ(r[1].v, verdict::refused);
  EXPECT_EQ(r[1].error, "");
  EXPECT_EQ(r[2].v, verdict::filtered);  // killed after the 1 s timeout: no end time
  EXPECT_EQ(r[2].latency, 0us);
  EXPECT_EQ(r[3].v, verdict::unreachable);
  EXPECT_EQ(r[3].error, "EHOSTUNREACH");
  EXPECT_EQ(r[4].v, verdict::unreachable);
  EXPECT_EQ(r[4].error, "EACCES");
  EXPECT_EQ(r[5].v, verdict::unreachable);
  EXPECT_EQ(r[5].error, "ENETUNREACH");
  EXPECT_EQ(r[6].v, verdict::refused);  // ::1, nothing listening there
}

// Without `sleep`, the script kills every connect at once and exits 125 without a line: no pair
// is taken as filtered.
TEST(ConnectOutput, SleepMissingMeansNotProbed) {
  const auto r = parse_connect_output(fixture_text("reachability/connect_script_no_sleep.txt"), 2);
  ASSERT_EQ(r.size(), 2u);
  for (const auto& x : r) {
    EXPECT_EQ(x.attempts, 0);
    EXPECT_EQ(x.error, "ssh: the connect command gave no result for this pair");
  }
}

TEST(ConnectOutput, AnotherStatusIsNotAVerdict) {
  const auto r = parse_connect_output("0 127 - - command not found\n", 1);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].attempts, 0);
  EXPECT_EQ(r[0].error, "ssh: the connect command failed (status 127: command not found)");
}

TEST(ConnectOutput, MissingMalformedAndForeignLinesLeavePairsUnprobed) {
  const auto r = parse_connect_output(
      "garbage\n"
      "1 0 1795920883.857135 1795920883.902391 \n"
      "1 1 1795920883.857135 1795920883.902391 Connection refused\n"  // a second line for 1
      "7 0 1795920883.857135 1795920883.902391 \n"                    // no such pair
      "0 x 1 2 \n"
      "2 1 - - Some new error\n",
      4);
  ASSERT_EQ(r.size(), 4u);
  EXPECT_EQ(r[0].attempts, 0);
  EXPECT_EQ(r[0].error, "ssh: the connect command gave no result for this pair");
  EXPECT_EQ(r[1].v, verdict::open);
  EXPECT_EQ(r[1].latency, 45256us);
  // Without $EPOCHREALTIME: no latency; an unknown connect error is unreachable, as locally.
  EXPECT_EQ(r[2].attempts, 1);
  EXPECT_EQ(r[2].v, verdict::unreachable);
  EXPECT_EQ(r[2].error, "Some new error");
  EXPECT_EQ(r[2].latency.count(), 0);
  EXPECT_EQ(r[3].attempts, 0);
}

// The fixed script itself, run by this machine's bash on loopback (what the vantage point runs).
TEST(ConnectScript, RunsAndParsesOnLoopback) {
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(::listen(listener, 8), 0);
  socklen_t len = sizeof a;
  ASSERT_EQ(::getsockname(listener, reinterpret_cast<sockaddr*>(&a), &len), 0);
  const auto open_port = ntohs(a.sin_port);
  // A port that was free a moment ago: bound then closed.
  const int probe = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in b = a;
  b.sin_port = 0;
  ASSERT_EQ(::bind(probe, reinterpret_cast<sockaddr*>(&b), sizeof b), 0);
  len = sizeof b;
  ASSERT_EQ(::getsockname(probe, reinterpret_cast<sockaddr*>(&b), &len), 0);
  ::close(probe);
  const std::vector<connect_target> batch{at("127.0.0.1", open_port),
                                          at("127.0.0.1", ntohs(b.sin_port))};
  const auto run =
      local_runner{}.run(connect_command(batch, 2000ms), clock_type::now() + 20s, 1 << 20);
  ::close(listener);
  ASSERT_EQ(run.outcome, outcome::ok) << run.failure;
  EXPECT_EQ(run.exit_code, 0) << run.err;
  const auto r = parse_connect_output(run.out, 2);
  EXPECT_EQ(r[0].v, verdict::open) << run.out;
  EXPECT_EQ(r[0].attempts, 1);
  EXPECT_EQ(r[1].v, verdict::refused) << run.out;
  EXPECT_EQ(r[1].attempts, 1);
}

// ---------------------------------------------------------------- a real sshd on loopback

// An sshd of the test's own: 127.0.0.1 on a free high port, host and user keys in a temporary
// folder, the current user allowed by key; started and stopped by PID. Skipped without sshd.
// A TCP socket bound to an ephemeral port of 127.0.0.1 (not listening); `port` receives it.
int bound_loopback(std::uint16_t& port) {
  const int s = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
  port = ntohs(a.sin_port);
  return s;
}

class loopback_sshd {
 public:
  // netns: the network namespace (in /run/netns) sshd runs in; "" for this process's.
  explicit loopback_sshd(bool forwarding, const std::string& netns = "") {
    if (::access(kSshd, X_OK) != 0 || ::access(kKeygen, X_OK) != 0) {
      skip_ = "no " + std::string(kSshd) + " or " + kKeygen;
      return;
    }
    if (::geteuid() == 0 && !std::filesystem::exists("/run/sshd")) {
      skip_ = "sshd as root needs /run/sshd (privilege separation), absent here";
      return;
    }
    const passwd* pw = ::getpwuid(::getuid());
    if (pw == nullptr) {
      skip_ = "no passwd entry for this user";
      return;
    }
    user_ = pw->pw_name;
    const auto d = dir_.path();
    if (!keygen(d / "host") || !keygen(d / "user")) {
      skip_ = "ssh-keygen failed";
      return;
    }
    std::filesystem::copy_file(d / "user.pub", d / "authorized_keys");
    port_ = free_port();
    dir_.write("sshd_config",
               "ListenAddress 127.0.0.1:" + std::to_string(port_) + "\nHostKey " +
                   (d / "host").string() + "\nPidFile none\nAuthorizedKeysFile " +
                   (d / "authorized_keys").string() +
                   "\nStrictModes no\nUsePAM no\nPasswordAuthentication no\n"
                   "KbdInteractiveAuthentication no\nPermitRootLogin prohibit-password\n"
                   "AllowTcpForwarding " +
                   (forwarding ? "yes" : "no") + "\nLogLevel VERBOSE\n");
    std::ifstream pub(d / "host.pub");
    std::string type, key;
    pub >> type >> key;
    dir_.write("known_hosts",
               "[127.0.0.1]:" + std::to_string(port_) + " " + type + " " + key + "\n");
    const std::string config = (d / "sshd_config").string(), log = (d / "sshd.log").string();
    const std::string ns = netns.empty() ? "" : "/run/netns/" + netns;
    pid_ = ::fork();
    if (pid_ == 0) {
      if (!ns.empty()) {
        const int fd = ::open(ns.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0 || ::setns(fd, CLONE_NEWNET) != 0)
          ::_exit(126);
      }
      ::execl(kSshd, kSshd, "-D", "-f", config.c_str(), "-E", log.c_str(),
              static_cast<char*>(nullptr));
      ::_exit(127);
    }
    for (int i = 0; i < 100 && !listening(log); ++i)
      std::this_thread::sleep_for(50ms);
    if (!listening(log))
      skip_ = "sshd did not start: " + testing::read_text(log);
  }
  ~loopback_sshd() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  const std::string& skip() const { return skip_; }
  vantage_point vantage() const {
    vantage_point v;
    v.name = "loopback";
    v.segment = "test";
    v.via = "ssh";
    v.address = "127.0.0.1";
    v.ssh.user = user_;
    v.ssh.port = port_;
    v.ssh.key_file = (dir_.path() / "user").string();
    v.ssh.known_hosts = (dir_.path() / "known_hosts").string();
    return v;
  }

 private:
  static constexpr const char* kSshd = "/usr/sbin/sshd";
  static constexpr const char* kKeygen = "/usr/bin/ssh-keygen";

  static bool keygen(const std::filesystem::path& p) {
    const auto r = local_runner{}.run({kKeygen, "-q", "-t", "ed25519", "-N", "", "-f", p.string()},
                                      clock_type::now() + 20s, 1 << 16);
    return r.outcome == outcome::ok && r.exit_code == 0;
  }
  static std::uint16_t free_port() {
    std::uint16_t port = 0;
    ::close(bound_loopback(port));
    return port;
  }
  static bool listening(const std::string& log) {
    std::ifstream in(log);
    std::stringstream text;
    text << in.rdbuf();
    return text.str().find("Server listening on") != std::string::npos;
  }

  temp_dir dir_;
  std::string user_;
  std::uint16_t port_ = 0;
  pid_t pid_ = -1;
  std::string skip_;
};

// A listening socket on loopback (open) and a closed port (refused), several of each.
struct loopback_pairs {
  loopback_pairs() {
    std::uint16_t port = 0;
    for (int i = 0; i < 3; ++i) {
      const int s = bound_loopback(port);
      ::listen(s, 64);
      listeners.push_back(s);
      targets.push_back(at("127.0.0.1", port));
      expected.push_back(verdict::open);
    }
    for (int i = 0; i < 12; ++i) {
      closed.push_back(bound_loopback(port));  // bound, never listening: connections are refused
      targets.push_back(at("127.0.0.1", port));
      expected.push_back(verdict::refused);
    }
  }
  ~loopback_pairs() {
    for (int s : listeners)
      ::close(s);
    for (int s : closed)
      ::close(s);
  }
  std::vector<int> listeners, closed;
  std::vector<connect_target> targets;
  std::vector<verdict> expected;
};

prober_settings quick() {
  prober_settings s;
  s.timeout = 2000ms;
  s.retries = 1;
  return s;
}

TEST(SshConnectorLoopback, ForwardedChannelsGiveTheLocalVerdicts) {
  loopback_sshd sshd(true);
  if (!sshd.skip().empty())
    GTEST_SKIP() << sshd.skip();
  loopback_pairs pairs;
  ssh_connector c(sshd.vantage());
  // Twice on the same connection: the channel numbers stay right after the first call.
  for (int round = 0; round < 2; ++round) {
    const auto r = c.probe(pairs.targets, quick());
    ASSERT_EQ(r.size(), pairs.targets.size());
    const auto local = asio_connector{}.probe(pairs.targets, quick());
    for (std::size_t i = 0; i < r.size(); ++i) {
      EXPECT_EQ(r[i].attempts, 1) << i << " " << r[i].error;
      EXPECT_EQ(r[i].v, pairs.expected[i]) << i << " " << r[i].error;
      EXPECT_EQ(r[i].v, local[i].v) << i;
      EXPECT_EQ(r[i].method, probe_method::ssh_forward) << i;
    }
  }
}

TEST(SshConnectorLoopback, ForwardingRefusedFallsBackToTheCommand) {
  loopback_sshd sshd(false);
  if (!sshd.skip().empty())
    GTEST_SKIP() << sshd.skip();
  loopback_pairs pairs;
  // 4 batches (of 4, the last of 3), 2 running at once: 2 rounds, results in order.
  ssh_connector c(sshd.vantage(),
                  {.window = 128, .command_batch = 4, .command_parallel = 2, .forward = true});
  const auto r = c.probe(pairs.targets, quick());
  ASSERT_EQ(r.size(), pairs.targets.size());
  for (std::size_t i = 0; i < r.size(); ++i) {
    EXPECT_EQ(r[i].attempts, 1) << i << " " << r[i].error;
    EXPECT_EQ(r[i].v, pairs.expected[i]) << i << " " << r[i].error;
    EXPECT_EQ(r[i].method, probe_method::ssh_command) << i;
  }
}

TEST(SshConnector, NoConnectionMeansNotProbed) {
  temp_dir dir;
  vantage_point v;
  v.name = "nowhere";
  v.via = "ssh";
  v.address = "127.0.0.1";
  v.ssh.user = "nobody";
  v.ssh.port = 1;  // nothing listens on port 1 of loopback
  v.ssh.key_file = dir.write("missing-key-is-read-first", "not a key");
  v.ssh.known_hosts = dir.write("known_hosts", "");
  ssh_connector c(v);
  const std::vector<connect_target> t{at("127.0.0.1", 22), at("127.0.0.1", 80)};
  const auto r = c.probe(t, quick());
  ASSERT_EQ(r.size(), 2u);
  for (const auto& x : r) {
    EXPECT_EQ(x.attempts, 0);
    EXPECT_EQ(x.error.str().rfind("ssh: ", 0), 0u) << x.error;
  }
}

// In a network namespace made by the test (root only, deleted afterwards; nothing leaves it): the
// sshd and the probing thread stand in it; 198.18.254.0/24 is local but nftables drops every
// packet to it (no answer: filtered), 198.18.253.0/24 is an unreachable route (EHOSTUNREACH).
class SshConnectorNetns : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (::geteuid() != 0)
      return;
    name_ = "cloison-sc-" + std::to_string(::getpid());
    const std::vector<std::vector<std::string>> steps{
        {"ip", "netns", "add", name_},
        {"ip", "-n", name_, "link", "set", "lo", "up"},
        {"ip", "-n", name_, "route", "add", "local", "198.18.254.0/24", "dev", "lo"},
        {"ip", "netns", "exec", name_, "nft", "add", "table", "inet", "cloison_test"},
        {"ip", "netns", "exec", name_, "nft", "add", "chain", "inet", "cloison_test", "in",
         "{ type filter hook input priority 0; policy accept; }"},
        {"ip", "netns", "exec", name_, "nft", "add", "rule", "inet", "cloison_test", "in", "ip",
         "daddr", "198.18.254.0/24", "drop"},
        {"ip", "-n", name_, "route", "add", "unreachable", "198.18.253.0/24"},
    };
    for (const auto& argv : steps) {
      const auto r = local_runner{}.run(argv, clock_type::now() + 10s, 65536);
      if (r.outcome != outcome::ok || r.exit_code != 0) {
        failure_ =
            "`" + argv[0] + " " + argv[1] + " " + argv[2] + " ...` failed: " + r.err + r.failure;
        return;
      }
    }
    ready_ = true;
  }
  static void TearDownTestSuite() {
    if (!name_.empty())
      local_runner{}.run({"ip", "netns", "del", name_}, clock_type::now() + 10s, 65536);
  }
  void SetUp() override {
    if (::geteuid() != 0)
      GTEST_SKIP() << "needs root (network namespace)";
    if (!ready_)
      GTEST_SKIP() << "no network namespace: " << failure_;
  }
  // Runs f on a thread that entered the namespace (the SSH connection is made from there).
  static void in_netns(const std::function<void()>& f) {
    std::thread t([&] {
      const int fd = ::open(("/run/netns/" + name_).c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0 || ::setns(fd, CLONE_NEWNET) != 0) {
        ADD_FAILURE() << "setns failed";
        if (fd >= 0)
          ::close(fd);
        return;
      }
      ::close(fd);
      f();
    });
    t.join();
  }

  static inline std::string name_;
  static inline std::string failure_;
  static inline bool ready_ = false;
};

TEST_F(SshConnectorNetns, SilenceIsFilteredAbandonedOpensStayBoundedAndTheSessionUsable) {
  loopback_sshd sshd(true, name_);
  if (!sshd.skip().empty())
    GTEST_SKIP() << sshd.skip();
  // A window of 4: filtered pairs wait in direct-tcpip opens that the sshd cannot cancel (its
  // kernel retries the SYN for minutes); with 4 pending, the rest go to the command.
  ssh_connector c(sshd.vantage(), {.window = 4, .command_batch = 8, .forward = true});
  std::vector<connect_target> t{at("198.18.253.1", 22)};
  for (std::uint16_t port = 1000; port < 1010; ++port)
    t.push_back(at("198.18.254.2", port));
  in_netns([&] {
    const prober_settings s{.timeout = 300ms, .retries = 0};
    for (int round = 0; round < 2; ++round) {
      const auto t0 = clock_type::now();
      const auto r = c.probe(t, s);
      const auto took = clock_type::now() - t0;
      ASSERT_EQ(r.size(), t.size());
      EXPECT_EQ(r[0].v, verdict::unreachable) << r[0].error;
      EXPECT_EQ(r[0].error, "EHOSTUNREACH");
      EXPECT_EQ(r[0].attempts, 1);
      // The sshd's connect failed before it started: it says only "open failed" (OpenSSH 9.2),
      // so the command asked again and told why.
      EXPECT_EQ(r[0].method, probe_method::ssh_command);
      std::size_t forwarded = 0;
      for (std::size_t i = 1; i < r.size(); ++i) {
        EXPECT_EQ(r[i].v, verdict::filtered) << round << " " << i << " " << r[i].error;
        EXPECT_EQ(r[i].attempts, 1) << round << " " << i;
        EXPECT_GE(r[i].latency, 250ms) << round << " " << i;
        forwarded += r[i].method == probe_method::ssh_forward;
      }
      // Round 0: 4 opens time out and stay pending at the sshd; round 1 finds the window still
      // full of them and asks everything through the command, on the same session.
      EXPECT_EQ(forwarded, round == 0 ? 4u : 0u) << round;
      EXPECT_LT(took, 10s) << round;
    }
  });
}

}  // namespace
}  // namespace cloison
