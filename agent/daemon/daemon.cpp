#include "agent/daemon/daemon.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/file.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio.hpp>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <regex>
#include <set>
#include <thread>

#include "agent/daemon/alerts.h"
#include "agent/daemon/http_endpoint.h"
#include "agent/daemon/metrics.h"
#include "agent/daemon/syslog_channel.h"
#include "agent/daemon/webhook_channel.h"
#include "agent/engine/scoring.h"
#include "agent/report/local_time.h"
#include "agent/session/audit_job.h"
#include "core/schedule.h"
#include "probes/registry.h"
#include "probes/transport/secret_file.h"

namespace cloison {
namespace {

namespace asio = boost::asio;
namespace fs = std::filesystem;
using wall_clock = std::chrono::system_clock;

constexpr auto kStopGrace = std::chrono::milliseconds(4500);  // SIGTERM: out within 5 s
constexpr const char* kBundleName = "evidence-bundle.tar.gz";
constexpr const char* kPartial = ".partial";
constexpr std::size_t kTrendRuns = 30;  // report.html's trend: the runs before this one
constexpr int kCouldNotRun = 3;  // cloison audit's exit code when its outputs cannot be written

// The state folder's lock: held for the daemon's life (flock, released by the kernel even on
// kill -9), with the holder's pid in the file for the refusal message.
class state_lock {
 public:
  explicit state_lock(const fs::path& dir) {
    const fs::path path = dir / "daemon.lock";
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ < 0)
      throw daemon_refused("cannot open " + path.string() + ": " + std::strerror(errno));
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      char pid[32] = {};
      const ssize_t n = ::pread(fd_, pid, sizeof pid - 1, 0);
      ::close(fd_);
      throw daemon_refused(
          "the state folder " + dir.string() + " is used by another daemon" +
          (n > 0 ? " (pid " + std::string(pid, static_cast<std::size_t>(n)) + ")" : std::string()));
    }
    const std::string pid = std::to_string(::getpid());
    if (::ftruncate(fd_, 0) != 0 ||
        ::pwrite(fd_, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size()))
      spdlog::warn("cannot write the pid into {}", path.string());
  }
  state_lock(const state_lock&) = delete;
  state_lock& operator=(const state_lock&) = delete;
  ~state_lock() { ::close(fd_); }

 private:
  int fd_ = -1;
};

void notify(const std::string& state) {
  sd_notify(0, state.c_str());  // a no-op outside systemd (no NOTIFY_SOCKET)
}

// Audit progress goes to the log: a daemon has no terminal.
class log_listener final : public audit_listener {
 public:
  void phase(msg) override {}
  void observed(std::size_t done, std::size_t total, const observation& obs) override {
    spdlog::debug("observed {}/{}: {} {}: {}", done, total, obs.probe, obs.target,
                  to_string(obs.outcome));
  }
};

// The inventory and policies as an audit job, or nullopt with their problems.
std::optional<audit_job> load_configuration(const daemon_options& options, const probe_set& probes,
                                            diagnostics& problems) {
  audit_request request;
  request.inventory_file = options.inventory_file;
  request.vantage = options.vantage;
  request.tool_version = options.tool_version;
  request.language = options.language;
  request.out_dir = options.state_dir / "runs";
  request.bundle = (options.state_dir / "runs" / kBundleName).string();  // the key is loaded
  request.key_file = (options.state_dir / "agent-key.pem").string();
  std::optional<audit_job> job;
  try {
    job = audit_job::prepare(std::move(request), probes, problems);
  } catch (const audit_refused& e) {
    problems.add(options.inventory_file, 0, 0, e.what());
  }
  return job;
}

class daemon_loop {
 public:
  daemon_loop(const daemon_options& options, const probe_set& probes, history h, audit_job config)
      : options_(options),
        probes_(probes),
        history_(std::move(h)),
        config_(std::move(config)),
        signals_(io_, SIGTERM, SIGINT, SIGHUP),
        schedule_timer_(io_),
        delivery_timer_(io_),
        watchdog_timer_(io_),
        stop_timer_(io_) {
    signals_.add(SIGUSR1);
  }

  void run() {
    load_snapshot();
    open_endpoint();
    open_channels();
    try {
      alert_on_unalerted();
    } catch (const std::exception& e) {
      spdlog::error("the alerts of the last run could not be derived: {}", e.what());
    }
    start_delivery();  // what an earlier daemon left queued
    wait_for_signal();
    arm_schedule();
    arm_watchdog();
    notify("READY=1\nSTATUS=" + status_text());
    spdlog::info("cloison daemon started: state folder {}, inventory {}",
                 options_.state_dir.string(), options_.inventory_file);
    catch_up_missed_run();
    io_.run();
    if (worker_.joinable())
      worker_.join();
    if (delivery_.joinable())
      delivery_.join();
  }

 private:
  void wait_for_signal() {
    signals_.async_wait([this](const boost::system::error_code& ec, int signal) {
      if (ec)
        return;
      if (signal == SIGHUP) {
        reload();
      } else if (signal == SIGUSR1) {
        start_audit("SIGUSR1");
      } else {
        stop(signal);
        return;
      }
      wait_for_signal();
    });
  }

  // The next scheduled audit, with its random delay; none without a schedule.
  void arm_schedule() {
    schedule_timer_.cancel();
    next_run_.reset();
    const auto& schedule = config_.estate().schedule;
    if (!schedule) {
      spdlog::warn("the inventory has no schedule: audits run only on demand (SIGUSR1)");
      return;
    }
    const auto next = next_run(schedule->times, wall_clock::now());
    if (!next) {
      spdlog::error("the schedule '{}' never fires", schedule->cron);
      return;
    }
    auto at = *next;
    if (schedule->random_delay.count() > 0) {
      std::uniform_int_distribution<long long> delay(0, schedule->random_delay.count());
      at += std::chrono::seconds(delay(random_));
    }
    next_run_ = at;
    spdlog::info("next audit at {}", local_time_text(utc_iso8601(at)));
    schedule_timer_.expires_at(at);
    schedule_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (ec)
        return;
      start_audit("schedule");
      arm_schedule();
    });
  }

  // As a systemd timer with Persistent=true: when a scheduled time passed since the last run
  // started (the daemon or the machine was down), one audit runs at start, however many were
  // missed. Without a run in the history, none.
  void catch_up_missed_run() {
    const auto& schedule = config_.estate().schedule;
    const auto newest = history_.list(1);
    if (!schedule || newest.empty())
      return;
    const auto last = parse_utc_time(newest.front().started_at);
    const auto missed = last ? next_run(schedule->times, *last) : std::nullopt;
    if (!missed || *missed > wall_clock::now())
      return;
    spdlog::warn(
        "the audit scheduled at {} did not run (the daemon was not running): running it now",
        local_time_text(utc_iso8601(*missed)));
    start_audit("missed schedule");
  }

  // Under systemd with WatchdogSec=, pings at half the period from the event loop: a stuck loop
  // is restarted, a long audit (in its own thread) is not.
  void arm_watchdog() {
    std::uint64_t usec = 0;
    if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0)
      return;
    watchdog_timer_.expires_after(std::chrono::microseconds(usec / 2));
    watchdog_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (ec)
        return;
      notify("WATCHDOG=1");
      arm_watchdog();
    });
  }

  // One audit at a time: a request while one runs is logged and counted, not started twice.
  bool start_audit(const std::string& why) {
    if (stopping_)
      return false;
    if (running_) {
      std::lock_guard lock(snapshot_mutex_);
      ++snapshot_.runs_skipped_total;
      spdlog::warn("audit asked for ({}) while one is running: not started ({} so far)", why,
                   snapshot_.runs_skipped_total);
      return false;
    }
    if (worker_.joinable())
      worker_.join();
    running_ = true;
    {
      std::lock_guard lock(snapshot_mutex_);
      snapshot_.audit_running = true;
    }
    spdlog::info("audit started ({})", why);
    notify("STATUS=" + status_text());
    worker_ = std::thread([this, job = config_] {
      std::string outcome = audit(job);
      asio::post(io_, [this, outcome = std::move(outcome)] { audit_finished(outcome); });
    });
    return true;
  }

  // The daemon is free again: the audit, its alerts and the retention are done.
  void audit_finished(const std::string& outcome) {
    running_ = false;
    if (!outcome.empty())
      spdlog::info("{}", outcome);
    {
      std::lock_guard lock(snapshot_mutex_);
      snapshot_.audit_running = false;
    }
    notify("STATUS=" + status_text());
    finish_if_stopping();
  }

  void finish_if_stopping() {
    if (stopping_ && !running_ && !delivering_)
      io_.stop();
  }

  // The worker: one audit from start to history, its alerts and the retention. Nothing of a run
  // is recorded unless its folder is complete. Returns "audit finished: run N, ..." to be logged
  // once the daemon is free again; "" when the run could not run (its error is logged here).
  std::string audit(const audit_job& prepared) {
    const auto started = wall_clock::now();
    const std::string started_at = utc_now_iso8601();
    const fs::path runs = options_.state_dir / "runs";
    std::string name = utc_compact(started);
    for (int n = 2; fs::exists(runs / name); ++n)
      name = utc_compact(started) + "-" + std::to_string(n);
    const fs::path final_dir = runs / name;
    const fs::path partial = runs / (name + kPartial);
    std::int64_t id = 0;  // the run recorded, 0 when none could be
    std::string finished;
    std::optional<audit_result> result;
    try {
      fs::create_directories(partial);
      const audit_job job = prepared.writing_to(partial, (partial / kBundleName).string(),
                                                previous_report(), trend());
      log_listener listener;
      result = job.run(listener);
      job.write(*result);
      fs::rename(partial, final_dir);
      sync_filesystem(runs.string());
      id = history_.record(result->report, result->exit_code(), final_dir.string(),
                           (final_dir / kBundleName).string());
      finished = fmt::format("audit finished: run {}, exit code {}, report {}", id,
                             result->exit_code(), (final_dir / "report.json").string());
    } catch (const std::exception& e) {
      result.reset();
      std::error_code ignored;
      fs::remove_all(partial, ignored);
      spdlog::error("audit could not run: {}", e.what());
      try {
        id = history_.record_failure(started_at, utc_now_iso8601(), "", kCouldNotRun, e.what());
      } catch (const std::exception& f) {
        spdlog::error("the history could not record it: {}", f.what());
      }
    }
    if (id != 0) {
      try {
        record_in_snapshot(id, result ? &result->report : nullptr);
        alert_on(id, result ? &result->report : nullptr);
        deliver();
      } catch (const std::exception& e) {
        spdlog::error("the alerts of run {} could not be derived: {}", id, e.what());
      }
    }
    prune(prepared.estate().retention);
    return finished;
  }

  // The report of the last run that produced one, for report.html's drift; none when it cannot
  // be read (the drift is then left out).
  std::optional<report> previous_report() const {
    for (const auto& run : history_.list(0)) {
      if (run.report_dir.empty())
        continue;
      try {
        return read_report((fs::path(run.report_dir) / "report.json").string());
      } catch (const std::exception& e) {
        spdlog::warn("the previous report cannot be read: {}", e.what());
        return std::nullopt;
      }
    }
    return std::nullopt;
  }

  // The scores of the last runs that ran, oldest first, for report.html.
  score_trend trend() const {
    score_trend out;
    for (const auto& run : history_.list(kTrendRuns)) {
      if (run.report_dir.empty())
        continue;
      score_trend::run point{run.started_at, {}};
      for (const auto& o : run.objectives)
        point.scores.emplace_back(o.id, o.score);
      out.runs.insert(out.runs.begin(), std::move(point));
    }
    return out;
  }

  void prune(const retention& keep) {
    try {
      for (const auto& gone : history_.prune(keep, wall_clock::now())) {
        std::error_code ec;
        if (!gone.report_dir.empty())
          fs::remove_all(gone.report_dir, ec);
        spdlog::info("run {} of {} removed (retention)", gone.id, gone.started_at);
      }
    } catch (const std::exception& e) {
      spdlog::error("retention: {}", e.what());
    }
  }

  // Findings by status and severity, every bucket of the report's findings.
  static std::map<std::pair<status, severity>, int> findings_by_bucket(const report& r) {
    std::map<std::pair<status, severity>, int> buckets;
    for (const auto& f : r.findings)
      ++buckets[{f.status, f.severity}];
    return buckets;
  }

  // /metrics at start: the last runs recorded, and the findings of the last report.
  void load_snapshot() {
    snapshot_.version = options_.tool_version;
    const auto runs = history_.list(0);
    if (!runs.empty())
      snapshot_.last_run = runs.front();
    for (const auto& run : runs) {
      if (run.report_dir.empty())
        continue;
      snapshot_.last_completed = run;
      try {
        snapshot_.findings =
            findings_by_bucket(read_report((fs::path(run.report_dir) / "report.json").string()));
      } catch (const std::exception& e) {
        spdlog::warn("the last report cannot be read for /metrics: {}", e.what());
      }
      break;
    }
  }

  // A run just recorded, into /metrics (`r`: its report; nullptr when it could not run).
  void record_in_snapshot(std::int64_t id, const report* r) {
    const auto run = history_.find(id);
    std::lock_guard lock(snapshot_mutex_);
    ++snapshot_.runs_total;
    snapshot_.last_run = run;
    if (r) {
      snapshot_.last_completed = run;
      snapshot_.findings = findings_by_bucket(*r);
    } else {
      ++snapshot_.runs_failed_total;
    }
  }

  // /metrics, /healthz and POST /run, when the inventory asks for them (alert type prometheus).
  // On a reload, the endpoint is kept when its address and token file did not change.
  void open_endpoint() {
    const alert_target* prometheus = nullptr;
    for (const auto& target : config_.estate().alerts) {
      if (target.type == "prometheus")
        prometheus = &target;
    }
    const std::string settings =
        prometheus ? prometheus->listen + "\n" + prometheus->token_file : "";
    if (endpoint_ && settings == endpoint_settings_)
      return;
    endpoint_.reset();
    endpoint_settings_ = settings;
    if (!prometheus)
      return;
    std::optional<std::string> token;
    if (!prometheus->token_file.empty()) {
      std::string secret, why;
      if (!read_secret_file(prometheus->token_file, secret, why))
        throw daemon_refused("the HTTP endpoint's token: " + why);
      token = std::move(secret);
    }
    http_routes routes{[this] {
                         std::lock_guard lock(snapshot_mutex_);
                         return render_metrics(snapshot_);
                       },
                       [this] { return start_audit("POST /run"); }, [] { return true; }};
    endpoint_ = std::make_unique<http_endpoint>(io_, prometheus->listen, std::move(token),
                                                std::move(routes));
    spdlog::info("HTTP endpoint on {} (port {}): /metrics, /healthz, POST /run", prometheus->listen,
                 endpoint_->port());
  }

  // The alert channels of the inventory (alerts: syslog, webhook).
  void open_channels() {
    std::lock_guard lock(channels_mutex_);
    syslog_sockets_.clear();
    webhooks_.clear();
    for (const auto& target : config_.estate().alerts) {
      if (target.type == "syslog") {
        syslog_sockets_.push_back(target.socket);
      } else if (target.type == "webhook") {
        webhook_settings settings;
        settings.url = target.url;
        settings.ca_file = target.ca_file;
        settings.token_file = target.token_file;
        settings.establishment = config_.estate().establishment;
        try {
          webhooks_.push_back(
              std::make_unique<webhook_channel>(std::move(settings), options_.state_dir));
        } catch (const std::exception& e) {
          spdlog::error("webhook {}: {}", target.url, e.what());
        }
      }
    }
    update_queued();
  }

  // The run before `id` that ran (the one drift is measured from), and whether the run just
  // before `id` could not run.
  std::optional<run_digest> last_ran_before(std::int64_t id, bool& previous_failed) const {
    auto run = history_.previous(id);
    previous_failed = run && run->report_dir.empty();
    while (run && run->report_dir.empty())
      run = history_.previous(run->id);
    if (!run)
      return std::nullopt;
    std::optional<report> r;
    try {
      r = read_report((fs::path(run->report_dir) / "report.json").string());
    } catch (const std::exception& e) {
      spdlog::warn("run {}: its report cannot be read back: {}", run->id, e.what());
    }
    return digest_of(*run, history_.failing_findings(run->id), r ? &*r : nullptr);
  }

  // The alerts of run `id` (`r`: its report; nullptr when it could not run), against the last
  // run that ran: logged, sent to syslog and queued for the webhooks; the run is then marked
  // alerted. The caller delivers the queues.
  void alert_on(std::int64_t id, const report* r) {
    const auto run = history_.find(id);
    if (!run)
      return;
    bool previous_failed = false;
    const auto last_ran = last_ran_before(id, previous_failed);
    const auto alerts =
        derive_alerts(last_ran, previous_failed, digest_of(*run, history_.failing_findings(id), r));
    for (const auto& a : alerts)
      spdlog::warn("alert {}: {}", a.id, a.message.en);
    if (!alerts.empty())
      dispatch(alerts);
    history_.mark_alerted(id);
  }

  // To syslog now, and into the webhooks' queues.
  void dispatch(const std::vector<alert>& alerts) {
    std::lock_guard lock(channels_mutex_);
    for (const auto& socket : syslog_sockets_) {
      if (const auto sent = send_to_syslog(alerts, socket); !sent.error.empty())
        spdlog::error("syslog {}: {} of {} alerts sent: {}", socket, sent.sent, alerts.size(),
                      sent.error);
    }
    for (auto& webhook : webhooks_) {
      try {
        webhook->enqueue(alerts);
      } catch (const std::exception& e) {
        spdlog::error("webhook queue: {}", e.what());
      }
    }
  }

  // The alerts of the newest run when a daemon stopped after recording it and before sending
  // them (at least once: syslog may see them twice, the webhook's receivers deduplicate on id
  // and run_id). Before the event loop runs.
  void alert_on_unalerted() {
    const auto newest = history_.list(1);
    if (newest.empty() || newest.front().alerted)
      return;
    const run_record& run = newest.front();
    spdlog::warn("run {}: its alerts were not sent when it ended; sending them now", run.id);
    std::optional<report> r;
    if (!run.report_dir.empty()) {
      try {
        r = read_report((fs::path(run.report_dir) / "report.json").string());
      } catch (const std::exception& e) {
        spdlog::warn("run {}: its report cannot be read back: {}", run.id, e.what());
      }
    }
    alert_on(run.id, r ? &*r : nullptr);
  }

  // Sends what the webhooks hold now, then re-arms the retry timer (worker threads).
  void deliver() {
    deliver_pending();
    asio::post(io_, [this] { arm_delivery(); });
  }

  // Sends what the webhooks hold (a worker thread, never the io thread: a peer may be slow). The
  // caller re-arms the retry timer afterwards (arm_delivery, on the io thread).
  void deliver_pending() {
    std::lock_guard lock(channels_mutex_);
    for (auto& webhook : webhooks_)
      webhook->deliver_pending();
    update_queued();
  }

  void update_queued() {
    std::size_t queued = 0;
    for (const auto& webhook : webhooks_)
      queued += webhook->queued();
    std::lock_guard lock(snapshot_mutex_);
    snapshot_.alerts_queued = queued;
  }

  // The next retry of the webhooks' queues, when one is waiting (io thread).
  void arm_delivery() {
    if (stopping_)
      return;
    std::optional<std::chrono::steady_clock::time_point> next;
    {
      std::unique_lock lock(channels_mutex_, std::try_to_lock);
      if (!lock)
        return;  // a worker delivers now, and re-arms when done
      for (const auto& webhook : webhooks_) {
        if (const auto at = webhook->next_attempt(); at && (!next || *at < *next))
          next = at;
      }
    }
    delivery_timer_.cancel();
    if (!next)
      return;
    delivery_timer_.expires_at(*next);
    delivery_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec)
        start_delivery();
    });
  }

  // Retries the queues in a thread of their own, so that the event loop never waits on a peer.
  void start_delivery() {
    if (stopping_ || delivering_.exchange(true))
      return;
    if (delivery_.joinable())
      delivery_.join();
    delivery_ = std::thread([this] {
      deliver_pending();
      asio::post(io_, [this] {
        delivering_ = false;
        arm_delivery();
        finish_if_stopping();
      });
    });
  }

  void reload() {
    notify("RELOADING=1");
    spdlog::info("reloading {}", options_.inventory_file);
    diagnostics problems;
    if (auto fresh = load_configuration(options_, probes_, problems)) {
      config_ = std::move(*fresh);
      arm_schedule();
      try {
        open_endpoint();
      } catch (const std::exception& e) {
        spdlog::error("the HTTP endpoint cannot be opened: {}", e.what());
      }
      open_channels();
      spdlog::info("configuration reloaded");  // once in force, endpoint included
    } else {
      for (const auto& item : problems.sorted())
        spdlog::error("{}", item.to_string());
      spdlog::error("the new configuration is refused ({} problems): the previous one stays",
                    problems.size());
    }
    notify("READY=1\nSTATUS=" + status_text());
  }

  void stop(int signal) {
    spdlog::info("stopping ({})", signal == SIGTERM ? "SIGTERM" : "SIGINT");
    notify("STOPPING=1");
    stopping_ = true;
    signals_.cancel();
    schedule_timer_.cancel();
    delivery_timer_.cancel();
    watchdog_timer_.cancel();
    if (endpoint_)
      endpoint_->stop();
    if (!running_ && !delivering_) {
      io_.stop();
      return;
    }
    spdlog::info("waiting for the audit or the alert delivery under way");
    stop_timer_.expires_after(kStopGrace);
    stop_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (ec || (!running_ && !delivering_))
        return;
      // A probe or a delivery cannot be interrupted: the process leaves them behind. An audit's
      // .partial folder is removed at the next start and nothing of it was recorded; queued
      // alerts stay queued.
      spdlog::warn("stopping now: {}", running_ ? "the audit under way is abandoned, nothing of it "
                                                  "is recorded"
                                                : "the alert delivery under way is left, the "
                                                  "alerts stay queued");
      spdlog::default_logger()->flush();
      std::_Exit(0);
    });
  }

  std::string status_text() const {
    if (running_)
      return "auditing";
    return next_run_ ? "next audit at " + local_time_text(utc_iso8601(*next_run_))
                     : "idle (no schedule)";
  }

  const daemon_options& options_;
  const probe_set& probes_;
  history history_;   // used by the worker only, once started
  audit_job config_;  // the inventory and policies audited (replaced on reload)
  asio::io_context io_;
  asio::signal_set signals_;
  asio::system_timer schedule_timer_;
  asio::steady_timer delivery_timer_;
  asio::steady_timer watchdog_timer_;
  asio::steady_timer stop_timer_;
  std::thread worker_;
  std::unique_ptr<http_endpoint> endpoint_;
  std::string endpoint_settings_;  // the listen address and token file endpoint_ was opened with
  std::mutex channels_mutex_;  // the alert channels: rebuilt on reload, used by the worker threads
  std::vector<std::string> syslog_sockets_;
  std::vector<std::unique_ptr<webhook_channel>> webhooks_;
  std::thread delivery_;  // retries of the webhooks' queues between audits
  std::atomic<bool> delivering_{false};
  mutable std::mutex snapshot_mutex_;
  daemon_metrics snapshot_;  // guarded by snapshot_mutex_: what /metrics shows
  std::atomic<bool> running_{false};
  bool stopping_ = false;
  std::optional<wall_clock::time_point> next_run_;
  std::mt19937_64 random_{std::random_device{}()};
};

// Folders of runs abandoned by a daemon that was stopped or killed during an audit.
void remove_partial_runs(const fs::path& runs) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(runs, ec)) {
    if (entry.path().extension() == kPartial) {
      spdlog::info("removing {}, left by an audit that did not finish", entry.path().string());
      fs::remove_all(entry.path(), ec);
    }
  }
}

// The time (run folder form, 20261203T202512Z) the newest history was set aside
// (history.db.damaged-<time>[-n] in `state_dir`); "" when none was.
std::string newest_set_aside(const fs::path& state_dir) {
  static const std::regex set_aside_name(R"(history\.db\.damaged-(\d{8}T\d{6}Z)(-\d+)?)");
  std::string newest;
  std::error_code ec;
  std::smatch m;
  for (const auto& entry : fs::directory_iterator(state_dir, ec)) {
    const auto name = entry.path().filename().string();
    if (std::regex_match(name, m, set_aside_name))
      newest = std::max(newest, m[1].str());
  }
  return newest;
}

// Run folders the history does not name. One started after every recorded run (in a history
// with none, after the second the newest history was set aside) was renamed after its audit by a
// daemon killed before it recorded the run: it is recorded now (its alerts follow, see
// alert_on_unalerted). Older ones (left by a daemon killed during the retention, or belonging to
// a history set aside) are left as they are: evidence is never removed on a guess.
void recover_unrecorded_runs(history& h, const fs::path& state_dir) {
  static const std::regex run_name(R"(\d{8}T\d{6}Z(-\d+)?)");
  const fs::path runs = state_dir / "runs";
  std::set<std::string> recorded;
  std::string newest;
  for (const auto& run : h.list(0)) {
    if (run.report_dir.empty())
      continue;
    const auto name = fs::path(run.report_dir).filename().string();
    recorded.insert(name);
    newest = std::max(newest, name);
  }
  const std::string set_aside = newest_set_aside(state_dir);
  std::vector<fs::path> unrecorded;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(runs, ec)) {
    const auto name = entry.path().filename().string();
    if (entry.is_directory() && std::regex_match(name, run_name) && !recorded.contains(name))
      unrecorded.push_back(entry.path());
  }
  std::sort(unrecorded.begin(), unrecorded.end());
  std::vector<std::string> left;
  for (const auto& dir : unrecorded) {
    const auto name = dir.filename().string();
    const bool older = !newest.empty()
                           ? name <= newest
                           : !set_aside.empty() && name.substr(0, set_aside.size()) <= set_aside;
    if (older) {
      left.push_back(name);
      continue;
    }
    try {
      const report r = read_report((dir / "report.json").string());
      const fs::path bundle = dir / kBundleName;
      const auto id = h.record(r, exit_code_of(r.objectives), dir.string(),
                               fs::exists(bundle) ? bundle.string() : std::string());
      spdlog::warn(
          "{} is complete but was not recorded (the daemon stopped in between): "
          "recorded as run {}",
          dir.string(), id);
    } catch (const std::exception& e) {
      spdlog::error("{} is not recorded and cannot be read back, left as it is: {}", dir.string(),
                    e.what());
    }
  }
  if (!left.empty())
    spdlog::warn("{} run folders in {} are not in the history, left as they are: {} to {}",
                 left.size(), runs.string(), left.front(), left.back());
}

}  // namespace

void run_daemon(const daemon_options& options, diagnostics& problems) {
  std::error_code ec;
  fs::create_directories(options.state_dir / "runs", ec);
  if (ec)
    throw daemon_refused("cannot create the state folder " + options.state_dir.string() + ": " +
                         ec.message());
  const state_lock lock(options.state_dir);
  std::string set_aside;
  history h = history::open(options.state_dir, &set_aside);
  if (!set_aside.empty())
    spdlog::error(
        "the history database was damaged or foreign: moved aside to {}, a new one is "
        "started",
        set_aside);
  remove_partial_runs(options.state_dir / "runs");
  recover_unrecorded_runs(h, options.state_dir);
  const probe_set probes =
      builtin_probes(probe_memory{(options.state_dir / "known_hosts").string()});
  auto config = load_configuration(options, probes, problems);
  if (!config)
    throw daemon_refused("the configuration " + options.inventory_file + " is invalid");
  daemon_loop d(options, probes, std::move(h), std::move(*config));
  d.run();
  spdlog::info("cloison daemon stopped");
}

}  // namespace cloison
