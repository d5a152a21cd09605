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

void judge(const check& c, const observation& obs, finding& f) {
  std::vector<std::string> condition_evidence;
  if (c.applies_if) {
    const json* v = fact_value(obs, c.applies_if->fact, f.message, condition_evidence);
    if (!v) {
      f.status = status::error;
      f.evidence = condition_evidence;
      return;
    }
    const auto applies = evaluate(c.applies_if->expect, *v);
    if (!applies.problem.empty()) {
      f.status = status::error;
      f.message = "applies_if: " + applies.problem;
      return;
    }
    if (!applies.matched) {
      f.status = status::not_applicable;
      f.message = "not applicable: " + c.applies_if->fact + " is " + v->dump() + ", not " +
                  c.applies_if->expect.describe();
      return;
    }
  }
  const json* v = fact_value(obs, c.fact, f.message, f.evidence);
  if (!v) {
    const auto it = obs.facts.find(c.fact);
    const bool ruled_out = it != obs.facts.end() && it->second.not_applicable;
    f.status = ruled_out ? status::not_applicable : status::error;
    if (ruled_out)
      f.message = "not applicable: " + it->second.error;
    return;
  }
  f.observed = *v;
  const auto r = evaluate(c.expect, *v);
  if (!r.problem.empty()) {
    f.status = status::error;
    f.message = r.problem;
    return;
  }
  f.status = r.matched ? status::pass : status::fail;
}

bool covers(const waiver& w, const finding& f) {
  return w.check == f.check && (w.target.empty() || w.target == "*" || w.target == f.target);
}

}  // namespace

std::vector<finding> evaluate(const std::vector<check>& checks,
                              const std::vector<observation>& observations,
                              const std::vector<waiver>& waivers, std::chrono::sys_days today) {
  std::vector<finding> findings;
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
      judge(c, obs, f);
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
