#include "agent/daemon/webhook_channel.h"

// Boost 1.74's asio/awaitable.hpp uses std::exchange without including <utility>.
#include <utility>

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <spdlog/spdlog.h>
#include <sqlite3.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <algorithm>
#include <stdexcept>

#include "core/observation.h"
#include "probes/transport/secret_file.h"

namespace cloison {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

namespace {

constexpr std::size_t kMaxResponseBody = 64 * 1024;
constexpr std::size_t kMaxResponseHeader = 16 * 1024;
constexpr std::size_t kErrorExcerpt = 200;

// --- the queue -------------------------------------------------------------------------------

struct db_closer {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct statement_closer {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using statement = std::unique_ptr<sqlite3_stmt, statement_closer>;

}  // namespace

struct webhook_channel::queue {
  std::unique_ptr<sqlite3, db_closer> db;
  std::string file;
  std::string destination;

  [[noreturn]] void fail(const std::string& what) const {
    throw std::runtime_error("alert queue " + file + ": " + what + ": " + sqlite3_errmsg(db.get()));
  }
  void exec(const char* sql) const {
    if (sqlite3_exec(db.get(), sql, nullptr, nullptr, nullptr) != SQLITE_OK)
      fail(sql);
  }
  // `sql` prepared, its ?1 bound to the destination.
  statement prepare(const char* sql) const {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db.get(), sql, -1, &s, nullptr) != SQLITE_OK)
      fail(sql);
    statement st(s);
    sqlite3_bind_text(s, 1, destination.c_str(), -1, SQLITE_TRANSIENT);
    return st;
  }
  void done(const statement& s) const {
    if (sqlite3_step(s.get()) != SQLITE_DONE)
      fail("write");
  }
  std::size_t count() const {
    const auto s = prepare("SELECT count(*) FROM pending WHERE destination = ?1");
    if (sqlite3_step(s.get()) != SQLITE_ROW)
      fail("count");
    return static_cast<std::size_t>(sqlite3_column_int64(s.get(), 0));
  }
};

namespace {

std::unique_ptr<sqlite3, db_closer> open_queue(const std::string& file) {
  sqlite3* raw = nullptr;
  const int rc =
      sqlite3_open_v2(file.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
  std::unique_ptr<sqlite3, db_closer> db(raw);
  if (rc != SQLITE_OK)
    throw std::runtime_error("alert queue " + file +
                             ": cannot open: " + (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
  sqlite3_busy_timeout(raw, 5000);
  return db;
}

// --- one HTTPS attempt -------------------------------------------------------------------------

enum class verdict { delivered, refused, retry };

struct attempt {
  verdict outcome = verdict::retry;
  std::string error;
};

// The destination as errors name it: without the query, which may hold a credential.
std::string shown(const https_url& url) {
  const bool v6 = url.host.find(':') != std::string::npos;
  return "https://" + (v6 ? "[" + url.host + "]" : url.host) + ":" + std::to_string(url.port) +
         url.target.substr(0, url.target.find('?'));
}

std::string host_header(const https_url& url) {
  const bool v6 = url.host.find(':') != std::string::npos;
  return (v6 ? "[" + url.host + "]" : url.host) +
         (url.port == 443 ? "" : ":" + std::to_string(url.port));
}

// Printable ASCII of the start of a response body, for the log.
std::string excerpt(const std::string& body) {
  std::string out = body.substr(0, kErrorExcerpt);
  for (auto& c : out) {
    if (static_cast<unsigned char>(c) < ' ' || static_cast<unsigned char>(c) > '~')
      c = ' ';
  }
  return out;
}

// The peer verified, its certificate checked for the URL's host name (or IP address), SNI for
// names. The context holds the CAs trusted.
void verify_peer(beast::ssl_stream<beast::tcp_stream>& stream, const https_url& url) {
  SSL* s = stream.native_handle();
  X509_VERIFY_PARAM* param = SSL_get0_param(s);
  X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  const bool ip = ip_address::parse(url.host).has_value();
  if ((ip ? X509_VERIFY_PARAM_set1_ip_asc(param, url.host.c_str())
          : X509_VERIFY_PARAM_set1_host(param, url.host.c_str(), 0)) != 1)
    throw std::runtime_error("cannot set the name to verify");
  if (!ip && SSL_set_tlsext_host_name(s, url.host.c_str()) != 1)
    throw std::runtime_error("cannot set SNI");
  stream.set_verify_mode(ssl::verify_peer);
}

asio::awaitable<void> exchange(beast::ssl_stream<beast::tcp_stream>& stream, const https_url& url,
                               const http::request<http::string_body>& request,
                               http::response_parser<http::string_body>& parser,
                               std::chrono::steady_clock::time_point deadline, std::string& stage) {
  auto executor = co_await asio::this_coro::executor;
  tcp::resolver resolver(executor);
  stage = "resolving " + url.host;
  const auto endpoints =
      co_await resolver.async_resolve(url.host, std::to_string(url.port), asio::use_awaitable);
  auto& socket = beast::get_lowest_layer(stream);
  socket.expires_at(deadline);  // one deadline for connect, handshake, request and response
  stage = "connecting";
  co_await socket.async_connect(endpoints, asio::use_awaitable);
  stage = "TLS handshake";
  co_await stream.async_handshake(ssl::stream_base::client, asio::use_awaitable);
  stage = "sending the alerts";
  co_await http::async_write(stream, request, asio::use_awaitable);
  stage = "reading the response";
  beast::flat_buffer buffer;
  co_await http::async_read(stream, buffer, parser, asio::use_awaitable);
}

attempt post(const https_url& url, const webhook_settings& settings, const std::string& body) {
  std::string token;
  if (!settings.token_file.empty()) {
    std::string why;
    if (!read_secret_file(settings.token_file, token, why))
      return {verdict::retry, "bearer token: " + why};
  }
  attempt result;
  try {
    ssl::context ctx(ssl::context::tls_client);
    ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                    ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    boost::system::error_code ec;
    if (settings.ca_file.empty())
      ctx.set_default_verify_paths(ec);
    else
      ctx.load_verify_file(settings.ca_file, ec);
    if (ec) {
      wipe(token);
      return {verdict::retry, "cannot load the CA file " + settings.ca_file + ": " + ec.message()};
    }
    asio::io_context io;
    beast::ssl_stream<beast::tcp_stream> stream(io, ctx);
    verify_peer(stream, url);

    http::request<http::string_body> request{http::verb::post, url.target, 11};
    request.set(http::field::host, host_header(url));
    request.set(http::field::user_agent, "cloison");
    request.set(http::field::content_type, "application/json");
    if (!token.empty())
      request.set(http::field::authorization, "Bearer " + token);
    request.body() = body;
    request.prepare_payload();

    http::response_parser<http::string_body> parser;
    parser.body_limit(kMaxResponseBody);
    parser.header_limit(kMaxResponseHeader);
    std::string stage;
    std::exception_ptr failure;
    asio::co_spawn(io,
                   exchange(stream, url, request, parser,
                            std::chrono::steady_clock::now() + settings.attempt_timeout, stage),
                   [&](std::exception_ptr e) { failure = e; });
    io.run();
    if (failure) {
      try {
        std::rethrow_exception(failure);
      } catch (const boost::system::system_error& e) {
        const long verify = SSL_get_verify_result(stream.native_handle());
        result.error = stage == "TLS handshake" && verify != X509_V_OK
                           ? std::string("TLS handshake: certificate verification failed: ") +
                                 X509_verify_cert_error_string(verify)
                           : stage + ": " + e.code().message();
      }
    } else {
      const auto& response = parser.get();
      const unsigned status = response.result_int();
      const auto answer = "answered " + std::to_string(status) + " " +
                          std::string(response.reason()) + ": " + excerpt(response.body());
      if (status >= 200 && status < 300)
        result.outcome = verdict::delivered;
      else if (status >= 400 && status < 500 && status != 408 && status != 429)
        result = {verdict::refused, answer};
      else
        result.error = answer;
    }
  } catch (const std::exception& e) {
    result = {verdict::retry, e.what()};
  }
  // A receiver may echo the request: the token never leaves in an error text.
  for (auto at = token.empty() ? std::string::npos : result.error.find(token);
       at != std::string::npos; at = result.error.find(token))
    result.error.replace(at, token.size(), "[token]");
  wipe(token);
  return result;
}

}  // namespace

webhook_channel::webhook_channel(webhook_settings settings, const std::filesystem::path& state_dir)
    : settings_(std::move(settings)), queue_(std::make_unique<queue>()) {
  const auto url = https_url::parse(settings_.url);
  if (!url)
    throw std::invalid_argument("webhook: '" + settings_.url +
                                "' is not an https://HOST[:PORT]/PATH URL");
  url_ = *url;
  std::error_code ec;
  std::filesystem::create_directories(state_dir, ec);
  queue_->file = (state_dir / "alert-queue.db").string();
  queue_->destination = settings_.url;
  queue_->db = open_queue(queue_->file);
  queue_->exec("PRAGMA journal_mode=WAL");
  queue_->exec(
      "CREATE TABLE IF NOT EXISTS pending (id INTEGER PRIMARY KEY AUTOINCREMENT, destination TEXT "
      "NOT NULL, alert TEXT NOT NULL, queued_at TEXT NOT NULL);"
      "CREATE INDEX IF NOT EXISTS pending_by_destination ON pending (destination, id);");
  queued_ = queue_->count();
}

webhook_channel::~webhook_channel() = default;

void webhook_channel::enqueue(const std::vector<alert>& alerts) {
  if (alerts.empty())
    return;
  queue_->exec("BEGIN IMMEDIATE");
  try {
    const auto now = utc_now_iso8601();
    for (const auto& a : alerts) {
      const auto s = queue_->prepare(
          "INSERT INTO pending (destination, alert, queued_at) VALUES (?1, ?2, ?3)");
      const auto text = to_json(a).dump(-1, ' ', false, json::error_handler_t::replace);
      sqlite3_bind_text(s.get(), 2, text.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(s.get(), 3, now.c_str(), -1, SQLITE_TRANSIENT);
      queue_->done(s);
    }
    const auto trim = queue_->prepare(
        "DELETE FROM pending WHERE id IN (SELECT id FROM pending WHERE destination = ?1 "
        "ORDER BY id DESC LIMIT -1 OFFSET ?2)");
    sqlite3_bind_int64(trim.get(), 2, static_cast<sqlite3_int64>(settings_.max_queued));
    queue_->done(trim);
    const auto trimmed = static_cast<std::size_t>(sqlite3_changes(queue_->db.get()));
    queue_->exec("COMMIT");
    if (trimmed > 0) {
      dropped_ += trimmed;
      spdlog::warn("webhook {}: queue full (bound: {}); oldest alerts dropped: {}", shown(url_),
                   settings_.max_queued, trimmed);
    }
  } catch (...) {
    sqlite3_exec(queue_->db.get(), "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
  queued_ = queue_->count();
}

delivery_result webhook_channel::deliver_pending() {
  delivery_result r;
  if (std::chrono::steady_clock::now() < not_before_)
    return r;
  try {
    for (;;) {
      const auto s = queue_->prepare(
          "SELECT id, alert FROM pending WHERE destination = ?1 ORDER BY id LIMIT ?2");
      sqlite3_bind_int64(s.get(), 2,
                         static_cast<sqlite3_int64>(std::max<std::size_t>(settings_.batch, 1)));
      json alerts = json::array();
      sqlite3_int64 last = 0;
      while (sqlite3_step(s.get()) == SQLITE_ROW) {
        last = sqlite3_column_int64(s.get(), 0);
        alerts.push_back(json::parse(reinterpret_cast<const char*>(sqlite3_column_text(s.get(), 1)),
                                     nullptr, false));
      }
      if (alerts.empty())
        break;
      const json document{
          {"source", "cloison"}, {"establishment", settings_.establishment}, {"alerts", alerts}};
      const auto a =
          post(url_, settings_, document.dump(-1, ' ', false, json::error_handler_t::replace));
      if (a.outcome == verdict::retry) {
        ++failures_;
        const auto delay = std::min<std::chrono::milliseconds>(
            settings_.first_retry_delay * (1LL << std::min(failures_ - 1, 20u)),
            settings_.max_retry_delay);
        not_before_ = std::chrono::steady_clock::now() + delay;
        r.error = a.error;
        spdlog::warn("webhook {}: not delivered ({}); alerts kept: {}; next attempt in {} ms",
                     shown(url_), a.error, queued_.load(), delay.count());
        break;
      }
      failures_ = 0;
      const auto remove =
          queue_->prepare("DELETE FROM pending WHERE destination = ?1 AND id <= ?2");
      sqlite3_bind_int64(remove.get(), 2, last);
      queue_->done(remove);
      queued_ = queue_->count();
      if (a.outcome == verdict::delivered) {
        r.delivered += alerts.size();
      } else {
        r.refused += alerts.size();
        dropped_ += alerts.size();
        r.error = a.error;
        spdlog::error("webhook {}: refused ({}); retrying cannot help: alerts dropped: {}",
                      shown(url_), a.error, alerts.size());
      }
    }
  } catch (const std::exception& e) {
    r.error = e.what();
    spdlog::error("webhook {}: {}", shown(url_), r.error);
  }
  return r;
}

std::optional<std::chrono::steady_clock::time_point> webhook_channel::next_attempt() const {
  if (queued_ == 0)
    return std::nullopt;
  return std::max(not_before_, std::chrono::steady_clock::now());
}

}  // namespace cloison
