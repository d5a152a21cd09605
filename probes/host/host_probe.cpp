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

// A program that does not exist (local exec, remote shell), or what `marker` says is absent.
bool absent(const command_result& r, std::string_view marker) {
  constexpr std::string_view kNoProgram = "No such file or directory";
  constexpr std::string_view kNotFound = "command not found";  // sudo, shells
  return r.exit_code == 127 || r.failure.find(kNoProgram) != std::string::npos ||
         r.err.find(kNotFound) != std::string::npos || r.err.find(marker) != std::string::npos;
}

struct ran_command {
  bool usable = false;  // its output can be read (ran fine, not run, or absent and absent_is_empty)
  std::string text;     // what readers see
  std::string evidence;    // evidence id ("" when not run)
  bool truncated = false;  // cut at the cap
  std::string failure;     // why it is not usable
};

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
  for (const auto& cmd : commands) {
    std::vector<std::string> argv = cmd.argv_for ? cmd.argv_for(*host, earlier) : cmd.argv;
    auto& out = ran[cmd.id];
    if (argv.empty()) {  // not run on this host
      out.usable = true;
      continue;
    }
    if (cmd.privileged && elevate)
      argv.insert(argv.begin(), {"sudo", "-n", "--"});
    ++run;
    const auto r = runner->run(argv, until, kDefaultOutputCap);
    out.evidence = "host/" + t.name + "/" + std::string(cmd.id);
    out.truncated = r.truncated;
    const bool exit_ok = std::find(cmd.ok_exit_codes.begin(), cmd.ok_exit_codes.end(),
                                   r.exit_code) != cmd.ok_exit_codes.end();
    const bool ok = r.outcome == outcome::ok && exit_ok;
    const bool empty_by_absence =
        !ok && cmd.absent_is_empty && r.outcome != outcome::timeout && absent(r, cmd.absent_marker);
    out.usable = ok || empty_by_absence;
    out.text = out.usable ? r.out : "";  // absent: what the files that exist printed
    std::string content = cmd.redact != nullptr ? cmd.redact(r.out) : r.out;
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
      continue;
    ++failures;
    out.failure = !r.failure.empty()
                      ? r.failure
                      : joined(argv) + " exited with code " + std::to_string(r.exit_code) + ": " +
                            r.err.substr(0, 200);
    if (first_failure.empty())
      first_failure = out.failure;
    if (r.outcome == outcome::timeout)
      obs.outcome = outcome::timeout;
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
