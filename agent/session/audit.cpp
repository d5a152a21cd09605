#include "agent/session/audit.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <iterator>
#include <map>
#include <mutex>
#include <thread>

#include "agent/engine/evaluator.h"
#include "agent/report/verdicts.h"
#include "core/flow_ranges.h"

namespace cloison {

namespace {

struct planned {
  const probe* p;
  target t;
};

std::vector<observation> observe_all(const inventory& inv, const run_context& run,
                                     const std::vector<planned>& plan,
                                     const audit_settings& settings, audit_listener& listener) {
  std::vector<observation> results(plan.size());
  std::atomic<std::size_t> next{0};
  std::size_t done = 0;
  std::mutex progress;
  auto worker = [&] {
    for (std::size_t i; (i = next++) < plan.size();) {
      const auto until = std::chrono::steady_clock::now() + settings.per_target;
      results[i] = plan[i].p->observe(inv, run, plan[i].t, until);
      std::lock_guard lock(progress);
      listener.observed(++done, plan.size(), results[i]);
    }
  };
  const std::size_t n =
      std::clamp<std::size_t>(settings.concurrency, 1, std::max<std::size_t>(plan.size(), 1));
  std::vector<std::jthread> workers;
  for (std::size_t i = 0; i < n; ++i)
    workers.emplace_back(worker);
  workers.clear();
  return results;
}

std::string role_name(segment_role r) {
  switch (r) {
    case segment_role::production:
      return "production";
    case segment_role::backup:
      return "backup";
    case segment_role::administration:
      return "administration";
    case segment_role::directory:
      return "directory";
    case segment_role::other:
      return "other";
  }
  return "other";
}

std::string access_name(access_method a) {
  switch (a) {
    case access_method::local:
      return "local";
    case access_method::ssh:
      return "ssh";
    case access_method::collected:
      return "collected";
    case access_method::none:
      return "none";
  }
  return "none";
}

std::string segment_holding(const inventory& inv, const std::string& address) {
  const auto a = ip_address::parse(address);
  if (!a)
    return "";
  for (const auto& s : inv.segments) {
    if (std::any_of(s.cidrs.begin(), s.cidrs.end(), [&](const cidr& c) { return c.contains(*a); }))
      return s.name;
  }
  return "";
}

// By host, the addresses of the host probe's host.network.undeclared_addresses items
// ("IFNAME ADDRESS/PREFIX").
std::map<std::string, std::vector<std::string>> undeclared_addresses(
    const std::vector<observation>& observations) {
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& obs : observations) {
    const auto f = obs.facts.find("host.network.undeclared_addresses");
    if (obs.probe != "host" || f == obs.facts.end() || !f->second.value ||
        !f->second.value->is_array())
      continue;
    for (const auto& item : *f->second.value) {
      const auto text = item.is_string() ? item.get<std::string>() : "";
      const auto space = text.find(' '), slash = text.find('/', space + 1);
      if (space != std::string::npos && slash != std::string::npos)
        out[obs.target].push_back(text.substr(space + 1, slash - space - 1));
    }
  }
  return out;
}

}  // namespace

topology describe_topology(const inventory& inv, const run_context& run) {
  topology t;
  for (const auto& s : inv.segments) {
    auto& out = t.segments.emplace_back(topology::segment{s.name, role_name(s.role), {}});
    for (const auto& c : s.cidrs)
      out.cidrs.push_back(c.to_string());
  }
  for (const auto& h : inv.hosts) {
    t.hosts.push_back({h.name, h.primary_address(), segment_holding(inv, h.primary_address()),
                       h.roles, h.os, access_name(h.access),
                       std::vector<std::string>(h.addresses.begin() + (h.addresses.empty() ? 0 : 1),
                                                h.addresses.end())});
  }
  for (const auto& d : inv.directories) {
    t.directories.push_back({d.name, d.role == directory_role::backup ? "backup" : "production",
                             d.uri, segment_holding(inv, uri_address(d.uri))});
  }
  for (const auto& v : inv.vantage_points)
    t.vantage_points.push_back({v.name, v.segment, v.via});
  for (const auto& f : inv.flows) {
    auto& out = t.flows.emplace_back(topology::flow{f.from, f.to, f.protocol, {}, f.purpose});
    for (const auto& p : f.ports)
      out.ports.push_back(p.to_string());
  }
  t.vantage = run.vantage;
  if (inv.isolation) {
    t.isolation = topology::isolation_procedure{
        inv.isolation->description, inv.isolation->triggered_by, inv.isolation->last_drill, ""};
  }
  return t;
}

void add_last_drill(topology& t, const std::vector<observation>& observations,
                    std::chrono::sys_days today) {
  if (!t.isolation)
    return;
  for (const auto& o : observations) {
    if (o.probe != "inventory")
      continue;
    const auto age = o.facts.find("inventory.isolation.last_drill_age_days");
    if (age != o.facts.end() && age->second.value && age->second.value->is_number_integer()) {
      const std::chrono::year_month_day day{today -
                                            std::chrono::days(age->second.value->get<long>())};
      char text[16];
      std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(day.year()),
                    static_cast<unsigned>(day.month()), static_cast<unsigned>(day.day()));
      t.isolation->last_drill = text;
    }
    const auto result = o.facts.find("inventory.isolation.last_drill_result");
    if (result != o.facts.end() && result->second.value && result->second.value->is_string())
      t.isolation->last_drill_result = result->second.value->get<std::string>();
  }
}

int audit_result::exit_code() const {
  return exit_code_of(report.objectives);
}

audit_result run_audit(const inventory& inv, const run_context& run,
                       const std::vector<policy>& policies, const std::vector<waiver>& waivers,
                       const probe_set& probes, const audit_settings& settings,
                       audit_listener& listener) {
  audit_result result;
  report& r = result.report;
  r.tool_version = settings.tool_version;
  r.establishment = inv.establishment;
  r.inventory = inv.source;
  r.started_at = utc_now_iso8601();
  r.run_user = this_user_name();
  r.run_host = this_host_name();
  r.scoring = scoring_formula();
  r.topology = describe_topology(inv, run);

  // Host facts first, then the probes that test what they found (undeclared addresses).
  listener.phase(msg::phase_plan);
  std::vector<const probe*> selected;
  for (const auto& p : probes.all()) {
    const auto& only = settings.only_probes;
    if (only.empty() || std::find(only.begin(), only.end(), p->name()) != only.end()) {
      p->prepare(inv);
      selected.push_back(p.get());
    }
  }
  run_context stage = run;
  std::vector<observation> observations;
  for (const bool after_host_facts : {false, true}) {
    std::vector<planned> plan;
    for (const auto* p : selected) {
      if (p->after_host_facts() != after_host_facts)
        continue;
      for (auto& t : p->plan(inv, stage))
        plan.push_back({p, std::move(t)});
    }
    listener.phase(msg::phase_collect);
    auto observed = observe_all(inv, stage, plan, settings, listener);
    std::move(observed.begin(), observed.end(), std::back_inserter(observations));
    stage.undeclared_addresses = undeclared_addresses(observations);
  }

  listener.phase(msg::phase_evaluate);
  std::vector<check> checks;
  bool ads_checks = false;
  for (const auto& p : policies) {
    r.policies.push_back({p.file, p.sha256});
    for (const auto& c : p.checks) {
      ads_checks = ads_checks || (c.enabled && c.objective == kObjectiveAds);
      checks.push_back(c);
    }
  }
  add_last_drill(*r.topology, observations, run.today);
  r.findings = evaluate(checks, observations, waivers, run.today);
  std::vector<std::string> objectives{std::string(kObjectiveA), std::string(kObjectiveB)};
  if (ads_checks)
    objectives.emplace_back(kObjectiveAds);

  listener.phase(msg::phase_report);
  std::vector<flow_result> tested;
  for (auto& obs : observations) {
    std::move(obs.flows.begin(), obs.flows.end(), std::back_inserter(tested));
    r.observations.push_back({obs.probe, obs.target, obs.outcome, obs.detail,
                              static_cast<long long>(obs.elapsed.count()), obs.collected_at,
                              obs.collected_by, obs.learned_host_key});
    for (auto& e : obs.evidence) {
      r.evidence.push_back({e.id, e.source, e.collected_at, e.sha256,
                            content_prefix(e, kEvidenceExcerptBytes), content_size(e),
                            e.truncated});
      result.evidence.push_back(std::move(e));
    }
  }
  r.flows = combine_flows(tested);  // controls are tested with every host: each pair once
  decide_verdicts(r, objectives);
  r.finished_at = utc_now_iso8601();
  return result;
}

}  // namespace cloison
