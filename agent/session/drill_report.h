// The drill report (docs/isolation-drill.md): drill.json (format "cloison-drill/1"), drill.html
// (French and English, the first language first) and drill.tar.gz, the evidence bundle of the
// drill (both reports and the inventory, signed by the agent's key like an audit's bundle:
// `cloison verify` checks it). When the inventory names a reports folder (isolation.drill.reports),
// the drill's report.json is also kept there as latest.json, and as last-success.json when it
// passed: what the audit's isolation facts read (probes/inventory/inventory_probe.h).
// Rendering is pure; writing is atomic per file and throws std::runtime_error on I/O failure.
#pragma once

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "agent/engine/policy.h"
#include "agent/evidence/agent_key.h"
#include "agent/session/drill.h"

namespace cloison {

inline constexpr const char* kDrillFormat = "cloison-drill/1";

nlohmann::json drill_json(const drill_result& r, const std::string& tool_version);
std::string drill_html(const drill_result& r, lang first);

// The console's account of a drill, in `l`: outcome, failures with the pairs they name, and, when
// the restore failed, the manual restore steps.
std::string drill_summary(const drill_result& r, lang l);
// What to run by hand when the restore failed, in `l`.
std::string manual_restore_steps(const isolation_drill& d, lang l);
// One step of the timeline, in `l`.
std::string event_text(const drill_event& e, lang l);
// "lab-prod (production) -> lab-backup 198.18.2.10 tcp/22".
std::string pair_name(const drill_pair& p);

// Writes drill.json, drill.html and drill.tar.gz (with `inventory_file`) into `out_dir` (created),
// then latest.json and last-success.json into the reports folder when the plan names one.
void write_drill(const drill_result& r, const std::filesystem::path& out_dir, lang first,
                 const agent_key& key, const std::string& inventory_file,
                 const std::string& tool_version);

}  // namespace cloison
