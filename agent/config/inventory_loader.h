// Loading an inventory file strictly: unknown keys, wrong types, bad addresses and CIDRs,
// duplicate names and dangling references are all reported, each at its file:line:col.
#pragma once

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostics.h"
#include "core/inventory.h"

namespace cloison {

// The largest IPv4 segment an inventory may declare (a /16). IPv6 segments are not enumerated and
// have no such limit.
inline constexpr std::uint64_t kMaxSegmentAddresses = 65536;

// Bounds of a host's `output_cap` (and of `cloison collect --output-cap`).
inline constexpr std::uint64_t kMinOutputCap = 1024;
inline constexpr std::uint64_t kMaxOutputCap = 256u << 20;

// The longest `random_delay` of a schedule.
inline constexpr std::chrono::hours kMaxRandomDelay{12};

// A byte count: digits, optionally followed by KiB, MiB or GiB ("4194304", "512KiB", "4MiB").
// nullopt when malformed or beyond 2^63.
std::optional<std::uint64_t> parse_byte_size(std::string_view text);

// A positive duration: digits followed by s, m, h or d ("90s", "30m", "12h", "8d"); nullopt when
// malformed, zero or beyond 100 years.
std::optional<std::chrono::seconds> parse_duration(std::string_view text);

// A value of the inventory and where it is written, for the checks made once the policies are
// known (check_software), or on the machine that will audit (check_files).
struct located_value {
  std::string value;
  int line = 0;  // 1-based
  int column = 0;
};

// What the inventory refers to outside itself.
struct inventory_references {
  std::vector<located_value> files;     // every file it names (resolved), secrets included
  std::vector<located_value> secrets;   // those holding secrets: SSH keys and their passphrases,
                                        // LDAP passwords, keytabs
  std::vector<located_value> software;  // every host's software (port profile names)
  std::vector<located_value> sweeps;    // each reachability sweep's `ports`, in order
};

// Loads and validates `path`. Returns the inventory when there is no diagnostic; otherwise adds
// them all to `out` and returns nullopt. Relative file paths in the inventory are resolved against
// the inventory's folder. Fills `references` when given. Never throws.
std::optional<inventory> load_inventory(const std::string& path, diagnostics& out,
                                        inventory_references* references = nullptr);

// The same, from a document already parsed (used by `cloison validate`).
std::optional<inventory> read_inventory(const YAML::Node& doc, const std::string& path,
                                        diagnostics& out,
                                        inventory_references* references = nullptr);

// Each host's software that names none of `profiles` (the port profiles of the policies),
// located in `file` (the inventory).
void check_software(const inventory_references& references,
                    const std::vector<std::string>& profiles, const std::string& file,
                    diagnostics& out);

// Each sweep that narrows the ports tested from a segment whose role is not administration
// (reachability.sweeps): a service listening elsewhere would go unseen from there. Located in
// `file`; these are warnings, the inventory stays valid.
void warn_narrowing_sweeps(const inventory& inv, const inventory_references& references,
                           const std::string& file, diagnostics& warnings);

// What an audit on this machine would trip on later, located in `file`: a file the inventory
// names that does not exist or that this process cannot read; a secret file readable by its
// group or by others.
void check_files(const inventory_references& references, const std::string& file, diagnostics& out);

// The inventory `cloison audit --local` uses without a configuration file: this machine, read
// with the local runner, as if it were a backup server.
inventory local_machine_inventory();

}  // namespace cloison
