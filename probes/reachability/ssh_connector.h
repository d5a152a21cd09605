// TCP reachability from a remote vantage point reached over SSH: the same verdicts as the local
// prober (tcp_prober.h), asked from inside the vantage point's segment.
//
// Two ways, per pair:
//  - ssh-forward: a direct-tcpip channel (ssh_channel_open_forward) that the remote sshd opens by
//    connecting to the pair: confirmed => open; refused by the sshd with "Connection refused" =>
//    refused; with "No route to host", "Network is unreachable"... => unreachable; no answer
//    before the per-attempt timeout => filtered. The sshd's own connect cannot be cancelled, so a
//    timed-out open stays pending (abandoned) until the sshd answers; open channels, pending or
//    abandoned, never exceed a fixed window per connection, and the session stays usable.
//  - ssh-command: when the sshd refuses forwarding (administratively prohibited), gives no reason
//    ("open failed"), or the window is full of abandoned opens, a fixed bash script
//    (kConnectScript) connects to a bounded batch of pairs at once with bash's /dev/tcp, each in
//    a forked job, and kills the jobs still connecting after the timeout (`sleep`); a few batches
//    run at once, each over its own channel of the connection; the addresses
//    and ports are argv data (IP literals and integers), never script text.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/inventory.h"
#include "probes/reachability/tcp_prober.h"

namespace cloison {

class ssh_runner;

// libssh's session error after the server refused a channel open:
// "Channel opening failure: channel 43 error (2) Connection refused".
struct channel_open_failure {
  unsigned channel = 0;  // libssh's local channel number
  // RFC 4254 reason: 1 administratively prohibited, 2 connect failed, 3 unknown channel type,
  // 4 resource shortage.
  unsigned code = 0;
  std::string text;  // the server's description
};
// nullopt for any other text. Pure.
std::optional<channel_open_failure> parse_channel_open_failure(std::string_view message);

// What a connect error text (strerror, in the C locale) means, as the local prober would say it:
// "Connection refused" -> refused; "Connection timed out" -> filtered; "No route to host" ->
// unreachable (error "EHOSTUNREACH"), likewise ENETUNREACH, ENETDOWN, EHOSTDOWN, EACCES, EPERM,
// ENONET; nullopt for any other text. Pure.
struct connect_verdict {
  verdict v = verdict::unreachable;
  std::string error;  // as connect_result::error
};
std::optional<connect_verdict> verdict_of_connect_error(std::string_view text);

// The verdict a refused direct-tcpip open gives the pair: with reason 2 (connect failed) and a
// known connect error, that error's verdict (verdict_of_connect_error); nullopt when the sshd did
// not say what its connect met (prohibited by its configuration, resource shortage, "open
// failed" for a connect that failed before it started): the pair is then probed with the command.
// Pure.
std::optional<connect_verdict> verdict_of_open_failure(const channel_open_failure& f);

// The fixed script of the command fallback. Arguments: TIMEOUT_SECONDS then ADDRESS PORT pairs;
// prints one line per pair, "INDEX STATUS START END TEXT" (STATUS 0 connected, 1 connect error
// TEXT, 124 still connecting after TIMEOUT_SECONDS and killed; START and END are $EPOCHREALTIME,
// "-" when unset or killed). Every connect starts before the timeout does, so a pair gets at least
// TIMEOUT_SECONDS. Exits 125 without the 124 lines when `sleep` fails.
extern const std::string_view kConnectScript;

// argv of one batch: {"bash", "-c", kConnectScript, "_", "1.000", address, port, ...}.
std::vector<std::string> connect_command(std::span<const connect_target> batch,
                                         std::chrono::milliseconds timeout);

// The results of a batch of `count` pairs from the script's stdout: status 0 open, 124 filtered,
// 1 the connect error's verdict (an unknown error text is `unreachable` with that text), attempts
// 1, latency END - START (0 without both). A pair without a line, or with another status, was not
// probed: attempts 0 and error "ssh: ..." with the reason. Pure.
std::vector<connect_result> parse_connect_output(std::string_view out, std::size_t count);

struct ssh_connector_settings {
  std::size_t window = 128;          // direct-tcpip opens pending at once, abandoned ones included
  std::size_t command_batch = 128;   // pairs per fallback command (connected in parallel remotely)
  std::size_t command_parallel = 4;  // fallback commands running at once (channels; at most 8)
  bool forward = true;               // false: every pair through the command
};

// The connector of one vantage point reached over SSH. One connection (an ssh_runner, so the
// same pinning, key authentication and reconnection as the host probe), used by one probe() at a
// time (concurrent calls wait for each other). Pairs that cannot be probed (no connection, the
// command could not run) are results with attempts 0 and error "ssh: ..."; refused, filtered and
// unreachable pairs are verdicts. Every result says how it was probed (method).
class ssh_connector final : public connector {
 public:
  // Connects to v.address with v.ssh when first used; `learned_keys_store` as ssh_runner's.
  explicit ssh_connector(const vantage_point& v, ssh_connector_settings s = {},
                         std::string learned_keys_store = {});
  ~ssh_connector() override;

  std::vector<connect_result> probe(const target_list& targets, const prober_settings& s) override;

 private:
  struct forward_state;

  // Probes what the sshd will connect for; the other pairs are added to `rest`. Returns why no
  // session could be had ("" when it could).
  std::string forward(const target_list& targets, const prober_settings& s,
                      std::vector<connect_result>& results, std::vector<std::size_t>& rest);
  void command(const target_list& targets, std::vector<std::size_t> pending,
               const prober_settings& s, std::vector<connect_result>& results);

  ssh_connector_settings settings_;
  std::shared_ptr<ssh_runner> runner_;
  std::mutex mutex_;                      // one probe() at a time
  std::unique_ptr<forward_state> state_;  // guarded by mutex_
};

}  // namespace cloison
