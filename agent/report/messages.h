// The program's message catalogue: every human-facing text of the program itself, in French and
// English (check texts come from the policies). Thread-safe (read-only data).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "agent/engine/findings.h"
#include "agent/engine/policy.h"
#include "core/observation.h"

namespace cloison {

enum class msg {
  audit_of,
  objective_met,
  objective_not_met,
  objective_not_applicable,
  objective_incomplete,
  score,
  ads_not_proven,
  ads_no_level,
  failing_checks,
  errors_checks,
  causes_heading,
  reason_check_in_error,
  reason_target_not_read,
  reason_no_forbidden_flow_tested,
  reason_host_not_read,
  reason_directory_not_read,
  reason_ads_level_below_3,
  reason_ads_control_in_error,
  reason_nothing_tested,
  report_written,
  phase_plan,
  phase_collect,
  phase_evaluate,
  phase_report,
  probes_done,
  // evidence bundle, verify, merge (agent/evidence/bundle.h, agent/report/merge.h)
  cannot_read,
  bundle_written,
  verify_signature_valid,
  verify_key_not_pinned,
  verify_key_required,
  verify_signature_invalid,
  verify_bad_key,
  verify_modified,
  verify_missing,
  verify_unexpected,
  verify_duplicate,
  verify_not_regular,
  verify_manifest_line,
  merge_nothing,
  merge_establishments_differ,
  merge_policies_differ,
  // drift (cloison diff, report.html)
  drift_between,
  drift_scores,
  drift_ads,
  drift_regressed,
  drift_not_regressed,
  // the daemon's alerts (agent/daemon/alerts.h)
  alert_new_failure,
  alert_failure_resolved,
  alert_objective_worse,
  alert_objective_better,
  alert_objective_changed,
  alert_ads_dropped,
  alert_ads_recovered,
  alert_host_key_changed,
  alert_host_key_resolved,
  alert_run_failed,
  alert_run_recovered,
  absent,
  none,
  status_pass,
  status_fail,
  status_error,
  status_not_applicable,
  status_waived,
  status_not_evaluated,
  severity_critical,
  severity_high,
  severity_medium,
  severity_low,
  outcome_ok,
  outcome_failed,
  outcome_error,
  outcome_timeout,
  role_production,
  role_backup,
  role_administration,
  role_directory,
  role_other,
  // report.html
  language_name,
  html_title,
  html_establishment,
  html_started,
  html_finished,
  html_tool_version,
  html_inventory,
  html_vantage,
  html_vantage_none,
  html_vantage_short,
  html_policies,
  html_auditor,
  html_run_by,
  html_signing_key,
  html_not_signed,
  html_verify_bundle,
  html_file,
  html_verdicts,
  html_objective,
  html_verdict,
  html_counts,
  html_no_score,
  html_scoring,
  objective_a_name,
  objective_b_name,
  objective_ads_name,
  html_ads,
  html_ads_none,
  html_ads_not_proven,
  html_ads_proven,
  html_ads_unsettled,
  html_ads_requirement_met,
  html_ads_requirement_not_met,
  html_ads_requirement_unproven,
  html_diagram,
  html_no_topology,
  legend_allowed_open,
  legend_allowed_untested,
  legend_forbidden_open,
  legend_vantage,
  html_forbidden_open,
  html_forbidden_none,
  html_declared_flows,
  html_from,
  html_to,
  html_address,
  html_ports,
  html_purpose,
  html_findings,
  html_no_findings,
  html_status,
  html_target,
  html_check,
  html_observed,
  html_expectation,
  html_message,
  html_remediation,
  html_waiver,
  html_waiver_detail,
  html_waiver_expired,
  html_evidence,
  html_evidence_source,
  html_evidence_collected,
  html_evidence_truncated,
  html_evidence_missing,
  html_drift,
  html_trend,
  html_trend_caption,
  html_observations,
  html_probe,
  html_outcome,
  html_detail,
  html_elapsed,
  html_generated,
  // how a host was read (report.html, console summary, cloison collect)
  host_collected,
  host_key_learned,
  // report.html's first page and findings
  html_fix_first,
  html_fix_first_none,
  html_impact_not_met,
  html_impact_incomplete,
  html_impact_score,
  html_detail_link,
  html_rationale,
  html_reference,
  html_care_reference,
  html_anssi_reference,
  // the segregation diagram's legend (report.html)
  legend_vantage_result,
  legend_cut_point,
  // cloison audit's errors
  audit_no_inventory,
  audit_nothing_audited,
  audit_cannot_write,
  // cloison drill (agent/session/drill.h, drill_report.h)
  drill_title,
  drill_passed,
  drill_failed,
  drill_refused,
  drill_restore_failed,
  drill_dry_run,
  drill_would_run,
  drill_step_precheck_matrix,
  drill_step_precheck_restorer,
  drill_step_isolate_run,
  drill_step_isolated,
  drill_step_hold_done,
  drill_step_restore_run,
  drill_step_restored,
  drill_step_interrupted,
  drill_step_vantage_lost,
  drill_step_failed,
  drill_fail_off_matrix,
  drill_fail_nothing_answers,
  drill_fail_internal_error,
  drill_not_here,
  drill_same_machine,
  drill_fail_restorer_unreachable,
  drill_fail_isolate_failed,
  drill_fail_not_isolated,
  drill_fail_isolation_broke,
  drill_fail_restore_failed,
  drill_fail_not_restored,
  drill_fail_interrupted,
  drill_fail_vantage_lost,
  drill_fail_too_long,
  drill_manual_steps,
  drill_this_machine,
  drill_confirm_prompt,
  drill_confirm_needed,
  drill_confirm_mismatch,
  drill_no_procedure,
  drill_no_vantage,
  drill_html_outcome,
  drill_html_times,
  drill_html_time_to_isolate,
  drill_html_time_to_restore,
  drill_html_timeline,
  drill_html_failures,
  drill_html_procedure,
  drill_html_isolate,
  drill_html_restore,
  drill_html_runs_on,
  drill_html_vantage_points,
  drill_html_not_measured,
  drill_html_flows,
  drill_html_pair,
  drill_html_kind,
  drill_html_before,
  drill_html_during,
  drill_html_after,
  drill_html_allowed,
  drill_html_kept,
  drill_html_forbidden,
  drill_html_signed,
  drill_written,
  end_of_catalogue  // not a message: one past the last
};

// Messages about a number of things, whose words agree with it: French uses the singular for 0
// and 1, English for 1 only. The text holds {n} for the number and {} for other arguments.
enum class counted {
  passed,
  failed,
  in_error,
  not_applicable,
  waived,
  not_evaluated,
  ads_level,
  cause_line,
  drift_new_failures,
  drift_resolved,
  drift_still_failing,
  verify_intact,
  verify_altered,
  collect_written,
  html_evidence_excerpt,
  html_fix_targets,
  html_fix_more,
  html_other_checks,
  config_problems,
  validate_problems,
  end_of_catalogue  // not a message: one past the last
};

// The text of `m` in `l`. Texts may hold {} placeholders, filled by the caller in order.
std::string_view text(msg m, lang l);

// `text(m, l)` with each {} replaced by the next argument.
std::string format(msg m, lang l, std::initializer_list<std::string> args);
std::string format(msg m, lang l, const std::vector<std::string>& args);

// The text of `m` for `n` things in `l`, {n} replaced by `n` and each {} by the next argument.
std::string format(counted m, lang l, long long n, std::initializer_list<std::string> args = {});

// A finding count in words: "3 conformes, 1 non conforme, 0 en erreur, ...".
std::string counts_text(const status_counts& c, lang l);

// Why `f` has its status, in `l`: its explanation, else (reports of earlier versions) its
// English message.
const std::string& explanation_of(const finding& f, lang l);

// The localized names of verdicts, statuses and severities.
msg verdict_name(objective_status s);
msg status_name(status s);
msg severity_name(severity s);
msg outcome_name(outcome o);

// Why an objective is incomplete or not met, one sentence in `l` (verdict_reason, findings.h).
std::string reason_text(const verdict_reason& r, lang l);

// The dedicated AD's estimate in one sentence: its level and how many control points were not
// evaluated, or that it has no level because the directory was not read.
std::string ads_level_text(const ads_estimate& a, lang l);

struct observation_summary;
// What reports say about how a host was read, one sentence each: when its facts were collected
// and by which key the file was signed, the SSH host key learned on first use. Empty otherwise.
std::vector<std::string> host_notes(const observation_summary& o, lang l);

}  // namespace cloison
