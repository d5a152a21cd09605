// TCP reachability: does a TCP connection from here to (address, port) succeed, get refused, get
// no answer, or get told the destination cannot be reached? The connect primitive is an interface
// so that the same matrix can later be probed from a remote host (a channel opened over SSH).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/cidr.h"
#include "core/interned_text.h"

namespace cloison {

// What one (address, port) pair answered.
//   open        the three-way handshake completed (the connection is closed at once);
//   refused     the destination answered with a TCP RST (ECONNREFUSED);
//   filtered    no answer before the deadline, after every allowed attempt;
//   unreachable an ICMP error, no route, or a local policy reject (EHOSTUNREACH, ENETUNREACH,
//               ENETDOWN, EHOSTDOWN, EACCES, EPERM, ENONET), or another connect() error.
enum class verdict : std::uint8_t { open, refused, filtered, unreachable };
// "open" | "refused" | "filtered" | "unreachable".
std::string_view to_string(verdict v);

// How a pair was probed: from this machine's sockets, through a direct-tcpip channel opened by a
// remote vantage point's sshd, or by a fixed connect command run there over SSH.
enum class probe_method : std::uint8_t { local, ssh_forward, ssh_command };
// "local" | "ssh-forward" | "ssh-command".
std::string_view to_string(probe_method m);

struct connect_target {
  ip_address address;  // IPv4 or IPv6
  std::uint16_t port = 0;
};

// Ports `first` to `last` (inclusive, first <= last) of one address.
struct target_range {
  ip_address address;
  std::uint16_t first = 0;
  std::uint16_t last = 0;
};

// The pairs to probe, held as port ranges: pair i is computed when asked for, never stored, so a
// sweep of every port of 20 hosts costs 20 ranges instead of 1.31 million targets. Pairs are
// numbered range after range, port after port. Immutable once built; thread-safe to read.
class target_list {
 public:
  target_list() = default;
  // Throws std::invalid_argument when a range has first > last.
  explicit target_list(std::vector<target_range> ranges);
  // One pair per target, in order (consecutive ports of an address share a range).
  target_list(std::span<const connect_target> targets);  // NOLINT: a list of pairs is one
  target_list(const std::vector<connect_target>& targets)
      : target_list(std::span<const connect_target>(targets)) {}

  std::size_t size() const { return starts_.empty() ? 0 : starts_.back(); }
  bool empty() const { return size() == 0; }
  // Pair i, for i < size().
  connect_target operator[](std::size_t i) const;

 private:
  std::vector<target_range> ranges_;
  std::vector<std::size_t> starts_;  // starts_[k]: number of the first pair after range k
};

// 16 bytes: a sweep of every port of 20 hosts holds 1.31 million of them.
struct connect_result {
  // Empty for open, refused and filtered. For unreachable: the errno name ("EHOSTUNREACH") or,
  // for an unexpected connect() error, its message. For attempts == 0: "local: ..." and the cause
  // ("ssh: ..." from a remote vantage point). Shared by the results that give the same one.
  interned_text error;
  // Duration of the attempt that decided the verdict (for `filtered`: of the last attempt); 32
  // bits of microseconds hold 35 minutes, far beyond any attempt's timeout.
  std::chrono::duration<std::int32_t, std::micro> latency{0};
  // Attempts made (1 + timeouts retried). 0 means the pair could NOT be probed because of a
  // local failure (no socket, no ephemeral port, address family not supported...): `v` is then
  // meaningless and `error` says why. Callers must treat such a pair as a missing fact.
  std::uint16_t attempts = 0;
  verdict v = verdict::filtered;
  probe_method method = probe_method::local;
};

struct prober_settings {
  std::chrono::milliseconds timeout{1000};  // per attempt
  int retries = 1;                          // extra attempts, for timeouts only
  // Maximum number of attempts in flight at once. 0: derived from the open-file limit (raised to
  // the hard limit first), keeping headroom for the rest of the process.
  std::size_t concurrency = 0;
};

// The connect primitive.
class connector {
 public:
  virtual ~connector() = default;

  // Probes every pair; the result has targets.size() elements and results[i] is for targets[i].
  // Refused connections, timeouts and unreachable destinations are verdicts, never exceptions;
  // local failures are results with attempts == 0. May throw std::bad_alloc or
  // std::invalid_argument for nonsensical settings (negative timeout or retries).
  virtual std::vector<connect_result> probe(const target_list& targets,
                                            const prober_settings& s) = 0;
};

// Local sockets, from the calling thread (so its network namespace applies): non-blocking
// connects on one io_context run by the calling thread, at most `concurrency` attempts in flight,
// each with its own deadline (`timeout` after its start); a timed-out attempt is retried up to
// `retries` times, a refused or unreachable one is final. Memory per call is the results vector
// plus one fixed slot per in-flight attempt; nothing is allocated per pair.
//
// Local resource exhaustion (EMFILE, ENFILE, ENOBUFS, EADDRNOTAVAIL...) shrinks the window of
// in-flight attempts and the pair is tried again once another attempt has finished; only when
// nothing else is in flight does it become a local failure (attempts == 0).
//
// Thread-safety: stateless; probe() may be called concurrently from several threads (each call
// has its own io_context). With concurrency 0, concurrent calls each derive their window from the
// same open-file limit: pass explicit windows when calling concurrently.
class asio_connector final : public connector {
 public:
  std::vector<connect_result> probe(const target_list& targets, const prober_settings& s) override;
};

// Raises the RLIMIT_NOFILE soft limit to the hard limit (to fs.nr_open when the hard limit is
// unlimited). Returns the resulting soft limit, the current one if raising fails. Thread-safe.
std::size_t raise_open_file_limit();

// The in-flight window probe() uses for `requested` (0: derived from the open-file limit, which
// is raised first) and `pairs` targets: at least 1, at most `pairs` (1 when pairs is 0).
std::size_t effective_concurrency(std::size_t requested, std::size_t pairs);

}  // namespace cloison
