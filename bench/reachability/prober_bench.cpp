// Benchmark driver for cloison's TCP prober (bench/reachability/run). Not a test.
// Usage: prober_bench ADDRS PORT_LO PORT_HI TIMEOUT_MS RETRIES CONCURRENCY OUT
//   ADDRS: comma-separated IPv4/IPv6 addresses; pairs are every address x every port, in order.
//   CONCURRENCY 0: derived from the open-file limit, as in production.
//   OUT: one line per pair, "address port verdict attempts latency_us" ("-" for none).
// Prints a summary on stdout: pairs, seconds, pairs/s, window, verdict counts, peak RSS.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "probes/reachability/tcp_prober.h"

int main(int argc, char** argv) {
  using namespace cloison;
  if (argc != 8) {
    std::cerr << "usage: prober_bench ADDRS PORT_LO PORT_HI TIMEOUT_MS RETRIES CONCURRENCY OUT\n";
    return 2;
  }
  std::vector<ip_address> addresses;
  std::stringstream list(argv[1]);
  for (std::string item; std::getline(list, item, ',');) {
    const auto a = ip_address::parse(item);
    if (!a) {
      std::cerr << "not an address: " << item << "\n";
      return 2;
    }
    addresses.push_back(*a);
  }
  const int lo = std::atoi(argv[2]), hi = std::atoi(argv[3]);
  prober_settings s;
  s.timeout = std::chrono::milliseconds(std::atoi(argv[4]));
  s.retries = std::atoi(argv[5]);
  s.concurrency = static_cast<std::size_t>(std::atoll(argv[6]));

  std::vector<connect_target> targets;
  targets.reserve(addresses.size() * static_cast<std::size_t>(hi - lo + 1));
  for (const auto& a : addresses)
    for (int p = lo; p <= hi; ++p)
      targets.push_back({a, static_cast<std::uint16_t>(p)});

  const std::size_t window = effective_concurrency(s.concurrency, targets.size());
  const auto t0 = std::chrono::steady_clock::now();
  const auto results = asio_connector{}.probe(targets, s);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  std::map<std::string_view, std::size_t> counts;
  std::ofstream out(argv[7]);
  for (std::size_t i = 0; i < results.size(); ++i) {
    const auto& r = results[i];
    const std::string_view v = r.attempts == 0 ? std::string_view("local-error") : to_string(r.v);
    ++counts[v];
    out << targets[i].address.to_string() << ' ' << targets[i].port << ' ' << v << ' ' << r.attempts
        << ' ' << r.latency.count() << '\n';
  }
  std::printf("pairs %zu seconds %.3f pairs_per_s %.0f window %zu peak_rss_kib %ld", results.size(),
              seconds, static_cast<double>(results.size()) / seconds, window, ru.ru_maxrss);
  for (const auto& [k, n] : counts)
    std::printf(" %.*s %zu", static_cast<int>(k.size()), k.data(), n);
  std::printf("\n");
  return 0;
}
