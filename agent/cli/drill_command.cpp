#include "agent/cli/drill_command.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <thread>

#include "agent/cli/console.h"
#include "agent/config/inventory_loader.h"
#include "agent/config/policy_loader.h"
#include "agent/daemon/alerts.h"
#include "agent/daemon/syslog_channel.h"
#include "agent/report/messages.h"
#include "agent/session/drill_report.h"
#include "core/observation.h"
#include "probes/reachability/reachability_probe.h"
#include "probes/registry.h"
#include "probes/transport/local_runner.h"
#include "probes/transport/ssh_runner.h"

namespace cloison {

namespace {

constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;
constexpr int kExitCannotWrite = 3;

// Takes SIGINT, SIGTERM and SIGHUP for as long as it lives (blocked in the calling thread before
// any other thread starts, so every thread of the drill inherits the mask): the first one received
// is stored in `stop` (its number); the drill then restores and ends.
class signal_watch {
 public:
  explicit signal_watch(std::atomic<int>& stop) : stop_(stop) {
    sigemptyset(&set_);
    for (const int s : {SIGINT, SIGTERM, SIGHUP})
      sigaddset(&set_, s);
    pthread_sigmask(SIG_BLOCK, &set_, &previous_);
    thread_ = std::thread([this] {
      const timespec tick{0, 200'000'000};
      while (!done_.load()) {
        const int s = sigtimedwait(&set_, nullptr, &tick);
        if (s > 0 && stop_.load() == 0)
          stop_.store(s);
      }
    });
  }
  ~signal_watch() {
    done_.store(true);
    thread_.join();
    pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
  }
  signal_watch(const signal_watch&) = delete;
  signal_watch& operator=(const signal_watch&) = delete;

 private:
  std::atomic<int>& stop_;
  std::atomic<bool> done_{false};
  sigset_t set_{};
  sigset_t previous_{};
  std::thread thread_;
};

// "" when `program` can be run here (a path that is executable, or found in the fixed PATH the
// local runner gives its commands).
std::string local_program_problem(const std::string& program) {
  if (program.find('/') != std::string::npos)
    return ::access(program.c_str(), X_OK) == 0 ? "" : program + ": not an executable file";
  const std::string dirs = "/usr/sbin:/usr/bin:/sbin:/bin";
  for (std::size_t from = 0; from <= dirs.size();) {
    const auto end = std::min(dirs.find(':', from), dirs.size());
    const auto candidate = std::filesystem::path(dirs.substr(from, end - from)) / program;
    if (::access(candidate.c_str(), X_OK) == 0)
      return "";
    from = end + 1;
  }
  return program + ": not found in /usr/sbin:/usr/bin:/sbin:/bin";
}

drill_tools real_tools(const inventory& inv, const isolation_drill& d, lang l) {
  drill_tools tools;
  if (d.via == "ssh") {
    backup_host machine;
    machine.name = d.address;
    machine.addresses = {d.address};
    machine.access = access_method::ssh;
    machine.ssh = d.ssh;
    auto runner = std::make_shared<ssh_runner>(machine);
    tools.executor = runner;
    tools.check_executor = [runner](deadline until) {
      return runner->with_session(until, [](ssh_session_struct*, std::uint64_t) {});
    };
  } else {
    tools.executor = std::make_shared<local_runner>();
    tools.check_executor = [program = d.restore.front()](deadline) {
      return local_program_problem(program);
    };
  }
  tools.connector_for = [](const vantage_point& v) { return vantage_connector(v, {}); };
  tools.settings.timeout = std::chrono::milliseconds(inv.reachability.timeout_ms);
  tools.settings.retries = static_cast<int>(inv.reachability.retries);
  tools.settings.concurrency = inv.reachability.concurrency;
  tools.on_event = [l](const drill_event& e) {
    char at[32];
    std::snprintf(at, sizeof at, "[+%.1f s] ", e.at_s);
    std::cerr << at << terminal_safe(event_text(e, l)) << std::endl;
  };
  return tools;
}

bool confirmed(const std::string& establishment, const std::string& given, lang l) {
  std::string answer = given;
  if (answer.empty()) {
    if (!isatty(STDIN_FILENO) || !isatty(STDERR_FILENO)) {
      print_error("drill", format(msg::drill_confirm_needed, l, {establishment}));
      return false;
    }
    std::cerr << format(msg::drill_confirm_prompt, l, {establishment}) << std::flush;
    std::getline(std::cin, answer);
  }
  if (answer == establishment)
    return true;
  print_error("drill", format(msg::drill_confirm_mismatch, l, {terminal_safe(answer)}));
  return false;
}

void raise_alert(const inventory& inv, const drill_result& r) {
  alert a;
  a.kind = alert_kind::drill_restore_failed;
  a.id = "drill_restore_failed:" + r.started_at;
  a.severity = alert_severity::critical;
  a.objective = "D2.03.B";
  a.target = r.plan.procedure.via == "ssh" ? r.plan.procedure.address : "local";
  for (const auto& f : r.failures) {
    if (f.what == drill_failure::kind::restore_failed ||
        f.what == drill_failure::kind::not_restored || f.what == drill_failure::kind::vantage_lost)
      a.after =
          f.detail.empty() ? std::to_string(f.pairs.size()) + " pairs still cut off" : f.detail;
  }
  a.message = {std::string(text(msg::drill_restore_failed, lang::fr)) + " — " +
                   manual_restore_steps(r.plan.procedure, lang::fr),
               std::string(text(msg::drill_restore_failed, lang::en)) + " — " +
                   manual_restore_steps(r.plan.procedure, lang::en)};
  a.run_started_at = r.started_at;
  for (const auto& target : inv.alerts) {
    if (target.type != "syslog")
      continue;
    const auto sent = send_to_syslog({a}, target.socket);
    if (!sent.error.empty())
      print_error("drill", "alert not sent to " + target.socket + ": " + sent.error);
  }
}

}  // namespace

int drill_command(const drill_args& a) {
  const lang l = *lang_from_string(a.language);
  diagnostics problems;
  const auto inv = load_inventory(a.config, problems);
  const auto probes = builtin_probes();
  std::vector<policy> policies;
  if (inv)
    policies = load_policies(a.policies.empty() ? inv->policies : a.policies, probes, problems);
  if (!problems.empty()) {
    for (const auto& item : problems.sorted())
      std::cerr << terminal_safe(item.to_string()) << "\n";
    return kExitUsage;
  }
  if (!inv->isolation || !inv->isolation->drill) {
    print_error("drill", text(msg::drill_no_procedure, l));
    return kExitUsage;
  }
  std::vector<port_profile> profiles;
  for (const auto& p : policies)
    profiles.insert(profiles.end(), p.port_profiles.begin(), p.port_profiles.end());
  const auto plan = plan_drill(*inv, profiles, local_addresses());
  if (plan.measured.empty()) {
    print_error("drill", text(msg::drill_no_vantage, l));
    return kExitUsage;
  }
  if (!a.dry_run && !confirmed(inv->establishment, a.confirm, l))
    return kExitUsage;
  std::optional<agent_key> key;
  try {
    key = agent_key::load_or_create(agent_key_path(a.key_file));
  } catch (const std::exception& e) {
    print_error("drill", std::string("--key-file: ") + e.what());
    return kExitUsage;
  }
  const auto& d = *inv->isolation->drill;
  std::filesystem::path out = a.out;
  if (out.empty()) {
    out = d.reports.empty()
              ? std::filesystem::path("cloison-drill")
              : std::filesystem::path(d.reports) / utc_compact(std::chrono::system_clock::now());
  }
  const auto tools = real_tools(*inv, d, l);
  std::atomic<int> stop{0};
  // Until the report is written: a signal after the restore must not lose the alert or the report.
  const signal_watch signals(stop);
  const auto result = run_drill(plan, tools, a.dry_run, stop);
  std::cout << drill_summary(result, l) << std::flush;
  if (result.outcome == drill_outcome::restore_failed)
    raise_alert(*inv, result);
  int code = result.outcome == drill_outcome::restore_failed ? kExitRestoreFailed
             : result.outcome == drill_outcome::passed || result.outcome == drill_outcome::dry_run
                 ? 0
                 : kExitFailed;
  try {
    write_drill(result, out, l, *key, inv->source, a.tool_version);
    std::cout << format(msg::drill_written, l, {(out / "drill.html").string()}) << "\n";
  } catch (const std::exception& e) {
    print_error("drill", e.what());
    if (code != kExitRestoreFailed)
      code = kExitCannotWrite;
  }
  return code;
}

}  // namespace cloison
