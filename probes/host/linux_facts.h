// What the host probe runs on a backup server and how it reads the outputs into facts: one table
// per system (Linux: linux_facts.cpp; Windows: windows_facts.cpp). Each row of a table declares a
// group of facts in one place: the commands they are read from, their specifications and their
// reader. The command, fact and reader lists the host probe needs are derived from the rows
// (host_table); nothing else lists them. Adding a fact or a command: docs/extending.md.
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
  std::vector<std::string> argv{};  // run as is, never through a shell with outside text
  // Needs root: run through `sudo -n --` on SSH hosts whose inventory allows it. The absolute path
  // of argv[0] that sudoers grants (Debian 12's: sudo compares the program it finds on its
  // secure_path with it; see sudoers_rule). Empty: runs as the audit account.
  std::string_view sudo_path{};
  bool absent_is_empty = false;  // a missing file or program means "not configured"
  std::vector<int> ok_exit_codes{0};
  // What its stderr says when the thing it reads does not exist (a missing program always counts).
  std::string_view absent_marker = "No such file or directory";
  // Applied to the output as soon as it arrives, before readers, evidence or a collected file
  // see it: the secrets it removes never leave the host probe.
  std::string (*hide_secrets)(std::string_view) = nullptr;
  // Applied to the output before it is kept as evidence (e.g. NUL separators shown as newlines);
  // readers see it unchanged.
  std::string (*evidence_text)(std::string_view) = nullptr;
  // When set, builds the argv for this host (`argv` is then unused) from the inventory entry and
  // the outputs of earlier commands (e.g. a path the inventory names, the files another command
  // found). An empty argv means "not run on this host": no evidence, and its readers see an
  // empty output.
  std::vector<std::string> (*argv_for)(const backup_host&, const earlier_outputs&) = nullptr;
  // With argv_for on a privileged command: the argv sudoers must grant on this host whatever the
  // earlier outputs, sudoers wildcards allowed (e.g. `lsattr -- PATH/*`); empty when the command
  // does not run on this host.
  std::vector<std::string> (*sudoers_argv)(const backup_host&) = nullptr;
  // Its output separates records with NUL bytes; any other command's output with a NUL byte is
  // binary, not the text the command prints, and makes its facts missing.
  bool nul_separated = false;

  bool privileged() const { return !sudo_path.empty(); }
  friend bool operator==(const host_command&, const host_command&) = default;
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
  std::vector<command_output> outputs;  // in the order of host_fact_row::commands
};

// One row of a host table: a group of facts, the commands they are read from and their reader.
struct host_fact_row {
  // The commands it reads, in the order reader_input::outputs holds their outputs. A command that
  // several rows read (e.g. `sshd -T`) is one named host_command listed in each of them.
  std::vector<host_command> commands;
  std::vector<fact_spec> facts;  // every fact `read` sets (all of them, always)
  // Reads the facts from the outputs. Not called when one of the commands failed: the host probe
  // then makes the row's facts missing.
  void (*read)(const reader_input& in, fact_map& facts);
};

// The table of one system and the lists the host probe derives from it.
struct host_table {
  std::vector<host_fact_row> rows;     // in the order their readers run
  std::vector<host_command> commands;  // each command once, in the order the rows first list them
  std::vector<fact_spec> facts;        // each fact once, in row order
};

// The table of `rows`, with its commands and facts derived. Throws std::logic_error when two rows
// declare the same fact, list two different commands under one id, or a privileged command built
// from earlier outputs has no sudoers_argv (programming errors).
host_table make_host_table(std::vector<host_fact_row> rows);

const host_table& linux_host_table();
// Windows hosts (PowerShell over OpenSSH, windows_commands.h). Facts shared with Linux hosts
// (identity, privileges) keep their names; Windows-only ones are host.windows.*.
const host_table& windows_host_table();

// Sets fact `name` read from `in`: `value` with the evidence of every input that ran, or, when
// `value` is null, missing because `why` (e.g. the output was not what the parser expects).
void put_fact(fact_map& facts, std::string_view name, json value, const reader_input& in,
              std::string_view why);

// The sudoers line that lets `account` run, as root and without a password, exactly the
// privileged commands of `commands` that run on `host` (those built from earlier outputs through
// their sudoers_argv, e.g. the repository's find and lsattr when `host` has the repository role
// and a repository_path):
//   ACCOUNT ALL=(root) NOPASSWD: /usr/sbin/sshd -T, /usr/bin/ss -H -tlnup, ...
// Arguments are escaped for sudoers (`,` `:` `=`, and `\` so that sudo's wildcard matching reads
// it as itself). Pure. Throws std::invalid_argument when `account` is not a lower-case user name
// ([a-z_][a-z0-9_.-]*) or the repository path is not absolute or holds a character other than
// letters, digits, space and / . _ + @ % ~ - , : = (sudoers could not grant it literally).
std::string sudoers_rule(std::span<const host_command> commands, std::string_view account,
                         const backup_host& host);

}  // namespace cloison
