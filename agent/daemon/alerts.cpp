#include "agent/daemon/alerts.h"

#include <algorithm>
#include <map>

#include "probes/transport/ssh_runner.h"

namespace cloison {

namespace {

using finding_key = std::pair<std::string, std::string>;  // (check, target)

std::map<finding_key, const recorded_finding*> by_key(const std::vector<recorded_finding>& f) {
  std::map<finding_key, const recorded_finding*> out;
  for (const auto& x : f)
    out.emplace(finding_key{x.check, x.target}, &x);
  return out;
}

localized both(msg m, const std::vector<std::string>& args) {
  return {format(m, lang::fr, args), format(m, lang::en, args)};
}

// A message whose arguments are themselves localized (verdict, status, severity names).
localized both(msg m, const std::vector<localized>& args) {
  std::vector<std::string> fr, en;
  for (const auto& a : args) {
    fr.push_back(a.fr);
    en.push_back(a.en);
  }
  return {format(m, lang::fr, fr), format(m, lang::en, en)};
}

localized same(const std::string& s) {
  return {s, s};
}

localized name(msg m) {
  return {std::string(text(m, lang::fr)), std::string(text(m, lang::en))};
}

alert_severity of(severity s) {
  switch (s) {
    case severity::critical:
      return alert_severity::critical;
    case severity::high:
      return alert_severity::high;
    case severity::medium:
      return alert_severity::medium;
    case severity::low:
      break;
  }
  return alert_severity::low;
}

// met and not applicable < incomplete < not met, as drift orders verdicts.
int badness(objective_status s) {
  return s == objective_status::not_met ? 2 : s == objective_status::incomplete ? 1 : 0;
}

class deriver {
 public:
  explicit deriver(const run_digest& now) : now_(now) {}

  void run_state(bool previous_failed) {
    if (!now_.ran && !previous_failed) {
      auto& a = add(alert_kind::run_failed, "", alert_severity::high);
      a.after = now_.error;
      a.message = both(msg::alert_run_failed, {now_.error});
    } else if (now_.ran && previous_failed) {
      auto& a = add(alert_kind::run_recovered, "", alert_severity::info);
      a.resolution = true;
      a.message = both(msg::alert_run_recovered, std::vector<std::string>{});
    }
  }

  void host_keys(const std::vector<refused_host_key>& before) {
    const auto refused = [](const std::vector<refused_host_key>& keys, const std::string& host) {
      return std::any_of(keys.begin(), keys.end(),
                         [&](const refused_host_key& k) { return k.host == host; });
    };
    for (const auto& k : now_.changed_host_keys) {
      if (refused(before, k.host))
        continue;
      auto& a = add(alert_kind::host_key_changed, k.host, alert_severity::critical);
      a.target = k.host;
      a.after = k.detail;
      a.message = both(msg::alert_host_key_changed, {k.host, k.detail});
    }
    for (const auto& k : before) {
      if (refused(now_.changed_host_keys, k.host))
        continue;
      auto& a = add(alert_kind::host_key_resolved, k.host, alert_severity::info);
      a.resolution = true;
      a.target = k.host;
      a.before = k.detail;
      a.message = both(msg::alert_host_key_resolved, {k.host});
    }
  }

  void objectives(const std::vector<run_record::objective>& before) {
    for (const auto& o : now_.objectives) {
      const auto was = std::find_if(before.begin(), before.end(),
                                    [&](const run_record::objective& b) { return b.id == o.id; });
      if (was == before.end() || was->status == o.status)
        continue;
      const std::string from(to_string(was->status)), to(to_string(o.status));
      const int direction = badness(o.status) - badness(was->status);
      auto& a = add(alert_kind::objective_changed, o.id + ":" + from + ":" + to,
                    direction <= 0                          ? alert_severity::info
                    : o.status == objective_status::not_met ? alert_severity::high
                                                            : alert_severity::medium);
      a.resolution = direction < 0;
      a.objective = o.id;
      a.before = from;
      a.after = to;
      a.message = both(direction > 0   ? msg::alert_objective_worse
                       : direction < 0 ? msg::alert_objective_better
                                       : msg::alert_objective_changed,
                       {same(o.id), name(verdict_name(was->status)), name(verdict_name(o.status))});
    }
  }

  void ads(std::optional<int> before) {
    const auto after = now_.ads_level;
    if (!before || !after || *before == *after)
      return;
    const auto from = std::to_string(*before), to = std::to_string(*after);
    const bool dropped = *after < *before;
    auto& a = add(dropped ? alert_kind::ads_level_dropped : alert_kind::ads_level_recovered,
                  from + ":" + to, dropped ? alert_severity::high : alert_severity::info);
    a.resolution = !dropped;
    a.before = from;
    a.after = to;
    a.message = both(dropped ? msg::alert_ads_dropped : msg::alert_ads_recovered, {from, to});
  }

  void findings(const std::vector<recorded_finding>& before) {
    const auto was = by_key(before), is = by_key(now_.failing);
    for (const auto& f : now_.failing) {
      if (was.contains({f.check, f.target}))
        continue;
      auto& a = add(alert_kind::new_failure, f.check + ":" + f.target, of(f.severity));
      describe(a, f);
      a.after = to_string(f.status);
      a.message =
          both(msg::alert_new_failure, {same(f.check), same(f.target), name(status_name(f.status)),
                                        name(severity_name(f.severity))});
    }
    for (const auto& f : before) {
      if (is.contains({f.check, f.target}))
        continue;
      auto& a = add(alert_kind::failure_resolved, f.check + ":" + f.target, alert_severity::info);
      a.resolution = true;
      describe(a, f);
      a.before = to_string(f.status);
      a.message = both(msg::alert_failure_resolved, {f.check, f.target});
    }
  }

  std::vector<alert> take() { return std::move(out_); }

 private:
  alert& add(alert_kind kind, const std::string& subject, alert_severity s) {
    alert a;
    a.kind = kind;
    a.id = std::string(to_string(kind)) + ":" + subject;
    a.severity = s;
    a.run_id = now_.run_id;
    a.run_started_at = now_.started_at;
    out_.push_back(std::move(a));
    return out_.back();
  }

  static void describe(alert& a, const recorded_finding& f) {
    a.objective = f.objective;
    a.check = f.check;
    a.target = f.target;
  }

  const run_digest& now_;
  std::vector<alert> out_;
};

}  // namespace

std::vector<refused_host_key> changed_host_keys(const report& rep) {
  std::vector<refused_host_key> out;
  for (const auto& o : rep.observations) {
    if (o.outcome != outcome::ok && says_host_key_changed(o.detail))
      out.push_back({o.target, o.detail});
  }
  return out;
}

run_digest digest_of(const run_record& r, std::vector<recorded_finding> failing,
                     const report* rep) {
  run_digest d;
  d.run_id = r.id;
  d.started_at = r.started_at;
  d.ran = r.error.empty();
  d.error = r.error;
  d.objectives = r.objectives;
  d.ads_level = r.ads_level;
  d.failing = std::move(failing);
  d.host_keys_known = rep != nullptr;
  if (rep)
    d.changed_host_keys = changed_host_keys(*rep);
  return d;
}

std::vector<alert> derive_alerts(const std::optional<run_digest>& last_ran, bool previous_failed,
                                 const run_digest& now) {
  deriver d(now);
  d.run_state(previous_failed);
  if (now.ran) {
    if (now.host_keys_known && (!last_ran || last_ran->host_keys_known))
      d.host_keys(last_ran ? last_ran->changed_host_keys : std::vector<refused_host_key>{});
    if (last_ran) {
      d.objectives(last_ran->objectives);
      d.ads(last_ran->ads_level);
    }
    d.findings(last_ran ? last_ran->failing : std::vector<recorded_finding>{});
  }
  return d.take();
}

std::string_view to_string(alert_kind k) {
  switch (k) {
    case alert_kind::new_failure:
      return "new_failure";
    case alert_kind::failure_resolved:
      return "failure_resolved";
    case alert_kind::objective_changed:
      return "objective_changed";
    case alert_kind::ads_level_dropped:
      return "ads_level_dropped";
    case alert_kind::ads_level_recovered:
      return "ads_level_recovered";
    case alert_kind::host_key_changed:
      return "host_key_changed";
    case alert_kind::host_key_resolved:
      return "host_key_resolved";
    case alert_kind::run_failed:
      return "run_failed";
    case alert_kind::run_recovered:
      return "run_recovered";
    case alert_kind::drill_restore_failed:
      return "drill_restore_failed";
  }
  return "unknown";
}

std::string_view to_string(alert_severity s) {
  switch (s) {
    case alert_severity::critical:
      return "critical";
    case alert_severity::high:
      return "high";
    case alert_severity::medium:
      return "medium";
    case alert_severity::low:
      return "low";
    case alert_severity::info:
      return "info";
  }
  return "unknown";
}

json to_json(const alert& a) {
  return json{
      {"kind", to_string(a.kind)},  {"id", a.id},
      {"resolution", a.resolution}, {"severity", to_string(a.severity)},
      {"objective", a.objective},   {"check", a.check},
      {"target", a.target},         {"before", a.before},
      {"after", a.after},           {"message", {{"en", a.message.en}, {"fr", a.message.fr}}},
      {"run_id", a.run_id},         {"run_started_at", a.run_started_at}};
}

}  // namespace cloison
