#include "agent/report/merge.h"

#include <algorithm>
#include <map>
#include <set>

#include "agent/engine/scoring.h"
#include "agent/report/verdicts.h"
#include "core/flow_ranges.h"

namespace cloison {

namespace {

// Higher is worse.
int rank(status s) {
  switch (s) {
    case status::fail:
      return 5;
    case status::error:
      return 4;
    case status::waived:
      return 3;
    case status::pass:
      return 2;
    case status::not_evaluated:  // any verdict from another run says more
      return 1;
    case status::not_applicable:
      return 0;
  }
  return 0;
}

int alarm(const flow_result& f) {
  if (f.expected == "forbidden" && f.verdict == "open")
    return 2;
  return f.verdict == "error" ? 1 : 0;
}

std::multiset<std::string> policy_hashes(const report& r) {
  std::multiset<std::string> out;
  for (const auto& p : r.policies)
    out.insert(p.sha256);
  return out;
}

void add_distinct(std::vector<std::string>& list, const std::string& value) {
  if (std::find(list.begin(), list.end(), value) == list.end())
    list.push_back(value);
}

std::string joined(const std::vector<std::string>& values) {
  std::string out;
  for (const auto& v : values)
    out += (out.empty() ? "" : ", ") + v;
  return out;
}

void check_mergeable(const std::vector<merge_input>& inputs) {
  if (inputs.empty())
    throw merge_error(msg::merge_nothing, {});
  const auto& first = inputs.front();
  for (const auto& in : inputs) {
    if (in.report.establishment != first.report.establishment) {
      throw merge_error(msg::merge_establishments_differ, {first.source, first.report.establishment,
                                                           in.source, in.report.establishment});
    }
    if (policy_hashes(in.report) != policy_hashes(first.report))
      throw merge_error(msg::merge_policies_differ, {in.source, first.source});
  }
}

// Evidence of every input, renaming an id that another input already uses for other content.
// Returns, per input, how its ids were renamed.
std::vector<std::map<std::string, std::string>> merge_evidence(
    const std::vector<merge_input>& inputs, report& out) {
  std::vector<std::map<std::string, std::string>> renamed(inputs.size());
  std::map<std::string, std::string> sha_of_id;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    for (auto e : inputs[i].report.evidence) {
      const auto [it, fresh] = sha_of_id.try_emplace(e.id, e.sha256);
      if (!fresh && it->second == e.sha256)
        continue;
      if (!fresh) {
        const std::string id = e.id + "#" + std::to_string(i + 1);
        renamed[i][e.id] = id;
        e.id = id;
        sha_of_id.emplace(id, e.sha256);
      }
      out.evidence.push_back(std::move(e));
    }
  }
  return renamed;
}

void merge_findings(const std::vector<merge_input>& inputs,
                    const std::vector<std::map<std::string, std::string>>& renamed, report& out) {
  std::map<std::pair<std::string, std::string>, std::size_t> index;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    for (auto f : inputs[i].report.findings) {
      for (auto& id : f.evidence) {
        if (const auto r = renamed[i].find(id); r != renamed[i].end())
          id = r->second;
      }
      const auto [it, fresh] = index.try_emplace({f.check, f.target}, out.findings.size());
      if (fresh) {
        out.findings.push_back(std::move(f));
        continue;
      }
      auto& kept = out.findings[it->second];
      if (rank(f.status) > rank(kept.status)) {
        kept = std::move(f);
      } else if (f.status == kept.status) {
        for (auto& id : f.evidence) {
          if (std::find(kept.evidence.begin(), kept.evidence.end(), id) == kept.evidence.end())
            kept.evidence.push_back(std::move(id));
        }
      }
    }
  }
  std::set<std::string> judged_on_targets;
  for (const auto& f : out.findings) {
    if (f.target != "*")
      judged_on_targets.insert(f.check);
  }
  std::erase_if(out.findings, [&](const finding& f) {
    return f.target == "*" && f.status == status::not_applicable &&
           judged_on_targets.contains(f.check);
  });
}

// A port tested by several inputs keeps its most alarming result, the first input's on a tie.
void merge_flows(const std::vector<merge_input>& inputs, report& out) {
  std::vector<flow_result> all;
  for (const auto& in : inputs)
    all.insert(all.end(), in.report.flows.begin(), in.report.flows.end());
  out.flows = combine_flows(all, alarm);
}

}  // namespace

merge_error::merge_error(msg m, std::initializer_list<std::string> args)
    : std::runtime_error(format(m, lang::en, args)), msg_(m), args_(args) {}

std::string merge_error::text(lang l) const {
  return format(msg_, l, args_);
}

report merge_reports(const std::vector<merge_input>& inputs) {
  check_mergeable(inputs);
  const report& first = inputs.front().report;
  report out;
  out.establishment = first.establishment;
  out.policies = first.policies;
  out.scoring = scoring_formula();
  out.started_at = first.started_at;
  out.finished_at = first.finished_at;
  std::vector<std::string> objectives, tool_versions, inventories, users, hosts;
  for (const auto& in : inputs) {
    const report& r = in.report;
    add_distinct(tool_versions, r.tool_version);
    add_distinct(users, r.run_user);
    add_distinct(hosts, r.run_host);
    add_distinct(inventories, r.inventory);
    out.started_at = std::min(out.started_at, r.started_at);
    out.finished_at = std::max(out.finished_at, r.finished_at);
    for (const auto& o : r.objectives)
      add_distinct(objectives, o.id);
    if (r.topology && !out.topology) {
      out.topology = r.topology;
      out.topology->vantage.clear();  // the merged report stands at every vantage point
    }
    out.observations.insert(out.observations.end(), r.observations.begin(), r.observations.end());
  }
  out.tool_version = joined(tool_versions);
  out.inventory = joined(inventories);
  out.run_user = joined(users);
  out.run_host = joined(hosts);
  const auto renamed = merge_evidence(inputs, out);
  merge_findings(inputs, renamed, out);
  merge_flows(inputs, out);
  decide_verdicts(out, objectives);
  return out;
}

}  // namespace cloison
