// The inventory probe: facts that follow from the inventory alone, with no network traffic
// (declared isolation procedure and its drill age on the run's date, segment layout), and from the
// drill records `cloison drill` keeps in isolation.drill.reports (latest.json: the last drill's
// result; last-success.json: the last drill that passed, whose date supersedes
// isolation.last_drill when newer). Its single target is "inventory".
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "probes/probe.h"

namespace cloison {

// What the audit reads of a drill report (agent/session/drill_report.h, "cloison-drill/1").
struct drill_record {
  std::string outcome;        // passed, failed, refused, restore_failed
  std::chrono::sys_days day;  // when it finished (UTC)
};
// nullopt when `text` is not a drill report. Pure.
std::optional<drill_record> parse_drill_record(std::string_view text);

class inventory_probe final : public probe {
 public:
  std::string_view name() const override { return "inventory"; }
  std::span<const fact_spec> facts() const override;
  std::vector<target> plan(const inventory& inv, const run_context& run) const override;

 protected:
  // Drill ages are counted in days up to run.today.
  observation collect(const inventory& inv, const run_context& run, const target& t,
                      deadline until) const override;
};

}  // namespace cloison
