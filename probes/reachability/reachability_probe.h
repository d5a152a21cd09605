// The reachability probe: from the vantage point this audit stands at, connects to every pair of
// the matrix (matrix.h) and tells, per backup host, which forbidden ports answer and which
// declared flows do not. One target per backup host: "<segment> -> <host>". The pairs are
// probed through the vantage point's connector: this machine's sockets for a local vantage point,
// SSH for a remote one (ssh_connector.h); each flow names the vantage point and the method.
//
// One sweep per audit: the first target observed derives the matrix once and probes every pair
// of it (every host's and the controls) in one call, so one in-flight window (the open-file
// limit's, or reachability.concurrency) serves the whole matrix; the other targets wait for that
// sweep and read their host's results from it.
//
// Positive control: forbidden ports are only judged when at least one declared flow from the same
// vantage point answered (to the host itself, or to one of the vantage's control destinations);
// otherwise isolation cannot be told from a dead host or a broken vantage point and the fact is
// missing (an `error` finding, never a `pass`).
#pragma once

#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>

#include "probes/probe.h"
#include "probes/reachability/tcp_prober.h"

namespace cloison {

class reachability_probe final : public probe {
 public:
  // The connector of a vantage point; called once per vantage point name and probe object.
  using connector_factory = std::function<std::shared_ptr<connector>(const vantage_point&)>;
  explicit reachability_probe(connector_factory f) : factory_(std::move(f)) {}
  // The same connector for every vantage point.
  explicit reachability_probe(std::shared_ptr<connector> c)
      : factory_([c = std::move(c)](const vantage_point&) { return c; }) {}

  std::string_view name() const override { return "reachability"; }
  std::span<const fact_spec> facts() const override;
  // No targets unless run.vantage names a vantage point.
  std::vector<target> plan(const inventory& inv, const run_context& run) const override;
  // Forgets the previous audit's sweeps.
  void prepare(const inventory& inv) const override;
  // Tests the addresses the hosts' facts found undeclared too.
  bool after_host_facts() const override { return true; }

 protected:
  observation collect(const inventory& inv, const run_context& run, const target& t,
                      deadline until) const override;

 private:
  struct sweep;
  std::shared_ptr<connector> connector_for(const vantage_point& v) const;
  // This audit's sweep from run.vantage: made by the first caller, awaited by the others. Throws
  // what making it threw (std::bad_alloc), to every caller.
  std::shared_ptr<const sweep> sweep_for(const inventory& inv, const run_context& run) const;
  std::shared_ptr<const sweep> make_sweep(const inventory& inv, const run_context& run) const;
  // A target has read `s`; the last one drops it.
  void read(const std::string& vantage, const sweep& s) const;

  connector_factory factory_;
  mutable std::mutex mutex_;
  mutable std::map<std::string, std::shared_ptr<connector>> connectors_;  // guarded by mutex_
  // By vantage point name; guarded by mutex_.
  mutable std::map<std::string, std::shared_future<std::shared_ptr<const sweep>>> sweeps_;
};

// The addresses of this machine's interfaces (in the current network namespace).
std::vector<ip_address> local_addresses();

// True when `address` (text) is one of `addresses`.
bool is_local_address(const std::string& address, const std::vector<ip_address>& addresses);

// The vantage point this machine stands at, when exactly one matches; else "". A local vantage
// point matches when its segment holds one of `addresses`; a remote one (via ssh or a host) when
// its address is one of them (cloison then runs on it, and probes locally).
std::string detect_vantage(const inventory& inv, const std::vector<ip_address>& addresses);

}  // namespace cloison
