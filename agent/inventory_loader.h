// Loading an inventory file strictly: unknown keys, wrong types, bad addresses and CIDRs,
// duplicate names and dangling references are all reported, each at its file:line:col.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <optional>
#include <string>

#include "agent/diagnostics.h"
#include "agent/inventory.h"

namespace cloison {

// The largest IPv4 segment an inventory may declare (a /16). IPv6 segments are not enumerated and
// have no such limit.
inline constexpr std::uint64_t kMaxSegmentAddresses = 65536;

// Loads and validates `path`. Returns the inventory when there is no diagnostic; otherwise adds
// them all to `out` and returns nullopt. Relative file paths in the inventory are resolved against
// the inventory's folder. Never throws.
std::optional<inventory> load_inventory(const std::string& path, diagnostics& out);

// The same, from a document already parsed (used by `cloison validate`).
std::optional<inventory> read_inventory(const YAML::Node& doc, const std::string& path,
                                        diagnostics& out);

}  // namespace cloison
