#include "agent/report/local_time.h"

#include <chrono>
#include <ctime>

#include "core/observation.h"

namespace cloison {

std::string local_time_text(const std::string& utc) {
  const auto time = parse_utc_time(utc);
  if (!time)
    return utc;
  const std::time_t t = std::chrono::system_clock::to_time_t(*time);
  std::tm local{};
  char text[64];
  if (!::localtime_r(&t, &local) ||
      std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S %Z (UTC%z)", &local) == 0)
    return utc;
  return text;
}

}  // namespace cloison
