#include "probes/transport/ssh_runner.h"

#include <libssh/libssh.h>
#include <poll.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iterator>

#include "probes/transport/secret_file.h"

namespace cloison {

std::optional<std::string> cmd_quote(const std::vector<std::string>& argv) {
  std::string line;
  for (const auto& arg : argv) {
    if (arg.empty() || arg.find_first_of("\"%\r\n") != std::string::npos || arg.back() == '\\')
      return std::nullopt;
    if (!line.empty())
      line += ' ';
    const bool quote = arg.find_first_of(" \t&|<>^()") != std::string::npos;
    line += quote ? "\"" + arg + "\"" : arg;
  }
  return line;
}

std::string shell_quote(const std::vector<std::string>& argv) {
  std::string line;
  for (const auto& arg : argv) {
    if (!line.empty())
      line += ' ';
    line += '\'';
    for (const char c : arg) {
      if (c == '\'')
        line += "'\\''";
      else
        line += c;
    }
    line += '\'';
  }
  return line;
}

namespace {

using clock_type = std::chrono::steady_clock;

constexpr std::size_t kReadChunk = 32768;

std::chrono::milliseconds left(deadline until) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(until - clock_type::now());
}

// Bounds the next blocking libssh call to what is left before `until` (at least 1 ms: libssh
// reads a zero timeout as "none", i.e. forever).
void bound_next_call(ssh_session s, deadline until) {
  const long ms = std::max<long>(1, static_cast<long>(left(until).count()));
  long sec = ms / 1000;
  long usec = (ms % 1000) * 1000;
  ssh_options_set(s, SSH_OPTIONS_TIMEOUT, &sec);
  ssh_options_set(s, SSH_OPTIONS_TIMEOUT_USEC, &usec);
}

struct session_free {
  void operator()(ssh_session s) const {
    if (ssh_is_connected(s))
      ssh_disconnect(s);
    ssh_free(s);
  }
};
using session_ptr = std::unique_ptr<ssh_session_struct, session_free>;

struct key_free {
  void operator()(ssh_key k) const { ssh_key_free(k); }
};
using key_ptr = std::unique_ptr<ssh_key_struct, key_free>;

// Closing a channel writes a packet and waits for it to leave: bounded to a short time so that a
// silent peer cannot hold the caller.
struct channel_free {
  ssh_session session = nullptr;
  void operator()(ssh_channel c) const {
    bound_next_call(session, clock_type::now() + std::chrono::milliseconds(200));
    if (ssh_channel_is_open(c))
      ssh_channel_close(c);
    ssh_channel_free(c);
  }
};
using channel_ptr = std::unique_ptr<ssh_channel_struct, channel_free>;

// Never prompts: an encrypted key without a passphrase file is refused, not asked for on a tty
// (without a callback, OpenSSL's PEM reader would read the terminal).
int refuse_passphrase_prompt(const char*, char*, size_t, int, int, void*) {
  return -1;
}

// "ssh-ed25519 SHA256:..." of the server's key, or empty when it cannot be read.
std::string host_key_id(ssh_session s) {
  ssh_key raw = nullptr;
  if (ssh_get_server_publickey(s, &raw) != SSH_OK || raw == nullptr)
    return {};
  key_ptr key(raw);
  unsigned char* hash = nullptr;
  size_t hash_len = 0;
  if (ssh_get_publickey_hash(key.get(), SSH_PUBLICKEY_HASH_SHA256, &hash, &hash_len) != 0)
    return {};
  char* fp = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, hash_len);
  ssh_clean_pubkey_hash(&hash);
  if (fp == nullptr)
    return {};
  const char* type = ssh_key_type_to_char(ssh_key_type(key.get()));
  std::string id = std::string(type != nullptr ? type : "unknown") + " " + fp;
  ssh_string_free_char(fp);
  return id;
}

}  // namespace

namespace {

struct attempt {
  enum outcome outcome = outcome::ok;
  std::string failure;
  bool permanent = false;  // the same configuration will always fail the same way
};

attempt fail(enum outcome o, std::string why, bool permanent = false) {
  return attempt{o, std::move(why), permanent};
}

// Loads the private key named by the inventory (decrypting it with the passphrase file).
attempt load_key(const ssh_access& ssh, key_ptr& key) {
  struct stat st {};
  if (::stat(ssh.key_file.c_str(), &st) != 0)
    return fail(outcome::error,
                "cannot read the private key file " + ssh.key_file + ": " + std::strerror(errno));
  if (!S_ISREG(st.st_mode))
    return fail(outcome::error, "private key file " + ssh.key_file + " is not a regular file");
  std::string passphrase;
  if (!ssh.passphrase_file.empty()) {
    std::string why;
    if (!read_secret_file(ssh.passphrase_file, passphrase, why))
      return fail(outcome::error, why);
  }
  ssh_key raw = nullptr;
  const int rc = ssh_pki_import_privkey_file(
      ssh.key_file.c_str(), ssh.passphrase_file.empty() ? nullptr : passphrase.c_str(),
      refuse_passphrase_prompt, nullptr, &raw);
  wipe(passphrase);
  if (rc == SSH_EOF)
    return fail(outcome::error, "cannot read the private key file " + ssh.key_file);
  if (rc != SSH_OK || raw == nullptr)
    return fail(outcome::error,
                "cannot load the private key " + ssh.key_file +
                    (ssh.passphrase_file.empty()
                         ? " (not a private key, or encrypted and no passphrase_file)"
                         : " (not a private key, or wrong passphrase)"));
  key.reset(raw);
  return {};
}

// What a runner remembers of the host's key across reconnections: the key accepted on first use
// (so that a later different key is refused) and the file where such keys are kept between runs.
struct host_key_memory {
  std::string learned;  // "type SHA256:..."; empty until a key is accepted on first use
  std::string store;    // known_hosts file of keys learned on first use; empty: none
};

// With trust_on_first_use, the key not pinned by the inventory's known_hosts, checked against
// the store of keys learned in earlier runs: the one learned there is accepted (and stays
// unpinned by an administrator: `learned` is set), an unknown one is accepted and added to the
// store, a different one is refused.
attempt check_learned_key(ssh_session s, const std::string& of, const std::string& seen,
                          host_key_memory& keys) {
  if (!keys.learned.empty() && keys.learned != seen)
    return fail(outcome::error,
                of + std::string(kHostKeyChangedWords[1]) + "(" + seen + " seen, " + keys.learned +
                    " learned): refused",
                true);
  if (!keys.store.empty()) {
    if (ssh_options_set(s, SSH_OPTIONS_KNOWNHOSTS, keys.store.c_str()) != SSH_OK ||
        ssh_options_set(s, SSH_OPTIONS_GLOBAL_KNOWNHOSTS, keys.store.c_str()) != SSH_OK)
      return fail(outcome::error, of + ": bad options: " + ssh_get_error(s), true);
    // Runners of several hosts may learn at once: one appends to the store at a time.
    static std::mutex store_mutex;
    std::lock_guard lock(store_mutex);
    switch (ssh_session_is_known_server(s)) {
      case SSH_KNOWN_HOSTS_OK:
        break;
      case SSH_KNOWN_HOSTS_UNKNOWN:
      case SSH_KNOWN_HOSTS_NOT_FOUND:
        if (ssh_session_update_known_hosts(s) != SSH_OK)
          return fail(outcome::error, of + " (" + seen + ") could not be added to the store " +
                                          keys.store + ": " + ssh_get_error(s));
        break;
      case SSH_KNOWN_HOSTS_CHANGED:
      case SSH_KNOWN_HOSTS_OTHER:
        return fail(outcome::error,
                    of + std::string(kHostKeyChangedWords[0]) + seen +
                        " does not match the key learned on first use in " + keys.store +
                        " (possible man-in-the-middle): refused",
                    true);
      case SSH_KNOWN_HOSTS_ERROR:
      default:
        return fail(outcome::error, of + " could not be checked against " + keys.store + " (" +
                                        seen + "): refused");
    }
  }
  keys.learned = seen;
  return {};
}

// Opens and authenticates a session to the host, or says why not.
attempt open_session(const backup_host& host, host_key_memory& keys, deadline until,
                     session_ptr& out) {
  const ssh_access& ssh = host.ssh;
  const std::string where = host.primary_address() + ":" + std::to_string(ssh.port);
  if (left(until).count() <= 0)
    return fail(outcome::timeout, "ssh to " + where + ": deadline passed before connecting");
  if (ssh.user.empty())
    return fail(outcome::error, "ssh to " + where + ": no user configured", true);
  if (ssh.known_hosts.empty() && !ssh.trust_on_first_use)
    return fail(outcome::error,
                "ssh to " + where + ": no known_hosts file configured (host keys are pinned)",
                true);
  key_ptr key;
  if (!ssh.key_file.empty()) {
    attempt k = load_key(ssh, key);
    if (k.outcome != outcome::ok)
      return k;
  } else if (!ssh.use_agent) {
    return fail(outcome::error, "ssh to " + where + ": no key_file and use_agent is off", true);
  }

  session_ptr s(ssh_new());
  if (!s)
    return fail(outcome::error, "ssh to " + where + ": cannot create a session");
  bool no_config = false;
  unsigned port = ssh.port;
  int verbosity = SSH_LOG_NOLOG;
  // Without a known_hosts file (trust_on_first_use), nothing may be read from ~/.ssh.
  const std::string known = ssh.known_hosts.empty() ? std::string("/dev/null") : ssh.known_hosts;
  if (ssh_options_set(s.get(), SSH_OPTIONS_PROCESS_CONFIG, &no_config) != SSH_OK ||
      ssh_options_set(s.get(), SSH_OPTIONS_HOST, host.primary_address().c_str()) != SSH_OK ||
      ssh_options_set(s.get(), SSH_OPTIONS_PORT, &port) != SSH_OK ||
      ssh_options_set(s.get(), SSH_OPTIONS_USER, ssh.user.c_str()) != SSH_OK ||
      ssh_options_set(s.get(), SSH_OPTIONS_KNOWNHOSTS, known.c_str()) != SSH_OK ||
      ssh_options_set(s.get(), SSH_OPTIONS_GLOBAL_KNOWNHOSTS, known.c_str()) != SSH_OK ||
      ssh_options_set(s.get(), SSH_OPTIONS_LOG_VERBOSITY, &verbosity) != SSH_OK)
    return fail(outcome::error, "ssh to " + where + ": bad options: " + ssh_get_error(s.get()),
                true);

  bound_next_call(s.get(), until);
  if (ssh_connect(s.get()) != SSH_OK) {
    const std::string why = ssh_get_error(s.get());
    if (left(until).count() <= 0 || why.find("Timeout") != std::string::npos)
      return fail(outcome::timeout,
                  "ssh to " + where + ": no answer before the deadline (" + why + ")");
    return fail(outcome::error, "ssh to " + where + ": connection failed: " + why);
  }

  // Host key pinning: only a key of known_hosts (or a first key with trust_on_first_use).
  const std::string seen = host_key_id(s.get());
  const std::string seen_text = seen.empty() ? "unreadable key" : seen;
  const std::string of = "host key of " + host.primary_address();
  switch (ssh_session_is_known_server(s.get())) {
    case SSH_KNOWN_HOSTS_OK:
      break;
    case SSH_KNOWN_HOSTS_UNKNOWN:
    case SSH_KNOWN_HOSTS_NOT_FOUND:
      if (ssh.trust_on_first_use && !seen.empty()) {
        if (attempt a = check_learned_key(s.get(), of, seen, keys); a.outcome != outcome::ok)
          return a;
        break;
      }
      return fail(outcome::error,
                  of + " not in known_hosts " + known + " (" + seen_text + "): refused", true);
    case SSH_KNOWN_HOSTS_CHANGED:
      return fail(outcome::error,
                  of + std::string(kHostKeyChangedWords[0]) + seen_text +
                      " does not match known_hosts " + known +
                      " (possible man-in-the-middle): refused",
                  true);
    case SSH_KNOWN_HOSTS_OTHER:
      return fail(
          outcome::error,
          of + std::string(kHostKeyChangedWords[2]) + known + " (" + seen_text + "): refused",
          true);
    case SSH_KNOWN_HOSTS_ERROR:
    default:
      return fail(outcome::error, of + " could not be checked against known_hosts " + known + " (" +
                                      seen_text + "): refused");
  }

  // Key authentication only: the agent first when allowed, then the key file.
  int auth = SSH_AUTH_DENIED;
  if (ssh.use_agent) {
    bound_next_call(s.get(), until);
    auth = ssh_userauth_agent(s.get(), nullptr);
  }
  if (auth != SSH_AUTH_SUCCESS && key) {
    bound_next_call(s.get(), until);
    auth = ssh_userauth_publickey(s.get(), nullptr, key.get());
  }
  if (auth == SSH_AUTH_SUCCESS) {
    out = std::move(s);
    return {};
  }
  if (left(until).count() <= 0)
    return fail(outcome::timeout,
                "ssh to " + where + ": no answer to the authentication before the deadline");
  if (auth == SSH_AUTH_ERROR && !ssh_is_connected(s.get()))
    return fail(outcome::error, "ssh to " + where + ": connection lost during authentication: " +
                                    ssh_get_error(s.get()));
  return fail(outcome::error,
              "authentication refused for " + ssh.user + "@" + host.primary_address(), true);
}

bool session_broken(ssh_session s) {
  return !ssh_is_connected(s) || (ssh_get_status(s) & (SSH_CLOSED | SSH_CLOSED_ERROR)) != 0;
}

// Channels of one host open at once (OpenSSH's MaxSessions defaults to 10; when a server allows
// fewer, the channel it refuses waits for one of the batch to end).
constexpr std::size_t kMaxChannels = 8;

// One command of a run_all() call.
struct job {
  std::string line;     // what is sent: shell_quote or cmd_quote of the argv
  std::string program;  // argv[0], for failure texts
  channel_ptr channel{nullptr, channel_free{}};
  std::array<bool, 2> eof{false, false};  // stdout, stderr
  command_result result;
  bool done = false;  // result is final
};

void finish_with(job& j, attempt a) {
  j.channel.reset();
  j.result.outcome = a.outcome;
  j.result.failure = std::move(a.failure);
  j.done = true;
}

// Checks the argv and makes the line sent for it (or finishes the job with why it cannot run).
void prepare(const backup_host& host, const std::vector<std::string>& argv, job& j) {
  if (argv.empty())
    return finish_with(j, fail(outcome::error, "empty command"));
  for (const auto& arg : argv) {
    if (arg.find('\0') != std::string::npos)
      return finish_with(j, fail(outcome::error, "an argument contains a NUL byte"));
  }
  const auto quoted = host.os == "windows" ? cmd_quote(argv) : std::optional(shell_quote(argv));
  if (!quoted)
    return finish_with(j,
                       fail(outcome::error, "an argument cannot be passed safely through cmd.exe"));
  j.line = *quoted;
  j.program = argv[0];
}

// Runs the jobs of one run_all() call over the host's session (opened, or replaced once broken,
// as needed), up to kMaxChannels at once, reading every open channel as its data arrives.
// Channels are always freed before the session they belong to.
class batch {
 public:
  batch(const backup_host& host, session_ptr& session, host_key_memory& keys, std::string& refused,
        std::uint64_t& generation, deadline until, std::size_t cap)
      : host_(host),
        session_(session),
        keys_(keys),
        refused_(refused),
        generation_(generation),
        until_(until),
        cap_(cap),
        where_(host.primary_address() + ":" + std::to_string(host.ssh.port)) {}

  void run(std::vector<job>& jobs) {
    std::size_t next = 0;
    std::size_t limit = kMaxChannels;
    for (;;) {
      while (active_.size() < limit) {
        while (next < jobs.size() && jobs[next].done)
          ++next;
        if (next == jobs.size())
          break;
        const started s = start(jobs[next], !active_.empty());
        if (s == started::yes)
          active_.push_back(&jobs[next++]);
        else if (s == started::later)
          limit = active_.size();  // the server's session limit
        else if (s == started::session_lost)
          lose_session();  // the job, if not finished, is started again on a new session
      }
      if (active_.empty()) {
        if (next == jobs.size())
          return;
        continue;
      }
      bool progress = false;
      for (job* j : active_) {
        const pumped r = pump(*j);
        if (r == pumped::session_lost) {
          lose_session();
          progress = true;
          break;
        }
        progress = progress || r == pumped::some;
      }
      std::erase_if(active_, [](const job* j) { return j->done; });
      if (!active_.empty() && left(until_).count() <= 0) {
        for (job* j : active_)
          finish_with(*j,
                      fail(outcome::timeout, "ssh to " + where_ + ": " + j->program +
                                                 ": no end before the deadline (channel closed)"));
        active_.clear();
      } else if (!progress && !active_.empty()) {
        // Wait for the socket, in short slices so that data already buffered inside libssh
        // never waits long.
        pollfd pfd{ssh_get_fd(session_.get()), POLLIN, 0};
        const auto slice = std::min<long>(static_cast<long>(left(until_).count()), 50);
        if (::poll(&pfd, 1, static_cast<int>(slice)) < 0 && errno != EINTR) {
          lost_ = "ssh to " + where_ + ": poll failed: " + std::strerror(errno);
          lose_session();
        }
      }
    }
  }

 private:
  enum class started { yes, no, later, session_lost };
  enum class pumped { none, some, session_lost };

  // Opens a channel for j and starts its command. `later`: the server refused a channel while
  // others are open (its MaxSessions); `session_lost`: the session broke (lost_ says how; j is
  // finished when its command had been sent).
  started start(job& j, bool others_open) {
    if (!refused_.empty()) {
      finish_with(j, fail(outcome::error, refused_));
      return started::no;
    }
    for (int round = 0;; ++round) {
      if (session_ && session_broken(session_.get())) {
        lost_ = "ssh to " + where_ + ": connection lost";
        if (others_open)
          return started::session_lost;
        session_.reset();
      }
      const bool fresh = !session_;
      if (fresh) {
        attempt a = open_session(host_, keys_, until_, session_);
        if (a.outcome != outcome::ok) {
          if (a.permanent)
            refused_ = a.failure;
          finish_with(j, std::move(a));
          return started::no;
        }
        ++generation_;
      }
      ssh_session s = session_.get();
      j.channel = channel_ptr(ssh_channel_new(s), channel_free{s});
      bound_next_call(s, until_);
      if (j.channel && ssh_channel_open_session(j.channel.get()) == SSH_OK)
        break;
      const std::string why = ssh_get_error(s);
      j.channel.reset();
      if (left(until_).count() <= 0) {
        finish_with(
            j, fail(outcome::timeout, "ssh to " + where_ + ": no channel before the deadline"));
        return started::no;
      }
      if (others_open) {
        lost_ = "ssh to " + where_ + ": connection lost: " + why;
        return session_broken(s) ? started::session_lost : started::later;
      }
      session_.reset();
      if (fresh || round > 0) {
        finish_with(j,
                    fail(outcome::error, "ssh to " + where_ + ": cannot open a channel: " + why));
        return started::no;
      }
    }
    ssh_session s = session_.get();
    bound_next_call(s, until_);
    if (ssh_channel_request_exec(j.channel.get(), j.line.c_str()) == SSH_OK)
      return started::yes;
    if (left(until_).count() <= 0) {
      finish_with(
          j, fail(outcome::timeout,
                  "ssh to " + where_ + ": command not started before the deadline: " + j.program));
      return started::no;
    }
    const std::string why = ssh_get_error(s);
    finish_with(j, fail(outcome::error,
                        "ssh to " + where_ + ": command refused: " + j.program + ": " + why));
    lost_ = "ssh to " + where_ + ": connection lost: " + why;
    return session_broken(s) ? started::session_lost : started::no;
  }

  // Reads what has arrived on j's channel, keeping at most cap_ bytes of each stream; at the end
  // of both streams, reads the exit status and finishes j.
  pumped pump(job& j) {
    std::array<char, kReadChunk> buf{};
    std::array<std::string*, 2> into{&j.result.out, &j.result.err};
    bool got = false;
    for (std::size_t stream = 0; stream < 2; ++stream) {
      if (j.eof[stream])
        continue;
      const int n = ssh_channel_read_nonblocking(
          j.channel.get(), buf.data(), static_cast<uint32_t>(buf.size()), static_cast<int>(stream));
      if (n == SSH_EOF) {
        j.eof[stream] = true;
        got = true;
      } else if (n < 0) {
        lost_ = "ssh to " + where_ +
                ": connection lost while reading: " + ssh_get_error(session_.get());
        return pumped::session_lost;
      } else if (n > 0) {
        got = true;
        std::string& to = *into[stream];
        const std::size_t room = cap_ > to.size() ? cap_ - to.size() : 0;
        const std::size_t keep = std::min(room, static_cast<std::size_t>(n));
        to.append(buf.data(), keep);
        j.result.truncated = j.result.truncated || keep < static_cast<std::size_t>(n);
      }
    }
    if (j.eof[0] && j.eof[1])
      finish(j);
    return got ? pumped::some : pumped::none;
  }

  // The exit status follows the EOF (OpenSSH sends it just before closing the channel).
  void finish(job& j) {
    bound_next_call(session_.get(), until_);
    const int status = ssh_channel_get_exit_status(j.channel.get());
    if (status < 0 && left(until_).count() <= 0)
      return finish_with(j, fail(outcome::timeout, "ssh to " + where_ + ": " + j.program +
                                                       ": no exit status before the deadline"));
    j.channel.reset();
    j.result.exit_code = status;
    j.result.outcome = outcome::ok;
    if (status < 0)
      j.result.failure =
          j.program + ": no exit status (killed by a signal, or the connection broke)";
    j.done = true;
  }

  // Finishes every running job with lost_ and drops the session.
  void lose_session() {
    for (job* j : active_)
      finish_with(*j, fail(outcome::error, lost_));
    active_.clear();
    session_.reset();
  }

  const backup_host& host_;
  session_ptr& session_;
  host_key_memory& keys_;
  std::string& refused_;
  std::uint64_t& generation_;  // sessions opened so far (ssh_runner::with_session)
  const deadline until_;
  const std::size_t cap_;
  const std::string where_;
  std::vector<job*> active_;  // started, not finished
  std::string lost_;          // why the session was lost
};

}  // namespace

struct ssh_runner::connection {
  session_ptr session;  // connected and authenticated, or null
  std::string refused;  // a refusal that no retry can change (host key, authentication)
  host_key_memory keys;
  std::uint64_t generation = 0;  // sessions opened so far

  // A session ready for use: the current one unless it is broken, else a new one (`fresh`).
  attempt ensure(const backup_host& host, deadline until, bool& fresh) {
    if (!refused.empty())
      return fail(outcome::error, refused);
    if (session && session_broken(session.get()))
      session.reset();
    fresh = !session;
    if (!fresh)
      return {};
    attempt a = open_session(host, keys, until, session);
    if (a.outcome == outcome::ok)
      ++generation;
    else if (a.permanent)
      refused = a.failure;
    return a;
  }
};

ssh_runner::ssh_runner(backup_host host, std::string learned_keys_store)
    : host_(std::move(host)), conn_(std::make_unique<connection>()) {
  conn_->keys.store = std::move(learned_keys_store);
}

ssh_runner::~ssh_runner() = default;

std::string ssh_runner::learned_host_key() const {
  std::lock_guard lock(mutex_);
  return conn_->keys.learned;
}

std::string ssh_runner::with_session(deadline until, const session_user& fn) const {
  std::lock_guard lock(mutex_);
  bool fresh = false;
  attempt a = conn_->ensure(host_, until, fresh);
  if (a.outcome != outcome::ok)
    return a.failure;
  fn(conn_->session.get(), conn_->generation);
  return {};
}

command_result ssh_runner::run(const std::vector<std::string>& argv, deadline until,
                               std::size_t cap) const {
  return run_all({argv}, until, cap).front();
}

std::vector<command_result> ssh_runner::run_all(const std::vector<std::vector<std::string>>& argvs,
                                                deadline until, std::size_t cap) const {
  std::vector<job> jobs(argvs.size());
  for (std::size_t i = 0; i < argvs.size(); ++i)
    prepare(host_, argvs[i], jobs[i]);
  {
    std::lock_guard lock(mutex_);
    batch(host_, conn_->session, conn_->keys, conn_->refused, conn_->generation, until, cap)
        .run(jobs);
  }
  std::vector<command_result> results;
  for (auto& j : jobs)
    results.push_back(std::move(j.result));
  return results;
}

}  // namespace cloison
