#include "probes/probe.h"

#include <exception>

namespace cloison {

observation probe::observe(const inventory& inv, const run_context& run, const target& t,
                           deadline until) const noexcept {
  const auto started = std::chrono::steady_clock::now();
  observation result;
  try {
    result = collect(inv, run, t, until);
  } catch (const std::exception& e) {
    result = observation{};
    result.outcome = outcome::error;
    result.detail = std::string("probe failed: ") + e.what();
  } catch (...) {
    result = observation{};
    result.outcome = outcome::error;
    result.detail = "probe failed with an unknown exception";
  }
  result.probe = std::string(name());
  result.target = t.name;
  result.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  return result;
}

}  // namespace cloison
