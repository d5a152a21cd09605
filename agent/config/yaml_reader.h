// Strict, located reading of YAML configuration (yaml-cpp). Loaders use it to check shapes, keys
// and scalar types; every problem becomes a diagnostic with file:line:col and reading goes on, so
// that one run reports all problems. Not thread-safe (one reader per file being loaded).
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "core/diagnostics.h"
#include "core/observation.h"

namespace cloison {

// Files larger than this are refused before parsing. yaml-cpp's tree costs about 50 bytes per
// byte read: 2 MiB (an inventory of 10,000 hosts) is read in about 115 MB and 1 s at most.
inline constexpr std::uintmax_t kMaxConfigBytes = 2u << 20;

// Reads a configuration file's bytes, refusing files larger than kMaxConfigBytes. On failure adds
// a diagnostic and returns nullopt. Never throws.
std::optional<std::string> read_config_file(const std::string& path, diagnostics& out);
// Reads and parses a YAML file. On any failure (unreadable, too large, not UTF-8 text, syntax
// error, excessive nesting) adds a located diagnostic and returns nullopt. Never throws.
std::optional<YAML::Node> load_yaml_file(const std::string& path, diagnostics& out);
// The same for text already in memory; `name` is used as the file name in diagnostics.
std::optional<YAML::Node> load_yaml_text(std::string_view text, const std::string& name,
                                         diagnostics& out);

class yaml_reader {
 public:
  yaml_reader(std::string file, diagnostics& out) : file_(std::move(file)), out_(out) {}

  const std::string& file() const { return file_; }

  // Adds a diagnostic located at `at`, or unlocated (line 0) when `at` is absent: the value of a
  // missing key (that expect_map reports, located, as missing). Every function below takes absent
  // nodes too (an absent node is no map, list or text) and never throws.
  void error(const YAML::Node& at, std::string message);
  // The same, located `offset` bytes into the text of the scalar `at` (its opening quote, if
  // quoted, skipped; columns count characters, as yaml-cpp's do). Exact for a value written on one
  // line with no escape sequence before `offset`.
  void error_within(const YAML::Node& at, std::size_t offset, std::string message);

  // Checks that `node` is a map with no keys outside `allowed`, no duplicate keys, and every key
  // of `required`. Reports each problem; returns false only when `node` is not a map at all.
  bool expect_map(const YAML::Node& node, std::string_view what,
                  std::initializer_list<std::string_view> allowed,
                  std::initializer_list<std::string_view> required = {});
  // Checks that `node` is a sequence; reports and returns false otherwise.
  bool expect_sequence(const YAML::Node& node, std::string_view what);

  // Typed optional fields of a map. Absent key: nullopt, no diagnostic. Present with the wrong
  // type: a diagnostic and nullopt.
  std::optional<std::string> text(const YAML::Node& map, std::string_view key);
  std::optional<std::int64_t> integer(const YAML::Node& map, std::string_view key, std::int64_t min,
                                      std::int64_t max);
  std::optional<bool> boolean(const YAML::Node& map, std::string_view key);
  // A sequence of strings (a single string is not accepted).
  std::optional<std::vector<std::string>> texts(const YAML::Node& map, std::string_view key);

  // The value of a plain scalar node as a string, or a diagnostic and nullopt.
  std::optional<std::string> scalar_text(const YAML::Node& node, std::string_view what);

 private:
  std::string file_;
  diagnostics& out_;
};

// Converts YAML to JSON with YAML 1.2 core-schema typing: quoted scalars are strings; plain
// scalars become null (~, null), booleans (true, false), integers, floats, or strings.
json yaml_to_json(const YAML::Node& node);

}  // namespace cloison
