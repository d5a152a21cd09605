// The observed segregation diagram, D2.03.B's "technical and functional diagram", as inline SVG
// for report.html: the declared segments as zones coloured by role, the backup hosts and
// directories inside the segment their address falls in (a directory declared by DNS name in the
// first segment of its side), every vantage point (of the topology or of the flows, the audit's
// own starred) with what was tested from it, the declared allowed flows as arrows with their
// ports (green when found open, dashed grey otherwise), every forbidden flow found open as a red
// arrow with its ports, and the isolation procedure's cut point around the backup zones.
//
// Layout: three columns of zones (production side, backup, administration); each edge's label
// sits in the gutter beside the column it enters, in a stack of labels that never overlap (a
// host's slot grows with the labels of the edges it receives); the edge runs from its source to
// its label, then on to its target. Texts are cut to their box ("…", the full text in a <title>):
// no text overlaps another text or another node's box, no boxes overlap, nothing lies outside the
// SVG (tests/report/diagram_test measures it in Chromium). The same report always gives the same
// bytes. Texts are language-neutral (numbers and symbols), the legend of report.html says what
// they mean. Pure; thread-safe.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "agent/report/report.h"

namespace cloison {

// The <svg class="diagram"> element (no XML prolog, no namespace URL: it is embedded in HTML5),
// or "" when the report has no topology. Every name is escaped. Edges carry class="flow
// declared-open", "flow declared-untested" or "flow forbidden-open", data-from, data-to and
// data-ports (every port, consecutive ones as ranges: "22, 445-446"), one <line> (from the source
// to the label) and one <text>, their label: the ports, shortened to "22, 80, 443 +12". A vantage
// point shows "✗ open/tested" (forbidden flows found open / tested from it, errors left out),
// "✓ 0/tested", or "0/0"; the cut point is <g class="cut"> labelled "✂ description (last drill)",
// drawn only when the topology declares an isolation procedure and a backup segment.
std::string render_svg(const report& r);

// "a, b, c".
std::string joined(const std::vector<std::string>& items);

// Sorted ports, consecutive ones as ranges: {22, 445, 2500, ..., 3300} gives "22", "445",
// "2500-3300".
std::vector<std::string> port_ranges(const std::set<unsigned>& ports);

// The diagram's colours, for the legend beside it.
struct role_colours {
  const char* fill;
  const char* stroke;
};
role_colours colours_of_role(std::string_view role);      // production, backup, administration...
const char* colour_of_flow(std::string_view edge_class);  // declared-open, declared-untested...

}  // namespace cloison
