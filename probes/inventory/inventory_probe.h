// The inventory probe: facts that follow from the inventory alone, with no network traffic
// (declared isolation procedure and its drill age on the run's date, segment layout). Its single
// target is "inventory".
#pragma once

#include "probes/probe.h"

namespace cloison {

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
