// The inventory probe: facts that follow from the inventory alone, with no network traffic
// (declared isolation procedure and drill age, segment layout). Its single target is "inventory".
#pragma once

#include <chrono>
#include <functional>

#include "probes/probe.h"

namespace cloison {

class inventory_probe final : public probe {
 public:
  using clock_today = std::function<std::chrono::sys_days()>;
  // `today` gives the audit date (injected so that tests control it).
  explicit inventory_probe(clock_today today) : today_(std::move(today)) {}
  static std::chrono::sys_days system_clock_today();

  std::string_view name() const override { return "inventory"; }
  std::span<const fact_spec> facts() const override;
  std::vector<target> plan(const inventory& inv) const override;

 protected:
  observation collect(const inventory& inv, const target& t, deadline until) const override;

 private:
  clock_today today_;
};

}  // namespace cloison
