#include "core/schedule.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <ctime>
#include <span>
#include <utility>
#include <vector>

namespace cloison {

namespace {

using namespace std::chrono;

constexpr std::array<std::string_view, 12> kMonthNames{"jan", "feb", "mar", "apr", "may", "jun",
                                                       "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr std::array<std::string_view, 7> kDayNames{"sun", "mon", "tue", "wed",
                                                    "thu", "fri", "sat"};

struct field_spec {
  std::string_view name;
  int min;
  int max;
  std::span<const std::string_view> names;  // of min, min + 1, ...
};

constexpr std::array<field_spec, 5> kFields{{
    {"minute", 0, 59, {}},
    {"hour", 0, 23, {}},
    {"day of month", 1, 31, {}},
    {"month", 1, 12, kMonthNames},
    {"day of week", 0, 7, kDayNames},
}};

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_letter(char c) {
  return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
}
bool is_blank(char c) {
  return c == ' ' || c == '\t';
}

// Reads one field, text_[pos_, end_), into one bit per value; throws cron_error, caught by
// parse_cron.
class field_reader {
 public:
  field_reader(const field_spec& spec, std::string_view text, std::size_t begin, std::size_t end)
      : spec_(spec), text_(text), pos_(begin), end_(end) {}

  std::uint64_t read() {
    std::uint64_t bits = item();
    while (pos_ < end_) {
      ++pos_;  // the ',' item() stopped at
      bits |= item();
    }
    return bits;
  }

 private:
  std::uint64_t item() {
    const std::size_t start = pos_;
    if (peek() == ',' || pos_ == end_)
      fail(pos_, "empty item in the list");
    int first = spec_.min, last = spec_.max;
    bool range = true;
    if (peek() == '*') {
      ++pos_;
    } else {
      first = last = value();
      range = peek() == '-';
      if (range) {
        ++pos_;
        last = value();
        if (last < first)
          fail(start, "range " + std::string(text_.substr(start, pos_ - start)) + " is reversed");
      }
    }
    int step = 1;
    if (peek() == '/') {
      if (!range) {
        fail(pos_, "a step goes with a range or * (0-30/5, */5), found " +
                       std::string(text_.substr(start, item_end() - start)));
      }
      ++pos_;
      const std::size_t at = pos_;
      const int span = spec_.max - spec_.min + 1;
      step = number();
      if (step < 1 || step > span) {
        fail(at, "step " + std::string(text_.substr(at, pos_ - at)) + " is out of range 1-" +
                     std::to_string(span));
      }
    }
    if (pos_ < end_ && peek() != ',')
      fail(pos_, "unexpected '" + rest() + "'");
    std::uint64_t bits = 0;
    for (int v = first; v <= last; v += step)
      bits |= std::uint64_t{1} << v;
    return bits;
  }

  // A number or a name, within the field's range.
  int value() {
    const std::size_t at = pos_;
    if (is_letter(peek()) && !spec_.names.empty())
      return name();
    const int v = number();
    if (v < spec_.min || v > spec_.max) {
      fail(at, std::string(text_.substr(at, pos_ - at)) + " is out of range " +
                   std::to_string(spec_.min) + "-" + std::to_string(spec_.max));
    }
    return v;
  }

  // Digits; a value beyond 9999 is read as 10000 (out of every range).
  int number() {
    if (!is_digit(peek()))
      fail(pos_, std::string("expected a number") + (spec_.names.empty() ? "" : " or a name") +
                     ", found " + (rest().empty() ? "nothing" : "'" + rest() + "'"));
    int v = 0;
    while (is_digit(peek())) {
      v = std::min(v * 10 + (peek() - '0'), 10000);
      ++pos_;
    }
    return v;
  }

  int name() {
    const std::size_t at = pos_;
    while (is_letter(peek()))
      ++pos_;
    const auto word = text_.substr(at, pos_ - at);
    for (std::size_t i = 0; i < spec_.names.size(); ++i) {
      const auto known = spec_.names[i];
      bool same = word.size() == known.size();
      for (std::size_t k = 0; same && k < word.size(); ++k)
        same = (word[k] | 0x20) == known[k];
      if (same)
        return spec_.min + static_cast<int>(i);
    }
    fail(at, "'" + std::string(word) + "' is not a name of " + std::string(spec_.names.front()) +
                 "-" + std::string(spec_.names.back()));
  }

  char peek() const { return pos_ < end_ ? text_[pos_] : '\0'; }
  std::size_t item_end() const { return std::min(text_.find(',', pos_), end_); }
  std::string rest() const { return std::string(text_.substr(pos_, item_end() - pos_)); }

  [[noreturn]] void fail(std::size_t at, std::string message) const {
    throw cron_error{std::string(spec_.name) + ": " + message, at};
  }

  const field_spec& spec_;
  std::string_view text_;
  std::size_t pos_;
  std::size_t end_;
};

// Whether some day of the month chosen exists in some month chosen (February's 29th included).
bool some_day_exists(const cron_schedule& s) {
  constexpr std::array<int, 13> kLongest{0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  for (int month = 1; month <= 12; ++month) {
    for (int day = 1; s.months[month] && day <= kLongest[month]; ++day) {
      if (s.days_of_month[day])
        return true;
    }
  }
  return false;
}

cron_schedule parse_fields(std::string_view text) {
  if (text.size() > kMaxCronLength) {
    throw cron_error{"longer than " + std::to_string(kMaxCronLength) + " characters",
                     kMaxCronLength};
  }
  std::vector<std::pair<std::size_t, std::size_t>> fields;  // [begin, end) of each
  for (std::size_t pos = 0; pos < text.size();) {
    if (is_blank(text[pos])) {
      ++pos;
      continue;
    }
    const std::size_t begin = pos;
    while (pos < text.size() && !is_blank(text[pos]))
      ++pos;
    fields.emplace_back(begin, pos);
  }
  if (fields.size() != kFields.size()) {
    throw cron_error{"expected 5 fields (minute hour day-of-month month day-of-week), found " +
                         std::to_string(fields.size()),
                     fields.size() > kFields.size() ? fields[kFields.size()].first : text.size()};
  }
  std::array<std::uint64_t, 5> values{};
  for (std::size_t i = 0; i < kFields.size(); ++i)
    values[i] = field_reader(kFields[i], text, fields[i].first, fields[i].second).read();
  cron_schedule s;
  s.minutes = values[0];
  s.hours = values[1];
  s.days_of_month = values[2];
  s.months = values[3];
  s.days_of_week = values[4] | (values[4] >> 7);  // 7 is Sunday, as 0
  s.day_of_month_restricted = text[fields[2].first] != '*';
  s.day_of_week_restricted = text[fields[4].first] != '*';
  const bool either_day = s.day_of_month_restricted && s.day_of_week_restricted;
  if (!either_day && !some_day_exists(s)) {
    throw cron_error{"day of month: the schedule never runs (none of its months has these days)",
                     fields[2].first};
  }
  return s;
}

bool runs_on(const cron_schedule& s, sys_days day) {
  const year_month_day date{day};
  if (!s.months[static_cast<unsigned>(date.month())])
    return false;
  const bool dom = s.days_of_month[static_cast<unsigned>(date.day())];
  const bool dow = s.days_of_week[weekday{day}.c_encoding()];
  return s.day_of_month_restricted && s.day_of_week_restricted ? dom || dow : dom && dow;
}

// The UTC offset in force at `t` (seconds east), or nullopt beyond localtime_r's range.
std::optional<long> utc_offset(std::time_t t) {
  std::tm tm{};
  if (!::localtime_r(&t, &tm))
    return std::nullopt;
  return tm.tm_gmtoff;
}

// The first instant whose local time is `local` (seconds since 1970-01-01 00:00 local time);
// nullopt when that local time does not exist. Assumes at most one change of offset within a day
// of it, as in every real time zone.
std::optional<std::time_t> first_occurrence(std::time_t local) {
  std::optional<std::time_t> first;
  for (const std::time_t probe : {local - 86400, local + 86400}) {
    const auto offset = utc_offset(probe);
    if (!offset)
      continue;
    const std::time_t t = local - *offset;
    if (utc_offset(t) == offset && (!first || t < *first))
      first = t;
  }
  return first;
}

// The Gregorian calendar repeats every 400 years (146,097 days): a day that matches none of them
// never comes.
constexpr int kSearchDays = 146097;

}  // namespace

std::variant<cron_schedule, cron_error> parse_cron(std::string_view text) {
  try {
    return parse_fields(text);
  } catch (const cron_error& e) {
    return e;
  }
}

std::optional<system_clock::time_point> next_run(const cron_schedule& schedule,
                                                 system_clock::time_point after) {
  const std::time_t after_seconds = floor<seconds>(after).time_since_epoch().count();
  const auto offset = utc_offset(after_seconds);
  if (!offset)
    return std::nullopt;
  const std::time_t local_after = after_seconds + *offset;
  const std::time_t latest =
      floor<seconds>(system_clock::time_point::max()).time_since_epoch().count();
  const sys_days first_day = floor<days>(sys_seconds{seconds{local_after}});
  for (int i = 0; i <= kSearchDays; ++i) {
    const sys_days day = first_day + days{i};
    if (!runs_on(schedule, day))
      continue;
    const std::time_t midnight = sys_seconds{day}.time_since_epoch().count();
    for (int hour = 0; hour < 24; ++hour) {
      for (int minute = 0; schedule.hours[hour] && minute < 60; ++minute) {
        const std::time_t local = midnight + hour * 3600 + minute * 60;
        if (!schedule.minutes[minute] || local <= local_after)
          continue;
        const auto at = first_occurrence(local);
        if (at && *at > latest)
          return std::nullopt;
        if (at && system_clock::time_point{seconds{*at}} > after)
          return system_clock::time_point{seconds{*at}};
      }
    }
  }
  return std::nullopt;
}

}  // namespace cloison
