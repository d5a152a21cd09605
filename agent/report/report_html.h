// report.html: the human report, one self-contained HTML5 file derived from report.json. Inline
// CSS and SVG only: no script, no external resource (a Content-Security-Policy forbids loading
// any). Both languages are in the page; a CSS-only switch (radio buttons) shows one, the requested
// one first. Printing (A4) shows the chosen language with every detail expanded and no switch.
// Content: for the auditor, who ran the audit and where from, when (local time), the tool
// version, the signing key's fingerprint and how to verify the bundle, policy files with SHA-256;
// one verdict per objective with its score; the dedicated AD's ADS level; the segregation diagram
// (agent/report/report_diagram.h) with the declared flows and forbidden flows found open; the drift
// since a previous report when given; the objectives' scores over the daemon's last runs when
// given (agent/report/report_trend.h); findings grouped by objective then severity, failing first,
// each with its evidence; the probes' observations. Check titles and remediations come from the
// findings; every other text from the message catalogue. render_html depends only on its
// arguments and the time zone (TZ) it shows times in, and is thread-safe;
// write_html writes its page to a file.
#pragma once

#include <string>

#include "agent/report/drift.h"
#include "agent/report/messages.h"
#include "agent/report/report.h"
#include "agent/report/report_trend.h"

namespace cloison {

// The whole page. `previous`, when given, is the drift from an earlier report to `r`; `trend`,
// when given, the scores of the runs before `r` (r's own are added to it).
std::string render_html(const report& r, lang l, const drift* previous,
                        const score_trend* trend = nullptr);

// Writes `dir`/report.html for `r` atomically, with the drift from `previous` (an earlier report)
// and the trend when given. Throws std::runtime_error on I/O failure.
void write_html(const report& r, lang l, const report* previous, const std::string& dir,
                const score_trend* trend = nullptr);

}  // namespace cloison
