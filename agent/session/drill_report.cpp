#include "agent/session/drill_report.h"

#include <cmath>
#include <cstdio>
#include <sstream>

#include "agent/config/yaml_reader.h"
#include "agent/evidence/bundle.h"
#include "agent/report/markup.h"
#include "agent/report/messages.h"
#include "agent/report/report.h"
#include "core/bounded_read.h"
#include "probes/transport/ssh_runner.h"

namespace cloison {

namespace {

constexpr std::string_view kStyle = R"css(
body { margin: 0 auto; max-width: 72rem; padding: 1rem; font-family: system-ui, "DejaVu Sans",
       sans-serif; color: #1c1c1c; background: #f6f6f4; line-height: 1.45; }
section.lang { background: #fff; border: 1px solid #d6d6d6; padding: 1rem 1.5rem; margin: 1rem 0; }
.outcome { font-size: 1.2rem; font-weight: bold; padding: .5rem .8rem; border-left: .4rem solid; }
.passed, .dry_run { border-color: #1e7b34; } .failed, .refused { border-color: #8a6d00; }
.restore_failed { border-color: #b3261e; color: #b3261e; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { border-bottom: 1px solid #d6d6d6; padding: .2rem .4rem; text-align: left; }
td.bad { color: #b3261e; font-weight: bold; } code { background: #eee; padding: 0 .2rem; }
)css";

const char* lang_code(lang l) {
  return l == lang::fr ? "fr" : "en";
}

std::string seconds(double s) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", s);
  return text;
}

std::string where(const isolation_drill& d, lang l) {
  return d.via == "ssh" ? d.ssh.user + "@" + d.address
                        : std::string(text(msg::drill_this_machine, l));
}

// Why vantage point `v` was not measured, in `l`.
std::string not_measured(const drill_vantage& v, lang l) {
  return v.same_as.empty() ? format(msg::drill_not_here, l, {v.segment})
                           : format(msg::drill_same_machine, l, {v.same_as});
}

msg step_message(drill_step s) {
  switch (s) {
    case drill_step::precheck_matrix:
      return msg::drill_step_precheck_matrix;
    case drill_step::precheck_restorer:
      return msg::drill_step_precheck_restorer;
    case drill_step::isolate_run:
      return msg::drill_step_isolate_run;
    case drill_step::isolated:
      return msg::drill_step_isolated;
    case drill_step::hold_done:
      return msg::drill_step_hold_done;
    case drill_step::restore_run:
      return msg::drill_step_restore_run;
    case drill_step::restored:
      return msg::drill_step_restored;
    case drill_step::interrupted:
      return msg::drill_step_interrupted;
    case drill_step::vantage_lost:
      return msg::drill_step_vantage_lost;
    case drill_step::failed:
      break;
  }
  return msg::drill_step_failed;
}

const char* step_name(drill_step s) {
  constexpr const char* kNames[] = {
      "precheck_matrix", "precheck_restorer", "isolate_run", "isolated",     "hold_done",
      "restore_run",     "restored",          "interrupted", "vantage_lost", "failed"};
  return kNames[static_cast<int>(s)];
}

const char* failure_name(drill_failure::kind k) {
  constexpr const char* kNames[] = {"off_matrix",     "nothing_answers", "restorer_unreachable",
                                    "isolate_failed", "not_isolated",    "isolation_broke",
                                    "restore_failed", "not_restored",    "interrupted",
                                    "vantage_lost",   "too_long",        "internal_error"};
  return kNames[static_cast<int>(k)];
}

std::string failure_text(const drill_failure& f, const isolation_drill& d, lang l) {
  using k = drill_failure::kind;
  const std::string allowed = std::to_string(d.max_isolate_time.count());
  switch (f.what) {
    case k::off_matrix:
      return std::string(text(msg::drill_fail_off_matrix, l)) +
             (f.detail.empty() ? "" : ": " + f.detail);
    case k::nothing_answers:
      return std::string(text(msg::drill_fail_nothing_answers, l));
    case k::internal_error:
      return format(msg::drill_fail_internal_error, l, {f.detail});
    case k::restorer_unreachable:
      return format(msg::drill_fail_restorer_unreachable, l, {f.detail});
    case k::isolate_failed:
      return format(msg::drill_fail_isolate_failed, l, {f.detail});
    case k::not_isolated:
      return format(msg::drill_fail_not_isolated, l, {allowed});
    case k::isolation_broke:
      return format(msg::drill_fail_isolation_broke, l, {});
    case k::restore_failed:
      return format(msg::drill_fail_restore_failed, l, {f.detail});
    case k::not_restored:
      return format(msg::drill_fail_not_restored, l, {allowed});
    case k::interrupted:
      return format(msg::drill_fail_interrupted, l, {f.detail});
    case k::vantage_lost:
      return format(msg::drill_fail_vantage_lost, l, {f.detail});
    case k::too_long:
      return format(msg::drill_fail_too_long, l, {f.detail});
  }
  return {};
}

std::string outcome_text(const drill_result& r, lang l) {
  switch (r.outcome) {
    case drill_outcome::passed:
      return format(
          msg::drill_passed, l,
          {seconds(r.time_to_isolate_s.value_or(0)), seconds(r.time_to_restore_s.value_or(0))});
    case drill_outcome::failed:
      return std::string(text(msg::drill_failed, l));
    case drill_outcome::refused:
      return std::string(text(msg::drill_refused, l));
    case drill_outcome::restore_failed:
      return std::string(text(msg::drill_restore_failed, l));
    case drill_outcome::dry_run:
      return std::string(text(msg::drill_dry_run, l));
  }
  return {};
}

const char* pair_kind(const drill_pair& p, lang l) {
  return text(p.kept_open ? msg::drill_html_kept
              : p.allowed ? msg::drill_html_allowed
                          : msg::drill_html_forbidden,
              l)
      .data();
}

// The verdict of pair `i` in `round`, "" when that round was not measured.
std::string verdict_at(const std::vector<verdict>& round, std::size_t i) {
  return i < round.size() ? std::string(to_string(round[i])) : std::string();
}

void html_section(std::ostringstream& out, const drill_result& r, lang l) {
  const auto& d = r.plan.procedure;
  const auto t = [&](msg m) { return escape_markup(text(m, l)); };
  out << "<section class=\"lang\" lang=\"" << lang_code(l) << "\">\n<h1>"
      << escape_markup(format(msg::drill_title, l, {r.plan.establishment})) << "</h1>\n<p>"
      << escape_markup(r.started_at) << " → " << escape_markup(r.finished_at) << "</p>\n"
      << "<p class=\"outcome " << to_string(r.outcome) << "\">" << escape_markup(outcome_text(r, l))
      << "</p>\n";
  if (r.outcome == drill_outcome::restore_failed)
    out << "<p class=\"outcome restore_failed\">" << escape_markup(manual_restore_steps(d, l))
        << "</p>\n";
  if (r.time_to_isolate_s || r.time_to_restore_s) {
    out << "<h2>" << t(msg::drill_html_times) << "</h2>\n<ul>";
    if (r.time_to_isolate_s)
      out << "<li>"
          << escape_markup(format(
                 msg::drill_html_time_to_isolate, l,
                 {seconds(*r.time_to_isolate_s), std::to_string(d.max_isolate_time.count())}))
          << "</li>";
    if (r.time_to_restore_s)
      out << "<li>"
          << escape_markup(
                 format(msg::drill_html_time_to_restore, l, {seconds(*r.time_to_restore_s)}))
          << "</li>";
    out << "</ul>\n";
  }
  if (!r.failures.empty()) {
    out << "<h2>" << t(msg::drill_html_failures) << "</h2>\n<ul>";
    for (const auto& f : r.failures) {
      out << "<li>" << escape_markup(failure_text(f, d, l));
      if (!f.pairs.empty()) {
        out << "<ul>";
        for (const auto i : f.pairs)
          out << "<li><code>" << escape_markup(pair_name(r.plan.pairs[i])) << "</code></li>";
        out << "</ul>";
      }
      out << "</li>";
    }
    out << "</ul>\n";
  }
  out << "<h2>" << t(msg::drill_html_timeline) << "</h2>\n<table>";
  for (const auto& e : r.timeline) {
    out << "<tr><td>+" << seconds(e.at_s) << " s</td><td>" << escape_markup(event_text(e, l))
        << "</td></tr>";
  }
  out << "</table>\n<h2>" << t(msg::drill_html_procedure) << "</h2>\n<ul><li>"
      << t(msg::drill_html_isolate) << " : <code>" << escape_markup(shell_quote(d.isolate))
      << "</code></li><li>" << t(msg::drill_html_restore) << " : <code>"
      << escape_markup(shell_quote(d.restore)) << "</code></li><li>" << t(msg::drill_html_runs_on)
      << " " << escape_markup(where(d, l)) << "</li></ul>\n<h2>"
      << t(msg::drill_html_vantage_points) << "</h2>\n<ul>";
  for (const auto& v : r.plan.vantage_points) {
    out << "<li>" << escape_markup(v.name);
    if (!v.measured)
      out << " — " << escape_markup(format(msg::drill_html_not_measured, l, {not_measured(v, l)}));
    out << "</li>";
  }
  out << "</ul>\n<h2>" << t(msg::drill_html_flows) << "</h2>\n<table><tr><th>"
      << t(msg::drill_html_pair) << "</th><th>" << t(msg::drill_html_kind) << "</th><th>"
      << t(msg::drill_html_before) << "</th><th>" << t(msg::drill_html_during) << "</th><th>"
      << t(msg::drill_html_after) << "</th></tr>\n";
  const auto open_during = not_isolated(r.plan.pairs, r.during);
  for (std::size_t i = 0; i < r.plan.pairs.size(); ++i) {
    const auto& p = r.plan.pairs[i];
    const bool bad = std::find(open_during.begin(), open_during.end(), i) != open_during.end();
    out << "<tr><td><code>" << escape_markup(pair_name(p)) << "</code></td><td>"
        << escape_markup(pair_kind(p, l)) << "</td><td>" << verdict_at(r.before, i) << "</td><td"
        << (bad ? " class=\"bad\"" : "") << ">" << verdict_at(r.during, i) << "</td><td>"
        << verdict_at(r.after, i) << "</td></tr>\n";
  }
  out << "</table>\n</section>\n";
}

}  // namespace

std::string event_text(const drill_event& e, lang l) {
  return format(step_message(e.step), l, {e.detail});
}

std::string pair_name(const drill_pair& p) {
  return p.vantage + " (" + p.from + ") -> " + p.to + " " + p.address + " tcp/" +
         std::to_string(p.port);
}

std::string manual_restore_steps(const isolation_drill& d, lang l) {
  return format(msg::drill_manual_steps, l, {shell_quote(d.restore), where(d, l)});
}

std::string drill_summary(const drill_result& r, lang l) {
  std::ostringstream out;
  out << outcome_text(r, l) << "\n";
  for (const auto& f : r.failures) {
    out << "  - " << failure_text(f, r.plan.procedure, l) << "\n";
    for (const auto i : f.pairs) {
      out << "      " << pair_name(r.plan.pairs[i]);
      const auto& seen = f.what == drill_failure::kind::off_matrix     ? r.before
                         : f.what == drill_failure::kind::not_restored ? r.after
                                                                       : r.during;
      if (i < seen.size())
        out << ": " << to_string(seen[i]);
      out << "\n";
    }
  }
  if (r.outcome == drill_outcome::dry_run) {
    const auto& d = r.plan.procedure;
    out << format(msg::drill_would_run, l, {where(d, l)}) << "\n  " << shell_quote(d.isolate)
        << "\n  " << shell_quote(d.restore) << "\n";
  }
  if (r.outcome == drill_outcome::restore_failed)
    out << manual_restore_steps(r.plan.procedure, l) << "\n";
  return out.str();
}

nlohmann::json drill_json(const drill_result& r, const std::string& tool_version) {
  const auto& d = r.plan.procedure;
  nlohmann::json j{
      {"format", kDrillFormat},
      {"tool_version", tool_version},
      {"establishment", r.plan.establishment},
      {"started_at", r.started_at},
      {"finished_at", r.finished_at},
      {"dry_run", r.dry_run},
      {"outcome", to_string(r.outcome)},
      {"time_to_isolate_s", r.time_to_isolate_s ? nlohmann::json(*r.time_to_isolate_s) : nullptr},
      {"time_to_restore_s", r.time_to_restore_s ? nlohmann::json(*r.time_to_restore_s) : nullptr},
      {"procedure",
       {{"via", d.via},
        {"address", d.address},
        {"isolate", d.isolate},
        {"restore", d.restore},
        {"max_isolate_time_s", d.max_isolate_time.count()},
        {"hold_s", d.hold.count()},
        {"max_duration_s", d.max_duration.count()}}},
  };
  auto& vantage = j["vantage_points"] = nlohmann::json::array();
  for (const auto& v : r.plan.vantage_points)
    vantage.push_back({{"name", v.name},
                       {"measured", v.measured},
                       {"fr", v.measured ? "" : not_measured(v, lang::fr)},
                       {"en", v.measured ? "" : not_measured(v, lang::en)}});
  auto& pairs = j["pairs"] = nlohmann::json::array();
  for (std::size_t i = 0; i < r.plan.pairs.size(); ++i) {
    const auto& p = r.plan.pairs[i];
    pairs.push_back({{"vantage", p.vantage},
                     {"from", p.from},
                     {"to", p.to},
                     {"address", p.address},
                     {"port", p.port},
                     {"allowed", p.allowed},
                     {"kept_open", p.kept_open},
                     {"before", verdict_at(r.before, i)},
                     {"during", verdict_at(r.during, i)},
                     {"after", verdict_at(r.after, i)}});
  }
  auto& timeline = j["timeline"] = nlohmann::json::array();
  for (const auto& e : r.timeline)
    timeline.push_back({{"at_s", e.at_s}, {"step", step_name(e.step)}, {"detail", e.detail}});
  auto& failures = j["failures"] = nlohmann::json::array();
  for (const auto& f : r.failures) {
    nlohmann::json named = nlohmann::json::array();
    for (const auto i : f.pairs)
      named.push_back(pair_name(r.plan.pairs[i]));
    failures.push_back({{"kind", failure_name(f.what)},
                        {"detail", f.detail},
                        {"pairs", named},
                        {"fr", failure_text(f, d, lang::fr)},
                        {"en", failure_text(f, d, lang::en)}});
  }
  return j;
}

std::string drill_html(const drill_result& r, lang first) {
  std::ostringstream out;
  out << "<!DOCTYPE html>\n<html lang=\"" << lang_code(first) << "\">\n<head>\n"
      << "<meta charset=\"utf-8\">\n<meta http-equiv=\"Content-Security-Policy\" "
         "content=\"default-src 'none'; style-src 'unsafe-inline'\">\n<title>"
      << escape_markup(format(msg::drill_title, first, {r.plan.establishment}))
      << "</title>\n<style>" << kStyle << "</style>\n</head>\n<body>\n";
  html_section(out, r, first);
  html_section(out, r, first == lang::fr ? lang::en : lang::fr);
  out << "</body>\n</html>\n";
  return out.str();
}

void write_drill(const drill_result& r, const std::filesystem::path& out_dir, lang first,
                 const agent_key& key, const std::string& inventory_file,
                 const std::string& tool_version) {
  std::filesystem::create_directories(out_dir);
  const std::string report_text = drill_json(r, tool_version).dump(2) + "\n";
  const std::string html = drill_html(r, first);
  write_file_atomically((out_dir / "drill.json").string(), report_text);
  write_file_atomically((out_dir / "drill.html").string(), html);
  std::vector<bundle_file> files{{"drill.json", report_text}, {"drill.html", html}};
  if (!inventory_file.empty()) {
    files.push_back({"inventory/" + std::filesystem::path(inventory_file).filename().string(),
                     read_file_bounded(inventory_file, kMaxConfigBytes)});
  }
  write_bundle((out_dir / "drill.tar.gz").string(), std::move(files), key);
  const auto& reports = r.plan.procedure.reports;
  if (reports.empty() || r.dry_run)
    return;
  std::filesystem::create_directories(reports);
  write_file_atomically((std::filesystem::path(reports) / "latest.json").string(), report_text);
  if (r.outcome == drill_outcome::passed)
    write_file_atomically((std::filesystem::path(reports) / "last-success.json").string(),
                          report_text);
}

}  // namespace cloison
