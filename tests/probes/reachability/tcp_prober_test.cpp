#include "probes/reachability/tcp_prober.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "probes/transport/local_runner.h"

namespace cloison {
namespace {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

ip_address addr(const char* text) {
  auto a = ip_address::parse(text);
  if (!a)
    throw std::invalid_argument(text);
  return *a;
}

// A TCP socket bound to an ephemeral port of `host`. Listening (and accepting, then closing, on a
// thread) when `listening`; otherwise it only reserves the port, so connecting to it is refused.
class port {
 public:
  // Bound to `number` (0: any free port) on `host`, listening or not (a bound socket that does not
  // listen is refused, and keeps the port from anyone else on that address).
  port(const char* host, bool listening, std::uint16_t number = 0) {
    const auto a = addr(host);
    fd_ = socket(a.v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd_ < 0)
      return;
    sockaddr_storage ss{};
    socklen_t len = 0;
    if (a.v6) {
      auto& s6 = reinterpret_cast<sockaddr_in6&>(ss);
      s6.sin6_family = AF_INET6;
      s6.sin6_port = htons(number);
      std::copy(a.bytes.begin(), a.bytes.end(), s6.sin6_addr.s6_addr);
      len = sizeof s6;
    } else {
      auto& s4 = reinterpret_cast<sockaddr_in&>(ss);
      s4.sin_family = AF_INET;
      s4.sin_port = htons(number);
      std::copy_n(a.bytes.begin(), 4, reinterpret_cast<unsigned char*>(&s4.sin_addr));
      len = sizeof s4;
    }
    if (bind(fd_, reinterpret_cast<sockaddr*>(&ss), len) != 0 ||
        getsockname(fd_, reinterpret_cast<sockaddr*>(&ss), &len) != 0 ||
        (listening && listen(fd_, 4096) != 0)) {
      close(fd_);
      fd_ = -1;
      return;
    }
    number_ = ntohs(a.v6 ? reinterpret_cast<sockaddr_in6&>(ss).sin6_port
                         : reinterpret_cast<sockaddr_in&>(ss).sin_port);
    if (listening)
      acceptor_ = std::thread([this] { accept_loop(); });
  }
  ~port() {
    stop_ = true;
    if (acceptor_.joinable())
      acceptor_.join();
    if (fd_ >= 0)
      close(fd_);
  }
  port(const port&) = delete;
  port& operator=(const port&) = delete;

  bool ok() const { return fd_ >= 0; }
  std::uint16_t number() const { return number_; }

 private:
  void accept_loop() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 20) <= 0)
        continue;
      while (true) {
        const int c = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (c < 0)
          break;
        close(c);
      }
    }
  }

  int fd_ = -1;
  std::uint16_t number_ = 0;
  std::atomic<bool> stop_{false};
  std::thread acceptor_;
};

std::vector<connect_result> probe(const std::vector<connect_target>& targets,
                                  prober_settings s = {}) {
  return asio_connector{}.probe(targets, s);
}

TEST(TargetList, NumbersPairsRangeAfterRangeWithoutStoringThem) {
  const auto a = *ip_address::parse("198.18.201.10");
  const auto b = *ip_address::parse("2001:db8::10");
  const target_list all({{a, 1, 65535}, {b, 22, 22}, {a, 80, 81}});
  EXPECT_EQ(all.size(), 65535u + 1 + 2);
  EXPECT_EQ(all[0].address, a);
  EXPECT_EQ(all[0].port, 1);
  EXPECT_EQ(all[65534].port, 65535);
  EXPECT_EQ(all[65535].address, b);
  EXPECT_EQ(all[65535].port, 22);
  EXPECT_EQ(all[65536].address, a);
  EXPECT_EQ(all[65537].port, 81);
  EXPECT_THROW(target_list({{a, 443, 80}}), std::invalid_argument);
  EXPECT_TRUE(target_list().empty());
}

TEST(TargetList, AListOfPairsKeepsItsOrder) {
  const auto a = *ip_address::parse("10.0.0.1");
  const auto b = *ip_address::parse("10.0.0.2");
  const std::vector<connect_target> pairs{{a, 22}, {a, 23}, {b, 24}, {a, 24}, {a, 21}};
  const target_list list(pairs);
  ASSERT_EQ(list.size(), pairs.size());
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    EXPECT_EQ(list[i].address, pairs[i].address) << i;
    EXPECT_EQ(list[i].port, pairs[i].port) << i;
  }
}

TEST(TcpProber, VerdictNames) {
  EXPECT_EQ(to_string(verdict::open), "open");
  EXPECT_EQ(to_string(verdict::refused), "refused");
  EXPECT_EQ(to_string(verdict::filtered), "filtered");
  EXPECT_EQ(to_string(verdict::unreachable), "unreachable");
}

TEST(TcpProber, EmptyInputGivesNoResults) {
  EXPECT_TRUE(probe({}).empty());
  EXPECT_TRUE(probe({}, prober_settings{.timeout = 10ms, .retries = 0, .concurrency = 1}).empty());
}

TEST(TcpProber, NegativeSettingsAreRejected) {
  const std::vector<connect_target> one{{addr("127.0.0.1"), 9}};
  EXPECT_THROW(probe(one, prober_settings{.timeout = -1ms}), std::invalid_argument);
  EXPECT_THROW(probe(one, prober_settings{.retries = -1}), std::invalid_argument);
  EXPECT_THROW(probe(one, prober_settings{.retries = 65535}), std::invalid_argument);  // 16 bits
}

TEST(TcpProber, LoopbackOpenAndRefused) {
  port listening("127.0.0.1", true), closed("127.0.0.1", false);
  ASSERT_TRUE(listening.ok() && closed.ok());
  const auto r =
      probe({{addr("127.0.0.1"), listening.number()}, {addr("127.0.0.1"), closed.number()}},
            prober_settings{.timeout = 2000ms, .retries = 3});
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].v, verdict::open);
  EXPECT_EQ(r[0].attempts, 1);
  EXPECT_EQ(r[0].error, "");
  EXPECT_LT(r[0].latency, 2000ms);
  EXPECT_EQ(r[1].v, verdict::refused);
  EXPECT_EQ(r[1].attempts, 1);  // refused is final: never retried
  EXPECT_EQ(r[1].error, "");
  EXPECT_LT(r[1].latency, 2000ms);
}

TEST(TcpProber, Ipv6LoopbackOpenAndRefused) {
  port listening("::1", true), closed("::1", false);
  if (!listening.ok() || !closed.ok())
    GTEST_SKIP() << "no IPv6 loopback on this machine";
  const auto r = probe({{addr("::1"), closed.number()}, {addr("::1"), listening.number()}},
                       prober_settings{.timeout = 2000ms, .retries = 1});
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].v, verdict::refused);
  EXPECT_EQ(r[0].attempts, 1);
  EXPECT_EQ(r[1].v, verdict::open);
  EXPECT_EQ(r[1].attempts, 1);
}

TEST(TcpProber, ManyTargetsUnderASmallWindowKeepTheirOrder) {
  port a("127.0.0.1", true), b("127.0.0.1", true), closed1("127.0.0.1", false),
      closed2("127.0.0.1", false);
  ASSERT_TRUE(a.ok() && b.ok() && closed1.ok() && closed2.ok());
  const std::uint16_t ports[] = {a.number(), closed1.number(), b.number(), closed2.number()};
  // Tests running at the same time may listen on 127.0.0.2 (daemon.process): the four numbers are
  // held there too, bound without listening, so that every 127.0.0.2 target stays refused.
  port held[] = {{"127.0.0.2", false, ports[0]},
                 {"127.0.0.2", false, ports[1]},
                 {"127.0.0.2", false, ports[2]},
                 {"127.0.0.2", false, ports[3]}};
  for (const auto& h : held)
    ASSERT_TRUE(h.ok());
  std::vector<connect_target> targets;
  for (int i = 0; i < 1000; ++i)
    targets.push_back({addr(i % 5 == 0 ? "127.0.0.2" : "127.0.0.1"), ports[(i * 7) % 4]});
  const auto r =
      probe(targets, prober_settings{.timeout = 5000ms, .retries = 1, .concurrency = 10});
  ASSERT_EQ(r.size(), targets.size());
  for (std::size_t i = 0; i < targets.size(); ++i) {
    // a and b listen on 127.0.0.1 only: 127.0.0.2 is refused everywhere.
    const bool open = targets[i].address == addr("127.0.0.1") &&
                      (targets[i].port == a.number() || targets[i].port == b.number());
    EXPECT_EQ(r[i].v, open ? verdict::open : verdict::refused) << "target " << i;
    EXPECT_EQ(r[i].attempts, 1) << "target " << i;
  }
}

TEST(TcpProber, EffectiveConcurrency) {
  EXPECT_EQ(effective_concurrency(10, 1000), 10u);
  EXPECT_EQ(effective_concurrency(10, 3), 3u);
  EXPECT_EQ(effective_concurrency(10, 0), 1u);
  const std::size_t derived = effective_concurrency(0, 1'000'000);
  EXPECT_GE(derived, 1u);
  rlimit lim{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &lim), 0);
  EXPECT_LT(derived, lim.rlim_cur);  // headroom kept
}

TEST(TcpProber, RaisesTheOpenFileLimitToTheHardLimit) {
  const std::size_t soft = raise_open_file_limit();
  rlimit lim{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &lim), 0);
  EXPECT_EQ(soft, lim.rlim_cur);
  if (lim.rlim_max != RLIM_INFINITY) {
    EXPECT_EQ(lim.rlim_cur, lim.rlim_max);
  }
}

// The RLIMIT_NOFILE soft limit that leaves exactly `n` descriptors free (the limit bounds the
// descriptor numbers, and free numbers may be holes below the highest open one).
rlim_t limit_leaving(int n) {
  int fd = 0;
  for (; n > 0; ++fd) {
    if (fcntl(fd, F_GETFD) < 0)
      --n;
  }
  return static_cast<rlim_t>(fd);
}

// Restores RLIMIT_NOFILE at scope exit.
class nofile_limit {
 public:
  explicit nofile_limit(rlim_t soft) {
    getrlimit(RLIMIT_NOFILE, &saved_);
    rlimit lowered = saved_;
    lowered.rlim_cur = soft;
    setrlimit(RLIMIT_NOFILE, &lowered);
  }
  ~nofile_limit() { setrlimit(RLIMIT_NOFILE, &saved_); }

 private:
  rlimit saved_{};
};

TEST(TcpProber, ShrinksItsWindowWhenDescriptorsRunOut) {
  port listening("127.0.0.1", true), closed("127.0.0.1", false);
  ASSERT_TRUE(listening.ok() && closed.ok());
  std::vector<connect_target> targets;
  for (int i = 0; i < 300; ++i)
    targets.push_back({addr("127.0.0.1"), i % 2 ? listening.number() : closed.number()});
  std::vector<connect_result> r;
  {
    // Room for the io_context (3 descriptors), the acceptor's accepted socket and ~8 attempts,
    // while the window asks for 100.
    nofile_limit limit(limit_leaving(12));
    r = probe(targets, prober_settings{.timeout = 5000ms, .retries = 0, .concurrency = 100});
  }
  ASSERT_EQ(r.size(), targets.size());
  for (std::size_t i = 0; i < targets.size(); ++i) {
    EXPECT_EQ(r[i].v, i % 2 ? verdict::open : verdict::refused) << "target " << i;
    EXPECT_EQ(r[i].attempts, 1) << "target " << i;
    EXPECT_EQ(r[i].error, "") << "target " << i;
  }
}

TEST(TcpProber, NoDescriptorAtAllIsALocalFailureNotAVerdict) {
  port closed("127.0.0.1", false);
  ASSERT_TRUE(closed.ok());
  std::vector<connect_result> r;
  {
    nofile_limit limit(limit_leaving(3));  // the io_context's own descriptors only
    // An explicit window: a derived one would raise the limit back.
    r = probe({{addr("127.0.0.1"), closed.number()}, {addr("127.0.0.1"), closed.number()}},
              prober_settings{.concurrency = 2});
  }
  ASSERT_EQ(r.size(), 2u);
  for (const auto& one : r) {
    EXPECT_EQ(one.attempts, 0);
    EXPECT_EQ(one.error.str().rfind("local: socket: ", 0), 0u) << one.error;
  }
}

// ---------------------------------------------------------------------------------------------
// Filtered and unreachable destinations, in a network namespace made by the test (root only):
// 198.18.254.0/24 is local (on lo) but an nftables rule drops every packet to it (no answer:
// filtered), and routes reject 198.18.253.0/24 (unreachable: EHOSTUNREACH) and 198.18.252.0/24
// (prohibit: EACCES); 198.18.251.0/24 has no route (ENETUNREACH). Nothing leaves the namespace.
class TcpProberNetns : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (geteuid() != 0)
      return;
    name_ = "cloison-tp-" + std::to_string(getpid());
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
        {"ip", "-n", name_, "route", "add", "prohibit", "198.18.252.0/24"},
    };
    for (const auto& argv : steps) {
      const auto r = local_runner{}.run(argv, clock_type::now() + 10s, 65536);
      if (to_string(r.outcome) != "ok" || r.exit_code != 0) {
        failure_ = "`" + argv[0] + " " + argv[1] + " " + argv[2] + " " + argv[3] +
                   " ...` failed: " + r.err + r.failure;
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
    if (geteuid() != 0)
      GTEST_SKIP() << "needs root (network namespace)";
    if (!ready_)
      GTEST_SKIP() << "no network namespace: " << failure_;
  }

  // Runs f on a thread that entered the namespace (sockets it creates belong to it).
  template <typename F>
  static void in_netns(F f) {
    std::string error;
    std::thread t([&] {
      const int fd = open(("/run/netns/" + name_).c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0 || setns(fd, CLONE_NEWNET) != 0) {
        error = "setns failed";
        if (fd >= 0)
          close(fd);
        return;
      }
      close(fd);
      f();
    });
    t.join();
    ASSERT_EQ(error, "");
  }

  static inline std::string name_;
  static inline std::string failure_;
  static inline bool ready_ = false;
};

TEST_F(TcpProberNetns, SilenceIsFilteredAfterEveryRetry) {
  std::vector<connect_result> r;
  clock_type::duration took{};
  in_netns([&] {
    const auto t0 = clock_type::now();
    r = probe({{addr("198.18.254.2"), 443}}, prober_settings{.timeout = 100ms, .retries = 2});
    took = clock_type::now() - t0;
  });
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].v, verdict::filtered);
  EXPECT_EQ(r[0].attempts, 3);
  EXPECT_EQ(r[0].error, "");
  EXPECT_GE(r[0].latency, 95ms);  // the last attempt's duration: one timeout
  EXPECT_LT(r[0].latency, 1000ms);
  EXPECT_GE(took, 295ms);  // three attempts of 100 ms, one after the other
  EXPECT_LT(took, 3000ms);
}

TEST_F(TcpProberNetns, NoRetryMeansOneAttempt) {
  std::vector<connect_result> r;
  in_netns([&] {
    r = probe({{addr("198.18.254.3"), 22}}, prober_settings{.timeout = 50ms, .retries = 0});
  });
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].v, verdict::filtered);
  EXPECT_EQ(r[0].attempts, 1);
}

TEST_F(TcpProberNetns, UnreachableIsFinalAndNamed) {
  std::vector<connect_result> r;
  in_netns([&] {
    r = probe({{addr("198.18.253.1"), 22}, {addr("198.18.252.1"), 22}, {addr("198.18.251.1"), 22}},
              prober_settings{.timeout = 2000ms, .retries = 3});
  });
  ASSERT_EQ(r.size(), 3u);
  for (const auto& one : r) {
    EXPECT_EQ(one.v, verdict::unreachable);
    EXPECT_EQ(one.attempts, 1);  // never retried
    EXPECT_LT(one.latency, 2000ms);
  }
  EXPECT_EQ(r[0].error, "EHOSTUNREACH");
  EXPECT_EQ(r[1].error, "EACCES");
  EXPECT_EQ(r[2].error, "ENETUNREACH");
}

TEST_F(TcpProberNetns, WindowBoundsTheAttemptsInFlight) {
  std::vector<connect_target> targets;
  for (int i = 0; i < 6; ++i)
    targets.push_back({addr("198.18.254.9"), static_cast<std::uint16_t>(1000 + i)});
  std::vector<connect_result> narrow, wide;
  clock_type::duration narrow_took{}, wide_took{};
  in_netns([&] {
    auto t0 = clock_type::now();
    narrow = probe(targets, prober_settings{.timeout = 100ms, .retries = 0, .concurrency = 2});
    narrow_took = clock_type::now() - t0;
    t0 = clock_type::now();
    wide = probe(targets, prober_settings{.timeout = 100ms, .retries = 0, .concurrency = 6});
    wide_took = clock_type::now() - t0;
  });
  for (const auto* r : {&narrow, &wide}) {
    ASSERT_EQ(r->size(), targets.size());
    for (const auto& one : *r) {
      EXPECT_EQ(one.v, verdict::filtered);
      EXPECT_EQ(one.attempts, 1);
    }
  }
  EXPECT_GE(narrow_took, 295ms);  // 6 timeouts, 2 at a time
  EXPECT_LT(wide_took, 290ms);    // 6 timeouts at once
}

TEST_F(TcpProberNetns, MixedMatrixKeepsOrder) {
  std::vector<connect_result> r;
  std::vector<verdict> expected;
  in_netns([&] {
    port listening("127.0.0.1", true), closed("127.0.0.1", false);
    ASSERT_TRUE(listening.ok() && closed.ok());
    std::vector<connect_target> targets;
    for (int i = 0; i < 40; ++i) {
      switch (i % 4) {
        case 0:
          targets.push_back({addr("127.0.0.1"), listening.number()});
          expected.push_back(verdict::open);
          break;
        case 1:
          targets.push_back({addr("127.0.0.1"), closed.number()});
          expected.push_back(verdict::refused);
          break;
        case 2:
          targets.push_back({addr("198.18.254.7"), static_cast<std::uint16_t>(2000 + i)});
          expected.push_back(verdict::filtered);
          break;
        default:
          targets.push_back({addr("198.18.253.7"), static_cast<std::uint16_t>(2000 + i)});
          expected.push_back(verdict::unreachable);
      }
    }
    r = probe(targets, prober_settings{.timeout = 100ms, .retries = 1, .concurrency = 7});
  });
  ASSERT_EQ(r.size(), expected.size());
  for (std::size_t i = 0; i < r.size(); ++i) {
    EXPECT_EQ(r[i].v, expected[i]) << "target " << i;
    EXPECT_EQ(r[i].attempts, expected[i] == verdict::filtered ? 2 : 1) << "target " << i;
  }
}

}  // namespace
}  // namespace cloison
