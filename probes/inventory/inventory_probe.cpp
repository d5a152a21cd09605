#include "probes/inventory/inventory_probe.h"

#include <array>
#include <filesystem>

#include "core/bounded_read.h"

namespace cloison {

namespace {

constexpr std::array kFacts{
    fact_spec{
        "inventory.isolation.procedure_declared", fact_type::boolean,
        "an isolation procedure (what cuts the backup zone off, who triggers it) is declared"},
    fact_spec{"inventory.isolation.last_drill_age_days", fact_type::integer,
              "days since the isolation procedure was last drilled (the last drill `cloison "
              "drill` passed, else isolation.last_drill)"},
    fact_spec{"inventory.isolation.last_drill_result", fact_type::text,
              "the outcome of the last drill `cloison drill` recorded (passed, failed, refused, "
              "restore_failed); empty when none is recorded"},
    fact_spec{"inventory.isolation.last_drill_failed", fact_type::boolean,
              "the last drill `cloison drill` recorded did not pass (false when none is "
              "recorded)"},
    fact_spec{"inventory.segments.backup_declared", fact_type::boolean,
              "at least one backup segment is declared"},
    fact_spec{"inventory.segments.overlaps", fact_type::text_list,
              "pairs of declared segments whose CIDRs overlap"},
    fact_spec{"inventory.hosts.in_production_segment", fact_type::text_list,
              "backup hosts whose address lies in a production segment"},
};

constexpr std::size_t kMaxDrillRecordBytes = 16u << 20;

// The drill record `name` of the reports folder: its content, nullopt when there is none; throws
// bounded_read_error when it cannot be read.
std::optional<std::string> drill_file(const std::string& folder, const char* name) {
  const auto path = std::filesystem::path(folder) / name;
  std::error_code absent;
  if (!std::filesystem::exists(path, absent) && !absent)
    return std::nullopt;  // else read_file_bounded says why it cannot be read
  return read_file_bounded(path.string(), kMaxDrillRecordBytes);
}

}  // namespace

std::optional<drill_record> parse_drill_record(std::string_view text) {
  const auto j = json::parse(text, nullptr, false);
  if (!j.is_object() || j.value("format", "") != "cloison-drill/1" || !j.contains("outcome") ||
      !j["outcome"].is_string() || !j.contains("finished_at") || !j["finished_at"].is_string())
    return std::nullopt;
  const auto finished = parse_utc_time(j["finished_at"].get<std::string>());
  if (!finished)
    return std::nullopt;
  return drill_record{j["outcome"].get<std::string>(),
                      std::chrono::floor<std::chrono::days>(*finished)};
}

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
  const auto typed = inv.isolation ? parse_iso_date(inv.isolation->last_drill) : std::nullopt;
  bool drilled = false;  // drill_day is known
  std::chrono::sys_days drill_day{};
  if (typed) {
    drilled = true;
    drill_day = *typed;
  }
  auto drill_ev = ev;
  f["inventory.isolation.last_drill_failed"] = fact::of(false, ev);
  f["inventory.isolation.last_drill_result"] = fact::of("", ev);
  if (inv.isolation && inv.isolation->drill && !inv.isolation->drill->reports.empty()) {
    const auto& folder = inv.isolation->drill->reports;
    for (const char* name : {"latest.json", "last-success.json"}) {
      std::optional<std::string> text;
      try {
        text = drill_file(folder, name);
      } catch (const bounded_read_error& e) {
        f["inventory.isolation.last_drill_failed"] =
            fact::missing(std::string("cannot read the drill record: ") + e.what(), ev);
        continue;
      }
      if (!text)
        continue;
      const std::string id = "drill/" + std::string(name);
      obs.evidence.push_back(make_evidence(id, folder + "/" + name, *text, false));
      const auto record = parse_drill_record(*text);
      if (!record) {
        f["inventory.isolation.last_drill_failed"] =
            fact::missing(folder + "/" + name + " is not a cloison drill report", {id});
        continue;
      }
      if (std::string_view(name) == "latest.json") {
        f["inventory.isolation.last_drill_failed"] =
            fact::of(record->outcome != "passed", std::vector<std::string>{id});
        f["inventory.isolation.last_drill_result"] =
            fact::of(record->outcome, std::vector<std::string>{id});
      } else if (record->outcome == "passed" && (!drilled || record->day > drill_day)) {
        drilled = true;
        drill_day = record->day;
        drill_ev = {id};
      }
    }
  }
  f["inventory.isolation.last_drill_age_days"] =
      drilled ? fact::of((run.today - drill_day).count(), drill_ev)
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
