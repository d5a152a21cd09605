#include "probes/host/host_probe.h"

#include <algorithm>

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

// Every fact of Linux and Windows hosts, each name once.
const std::vector<fact_spec>& all_facts() {
  static const std::vector<fact_spec> kAll = [] {
    std::vector<fact_spec> out(linux_facts().begin(), linux_facts().end());
    for (const auto& w : windows_facts()) {
      if (std::none_of(out.begin(), out.end(),
                       [&](const fact_spec& f) { return f.name == w.name; }))
        out.push_back(w);
    }
    return out;
  }();
  return kAll;
}

void all_missing(observation& obs, const std::string& why) {
  for (const auto& spec : all_facts())
    obs.facts[std::string(spec.name)] = fact::missing(why);
}

}  // namespace

std::span<const fact_spec> host_probe::facts() const {
  return all_facts();
}

std::vector<target> host_probe::plan(const inventory& inv) const {
  std::vector<target> targets;
  for (const auto& h : inv.hosts)
    targets.push_back({h.name, h.address});
  return targets;
}

observation host_probe::collect(const inventory& inv, const target& t, deadline until) const {
  observation obs;
  const auto host = std::find_if(inv.hosts.begin(), inv.hosts.end(),
                                 [&](const backup_host& h) { return h.name == t.name; });
  std::shared_ptr<const command_runner> runner;
  if (host != inv.hosts.end()) {
    if (host->access == access_method::local && host->os == "linux")
      runner = local_;
    if (host->access == access_method::ssh && remote_)
      runner = remote_(*host);
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
    all_missing(obs, obs.detail);
    return obs;
  }

  const bool windows = host->os == "windows";
  const auto commands = windows ? windows_host_commands() : linux_commands();
  const auto readers = windows ? windows_readers() : linux_readers();
  const bool elevate = !windows && host->access == access_method::ssh && host->ssh.sudo;
  std::map<std::string_view, ran_command> ran;
  earlier_outputs earlier;
  std::size_t run = 0, failures = 0;
  std::string first_failure;
  const auto with_elevation = [&](const host_command& cmd, std::vector<std::string> argv) {
    if (cmd.privileged && elevate)
      argv.insert(argv.begin(), {"sudo", "-n", "--"});
    return argv;
  };
  const auto record = [&](const host_command& cmd, const std::vector<std::string>& argv,
                          const command_result& r) {
    auto& out = ran[cmd.id];
    ++run;
    out.evidence = "host/" + t.name + "/" + std::string(cmd.id);
    out.truncated = r.truncated;
    const bool exit_ok = std::find(cmd.ok_exit_codes.begin(), cmd.ok_exit_codes.end(),
                                   r.exit_code) != cmd.ok_exit_codes.end();
    const bool binary = !cmd.nul_separated && r.out.find('\0') != std::string::npos;
    const bool ok = r.outcome == outcome::ok && exit_ok && !binary;
    const bool empty_by_absence = !ok && cmd.absent_is_empty && absent(r, cmd.absent_marker);
    out.usable = ok || empty_by_absence;
    out.text = out.usable ? r.out : "";  // absent: what the files that exist printed
    std::string content = binary                  ? binary_summary(r.out)
                          : cmd.redact != nullptr ? cmd.redact(r.out)
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
    if (r.outcome == outcome::timeout)
      obs.outcome = outcome::timeout;
  };

  // First the commands with a fixed argv, together (an SSH runner runs them over concurrent
  // channels); then, in list order, those whose argv follows from earlier outputs. Each wave is
  // bounded by kWaveTime, so that one command that never ends costs one wave, not the host.
  std::vector<const host_command*> fixed;
  std::vector<std::vector<std::string>> argvs;
  for (const auto& cmd : commands) {
    if (!cmd.argv_for) {
      fixed.push_back(&cmd);
      argvs.push_back(with_elevation(cmd, cmd.argv));
    }
  }
  const auto results = runner->run_all(argvs, wave_deadline(until), kDefaultOutputCap);
  for (std::size_t i = 0; i < fixed.size(); ++i)
    record(*fixed[i], argvs[i], results.at(i));
  for (const auto& cmd : commands) {
    if (!cmd.argv_for)
      continue;
    const auto argv = cmd.argv_for(*host, earlier);
    if (argv.empty()) {  // not run on this host
      ran[cmd.id].usable = true;
      continue;
    }
    const auto elevated = with_elevation(cmd, argv);
    record(cmd, elevated, runner->run(elevated, wave_deadline(until), kDefaultOutputCap));
  }

  for (const auto& reader : readers) {
    reader_input in{inv, *host, {}};
    std::vector<std::string> evidence;
    std::string failure;
    for (const auto id : reader.inputs) {
      const auto& r = ran.at(id);
      in.outputs.push_back({r.text, r.evidence, r.truncated});
      if (!r.evidence.empty())
        evidence.push_back(r.evidence);
      if (!r.usable && failure.empty())
        failure = r.failure;
    }
    if (failure.empty()) {
      reader.read(in, obs.facts);
    } else {
      for (const auto f : reader.facts)
        obs.facts[std::string(f)] = fact::missing(failure, evidence);
    }
  }
  for (const auto& spec : all_facts()) {  // facts of the other system
    if (!obs.facts.count(std::string(spec.name)))
      obs.facts[std::string(spec.name)] =
          fact::ruled_out("not collected on " + host->os + " hosts");
  }
  if (failures > 0) {
    if (obs.outcome == outcome::ok)
      obs.outcome = outcome::failed;
    obs.detail = std::to_string(failures) + " of " + std::to_string(run) + " commands failed" +
                 (obs.outcome == outcome::timeout ? " (deadline reached)" : "") +
                 "; first: " + first_failure;
  }
  return obs;
}

}  // namespace cloison
