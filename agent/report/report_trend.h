// The score of each objective over the last runs, as the daemon's history holds them, and the
// inline SVG report.html draws of it (no script, no external resource). Pure; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "agent/report/report.h"

namespace cloison {

struct score_trend {
  struct run {
    std::string started_at;  // UTC, ISO 8601
    // Objective id and score (0..100); absent when no finding counted in that run.
    std::vector<std::pair<std::string, std::optional<double>>> scores;
    friend bool operator==(const run&, const run&) = default;
  };
  std::vector<run> runs;  // oldest first
  friend bool operator==(const score_trend&, const score_trend&) = default;
};

// The run of `r` as a point of a trend.
score_trend::run trend_point(const report& r);

// A line per objective over the runs (x: the runs in order, oldest left; y: the score, 0 at the
// bottom, 100 at the top), a dot at each score, the objective's id at its last dot, the first and
// last runs' dates under the axis. A run without a score for an objective breaks its line there.
// Empty when there are fewer than two runs.
std::string render_trend_svg(const score_trend& trend);

}  // namespace cloison
