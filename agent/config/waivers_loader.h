// Loading a waivers file strictly (docs/inventory.md): unknown keys, missing fields, malformed
// dates and empty justifications are all reported, each at its file:line:col.
#pragma once

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <vector>

#include "agent/engine/waivers.h"
#include "core/diagnostics.h"

namespace cloison {

// Loads a waivers file (top-level key `waivers:`, a list). Returns them when there is no
// diagnostic; otherwise reports every problem and returns nullopt. Never throws.
std::optional<std::vector<waiver>> load_waivers(const std::string& path, diagnostics& out);
// The same from a document already parsed (used by `cloison validate`).
std::optional<std::vector<waiver>> read_waivers(const YAML::Node& doc, const std::string& path,
                                                diagnostics& out);

}  // namespace cloison
