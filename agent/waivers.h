// Waivers: accepted risks. A waiver names a check, optionally a target, a justification, an owner
// and an expiry date. It turns a failing finding into `waived` until it expires; an expired waiver
// leaves the finding failing and is shown as expired. Waivers never hide a finding.
#pragma once

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <vector>

#include "core/diagnostics.h"

namespace cloison {

struct waiver {
  std::string check;
  std::string target;  // empty: every target of the check
  std::string justification;
  std::string owner;
  std::string expires;  // YYYY-MM-DD, last day the waiver holds
  std::string file;     // where it was declared, "file:line"
  friend bool operator==(const waiver&, const waiver&) = default;
};

// Loads a waivers file (top-level key `waivers:`, a list). Returns them when there is no
// diagnostic; otherwise reports every problem and returns nullopt. Never throws.
std::optional<std::vector<waiver>> load_waivers(const std::string& path, diagnostics& out);
std::optional<std::vector<waiver>> read_waivers(const YAML::Node& doc, const std::string& path,
                                                diagnostics& out);

}  // namespace cloison
