#include "agent/cli/daemon_commands.h"

#include <charconv>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include <spdlog/spdlog.h>

#include "agent/cli/cli.h"
#include "agent/cli/console.h"
#include "agent/daemon/daemon.h"
#include "agent/history/history.h"
#include "agent/report/drift.h"
#include "agent/report/local_time.h"

#ifndef CLOISON_VERSION
#error "CLOISON_VERSION must be defined by the build"
#endif

namespace cloison {
namespace {

std::string pick(lang l, std::string_view fr, std::string_view en) {
  return std::string(l == lang::fr ? fr : en);
}

std::string state_dir_of(const std::string& option) {
  return option.empty() ? kDefaultStateDir : option;
}

// "D2.03.A not_met 62" for each objective, then the ADS level.
std::string outcome_text(const run_record& run, lang l) {
  if (!run.error.empty())
    return pick(l, "n'a pas pu s'exécuter : ", "could not run: ") + run.error;
  std::string text;
  for (const auto& o : run.objectives) {
    char score[16] = "-";
    if (o.score)
      std::snprintf(score, sizeof score, "%.0f", *o.score);
    text += o.id + " " + std::string(to_string(o.status)) + " " + score + "  ";
  }
  text += pick(l, "niveau ADS ", "ADS level ") +
          (run.ads_level ? std::to_string(*run.ads_level) : std::string("-"));
  return text;
}

void print_run_line(const run_record& run, lang l) {
  std::cout << run.id << (run.baseline ? "*" : "") << '\t' << local_time_text(run.started_at)
            << '\t' << (run.vantage.empty() ? "-" : run.vantage) << '\t' << run.exit_code << '\t'
            << terminal_safe(outcome_text(run, l)) << '\n';
}

int list_runs(const history& h, const history_args& a) {
  const auto runs = h.list(a.limit);
  if (runs.empty()) {
    std::cout << pick(a.language, "Aucune exécution enregistrée.", "No run recorded.") << '\n';
    return kExitMet;
  }
  std::cout << pick(a.language, "exécution\tdébut\tpoint de vue\tcode\trésultat",
                    "run\tstarted\tvantage\texit\toutcome")
            << '\n';
  for (const auto& run : runs)
    print_run_line(run, a.language);
  if (h.baseline())
    std::cout << pick(a.language, "* : la référence épinglée", "* : the pinned baseline") << '\n';
  return kExitMet;
}

int show_run(const history& h, const run_record& run, lang l) {
  print_run_line(run, l);
  if (!run.report_dir.empty())
    std::cout << pick(l, "rapport : ", "report: ") << run.report_dir << "/report.json\n";
  if (!run.bundle.empty())
    std::cout << pick(l, "paquet de preuves : ", "evidence bundle: ") << run.bundle << '\n';
  const auto failing = h.failing_findings(run.id);
  std::cout << failing.size()
            << pick(l, " constat(s) en échec ou en erreur", " failing or error finding(s)")
            << (failing.empty() ? "" : ":") << '\n';
  for (const auto& f : failing)
    std::cout << "  " << to_string(f.status) << '\t' << to_string(f.severity) << '\t' << f.objective
              << '\t' << f.check << '\t' << terminal_safe(f.target) << '\n';
  return kExitMet;
}

int diff_runs(const run_record& before, const run_record& after, lang l) {
  for (const auto* run : {&before, &after}) {
    if (run->report_dir.empty()) {
      print_error("history", pick(l, "l'exécution ", "run ") + std::to_string(run->id) +
                                 pick(l, " n'a pas de rapport (elle n'a pas pu s'exécuter)",
                                      " has no report (it could not run)"));
      return kExitUsage;
    }
  }
  drift d;
  try {
    d = compare_reports(read_report(before.report_dir + "/report.json"),
                        read_report(after.report_dir + "/report.json"));
  } catch (const std::runtime_error& e) {
    print_error("history", e.what());
    return kExitUsage;
  }
  std::cout << pick(l, "De l'exécution ", "From run ") << before.id
            << (before.baseline ? pick(l, " (la référence épinglée)", " (the pinned baseline)")
                                : "")
            << pick(l, " à ", " to ") << after.id << ":\n"
            << describe_drift(d, l);
  return d.regressed() ? kExitNotMet : kExitMet;
}

// The run named on the command line, or nullopt after saying why.
std::optional<run_record> named_run(const history& h, std::optional<std::int64_t> id, lang l) {
  std::optional<run_record> run;
  if (id) {
    run = h.find(*id);
  } else if (auto newest = h.list(1); !newest.empty()) {
    run = newest.front();
  }
  if (!run)
    print_error("history", id ? pick(l, "aucune exécution ", "no run ") + std::to_string(*id)
                              : pick(l, "aucune exécution enregistrée", "no run recorded"));
  return run;
}

struct history_words {
  std::string action;  // list | show | diff | baseline | pin
  std::optional<std::int64_t> run, other;
};

std::optional<std::int64_t> run_number(const std::string& word) {
  std::int64_t n = 0;
  const auto [end, ec] = std::from_chars(word.data(), word.data() + word.size(), n);
  if (ec != std::errc() || end != word.data() + word.size() || n <= 0)
    return std::nullopt;
  return n;
}

// The command line's words as an action and its runs; nullopt when they make no sense.
std::optional<history_words> parse_history_words(const std::vector<std::string>& words) {
  if (words.empty())
    return std::nullopt;
  history_words out{words[0], {}, {}};
  std::size_t first_run = 1, max_runs = 1;
  if (out.action == "list" || (out.action == "baseline" && words.size() == 1)) {
    max_runs = 0;
  } else if (out.action == "baseline" && words[1] == "pin") {
    out.action = "pin";
    first_run = 2;
  } else if (out.action == "diff") {
    max_runs = 2;
  } else if (out.action != "show") {
    return std::nullopt;
  }
  if (words.size() > first_run + max_runs)
    return std::nullopt;
  for (std::size_t i = first_run; i < words.size(); ++i) {
    const auto n = run_number(words[i]);
    if (!n)
      return std::nullopt;
    (i == first_run ? out.run : out.other) = n;
  }
  return out;
}

}  // namespace

int daemon_command(const daemon_args& a) {
  setup_logging(a.verbose ? spdlog::level::debug : spdlog::level::info,
                a.log_format == "json" ? log_format::json_lines : log_format::text);
  daemon_options options;
  options.inventory_file = a.config;
  options.vantage = a.vantage;
  options.state_dir = std::filesystem::absolute(state_dir_of(a.state_dir));
  options.tool_version = CLOISON_VERSION;
  options.language = a.language;
  diagnostics problems;
  try {
    run_daemon(options, problems);
    return kExitMet;
  } catch (const daemon_refused& e) {
    for (const auto& item : problems.sorted())
      spdlog::error("{}", item.to_string());
    spdlog::error("{}", e.what());
    return problems.empty() ? kExitCannotRun : kExitUsage;
  } catch (const std::exception& e) {
    spdlog::error("the daemon stopped: {}", e.what());
    return kExitCannotRun;
  }
}

int history_command(const history_args& a) {
  const lang l = a.language;
  const auto words = parse_history_words(a.words);
  if (!words) {
    std::string given;
    for (const auto& w : a.words)
      given += (given.empty() ? "" : " ") + w;
    print_error("history", pick(l,
                                "attendu : list, show [RUN], diff [RUN [AUTRE]], baseline ou "
                                "baseline pin [RUN] ; reçu : '",
                                "expected list, show [RUN], diff [RUN [OTHER]], baseline or "
                                "baseline pin [RUN]; found '") +
                               given + "'");
    return kExitUsage;
  }
  const std::filesystem::path dir = state_dir_of(a.state_dir);
  if (!std::filesystem::exists(dir / "history.db")) {
    print_error("history", pick(l, "aucun historique dans ", "no history in ") + dir.string());
    return kExitUsage;
  }
  try {
    std::string set_aside;
    history h = history::open(dir, &set_aside);
    if (!set_aside.empty())
      print_error(
          "history",
          pick(l, "historique endommagé, mis de côté : ", "damaged history, moved aside: ") +
              set_aside);
    if (words->action == "list")
      return list_runs(h, a);
    if (words->action == "baseline") {
      const auto pinned = h.baseline();
      if (!pinned) {
        print_error("history", pick(l, "aucune référence épinglée", "no baseline pinned"));
        return kExitUsage;
      }
      return show_run(h, *pinned, l);
    }
    const auto run = named_run(h, words->run, l);
    if (!run)
      return kExitUsage;
    if (words->action == "show")
      return show_run(h, *run, l);
    if (words->action == "pin") {
      h.pin_baseline(run->id);
      std::cout << pick(l, "Référence épinglée : exécution ", "Baseline pinned: run ") << run->id
                << '\n';
      return kExitMet;
    }
    if (words->other) {
      const auto after = named_run(h, words->other, l);
      return after ? diff_runs(*run, *after, l) : kExitUsage;
    }
    const auto before = a.baseline ? h.baseline() : h.previous(run->id);
    if (!before) {
      print_error("history", a.baseline ? pick(l, "aucune référence épinglée", "no baseline pinned")
                                        : pick(l, "aucune exécution avant ", "no run before ") +
                                              std::to_string(run->id));
      return kExitUsage;
    }
    return diff_runs(*before, *run, l);
  } catch (const std::invalid_argument& e) {
    print_error("history", e.what());
    return kExitUsage;
  } catch (const std::exception& e) {
    print_error("history", e.what());
    return kExitCannotRun;
  }
}

}  // namespace cloison
