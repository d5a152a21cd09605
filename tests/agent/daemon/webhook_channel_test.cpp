// The webhook channel against a real HTTPS receiver on 127.0.0.1: a test CA and server
// certificates made here with OpenSSL, a Boost.Asio TLS server thread recording the requests.
// Delivery with its JSON, bearer token and content type; certificates of another CA or for
// another name refused; the queue surviving a receiver that is down and a restart; 4xx dropped;
// the queue's bound; the token in no error text.
#include "agent/daemon/webhook_channel.h"

#include <utility>  // before Asio (Boost 1.74's awaitable.hpp misses it)

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <filesystem>
#include <memory>
#include <mutex>
#include <thread>

#include "tests/support.h"

namespace cloison {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::temp_dir;
using tcp = asio::ip::tcp;

// --- certificates ------------------------------------------------------------------------------

struct key_deleter {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct cert_deleter {
  void operator()(X509* x) const { X509_free(x); }
};

struct issued {
  std::unique_ptr<EVP_PKEY, key_deleter> key;
  std::unique_ptr<X509, cert_deleter> cert;
  std::string cert_pem() const {
    BIO* b = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(b, cert.get());
    char* data = nullptr;
    const auto n = BIO_get_mem_data(b, &data);
    std::string out(data, static_cast<std::size_t>(n));
    BIO_free(b);
    return out;
  }
  std::string key_pem() const {
    BIO* b = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(b, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
    char* data = nullptr;
    const auto n = BIO_get_mem_data(b, &data);
    std::string out(data, static_cast<std::size_t>(n));
    BIO_free(b);
    return out;
  }
};

void extend(X509* x, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, x, nullptr, nullptr, 0);
  X509_EXTENSION* e = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  ASSERT_NE(e, nullptr) << value;
  X509_add_ext(x, e, -1);
  X509_EXTENSION_free(e);
}

// A P-256 certificate for `cn`: a CA (self-signed when `by` is null) or a server certificate for
// `names` (subjectAltName syntax) signed by `by`.
issued make_certificate(const std::string& cn, const issued* by, const char* names = nullptr) {
  static long serial = 1;
  issued out;
  out.key.reset(EVP_EC_gen("P-256"));
  out.cert.reset(X509_new());
  X509* x = out.cert.get();
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
  X509_gmtime_adj(X509_getm_notBefore(x), -3600);
  X509_gmtime_adj(X509_getm_notAfter(x), 24 * 3600);
  X509_set_pubkey(x, out.key.get());
  X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509* issuer = by ? by->cert.get() : x;
  X509_set_issuer_name(x, X509_get_subject_name(issuer));
  extend(x, issuer, NID_subject_key_identifier, "hash");
  extend(x, issuer, NID_authority_key_identifier, "keyid:always");
  if (!by) {
    extend(x, issuer, NID_basic_constraints, "critical,CA:TRUE");
    extend(x, issuer, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    extend(x, issuer, NID_basic_constraints, "critical,CA:FALSE");
    extend(x, issuer, NID_ext_key_usage, "serverAuth");
    extend(x, issuer, NID_subject_alt_name, names);
  }
  X509_sign(x, by ? by->key.get() : out.key.get(), EVP_sha256());
  return out;
}

// --- the receiver ------------------------------------------------------------------------------

struct received {
  std::string target;
  std::string content_type;
  std::string authorization;
  std::string body;
};

// An HTTPS server on 127.0.0.1:`port` (0: any) answering every request with `status`; with
// `echo`, its body repeats the request's Authorization header (as some servers' errors do).
class receiver {
 public:
  receiver(const issued& server, unsigned port = 0) : ctx_(asio::ssl::context::tls_server) {
    const auto cert = server.cert_pem(), key = server.key_pem();
    ctx_.use_certificate_chain(asio::buffer(cert));
    ctx_.use_private_key(asio::buffer(key), asio::ssl::context::pem);
    acceptor_.open(tcp::v4());
    acceptor_.set_option(tcp::acceptor::reuse_address(true));
    acceptor_.bind({asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)});
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    thread_ = std::thread([this] { serve(); });
  }
  ~receiver() {
    stopping_ = true;
    boost::system::error_code ec;
    tcp::socket wake(io_);
    wake.connect({asio::ip::make_address("127.0.0.1"), port_}, ec);
    thread_.join();
  }
  unsigned port() const { return port_; }
  std::atomic<unsigned> status{200};
  std::atomic<bool> echo{false};
  std::vector<received> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }

 private:
  void serve() {
    for (;;) {
      tcp::socket socket(io_);
      boost::system::error_code ec;
      acceptor_.accept(socket, ec);
      if (stopping_)
        return;
      if (ec)
        continue;
      asio::ssl::stream<tcp::socket> stream(std::move(socket), ctx_);
      stream.handshake(asio::ssl::stream_base::server, ec);
      if (ec)
        continue;  // the client refused the certificate
      boost::beast::flat_buffer buffer;
      http::request<http::string_body> request;
      http::read(stream, buffer, request, ec);
      if (ec)
        continue;
      const std::string authorization(request[http::field::authorization]);
      {
        std::lock_guard lock(mutex_);
        requests_.push_back({std::string(request.target()),
                             std::string(request[http::field::content_type]), authorization,
                             request.body()});
      }
      http::response<http::string_body> response{static_cast<http::status>(status.load()), 11};
      response.body() = echo ? "bad credentials: " + authorization : "ok";
      response.prepare_payload();
      http::write(stream, response, ec);
      stream.shutdown(ec);
    }
  }

  asio::io_context io_;
  asio::ssl::context ctx_;
  tcp::acceptor acceptor_{io_};
  unsigned short port_ = 0;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mutex_;
  std::vector<received> requests_;
  std::thread thread_;
};

// A port nothing listens on (bound, then released).
unsigned free_port() {
  asio::io_context io;
  tcp::acceptor a(io, {asio::ip::make_address("127.0.0.1"), 0});
  return a.local_endpoint().port();
}

alert sample(const std::string& check) {
  alert a;
  a.kind = alert_kind::new_failure;
  a.id = "new_failure:" + check + ":repo01";
  a.severity = alert_severity::high;
  a.check = check;
  a.target = "repo01";
  a.after = "fail";
  a.message = {"Nouvelle non-conformité", "New failure"};
  a.run_id = 3;
  a.run_started_at = "2026-11-03T02:30:00Z";
  return a;
}

constexpr const char* kToken = "s3cret-T0ken-never-shown";

class WebhookChannel : public ::testing::Test {
 protected:
  WebhookChannel()
      : ca_(make_certificate("cloison test CA", nullptr)),
        server_(make_certificate("receiver", &ca_, "DNS:localhost,IP:127.0.0.1")) {
    ca_file_ = dir_.write("ca.pem", ca_.cert_pem());
    token_file_ = dir_.write("token", std::string(kToken) + "\n");
    std::filesystem::permissions(
        token_file_, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  }

  webhook_settings settings(unsigned port, const std::string& host = "127.0.0.1") const {
    webhook_settings s;
    s.url = "https://" + host + ":" + std::to_string(port) + "/hook?tenant=7";
    s.ca_file = ca_file_;
    s.token_file = token_file_;
    s.establishment = "CH Exemple";
    s.attempt_timeout = std::chrono::seconds(5);
    s.first_retry_delay = std::chrono::milliseconds(20);
    s.max_retry_delay = std::chrono::milliseconds(100);
    return s;
  }
  std::filesystem::path state() const { return dir_.path() / "state"; }

  // Waits until the channel's retry delay has passed.
  static void wait_for_retry(const webhook_channel& c) {
    const auto next = c.next_attempt();
    ASSERT_TRUE(next.has_value());
    std::this_thread::sleep_until(*next + std::chrono::milliseconds(1));
  }

  temp_dir dir_;
  issued ca_, server_;
  std::string ca_file_, token_file_;
};

TEST_F(WebhookChannel, DeliversTheAlertsAsOneJsonDocumentWithTheBearerToken) {
  receiver r(server_);
  webhook_channel c(settings(r.port()), state());
  c.enqueue({sample("a"), sample("b")});
  EXPECT_EQ(c.queued(), 2u);
  const auto result = c.deliver_pending();
  EXPECT_EQ(result.error, "");
  EXPECT_EQ(result.delivered, 2u);
  EXPECT_EQ(c.queued(), 0u);
  EXPECT_FALSE(c.next_attempt().has_value());

  const auto requests = r.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].target, "/hook?tenant=7");
  EXPECT_EQ(requests[0].content_type, "application/json");
  EXPECT_EQ(requests[0].authorization, std::string("Bearer ") + kToken);
  const auto document = json::parse(requests[0].body);
  EXPECT_EQ(document["source"], "cloison");
  EXPECT_EQ(document["establishment"], "CH Exemple");
  EXPECT_EQ(document["alerts"], (json::array({to_json(sample("a")), to_json(sample("b"))})));
  // Nothing left: a second call sends nothing.
  EXPECT_EQ(c.deliver_pending().delivered, 0u);
  EXPECT_EQ(r.requests().size(), 1u);
}

TEST_F(WebhookChannel, AServerCertificateOfAnotherCaIsRefused) {
  const auto other_ca = make_certificate("another CA", nullptr);
  receiver r(make_certificate("receiver", &other_ca, "DNS:localhost,IP:127.0.0.1"));
  webhook_channel c(settings(r.port()), state());
  c.enqueue({sample("a")});
  const auto result = c.deliver_pending();
  EXPECT_EQ(result.delivered, 0u);
  EXPECT_THAT(result.error, HasSubstr("certificate verification failed"));
  EXPECT_THAT(result.error, HasSubstr("unable to get local issuer certificate"));
  EXPECT_EQ(c.queued(), 1u);
  EXPECT_TRUE(r.requests().empty());
}

TEST_F(WebhookChannel, ACertificateForAnotherNameIsRefused) {
  receiver r(make_certificate("receiver", &ca_, "DNS:alerts.example.org"));
  webhook_channel by_ip(settings(r.port()), state());
  by_ip.enqueue({sample("a")});
  EXPECT_THAT(by_ip.deliver_pending().error, HasSubstr("IP address mismatch"));
  webhook_channel by_name(settings(r.port(), "localhost"), state());
  by_name.enqueue({sample("a")});
  EXPECT_THAT(by_name.deliver_pending().error, HasSubstr("hostname mismatch"));
  EXPECT_TRUE(r.requests().empty());
}

TEST_F(WebhookChannel, AReceiverThatNeverAnswersTimesOut) {
  asio::io_context io;
  tcp::acceptor silent(io, {asio::ip::make_address("127.0.0.1"), 0});  // the kernel accepts
  auto s = settings(silent.local_endpoint().port());
  s.attempt_timeout = std::chrono::milliseconds(300);
  webhook_channel c(s, state());
  c.enqueue({sample("a")});
  const auto started = std::chrono::steady_clock::now();
  const auto result = c.deliver_pending();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(3));
  EXPECT_THAT(result.error, HasSubstr("TLS handshake"));
  EXPECT_THAT(result.error, HasSubstr("timeout"));
  EXPECT_EQ(c.queued(), 1u);
}

TEST_F(WebhookChannel, AlertsWaitForAReceiverThatIsDownThenGo) {
  const auto port = free_port();
  // A retry delay long enough that starting the receiver (a TLS server, slow under the sanitizers
  // on a loaded machine) cannot outlast it: 20 ms did once.
  auto s = settings(port);
  s.first_retry_delay = std::chrono::seconds(2);
  s.max_retry_delay = std::chrono::seconds(2);
  webhook_channel c(s, state());
  c.enqueue({sample("a")});
  const auto down = c.deliver_pending();
  EXPECT_EQ(down.delivered, 0u);
  EXPECT_THAT(down.error, HasSubstr("connecting"));
  EXPECT_EQ(c.queued(), 1u);
  ASSERT_TRUE(c.next_attempt().has_value());
  EXPECT_GT(*c.next_attempt(), std::chrono::steady_clock::now());
  // Before the delay, nothing is tried.
  receiver r(server_, port);
  EXPECT_EQ(c.deliver_pending().delivered, 0u);
  wait_for_retry(c);
  EXPECT_EQ(c.deliver_pending().delivered, 1u);
  EXPECT_EQ(c.queued(), 0u);
  EXPECT_EQ(r.requests().size(), 1u);
}

TEST_F(WebhookChannel, WhatWasQueuedSurvivesARestart) {
  const auto port = free_port();
  {
    webhook_channel before(settings(port), state());
    before.enqueue({sample("a"), sample("b")});
    EXPECT_NE(before.deliver_pending().error, "");
  }
  receiver r(server_, port);
  webhook_channel after(settings(port), state());
  EXPECT_EQ(after.queued(), 2u);
  EXPECT_EQ(after.deliver_pending().delivered, 2u);
  ASSERT_EQ(r.requests().size(), 1u);
  EXPECT_EQ(json::parse(r.requests()[0].body)["alerts"].size(), 2u);
  EXPECT_EQ(webhook_channel(settings(port), state()).queued(), 0u);
}

TEST_F(WebhookChannel, A4xxDropsTheAlertsButA5xxOr429KeepsThem) {
  receiver r(server_);
  webhook_channel c(settings(r.port()), state());
  for (const unsigned status : {503u, 429u, 408u}) {
    r.status = status;
    c.enqueue({sample("a")});
    const auto kept = c.deliver_pending();
    EXPECT_THAT(kept.error, HasSubstr("answered " + std::to_string(status)));
    EXPECT_EQ(c.queued(), 1u) << status;
    wait_for_retry(c);
    r.status = 200;
    EXPECT_EQ(c.deliver_pending().delivered, 1u) << status;
  }
  r.status = 400;
  c.enqueue({sample("a")});
  const auto refused = c.deliver_pending();
  EXPECT_EQ(refused.refused, 1u);
  EXPECT_THAT(refused.error, HasSubstr("answered 400 Bad Request"));
  EXPECT_EQ(c.queued(), 0u);
  EXPECT_EQ(c.dropped(), 1u);
}

TEST_F(WebhookChannel, TheQueueKeepsTheNewestWithinItsBound) {
  auto s = settings(free_port());
  s.max_queued = 3;
  webhook_channel c(s, state());
  c.enqueue({sample("1"), sample("2")});
  c.enqueue({sample("3"), sample("4"), sample("5")});
  EXPECT_EQ(c.queued(), 3u);
  EXPECT_EQ(c.dropped(), 2u);
  // Another URL's queue in the same file is its own.
  webhook_channel other(settings(free_port(), "localhost"), state());
  EXPECT_EQ(other.queued(), 0u);

  receiver r(server_);
  s.url = settings(r.port()).url;
  webhook_channel moved(s, state());
  EXPECT_EQ(moved.queued(), 0u);  // the queue is the URL's
  c.deliver_pending();            // still down: kept
  EXPECT_EQ(c.queued(), 3u);
}

TEST_F(WebhookChannel, TheNewestAreTheOnesSent) {
  receiver r(server_);
  auto s = settings(r.port());
  s.max_queued = 2;
  s.batch = 1;
  webhook_channel c(s, state());
  c.enqueue({sample("1"), sample("2"), sample("3")});
  EXPECT_EQ(c.deliver_pending().delivered, 2u);
  const auto requests = r.requests();
  ASSERT_EQ(requests.size(), 2u);  // one alert per POST
  EXPECT_EQ(json::parse(requests[0].body)["alerts"][0]["check"], "2");
  EXPECT_EQ(json::parse(requests[1].body)["alerts"][0]["check"], "3");
}

TEST_F(WebhookChannel, TheTokenAppearsInNoErrorText) {
  receiver r(server_);
  r.status = 401;
  r.echo = true;
  webhook_channel c(settings(r.port()), state());
  c.enqueue({sample("a")});
  const auto refused = c.deliver_pending();
  EXPECT_THAT(refused.error, HasSubstr("answered 401"));
  EXPECT_THAT(refused.error, HasSubstr("bad credentials: Bearer [token]"));
  EXPECT_THAT(refused.error, Not(HasSubstr(kToken)));

  // A token file open to others is not used, and not shown.
  std::filesystem::permissions(token_file_, std::filesystem::perms::group_read,
                               std::filesystem::perm_options::add);
  r.status = 200;
  c.enqueue({sample("a")});
  const auto loose = c.deliver_pending();
  EXPECT_THAT(loose.error, HasSubstr("open to group or others"));
  EXPECT_THAT(loose.error, Not(HasSubstr(kToken)));
  EXPECT_EQ(c.queued(), 1u);
}

TEST_F(WebhookChannel, OnlyHttpsUrlsAreTaken) {
  auto s = settings(443);
  s.url = "http://127.0.0.1/hook";
  EXPECT_THROW(webhook_channel(s, state()), std::invalid_argument);
}

}  // namespace
}  // namespace cloison
