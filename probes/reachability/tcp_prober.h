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

namespace cloison {

// What one (address, port) pair answered.
//   open        the three-way handshake completed (the connection is closed at once);
//   refused     the destination answered with a TCP RST (ECONNREFUSED);
//   filtered    no answer before the deadline, after every allowed attempt;
//   unreachable an ICMP error, no route, or a local policy reject (EHOSTUNREACH, ENETUNREACH,
//               ENETDOWN, EHOSTDOWN, EACCES, EPERM, ENONET), or another connect() error.
enum class verdict { open, refused, filtered, unreachable };
// "open" | "refused" | "filtered" | "unreachable".
std::string_view to_string(verdict v);

// How a pair was probed: from this machine's sockets, through a direct-tcpip channel opened by a
// remote vantage point's sshd, or by a fixed connect command run there over SSH.
enum class probe_method { local, ssh_forward, ssh_command };
// "local" | "ssh-forward" | "ssh-command".
std::string_view to_string(probe_method m);

struct connect_target {
  ip_address address;  // IPv4 or IPv6
  std::uint16_t port = 0;
};

struct connect_result {
  verdict v = verdict::filtered;
  // Duration of the attempt that decided the verdict (for `filtered`: of the last attempt).
  std::chrono::microseconds latency{0};
  // Attempts made (1 + timeouts retried). 0 means the pair could NOT be probed because of a
  // local failure (no socket, no ephemeral port, address family not supported...): `v` is then
  // meaningless and `error` says why. Callers must treat such a pair as a missing fact.
  int attempts = 0;
  // Empty for open, refused and filtered. For unreachable: the errno name ("EHOSTUNREACH") or,
  // for an unexpected connect() error, its message. For attempts == 0: "local: ..." and the cause
  // ("ssh: ..." from a remote vantage point).
  std::string error;
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

  // Probes every target; the result has targets.size() elements and results[i] is for targets[i].
  // Refused connections, timeouts and unreachable destinations are verdicts, never exceptions;
  // local failures are results with attempts == 0. May throw std::bad_alloc or
  // std::invalid_argument for nonsensical settings (negative timeout or retries).
  virtual std::vector<connect_result> probe(std::span<const connect_target> targets,
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
  std::vector<connect_result> probe(std::span<const connect_target> targets,
                                    const prober_settings& s) override;
};

// Raises the RLIMIT_NOFILE soft limit to the hard limit (to fs.nr_open when the hard limit is
// unlimited). Returns the resulting soft limit, the current one if raising fails. Thread-safe.
std::size_t raise_open_file_limit();

// The in-flight window probe() uses for `requested` (0: derived from the open-file limit, which
// is raised first) and `pairs` targets: at least 1, at most `pairs` (1 when pairs is 0).
std::size_t effective_concurrency(std::size_t requested, std::size_t pairs);

}  // namespace cloison
