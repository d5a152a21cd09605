#include "core/flow_ranges.h"

#include <algorithm>
#include <map>
#include <queue>
#include <tuple>

namespace cloison {

namespace {

auto place(const flow_result& f) {
  return std::tie(f.vantage, f.from, f.to, f.address, f.protocol, f.port);
}

// `next` continues `range` by one port or more, with everything else equal.
bool continues(const flow_result& range, const flow_result& next) {
  return next.port == range.last_port() + 1 && next.vantage == range.vantage &&
         next.from == range.from && next.to == range.to && next.address == range.address &&
         next.protocol == range.protocol && next.verdict == range.verdict &&
         next.expected == range.expected && next.method == range.method;
}

}  // namespace

void append_flow(std::vector<flow_result>& flows, flow_result flow) {
  if (flows.empty() || !continues(flows.back(), flow)) {
    flows.push_back(std::move(flow));
    return;
  }
  auto& range = flows.back();
  range.port_last = flow.last_port();
  range.latency_ms = std::max(range.latency_ms, flow.latency_ms);
  range.attempts = std::max(range.attempts, flow.attempts);
}

std::vector<flow_result> summarise_flows(std::vector<flow_result> flows) {
  std::stable_sort(flows.begin(), flows.end(),
                   [](const flow_result& a, const flow_result& b) { return place(a) < place(b); });
  std::vector<flow_result> out;
  for (auto& f : flows)
    append_flow(out, std::move(f));
  return out;
}

std::vector<flow_result> combine_flows(const std::vector<flow_result>& flows,
                                       const flow_rank& rank) {
  std::map<std::tuple<std::string, std::string, std::string, std::string>,
           std::vector<std::size_t>>
      groups;  // the flows of each (vantage, from, address, protocol), in order
  std::vector<int> ranks(flows.size(), 0);
  for (std::size_t i = 0; i < flows.size(); ++i) {
    const auto& f = flows[i];
    groups[{f.vantage, f.from, f.address, f.protocol}].push_back(i);
    if (rank)
      ranks[i] = rank(f);
  }
  std::vector<flow_result> out;
  for (auto& [key, members] : groups) {
    // Cut the ports at every start and end, and give each piece the best flow covering it.
    std::vector<unsigned> bounds;
    for (const auto i : members) {
      bounds.push_back(flows[i].port);
      bounds.push_back(flows[i].last_port() + 1);
    }
    std::sort(bounds.begin(), bounds.end());
    bounds.erase(std::unique(bounds.begin(), bounds.end()), bounds.end());
    std::stable_sort(members.begin(), members.end(),
                     [&](std::size_t a, std::size_t b) { return flows[a].port < flows[b].port; });
    const auto worse = [&](std::size_t a, std::size_t b) {
      return ranks[a] != ranks[b] ? ranks[a] < ranks[b] : a > b;
    };
    std::priority_queue<std::size_t, std::vector<std::size_t>, decltype(worse)> covering(worse);
    std::size_t next = 0;
    for (std::size_t b = 0; b + 1 < bounds.size(); ++b) {
      const unsigned first = bounds[b], last = bounds[b + 1] - 1;
      for (; next < members.size() && flows[members[next]].port <= first; ++next)
        covering.push(members[next]);
      while (!covering.empty() && flows[covering.top()].last_port() < first)
        covering.pop();  // ended before this piece
      if (covering.empty())
        continue;
      flow_result& piece = out.emplace_back(flows[covering.top()]);
      piece.port = first;
      piece.port_last = last > first ? last : 0;
    }
  }
  return summarise_flows(std::move(out));
}

void add_ports(const flow_result& flow, std::set<unsigned>& ports) {
  for (unsigned port = flow.port; port <= flow.last_port(); ++port)
    ports.insert(port);
}

}  // namespace cloison
