// Times of a report shown to people: report.json holds UTC ("2026-11-28T02:30:00Z"); people read
// their own time zone. Pure except for the time zone (TZ) it reads; thread-safe.
#pragma once

#include <string>

namespace cloison {

// "2026-11-28 03:30:00 CET (UTC+0100)" for "2026-11-28T02:30:00Z", in this process's time zone;
// the text as given when it is not such a UTC time.
std::string local_time_text(const std::string& utc);

}  // namespace cloison
