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

// Sorted by first port, overlapping and adjacent ranges joined.
std::vector<port_range> normalised(std::vector<port_range> ranges) {
  std::sort(ranges.begin(), ranges.end(),
            [](const port_range& a, const port_range& b) { return a.first < b.first; });
  std::vector<port_range> out;
  for (const auto& r : ranges) {
    if (!out.empty() && r.first <= out.back().last + 1)
      out.back().last = std::max(out.back().last, r.last);
    else
      out.push_back(r);
  }
  return out;
}

// The ports of declared tcp flows from `from` reaching `address` (named `name`).
std::vector<port_range> declared(const inventory& inv, const std::string& from,
                                 const std::string& name, const std::string& address) {
  std::vector<port_range> ports;
  for (const auto& f : inv.flows) {
    if (f.from != from || f.protocol != "tcp")
      continue;
    const segment* to_segment = find_segment(inv, f.to);
    if (f.to == name || (to_segment && in_segment(*to_segment, address)))
      ports.insert(ports.end(), f.ports.begin(), f.ports.end());
  }
  return normalised(std::move(ports));
}

std::vector<port_range> ports_of(const std::vector<port_profile>& profiles, const backup_host& h) {
  std::vector<port_range> ports;
  for (const auto& p : profiles) {
    const bool named = std::find(h.software.begin(), h.software.end(), p.name) != h.software.end();
    if (p.always || named || h.software.empty())
      ports.insert(ports.end(), p.ports.begin(), p.ports.end());
  }
  return normalised(std::move(ports));
}

// The ports of backup host `h` to test from segment `from`: those of the first sweep that
// matches it; without one, every port, or the profiles' from an administration segment.
std::vector<port_range> swept(const inventory& inv, const run_context& run, const segment* from,
                              const backup_host& h, const std::string& address) {
  auto scope = from && from->role == segment_role::administration ? port_sweep::scope::profiles
                                                                  : port_sweep::scope::all;
  const port_sweep* chosen = nullptr;
  for (const auto& s : inv.reachability.sweeps) {
    const segment* to_segment = find_segment(inv, s.to);
    if (from && s.from == from->name &&
        (s.to == h.name || (to_segment && in_segment(*to_segment, address)))) {
      chosen = &s;
      scope = s.ports;
      break;
    }
  }
  switch (scope) {
    case port_sweep::scope::all:
      return {{1, 65535}};
    case port_sweep::scope::listed:
      return normalised(chosen->listed);
    case port_sweep::scope::profiles:
      break;
  }
  return ports_of(run.profiles, h);
}

void add(matrix& m, planned_range r) {
  r.offset = m.pairs;
  m.pairs += r.count();
  m.ranges.push_back(std::move(r));
}

// Adds `ports` (normalised) of one address of a backup host, cut where `allowed` (normalised)
// starts and ends; without the allowed ranges when `forbidden_only`.
void add_address(matrix& m, const backup_host& h, const std::string& address,
                 const std::vector<port_range>& ports, const std::vector<port_range>& allowed,
                 bool forbidden_only) {
  auto a = allowed.begin();
  for (const auto& p : ports) {
    unsigned port = p.first;
    while (port <= p.last) {
      while (a != allowed.end() && a->last < port)
        ++a;
      const bool inside = a != allowed.end() && a->first <= port;
      const unsigned last = inside               ? std::min(p.last, a->last)
                            : a != allowed.end() ? std::min(p.last, a->first - 1)
                                                 : p.last;
      if (!inside || !forbidden_only)
        add(m, {h.name, address, port, last, inside, true});
      port = last + 1;
    }
  }
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
  std::set<std::string> backup_names;
  for (const auto& h : inv.hosts) {
    backup_names.insert(h.name);
    const auto found = run.undeclared_addresses.find(h.name);
    auto addresses = h.addresses;
    const auto declared_count = addresses.size();
    if (found != run.undeclared_addresses.end())
      addresses.insert(addresses.end(), found->second.begin(), found->second.end());
    for (std::size_t i = 0; i < addresses.size(); ++i) {
      if (own && in_segment(*own, addresses[i]))
        continue;  // same segment: not behind the firewall
      add_address(m, h, addresses[i], swept(inv, run, own, h, addresses[i]),
                  declared(inv, m.from, h.name, addresses[i]), i >= declared_count);
    }
  }
  // The controls, by address in the order first named.
  std::vector<std::pair<std::string, std::string>> controls;  // name, address
  std::vector<std::vector<port_range>> control_ports;
  for (const auto& f : inv.flows) {
    if (f.from != m.from || f.protocol != "tcp")
      continue;
    const segment* to_segment = find_segment(inv, f.to);
    for (const auto& d : inv.directories) {
      const auto address = uri_address(d.uri);
      if (address.empty() || backup_names.count(d.name) || !to_segment ||
          !in_segment(*to_segment, address))
        continue;
      auto it = std::find_if(controls.begin(), controls.end(),
                             [&](const auto& c) { return c.second == address; });
      if (it == controls.end()) {
        controls.push_back({d.name, address});
        control_ports.emplace_back();
        it = controls.end() - 1;
      }
      auto& ports = control_ports[static_cast<std::size_t>(it - controls.begin())];
      ports.insert(ports.end(), f.ports.begin(), f.ports.end());
    }
  }
  for (std::size_t i = 0; i < controls.size(); ++i) {
    for (const auto& r : normalised(std::move(control_ports[i])))
      add(m, {controls[i].first, controls[i].second, r.first, r.last, true, false});
  }
  if (m.pairs > inv.reachability.max_pairs) {
    m.problem =
        "the reachability matrix from " + vantage + " would hold more than " +
        std::to_string(inv.reachability.max_pairs) +
        " pairs (reachability.max_pairs); narrow it with reachability.sweeps or raise the limit";
    m.ranges.clear();
    m.pairs = 0;
  }
  return m;
}

}  // namespace cloison
