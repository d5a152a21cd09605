#include "probes/reachability/reachability_probe.h"

#include <ifaddrs.h>
#include <netinet/in.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <set>
#include <stdexcept>

#include "core/flow_ranges.h"
#include "probes/reachability/matrix.h"

namespace cloison {

namespace {

constexpr std::array kFacts{
    fact_spec{"reachability.forbidden_open", fact_type::text_list,
              "forbidden ports of the host that accept a TCP connection from the vantage point, "
              "consecutive ones as a range (\"2500-2510\"); prefixed by the address "
              "(\"[fd00:2::10]:22\") when several of the host's addresses are tested"},
    fact_spec{"reachability.allowed_not_open", fact_type::text_list,
              "declared flows to the host that do not accept a connection (port and verdict)"},
    fact_spec{"reachability.control_answered", fact_type::boolean,
              "a declared flow from the vantage point answered (the positive control)"},
};

std::string target_name(const std::string& from, const std::string& host) {
  return from + " -> " + host;
}

// Calls its function when it goes out of scope.
struct marked_read_on_exit {
  std::function<void()> mark;
  ~marked_read_on_exit() { mark(); }
};

bool answered(verdict v) {
  return v == verdict::open || v == verdict::refused;
}

// What one address of a backup host answered against expectations.
struct address_findings {
  std::string address;
  std::vector<port_range> forbidden_open;  // in port order, consecutive ports joined
  std::vector<std::string> allowed_not_open;
};

// The findings' items: bare when the host has one tested address, else prefixed by it.
std::pair<json, json> items_of(const std::vector<address_findings>& addresses) {
  std::pair<json, json> items{json::array(), json::array()};
  for (const auto& a : addresses) {
    const std::string prefix = addresses.size() < 2                       ? ""
                               : a.address.find(':') != std::string::npos ? "[" + a.address + "]:"
                                                                          : a.address + ":";
    for (const auto& r : a.forbidden_open)
      items.first.push_back(prefix + r.to_string());
    for (const auto& port : a.allowed_not_open)
      items.second.push_back(prefix + port);
  }
  return items;
}

// One target per backup host of `m`; one error target when `m` cannot be derived.
std::vector<target> targets_of(const matrix& m) {
  if (!m.problem.empty())
    return {{"reachability matrix", ""}};  // observed as an error
  std::vector<target> targets;
  std::set<std::string> seen;
  for (const auto& r : m.ranges) {
    if (r.backup_host && seen.insert(r.to).second)
      targets.push_back({target_name(m.from, r.to), r.address});
  }
  return targets;
}

}  // namespace

std::span<const fact_spec> reachability_probe::facts() const {
  return kFacts;
}

std::vector<target> reachability_probe::plan(const inventory& inv, const run_context& run) const {
  if (run.vantage.empty())
    return {};
  return targets_of(derive_matrix(inv, run));
}

// Every pair of the matrix and what it answered: results[i] is for pair i. Dropped once each
// planned target has read it.
struct reachability_probe::sweep {
  matrix m;
  std::vector<connect_result> results;
  mutable std::atomic<std::size_t> unread{0};  // targets that have not read it yet
};

void reachability_probe::prepare(const inventory&) const {
  std::lock_guard lock(mutex_);
  sweeps_.clear();
}

void reachability_probe::read(const std::string& vantage, const sweep& s) const {
  if (--s.unread != 0)
    return;
  std::lock_guard lock(mutex_);
  const auto it = sweeps_.find(vantage);
  if (it != sweeps_.end() && it->second.get().get() == &s)
    sweeps_.erase(it);
}

std::shared_ptr<connector> reachability_probe::connector_for(const vantage_point& v) const {
  std::lock_guard lock(mutex_);
  auto& c = connectors_[v.name];
  if (!c)
    c = factory_(v);
  return c;
}

std::shared_ptr<const reachability_probe::sweep> reachability_probe::sweep_for(
    const inventory& inv, const run_context& run) const {
  std::promise<std::shared_ptr<const sweep>> made;
  std::shared_future<std::shared_ptr<const sweep>> result;
  bool first = false;
  {
    std::lock_guard lock(mutex_);
    auto [it, inserted] = sweeps_.try_emplace(run.vantage);
    if (inserted)
      it->second = made.get_future().share();
    result = it->second;
    first = inserted;
  }
  if (!first)
    return result.get();  // waits for the first caller, without the lock (it needs it)
  try {
    made.set_value(make_sweep(inv, run));
  } catch (...) {
    made.set_exception(std::current_exception());
  }
  return result.get();
}

std::shared_ptr<const reachability_probe::sweep> reachability_probe::make_sweep(
    const inventory& inv, const run_context& run) const {
  auto s = std::make_shared<sweep>();
  s->m = derive_matrix(inv, run);
  s->unread = targets_of(s->m).size();
  if (!s->m.problem.empty())
    return s;
  std::vector<target_range> ranges;  // pair i of the list is pair i of the matrix
  ranges.reserve(s->m.ranges.size());
  for (const auto& r : s->m.ranges) {
    const auto address = ip_address::parse(r.address);
    if (!address)  // the loader refuses such inventories
      throw std::invalid_argument("not an IP address: " + r.address);
    ranges.push_back(
        {*address, static_cast<std::uint16_t>(r.first), static_cast<std::uint16_t>(r.last)});
  }
  const target_list targets(std::move(ranges));
  prober_settings settings;
  settings.timeout = std::chrono::milliseconds(inv.reachability.timeout_ms);
  settings.retries = static_cast<int>(inv.reachability.retries);
  settings.concurrency = inv.reachability.concurrency;  // 0: the open-file limit's window
  const auto vp = std::find_if(inv.vantage_points.begin(), inv.vantage_points.end(),
                               [&](const vantage_point& v) { return v.name == s->m.vantage; });
  s->results = connector_for(*vp)->probe(targets, settings);
  return s;
}

observation reachability_probe::collect(const inventory& inv, const run_context& run,
                                        const target& t, deadline) const {
  observation obs;
  const auto s = sweep_for(inv, run);
  // Read on every exit path: a table that cannot be spooled (a full disk) must not keep the
  // whole sweep in memory until the next audit.
  const marked_read_on_exit mark{[&] { read(run.vantage, *s); }};
  const matrix& m = s->m;
  if (!m.problem.empty()) {
    obs.outcome = outcome::error;
    obs.detail = m.problem;
    for (const auto& spec : kFacts)
      obs.facts[std::string(spec.name)] = fact::missing(m.problem);
    return obs;
  }
  bool control = false;
  std::size_t not_probed = 0;
  std::vector<address_findings> addresses;  // in matrix order: an address's ranges are together
  auto table = std::make_unique<spooled_text>();  // a line per pair: megabytes for every port
  table->append("from\tto\taddress\tport\texpected\tverdict\tlatency_ms\tattempts\tmethod\n");
  for (const auto& range : m.ranges) {
    if (range.backup_host && target_name(m.from, range.to) != t.name)
      continue;  // another host's; the controls (not backup hosts) serve every host
    for (unsigned port = range.first; port <= range.last; ++port) {
      const auto& r = s->results[range.offset + (port - range.first)];
      const bool probed = r.attempts > 0;
      const std::string v = probed ? std::string(to_string(r.v)) : "error";
      const double latency = static_cast<double>(r.latency.count()) / 1000.0;
      append_flow(obs.flows, {m.from, range.to, range.address, port, "tcp", v,
                              range.allowed ? "allowed" : "forbidden", latency, r.attempts,
                              m.vantage, std::string(to_string(r.method))});
      char row[64];
      std::snprintf(row, sizeof row, "%.3f\t%d\t", latency, r.attempts);
      table->append(m.from + "\t" + range.to + "\t" + range.address + "\t" + std::to_string(port) +
                    "\t" + (range.allowed ? "allowed" : "forbidden") + "\t" + v +
                    (r.error.empty() ? "" : " (" + r.error.str() + ")") + "\t" + row +
                    std::string(to_string(r.method)) + "\n");
      if (!probed) {
        ++not_probed;
        continue;
      }
      if (range.allowed && answered(r.v))
        control = true;
      if (!range.backup_host)
        continue;
      if (addresses.empty() || addresses.back().address != range.address)
        addresses.push_back({range.address, {}, {}});
      auto& found = addresses.back();
      if (range.allowed && r.v != verdict::open)
        found.allowed_not_open.push_back(std::to_string(port) + " (" + v + ")");
      if (!range.allowed && r.v == verdict::open) {
        if (!found.forbidden_open.empty() && found.forbidden_open.back().last + 1 == port)
          found.forbidden_open.back().last = port;
        else
          found.forbidden_open.push_back({port, port});
      }
    }
  }
  obs.flows = summarise_flows(std::move(obs.flows));
  const std::vector<std::string> ev{"reachability/" + t.name};
  obs.evidence.push_back(make_evidence(
      ev.front(), "tcp connect matrix from " + m.from + " (vantage point " + m.vantage + ")",
      std::move(table)));
  auto [forbidden_open, allowed_not_open] = items_of(addresses);
  obs.facts["reachability.control_answered"] = fact::of(control, ev);
  obs.facts["reachability.allowed_not_open"] = fact::of(std::move(allowed_not_open), ev);
  if (not_probed > 0) {
    const std::string why =
        std::to_string(not_probed) + " pairs could not be probed (local or SSH failure)";
    obs.facts["reachability.forbidden_open"] = fact::missing(why, ev);
    obs.outcome = outcome::error;
    obs.detail = why;
  } else if (!control) {
    const std::string why =
        "no declared flow from " + m.from +
        " answered: cannot tell isolation from a dead host or a broken vantage point";
    obs.facts["reachability.forbidden_open"] = fact::missing(why, ev);
    obs.outcome = outcome::failed;
    obs.detail = why;
  } else {
    obs.facts["reachability.forbidden_open"] = fact::of(std::move(forbidden_open), ev);
  }
  return obs;
}

std::vector<ip_address> local_addresses() {
  std::vector<ip_address> out;
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0)
    return out;
  for (auto* i = list; i; i = i->ifa_next) {
    if (!i->ifa_addr)
      continue;
    ip_address a;
    if (i->ifa_addr->sa_family == AF_INET) {
      std::memcpy(a.bytes.data(), &reinterpret_cast<sockaddr_in*>(i->ifa_addr)->sin_addr, 4);
    } else if (i->ifa_addr->sa_family == AF_INET6) {
      a.v6 = true;
      std::memcpy(a.bytes.data(), &reinterpret_cast<sockaddr_in6*>(i->ifa_addr)->sin6_addr, 16);
    } else {
      continue;
    }
    out.push_back(a);
  }
  freeifaddrs(list);
  return out;
}

bool is_local_address(const std::string& address, const std::vector<ip_address>& addresses) {
  const auto a = ip_address::parse(address);
  return a && std::find(addresses.begin(), addresses.end(), *a) != addresses.end();
}

std::string detect_vantage(const inventory& inv, const std::vector<ip_address>& addresses) {
  std::string found;
  for (const auto& v : inv.vantage_points) {
    bool here = false;
    if (v.remote()) {
      here = is_local_address(v.address, addresses);
    } else {
      for (const auto& s : inv.segments) {
        here = here || (s.name == v.segment &&
                        std::any_of(addresses.begin(), addresses.end(), [&](const ip_address& a) {
                          return std::any_of(s.cidrs.begin(), s.cidrs.end(),
                                             [&](const cidr& c) { return c.contains(a); });
                        }));
      }
    }
    if (here && !found.empty())
      return "";  // ambiguous
    if (here)
      found = v.name;
  }
  return found;
}

}  // namespace cloison
