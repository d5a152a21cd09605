// What the host probe runs on a backup server (Linux: linux_facts.cpp; Windows: windows_facts.cpp)
// and how it reads the outputs into facts.
// Gathering (the fixed, read-only commands) is separate from reading (pure functions over the
// outputs, built on linux_parsers.h and linux_system_parsers.h). Thread-safe (read-only tables).
#pragma once

#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/inventory.h"
#include "probes/probe.h"

namespace cloison {

// The stdout of the commands run before, by id (those that ran fine only), for the commands whose
// argv is built from them.
using earlier_outputs = std::map<std::string_view, std::string_view>;

struct host_command {
  std::string_view id;
  std::vector<std::string> argv;  // run as is, never through a shell with outside text
  bool privileged = false;        // needs root: `sudo -n --` on SSH hosts whose inventory allows it
  bool absent_is_empty = false;   // a missing file or program means "not configured"
  std::vector<int> ok_exit_codes{0};
  // What its stderr says when the thing it reads does not exist (a missing program always counts).
  std::string_view absent_marker = "No such file or directory";
  // Applied to the output before it is kept as evidence (secrets out); readers see it unchanged.
  std::string (*redact)(std::string_view) = nullptr;
  // When set, builds the argv for this host (`argv` is then unused) from the inventory entry and
  // the outputs of earlier commands (e.g. a path the inventory names, the files another command
  // found). An empty argv means "not run on this host": no evidence, and its readers see an
  // empty output.
  std::vector<std::string> (*argv_for)(const backup_host&, const earlier_outputs&) = nullptr;
  // Its output separates records with NUL bytes; any other command's output with a NUL byte is
  // binary, not the text the command prints, and makes its facts missing.
  bool nul_separated = false;
};

// The output of one command, as the readers see it.
struct command_output {
  std::string_view text;   // stdout ("" when absent or not run)
  std::string evidence;    // id of the evidence item that holds it ("" when not run)
  bool truncated = false;  // the output was cut at the collection cap
};

using fact_map = std::map<std::string, fact>;

struct reader_input {
  const inventory& inv;
  const run_context& run;  // the policies' port profiles
  const backup_host& host;
  std::vector<command_output> outputs;  // in the order of fact_reader::inputs
};

// Reads some facts from the outputs of some commands. When one of its inputs failed, the host
// probe marks its facts missing instead of calling it.
struct fact_reader {
  std::vector<std::string_view> inputs;  // command ids
  std::vector<std::string_view> facts;   // the facts it sets (all of them, always)
  void (*read)(const reader_input& in, fact_map& facts);
};

// Sets fact `name` read from `in`: `value` with the evidence of every input that ran, or, when
// `value` is null, missing because `why` (e.g. the output was not what the parser expects).
void put_fact(fact_map& facts, std::string_view name, json value, const reader_input& in,
              std::string_view why);

std::span<const host_command> linux_commands();
std::span<const fact_reader> linux_readers();
std::span<const fact_spec> linux_facts();

// The same for Windows hosts (PowerShell over OpenSSH, windows_commands.h). Facts shared with
// Linux hosts (identity, privileges) keep their names; Windows-only ones are host.windows.*.
std::span<const host_command> windows_host_commands();
std::span<const fact_reader> windows_readers();
std::span<const fact_spec> windows_facts();

}  // namespace cloison
