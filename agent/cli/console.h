// What the user sees while and after an audit. On a terminal: a progress line (phase, probes
// done/total, elapsed) and a coloured summary. Off a terminal (systemd, pipes, CI): plain log
// lines only, no control characters.
#pragma once

#include <spdlog/common.h>

#include <chrono>
#include <ostream>
#include <string>
#include <string_view>

#include "agent/session/audit.h"

namespace cloison {

class console_listener final : public audit_listener {
 public:
  console_listener(bool terminal, lang l);
  ~console_listener() override;
  void phase(msg name) override;
  void observed(std::size_t done, std::size_t total, const observation& obs) override;

 private:
  void redraw();
  bool terminal_;
  lang lang_;
  msg phase_ = msg::phase_plan;
  std::size_t done_ = 0, total_ = 0;
  std::chrono::steady_clock::time_point started_;
};

// The short human summary: one verdict per objective with its score and counts, the ADS level,
// and the failing and erroring checks.
void print_summary(std::ostream& out, const report& r, lang l, bool colour,
                   const std::string& report_path);

// `text` as it may reach a terminal: control characters (C0 including newline and tab, DEL, C1)
// written as \xNN, so that text from audited systems, reports or bundles cannot move the cursor,
// retitle the window or hide a line. Other bytes are kept.
std::string terminal_safe(std::string_view text);

// Writes "cloison <command>: <text>" (or "cloison: <text>" for an empty command) on stderr, with
// `text` made terminal_safe: error messages carry names and parse errors from files and hosts.
void print_error(std::string_view command, std::string_view text);

enum class log_format { text, json_lines };

// Sets the process-wide logger on stderr, from `level` on: "<time> cloison <level>: <message>"
// lines with the message made terminal_safe, or, for json_lines, one JSON object per line with the
// fields time, level and message (for journald or a log collector).
void setup_logging(spdlog::level::level_enum level, log_format format);

}  // namespace cloison
