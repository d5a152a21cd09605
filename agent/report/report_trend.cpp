#include "agent/report/report_trend.h"

#include <algorithm>
#include <cstdio>
#include <iterator>
#include <sstream>

#include "agent/report/markup.h"

namespace cloison {
namespace {

constexpr double kWidth = 640, kHeight = 220;
constexpr double kLeft = 40, kRight = 90, kTop = 12, kBottom = 36;
constexpr const char* kColours[] = {"#1f5fa8", "#b5480d", "#2e7d32", "#6a1b9a", "#546e7a"};

std::string number(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", v);
  return text;
}

double x_of(std::size_t i, std::size_t n) {
  return kLeft + (kWidth - kLeft - kRight) * static_cast<double>(i) / static_cast<double>(n - 1);
}

double y_of(double score) {
  return kTop + (kHeight - kTop - kBottom) * (100 - score) / 100;
}

// The objectives in the order they first appear.
std::vector<std::string> objectives_of(const score_trend& trend) {
  std::vector<std::string> ids;
  for (const auto& run : trend.runs) {
    for (const auto& [id, score] : run.scores) {
      if (std::find(ids.begin(), ids.end(), id) == ids.end())
        ids.push_back(id);
    }
  }
  return ids;
}

std::optional<double> score_of(const score_trend::run& run, const std::string& id) {
  for (const auto& [objective, score] : run.scores) {
    if (objective == id)
      return score;
  }
  return std::nullopt;
}

}  // namespace

score_trend::run trend_point(const report& r) {
  score_trend::run point{r.started_at, {}};
  for (const auto& o : r.objectives)
    point.scores.emplace_back(o.id, o.score);
  return point;
}

std::string render_trend_svg(const score_trend& trend) {
  const std::size_t n = trend.runs.size();
  if (n < 2)
    return {};
  std::ostringstream svg;
  svg << "<svg class=\"trend-chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " << kWidth
      << ' ' << kHeight << "\" role=\"img\">\n";
  for (const double tick : {0.0, 50.0, 100.0}) {
    svg << "<line x1=\"" << kLeft << "\" x2=\"" << kWidth - kRight << "\" y1=\""
        << number(y_of(tick)) << "\" y2=\"" << number(y_of(tick)) << "\" stroke=\"#ccc\"/>"
        << "<text x=\"" << kLeft - 6 << "\" y=\"" << number(y_of(tick) + 4)
        << "\" text-anchor=\"end\" font-size=\"11\">" << tick << "</text>\n";
  }
  const double axis = kHeight - kBottom + 16;
  svg << "<text x=\"" << kLeft << "\" y=\"" << axis << "\" font-size=\"11\">"
      << escape_markup(trend.runs.front().started_at.substr(0, 10)) << "</text>"
      << "<text x=\"" << kWidth - kRight << "\" y=\"" << axis
      << "\" text-anchor=\"end\" font-size=\"11\">"
      << escape_markup(trend.runs.back().started_at.substr(0, 10)) << "</text>\n";
  const auto ids = objectives_of(trend);
  for (std::size_t k = 0; k < ids.size(); ++k) {
    const char* colour = kColours[k % std::size(kColours)];
    std::string points;  // the current unbroken stretch of the line
    std::optional<std::pair<double, double>> last;
    const auto flush = [&] {
      if (points.find(' ') != std::string::npos)
        svg << "<polyline data-objective=\"" << escape_markup(ids[k])
            << "\" fill=\"none\" stroke=\"" << colour << "\" stroke-width=\"2\" points=\"" << points
            << "\"/>\n";
      points.clear();
    };
    for (std::size_t i = 0; i < n; ++i) {
      const auto score = score_of(trend.runs[i], ids[k]);
      if (!score) {
        flush();
        continue;
      }
      const double x = x_of(i, n), y = y_of(*score);
      points += (points.empty() ? "" : " ") + number(x) + "," + number(y);
      svg << "<circle cx=\"" << number(x) << "\" cy=\"" << number(y) << "\" r=\"3\" fill=\""
          << colour << "\"><title>" << escape_markup(ids[k]) << " "
          << escape_markup(trend.runs[i].started_at) << ": " << number(*score)
          << "</title></circle>\n";
      last = {x, y};
    }
    flush();
    if (last)
      svg << "<text x=\"" << number(last->first + 8) << "\" y=\"" << number(last->second + 4)
          << "\" font-size=\"11\" fill=\"" << colour << "\">" << escape_markup(ids[k])
          << "</text>\n";
  }
  svg << "</svg>\n";
  return svg.str();
}

}  // namespace cloison
