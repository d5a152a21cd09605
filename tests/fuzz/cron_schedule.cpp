// libFuzzer harness of the cron parser (core/schedule.h): the input is read as a cron expression
// and, when it parses, its next run is searched from a fixed instant in Europe/Paris's rules (a
// POSIX TZ string: no tzdata needed). parse_cron promises a schedule or an error located inside
// the text (or at its end); next_run a time strictly after the instant, never a hang.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <string_view>
#include <variant>

#include "core/schedule.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  ::setenv("TZ", "CET-1CEST,M3.5.0,M10.5.0/3", 1);
  ::tzset();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace std::chrono;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto parsed = cloison::parse_cron(text);
  if (const auto* error = std::get_if<cloison::cron_error>(&parsed)) {
    if (error->offset > text.size() || error->message.empty())
      std::abort();
    return 0;
  }
  const system_clock::time_point after = sys_days{year{2027} / 3 / 27} + hours{23} + minutes{59};
  const auto next = cloison::next_run(std::get<cloison::cron_schedule>(parsed), after);
  if (next && *next <= after)
    std::abort();
  return 0;
}
