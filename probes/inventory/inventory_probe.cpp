#include "probes/inventory/inventory_probe.h"

#include <array>

namespace cloison {

namespace {

constexpr std::array kFacts{
    fact_spec{
        "inventory.isolation.procedure_declared", fact_type::boolean,
        "an isolation procedure (what cuts the backup zone off, who triggers it) is declared"},
    fact_spec{"inventory.isolation.last_drill_age_days", fact_type::integer,
              "days since the isolation procedure was last drilled"},
    fact_spec{"inventory.segments.backup_declared", fact_type::boolean,
              "at least one backup segment is declared"},
    fact_spec{"inventory.segments.overlaps", fact_type::text_list,
              "pairs of declared segments whose CIDRs overlap"},
    fact_spec{"inventory.hosts.in_production_segment", fact_type::text_list,
              "backup hosts whose address lies in a production segment"},
};

}  // namespace

std::span<const fact_spec> inventory_probe::facts() const {
  return kFacts;
}

std::vector<target> inventory_probe::plan(const inventory&, const run_context&) const {
  return {{"inventory", ""}};
}

observation inventory_probe::collect(const inventory& inv, const run_context& run, const target&,
                                     deadline) const {
  observation obs;
  const std::string source = inv.source.empty() ? "(built-in)" : inv.source;
  const std::vector<std::string> ev{"inventory/" + source};
  obs.evidence.push_back(make_evidence(ev.front(), "inventory " + source,
                                       "establishment: " + inv.establishment, false));
  auto& f = obs.facts;

  const bool declared =
      inv.isolation && !inv.isolation->description.empty() && !inv.isolation->triggered_by.empty();
  f["inventory.isolation.procedure_declared"] = fact::of(declared, ev);
  const auto drill = inv.isolation ? parse_iso_date(inv.isolation->last_drill) : std::nullopt;
  f["inventory.isolation.last_drill_age_days"] =
      drill ? fact::of((run.today - *drill).count(), ev)
            : fact::missing("no isolation drill date declared (isolation.last_drill)", ev);

  bool backup = false;
  json overlaps = json::array();
  for (std::size_t i = 0; i < inv.segments.size(); ++i) {
    backup = backup || inv.segments[i].role == segment_role::backup;
    for (std::size_t j = i + 1; j < inv.segments.size(); ++j) {
      for (const auto& a : inv.segments[i].cidrs) {
        for (const auto& b : inv.segments[j].cidrs) {
          if (a.overlaps(b)) {
            overlaps.push_back(inv.segments[i].name + " " + a.to_string() + " <> " +
                               inv.segments[j].name + " " + b.to_string());
          }
        }
      }
    }
  }
  f["inventory.segments.backup_declared"] = fact::of(backup, ev);
  f["inventory.segments.overlaps"] = fact::of(overlaps, ev);

  json in_production = json::array();
  for (const auto& h : inv.hosts) {
    for (const auto& text : h.addresses) {
      const auto address = ip_address::parse(text);
      for (const auto& s : inv.segments) {
        if (s.role != segment_role::production || !address)
          continue;
        for (const auto& c : s.cidrs) {
          if (c.contains(*address))
            in_production.push_back(h.name + " (" + text + " in " + s.name + ")");
        }
      }
    }
  }
  f["inventory.hosts.in_production_segment"] = fact::of(in_production, ev);
  return obs;
}

}  // namespace cloison
