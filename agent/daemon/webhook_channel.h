// The webhook channel of the daemon's alerts: an HTTPS POST of
//
//   {"source": "cloison", "establishment": "...", "alerts": [<alerts.h to_json>, ...]}
//
// (Content-Type: application/json; `Authorization: Bearer <token>` when a token file is set) to
// the inventory's URL, over a verified TLS connection only: the server's certificate must chain to
// `ca_file`'s CAs (the system's store when none is set) and name the URL's host (DNS name, or IP
// address for an IP literal; SNI is sent for DNS names). http:// is refused, loopback included: a
// local receiver gets a certificate from a local CA named by ca_file. Each attempt (resolution
// aside: the system resolver's own timeout applies) has `attempt_timeout` from connection to the
// response, whose size is bounded.
//
// Alerts wait in a queue persisted in the state folder (<state>/alert-queue.db, SQLite, WAL), one
// row per alert and destination URL, written before any attempt: they survive a restart and are
// removed once delivered. The queue of a URL is bounded (`max_queued`): beyond it the oldest are
// dropped, counted and logged. A 2xx answer delivers; a 4xx other than 408 and 429 drops the alerts
// sent (retrying cannot help: the error is logged); anything else (no connection, TLS refused, a
// 5xx, 408, 429, a timeout) leaves them queued, and the next attempt waits 1 s, 2 s, 4 s... up to
// `max_retry_delay` (first_retry_delay doubled per consecutive failure).
//
// The token is read from its file (probes/transport/secret_file.h: owner-only) at each attempt and
// never appears in a log line or an error text.
//
// Threading: one thread (the daemon's worker) calls enqueue() and deliver_pending(), which blocks
// for the time of its attempts (at most ceil(queued / batch) × attempt_timeout when the receiver
// takes them all, one attempt when it fails). queued() and dropped() may be called from any thread
// (the /metrics endpoint). Several channels (one per webhook) may share the state folder.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agent/daemon/alerts.h"
#include "core/cidr.h"

namespace cloison {

struct webhook_settings {
  std::string url;         // https://HOST[:PORT]/PATH (https_url)
  std::string ca_file;     // PEM CAs trusted; "": the system's store
  std::string token_file;  // the bearer token; "": no Authorization header
  std::string establishment;
  std::chrono::milliseconds attempt_timeout{10000};
  std::chrono::milliseconds first_retry_delay{1000};
  std::chrono::milliseconds max_retry_delay{std::chrono::minutes(5)};
  std::size_t max_queued = 1000;  // alerts kept for this URL
  std::size_t batch = 100;        // alerts per POST
};

struct delivery_result {
  std::size_t delivered = 0;  // alerts the receiver took (2xx)
  std::size_t refused = 0;    // alerts it refused for good (4xx but 408 and 429): dropped
  std::string error;          // the last failure, "" when none; never holds the token
};

class webhook_channel {
 public:
  // Opens (creating them) `state_dir` and its alert-queue.db. Throws std::invalid_argument when
  // the URL is not https://HOST[:PORT]/PATH, std::runtime_error naming the file when the queue
  // cannot be opened (not SQLite, no permission).
  webhook_channel(webhook_settings settings, const std::filesystem::path& state_dir);
  ~webhook_channel();
  webhook_channel(const webhook_channel&) = delete;
  webhook_channel& operator=(const webhook_channel&) = delete;

  // Queues `alerts` (one transaction; the oldest beyond max_queued dropped). Throws
  // std::runtime_error when the queue cannot be written: nothing is queued then.
  void enqueue(const std::vector<alert>& alerts);

  // Sends what is queued, oldest first, `batch` alerts per POST, until the queue is empty or an
  // attempt fails (the rest waits for the next call). Does nothing before the delay that follows
  // a failure has passed (see next_attempt()). Never throws; errors are returned and logged.
  delivery_result deliver_pending();

  // When deliver_pending() should be called again: now or later (after a failure); nullopt when
  // nothing is queued.
  std::optional<std::chrono::steady_clock::time_point> next_attempt() const;

  std::size_t queued() const { return queued_; }    // alerts waiting for this URL
  std::size_t dropped() const { return dropped_; }  // since construction: queue bound and refused

 private:
  struct queue;
  webhook_settings settings_;
  https_url url_;
  std::unique_ptr<queue> queue_;
  unsigned failures_ = 0;  // consecutive failed attempts
  std::chrono::steady_clock::time_point not_before_{};
  std::atomic<std::size_t> queued_{0};
  std::atomic<std::size_t> dropped_{0};
};

}  // namespace cloison
