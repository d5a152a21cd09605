#include "probes/host/host_probe.h"

#include <algorithm>

#include "probes/host/collected_evidence.h"
#include "probes/host/linux_facts.h"

namespace cloison {

namespace {

std::string joined(const std::vector<std::string>& argv) {
  std::string s;
  for (const auto& a : argv)
    s += (s.empty() ? "" : " ") + a;
  return s;
}

// A program that does not exist (local exec, remote shell), or what `marker` says is absent,
// from a command that ran to its end: a broken one proves nothing.
bool absent(const command_result& r, std::string_view marker) {
  constexpr std::string_view kNotFound = "command not found";  // sudo, shells
  return r.program_missing || (r.outcome == outcome::ok &&
                               (r.exit_code == 127 || r.err.find(kNotFound) != std::string::npos ||
                                r.err.find(marker) != std::string::npos));
}

struct ran_command {
  bool usable = false;  // its output can be read (ran fine, not run, or absent and absent_is_empty)
  std::string text;     // what readers see
  std::string evidence;    // evidence id ("" when not run)
  bool truncated = false;  // cut at the cap
  std::string failure;     // why it is not usable
};

// What evidence keeps of a binary output: its size and its first bytes in hex.
std::string binary_summary(std::string_view out) {
  constexpr std::size_t kShown = 64;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s = "--- binary output: " + std::to_string(out.size()) + " bytes; the first " +
                  std::to_string(std::min(out.size(), kShown)) + " in hex ---\n";
  for (std::size_t i = 0; i < out.size() && i < kShown; ++i) {
    const auto byte = static_cast<unsigned char>(out[i]);
    s += {kHex[byte >> 4], kHex[byte & 15], i % 16 == 15 ? '\n' : ' '};
  }
  return s;
}

// The bound of one wave of commands (see collect).
constexpr std::chrono::seconds kWaveTime{20};

deadline wave_deadline(deadline until) {
  return std::min(until, std::chrono::steady_clock::now() + kWaveTime);
}

constexpr std::string_view kHostKeyPinned = "host.ssh.host_key_pinned";
constexpr const char* kNotOverSsh = "host not read over SSH: no host key to pin";

// Every fact of Linux and Windows hosts, each name once, then the facts of the SSH channel.
const std::vector<fact_spec>& all_facts() {
  static const std::vector<fact_spec> kAll = [] {
    std::vector<fact_spec> out = linux_host_table().facts;
    for (const auto& w : windows_host_table().facts) {
      if (std::none_of(out.begin(), out.end(),
                       [&](const fact_spec& f) { return f.name == w.name; }))
        out.push_back(w);
    }
    out.push_back({kHostKeyPinned, fact_type::boolean,
                   "SSH hosts: the host key was pinned in known_hosts (false: learned on first "
                   "use)"});
    return out;
  }();
  return kAll;
}

const host_table& table_of(const backup_host& host) {
  return host.os == "windows" ? windows_host_table() : linux_host_table();
}

// The facts not set yet: those of the host's own system missing with `why`, the others ruled
// out (whatever went wrong, a Windows fact never applies to a Linux host).
void fill_unset(observation& obs, const backup_host* host, const std::string& why) {
  const auto& own = host ? table_of(*host).facts : all_facts();
  for (const auto& spec : all_facts()) {
    const std::string name(spec.name);
    if (obs.facts.contains(name))
      continue;
    const bool applies = name == kHostKeyPinned ||
                         std::any_of(own.begin(), own.end(),
                                     [&](const fact_spec& f) { return f.name == spec.name; });
    obs.facts[name] =
        applies ? fact::missing(why) : fact::ruled_out("not collected on " + host->os + " hosts");
  }
}

// The host key fact of an SSH host and the evidence it rests on: pinned unless the runner learned
// the key on first use; missing when no command got through (the key was never checked).
void read_host_key(const backup_host& host, const command_runner& runner, bool connected,
                   observation& obs) {
  const std::string id = "host/" + host.name + "/ssh-host-key";
  obs.learned_host_key = runner.learned_host_key();
  if (!obs.learned_host_key.empty()) {
    obs.evidence.push_back(
        make_evidence(id, "ssh host key",
                      "host key learned on first use (trust_on_first_use, not in known_hosts): " +
                          obs.learned_host_key,
                      false));
    obs.facts[std::string(kHostKeyPinned)] = fact::of(false, {id});
  } else if (connected) {
    obs.evidence.push_back(
        make_evidence(id, "ssh host key",
                      "host key pinned: found in known_hosts " + host.ssh.known_hosts, false));
    obs.facts[std::string(kHostKeyPinned)] = fact::of(true, {id});
  } else {
    obs.facts[std::string(kHostKeyPinned)] =
        fact::missing("no command got through: the host key was never checked");
  }
}

// The runner replaying the evidence file of `host` (access collected), with the file's origin
// noted in `obs`; nullptr when the file is refused, `obs` then being an error saying why.
std::shared_ptr<const command_runner> replay_collected(const backup_host& host, observation& obs) {
  auto loaded = load_collected_evidence(host.evidence, host.name, std::chrono::system_clock::now());
  if (!loaded.evidence) {
    obs.outcome = outcome::error;
    obs.detail = loaded.refusal;
    return nullptr;
  }
  const auto& e = *loaded.evidence;
  obs.collected_at = e.collected_at;
  obs.collected_by = loaded.signer;
  obs.evidence.push_back(make_evidence(
      "host/" + host.name + "/collected-evidence", "cloison collect",
      "file: " + host.evidence.file + "\nhost: " + e.host + "\ncollected_at: " + e.collected_at +
          "\nsigned by (Ed25519 key fingerprint): " + loaded.signer +
          "\ncloison version: " + e.cloison_version + "\n",
      false));
  return std::make_shared<replay_runner>(std::move(*loaded.evidence));
}

}  // namespace

std::span<const fact_spec> host_probe::facts() const {
  return all_facts();
}

std::vector<target> host_probe::plan(const inventory& inv, const run_context&) const {
  std::vector<target> targets;
  for (const auto& h : inv.hosts)
    targets.push_back({h.name, h.primary_address()});
  return targets;
}

observation host_probe::collect(const inventory& inv, const run_context& run, const target& t,
                                deadline until) const {
  observation obs;
  const auto host = std::find_if(inv.hosts.begin(), inv.hosts.end(),
                                 [&](const backup_host& h) { return h.name == t.name; });
  std::shared_ptr<const command_runner> runner;
  if (host != inv.hosts.end()) {
    if (host->access == access_method::local && host->os == "linux")
      runner = local_;
    if (host->access == access_method::ssh && remote_)
      runner = remote_(*host);
    if (host->access == access_method::collected) {
      runner = replay_collected(*host, obs);
      if (!runner) {
        obs.facts[std::string(kHostKeyPinned)] = fact::ruled_out(kNotOverSsh);
        fill_unset(obs, &*host, obs.detail);
        return obs;
      }
    }
  }
  if (!runner && host != inv.hosts.end() && host->access == access_method::none) {
    obs.detail = "declared without host access (access: none): host facts are not collected";
    for (const auto& spec : all_facts())
      obs.facts[std::string(spec.name)] = fact::ruled_out(obs.detail);
    return obs;
  }
  if (!runner) {
    obs.outcome = outcome::error;
    obs.detail = host == inv.hosts.end()                ? "host not in the inventory"
                 : host->access == access_method::local ? "the local runner reads Linux hosts only"
                 : host->access == access_method::ssh   ? "no SSH runner in this build"
                                                        : "no access method declared for this host";
    fill_unset(obs, host == inv.hosts.end() ? nullptr : &*host, obs.detail);
    return obs;
  }

  const auto& table = table_of(*host);
  const bool elevate =
      host->os != "windows" && host->access == access_method::ssh && host->ssh.sudo;
  std::map<std::string_view, ran_command> ran;
  earlier_outputs earlier;
  std::size_t commands_run = 0, failures = 0;
  std::string first_failure;
  bool connected = false;  // some command ran
  bool timed_out = false;  // some command reached its deadline
  const auto with_elevation = [&](const host_command& cmd, std::vector<std::string> argv) {
    if (cmd.privileged() && elevate)
      argv.insert(argv.begin(), {"sudo", "-n", "--"});
    return argv;
  };
  const auto record = [&](const host_command& cmd, const std::vector<std::string>& argv,
                          command_result r) {
    if (cmd.hide_secrets != nullptr)
      r.out = cmd.hide_secrets(r.out);
    auto& out = ran[cmd.id];
    ++commands_run;
    connected = connected || r.outcome == outcome::ok;
    if (r.truncated && r.failure.empty()) {
      r.failure = joined(argv) + ": output larger than the host's output_cap (" +
                  std::to_string(host->output_cap) + " bytes), cut";
    }
    out.evidence = "host/" + t.name + "/" + std::string(cmd.id);
    out.truncated = r.truncated;
    const bool exit_ok = std::find(cmd.ok_exit_codes.begin(), cmd.ok_exit_codes.end(),
                                   r.exit_code) != cmd.ok_exit_codes.end();
    const bool binary = !cmd.nul_separated && r.out.find('\0') != std::string::npos;
    const bool ok = r.outcome == outcome::ok && exit_ok && !binary && !r.truncated;
    const bool empty_by_absence =
        !ok && cmd.absent_is_empty && !r.truncated && absent(r, cmd.absent_marker);
    out.usable = ok || empty_by_absence;
    out.text = out.usable ? r.out : "";  // absent: what the files that exist printed
    std::string content = binary                         ? binary_summary(r.out)
                          : cmd.evidence_text != nullptr ? cmd.evidence_text(r.out)
                                                         : r.out;
    if (!ok) {
      content += (content.empty() ? "" : "\n") + std::string("--- stderr ---\n") + r.err +
                 (r.failure.empty() ? "" : "\n--- failure ---\n" + r.failure) +
                 "\n--- exit code ---\n" + std::to_string(r.exit_code) +
                 (empty_by_absence ? "\n--- read as: not configured ---" : "");
    }
    obs.evidence.push_back(
        make_evidence(out.evidence, joined(argv), std::move(content), r.truncated));
    if (ok)
      earlier[cmd.id] = out.text;
    if (out.usable)
      return;
    ++failures;
    out.failure = !r.failure.empty() ? r.failure
                  : binary
                      ? joined(argv) + " printed binary output (" + std::to_string(r.out.size()) +
                            " bytes with NUL bytes), not its text"
                      : joined(argv) + " exited with code " + std::to_string(r.exit_code) + ": " +
                            r.err.substr(0, 200);
    if (first_failure.empty())
      first_failure = out.failure;
    timed_out = timed_out || r.outcome == outcome::timeout;
  };

  // First the commands with a fixed argv, together (an SSH runner runs them over concurrent
  // channels); then, in list order, those whose argv follows from earlier outputs. Each wave is
  // bounded by kWaveTime, so that one command that never ends costs one wave, not the host.
  std::vector<const host_command*> fixed;
  std::vector<std::vector<std::string>> argvs;
  for (const auto& cmd : table.commands) {
    if (!cmd.argv_for) {
      fixed.push_back(&cmd);
      argvs.push_back(with_elevation(cmd, cmd.argv));
    }
  }
  const auto results = runner->run_all(argvs, wave_deadline(until), host->output_cap);
  for (std::size_t i = 0; i < fixed.size(); ++i)
    record(*fixed[i], argvs[i], results.at(i));
  for (const auto& cmd : table.commands) {
    if (!cmd.argv_for)
      continue;
    const auto argv = cmd.argv_for(*host, earlier);
    if (argv.empty()) {  // not run on this host
      ran[cmd.id].usable = true;
      continue;
    }
    const auto elevated = with_elevation(cmd, argv);
    record(cmd, elevated, runner->run(elevated, wave_deadline(until), host->output_cap));
  }

  for (const auto& row : table.rows) {
    reader_input in{inv, run, *host, {}};
    std::vector<std::string> evidence;
    std::string failure;
    for (const auto& cmd : row.commands) {
      const auto& r = ran.at(cmd.id);
      in.outputs.push_back({r.text, r.evidence, r.truncated});
      if (!r.evidence.empty())
        evidence.push_back(r.evidence);
      if (!r.usable && failure.empty())
        failure = r.failure;
    }
    if (failure.empty()) {
      row.read(in, obs.facts);
    } else {
      for (const auto& f : row.facts)
        obs.facts[std::string(f.name)] = fact::missing(failure, evidence);
    }
  }
  if (host->access == access_method::ssh) {
    read_host_key(*host, *runner, connected, obs);
  } else {
    obs.facts[std::string(kHostKeyPinned)] = fact::ruled_out(kNotOverSsh);
  }
  if (!obs.collected_at.empty()) {  // the outputs are as old as their collection
    for (auto& e : obs.evidence)
      e.collected_at = obs.collected_at;
  }
  fill_unset(obs, &*host, "not read");
  // Nothing read is the host's one cause (error or timeout); a host partly read has failed.
  const std::string deadline_note = timed_out ? " (deadline reached)" : "";
  if (failures > 0 && !connected) {
    obs.outcome = timed_out ? outcome::timeout : outcome::error;
    obs.detail = "no command got through" + deadline_note + ": " + first_failure;
  } else if (failures > 0) {
    obs.outcome = outcome::failed;
    obs.detail = std::to_string(failures) + " of " + std::to_string(commands_run) +
                 " commands failed" + deadline_note + "; first: " + first_failure;
  }
  return obs;
}

collected_evidence gather_host_evidence(std::shared_ptr<const command_runner> runner,
                                        const backup_host& host, deadline until,
                                        std::string cloison_version) {
  collected_evidence e{
      host.name, utc_now_iso8601(), std::move(cloison_version), host.output_cap, {}};
  auto recorder = std::make_shared<recording_runner>(std::move(runner));
  inventory inv;
  inv.hosts.push_back(host);
  inv.hosts.back().access = access_method::local;
  // Commands do not depend on the run's context; only what the readers make of them does.
  host_probe(recorder).observe(inv, run_context{}, {host.name, host.primary_address()}, until);
  e.commands = recorder->recorded();
  for (auto& c : e.commands) {  // recorded below the probe: hide the same secrets it hides
    for (const auto& cmd : table_of(host).commands) {
      if (cmd.hide_secrets != nullptr && cmd.argv == c.argv)
        c.result.out = cmd.hide_secrets(c.result.out);
    }
  }
  return e;
}

}  // namespace cloison
