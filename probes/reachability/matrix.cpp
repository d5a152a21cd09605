#include "probes/reachability/matrix.h"

#include <algorithm>
#include <set>

namespace cloison {

namespace {

const segment* find_segment(const inventory& inv, const std::string& name) {
  for (const auto& s : inv.segments) {
    if (s.name == name)
      return &s;
  }
  return nullptr;
}

bool in_segment(const segment& s, const std::string& address) {
  const auto a = ip_address::parse(address);
  return a &&
         std::any_of(s.cidrs.begin(), s.cidrs.end(), [&](const cidr& c) { return c.contains(*a); });
}

// Declared tcp flows from `from` reaching `address` (named `name`), by port.
bool declared(const inventory& inv, const std::string& from, const std::string& name,
              const std::string& address, unsigned port) {
  for (const auto& f : inv.flows) {
    if (f.from != from || f.protocol != "tcp")
      continue;
    const segment* to_segment = find_segment(inv, f.to);
    if (f.to != name && !(to_segment && in_segment(*to_segment, address)))
      continue;
    for (const auto& r : f.ports) {
      if (r.contains(port))
        return true;
    }
  }
  return false;
}

std::vector<port_range> ports_of(const std::vector<port_profile>& profiles, const backup_host& h) {
  std::vector<port_range> ports;
  for (const auto& p : profiles) {
    const bool named = std::find(h.software.begin(), h.software.end(), p.name) != h.software.end();
    if (p.always || named || h.software.empty())
      ports.insert(ports.end(), p.ports.begin(), p.ports.end());
  }
  return ports;
}

}  // namespace

matrix derive_matrix(const inventory& inv, const run_context& run) {
  const std::string& vantage = run.vantage;
  matrix m;
  const auto vp = std::find_if(inv.vantage_points.begin(), inv.vantage_points.end(),
                               [&](const vantage_point& v) { return v.name == vantage; });
  if (vp == inv.vantage_points.end()) {
    m.problem = "vantage point '" + vantage + "' is not declared in the inventory";
    return m;
  }
  m.vantage = vp->name;
  m.from = vp->segment;
  const segment* own = find_segment(inv, m.from);
  std::uint64_t total = 0;
  std::set<std::string> backup_names;
  for (const auto& h : inv.hosts) {
    backup_names.insert(h.name);
    if (own && in_segment(*own, h.address))
      continue;  // same segment: not behind the firewall
    for (const auto& r : ports_of(run.profiles, h))
      total += r.count();
  }
  for (const auto& f : inv.flows) {
    if (f.from == m.from && f.protocol == "tcp") {
      for (const auto& r : f.ports)
        total += r.count() * 16;  // bound, before resolving destinations
    }
  }
  if (total > inv.reachability.max_pairs) {
    m.problem =
        "the reachability matrix from " + vantage + " would hold more than " +
        std::to_string(inv.reachability.max_pairs) +
        " pairs (reachability.max_pairs); narrow the hosts' software profiles or raise the limit";
    return m;
  }
  for (const auto& h : inv.hosts) {
    if (own && in_segment(*own, h.address))
      continue;
    std::set<unsigned> seen;
    for (const auto& r : ports_of(run.profiles, h)) {
      for (unsigned port = r.first; port <= r.last; ++port) {
        if (!seen.insert(port).second)
          continue;
        m.pairs.push_back(
            {h.name, h.address, port, declared(inv, m.from, h.name, h.address, port), true});
      }
    }
  }
  std::set<std::pair<std::string, unsigned>> controls;
  auto add_control = [&](const std::string& name, const std::string& address, const flow& f) {
    if (address.empty() || backup_names.count(name))
      return;
    for (const auto& r : f.ports) {
      for (unsigned port = r.first; port <= r.last; ++port) {
        if (controls.insert({address, port}).second)
          m.pairs.push_back({name, address, port, true, false});
      }
    }
  };
  for (const auto& f : inv.flows) {
    if (f.from != m.from || f.protocol != "tcp")
      continue;
    const segment* to_segment = find_segment(inv, f.to);
    for (const auto& d : inv.directories) {
      const auto address = uri_address(d.uri);
      if (to_segment && in_segment(*to_segment, address))
        add_control(d.name, address, f);
    }
  }
  return m;
}

}  // namespace cloison
