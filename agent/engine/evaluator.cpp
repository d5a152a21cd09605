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
  f.rationale = c.rationale;
  f.expectation = c.expect.describe();
  f.expected = c.expect.in_words();
  f.anssi_id = c.anssi_id;
  f.anssi_level = c.anssi_level;
  return f;
}

// Sets why the finding has its status, in both languages; `message` keeps the English text.
void explain(finding& f, localized why) {
  f.message = why.en;
  f.explanation = std::move(why);
}

// The fact's value, or nullptr with the finding explained and the evidence of the failed
// collection kept.
const json* fact_value(const observation& obs, const std::string& name, finding& f,
                       std::vector<std::string>& evidence) {
  auto it = obs.facts.find(name);
  if (it == obs.facts.end()) {
    const std::string detail = obs.detail.empty() ? "" : " : " + obs.detail;
    explain(
        f, {"le fait " + name + " n'a pas été collecté" + detail,
            "fact " + name + " was not collected" + (obs.detail.empty() ? "" : ": " + obs.detail)});
    return nullptr;
  }
  evidence = it->second.evidence;
  if (!it->second.value) {
    explain(f, {"le fait " + name + " n'a pas pu être établi : " + it->second.error,
                "fact " + name + " could not be established: " + it->second.error});
    return nullptr;
  }
  return &*it->second.value;
}

// Why `expect` could not judge `value`, in both languages (`problem`: the English text).
localized cannot_judge(const matcher& expect, const json& value, const std::string& problem) {
  return {"la valeur observée (" + std::string(value.type_name()) +
              ") ne peut pas être jugée par « " + expect.describe() + " »",
          problem};
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
  const std::string outcome(to_string(obs.outcome));
  explain(f, {"lecture impossible (" + outcome + ") : " + obs.detail, outcome + ": " + obs.detail});
  for (const auto& e : obs.evidence)
    f.evidence.push_back(e.id);
  return f;
}

// Judges `c` on `obs` into `f`; returns false when the check gives no finding for this target.
bool judge(const check& c, const observation& obs, finding& f) {
  std::vector<std::string> condition_evidence;
  if (c.applies_if) {
    const json* v = fact_value(obs, c.applies_if->fact, f, condition_evidence);
    if (!v) {
      f.status = status::error;
      f.evidence = condition_evidence;
      return true;
    }
    const auto applies = evaluate(c.applies_if->expect, *v);
    if (!applies.problem.empty()) {
      f.status = status::error;
      auto why = cannot_judge(c.applies_if->expect, *v, applies.problem);
      explain(f, {"applies_if : " + why.fr, "applies_if: " + why.en});
      return true;
    }
    if (!applies.matched) {
      f.status = status::not_applicable;
      const auto condition = c.applies_if->expect.in_words();
      explain(f, {"sans objet : " + c.applies_if->fact + " vaut " + v->dump() + ", alors qu'il " +
                      condition.fr,
                  "not applicable: " + c.applies_if->fact + " is " + v->dump() + ", not " +
                      c.applies_if->expect.describe()});
      return true;
    }
  }
  const json* v = fact_value(obs, c.fact, f, f.evidence);
  if (!v) {
    const auto it = obs.facts.find(c.fact);
    if (it != obs.facts.end() && it->second.not_in_scope)
      return false;
    if (it != obs.facts.end() && it->second.not_applicable) {
      f.status = status::not_applicable;
      explain(f, {"sans objet : " + it->second.error, "not applicable: " + it->second.error});
    } else if (it != obs.facts.end() && it->second.not_decidable) {
      f.status = status::not_evaluated;
      explain(f, {it->second.error, it->second.error});
    } else {
      f.status = status::error;
    }
    return true;
  }
  f.observed = *v;
  const auto r = evaluate(c.expect, *v);
  if (!r.problem.empty()) {
    f.status = status::error;
    explain(f, cannot_judge(c.expect, *v, r.problem));
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
        explain(f, {"non évalué : " + obs.target + " n'a pas pu être lu (" + f.cause + ")",
                    "not evaluated: " + obs.target + " could not be read (" + f.cause + ")"});
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
      const std::string name(probe);
      explain(f, {"la sonde « " + name + " » n'a observé aucune cible pendant cet audit",
                  "probe '" + name + "' observed no target in this run"});
      findings.push_back(std::move(f));
    }
  }
  return findings;
}

}  // namespace cloison
