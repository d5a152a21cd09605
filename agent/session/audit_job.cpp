#include "agent/session/audit_job.h"

#include <algorithm>

#include "agent/config/inventory_loader.h"
#include "agent/config/policy_loader.h"
#include "agent/config/waivers_loader.h"
#include "agent/evidence/bundle.h"
#include "agent/report/report_html.h"
#include "agent/report/report_junit.h"
#include "probes/reachability/matrix.h"
#include "probes/reachability/reachability_probe.h"

namespace cloison {

void check_against_policies(const inventory& inv, const inventory_references& references,
                            const std::vector<port_profile>& profiles,
                            const std::vector<std::string>& vantage_points, diagnostics& out) {
  std::vector<std::string> names;
  for (const auto& p : profiles)
    names.push_back(p.name);
  check_software(references, names, inv.source, out);
  for (const auto& v : vantage_points) {
    if (auto m = derive_matrix(inv, run_context{v, profiles, {}, {}}); !m.problem.empty())
      out.add(inv.source, 0, 0, m.problem);
  }
}

std::optional<audit_job> audit_job::prepare(audit_request request, const probe_set& probes,
                                            diagnostics& problems) {
  audit_job job(std::move(request), probes);
  const audit_request& a = job.request_;
  std::optional<inventory> inv;
  inventory_references references;
  if (a.local) {
    inv = local_machine_inventory();
  } else {
    inv = load_inventory(a.inventory_file, problems, &references);
  }
  std::vector<std::string> policy_files = a.policy_files;
  if (inv && policy_files.empty())
    policy_files = inv->policies;
  job.policies_ = load_policies(policy_files, probes, problems);
  job.waivers_file_ = !a.waivers_file.empty() ? a.waivers_file : inv ? inv->waivers : "";
  if (!job.waivers_file_.empty())
    job.waivers_ = load_waivers(job.waivers_file_, problems).value_or(std::vector<waiver>{});
  for (const auto& name : a.only_probes) {
    if (!probes.find(name))
      throw audit_refused("--probes: unknown probe '" + name + "'");
  }
  run_context& run = job.run_;
  if (inv) {
    for (const auto& p : job.policies_)
      run.profiles.insert(run.profiles.end(), p.port_profiles.begin(), p.port_profiles.end());
    run.vantage = a.vantage.empty() ? detect_vantage(*inv, local_addresses()) : a.vantage;
    const bool undeclared =
        !a.vantage.empty() &&
        std::none_of(inv->vantage_points.begin(), inv->vantage_points.end(),
                     [&](const vantage_point& v) { return v.name == a.vantage; });
    if (undeclared) {
      problems.add(inv->source, 0, 0,
                   "--vantage " + a.vantage + ": no such vantage point in the inventory");
    }
    std::vector<std::string> derived;
    if (!undeclared && !run.vantage.empty())
      derived.push_back(run.vantage);
    check_against_policies(*inv, references, run.profiles, derived, problems);
  }
  if (!problems.empty() || !inv)
    return std::nullopt;
  job.inventory_ = std::move(*inv);
  if (!a.bundle.empty()) {
    try {
      job.key_ = agent_key::load_or_create(agent_key_path(a.key_file));
    } catch (const std::exception& e) {
      throw audit_refused(std::string("--bundle: ") + e.what() + "; nothing audited");
    }
  }
  return job;
}

audit_job audit_job::writing_to(std::filesystem::path out_dir, std::string bundle,
                                std::optional<report> previous,
                                std::optional<score_trend> trend) const {
  audit_job job = *this;
  job.request_.out_dir = std::move(out_dir);
  job.request_.bundle = std::move(bundle);
  job.request_.previous = std::move(previous);
  job.request_.trend = std::move(trend);
  return job;
}

audit_result audit_job::run(audit_listener& listener) const {
  run_context run = run_;
  run.today = utc_today();
  audit_settings settings;
  settings.concurrency = request_.concurrency;
  settings.only_probes = request_.only_probes;
  settings.tool_version = request_.tool_version;
  auto result = run_audit(inventory_, run, policies_, waivers_, *probes_, settings, listener);
  if (key_)
    result.report.signing = key_->info();
  return result;
}

void audit_job::write(const audit_result& result) const {
  const auto& dir = request_.out_dir;
  const lang l = request_.language;
  write_report(result.report, dir.string());
  write_file_atomically((dir / "report.xml").string(), render_junit(result.report, l));
  write_evidence(result.evidence, dir.string());
  write_html(result.report, l, request_.previous ? &*request_.previous : nullptr, dir.string(),
             request_.trend ? &*request_.trend : nullptr);
  if (key_) {
    write_bundle(request_.bundle,
                 audit_bundle_files(dir, result.evidence, result.report.policies,
                                    request_.local ? "" : inventory_.source, waivers_file_),
                 *key_);
  }
}

}  // namespace cloison
