#include "agent/cli/output_commands.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "agent/cli/cli.h"
#include "agent/cli/console.h"
#include "agent/engine/scoring.h"
#include "agent/report/merge.h"
#include "agent/report/report_html.h"
#include "agent/report/report_junit.h"
#include "core/bounded_read.h"

namespace cloison {

namespace {

// A public key file: a few hundred bytes; anything over 64 KiB is refused unread.
std::string read_key_file(const std::string& path) {
  return read_file_bounded(path, 64 * 1024);
}

}  // namespace

void print_verification(std::ostream& out, const bundle_verification& v,
                        const std::string& key_source, lang l) {
  switch (v.signature) {
    case signature_check::valid:
      out << format(msg::verify_signature_valid, l, {v.fingerprint}) << "\n";
      if (!v.key_pinned)
        out << format(msg::verify_key_not_pinned, l, {v.fingerprint}) << "\n";
      break;
    case signature_check::invalid:
      out << format(msg::verify_signature_invalid, l, {v.fingerprint}) << "\n";
      break;
    case signature_check::bad_key:
      out << format(msg::verify_bad_key, l, {key_source}) << "\n";
      break;
  }
  for (const auto& problem : v.problems) {
    using k = bundle_problem::kind;
    bundle_problem p = problem;  // names from the archive, as they may reach a terminal
    p.path = terminal_safe(p.path);
    switch (p.what) {
      case k::modified:
        out << format(msg::verify_modified, l, {p.path, p.expected, p.actual});
        break;
      case k::missing:
        out << format(msg::verify_missing, l, {p.path, p.expected.empty() ? "-" : p.expected});
        break;
      case k::unexpected:
        out << format(msg::verify_unexpected, l, {p.path, p.actual});
        break;
      case k::duplicate:
        out << format(msg::verify_duplicate, l, {p.path});
        break;
      case k::not_regular:
        out << format(msg::verify_not_regular, l, {p.path});
        break;
      case k::manifest_line:
        out << format(msg::verify_manifest_line, l, {p.path});
        break;
    }
    out << "\n";
  }
  if (v.intact()) {
    out << format(counted::verify_intact, l, static_cast<long long>(v.files_checked)) << "\n";
  } else {
    const auto count = v.problems.size() + (v.signature == signature_check::valid ? 0 : 1);
    out << format(counted::verify_altered, l, static_cast<long long>(count)) << "\n";
  }
}

int verify_command(const std::string& bundle, const std::string& key_file, bool unpinned, lang l) {
  try {
    if (key_file.empty() && !unpinned) {
      print_error("verify", format(msg::verify_key_required, l, {}));
      return kExitUsage;
    }
    std::optional<std::string> pinned;
    if (!key_file.empty()) {
      try {
        pinned = read_key_file(key_file);
      } catch (const std::exception& e) {
        print_error("verify", format(msg::cannot_read, l, {key_file, e.what()}));
        return kExitUsage;
      }
      if (public_key_fingerprint(*pinned).empty()) {
        print_error("verify", format(msg::verify_bad_key, l, {key_file}));
        return kExitUsage;
      }
    }
    bundle_verification v;
    try {
      v = verify_bundle(bundle, pinned);
    } catch (const bundle_unreadable& e) {
      print_error("verify", format(msg::cannot_read, l, {bundle, e.what()}));
      return kExitUsage;
    }
    print_verification(std::cout, v, key_file.empty() ? kPublicKeyFile : key_file, l);
    return v.intact() ? kExitMet : kExitNotMet;
  } catch (const std::exception& e) {
    print_error("verify", e.what());
    return kExitCannotRun;
  }
}

int merge_command(const std::vector<std::string>& files, const std::string& out_dir, lang l) {
  try {
    std::vector<merge_input> inputs;
    for (const auto& f : files) {
      try {
        inputs.push_back({f, read_report(f)});
      } catch (const std::exception& e) {
        print_error("merge", e.what());
        return kExitUsage;
      }
    }
    report merged;
    try {
      merged = merge_reports(inputs);
    } catch (const merge_error& e) {
      print_error("merge", e.text(l));
      return kExitUsage;
    }
    try {
      write_report(merged, out_dir);
      write_file_atomically((std::filesystem::path(out_dir) / "report.xml").string(),
                            render_junit(merged, l));
      write_html(merged, l, nullptr, out_dir);
    } catch (const std::exception& e) {
      print_error("merge", e.what());
      return kExitCannotRun;
    }
    const bool terminal = isatty(STDOUT_FILENO);
    print_summary(std::cout, merged, l, terminal,
                  (std::filesystem::path(out_dir) / "report.json").string());
    return exit_code_of(merged.objectives);
  } catch (const std::exception& e) {
    print_error("merge", e.what());
    return kExitCannotRun;
  }
}

}  // namespace cloison
