#include "agent/cli/console.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>

namespace cloison {

namespace {

std::string seconds_since(std::chrono::steady_clock::time_point t) {
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1fs", static_cast<double>(ms.count()) / 1000.0);
  return buf;
}

const char* colour_of(objective_status s) {
  switch (s) {
    case objective_status::met:
      return "\033[32m";
    case objective_status::not_met:
      return "\033[1;31m";
    case objective_status::incomplete:
      return "\033[1;33m";
    case objective_status::not_applicable:
      return "\033[2m";
  }
  return "";
}

}  // namespace

console_listener::console_listener(bool terminal, lang l)
    : terminal_(terminal), lang_(l), started_(std::chrono::steady_clock::now()) {}

console_listener::~console_listener() {
  if (terminal_)
    std::cerr << "\r\033[K" << std::flush;
}

void console_listener::phase(msg name) {
  phase_ = name;
  if (terminal_) {
    redraw();
  } else {
    spdlog::info("phase {}", text(name, lang::en));
  }
}

void console_listener::observed(std::size_t done, std::size_t total, const observation& obs) {
  done_ = done;
  total_ = total;
  if (terminal_) {
    redraw();
  } else {
    spdlog::info("observed {} {}: {}{} ({} ms, {}/{})", obs.probe, obs.target,
                 to_string(obs.outcome), obs.detail.empty() ? "" : " - " + obs.detail,
                 obs.elapsed.count(), done, total);
  }
}

void console_listener::redraw() {
  std::cerr << "\r\033[K[" << text(phase_, lang_) << "] "
            << format(msg::probes_done, lang_, {std::to_string(done_), std::to_string(total_)})
            << "  " << seconds_since(started_) << std::flush;
}

void print_summary(std::ostream& out, const report& r, lang l, bool colour,
                   const std::string& report_path) {
  const char* reset = colour ? "\033[0m" : "";
  out << format(msg::audit_of, l, {r.establishment}) << "\n";
  for (const auto& o : r.objectives) {
    out << "  " << o.id << "  " << (colour ? colour_of(o.status) : "")
        << text(verdict_name(o.status), l) << reset;
    if (o.score)
      out << "  " << text(msg::score, l) << " " << std::lround(*o.score) << "/100";
    out << "  (" << counts_text(o.counts, l) << ")\n";
    for (const auto& why : o.reasons)
      out << "      - " << reason_text(why, l) << "\n";
  }
  if (r.ads)
    out << "  " << ads_level_text(*r.ads, l) << "\n";
  for (const auto& o : r.observations) {
    for (const auto& note : host_notes(o, l))
      out << "  " << terminal_safe(o.target + ": " + note) << "\n";
  }
  bool first_cause = true;
  for (const auto& cause : r.findings) {
    if (!is_cause(cause))
      continue;
    if (first_cause)
      out << text(msg::causes_heading, l) << "\n";
    first_cause = false;
    const auto dependent = std::count_if(r.findings.begin(), r.findings.end(), [&](const auto& f) {
      return f.cause == cause.check && f.target == cause.target;
    });
    out << "  - "
        << terminal_safe(
               format(counted::cause_line, l, dependent, {cause.target, explanation_of(cause, l)}))
        << "\n";
  }
  for (auto [wanted, heading] : {std::pair{status::fail, msg::failing_checks},
                                 std::pair{status::error, msg::errors_checks}}) {
    bool first = true;
    for (const auto& f : r.findings) {
      if (f.status != wanted || is_cause(f))
        continue;
      if (first)
        out << text(heading, l) << "\n";
      first = false;
      std::string line = "[" + std::string(text(severity_name(f.severity), l)) + "] " + f.check +
                         " @ " + f.target + ": " + f.title.in(l);
      if (wanted == status::error && !f.message.empty())
        line += " (" + explanation_of(f, l) + ")";
      if (wanted == status::fail) {
        auto observed = f.observed.dump(-1, ' ', false, json::error_handler_t::replace);
        if (observed.size() > 160)
          observed = observed.substr(0, 157) + "...";
        line += ": " + observed;
      }
      out << "  - " << terminal_safe(line) << "\n";
    }
  }
  out << format(msg::report_written, l, {report_path}) << "\n";
}

std::string terminal_safe(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    const bool c1 = byte == 0xc2 && i + 1 < text.size() &&
                    static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
                    static_cast<unsigned char>(text[i + 1]) <= 0x9f;
    if (byte < 0x20 || byte == 0x7f || c1) {
      const auto shown = c1 ? static_cast<unsigned char>(text[++i]) : byte;
      char escaped[5];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", shown);
      out += escaped;
    } else {
      out += text[i];
    }
  }
  return out;
}

void print_error(std::string_view command, std::string_view text) {
  std::cerr << "cloison" << (command.empty() ? "" : " ") << command << ": " << terminal_safe(text)
            << "\n";
}

namespace {

// The log pattern with every message made terminal_safe: one line per event, whatever the estate
// wrote in it.
class terminal_safe_formatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    const auto text = terminal_safe(std::string_view(msg.payload.data(), msg.payload.size()));
    auto safe = msg;
    safe.payload = spdlog::string_view_t(text.data(), text.size());
    pattern_.format(safe, dest);
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<terminal_safe_formatter>();
  }

 private:
  spdlog::pattern_formatter pattern_{"%Y-%m-%dT%H:%M:%S%z cloison %l: %v"};
};

// One JSON object per event: {"time", "level", "message"}; bytes that are not UTF-8 replaced.
class json_formatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    spdlog::memory_buf_t time;
    time_.format(msg, time);
    const json line{{"time", std::string(time.data(), time.size())},
                    {"level", std::string_view(spdlog::level::to_string_view(msg.level).data(),
                                               spdlog::level::to_string_view(msg.level).size())},
                    {"message", std::string(msg.payload.data(), msg.payload.size())}};
    const auto text = line.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
    dest.append(text.data(), text.data() + text.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<json_formatter>();
  }

 private:
  spdlog::pattern_formatter time_{"%Y-%m-%dT%H:%M:%S.%e%z", spdlog::pattern_time_type::local, ""};
};

}  // namespace

void setup_logging(spdlog::level::level_enum level, log_format format) {
  auto logger = std::make_shared<spdlog::logger>("cloison",
                                                 std::make_shared<spdlog::sinks::stderr_sink_mt>());
  if (format == log_format::json_lines)
    logger->set_formatter(std::make_unique<json_formatter>());
  else
    logger->set_formatter(std::make_unique<terminal_safe_formatter>());
  logger->set_level(level);
  spdlog::set_default_logger(logger);
}

}  // namespace cloison
