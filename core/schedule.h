// When the daemon audits: a cron expression of five fields (crontab(5)'s syntax), read in the
// process's local time zone. Parsing is pure; next_run() reads the time zone (TZ, through
// localtime_r), and is thread-safe as long as no thread changes TZ (setenv + tzset) meanwhile.
#pragma once

#include <bitset>
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace cloison {

// The minutes, hours, days and months a schedule runs at: one bit per value.
struct cron_schedule {
  std::bitset<60> minutes;        // 0-59
  std::bitset<24> hours;          // 0-23
  std::bitset<32> days_of_month;  // 1-31 (bit 0 unused)
  std::bitset<13> months;         // 1-12 (bit 0 unused)
  std::bitset<7> days_of_week;    // 0 Sunday - 6 Saturday (7 is read as 0)
  // crontab(5)'s rule: when both day fields are restricted (neither starts with `*`), a day runs
  // if it matches either; otherwise it must match both.
  bool day_of_month_restricted = false;
  bool day_of_week_restricted = false;

  friend bool operator==(const cron_schedule&, const cron_schedule&) = default;
};

// Why a text is no cron expression: the message names the field ("hour: 25 is out of range
// 0-23"); `offset` is the 0-based position in the text of the faulty token.
struct cron_error {
  std::string message;
  std::size_t offset = 0;

  friend bool operator==(const cron_error&, const cron_error&) = default;
};

// Texts longer than this are refused before parsing.
inline constexpr std::size_t kMaxCronLength = 256;

// Parses "minute hour day-of-month month day-of-week", fields separated by spaces or tabs. Each
// field is a list (`a,b`) of items: `*`, a value, a range `a-b` (not reversed), `*/n` or `a-b/n`
// (every n-th value; n from 1 to the field's span, e.g. 60 for minutes, 8 for 0-7). Months are
// 1-12 or jan-dec, days of the week 0-7 (0 and 7: Sunday) or sun-sat, names in any case.
// Refused, with the field and the offset of the faulty token (the text's length for a missing
// field): a wrong number of fields, a value out of range, a reversed range, a step of 0 or beyond
// the span, a step after a single value, anything else (`@daily`, `?`, `L`), a text longer than
// kMaxCronLength, and a schedule that never runs (days of the month that none of its months has,
// e.g. `0 0 31 2 *`; February's 29th is accepted). Pure; thread-safe.
std::variant<cron_schedule, cron_error> parse_cron(std::string_view text);

// The first whole local minute strictly after `after` that `schedule` matches, as the instant
// when it first occurs in the local time zone. Daylight saving time: a local time that does not
// exist (the hour skipped in spring) is skipped, not moved; a local time that occurs twice (the
// hour repeated in autumn) runs once, at its first occurrence. The search is bounded by the
// Gregorian calendar's cycle of 400 years: nullopt when no day of it matches (a schedule that
// parse_cron refuses, built by hand), when every match falls in a skipped hour, or when the next
// run lies beyond what system_clock holds (year 2262 with libstdc++'s nanoseconds).
std::optional<std::chrono::system_clock::time_point> next_run(
    const cron_schedule& schedule, std::chrono::system_clock::time_point after);

}  // namespace cloison
