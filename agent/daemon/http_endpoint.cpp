#include "agent/daemon/http_endpoint.h"

#include <openssl/crypto.h>

#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <charconv>
#include <exception>
#include <stdexcept>
#include <unordered_set>
#include <utility>

namespace cloison {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using request = http::request<http::string_body>;
using response = http::response<http::string_body>;

constexpr std::size_t kHeaderLimit = 8 * 1024;
constexpr std::size_t kBodyLimit = 1024;
constexpr std::chrono::milliseconds kAcceptRetry{100};  // after a failed accept (EMFILE...)
constexpr const char* kMetricsType = "text/plain; version=0.0.4; charset=utf-8";

tcp::endpoint parse_listen(const std::string& listen) {
  const auto refused = [&] {
    return std::invalid_argument("listen address \"" + listen +
                                 "\": expected an IP address and a port, as 127.0.0.1:9469 or "
                                 "[::1]:9469");
  };
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos)
    throw refused();
  std::string host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  else if (host.find(':') != std::string::npos)
    throw refused();  // an IPv6 address goes between brackets
  unsigned short port = 0;
  const char* port_end = listen.data() + listen.size();
  const auto [stop, ec] = std::from_chars(listen.data() + colon + 1, port_end, port);
  beast::error_code bad_address;
  const auto address = asio::ip::make_address(host, bad_address);
  if (ec != std::errc{} || stop != port_end || bad_address)
    throw refused();
  return {address, port};
}

response make_response(http::status code, unsigned version, bool keep_alive,
                       std::string body = {}) {
  response res{code, version};
  res.set(http::field::content_type, "text/plain; charset=utf-8");
  res.keep_alive(keep_alive);
  res.body() = body.empty() ? std::string(http::obsolete_reason(code)) + "\n" : std::move(body);
  res.prepare_payload();
  return res;
}

response method_not_allowed(const request& req, const char* allowed) {
  auto res = make_response(http::status::method_not_allowed, req.version(), req.keep_alive());
  res.set(http::field::allow, allowed);
  return res;
}

// "Authorization: Bearer <token>", the token compared in constant time (its length is not).
bool authorized(const request& req, const std::optional<std::string>& token) {
  if (!token)
    return true;
  constexpr beast::string_view scheme = "Bearer ";
  const auto field = req[http::field::authorization];
  return field.size() == scheme.size() + token->size() &&
         beast::iequals(field.substr(0, scheme.size()), scheme) &&
         CRYPTO_memcmp(field.data() + scheme.size(), token->data(), token->size()) == 0;
}

}  // namespace

class http_endpoint::server : public std::enable_shared_from_this<server> {
 public:
  class session;

  server(asio::io_context& io, const std::string& listen, std::optional<std::string> token,
         http_routes routes, http_limits limits)
      : acceptor_(io),
        retry_(io),
        token_(std::move(token)),
        routes_(std::move(routes)),
        limits_(limits) {
    const auto where = parse_listen(listen);
    if (token_ && token_->empty())
      throw std::invalid_argument("the bearer token of the HTTP endpoint is empty");
    if (!where.address().is_loopback() && !token_)
      throw std::invalid_argument("listen address \"" + listen +
                                  "\" is not a loopback one: a bearer token is required");
    try {
      acceptor_.open(where.protocol());
      acceptor_.set_option(tcp::acceptor::reuse_address(true));
      acceptor_.bind(where);
      acceptor_.listen();
      port_ = acceptor_.local_endpoint().port();
    } catch (const boost::system::system_error& e) {
      throw std::runtime_error("cannot listen on " + listen + ": " + e.code().message());
    }
  }

  void accept();
  void stop();
  unsigned short port() const { return port_; }

 private:
  response answer(const request& req);

  tcp::acceptor acceptor_;
  asio::steady_timer retry_;
  std::optional<std::string> token_;
  http_routes routes_;
  http_limits limits_;
  unsigned short port_ = 0;
  bool stopped_ = false;
  std::unordered_set<session*> sessions_;  // open, each registered for its lifetime
};

// One connection: read a request, write its response, again while keep-alive holds; every wait
// bounded by the request deadline.
class http_endpoint::server::session : public std::enable_shared_from_this<session> {
 public:
  session(tcp::socket socket, std::shared_ptr<server> owner)
      : stream_(std::move(socket)), owner_(std::move(owner)) {
    owner_->sessions_.insert(this);
  }
  ~session() { owner_->sessions_.erase(this); }

  void read() {
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    parser_->body_limit(kBodyLimit);
    stream_.expires_after(owner_->limits_.request_deadline);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

  void close() { stream_.close(); }

 private:
  void on_read(beast::error_code ec) {
    if (owner_->stopped_ || ec == http::error::end_of_stream)
      return;
    if (ec == http::error::header_limit)
      return write(make_response(http::status::request_header_fields_too_large, 11, false));
    if (ec == http::error::body_limit)
      return write(make_response(http::status::payload_too_large, 11, false));
    if (ec && ec.category() == beast::error_code(http::error::bad_target).category())
      return write(make_response(http::status::bad_request, 11, false));
    if (ec)
      return;  // timed out (the stream is closed), reset, stopped
    write(owner_->answer(parser_->get()));
  }

  void write(response res) {
    res_ = std::move(res);
    stream_.expires_after(owner_->limits_.request_deadline);
    http::async_write(stream_, res_,
                      [self = shared_from_this()](beast::error_code ec, std::size_t) {
                        if (ec || self->owner_->stopped_)
                          return;
                        if (self->res_.need_eof())
                          return self->linger();
                        self->read();
                      });
  }

  // Closes gracefully: our side first, then what the client still sends is read and dropped
  // until it closes too (or the deadline), so that its unread bytes do not reset the connection
  // before it has read the response.
  void linger() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(owner_->limits_.request_deadline);
    drain();
  }

  void drain() {
    stream_.async_read_some(asio::buffer(scratch_),
                            [self = shared_from_this()](beast::error_code ec, std::size_t) {
                              if (!ec && !self->owner_->stopped_)
                                self->drain();
                            });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  response res_;
  std::array<char, 1024> scratch_;
  std::shared_ptr<server> owner_;
};

void http_endpoint::server::accept() {
  acceptor_.async_accept([self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
    if (self->stopped_)
      return;
    if (ec) {
      self->retry_.expires_after(kAcceptRetry);
      self->retry_.async_wait([self](beast::error_code waited) {
        if (!waited && !self->stopped_)
          self->accept();
      });
      return;
    }
    if (self->sessions_.size() < self->limits_.max_connections)
      std::make_shared<session>(std::move(socket), self)->read();
    self->accept();
  });
}

response http_endpoint::server::answer(const request& req) try {
  const auto target = req.target();
  const auto path = target.substr(0, target.find('?'));
  if (path == "/healthz") {
    if (req.method() != http::verb::get)
      return method_not_allowed(req, "GET");
    return routes_.healthy()
               ? make_response(http::status::ok, req.version(), req.keep_alive(), "ok\n")
               : make_response(http::status::service_unavailable, req.version(), req.keep_alive());
  }
  if (!authorized(req, token_)) {
    auto res = make_response(http::status::unauthorized, req.version(), req.keep_alive());
    res.set(http::field::www_authenticate, "Bearer realm=\"cloison\"");
    return res;
  }
  if (path == "/metrics") {
    if (req.method() != http::verb::get)
      return method_not_allowed(req, "GET");
    auto res = make_response(http::status::ok, req.version(), req.keep_alive(), routes_.metrics());
    res.set(http::field::content_type, kMetricsType);
    return res;
  }
  if (path == "/run") {
    if (req.method() != http::verb::post)
      return method_not_allowed(req, "POST");
    return routes_.run_now() ? make_response(http::status::accepted, req.version(),
                                             req.keep_alive(), "an audit was started\n")
                             : make_response(http::status::conflict, req.version(),
                                             req.keep_alive(), "an audit is already running\n");
  }
  return make_response(http::status::not_found, req.version(), req.keep_alive());
} catch (const std::exception&) {
  return make_response(http::status::internal_server_error, req.version(), false);
}

void http_endpoint::server::stop() {
  if (stopped_)
    return;
  stopped_ = true;
  beast::error_code ignored;
  acceptor_.close(ignored);
  retry_.cancel();
  for (auto* s : sessions_)
    s->close();
}

http_endpoint::http_endpoint(asio::io_context& io, const std::string& listen,
                             std::optional<std::string> bearer_token, http_routes routes,
                             http_limits limits)
    : server_(std::make_shared<server>(io, listen, std::move(bearer_token), std::move(routes),
                                       limits)) {
  server_->accept();
}

http_endpoint::~http_endpoint() {
  stop();
}

unsigned short http_endpoint::port() const {
  return server_->port();
}

void http_endpoint::stop() {
  server_->stop();
}

}  // namespace cloison
