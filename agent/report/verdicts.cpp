#include "agent/report/verdicts.h"

#include <algorithm>

namespace cloison {

namespace {

bool read_by(const report& r, std::string_view probe, const std::string& target) {
  return std::any_of(r.observations.begin(), r.observations.end(), [&](const auto& o) {
    return o.probe == probe && o.target == target && o.outcome != outcome::error &&
           o.outcome != outcome::timeout;
  });
}

}  // namespace

coverage coverage_of(const report& r) {
  coverage c;
  if (!r.topology)
    return c;
  const auto& t = *r.topology;
  const auto production = [&](const std::string& segment) {
    return std::any_of(t.segments.begin(), t.segments.end(), [&](const topology::segment& s) {
      return s.name == segment && s.role == "production";
    });
  };
  c.forbidden_flow_tested_from_production =
      std::any_of(r.flows.begin(), r.flows.end(), [&](const flow_result& f) {
        return f.expected == "forbidden" && f.verdict != "error" && production(f.from);
      });
  for (const auto& h : t.hosts) {
    if (h.access != "none" && !read_by(r, "host", h.name))
      c.hosts_not_read.push_back(h.name);
  }
  for (const auto& d : t.directories) {
    if (!read_by(r, "directory", d.name))
      c.directories_not_read.push_back(d.name);
    if (d.role == "backup" && !c.backup_directory)
      c.backup_directory = d.name;
  }
  return c;
}

void decide_verdicts(report& r, const std::vector<std::string>& objectives) {
  auto v = decide(r.findings, objectives, coverage_of(r));
  r.objectives = std::move(v.objectives);
  r.ads = std::move(v.ads);
}

}  // namespace cloison
