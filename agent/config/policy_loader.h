// Loading policy files strictly: unknown keys, wrong types, duplicate check ids, unknown probes or
// facts, unknown matchers, matchers that cannot judge the fact's type and invalid regular
// expressions are all reported at file:line:col.
#pragma once

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <string_view>

#include "agent/engine/policy.h"
#include "core/diagnostics.h"
#include "probes/registry.h"

namespace cloison {

// Loads and validates the policy at `path` against the facts that `probes` produce. Returns the
// policy when there is no diagnostic; otherwise adds them to `out` and returns nullopt.
std::optional<policy> load_policy(const std::string& path, const probe_set& probes,
                                  diagnostics& out);
// The same from text (embedded policies); `name` stands for the file in diagnostics.
std::optional<policy> load_policy_text(std::string_view text, const std::string& name,
                                       const probe_set& probes, diagnostics& out);
// The same from a parsed document whose bytes hash to `sha256` (used by `cloison validate`).
std::optional<policy> read_policy(const YAML::Node& doc, const std::string& name,
                                  const std::string& sha256, const probe_set& probes,
                                  diagnostics& out);

// The policies of an audit: those of `files` in order, or the built-in ones (policies/*.yaml
// compiled in, embedded_policies.h) when `files` is empty, then checked for check ids unique
// across them (check_unique_ids, agent/engine/policy_checks.h). Every problem goes to `out`;
// the policies that loaded are returned.
std::vector<policy> load_policies(const std::vector<std::string>& files, const probe_set& probes,
                                  diagnostics& out);

}  // namespace cloison
