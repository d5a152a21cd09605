// The observed segregation diagram, D2.03.B's "technical and functional diagram", as inline SVG
// for report.html: the declared segments as zones coloured by role, the backup hosts and
// directories inside the segment their address falls in, the vantage points (the audit's own
// starred), the declared allowed flows as arrows with their ports (green when found open from the
// audit's vantage point, dashed grey otherwise), and every forbidden flow found open as a red
// arrow with its ports. Layout is a fixed grid (four zones per row), so the same report always
// gives the same bytes. Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "agent/report/report.h"

namespace cloison {

// The <svg> element (no XML prolog, no namespace URL: it is embedded in HTML5), or "" when the
// report has no topology. Every name is escaped. Edges carry class="flow declared-open",
// "flow declared-untested" or "flow forbidden-open" and data-from, data-to, data-ports.
std::string render_svg(const report& r);

// The diagram's colours, for the legend beside it.
struct role_colours {
  const char* fill;
  const char* stroke;
};
role_colours colours_of_role(std::string_view role);      // production, backup, administration...
const char* colour_of_flow(std::string_view edge_class);  // declared-open, declared-untested...

}  // namespace cloison
