#include "agent/report/report_trend.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <vector>

#include "agent/report/report_html.h"

namespace cloison {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

score_trend three_runs() {
  return {{{"2026-11-01T02:30:00Z", {{"D2.03.A", 100.0}, {"D2.03.B", 40.0}}},
           {"2026-11-02T02:30:00Z", {{"D2.03.A", 50.0}, {"D2.03.B", std::nullopt}}},
           {"2026-11-03T02:30:00Z", {{"D2.03.A", 0.0}, {"D2.03.B", 80.0}}}}};
}

// The points of the polylines of `objective`, one string per unbroken stretch.
std::vector<std::string> lines_of(const std::string& svg, const std::string& objective) {
  std::vector<std::string> out;
  const std::regex line("<polyline data-objective=\"" + objective + "\"[^>]* points=\"([^\"]*)\"");
  for (std::sregex_iterator it(svg.begin(), svg.end(), line), end; it != end; ++it)
    out.push_back((*it)[1]);
  return out;
}

TEST(ReportTrend, OneLinePerObjectiveScaledFromBottomToTop) {
  const std::string svg = render_trend_svg(three_runs());
  // x from 40 (oldest) to 550 (newest); y from 12 (100) to 184 (0).
  EXPECT_THAT(lines_of(svg, "D2.03.A"), ::testing::ElementsAre("40.0,12.0 295.0,98.0 550.0,184.0"));
  EXPECT_THAT(svg, HasSubstr(">2026-11-01</text>"));
  EXPECT_THAT(svg, HasSubstr(">2026-11-03</text>"));
  EXPECT_THAT(svg, HasSubstr("<title>D2.03.B 2026-11-03T02:30:00Z: 80.0</title>"));
}

TEST(ReportTrend, AMissingScoreBreaksTheLine) {
  const std::string svg = render_trend_svg(three_runs());
  // D2.03.B has no score in the middle run: two lone dots, no line joining them.
  EXPECT_TRUE(lines_of(svg, "D2.03.B").empty());
  EXPECT_THAT(svg, HasSubstr("cx=\"40.0\" cy=\"115.2\""));
  EXPECT_THAT(svg, HasSubstr("cx=\"550.0\" cy=\"46.4\""));
}

TEST(ReportTrend, NothingBelowTwoRunsAndHostileIdsEscaped) {
  EXPECT_EQ(render_trend_svg({}), "");
  EXPECT_EQ(render_trend_svg({{three_runs().runs.front()}}), "");
  score_trend hostile{{{"2026-11-01T02:30:00Z", {{"<script>", 10.0}}},
                       {"2026-11-02T02:30:00Z", {{"<script>", 20.0}}}}};
  const std::string svg = render_trend_svg(hostile);
  EXPECT_THAT(svg, Not(HasSubstr("<script>")));
  EXPECT_THAT(svg, HasSubstr("&lt;script&gt;"));
}

TEST(ReportTrend, TheReportPageShowsItWithThisRunLast) {
  report r;
  r.establishment = "CH Test";
  r.started_at = "2026-11-04T02:30:00Z";
  r.objectives.push_back({"D2.03.A", objective_status::met, 90.0, {}, {}});
  const score_trend trend = three_runs();
  const std::string page = render_html(r, lang::en, nullptr, &trend);
  EXPECT_THAT(page, HasSubstr("<section class=\"trend\"><h2>Score trend</h2>"));
  EXPECT_THAT(page, HasSubstr(">2026-11-04</text>"));  // this run is the newest point
  EXPECT_THAT(render_html(r, lang::en, nullptr), Not(HasSubstr("class=\"trend\"")));
}

}  // namespace
}  // namespace cloison
