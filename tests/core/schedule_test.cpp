#include "core/schedule.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

namespace cloison {
namespace {

using namespace std::chrono;

cron_schedule parsed(std::string_view text) {
  auto result = parse_cron(text);
  const auto* error = std::get_if<cron_error>(&result);
  EXPECT_EQ(error, nullptr) << text << ": " << (error ? error->message : "");
  return error ? cron_schedule{} : std::get<cron_schedule>(result);
}

cron_error refused(std::string_view text) {
  auto result = parse_cron(text);
  const auto* error = std::get_if<cron_error>(&result);
  EXPECT_NE(error, nullptr) << text << " was accepted";
  return error ? *error : cron_error{};
}

template <std::size_t N>
std::vector<int> values(const std::bitset<N>& bits) {
  std::vector<int> out;
  for (std::size_t i = 0; i < N; ++i) {
    if (bits[i])
      out.push_back(static_cast<int>(i));
  }
  return out;
}

std::vector<int> from_to(int first, int last) {
  std::vector<int> out;
  for (int v = first; v <= last; ++v)
    out.push_back(v);
  return out;
}

TEST(CronParse, FixedTimeEveryDay) {
  const auto s = parsed("30 2 * * *");
  EXPECT_EQ(values(s.minutes), std::vector<int>{30});
  EXPECT_EQ(values(s.hours), std::vector<int>{2});
  EXPECT_EQ(values(s.days_of_month), from_to(1, 31));
  EXPECT_EQ(values(s.months), from_to(1, 12));
  EXPECT_EQ(values(s.days_of_week), from_to(0, 6));
  EXPECT_FALSE(s.day_of_month_restricted);
  EXPECT_FALSE(s.day_of_week_restricted);
}

TEST(CronParse, ListsRangesAndSteps) {
  EXPECT_EQ(values(parsed("*/15 * * * *").minutes), (std::vector<int>{0, 15, 30, 45}));
  EXPECT_EQ(values(parsed("0-30/10 * * * *").minutes), (std::vector<int>{0, 10, 20, 30}));
  EXPECT_EQ(values(parsed("0 8-18 * * *").hours), from_to(8, 18));
  EXPECT_EQ(values(parsed("0,30 6,18 * * *").minutes), (std::vector<int>{0, 30}));
  EXPECT_EQ(values(parsed("0,30 6,18 * * *").hours), (std::vector<int>{6, 18}));
  EXPECT_EQ(values(parsed("5,0-10/5,59 * * * *").minutes), (std::vector<int>{0, 5, 10, 59}));
  EXPECT_EQ(values(parsed("0 */7 * * *").hours), (std::vector<int>{0, 7, 14, 21}));
  EXPECT_EQ(values(parsed("0 0 */10 * *").days_of_month), (std::vector<int>{1, 11, 21, 31}));
  EXPECT_EQ(values(parsed("*/60 * * * *").minutes), std::vector<int>{0});
  EXPECT_EQ(values(parsed("05 07 * * *").minutes), std::vector<int>{5});
}

TEST(CronParse, MonthAndDayNamesInAnyCase) {
  EXPECT_EQ(values(parsed("0 0 1 JAN,jul *").months), (std::vector<int>{1, 7}));
  EXPECT_EQ(values(parsed("0 0 1 jan-dec/3 *").months), (std::vector<int>{1, 4, 7, 10}));
  EXPECT_EQ(values(parsed("0 0 1 Feb-4 *").months), (std::vector<int>{2, 3, 4}));
  EXPECT_EQ(values(parsed("0 9 * * Mon-FRI").days_of_week), from_to(1, 5));
  EXPECT_EQ(values(parsed("0 9 * * sun,sat").days_of_week), (std::vector<int>{0, 6}));
}

TEST(CronParse, SundayIsZeroOrSeven) {
  EXPECT_EQ(parsed("0 0 * * 7"), parsed("0 0 * * 0"));
  EXPECT_EQ(parsed("0 0 * * 7"), parsed("0 0 * * sun"));
  EXPECT_EQ(values(parsed("0 0 * * 5-7").days_of_week), (std::vector<int>{0, 5, 6}));
  EXPECT_EQ(values(parsed("0 0 * * */7").days_of_week), std::vector<int>{0});
}

TEST(CronParse, ADayFieldStartingWithAStarDoesNotRestrict) {
  const auto both = parsed("0 0 13 * fri");
  EXPECT_TRUE(both.day_of_month_restricted);
  EXPECT_TRUE(both.day_of_week_restricted);
  const auto odd_days = parsed("0 0 */2 * 1");
  EXPECT_FALSE(odd_days.day_of_month_restricted);
  EXPECT_TRUE(odd_days.day_of_week_restricted);
  EXPECT_EQ(values(odd_days.days_of_month).size(), 16u);
}

TEST(CronParse, BlanksAroundAndBetweenFields) {
  EXPECT_EQ(parsed("  30\t2   * *  *\t"), parsed("30 2 * * *"));
}

TEST(CronParse, LeapDayAndEitherDayRuleAreAccepted) {
  EXPECT_EQ(values(parsed("0 0 29 2 *").days_of_month), std::vector<int>{29});
  EXPECT_TRUE(parsed("0 0 31 2 mon").day_of_week_restricted);  // Mondays of February
}

struct refusal {
  std::string text;
  std::string message;
  std::size_t offset;
};

class CronRefusal : public testing::TestWithParam<refusal> {};

TEST_P(CronRefusal, NamesTheFieldAndTheFaultyToken) {
  const auto e = refused(GetParam().text);
  EXPECT_EQ(e.message, GetParam().message) << GetParam().text;
  EXPECT_EQ(e.offset, GetParam().offset) << GetParam().text;
}

const char kFieldCount[] = "expected 5 fields (minute hour day-of-month month day-of-week), found ";

INSTANTIATE_TEST_SUITE_P(
    CronParse, CronRefusal,
    testing::Values(
        refusal{"", std::string(kFieldCount) + "0", 0},
        refusal{"   ", std::string(kFieldCount) + "0", 3},
        refusal{"30 2 * *", std::string(kFieldCount) + "4", 8},
        refusal{"30 2 * * * *", std::string(kFieldCount) + "6", 11},
        refusal{"@daily", std::string(kFieldCount) + "1", 6},
        refusal{"60 * * * *", "minute: 60 is out of range 0-59", 0},
        refusal{"30 25 * * *", "hour: 25 is out of range 0-23", 3},
        refusal{"0 0 0 * *", "day of month: 0 is out of range 1-31", 4},
        refusal{"0 0 32 * *", "day of month: 32 is out of range 1-31", 4},
        refusal{"0 0 * 13 *", "month: 13 is out of range 1-12", 6},
        refusal{"0 0 * 0 *", "month: 0 is out of range 1-12", 6},
        refusal{"0 0 * * 8", "day of week: 8 is out of range 0-7", 8},
        refusal{"0 0 1,40 * *", "day of month: 40 is out of range 1-31", 6},
        refusal{"0 1-24 * * *", "hour: 24 is out of range 0-23", 4},
        refusal{"99999999999 * * * *", "minute: 99999999999 is out of range 0-59", 0},
        refusal{"0 5-2 * * *", "hour: range 5-2 is reversed", 2},
        refusal{"0 0 * * sat-sun", "day of week: range sat-sun is reversed", 8},
        refusal{"*/0 * * * *", "minute: step 0 is out of range 1-60", 2},
        refusal{"*/61 * * * *", "minute: step 61 is out of range 1-60", 2},
        refusal{"0 0-12/25 * * *", "hour: step 25 is out of range 1-24", 7},
        refusal{"0 0 * * */9", "day of week: step 9 is out of range 1-8", 10},
        refusal{"5/10 * * * *", "minute: a step goes with a range or * (0-30/5, */5), found 5/10",
                1},
        refusal{"*/ * * * *", "minute: expected a number, found nothing", 2},
        refusal{"*/x * * * *", "minute: expected a number, found 'x'", 2},
        refusal{"0 0 * * 1,,2", "day of week: empty item in the list", 10},
        refusal{"0 0 * * 1,", "day of week: empty item in the list", 10},
        refusal{",0 0 * * *", "minute: empty item in the list", 0},
        refusal{"0 0 * * 1-", "day of week: expected a number or a name, found nothing", 10},
        refusal{"0 0 * foo *", "month: 'foo' is not a name of jan-dec", 6},
        refusal{"0 0 * * lundi", "day of week: 'lundi' is not a name of sun-sat", 8},
        refusal{"0 0 * * é", "day of week: expected a number or a name, found 'é'", 8},
        refusal{"0 mon * * *", "hour: expected a number, found 'mon'", 2},
        refusal{"0 0 * * 1x", "day of week: unexpected 'x'", 9},
        refusal{"*x * * * *", "minute: unexpected 'x'", 1},
        refusal{"0 0 1-5-7 * *", "day of month: unexpected '-7'", 7},
        refusal{"0 0 ? * *", "day of month: expected a number, found '?'", 4},
        refusal{"0 0 L * *", "day of month: expected a number, found 'L'", 4},
        refusal{"0 0 31 2 *",
                "day of month: the schedule never runs (none of its months has these days)", 4},
        refusal{"0 0 30,31 feb *",
                "day of month: the schedule never runs (none of its months has these days)", 4},
        refusal{"0 0 31 4,6,9,11 */2",
                "day of month: the schedule never runs (none of its months has these days)", 4},
        refusal{std::string(kMaxCronLength - 7, '0') + " * * * *", "longer than 256 characters",
                256}));

TEST(CronParse, TheLongestTextAcceptedIsKMaxCronLength) {
  const std::string text = std::string(kMaxCronLength - 8, '0') + " * * * *";
  ASSERT_EQ(text.size(), kMaxCronLength);
  EXPECT_EQ(values(parsed(text).minutes), std::vector<int>{0});
}

// Sets TZ for one test and restores it after.
class time_zone {
 public:
  explicit time_zone(const char* zone) {
    if (const char* previous = std::getenv("TZ"))
      previous_ = previous;
    ::setenv("TZ", zone, 1);
    ::tzset();
  }
  ~time_zone() {
    previous_ ? ::setenv("TZ", previous_->c_str(), 1) : ::unsetenv("TZ");
    ::tzset();
  }
  time_zone(const time_zone&) = delete;
  time_zone& operator=(const time_zone&) = delete;

 private:
  std::optional<std::string> previous_;
};

// The instant of a wall-clock time at a given UTC offset (hours east).
system_clock::time_point at(int y, unsigned mo, unsigned d, int h, int mi, int utc_offset) {
  return sys_days{year{y} / month{mo} / day{d}} + hours{h - utc_offset} + minutes{mi};
}

std::string text_of(std::optional<system_clock::time_point> t) {
  if (!t)
    return "never";
  const std::time_t s = system_clock::to_time_t(*t);
  std::tm tm{};
  ::gmtime_r(&s, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// Compared as text, so that a failure shows both instants.
#define EXPECT_NEXT(cron, after, expected) \
  EXPECT_EQ(text_of(next_run(parsed(cron), after)), text_of(expected)) << (cron)

constexpr int kCet = 1, kCest = 2;

// Europe/Paris twice: as a POSIX rule (no file needed) and from tzdata's file.
class NextRunInParis : public testing::TestWithParam<const char*> {
 protected:
  time_zone zone_{GetParam()};
};

INSTANTIATE_TEST_SUITE_P(CronNextRun, NextRunInParis,
                         testing::Values("CET-1CEST,M3.5.0,M10.5.0/3", "Europe/Paris"));

TEST_P(NextRunInParis, EveryDayAtTwoThirty) {
  EXPECT_NEXT("30 2 * * *", at(2027, 1, 10, 12, 0, kCet), at(2027, 1, 11, 2, 30, kCet));
  EXPECT_NEXT("30 2 * * *", at(2027, 1, 11, 2, 29, kCet), at(2027, 1, 11, 2, 30, kCet));
  EXPECT_NEXT("30 2 * * *", at(2027, 1, 11, 2, 30, kCet) - milliseconds{1},
              at(2027, 1, 11, 2, 30, kCet));
  // strictly after: a run at 02:30 does not find itself again
  EXPECT_NEXT("30 2 * * *", at(2027, 1, 11, 2, 30, kCet), at(2027, 1, 12, 2, 30, kCet));
  EXPECT_NEXT("30 2 * * *", at(2027, 1, 11, 2, 30, kCet) + milliseconds{500},
              at(2027, 1, 12, 2, 30, kCet));
  EXPECT_NEXT("30 2 * * *", at(2027, 7, 1, 12, 0, kCest), at(2027, 7, 2, 2, 30, kCest));
  EXPECT_NEXT("30 2 * * *", at(2027, 12, 31, 3, 0, kCet), at(2028, 1, 1, 2, 30, kCet));
}

TEST_P(NextRunInParis, EveryQuarterOfAnHour) {
  EXPECT_NEXT("*/15 * * * *", at(2027, 1, 11, 10, 7, kCet), at(2027, 1, 11, 10, 15, kCet));
  EXPECT_NEXT("*/15 * * * *", at(2027, 1, 11, 10, 45, kCet), at(2027, 1, 11, 11, 0, kCet));
  EXPECT_NEXT("*/15 * * * *", at(2027, 1, 11, 23, 50, kCet), at(2027, 1, 12, 0, 0, kCet));
}

TEST_P(NextRunInParis, WeekdaysOnly) {
  // 2027-01-15 is a Friday
  EXPECT_NEXT("0 9 * * 1-5", at(2027, 1, 15, 10, 0, kCet), at(2027, 1, 18, 9, 0, kCet));
  EXPECT_NEXT("0 9 * * mon-fri", at(2027, 1, 15, 8, 0, kCet), at(2027, 1, 15, 9, 0, kCet));
  EXPECT_NEXT("0 9 * * sun", at(2027, 1, 15, 8, 0, kCet), at(2027, 1, 17, 9, 0, kCet));
  EXPECT_NEXT("0 9 * * 7", at(2027, 1, 15, 8, 0, kCet), at(2027, 1, 17, 9, 0, kCet));
}

TEST_P(NextRunInParis, BothDayFieldsRestrictedMeansEitherDay) {
  // the 13th or any Friday: 2027-01-01 and 01-08 are Fridays, 01-13 a Wednesday
  EXPECT_NEXT("0 0 13 * 5", at(2027, 1, 1, 0, 0, kCet), at(2027, 1, 8, 0, 0, kCet));
  EXPECT_NEXT("0 0 13 * 5", at(2027, 1, 8, 0, 0, kCet), at(2027, 1, 13, 0, 0, kCet));
  EXPECT_NEXT("0 0 13 * 5", at(2027, 1, 13, 0, 0, kCet), at(2027, 1, 15, 0, 0, kCet));
  // a day field starting with * restricts nothing: odd days that are Fridays
  EXPECT_NEXT("0 0 */2 * 5", at(2027, 1, 1, 0, 0, kCet), at(2027, 1, 15, 0, 0, kCet));
}

TEST_P(NextRunInParis, MonthNames) {
  EXPECT_NEXT("0 0 1 jan,jul *", at(2027, 2, 1, 0, 0, kCet), at(2027, 7, 1, 0, 0, kCest));
  EXPECT_NEXT("0 0 1 jan,jul *", at(2027, 7, 1, 0, 0, kCest), at(2028, 1, 1, 0, 0, kCet));
}

TEST_P(NextRunInParis, EndsOfMonthsAndLeapDays) {
  EXPECT_NEXT("0 0 31 * *", at(2027, 1, 31, 0, 0, kCet), at(2027, 3, 31, 0, 0, kCest));
  EXPECT_NEXT("0 0 31 * *", at(2027, 3, 31, 0, 0, kCest), at(2027, 5, 31, 0, 0, kCest));
  EXPECT_NEXT("0 0 29 2 *", at(2027, 1, 1, 0, 0, kCet), at(2028, 2, 29, 0, 0, kCet));
  EXPECT_NEXT("0 0 29 2 *", at(2028, 2, 29, 0, 0, kCet), at(2032, 2, 29, 0, 0, kCet));
  // 2100 is no leap year
  EXPECT_NEXT("0 0 29 2 *", at(2096, 3, 1, 0, 0, kCet), at(2104, 2, 29, 0, 0, kCet));
  // February 29th on a Sunday: 2088, then 2128 (40 years)
  EXPECT_NEXT("0 0 29 2 */7", at(2088, 3, 1, 0, 0, kCet), at(2128, 2, 29, 0, 0, kCet));
}

// 2027-03-28: at 02:00 CET the clocks go to 03:00 CEST.
TEST_P(NextRunInParis, SpringForwardSkipsTheTimesThatDoNotExist) {
  EXPECT_NEXT("30 2 * * *", at(2027, 3, 27, 12, 0, kCet), at(2027, 3, 29, 2, 30, kCest));
  EXPECT_NEXT("0 2 * * *", at(2027, 3, 27, 12, 0, kCet), at(2027, 3, 29, 2, 0, kCest));
  EXPECT_NEXT("0 3 * * *", at(2027, 3, 27, 12, 0, kCet), at(2027, 3, 28, 3, 0, kCest));
  EXPECT_NEXT("59 1 * * *", at(2027, 3, 27, 12, 0, kCet), at(2027, 3, 28, 1, 59, kCet));
  EXPECT_NEXT("*/30 * * * *", at(2027, 3, 28, 1, 45, kCet), at(2027, 3, 28, 3, 0, kCest));
}

// 2027-10-31: at 03:00 CEST the clocks go back to 02:00 CET; 02:00-02:59 happens twice.
TEST_P(NextRunInParis, FallBackRunsTheRepeatedTimesOnceAtTheirFirstOccurrence) {
  EXPECT_NEXT("30 2 * * *", at(2027, 10, 30, 12, 0, kCest), at(2027, 10, 31, 2, 30, kCest));
  EXPECT_NEXT("30 2 * * *", at(2027, 10, 31, 2, 30, kCest), at(2027, 11, 1, 2, 30, kCet));
  EXPECT_NEXT("30 2 * * *", at(2027, 10, 31, 2, 10, kCet), at(2027, 11, 1, 2, 30, kCet));
  EXPECT_NEXT("0 2 * * *", at(2027, 10, 30, 12, 0, kCest), at(2027, 10, 31, 2, 0, kCest));
  EXPECT_NEXT("0 2 * * *", at(2027, 10, 31, 2, 0, kCest), at(2027, 11, 1, 2, 0, kCet));
  EXPECT_NEXT("*/30 * * * *", at(2027, 10, 31, 2, 45, kCest), at(2027, 10, 31, 3, 0, kCet));
  EXPECT_NEXT("0 3 * * *", at(2027, 10, 30, 12, 0, kCest), at(2027, 10, 31, 3, 0, kCet));
}

TEST(CronNextRun, FollowsTheProcesssTimeZone) {
  const auto after = at(2027, 1, 10, 12, 0, 0);
  {
    time_zone utc("UTC0");
    EXPECT_NEXT("30 2 * * *", after, at(2027, 1, 11, 2, 30, 0));
  }
  {
    time_zone tokyo("JST-9");
    EXPECT_NEXT("30 2 * * *", after, at(2027, 1, 11, 2, 30, 9));
  }
}

TEST(CronNextRun, AScheduleThatNeverMatchesEndsAfterTheCalendarsCycle) {
  time_zone utc("UTC0");
  cron_schedule february_31st;
  february_31st.minutes.set(0);
  february_31st.hours.set(0);
  february_31st.days_of_month.set(31);
  february_31st.months.set(2);
  february_31st.days_of_week.set();
  february_31st.day_of_month_restricted = true;
  const auto started = steady_clock::now();
  EXPECT_EQ(next_run(february_31st, at(2027, 1, 1, 0, 0, 0)), std::nullopt);
  EXPECT_LT(steady_clock::now() - started, seconds{5});
  EXPECT_EQ(next_run(cron_schedule{}, at(2027, 1, 1, 0, 0, 0)), std::nullopt);
}

TEST(CronNextRun, NothingBeyondWhatSystemClockHolds) {
  time_zone utc("UTC0");
  EXPECT_EQ(next_run(parsed("0 0 29 2 *"), at(2260, 3, 1, 0, 0, 0)), std::nullopt);
  EXPECT_EQ(next_run(parsed("* * * * *"), system_clock::time_point::max()), std::nullopt);
}

}  // namespace
}  // namespace cloison
