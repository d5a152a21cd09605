// The reachability matrix's results as port ranges: a sweep of 65,535 ports of one address gives
// a handful of rows in report.json, not one per port. Pure functions; thread-safe.
#pragma once

#include <functional>
#include <set>
#include <vector>

#include "core/observation.h"

namespace cloison {

// The flows sorted by (vantage, from, to, address, protocol, port), consecutive ports that share
// everything else (verdict, expected, method) joined into one range: latency_ms and attempts are
// then the largest of those joined. Flows that overlap are left as they are (see combine_flows).
std::vector<flow_result> summarise_flows(std::vector<flow_result> flows);

// Appends `flow` to `flows`, or extends the last flow with it when it continues that one's range
// (the next port, everything else as summarise_flows joins them). Builds a summarised list
// without holding one row per port when ports come in order.
void append_flow(std::vector<flow_result>& flows, flow_result flow);

// How much a flow matters when two sources tested the same port (higher wins).
using flow_rank = std::function<int(const flow_result&)>;

// The flows of several sources (observations of one audit, reports merged) as one summarised
// list: where flows of the same (vantage, from, address, protocol) cover the same port, that port
// keeps the flow `rank` puts highest, the earliest in `flows` on a tie (without `rank`: always the
// earliest). The destination's name (`to`) is not part of the key: one address tested twice under
// two names is one pair.
std::vector<flow_result> combine_flows(const std::vector<flow_result>& flows,
                                       const flow_rank& rank = {});

// Adds the flow's ports (its one port, or every port of its range) to `ports`.
void add_ports(const flow_result& flow, std::set<unsigned>& ports);

}  // namespace cloison
