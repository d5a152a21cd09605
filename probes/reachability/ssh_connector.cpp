#include "probes/reachability/ssh_connector.h"

#include <libssh/libssh.h>
#include <poll.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <deque>
#include <limits>
#include <stdexcept>

#include "probes/transport/ssh_runner.h"

namespace cloison {

namespace {

using clock_type = std::chrono::steady_clock;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// Reads an unsigned number at the start of `s` and drops it; nullopt when there is none.
std::optional<unsigned long long> take_number(std::string_view& s) {
  unsigned long long v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end == s.data())
    return std::nullopt;
  s.remove_prefix(static_cast<std::size_t>(end - s.data()));
  return v;
}

bool take(std::string_view& s, std::string_view prefix) {
  if (s.substr(0, prefix.size()) != prefix)
    return false;
  s.remove_prefix(prefix.size());
  return true;
}

// Microseconds since the epoch from "$EPOCHREALTIME" ("1795920883.877455"; "," in some locales).
std::optional<long long> epoch_us(std::string_view t) {
  const auto dot = t.find_first_of(".,");
  if (dot == std::string_view::npos || t.size() - dot - 1 != 6)
    return std::nullopt;
  std::string_view whole = t.substr(0, dot), frac = t.substr(dot + 1);
  const auto s = take_number(whole);
  const auto us = take_number(frac);
  if (!s || !us || !whole.empty() || !frac.empty())
    return std::nullopt;
  return static_cast<long long>(*s) * 1000000 + static_cast<long long>(*us);
}

std::string ssh_failure(std::string why) {
  return "ssh: " + why;
}

}  // namespace

std::optional<channel_open_failure> parse_channel_open_failure(std::string_view message) {
  std::string_view s = message;
  channel_open_failure f;
  if (!take(s, "Channel opening failure: channel "))
    return std::nullopt;
  const auto channel = take_number(s);
  if (!channel || !take(s, " error ("))
    return std::nullopt;
  const auto code = take_number(s);
  if (!code || !take(s, ")"))
    return std::nullopt;
  f.channel = static_cast<unsigned>(*channel);
  f.code = static_cast<unsigned>(*code);
  f.text = std::string(trim(s));
  return f;
}

std::optional<connect_verdict> verdict_of_connect_error(std::string_view text) {
  struct known {
    std::string_view text;
    verdict v;
    std::string_view error;
  };
  static constexpr std::array<known, 9> kKnown{{
      {"Connection refused", verdict::refused, ""},
      {"Connection timed out", verdict::filtered, ""},
      {"No route to host", verdict::unreachable, "EHOSTUNREACH"},
      {"Network is unreachable", verdict::unreachable, "ENETUNREACH"},
      {"Network is down", verdict::unreachable, "ENETDOWN"},
      {"Host is down", verdict::unreachable, "EHOSTDOWN"},
      {"Permission denied", verdict::unreachable, "EACCES"},
      {"Operation not permitted", verdict::unreachable, "EPERM"},
      {"Machine is not on the network", verdict::unreachable, "ENONET"},
  }};
  text = trim(text);
  for (const auto& k : kKnown) {
    if (text == k.text)
      return connect_verdict{k.v, std::string(k.error)};
  }
  return std::nullopt;
}

std::optional<connect_verdict> verdict_of_open_failure(const channel_open_failure& f) {
  constexpr unsigned kConnectFailed = 2;  // SSH_OPEN_CONNECT_FAILED
  if (f.code != kConnectFailed)
    return std::nullopt;
  return verdict_of_connect_error(f.text);
}

// Every connect of the batch starts at once, each in a background job of its own (a fork of this
// shell, no program started per pair, so that a busy vantage point does not eat a pair's timeout
// before its connect even starts); after TIMEOUT, the jobs still connecting are killed with their
// process group (set -m) and reported as timed out. A batch takes its launch plus one timeout.
// LC_ALL=C: the connect errors are strerror texts, translated in other locales.
const std::string_view kConnectScript =
    "export LC_ALL=C; set -m; t=$1; shift; i=0; pids=()\n"
    "while [ $# -ge 2 ]; do\n"
    "  { s=$EPOCHREALTIME; e=$(: 2>&1 3<>\"/dev/tcp/$1/$2\"); r=$?; m=${e##*: }; printf '%s %s %s "
    "%s "
    "%s\\n' \"$i\" \"$r\" \"${s:--}\" \"${EPOCHREALTIME:--}\" \"${m//$'\\n'/ }\"; } &\n"
    "  pids[i]=$!; i=$((i+1)); shift 2\n"
    "done\n"
    "sleep \"$t\"; slept=$?\n"
    "exec 2>/dev/null\n"
    "for j in \"${!pids[@]}\"; do\n"
    "  kill -0 \"${pids[j]}\" && kill -KILL -- \"-${pids[j]}\" && [ \"$slept\" = 0 ] && printf '%s "
    "124 - - "
    "\\n' \"$j\"\n"
    "done\n"
    "wait\n"
    "exit $((slept ? 125 : 0))\n";

std::vector<std::string> connect_command(std::span<const connect_target> batch,
                                         std::chrono::milliseconds timeout) {
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%lld.%03lld",
                static_cast<long long>(timeout.count() / 1000),
                static_cast<long long>(timeout.count() % 1000));
  std::vector<std::string> argv{"bash", "-c", std::string(kConnectScript), "_", seconds};
  for (const auto& t : batch) {
    argv.push_back(t.address.to_string());
    argv.push_back(std::to_string(t.port));
  }
  return argv;
}

std::vector<connect_result> parse_connect_output(std::string_view out, std::size_t count) {
  std::vector<connect_result> results(count);
  std::vector<bool> seen(count, false);
  static const interned_text no_result(
      ssh_failure("the connect command gave no result for this pair"));
  for (auto& r : results) {
    r.method = probe_method::ssh_command;
    r.error = no_result;
  }
  while (!out.empty()) {
    const auto nl = out.find('\n');
    std::string_view line = out.substr(0, nl);
    out.remove_prefix(nl == std::string_view::npos ? out.size() : nl + 1);
    const auto index = take_number(line);
    if (!index || *index >= count || seen[*index] || !take(line, " "))
      continue;
    const auto status = take_number(line);
    if (!status || !take(line, " "))
      continue;
    const auto start_end = line.find(' ');
    const auto end_end =
        start_end == std::string_view::npos ? start_end : line.find(' ', start_end + 1);
    if (end_end == std::string_view::npos)
      continue;
    const auto start = epoch_us(line.substr(0, start_end));
    const auto end = epoch_us(line.substr(start_end + 1, end_end - start_end - 1));
    const std::string_view text = trim(line.substr(end_end + 1));
    auto& r = results[*index];
    seen[*index] = true;
    r.error.clear();
    if (start && end && *end >= *start)  // a clock stepped by half an hour is not wrapped
      r.latency = decltype(r.latency)(
          std::min<long long>(*end - *start, std::numeric_limits<std::int32_t>::max()));
    r.attempts = 1;
    if (*status == 0) {
      r.v = verdict::open;
    } else if (*status == 124) {
      r.v = verdict::filtered;
    } else if (*status == 1) {
      const auto known = verdict_of_connect_error(text);
      r.v = known ? known->v : verdict::unreachable;
      r.error = known ? known->error : std::string(text);
    } else {  // not a status the script gives: nothing was probed
      r.attempts = 0;
      r.latency = {};
      r.error = ssh_failure("the connect command failed (status " + std::to_string(*status) +
                            (text.empty() ? "" : ": " + std::string(text)) + ")");
    }
  }
  return results;
}

// ------------------------------------------------------------------------------- the connector

namespace {

// Opens still pending at the sshd after their attempt timed out, from earlier calls.
struct abandoned_open {
  ssh_channel channel;
};

// Polls a direct-tcpip open without blocking: SSH_OK opened, SSH_ERROR refused (or the session
// broke), SSH_AGAIN still pending. Also processes whatever packets have arrived.
int poll_open(ssh_channel c, const std::string& host, int port) {
  return ssh_channel_open_forward(c, host.c_str(), port, "127.0.0.1", 0);
}

// An opened channel is closed at once; freeing waits for the peer's close inside libssh.
void release(ssh_channel c) {
  if (ssh_channel_is_open(c))
    ssh_channel_close(c);
  ssh_channel_free(c);
}

bool broken(ssh_session s) {
  return !ssh_is_connected(s) || (ssh_get_status(s) & (SSH_CLOSED | SSH_CLOSED_ERROR)) != 0;
}

// A pair the command could not ask: an earlier timeout still says filtered, else not probed.
void not_probed(connect_result& r, const std::string& failure) {
  if (r.attempts == 0) {
    r.method = probe_method::ssh_command;
    r.error = ssh_failure(failure);
  }
}

}  // namespace

struct ssh_connector::forward_state {
  std::uint64_t generation = 0;           // of the runner's session these fields describe
  std::optional<unsigned> next_number;    // libssh's number for the next channel, once learnt
  bool refused = false;                   // forwarding unusable on this session
  std::vector<abandoned_open> abandoned;  // timed-out opens the sshd has not answered yet
};

ssh_connector::ssh_connector(const vantage_point& v, ssh_connector_settings s,
                             std::string learned_keys_store)
    : settings_(s), state_(std::make_unique<forward_state>()) {
  backup_host h;
  h.name = v.name;
  h.addresses = {v.address};
  h.os = "linux";
  h.access = access_method::ssh;
  h.ssh = v.ssh;
  h.ssh.sudo = false;
  runner_ = std::make_shared<ssh_runner>(std::move(h), std::move(learned_keys_store));
  settings_.window = std::max<std::size_t>(settings_.window, 2);
  settings_.command_batch = std::max<std::size_t>(settings_.command_batch, 1);
  settings_.command_parallel = std::clamp<std::size_t>(settings_.command_parallel, 1, 8);
}

ssh_connector::~ssh_connector() = default;

std::vector<connect_result> ssh_connector::probe(const target_list& targets,
                                                 const prober_settings& s) {
  if (s.timeout.count() < 0 || s.retries < 0 ||
      s.retries >= std::numeric_limits<decltype(connect_result::attempts)>::max())
    throw std::invalid_argument("prober settings: negative timeout, or retries not in 0-65534");
  std::vector<connect_result> results(targets.size());
  if (targets.empty())
    return results;
  std::lock_guard lock(mutex_);
  std::vector<std::size_t> rest;
  if (settings_.forward) {
    const std::string failure = forward(targets, s, results, rest);
    if (!failure.empty()) {  // no connection: the command would not get one either
      for (auto& r : results) {
        r.method = probe_method::ssh_forward;
        r.error = ssh_failure(failure);
      }
      return results;
    }
  } else {
    for (std::size_t i = 0; i < targets.size(); ++i)
      rest.push_back(i);
  }
  command(targets, std::move(rest), s, results);
  return results;
}

// Direct-tcpip channels, under the runner's lock. Returns the pairs left to the command.
//
// libssh keeps only the latest open failure text, in the session's error, naming the channel by
// its local number. The numbers are learnt once per session from a first open that the sshd can
// only refuse (127.0.0.1 port 0) while nothing else is in flight; later channels, the command's
// included, get the next numbers in order. A refusal whose text was overwritten by another one
// is asked again alone; one the sshd gives no reason for goes to the command.
std::string ssh_connector::forward(const target_list& targets, const prober_settings& s,
                                   std::vector<connect_result>& results,
                                   std::vector<std::size_t>& rest) {
  const auto timeout = std::chrono::duration_cast<clock_type::duration>(s.timeout);
  const std::size_t window = settings_.window;
  const std::string failure = runner_->with_session(
      clock_type::now() + std::max<clock_type::duration>(timeout, std::chrono::seconds(10)),
      [&](ssh_session_struct* session, std::uint64_t generation) {
        forward_state& st = *state_;
        if (st.generation != generation)  // the previous session's channels went with it
          st = forward_state{generation, std::nullopt, false, {}};
        if (st.refused) {
          for (std::size_t i = 0; i < targets.size(); ++i)
            rest.push_back(i);
          return;
        }
        constexpr std::size_t kNumbering = SIZE_MAX;  // the index of the numbering open
        struct slot {
          ssh_channel channel;
          std::size_t index;
          unsigned number;
          clock_type::time_point started;
          std::string host;
        };
        std::vector<slot> active;
        std::deque<std::size_t> queue, alone;  // alone: refusals whose text was lost
        std::vector<int> asked_alone(targets.size(), 0);
        for (std::size_t i = 0; i < targets.size(); ++i)
          queue.push_back(i);
        bool stop = false;  // the session broke or forwarding is refused: the rest to the command
        ssh_set_blocking(session, 0);

        auto launch = [&](std::size_t index) {
          ssh_channel c = ssh_channel_new(session);
          if (c == nullptr)
            return false;
          const bool numbering = index == kNumbering;
          slot sl{c, index, numbering ? 0 : (*st.next_number)++, clock_type::now(),
                  numbering ? "127.0.0.1" : targets[index].address.to_string()};
          if (!numbering)
            ++results[index].attempts;
          if (poll_open(c, sl.host, numbering ? 0 : targets[index].port) == SSH_ERROR &&
              broken(session)) {  // the channel goes with the session; the pair to the command
            if (!numbering)
              --results[index].attempts;
            stop = true;
            return false;
          }
          active.push_back(std::move(sl));
          return true;
        };

        if (!st.next_number && (!st.abandoned.empty() || !launch(kNumbering)))
          stop = true;
        while (!stop) {
          // Start what the window allows; a lost refusal only when nothing else is in flight.
          const bool numbering = !st.next_number;
          while (!numbering && alone.empty() && !queue.empty() &&
                 active.size() + st.abandoned.size() < window && launch(queue.front()))
            queue.pop_front();
          if (!numbering && active.empty() && !alone.empty() && st.abandoned.size() < window &&
              launch(alone.front()))
            alone.pop_front();
          if (stop || active.empty())
            break;  // done, or the window is full of abandoned opens

          // Wait for the sshd, in short slices (libssh may hold unsent data).
          pollfd pfd{ssh_get_fd(session), POLLIN, 0};
          if (::poll(&pfd, 1, 20) < 0 && errno != EINTR)
            break;

          const auto now = clock_type::now();
          std::vector<slot> refused;
          for (auto it = active.begin(); it != active.end();) {
            const int port = it->index == kNumbering ? 0 : targets[it->index].port;
            const int rc = poll_open(it->channel, it->host, port);
            if (rc == SSH_AGAIN && now - it->started < timeout) {
              ++it;
              continue;
            }
            if (rc == SSH_ERROR && broken(session)) {
              stop = true;
              break;
            }
            const auto latency =
                std::chrono::duration_cast<std::chrono::microseconds>(now - it->started);
            if (rc == SSH_ERROR) {
              refused.push_back(*it);
            } else if (it->index == kNumbering) {  // opened, or no answer: no numbers
              if (rc == SSH_OK)
                release(it->channel);
              else
                st.abandoned.push_back({it->channel});
              st.refused = true;
              stop = true;
            } else {
              auto& r = results[it->index];
              r.v = rc == SSH_OK ? verdict::open : verdict::filtered;
              r.latency = latency;
              r.method = probe_method::ssh_forward;
              if (rc == SSH_OK) {
                release(it->channel);
              } else {  // timed out: the sshd still tries; retried while allowed
                st.abandoned.push_back({it->channel});
                if (r.attempts <= s.retries)
                  queue.push_back(it->index);
              }
            }
            it = active.erase(it);
          }
          if (stop)
            break;

          // Abandoned opens that the sshd has answered by now.
          std::erase_if(st.abandoned, [&](const abandoned_open& a) {
            const int rc = poll_open(a.channel, "", 0);
            if (rc == SSH_OK)
              release(a.channel);
            else if (rc == SSH_ERROR)
              ssh_channel_free(a.channel);
            return rc != SSH_AGAIN;
          });
          if (broken(session)) {
            stop = true;
            break;
          }

          // Refusals: only the one the session's error names has its text.
          const auto said = parse_channel_open_failure(ssh_get_error(session));
          for (const auto& sl : refused) {
            ssh_channel_free(sl.channel);
            if (sl.index == kNumbering) {
              if (said && said->code == 2)
                st.next_number = said->channel + 1;  // forwarding works; numbers known
              else
                st.refused = stop = true;  // prohibited (code 1), or no reason given
              continue;
            }
            auto& r = results[sl.index];
            if (!said || said->channel != sl.number) {
              --r.attempts;  // no answer yet: asked again alone, a few times at most
              if (++asked_alone[sl.index] <= 3)
                alone.push_back(sl.index);
              else
                rest.push_back(sl.index);
            } else if (const auto v = verdict_of_open_failure(*said)) {
              r.v = v->v;
              r.error = v->error;
              r.latency = std::chrono::duration_cast<std::chrono::microseconds>(now - sl.started);
              r.method = probe_method::ssh_forward;
              if (r.v == verdict::filtered && r.attempts <= s.retries)
                queue.push_back(sl.index);
            } else {
              --r.attempts;  // the sshd did not try, or did not say why: the command will
              rest.push_back(sl.index);
            }
          }
        }
        // What is left (window full, forwarding refused, session broken) goes to the command.
        const bool gone = broken(session);
        for (const auto& sl : active) {
          if (sl.index == kNumbering)
            continue;
          --results[sl.index].attempts;
          rest.push_back(sl.index);
          if (!gone)
            st.abandoned.push_back({sl.channel});
        }
        rest.insert(rest.end(), queue.begin(), queue.end());
        rest.insert(rest.end(), alone.begin(), alone.end());
        ssh_set_blocking(session, 1);
      });
  std::sort(rest.begin(), rest.end());
  rest.erase(std::unique(rest.begin(), rest.end()), rest.end());
  return failure;
}

// The fixed connect command, in batches for `pending`, up to command_parallel batches at once
// over channels of the connection; filtered pairs are retried while their attempts allow. A batch
// that could not run (no connection, no end before its deadline) ends the call once its round is
// read: the pairs left are not probed, with that reason.
void ssh_connector::command(const target_list& targets, std::vector<std::size_t> pending,
                            const prober_settings& s, std::vector<connect_result>& results) {
  const std::size_t per_round = settings_.command_batch * settings_.command_parallel;
  while (!pending.empty()) {
    std::vector<std::size_t> again;
    for (std::size_t from = 0; from < pending.size(); from += per_round) {
      const std::size_t to = std::min(pending.size(), from + per_round);
      std::vector<std::vector<std::string>> argvs;
      for (std::size_t b = from; b < to; b += settings_.command_batch) {
        std::vector<connect_target> batch;
        for (std::size_t k = b; k < std::min(to, b + settings_.command_batch); ++k)
          batch.push_back(targets[pending[k]]);
        argvs.push_back(connect_command(batch, s.timeout));
      }
      // Every connect of a batch runs at once: one timeout (+ the kill delay), plus room for
      // starting the processes on a busy host.
      const auto until = clock_type::now() + s.timeout + std::chrono::seconds(15);
      const auto runs = runner_->run_all(argvs, until, 1u << 20);
      if (state_->next_number)
        *state_->next_number += static_cast<unsigned>(runs.size());  // a channel each
      std::string failure;
      for (std::size_t j = 0; j < runs.size(); ++j) {
        const auto& run = runs[j];
        const std::size_t b = from + j * settings_.command_batch;
        const std::size_t n = std::min(settings_.command_batch, to - b);
        if (run.outcome != outcome::ok) {
          failure = run.failure;
          for (std::size_t k = b; k < b + n; ++k)
            not_probed(results[pending[k]], failure);
          continue;
        }
        auto got = parse_connect_output(run.out, n);
        if (run.exit_code != 0) {  // e.g. no bash there: say what the vantage point answered
          const std::string why =
              "the connect command exited with status " + std::to_string(run.exit_code) +
              (run.err.empty() ? "" : ": " + std::string(trim(run.err.substr(0, 200))));
          for (auto& g : got) {
            if (g.attempts == 0)
              g.error = ssh_failure(why);
          }
        }
        for (std::size_t k = 0; k < n; ++k) {
          const std::size_t i = pending[b + k];
          auto& r = results[i];
          const auto& g = got[k];
          if (g.attempts == 0) {  // not probed now: an earlier timeout still says filtered
            if (r.attempts == 0)
              r = g;
            continue;
          }
          r.v = g.v;
          // A killed connect has no end time: it lasted the timeout, at least.
          r.latency = g.v == verdict::filtered && g.latency.count() == 0
                          ? std::chrono::duration_cast<decltype(r.latency)>(s.timeout)
                          : g.latency;
          r.error = g.error;
          r.method = g.method;
          r.attempts = static_cast<std::uint16_t>(r.attempts + g.attempts);
          if (r.v == verdict::filtered && r.attempts <= s.retries)
            again.push_back(i);
        }
      }
      if (!failure.empty()) {
        for (std::size_t k = to; k < pending.size(); ++k)
          not_probed(results[pending[k]], failure);
        return;
      }
    }
    pending = std::move(again);
  }
}

}  // namespace cloison
