#include "agent/engine/evaluator.h"

namespace cloison {

namespace {

finding base_finding(const check& c, const std::string& target) {
  finding f;
  f.check = c.id;
  f.objective = c.objective;
  f.target = target;
  f.severity = c.severity;
  f.weight = c.weight;
  f.title = c.title;
  f.remediation = c.remediation;
  f.expectation = c.expect.describe();
  f.anssi_id = c.anssi_id;
  f.anssi_level = c.anssi_level;
  return f;
}

// The fact's value, or nullptr with `why` set and the evidence of the failed collection kept.
const json* fact_value(const observation& obs, const std::string& name, std::string& why,
                       std::vector<std::string>& evidence) {
  auto it = obs.facts.find(name);
  if (it == obs.facts.end()) {
    why = "fact " + name + " was not collected" + (obs.detail.empty() ? "" : ": " + obs.detail);
    return nullptr;
  }
  evidence = it->second.evidence;
  if (!it->second.value) {
    why = "fact " + name + " could not be established: " + it->second.error;
    return nullptr;
  }
  return &*it->second.value;
}

bool is_cause(const observation& obs) {
  return obs.outcome == outcome::error || obs.outcome == outcome::timeout;
}

finding cause_finding(const observation& obs) {
  finding f;
  f.check = cause_check_id(obs.probe);
  f.target = obs.target;
  f.status = status::error;
  f.severity = severity::high;
  f.title = {"Les faits de " + obs.target + " n'ont pas pu être lus (sonde " + obs.probe + ")",
             "The facts of " + obs.target + " could not be read (" + obs.probe + " probe)"};
  f.remediation = {"Rétablissez l'accès de cloison à " + obs.target +
                       " (la cause est donnée), puis relancez l'audit.",
                   "Restore cloison's access to " + obs.target +
                       " (the cause is given), then run the audit again."};
  f.message = std::string(to_string(obs.outcome)) + ": " + obs.detail;
  for (const auto& e : obs.evidence)
    f.evidence.push_back(e.id);
  return f;
}

// Judges `c` on `obs` into `f`; returns false when the check gives no finding for this target.
bool judge(const check& c, const observation& obs, finding& f) {
  std::vector<std::string> condition_evidence;
  if (c.applies_if) {
    const json* v = fact_value(obs, c.applies_if->fact, f.message, condition_evidence);
    if (!v) {
      f.status = status::error;
      f.evidence = condition_evidence;
      return true;
    }
    const auto applies = evaluate(c.applies_if->expect, *v);
    if (!applies.problem.empty()) {
      f.status = status::error;
      f.message = "applies_if: " + applies.problem;
      return true;
    }
    if (!applies.matched) {
      f.status = status::not_applicable;
      f.message = "not applicable: " + c.applies_if->fact + " is " + v->dump() + ", not " +
                  c.applies_if->expect.describe();
      return true;
    }
  }
  const json* v = fact_value(obs, c.fact, f.message, f.evidence);
  if (!v) {
    const auto it = obs.facts.find(c.fact);
    if (it != obs.facts.end() && it->second.not_in_scope)
      return false;
    if (it != obs.facts.end() && it->second.not_applicable) {
      f.status = status::not_applicable;
      f.message = "not applicable: " + it->second.error;
    } else if (it != obs.facts.end() && it->second.not_decidable) {
      f.status = status::not_evaluated;
      f.message = it->second.error;
    } else {
      f.status = status::error;
    }
    return true;
  }
  f.observed = *v;
  const auto r = evaluate(c.expect, *v);
  if (!r.problem.empty()) {
    f.status = status::error;
    f.message = r.problem;
    return true;
  }
  f.status = r.matched ? status::pass : status::fail;
  return true;
}

bool covers(const waiver& w, const finding& f) {
  return w.check == f.check && (w.target.empty() || w.target == "*" || w.target == f.target);
}

}  // namespace

std::vector<finding> evaluate(const std::vector<check>& checks,
                              const std::vector<observation>& observations,
                              const std::vector<waiver>& waivers, std::chrono::sys_days today) {
  std::vector<finding> findings;
  for (const auto& obs : observations) {
    if (is_cause(obs))
      findings.push_back(cause_finding(obs));
  }
  for (const auto& c : checks) {
    if (!c.enabled)
      continue;
    const auto probe = probe_of_fact(c.fact);
    bool observed = false;
    for (const auto& obs : observations) {
      if (obs.probe != probe)
        continue;
      observed = true;
      finding f = base_finding(c, obs.target);
      if (!judge(c, obs, f))
        continue;
      if (f.status == status::error && f.observed.is_null() && is_cause(obs)) {
        f.status = status::not_evaluated;
        f.cause = cause_check_id(obs.probe);
        f.message = "not evaluated: " + obs.target + " could not be read (" + f.cause + ")";
      }
      for (const auto& w : waivers) {
        if (f.status != status::fail || !covers(w, f))
          continue;
        const auto expires = parse_iso_date(w.expires);
        const bool expired = !expires || today > *expires;
        if (!f.waiver || !expired)
          f.waiver = applied_waiver{w, expired};  // a valid one wins
        if (!expired) {
          f.status = status::waived;
          break;
        }
      }
      findings.push_back(std::move(f));
    }
    if (!observed) {
      finding f = base_finding(c, "*");
      f.status = status::not_applicable;
      f.message = "probe '" + std::string(probe) + "' observed no target in this run";
      findings.push_back(std::move(f));
    }
  }
  return findings;
}

}  // namespace cloison
