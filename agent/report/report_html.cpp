#include "agent/report/report_html.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <tuple>

#include "agent/report/local_time.h"
#include "agent/report/markup.h"
#include "agent/report/report_diagram.h"
#include "core/flow_ranges.h"

namespace cloison {

namespace {

constexpr std::array kLanguages{lang::fr, lang::en};

constexpr std::string_view kStyle = R"css(
:root { --met: #1e7b34; --not-met: #b3261e; --na: #6b6b6b; --incomplete: #8a6d00; --ink: #1c1c1c; --line: #d6d6d6; }
* { box-sizing: border-box; }
body { margin: 0; font-family: system-ui, "DejaVu Sans", sans-serif; color: var(--ink);
       background: #f6f6f4; line-height: 1.45; }
.lang-radio { position: absolute; opacity: 0; pointer-events: none; }
#lang-fr:checked ~ .doc:not([lang="fr"]), #lang-en:checked ~ .doc:not([lang="en"]) { display: none; }
.switch { position: sticky; top: 0; z-index: 2; display: flex; gap: .4rem; justify-content: flex-end;
          padding: .5rem 1.5rem; background: #fff; border-bottom: 1px solid var(--line); }
.switch label { cursor: pointer; padding: .2rem .8rem; border: 1px solid #888; border-radius: 1rem; }
#lang-fr:checked ~ .switch label[for="lang-fr"], #lang-en:checked ~ .switch label[for="lang-en"] {
  background: var(--ink); color: #fff; }
.doc { max-width: 1200px; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: .5rem 1.2rem 1rem;
          margin: 1rem 0; }
h1 { font-size: 1.6rem; margin: .8rem 0 .2rem; }
h2 { font-size: 1.25rem; border-bottom: 2px solid var(--ink); padding-bottom: .2rem; }
h3 { font-size: 1.1rem; margin-top: 1.4rem; }
h4 { font-size: 1rem; margin: 1rem 0 .3rem; }
.establishment { font-size: 1.2rem; font-weight: 600; margin: 0 0 .6rem; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0; }
th, td { text-align: left; vertical-align: top; border-bottom: 1px solid var(--line); padding: .3rem .5rem; }
th { background: #f0f0ee; }
code, pre { font-family: "DejaVu Sans Mono", monospace; font-size: .85em; }
code { overflow-wrap: anywhere; }
pre { background: #f4f4f4; border: 1px solid var(--line); padding: .5rem; overflow-x: auto;
      white-space: pre-wrap; overflow-wrap: anywhere; max-height: 30rem; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
dl.meta dt { font-weight: 600; }
dl.meta dd { margin: 0; }
.verdict { font-weight: 700; padding: .1rem .5rem; border-radius: .3rem; color: #fff; white-space: nowrap; }
.verdict.met { background: var(--met); }
.verdict.not_met { background: var(--not-met); }
.verdict.not_applicable { background: var(--na); }
.verdict.incomplete { background: var(--incomplete); }
.score { font-size: 1.1rem; font-weight: 600; }
.ads-level { font-size: 1.15rem; font-weight: 600; }
.not-proven, .expired, .regressed { color: var(--not-met); font-weight: 600; }
.not-regressed { color: var(--met); font-weight: 600; }
.diagram { max-width: 100%; height: auto; display: block; margin: .5rem auto; }
.legend { display: flex; flex-wrap: wrap; gap: .4rem 1.4rem; padding: 0; list-style: none; font-size: .9rem; }
.legend svg { vertical-align: middle; margin-right: .3rem; }
details.finding { border: 1px solid var(--line); border-left: 6px solid #999; border-radius: 4px;
                  margin: .35rem 0; padding: .3rem .6rem; background: #fff; }
details.finding.fail { border-left-color: var(--not-met); }
details.finding.error { border-left-color: #e07b00; }
details.finding.waived { border-left-color: #6a5acd; }
details.finding.pass { border-left-color: var(--met); }
details.finding > summary { cursor: pointer; }
.badge { display: inline-block; min-width: 7.5em; font-size: .8rem; font-weight: 700; padding: 0 .4rem;
         border-radius: .3rem; background: #eee; text-align: center; }
.badge.fail { background: var(--not-met); color: #fff; }
.badge.error { background: #e07b00; color: #fff; }
.badge.waived { background: #6a5acd; color: #fff; }
.badge.pass { background: var(--met); color: #fff; }
.target { color: #555; }
dl.fields { display: grid; grid-template-columns: max-content 1fr; gap: .2rem .8rem; margin: .5rem 0; }
dl.fields dt { font-weight: 600; }
dl.fields dd { margin: 0; min-width: 0; }
.evidence { border-top: 1px dashed var(--line); padding-top: .3rem; margin-top: .3rem; }
footer { color: #555; font-size: .85rem; margin-top: 2rem; }
ol.fix-first { padding-left: 1.6rem; }
ol.fix-first li { margin: .25rem 0; }
.impact.not_met { color: var(--not-met); font-weight: 600; }
.impact.incomplete { color: var(--incomplete); font-weight: 600; }
.remediation { color: #333; }
.diagram-box { overflow-x: auto; }
.trend-chart { max-width: 100%; height: auto; display: block; }
@media screen and (max-width: 640px) {
  .doc { padding: .5rem; }
  section { padding: .3rem .6rem .6rem; }
  table, tbody, tr, th, td { display: block; width: 100%; }
  tr:first-child:has(th) { display: none; }
  tr { border-bottom: 2px solid var(--line); padding: .2rem 0; }
  td { border: none; padding: .1rem .3rem; overflow-wrap: anywhere; }
  dl.meta, dl.fields { grid-template-columns: 1fr; }
  dl.meta dd, dl.fields dd { margin-bottom: .3rem; overflow-wrap: anywhere; }
  .diagram { max-width: none; width: 900px; }
}
@media print {
  @page { size: A4; margin: 14mm 12mm; }
  body { background: #fff; font-size: 10pt; }
  .switch, .lang-radio { display: none !important; }
  .doc { max-width: none; padding: 0; }
  section { border: none; padding: 0; break-inside: auto; }
  details.finding::details-content { content-visibility: visible; display: block; block-size: auto; }
  details.finding > summary { list-style: none; }
  details.finding > summary, h2, h3, h4 { break-after: avoid-page; }
  pre { max-height: none; }
  .verdict, .badge { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
  .diagram { break-inside: avoid-page; }
}
)css";

std::string code_of(lang l) {
  return l == lang::fr ? "fr" : "en";
}

std::string esc(std::string_view s) {
  return escape_markup(s);
}

std::string score_text(const std::optional<double>& score) {
  return score ? std::to_string(std::lround(*score)) + "/100" : "";
}

std::optional<msg> objective_name(const std::string& id) {
  if (id == kObjectiveA)
    return msg::objective_a_name;
  if (id == kObjectiveB)
    return msg::objective_b_name;
  if (id == kObjectiveAds)
    return msg::objective_ads_name;
  return std::nullopt;
}

msg role_name(const std::string& role) {
  if (role == "production")
    return msg::role_production;
  if (role == "backup")
    return msg::role_backup;
  if (role == "administration")
    return msg::role_administration;
  if (role == "directory")
    return msg::role_directory;
  return msg::role_other;
}

// Failing first: fail, error, then waived, pass, not applicable.
int status_rank(status s) {
  switch (s) {
    case status::fail:
      return 0;
    case status::error:
      return 1;
    case status::waived:
      return 2;
    case status::pass:
      return 3;
    case status::not_evaluated:
      return 4;
    case status::not_applicable:
      return 5;
  }
  return 6;
}

// A check to fix, on one target or more, and what fixing it does to its objective.
struct fix_item {
  const finding* first;  // its first finding, whose detail the item links to
  int targets = 1;
  enum { not_met, incomplete, score } impact = score;
  std::string objective;
};

// Fixing it is required for its objective to be met (scoring.h): a critical or high check that
// fails, or an ADS control of level 1 or 2 that fails (the dedicated AD then stays below 3);
// required for it to be complete: a critical or high check in error, or a target not read.
fix_item item_to_fix(const report& r, const finding& f) {
  fix_item item{&f, 1, fix_item::score, f.objective};
  const bool blocking = f.severity == severity::critical || f.severity == severity::high;
  if (f.status == status::fail && (blocking || (f.anssi_level > 0 && f.anssi_level < 3)))
    item.impact = fix_item::not_met;
  else if (f.status == status::error && (blocking || is_cause(f)))
    item.impact = fix_item::incomplete;
  if (is_cause(f)) {  // the objective of a check it left unevaluated
    const auto dependent =
        std::find_if(r.findings.begin(), r.findings.end(),
                     [&](const finding& d) { return d.cause == f.check && d.target == f.target; });
    if (dependent != r.findings.end())
      item.objective = dependent->objective;
  }
  return item;
}

// The failing and in-error findings, one item per check and status, ranked by what fixing them
// does (an objective met, then complete, then a better score), then severity, then the number of
// targets.
std::vector<fix_item> items_to_fix(const report& r) {
  std::vector<fix_item> items;
  for (const auto& f : r.findings) {
    if (f.status != status::fail && f.status != status::error)
      continue;
    const auto same = std::find_if(items.begin(), items.end(), [&](const fix_item& i) {
      return i.first->check == f.check && i.first->status == f.status;
    });
    if (same != items.end())
      ++same->targets;
    else
      items.push_back(item_to_fix(r, f));
  }
  std::stable_sort(items.begin(), items.end(), [](const fix_item& a, const fix_item& b) {
    return std::tuple(a.impact, a.first->severity, -a.targets) <
           std::tuple(b.impact, b.first->severity, -b.targets);
  });
  return items;
}

// The first sentence of `text`: a remediation in one line.
std::string first_sentence(const std::string& text) {
  const auto end = text.find(". ");
  return end == std::string::npos ? text : text.substr(0, end + 1);
}

// CERT-FR's public list of ANSSI's Active Directory control points; its anchors are the ids.
constexpr std::string_view kAnssiChecklist =
    "https://www.cert.ssi.gouv.fr/uploads/ad_checklist.html";

constexpr std::size_t kFixFirstItems = 12;  // with the "and N more" line, under 15 lines

// One language's copy of the report.
class section_writer {
 public:
  section_writer(std::ostringstream& out, const report& r, lang l, const std::string& svg)
      : out_(out), r_(r), l_(l), svg_(svg) {}

  void write(const drift* previous, const std::string& trend_svg) {
    out_ << "<main class=\"doc\" lang=\"" << code_of(l_) << "\">\n<header><h1>"
         << t(msg::html_title) << "</h1><p class=\"establishment\">" << esc(r_.establishment)
         << " — " << esc(local_time_text(r_.started_at)) << "</p></header>\n";
    verdicts();
    fix_first();
    ads();
    segregation();
    if (previous)
      drift_section(*previous);
    if (!trend_svg.empty())
      out_ << "<section class=\"trend\"><h2>" << t(msg::html_trend) << "</h2>\n<p>"
           << t(msg::html_trend_caption) << "</p>\n<div class=\"trend-box\">" << trend_svg
           << "</div></section>\n";
    findings();
    auditor();
    observations();
    out_ << "<footer>" << esc(format(msg::html_generated, l_, {r_.tool_version}))
         << "</footer>\n</main>\n";
  }

 private:
  std::string t(msg m) const { return esc(text(m, l_)); }

  void meta(msg label, const std::string& value) {
    out_ << "<dt>" << t(label) << "</dt><dd>" << esc(value) << "</dd>\n";
  }

  // Who ran the audit, where from, when (local time), with what, and how to check its evidence.
  void auditor() {
    out_ << "<section class=\"auditor\"><h2>" << t(msg::html_auditor)
         << "</h2>\n<dl class=\"meta\">\n";
    meta(msg::html_establishment, r_.establishment);
    if (!r_.run_user.empty())
      meta(msg::html_run_by, r_.run_user + " @ " + r_.run_host);
    const bool vantage = r_.topology && !r_.topology->vantage.empty();
    meta(msg::html_vantage,
         vantage ? r_.topology->vantage : std::string(text(msg::html_vantage_none, l_)));
    meta(msg::html_started, local_time_text(r_.started_at) + " — " + r_.started_at);
    meta(msg::html_finished, local_time_text(r_.finished_at) + " — " + r_.finished_at);
    meta(msg::html_tool_version, r_.tool_version);
    meta(msg::html_inventory, r_.inventory);
    meta(msg::html_signing_key,
         r_.signing ? r_.signing->fingerprint : std::string(text(msg::html_not_signed, l_)));
    out_ << "</dl>\n";
    if (r_.signing) {
      out_ << "<p>" << t(msg::html_verify_bundle)
           << "</p>\n<pre><code>cloison verify evidence.tar.gz --key agent.pub</code></pre>\n";
    }
    out_ << "<h3>" << t(msg::html_policies) << "</h3>\n<table><tr><th>" << t(msg::html_file)
         << "</th><th>SHA-256</th></tr>\n";
    for (const auto& p : r_.policies) {
      out_ << "<tr><td><code>" << esc(p.file) << "</code></td><td><code>" << esc(p.sha256)
           << "</code></td></tr>\n";
    }
    out_ << "</table></section>\n";
  }

  void verdicts() {
    out_ << "<section class=\"verdicts\"><h2>" << t(msg::html_verdicts) << "</h2>\n<table><tr><th>"
         << t(msg::html_objective) << "</th><th>" << t(msg::html_verdict) << "</th><th>"
         << esc(text(msg::score, l_)) << "</th><th>" << t(msg::html_counts) << "</th></tr>\n";
    for (const auto& o : r_.objectives) {
      const auto name = objective_name(o.id);
      out_ << "<tr class=\"objective\" data-objective=\"" << esc(o.id) << "\" data-status=\""
           << to_string(o.status) << "\"><td><strong>" << esc(o.id) << "</strong>"
           << (name ? " — " + t(*name) : "") << "</td><td><span class=\"verdict "
           << to_string(o.status) << "\">" << t(verdict_name(o.status))
           << "</span></td><td class=\"score\">"
           << (o.score ? score_text(o.score) : t(msg::html_no_score)) << "</td><td>"
           << esc(counts_text(o.counts, l_)) << "</td></tr>\n";
      if (!o.reasons.empty()) {
        out_ << "<tr class=\"reasons\"><td></td><td colspan=\"3\"><ul>";
        for (const auto& why : o.reasons)
          out_ << "<li>" << esc(reason_text(why, l_)) << "</li>";
        out_ << "</ul></td></tr>\n";
      }
    }
    out_ << "</table>\n<details class=\"scoring\"><summary>" << t(msg::html_scoring)
         << "</summary><p><code>" << esc(r_.scoring) << "</code></p></details></section>\n";
  }

  std::string anchor_of(const finding& f) const {
    return code_of(l_) + "-f" + std::to_string(&f - r_.findings.data());
  }

  // "À corriger d'abord": what to fix, most decisive first, each with its remediation in one line
  // and a link to its detail.
  void fix_first() {
    out_ << "<section class=\"fix-first\"><h2>" << t(msg::html_fix_first) << "</h2>\n";
    const auto items = items_to_fix(r_);
    if (items.empty()) {
      out_ << "<p>" << t(msg::html_fix_first_none) << "</p></section>\n";
      return;
    }
    out_ << "<ol class=\"fix-first\">\n";
    for (std::size_t i = 0; i < items.size() && i < kFixFirstItems; ++i) {
      const auto& item = items[i];
      const auto& f = *item.first;
      const auto st = to_string(f.status);
      const char* impact_class[] = {"not_met", "incomplete", "score"};
      const msg impact_text[] = {msg::html_impact_not_met, msg::html_impact_incomplete,
                                 msg::html_impact_score};
      out_ << "<li data-check=\"" << esc(f.check) << "\" data-impact=\""
           << impact_class[item.impact] << "\"><span class=\"badge " << st << "\">"
           << t(status_name(f.status)) << "</span> <strong>" << esc(f.title.in(l_))
           << "</strong> <span class=\"target\">@ "
           << esc(item.targets == 1 ? f.target
                                    : format(counted::html_fix_targets, l_, item.targets))
           << "</span> — <span class=\"impact " << impact_class[item.impact] << "\">"
           << esc(format(impact_text[item.impact], l_, {item.objective})) << "</span><br>"
           << "<span class=\"remediation\">" << esc(first_sentence(f.remediation.in(l_)))
           << "</span> <a href=\"#" << anchor_of(f) << "\">" << t(msg::html_detail_link)
           << "</a></li>\n";
    }
    out_ << "</ol>\n";
    if (items.size() > kFixFirstItems) {
      out_ << "<p class=\"more\">"
           << esc(format(counted::html_fix_more, l_,
                         static_cast<long long>(items.size() - kFixFirstItems)))
           << "</p>\n";
    }
    out_ << "</section>\n";
  }

  const finding* first_finding(const std::string& check) const {
    const auto it = std::find_if(r_.findings.begin(), r_.findings.end(),
                                 [&](const finding& f) { return f.check == check; });
    return it == r_.findings.end() ? nullptr : &*it;
  }

  void ads() {
    out_ << "<section class=\"ads\"><h2>" << t(msg::html_ads) << "</h2>\n";
    if (!r_.ads) {
      out_ << "<p>" << t(msg::html_ads_none) << "</p></section>\n";
      return;
    }
    const auto& a = *r_.ads;
    out_ << "<p class=\"ads-level\" data-level=\""
         << (a.estimated_level ? std::to_string(*a.estimated_level) : "") << "\">"
         << esc(ads_level_text(a, l_)) << "</p>\n";
    if (!a.estimated_level) {
      out_ << "</section>\n";
      return;
    }
    out_ << "<p" << (a.level_proven ? "" : " class=\"not-proven\"") << ">"
         << t(a.level_proven ? msg::html_ads_proven : msg::html_ads_not_proven) << "</p>\n";
    std::vector<std::string> unsettled = a.not_evaluated;
    unsettled.insert(unsettled.end(), a.in_error.begin(), a.in_error.end());
    if (!unsettled.empty()) {  // listed even when none lies below the estimate
      out_ << "<p>" << t(msg::html_ads_unsettled) << "</p>\n<ul class=\"not-evaluated\">\n";
      for (const auto& check : unsettled) {
        const auto* f = first_finding(check);
        out_ << "<li><code>" << esc(check) << "</code>" << (f ? " — " + esc(f->title.in(l_)) : "")
             << "</li>\n";
      }
      out_ << "</ul>\n";
    }
    const bool below = *a.estimated_level < 3;
    const msg requirement = below                ? msg::html_ads_requirement_not_met
                            : a.in_error.empty() ? msg::html_ads_requirement_met
                                                 : msg::html_ads_requirement_unproven;
    out_ << "<p class=\"" << (below ? "not-proven" : "") << "\">" << t(requirement)
         << "</p></section>\n";
  }

  void legend() {
    out_ << "<ul class=\"legend\">\n";
    for (const char* role : {"production", "backup", "administration", "directory"}) {
      const auto c = colours_of_role(role);
      out_ << "<li><svg width=\"22\" height=\"14\"><rect x=\"1\" y=\"1\" width=\"20\" "
              "height=\"12\" rx=\"3\" fill=\""
           << c.fill << "\" stroke=\"" << c.stroke << "\"/></svg>" << t(role_name(role))
           << "</li>\n";
    }
    for (auto [edge_class, label] : {std::pair{"declared-open", msg::legend_allowed_open},
                                     std::pair{"declared-untested", msg::legend_allowed_untested},
                                     std::pair{"forbidden-open", msg::legend_forbidden_open}}) {
      out_ << "<li><svg width=\"34\" height=\"10\"><line x1=\"1\" y1=\"5\" x2=\"33\" y2=\"5\" "
              "stroke-width=\"3\" stroke=\""
           << colour_of_flow(edge_class) << "\""
           << (std::string_view(edge_class) == "declared-untested" ? " stroke-dasharray=\"6 4\""
                                                                   : "")
           << "/></svg>" << t(label) << "</li>\n";
    }
    out_ << "<li>" << t(msg::legend_vantage) << "</li>\n<li>" << t(msg::legend_vantage_result)
         << "</li>\n";
    if (r_.topology->isolation)
      out_ << "<li>" << t(msg::legend_cut_point) << "</li>\n";
    out_ << "</ul>\n";
  }

  void segregation() {
    out_ << "<section class=\"segregation\"><h2>" << t(msg::html_diagram) << "</h2>\n";
    if (svg_.empty()) {
      out_ << "<p>" << t(msg::html_no_topology) << "</p>\n";
    } else {
      legend();
      out_ << "<div class=\"diagram-box\">" << svg_ << "</div>\n";
    }
    out_ << "<h3>" << t(msg::html_forbidden_open) << "</h3>\n";
    // One row per (vantage point, from, to, address, protocol), its ports as ranges.
    std::map<std::tuple<std::string, std::string, std::string, std::string, std::string>,
             std::set<unsigned>>
        open;
    for (const auto& f : r_.flows) {
      if (f.expected == "forbidden" && f.verdict == "open")
        add_ports(f, open[{f.vantage, f.from, f.to, f.address, f.protocol}]);
    }
    if (open.empty()) {
      out_ << "<p>" << t(msg::html_forbidden_none) << "</p>\n";
    } else {
      out_ << "<table class=\"forbidden-open\"><tr><th>" << t(msg::html_vantage_short)
           << "</th><th>" << t(msg::html_from) << "</th><th>" << t(msg::html_to) << "</th><th>"
           << t(msg::html_address) << "</th><th>" << t(msg::html_ports) << "</th></tr>\n";
      for (const auto& [key, ports] : open) {
        const auto& [vantage, from, to, address, protocol] = key;
        out_ << "<tr><td>" << esc(vantage) << "</td><td>" << esc(from) << "</td><td>" << esc(to)
             << "</td><td>" << esc(address) << "</td><td>" << esc(protocol) << " "
             << esc(joined(port_ranges(ports))) << "</td></tr>\n";
      }
      out_ << "</table>\n";
    }
    if (r_.topology && !r_.topology->flows.empty()) {
      out_ << "<h3>" << t(msg::html_declared_flows) << "</h3>\n<table><tr><th>" << t(msg::html_from)
           << "</th><th>" << t(msg::html_to) << "</th><th>" << t(msg::html_ports) << "</th><th>"
           << t(msg::html_purpose) << "</th></tr>\n";
      for (const auto& f : r_.topology->flows) {
        out_ << "<tr><td>" << esc(f.from) << "</td><td>" << esc(f.to) << "</td><td>"
             << esc(f.protocol) << " " << esc(joined(f.ports)) << "</td><td>" << esc(f.purpose)
             << "</td></tr>\n";
      }
      out_ << "</table>\n";
    }
    out_ << "</section>\n";
  }

  std::string status_of(const std::optional<status>& s) const {
    return t(s ? status_name(*s) : msg::absent);
  }

  void drift_section(const drift& d) {
    out_ << "<section class=\"drift\"><h2>" << t(msg::html_drift) << "</h2>\n<p>"
         << esc(format(msg::drift_between, l_,
                       {local_time_text(d.before_started_at), local_time_text(d.after_started_at)}))
         << "</p>\n<p class=\"" << (d.regressed() ? "regressed" : "not-regressed") << "\">"
         << t(d.regressed() ? msg::drift_regressed : msg::drift_not_regressed) << "</p>\n";
    for (auto [list, heading, css] :
         {std::tuple{&d.new_failures, counted::drift_new_failures, "new-failures"},
          std::tuple{&d.resolved, counted::drift_resolved, "resolved"},
          std::tuple{&d.still_failing, counted::drift_still_failing, "still-failing"}}) {
      out_ << "<h3>" << esc(format(heading, l_, static_cast<long long>(list->size()))) << "</h3>\n";
      if (list->empty())
        continue;
      out_ << "<ul class=\"" << css << "\">\n";
      for (const auto& c : *list) {
        out_ << "<li>[" << t(severity_name(c.severity)) << "] <code>" << esc(c.check)
             << "</code> @ " << esc(c.target) << " : " << esc(c.title.in(l_)) << " ("
             << status_of(c.before) << " → " << status_of(c.after) << ")</li>\n";
      }
      out_ << "</ul>\n";
    }
    out_ << "<h3>" << t(msg::drift_scores) << "</h3>\n<table>\n";
    for (const auto& s : d.scores) {
      const auto side = [&](const std::optional<objective_status>& st,
                            const std::optional<double>& score) {
        return st ? t(verdict_name(*st)) + " " + score_text(score) : t(msg::absent);
      };
      out_ << "<tr" << (s.regressed() ? " class=\"regressed\"" : "") << "><td>" << esc(s.objective)
           << "</td><td>" << side(s.status_before, s.score_before) << "</td><td>→</td><td>"
           << side(s.status_after, s.score_after) << "</td></tr>\n";
    }
    out_ << "</table>\n";
    if (d.ads_before || d.ads_after) {
      const auto level = [&](const std::optional<int>& v) {
        return v ? std::to_string(*v) : std::string(text(msg::absent, l_));
      };
      out_ << "<p>" << esc(format(msg::drift_ads, l_, {level(d.ads_before), level(d.ads_after)}))
           << "</p>\n";
    }
    out_ << "</section>\n";
  }

  void field(msg label, const std::string& html_value) {
    out_ << "<dt>" << t(label) << "</dt><dd>" << html_value << "</dd>\n";
  }

  void evidence_of(const std::string& id) {
    const auto it = std::find_if(r_.evidence.begin(), r_.evidence.end(),
                                 [&](const evidence_ref& e) { return e.id == id; });
    out_ << "<div class=\"evidence\">";
    if (it == r_.evidence.end()) {
      out_ << "<p>" << esc(format(msg::html_evidence_missing, l_, {id})) << "</p></div>\n";
      return;
    }
    out_ << "<p><code>" << esc(id) << "</code></p>\n<dl class=\"fields\">\n";
    field(msg::html_evidence_source, "<code>" + esc(it->source) + "</code>");
    field(msg::html_evidence_collected, esc(local_time_text(it->collected_at)));
    out_ << "<dt>SHA-256</dt><dd><code>" << esc(it->sha256) << "</code></dd>\n</dl>\n";
    if (it->excerpt.size() < it->size) {
      out_ << "<p>"
           << esc(format(counted::html_evidence_excerpt, l_,
                         static_cast<long long>(it->excerpt.size()), {std::to_string(it->size)}))
           << "</p>\n";
    }
    out_ << "<pre>" << esc(it->excerpt) << "</pre>\n";
    if (it->truncated)
      out_ << "<p class=\"truncated\">" << t(msg::html_evidence_truncated) << "</p>\n";
    out_ << "</div>\n";
  }

  void finding_details(const finding& f) {
    const auto st = to_string(f.status);
    out_ << "<details class=\"finding " << st << "\" id=\"" << anchor_of(f) << "\" data-check=\""
         << esc(f.check) << "\" data-target=\"" << esc(f.target) << "\" data-status=\"" << st
         << "\"><summary><span class=\"badge " << st << "\">" << t(status_name(f.status))
         << "</span> <span class=\"title\">" << esc(f.title.in(l_))
         << "</span> <span class=\"target\">@ " << esc(f.target) << "</span></summary>\n"
         << "<dl class=\"fields\">\n";
    field(msg::html_status, t(status_name(f.status)));
    field(msg::html_target, esc(f.target));
    field(msg::html_check, "<code>" + esc(f.check) + "</code>");
    if (!f.rationale.in(l_).empty())
      field(msg::html_rationale, esc(f.rationale.in(l_)));
    field(msg::html_expectation, f.expected.in(l_).empty()
                                     ? "<code>" + esc(f.expectation) + "</code>"
                                     : esc(f.expected.in(l_)));
    field(msg::html_observed,
          "<pre>" + esc(f.observed.dump(2, ' ', false, json::error_handler_t::replace)) + "</pre>");
    if (!f.message.empty())
      field(msg::html_message, esc(explanation_of(f, l_)));
    field(msg::html_remediation, esc(f.remediation.in(l_)));
    reference(f);
    if (f.waiver) {
      const auto& w = f.waiver->waiver;
      field(
          msg::html_waiver,
          esc(format(msg::html_waiver_detail, l_, {w.justification, w.owner, w.expires, w.file})) +
              (f.waiver->expired
                   ? " <span class=\"expired\">" + t(msg::html_waiver_expired) + "</span>"
                   : ""));
    }
    out_ << "</dl>\n";
    if (!f.evidence.empty()) {
      out_ << "<h4>" << t(msg::html_evidence) << "</h4>\n";
      for (const auto& id : f.evidence)
        evidence_of(id);
    }
    out_ << "</details>\n";
  }

  // The CaRE sub-objective, and for an ANSSI control point its identifier and public reference.
  void reference(const finding& f) {
    std::string html;
    if (f.objective == kObjectiveA || f.objective == kObjectiveB)
      html = esc(format(msg::html_care_reference, l_, {f.objective}));
    if (!f.anssi_id.empty()) {
      const std::string url = std::string(kAnssiChecklist) + "#" + f.anssi_id;
      html +=
          (html.empty() ? "" : "<br>") +
          esc(format(msg::html_anssi_reference, l_, {f.anssi_id, std::to_string(f.anssi_level)})) +
          " <a href=\"" + esc(url) + "\">" + esc(url) + "</a>";
    }
    if (!html.empty())
      field(msg::html_reference, html);
  }

  // Failing, in-error and waived findings in full, by objective then severity; every other
  // finding folded into one closed section (printed folded too).
  void findings() {
    out_ << "<section class=\"findings\"><h2>" << t(msg::html_findings) << "</h2>\n";
    if (r_.findings.empty())
      out_ << "<p>" << t(msg::html_no_findings) << "</p>\n";
    std::vector<std::string> objectives;
    for (const auto& o : r_.objectives)
      objectives.push_back(o.id);
    for (const auto& f : r_.findings) {
      if (std::find(objectives.begin(), objectives.end(), f.objective) == objectives.end())
        objectives.push_back(f.objective);
    }
    const auto needs_attention = [](const finding& f) {
      return f.status == status::fail || f.status == status::error || f.status == status::waived;
    };
    std::vector<const finding*> folded;
    for (const auto& id : objectives) {
      bool heading = false;
      for (const auto sev : {severity::critical, severity::high, severity::medium, severity::low}) {
        std::vector<const finding*> group;
        for (const auto& f : r_.findings) {
          if (f.objective == id && f.severity == sev)
            (needs_attention(f) ? group : folded).push_back(&f);
        }
        if (group.empty())
          continue;
        if (!heading) {
          const auto name = objective_name(id);
          out_ << "<h3 data-objective=\"" << esc(id) << "\">" << esc(id)
               << (name ? " — " + t(*name) : "") << "</h3>\n";
          heading = true;
        }
        std::stable_sort(group.begin(), group.end(), [](const finding* a, const finding* b) {
          return status_rank(a->status) < status_rank(b->status);
        });
        out_ << "<h4 class=\"severity " << to_string(sev) << "\">" << t(severity_name(sev)) << " ("
             << group.size() << ")</h4>\n";
        for (const auto* f : group)
          finding_details(*f);
      }
    }
    if (!folded.empty()) {
      out_ << "<details class=\"other-findings\"><summary>"
           << esc(format(counted::html_other_checks, l_, static_cast<long long>(folded.size())))
           << "</summary>\n";
      for (const auto* f : folded)
        finding_details(*f);
      out_ << "</details>\n";
    }
    out_ << "</section>\n";
  }

  void observations() {
    out_ << "<section class=\"observations\"><details><summary>" << t(msg::html_observations)
         << " (" << r_.observations.size() << ")</summary>\n<table><tr><th>" << t(msg::html_probe)
         << "</th><th>" << t(msg::html_target) << "</th><th>" << t(msg::html_outcome) << "</th><th>"
         << t(msg::html_detail) << "</th><th>" << t(msg::html_elapsed) << "</th></tr>\n";
    for (const auto& o : r_.observations) {
      out_ << "<tr><td>" << esc(o.probe) << "</td><td>" << esc(o.target) << "</td><td>"
           << t(outcome_name(o.outcome)) << "</td><td>" << esc(o.detail);
      for (const auto& note : host_notes(o, l_))
        out_ << "<p class=\"origin\">" << esc(note) << "</p>";
      out_ << "</td><td>" << o.elapsed_ms << "</td></tr>\n";
    }
    out_ << "</table></details></section>\n";
  }

  std::ostringstream& out_;
  const report& r_;
  lang l_;
  const std::string& svg_;
};

}  // namespace

std::string render_html(const report& r, lang l, const drift* previous, const score_trend* trend) {
  std::ostringstream out;
  out << "<!DOCTYPE html>\n<html lang=\"" << code_of(l) << "\">\n<head>\n<meta charset=\"utf-8\">\n"
      << "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src "
         "'unsafe-inline'\">\n"
      << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>"
      << escape_markup(std::string(text(msg::html_title, l)) + " — " + r.establishment)
      << "</title>\n<style>" << kStyle;
  out << "</style>\n</head>\n<body>\n";
  for (const auto each : kLanguages) {
    out << "<input type=\"radio\" name=\"lang\" class=\"lang-radio\" id=\"lang-" << code_of(each)
        << "\"" << (each == l ? " checked" : "") << ">\n";
  }
  out << "<nav class=\"switch\">";
  for (const auto each : kLanguages) {
    out << "<label for=\"lang-" << code_of(each) << "\" lang=\"" << code_of(each) << "\">"
        << escape_markup(text(msg::language_name, each)) << "</label>";
  }
  out << "</nav>\n";
  const std::string svg = render_svg(r);
  std::string trend_svg;
  if (trend) {
    score_trend with_this = *trend;
    with_this.runs.push_back(trend_point(r));
    trend_svg = render_trend_svg(with_this);
  }
  for (const auto each : kLanguages)
    section_writer(out, r, each, svg).write(previous, trend_svg);
  out << "</body>\n</html>\n";
  return out.str();
}

void write_html(const report& r, lang l, const report* previous, const std::string& dir,
                const score_trend* trend) {
  std::optional<drift> d;
  if (previous)
    d = compare_reports(*previous, r);
  write_file_atomically((std::filesystem::path(dir) / "report.html").string(),
                        render_html(r, l, d ? &*d : nullptr, trend));
}

}  // namespace cloison
