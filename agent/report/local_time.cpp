#include "agent/report/local_time.h"

#include <cstdio>
#include <ctime>

namespace cloison {

std::string local_time_text(const std::string& utc) {
  std::tm tm{};
  char zulu = 0;
  if (std::sscanf(utc.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &zulu) != 7 ||
      zulu != 'Z')
    return utc;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  const std::time_t t = ::timegm(&tm);
  std::tm local{};
  char text[64];
  if (t == -1 || !::localtime_r(&t, &local) ||
      std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S %Z (UTC%z)", &local) == 0)
    return utc;
  return text;
}

}  // namespace cloison
