#include "agent/session/drill.h"

#include <algorithm>
#include <future>
#include <map>
#include <set>
#include <thread>

#include "core/observation.h"

namespace cloison {

namespace {

using steady = std::chrono::steady_clock;
constexpr std::size_t kCommandOutputCap = 64 * 1024;
constexpr std::size_t kDetailChars = 400;

const segment* find_segment(const inventory& inv, const std::string& name) {
  const auto it = std::find_if(inv.segments.begin(), inv.segments.end(),
                               [&](const segment& s) { return s.name == name; });
  return it == inv.segments.end() ? nullptr : &*it;
}

bool holds(const segment* s, const ip_address& a) {
  return s && std::any_of(s->cidrs.begin(), s->cidrs.end(),
                          [&](const cidr& c) { return c.contains(a); });
}

bool covers(const std::vector<port_range>& ranges, unsigned port) {
  return std::any_of(ranges.begin(), ranges.end(),
                     [&](const port_range& r) { return r.contains(port); });
}

// The ports of the tcp flows of `flows` from `from` to host `h` at `address`.
std::vector<port_range> flow_ports(const inventory& inv, const std::vector<flow>& flows,
                                   const std::string& from, const backup_host& h,
                                   const ip_address& address) {
  std::vector<port_range> ports;
  for (const auto& f : flows) {
    if (f.from == from && f.protocol == "tcp" &&
        (f.to == h.name || holds(find_segment(inv, f.to), address)))
      ports.insert(ports.end(), f.ports.begin(), f.ports.end());
  }
  return ports;
}

std::string excerpt(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
    text.pop_back();
  if (text.size() > kDetailChars)
    text = text.substr(0, kDetailChars) + "...";
  return text;
}

// "exit status 0", or why the command did not run to its end, with its error output.
std::string describe(const command_result& r) {
  if (r.outcome != outcome::ok)
    return std::string(to_string(r.outcome)) + ": " + excerpt(r.failure);
  std::string text = "exit status " + std::to_string(r.exit_code);
  if (r.exit_code != 0 && !r.err.empty())
    text += ": " + excerpt(r.err);
  return text;
}

bool succeeded(const command_result& r) {
  return r.outcome == outcome::ok && r.exit_code == 0;
}

class drill_run {
 public:
  drill_run(const drill_plan& plan, const drill_tools& tools, const std::atomic<int>& stop)
      : plan_(plan),
        tools_(tools),
        stop_(stop),
        start_(steady::now()),
        last_useful_(start_ + plan.procedure.max_duration - plan.procedure.max_isolate_time) {
    result_.plan = plan;
  }

  drill_result run(bool dry_run) {
    result_.dry_run = dry_run;
    result_.started_at = utc_now_iso8601();
    guarded([&] {
      if (precheck() && !dry_run)
        exercise();
    });
    guarded([&] { restore(); });
    finish();
    return std::move(result_);
  }

 private:
  const isolation_drill& procedure() const { return plan_.procedure; }
  double elapsed_s(steady::time_point since) const {
    return std::chrono::duration<double>(steady::now() - since).count();
  }

  // Runs `step`; an exception it throws becomes an internal_error failure.
  template <typename F>
  void guarded(F&& step) {
    try {
      step();
    } catch (const std::exception& e) {
      fail(drill_failure::kind::internal_error, {}, e.what());
    } catch (...) {
      fail(drill_failure::kind::internal_error, {}, "unknown exception");
    }
  }

  void event(drill_step step, std::string detail = {}) {
    result_.timeline.push_back({elapsed_s(start_), step, std::move(detail)});
    if (tools_.on_event)
      tools_.on_event(result_.timeline.back());
  }

  void fail(drill_failure::kind what, std::vector<std::size_t> pairs = {},
            std::string detail = {}) {
    result_.failures.push_back({what, std::move(pairs), std::move(detail)});
  }

  // Every pair measured once, each vantage point in its own thread. nullopt when a vantage point
  // could not measure (recorded as vantage_lost).
  std::optional<std::vector<verdict>> round() {
    std::vector<std::future<std::vector<connect_result>>> sweeps;
    std::vector<std::pair<std::size_t, std::size_t>> spans;  // [first, end) pairs per vantage
    std::size_t first = 0;
    for (const auto& v : plan_.measured) {
      std::vector<connect_target> targets;
      std::size_t end = first;
      for (; end < plan_.pairs.size() && plan_.pairs[end].vantage == v.name; ++end)
        targets.push_back({*ip_address::parse(plan_.pairs[end].address), plan_.pairs[end].port});
      spans.emplace_back(first, end);
      first = end;
      auto& c = connectors_[v.name];
      if (!c)
        c = tools_.connector_for(v);
      sweeps.push_back(std::async(std::launch::async, [&c, t = std::move(targets), this] {
        return c->probe(target_list(t), tools_.settings);
      }));
    }
    std::vector<verdict> seen(plan_.pairs.size(), verdict::filtered);
    std::string lost;
    for (std::size_t i = 0; i < sweeps.size(); ++i) {
      const auto results = sweeps[i].get();
      if (results.size() != spans[i].second - spans[i].first && lost.empty())
        lost = plan_.measured[i].name + ": " + std::to_string(results.size()) + " results for " +
               std::to_string(spans[i].second - spans[i].first) + " pairs";
      for (std::size_t k = 0; k < results.size() && spans[i].first + k < spans[i].second; ++k) {
        if (results[k].attempts == 0 && lost.empty())
          lost = plan_.measured[i].name + ": " + results[k].error.str();
        seen[spans[i].first + k] = results[k].v;
      }
    }
    if (!lost.empty()) {
      event(drill_step::vantage_lost, lost);
      fail(drill_failure::kind::vantage_lost, {}, lost);
      return std::nullopt;
    }
    return seen;
  }

  // True when the drill must stop early: a signal, or max_duration about to pass (the restore
  // keeps max_isolate_time for itself). Records why.
  bool must_stop() {
    if (const int signal = stop_.load()) {
      const std::string why = "signal " + std::to_string(signal);
      event(drill_step::interrupted, why);
      fail(drill_failure::kind::interrupted, {}, why);
      return true;
    }
    if (steady::now() >= last_useful_) {
      fail(drill_failure::kind::too_long, {},
           std::to_string(procedure().max_duration.count()) + "s");
      return true;
    }
    return false;
  }

  // Waits round_pause, or less when a stop is asked.
  void pause() {
    const auto until = steady::now() + tools_.round_pause;
    while (steady::now() < until && stop_.load() == 0)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }

  bool precheck() {
    auto before = round();
    if (!before)
      return false;
    result_.before = *before;
    auto off = off_matrix(plan_.pairs, *before);
    bool answers = false;  // a pair the isolation must cut answers now
    for (std::size_t i = 0; i < before->size(); ++i)
      answers = answers || (!plan_.pairs[i].kept_open && reachable((*before)[i]));
    event(drill_step::precheck_matrix, std::to_string(plan_.pairs.size() - off.size()) + "/" +
                                           std::to_string(plan_.pairs.size()));
    if (!off.empty())
      fail(drill_failure::kind::off_matrix, std::move(off));
    else if (!answers)
      fail(drill_failure::kind::nothing_answers);
    const auto why = tools_.check_executor(steady::now() + procedure().max_isolate_time);
    if (why.empty())
      event(drill_step::precheck_restorer,
            procedure().via == "ssh" ? procedure().address : std::string("local"));
    else
      fail(drill_failure::kind::restorer_unreachable, {}, why);
    return result_.failures.empty();
  }

  void exercise() {
    isolating_ = true;
    const auto t0 = steady::now();
    const auto ran = tools_.executor->run(procedure().isolate, t0 + procedure().max_isolate_time,
                                          kCommandOutputCap);
    event(drill_step::isolate_run, describe(ran));
    if (!succeeded(ran))
      return fail(drill_failure::kind::isolate_failed, {}, describe(ran));
    const auto cut = [this](const std::vector<verdict>& seen) {
      return not_isolated(plan_.pairs, seen);
    };
    if (!measure_until(t0, result_.during, cut, drill_failure::kind::not_isolated, true))
      return;
    result_.time_to_isolate_s = elapsed_s(t0);
    event(drill_step::isolated);
    const auto hold_end = steady::now() + procedure().hold;
    do {
      pause();
      if (must_stop())
        return;
      const auto seen = round();
      if (!seen)
        return;
      result_.during = *seen;
      if (auto open = not_isolated(plan_.pairs, *seen); !open.empty())
        return fail(drill_failure::kind::isolation_broke, std::move(open));
    } while (steady::now() < hold_end);
    event(drill_step::hold_done);
  }

  void restore() {
    if (!isolating_ || restored_)
      return;
    restored_ = true;
    const auto t0 = steady::now();
    const auto ran = tools_.executor->run(procedure().restore, t0 + procedure().max_isolate_time,
                                          kCommandOutputCap);
    event(drill_step::restore_run, describe(ran));
    if (!succeeded(ran)) {
      fail(drill_failure::kind::restore_failed, {}, describe(ran));
      if (const auto seen = round())
        result_.after = *seen;
      return;
    }
    const auto back = [this](const std::vector<verdict>& seen) {
      return not_restored(result_.before, seen);
    };
    if (!measure_until(t0, result_.after, back, drill_failure::kind::not_restored, false))
      return;
    result_.time_to_restore_s = elapsed_s(t0);
    event(drill_step::restored);
  }

  // Measures round after round into `into` until `unsettled` finds no pair in a round (true), or
  // returns false: max_isolate_time passed since `t0` (`late` names the pairs), a vantage point
  // was lost, or, when `interruptible`, a stop was asked.
  bool measure_until(
      steady::time_point t0, std::vector<verdict>& into,
      const std::function<std::vector<std::size_t>(const std::vector<verdict>&)>& unsettled,
      drill_failure::kind late, bool interruptible) {
    while (true) {
      if (interruptible && must_stop())
        return false;
      const auto seen = round();
      if (!seen)
        return false;
      into = *seen;
      auto pairs = unsettled(*seen);
      if (pairs.empty())
        return true;
      if (steady::now() - t0 >= procedure().max_isolate_time) {
        fail(late, std::move(pairs));
        return false;
      }
      if (interruptible)
        pause();
      else
        std::this_thread::sleep_for(tools_.round_pause);
    }
  }

  void finish() {
    result_.finished_at = utc_now_iso8601();
    const bool clean = result_.failures.empty();
    if (!isolating_) {
      result_.outcome = clean ? drill_outcome::dry_run : drill_outcome::refused;
      return;
    }
    const bool restore_broken =
        !result_.time_to_restore_s ||
        std::any_of(result_.failures.begin(), result_.failures.end(), [](const drill_failure& f) {
          return f.what == drill_failure::kind::restore_failed ||
                 f.what == drill_failure::kind::not_restored;
        });
    result_.outcome = restore_broken ? drill_outcome::restore_failed
                      : clean        ? drill_outcome::passed
                                     : drill_outcome::failed;
  }

  const drill_plan& plan_;
  const drill_tools& tools_;
  const std::atomic<int>& stop_;
  const steady::time_point start_;
  const steady::time_point last_useful_;
  std::map<std::string, std::shared_ptr<connector>> connectors_;
  bool isolating_ = false;  // the isolate command was started: the restore must run
  bool restored_ = false;
  drill_result result_;
};

}  // namespace

drill_plan plan_drill(const inventory& inv, const std::vector<port_profile>& profiles,
                      const std::vector<ip_address>& local_addresses) {
  drill_plan plan;
  plan.establishment = inv.establishment;
  plan.procedure = *inv.isolation->drill;
  std::string local;  // the local vantage point measured
  for (const auto& v : inv.vantage_points) {
    const segment* s = find_segment(inv, v.segment);
    const bool here = v.remote() || std::any_of(local_addresses.begin(), local_addresses.end(),
                                                [&](const ip_address& a) { return holds(s, a); });
    const bool again = here && !v.remote() && !local.empty();
    plan.vantage_points.push_back({v.name, here && !again, again ? local : "", v.segment});
    if (here && !again)
      plan.measured.push_back(v);
    if (here && !v.remote() && local.empty())
      local = v.name;
  }
  std::vector<port_range> management;
  for (const auto& p : profiles) {
    if (p.always)
      management.insert(management.end(), p.ports.begin(), p.ports.end());
  }
  for (const auto& v : plan.measured) {
    const segment* own = find_segment(inv, v.segment);
    for (const auto& h : inv.hosts) {
      for (const auto& text : h.addresses) {
        const auto address = ip_address::parse(text);
        if (!address || holds(own, *address))
          continue;
        const auto allowed = flow_ports(inv, inv.flows, v.segment, h, *address);
        const auto kept = flow_ports(inv, plan.procedure.stay_open, v.segment, h, *address);
        std::set<unsigned> ports;
        for (const auto* list :
             std::initializer_list<const std::vector<port_range>*>{&management, &allowed, &kept}) {
          for (const auto& r : *list) {
            for (unsigned p = r.first; p <= r.last; ++p)
              ports.insert(p);
          }
        }
        for (const unsigned p : ports) {
          plan.pairs.push_back({v.name, v.segment, h.name, text, static_cast<std::uint16_t>(p),
                                covers(allowed, p), covers(kept, p)});
        }
      }
    }
  }
  return plan;
}

bool reachable(verdict v) {
  return v == verdict::open || v == verdict::refused;
}

std::vector<std::size_t> not_isolated(const std::vector<drill_pair>& pairs,
                                      const std::vector<verdict>& seen) {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < pairs.size() && i < seen.size(); ++i) {
    if (pairs[i].kept_open ? seen[i] != verdict::open : reachable(seen[i]))
      out.push_back(i);
  }
  return out;
}

std::vector<std::size_t> not_restored(const std::vector<verdict>& before,
                                      const std::vector<verdict>& seen) {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < before.size() && i < seen.size(); ++i) {
    if (reachable(before[i]) != reachable(seen[i]))
      out.push_back(i);
  }
  return out;
}

std::vector<std::size_t> off_matrix(const std::vector<drill_pair>& pairs,
                                    const std::vector<verdict>& seen) {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < pairs.size() && i < seen.size(); ++i) {
    if (pairs[i].allowed ? !reachable(seen[i]) : seen[i] == verdict::open)
      out.push_back(i);
  }
  return out;
}

const char* to_string(drill_outcome o) {
  switch (o) {
    case drill_outcome::passed:
      return "passed";
    case drill_outcome::failed:
      return "failed";
    case drill_outcome::refused:
      return "refused";
    case drill_outcome::restore_failed:
      return "restore_failed";
    case drill_outcome::dry_run:
      return "dry_run";
  }
  return "failed";
}

drill_result run_drill(const drill_plan& plan, const drill_tools& tools, bool dry_run,
                       const std::atomic<int>& stop) {
  return drill_run(plan, tools, stop).run(dry_run);
}

}  // namespace cloison
