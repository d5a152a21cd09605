// The daemon's HTTP/1.1 endpoint (Boost.Beast), asynchronous on the daemon's io_context, which
// runs it: no thread of its own.
//   GET  /metrics  200, the Prometheus text (text/plain; version=0.0.4; charset=utf-8)
//   GET  /healthz  200 "ok" when healthy, 503 otherwise; never asks for the token
//   POST /run      202 when an audit was started, 409 when one is already running
// Another path: 404; another method on a known path: 405 with Allow. An exception from a route
// gives 500, never leaves the io_context.
//
// With a bearer token, every route but /healthz needs "Authorization: Bearer <token>" (compared
// in constant time; 401 with WWW-Authenticate otherwise, before the path is looked at). The token
// is never logged nor sent back.
//
// Bounds: request headers of at most 8 KiB (431 beyond), a body of at most 1 KiB (413); each
// request must arrive, and each response be taken, within `request_deadline` of the start of the
// wait (an idle keep-alive connection is closed after it); at most `max_connections` open at
// once, a connection beyond them is closed as soon as accepted. Keep-alive is supported.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>

namespace cloison {

// What the routes answer with. Called on the io_context's thread, one at a time: they must be
// quick (a snapshot taken under a lock), never wait for an audit.
struct http_routes {
  std::function<std::string()> metrics;  // the body of /metrics
  std::function<bool()> run_now;         // true: an audit was started; false: one is running
  std::function<bool()> healthy;
};

struct http_limits {
  std::chrono::milliseconds request_deadline{5000};
  std::size_t max_connections = 64;
};

class http_endpoint {
 public:
  // Listens on `listen`, an IP address and a port: "127.0.0.1:9469", "[::1]:9469",
  // "0.0.0.0:9469" (port 0: an ephemeral port, see port()), and serves the routes on `io` from
  // then on. Throws std::invalid_argument when `listen` is not of that form, when the address is
  // not a loopback one and there is no token, or when the token is empty; std::runtime_error,
  // naming the address, when it cannot be listened on.
  http_endpoint(boost::asio::io_context& io, const std::string& listen,
                std::optional<std::string> bearer_token, http_routes routes,
                http_limits limits = {});
  http_endpoint(const http_endpoint&) = delete;
  http_endpoint& operator=(const http_endpoint&) = delete;
  ~http_endpoint();  // stop()

  // The port listened on.
  unsigned short port() const;

  // Stops accepting and closes every connection; no route is called after it. Call it on the
  // io_context's thread, or while the io_context does not run. Idempotent.
  void stop();

 private:
  class server;  // the acceptor and the open connections, shared with their pending operations
  std::shared_ptr<server> server_;
};

}  // namespace cloison
