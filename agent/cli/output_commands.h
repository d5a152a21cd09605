// The subcommands that work on an audit's outputs rather than on the estate: `cloison verify`
// (an evidence bundle, offline) and `cloison merge` (reports of several vantage points). Each
// prints in `l`, and returns the exit code; they never throw.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "agent/evidence/bundle.h"

namespace cloison {

// Checks the signature against `key_file` (the pinned key), or, only when `unpinned`, against the
// bundle's own agent.pub. Exit code: 0 intact, 1 altered or signature invalid, 2 unreadable bundle,
// a --key file that is no Ed25519 public key, or neither a key file nor `unpinned`.
int verify_command(const std::string& bundle, const std::string& key_file, bool unpinned, lang l);

// Writes `out_dir`/report.json, report.xml and report.html. Exit code: 0 every objective met, 1 one
// not met, 2 unreadable input or reports that cannot be merged, 3 the output cannot be written.
int merge_command(const std::vector<std::string>& files, const std::string& out_dir, lang l);

// What verify prints: the signature verdict, one line per problem, the conclusion.
void print_verification(std::ostream& out, const bundle_verification& v,
                        const std::string& key_source, lang l);

}  // namespace cloison
