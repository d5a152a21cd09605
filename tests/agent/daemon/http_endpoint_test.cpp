#include "agent/daemon/http_endpoint.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <functional>
#include <list>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "agent/daemon/metrics.h"

namespace cloison {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using response = http::response<http::string_body>;
using namespace std::chrono_literals;

constexpr const char* kMetricsBody = "cloison_audit_running 0\n";
constexpr const char* kToken = "s3cret-token-0123456789";

// An endpoint on 127.0.0.1 (an ephemeral port) whose io_context a thread runs, with routes that
// count their calls; /run starts an audit once, then says one is running.
class served {
 public:
  explicit served(
      std::optional<std::string> token = {}, http_limits limits = {},
      std::function<std::string()> metrics = [] { return kMetricsBody; })
      : endpoint_(io_, "127.0.0.1:0", std::move(token),
                  {.metrics =
                       [this, metrics] {
                         ++metrics_calls;
                         return metrics();
                       },
                   .run_now =
                       [this] {
                         ++run_calls;
                         return !std::exchange(running_, true);
                       },
                   .healthy = [this] { return healthy.load(); }},
                  limits),
        thread_([this] { io_.run(); }) {}
  ~served() { stop(); }

  // Stops the endpoint on its thread and waits for the io_context to run out of work.
  void stop() {
    if (!thread_.joinable())
      return;
    asio::post(io_, [this] { endpoint_.stop(); });
    thread_.join();
  }

  unsigned short port() const { return endpoint_.port(); }

  std::atomic<int> metrics_calls = 0;
  std::atomic<int> run_calls = 0;
  std::atomic<bool> healthy = true;

 private:
  asio::io_context io_;
  bool running_ = false;  // on the io_context's thread only
  http_endpoint endpoint_;
  std::thread thread_;
};

// One client connection, kept alive across requests.
class client {
 public:
  explicit client(unsigned short port, const char* address = "127.0.0.1") : stream_(io_) {
    stream_.connect(tcp::endpoint(asio::ip::make_address(address), port));
  }

  response ask(http::verb method, const std::string& target,
               const std::optional<std::string>& authorization = {}, std::string body = {},
               bool keep_alive = true) {
    http::request<http::string_body> req{method, target, 11};
    req.set(http::field::host, "127.0.0.1");
    if (authorization)
      req.set(http::field::authorization, *authorization);
    req.keep_alive(keep_alive);
    req.body() = std::move(body);
    req.prepare_payload();
    http::write(stream_, req);
    return read();
  }

  void send_raw(const std::string& bytes) { asio::write(stream_, asio::buffer(bytes)); }

  response read() {
    response res;
    http::read(stream_, buffer_, res);
    return res;
  }

  // Whether the server closes the connection within `limit` (reading and dropping what it sends);
  // the connection stays usable when it does not.
  bool closed_within(std::chrono::milliseconds limit) {
    bool closed = false;
    asio::steady_timer timer(io_, limit);
    timer.async_wait([&](beast::error_code) { stream_.socket().cancel(); });
    std::function<void()> next = [&] {
      stream_.async_read_some(asio::buffer(scratch_), [&](beast::error_code ec, std::size_t) {
        if (!ec)
          return next();
        closed = ec != asio::error::operation_aborted;
        timer.cancel();
      });
    };
    next();
    io_.run();
    io_.restart();
    return closed;
  }

 private:
  asio::io_context io_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::array<char, 4096> scratch_;
};

response ask(unsigned short port, http::verb method, const std::string& target,
             const std::optional<std::string>& authorization = {}) {
  return client(port).ask(method, target, authorization);
}

TEST(HttpEndpoint, MetricsAreServedAsPrometheusText) {
  served s;
  const auto res = ask(s.port(), http::verb::get, "/metrics");
  EXPECT_EQ(res.result(), http::status::ok);
  EXPECT_EQ(res[http::field::content_type], "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(res.body(), kMetricsBody);
  EXPECT_EQ(ask(s.port(), http::verb::get, "/metrics?name[]=x").body(), kMetricsBody);
  EXPECT_EQ(s.metrics_calls, 2);
}

TEST(HttpEndpoint, ListensOnIpv6Loopback) {
  asio::io_context io;
  http_endpoint endpoint(io, "[::1]:0", std::nullopt,
                         {.metrics = [] { return "x 1\n"; }, .run_now = {}, .healthy = {}});
  std::thread runner([&] { io.run(); });
  const auto res = client(endpoint.port(), "::1").ask(http::verb::get, "/metrics");
  asio::post(io, [&] { endpoint.stop(); });
  runner.join();
  EXPECT_EQ(res.body(), "x 1\n");
}

TEST(HttpEndpoint, HealthzSaysOkOrUnavailable) {
  served s;
  auto res = ask(s.port(), http::verb::get, "/healthz");
  EXPECT_EQ(res.result(), http::status::ok);
  EXPECT_EQ(res.body(), "ok\n");
  s.healthy = false;
  EXPECT_EQ(ask(s.port(), http::verb::get, "/healthz").result(), http::status::service_unavailable);
}

TEST(HttpEndpoint, RunIsAcceptedThenRefusedWhileOneRuns) {
  served s;
  client c(s.port());
  EXPECT_EQ(c.ask(http::verb::post, "/run").result(), http::status::accepted);
  EXPECT_EQ(c.ask(http::verb::post, "/run").result(), http::status::conflict);
  EXPECT_EQ(s.run_calls, 2);
}

TEST(HttpEndpoint, UnknownPathsAreNotFound) {
  served s;
  EXPECT_EQ(ask(s.port(), http::verb::get, "/").result(), http::status::not_found);
  EXPECT_EQ(ask(s.port(), http::verb::get, "/metrics/x").result(), http::status::not_found);
  EXPECT_EQ(ask(s.port(), http::verb::post, "/runs").result(), http::status::not_found);
}

TEST(HttpEndpoint, OtherMethodsAreNotAllowedAndTheAllowedOneIsNamed) {
  served s;
  client c(s.port());
  auto res = c.ask(http::verb::get, "/run");
  EXPECT_EQ(res.result(), http::status::method_not_allowed);
  EXPECT_EQ(res[http::field::allow], "POST");
  res = c.ask(http::verb::post, "/metrics");
  EXPECT_EQ(res.result(), http::status::method_not_allowed);
  EXPECT_EQ(res[http::field::allow], "GET");
  res = c.ask(http::verb::delete_, "/healthz");
  EXPECT_EQ(res.result(), http::status::method_not_allowed);
  EXPECT_EQ(res[http::field::allow], "GET");
  EXPECT_EQ(s.run_calls, 0);
  EXPECT_EQ(s.metrics_calls, 0);
}

TEST(HttpEndpoint, WithATokenEveryRouteButHealthzNeedsIt) {
  served s(kToken);
  client c(s.port());
  const std::string right = std::string("Bearer ") + kToken;
  for (const auto& wrong :
       {std::optional<std::string>(), std::optional<std::string>("Bearer"),
        std::optional<std::string>("Bearer s3cret-token-0123456780"),
        std::optional<std::string>("Bearer s3cret"), std::optional<std::string>(right + "x"),
        std::optional<std::string>(std::string("Basic ") + kToken),
        std::optional<std::string>(kToken)}) {
    for (const auto& [method, target] :
         {std::pair{http::verb::get, "/metrics"}, std::pair{http::verb::post, "/run"},
          std::pair{http::verb::get, "/nowhere"}}) {
      const auto res = c.ask(method, target, wrong);
      EXPECT_EQ(res.result(), http::status::unauthorized) << target << " " << wrong.value_or("");
      EXPECT_EQ(res[http::field::www_authenticate], "Bearer realm=\"cloison\"");
      EXPECT_THAT(std::string(res.body()), ::testing::Not(::testing::HasSubstr(kToken)));
    }
  }
  EXPECT_EQ(s.metrics_calls, 0);
  EXPECT_EQ(s.run_calls, 0);

  EXPECT_EQ(c.ask(http::verb::get, "/healthz").result(), http::status::ok);
  EXPECT_EQ(c.ask(http::verb::get, "/metrics", right).body(), kMetricsBody);
  EXPECT_EQ(c.ask(http::verb::get, "/metrics", std::string("bearer ") + kToken).result(),
            http::status::ok);
  EXPECT_EQ(c.ask(http::verb::post, "/run", right).result(), http::status::accepted);
  EXPECT_EQ(c.ask(http::verb::get, "/nowhere", right).result(), http::status::not_found);
}

TEST(HttpEndpoint, ListeningOffLoopbackNeedsAToken) {
  asio::io_context io;
  for (const char* listen : {"0.0.0.0:0", "[::]:0", "192.0.2.1:0"})
    EXPECT_THROW(http_endpoint(io, listen, std::nullopt, {}), std::invalid_argument) << listen;
  EXPECT_THROW(http_endpoint(io, "127.0.0.1:0", std::string(), {}), std::invalid_argument);
}

TEST(HttpEndpoint, ListenAddressesAreIpAndPort) {
  asio::io_context io;
  for (const char* listen : {"localhost:9469", "::1:9469", "127.0.0.1", "127.0.0.1:", "[::1]",
                             "127.0.0.1:99999", "127.0.0.1:x", "127.0.0.1:-1", ":9469", "[]:9469"})
    EXPECT_THROW(http_endpoint(io, listen, std::nullopt, {}), std::invalid_argument) << listen;
}

TEST(HttpEndpoint, APortInUseIsNamed) {
  served s;
  asio::io_context io;
  const auto listen = "127.0.0.1:" + std::to_string(s.port());
  try {
    http_endpoint second(io, listen, std::nullopt, {});
    ADD_FAILURE() << "a second endpoint listened on " << listen;
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr(listen));
  }
}

TEST(HttpEndpoint, ABodyBeyond1KiBIsTooLarge) {
  served s;
  client c(s.port());
  EXPECT_EQ(c.ask(http::verb::post, "/run", {}, std::string(1024, 'x')).result(),
            http::status::accepted);
  EXPECT_EQ(client(s.port()).ask(http::verb::post, "/run", {}, std::string(1025, 'x')).result(),
            http::status::payload_too_large);
  EXPECT_EQ(s.run_calls, 1);
}

TEST(HttpEndpoint, HeadersBeyond8KiBAreRefused) {
  served s;
  client c(s.port());
  c.send_raw("GET /metrics HTTP/1.1\r\nHost: x\r\nX-Filler: " + std::string(9000, 'a') +
             "\r\n\r\n");
  EXPECT_EQ(c.read().result(), http::status::request_header_fields_too_large);
  EXPECT_TRUE(c.closed_within(2s));
  EXPECT_EQ(s.metrics_calls, 0);
}

TEST(HttpEndpoint, AMalformedRequestIsBad) {
  served s;
  client c(s.port());
  c.send_raw("GARBAGE\r\n\r\n");
  EXPECT_EQ(c.read().result(), http::status::bad_request);
  EXPECT_TRUE(c.closed_within(2s));
}

TEST(HttpEndpoint, ASlowClientIsDroppedAfterTheDeadline) {
  served s({}, {.request_deadline = 200ms});
  client c(s.port());
  c.send_raw("GET /metrics HTTP/1.1\r\nHost: x\r\n");
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(c.closed_within(3s));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 150ms);
  EXPECT_EQ(s.metrics_calls, 0);
}

TEST(HttpEndpoint, AnIdleKeptAliveConnectionIsClosedAfterTheDeadline) {
  served s({}, {.request_deadline = 200ms});
  client c(s.port());
  EXPECT_EQ(c.ask(http::verb::get, "/metrics").result(), http::status::ok);
  EXPECT_TRUE(c.closed_within(3s));
}

TEST(HttpEndpoint, KeepAliveServesSeveralRequestsThenCloseIsHonoured) {
  served s;
  client c(s.port());
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(c.ask(http::verb::get, "/metrics").body(), kMetricsBody);
  EXPECT_FALSE(c.closed_within(100ms));
  const auto last = c.ask(http::verb::get, "/healthz", {}, {}, false);
  EXPECT_EQ(last.result(), http::status::ok);
  EXPECT_FALSE(last.keep_alive());
  EXPECT_TRUE(c.closed_within(2s));
}

TEST(HttpEndpoint, ManySimultaneousConnectionsAreServed) {
  served s;
  std::list<client> clients;
  for (int i = 0; i < 60; ++i)
    clients.emplace_back(s.port());
  for (auto& c : clients)
    EXPECT_EQ(c.ask(http::verb::get, "/metrics").result(), http::status::ok);
  EXPECT_EQ(s.metrics_calls, 60);
}

TEST(HttpEndpoint, ConnectionsBeyondTheCapAreClosed) {
  served s({}, {.max_connections = 4});
  std::list<client> clients;
  for (int i = 0; i < 4; ++i) {
    clients.emplace_back(s.port());
    EXPECT_EQ(clients.back().ask(http::verb::get, "/metrics").result(), http::status::ok);
  }
  EXPECT_TRUE(client(s.port()).closed_within(2s));

  clients.pop_front();  // frees a place once the endpoint has seen it close
  bool served_again = false;
  for (int attempt = 0; attempt < 100 && !served_again; ++attempt) {
    try {
      served_again = client(s.port()).ask(http::verb::get, "/healthz").result() == http::status::ok;
    } catch (const boost::system::system_error&) {
      std::this_thread::sleep_for(20ms);
    }
  }
  EXPECT_TRUE(served_again);
}

TEST(HttpEndpoint, AnExceptionFromARouteIsAnInternalError) {
  served s({}, {}, []() -> std::string { throw std::runtime_error("no snapshot"); });
  client c(s.port());
  EXPECT_EQ(c.ask(http::verb::get, "/metrics").result(), http::status::internal_server_error);
  EXPECT_TRUE(c.closed_within(2s));
  EXPECT_EQ(ask(s.port(), http::verb::get, "/healthz").result(), http::status::ok);
}

TEST(HttpEndpoint, StopClosesOpenConnectionsAndLetsTheIoContextReturn) {
  served s;
  client c(s.port());
  EXPECT_EQ(c.ask(http::verb::get, "/metrics").result(), http::status::ok);
  s.stop();  // returns only once io_context::run() has returned
  EXPECT_TRUE(c.closed_within(2s));
}

// Latency of /metrics, run by hand (not a timed assertion):
//   cloison_unit_tests --gtest_also_run_disabled_tests --gtest_filter='*MetricsLatency*'
// A realistic snapshot (3 objectives, 20 finding buckets) copied under a mutex and rendered per
// request, as the daemon does; 10,000 requests on one kept-alive connection while idle, then
// 10,000 while another thread keeps a core busy and replaces the snapshot under the same mutex
// every millisecond, as an audit running would.
TEST(HttpEndpoint, DISABLED_MetricsLatencyOverKeepAlive) {
  daemon_metrics snapshot;
  snapshot.version = "1.4.0";
  run_record run;
  run.started_at = "2026-12-03T20:25:12Z";
  run.finished_at = "2026-12-03T20:26:54Z";
  run.exit_code = 1;
  run.ads_level = 2;
  run.objectives = {{"D2.03.A", objective_status::not_met, 62.5},
                    {"D2.03.B", objective_status::met, 100},
                    {"ADS", objective_status::incomplete, 71}};
  snapshot.last_run = snapshot.last_completed = run;
  for (const auto st :
       {status::pass, status::fail, status::error, status::waived, status::not_evaluated})
    for (const auto sev : {severity::critical, severity::high, severity::medium, severity::low})
      snapshot.findings[{st, sev}] = 3;
  std::mutex lock;
  served s({}, {}, [&] {
    daemon_metrics copy;
    {
      std::lock_guard held(lock);
      copy = snapshot;
    }
    return render_metrics(copy);
  });
  client c(s.port());
  const auto measure = [&](const char* while_) {
    std::vector<double> micros;
    for (int i = 0; i < 10000; ++i) {
      const auto start = std::chrono::steady_clock::now();
      const auto res = c.ask(http::verb::get, "/metrics");
      micros.push_back(
          std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
              .count());
      ASSERT_EQ(res.result(), http::status::ok);
    }
    std::sort(micros.begin(), micros.end());
    std::printf(
        "GET /metrics %s, %zu keep-alive requests of %zu bytes: p50 %.0f us, p99 %.0f us, "
        "max %.0f us\n",
        while_, micros.size(), render_metrics(snapshot).size(), micros[micros.size() / 2],
        micros[micros.size() * 99 / 100], micros.back());
  };
  measure("idle");
  std::atomic<bool> auditing = true;
  std::thread audit([&] {
    volatile std::uint64_t spin = 0;
    auto next_update = std::chrono::steady_clock::now();
    while (auditing) {
      spin = spin + 1;
      if (std::chrono::steady_clock::now() < next_update)
        continue;
      std::lock_guard held(lock);
      ++snapshot.alerts_queued;
      next_update += 1ms;
    }
  });
  measure("during an audit");
  auditing = false;
  audit.join();
}

}  // namespace
}  // namespace cloison
