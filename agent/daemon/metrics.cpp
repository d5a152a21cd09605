#include "agent/daemon/metrics.h"

#include <array>
#include <charconv>
#include <cmath>
#include <string_view>
#include <vector>

#include "core/observation.h"

namespace cloison {

namespace {

struct label {
  std::string_view name;
  std::string_view value;
};

struct sample {
  std::vector<label> labels;
  double value = 0;
};

// A label value as the format writes it between double quotes.
void append_escaped(std::string& out, std::string_view value) {
  for (const char c : value) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
}

// The shortest text that reads back as `value` (Go's ParseFloat syntax, which Prometheus uses).
void append_number(std::string& out, double value) {
  if (std::isnan(value)) {
    out += "NaN";
  } else if (std::isinf(value)) {
    out += value > 0 ? "+Inf" : "-Inf";
  } else {
    char text[32];
    const auto result = std::to_chars(text, text + sizeof text, value);
    out.append(text, result.ptr);
  }
}

// One metric family; nothing at all when it has no sample.
void append_family(std::string& out, std::string_view name, std::string_view type,
                   std::string_view help, const std::vector<sample>& samples) {
  if (samples.empty())
    return;
  out.append("# HELP ").append(name).append(" ").append(help).append("\n");
  out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
  for (const auto& s : samples) {
    out += name;
    if (!s.labels.empty()) {
      out += '{';
      for (const auto& l : s.labels) {
        if (&l != &s.labels.front())
          out += ',';
        out.append(l.name).append("=\"");
        append_escaped(out, l.value);
        out += '"';
      }
      out += '}';
    }
    out += ' ';
    append_number(out, s.value);
    out += '\n';
  }
}

std::vector<sample> one(double value) {
  return {{{}, value}};
}

// Unix seconds of a report.json UTC time; no sample when it is not one.
std::vector<sample> timestamp(const std::string& utc) {
  const auto t = parse_utc_time(utc);
  return t ? one(static_cast<double>(t->time_since_epoch().count())) : std::vector<sample>{};
}

std::vector<sample> duration(const run_record& r) {
  const auto started = parse_utc_time(r.started_at), finished = parse_utc_time(r.finished_at);
  if (!started || !finished)
    return {};
  return one(static_cast<double>((*finished - *started).count()));
}

void append_last_run(std::string& out, const run_record& r) {
  append_family(out, "cloison_last_run_timestamp_seconds", "gauge",
                "When the last run started (Unix time).", timestamp(r.started_at));
  append_family(out, "cloison_last_run_duration_seconds", "gauge", "How long the last run took.",
                duration(r));
  append_family(out, "cloison_last_run_success", "gauge",
                "1 when the last run produced a report (whatever its verdicts), 0 when it could "
                "not run.",
                one(r.error.empty() ? 1 : 0));
  append_family(out, "cloison_last_run_exit_code", "gauge",
                "Exit code of the last run, as cloison audit's: 0 met, 1 not met, 4 incomplete, "
                "2 or 3 could not run.",
                one(r.exit_code));
}

void append_last_report(std::string& out, const run_record& r,
                        const std::map<std::pair<status, severity>, int>& findings) {
  constexpr std::array kStates{objective_status::met, objective_status::not_met,
                               objective_status::incomplete, objective_status::not_applicable};
  std::vector<sample> states, scores, counts;
  for (const auto& o : r.objectives) {
    for (const auto state : kStates)
      states.push_back(
          {{{"objective", o.id}, {"state", to_string(state)}}, o.status == state ? 1.0 : 0.0});
    if (o.score)
      scores.push_back({{{"objective", o.id}}, *o.score});
  }
  for (const auto& [key, count] : findings)
    counts.push_back({{{"status", to_string(key.first)}, {"severity", to_string(key.second)}},
                      static_cast<double>(count)});
  append_family(out, "cloison_last_report_timestamp_seconds", "gauge",
                "When the last run that produced a report started (Unix time); the objective, "
                "finding and ADS metrics are its.",
                timestamp(r.started_at));
  append_family(out, "cloison_objective_state", "gauge",
                "State of each objective in the last report: 1 for its state, 0 for the others.",
                states);
  append_family(out, "cloison_objective_score", "gauge",
                "Score of each objective in the last report (0 to 100).", scores);
  append_family(out, "cloison_findings", "gauge",
                "Findings of the last report by status and severity.", counts);
  if (r.ads_level)
    append_family(out, "cloison_ads_level", "gauge",
                  "ADS level estimated for the dedicated backup directory in the last report.",
                  one(*r.ads_level));
}

}  // namespace

std::string render_metrics(const daemon_metrics& m) {
  std::string out;
  out.reserve(4096);
  append_family(out, "cloison_build_info", "gauge", "The running cloison, by version (always 1).",
                {{{{"version", m.version}}, 1}});
  append_family(out, "cloison_audit_running", "gauge", "1 while an audit runs.",
                one(m.audit_running ? 1 : 0));
  append_family(out, "cloison_alerts_queued", "gauge", "Alerts waiting to be delivered.",
                one(static_cast<double>(m.alerts_queued)));
  append_family(out, "cloison_runs_total", "counter", "Runs recorded since the daemon started.",
                one(static_cast<double>(m.runs_total)));
  append_family(out, "cloison_runs_failed_total", "counter",
                "Runs that could not run since the daemon started.",
                one(static_cast<double>(m.runs_failed_total)));
  append_family(out, "cloison_runs_skipped_total", "counter",
                "Runs not started since the daemon started because another was running.",
                one(static_cast<double>(m.runs_skipped_total)));
  if (m.last_run)
    append_last_run(out, *m.last_run);
  if (m.last_completed)
    append_last_report(out, *m.last_completed, m.findings);
  return out;
}

}  // namespace cloison
