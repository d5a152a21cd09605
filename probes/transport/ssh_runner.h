// command_runner for one backup host reached over SSH (libssh). One connection per host, opened
// on the first command and reused (one channel per command); run_all() runs up to 8 commands at
// once over channels of that connection, calls on one runner run one after another. Host keys are
// pinned: only a key present in the inventory's known_hosts file is accepted (or, with
// trust_on_first_use, an unknown key, never a changed one; with a store of learned keys, a key
// learned in an earlier run is pinned from then on). Key authentication only (key file,
// optionally ssh-agent); never a password or keyboard-interactive prompt.
// ~/.ssh/config and /etc/ssh/ssh_config are ignored. No secret ever appears in a failure text.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/inventory.h"
#include "probes/transport/command_runner.h"

struct ssh_session_struct;  // libssh's session (libssh/libssh.h)

namespace cloison {

// POSIX shell quoting: every argument in single quotes (a quote inside becomes '\''), joined
// with spaces. {"a b", ""} -> "'a b' ''".
std::string shell_quote(const std::vector<std::string>& argv);

// The command line for a Windows host, whose OpenSSH default shell is cmd.exe: each argument as
// is, in double quotes when it holds a space, a tab or one of &|<>^(). nullopt when an argument is
// empty, holds '"', '%', CR or LF, or ends with '\\' (cmd.exe or the program would read them).
std::optional<std::string> cmd_quote(const std::vector<std::string>& argv);

// The words of the runner's failure texts (and so of the host observation's detail) that say a
// host key was refused because it differs from the key pinned in known_hosts or learned on first
// use: "host key of ADDRESS CHANGED: ...", "... changed since it was learned ...", "... is of
// another type than in known_hosts ...".
inline constexpr std::string_view kHostKeyChangedWords[] = {
    " CHANGED: ", " changed since it was learned ", " is of another type than in known_hosts "};

// Whether `text` says a host key was refused because it changed (one of kHostKeyChangedWords).
inline bool says_host_key_changed(std::string_view text) {
  for (const auto words : kHostKeyChangedWords) {
    if (text.find(words) != std::string_view::npos)
      return true;
  }
  return false;
}

class ssh_runner final : public command_runner {
 public:
  // Reads host.primary_address(), host.name (texts only) and host.ssh; opens nothing yet.
  // `learned_keys_store`, when not empty, is a known_hosts file (created when missing) of the
  // keys learned on first use: with trust_on_first_use, a key the inventory's known_hosts does
  // not pin is checked against it, added when the host is not there yet, refused when it differs
  // from the key kept there. The inventory's known_hosts is never written to.
  explicit ssh_runner(backup_host host, std::string learned_keys_store = {});
  ~ssh_runner() override;
  ssh_runner(const ssh_runner&) = delete;
  ssh_runner& operator=(const ssh_runner&) = delete;

  // Runs argv on the host, sending exactly shell_quote(argv) (cmd_quote(argv) on Windows hosts)
  // (elevation, when the inventory allows it, is the caller's: host_probe prefixes `sudo -n --` to
  // its privileged commands). outcome ok when the command ran to its end (exit_code is its exit
  // status), error when the host could not be reached, its key was refused or the authentication
  // failed, timeout when `until` passed first.
  command_result run(const std::vector<std::string>& argv, deadline until,
                     std::size_t cap) const override;
  // The commands over concurrent channels of the connection (at most 8 open, fewer when the
  // server refuses more: its MaxSessions), each read as its data arrives; each result is what
  // run() would give. A connection lost mid-batch fails the commands then running; those not
  // started yet run on a new connection.
  std::vector<command_result> run_all(const std::vector<std::vector<std::string>>& argvs,
                                      deadline until, std::size_t cap) const override;

  // With trust_on_first_use, the host key accepted although it was not in known_hosts (learned
  // now, or in an earlier run and kept in the store): "ssh-ed25519 SHA256:..."; empty when none.
  std::string learned_host_key() const override;

  // For a caller that opens channels of its own on this host's connection (the reachability
  // probe's direct-tcpip channels, probes/reachability/ssh_connector.h). Runs fn under the
  // runner's lock with the session connected and authenticated (opened, or replaced when broken,
  // exactly as run() does), and returns "". When no session can be opened before `until`, fn is
  // not called and the result says why (as run()'s failure). `generation` changes whenever the
  // session is replaced: channels made in an earlier generation were freed with their session and
  // must not be touched. fn must not call run() or with_session() (the lock is not recursive)
  // and must leave the session in blocking mode.
  using session_user = std::function<void(ssh_session_struct* session, std::uint64_t generation)>;
  std::string with_session(deadline until, const session_user& fn) const;

 private:
  struct connection;

  backup_host host_;
  mutable std::mutex mutex_;
  std::unique_ptr<connection> conn_;  // guarded by mutex_
};

}  // namespace cloison
