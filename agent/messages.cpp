#include "agent/messages.h"

#include <array>

namespace cloison {

namespace {

struct entry {
  msg id;
  std::string_view fr;
  std::string_view en;
};

constexpr std::array kCatalogue{
    entry{msg::audit_of, "Audit d'isolement des sauvegardes (CaRE D2.03) : {}",
          "Backup isolation audit (CaRE D2.03): {}"},
    entry{msg::objective_met, "atteint", "met"},
    entry{msg::objective_not_met, "NON ATTEINT", "NOT MET"},
    entry{msg::objective_not_applicable, "sans objet", "not applicable"},
    entry{msg::score, "score", "score"},
    entry{msg::findings_line,
          "{} conformes, {} non conformes, {} en erreur, {} sans objet, {} dérogés",
          "{} pass, {} fail, {} error, {} not applicable, {} waived"},
    entry{msg::ads_level, "AD dédié {} : niveau ADS estimé {}",
          "Dedicated AD {}: estimated ADS level {}"},
    entry{msg::ads_not_proven, "(niveau non prouvé : contrôles non évalués : {})",
          "(level not proven: controls not evaluated: {})"},
    entry{msg::failing_checks, "Non conformes :", "Failing:"},
    entry{msg::errors_checks, "Sans preuve (erreur) :", "Without evidence (error):"},
    entry{msg::report_written, "Rapport : {}", "Report: {}"},
    entry{msg::phase_plan, "planification", "planning"},
    entry{msg::phase_collect, "collecte", "collecting"},
    entry{msg::phase_evaluate, "évaluation", "evaluating"},
    entry{msg::phase_report, "rapport", "reporting"},
    entry{msg::probes_done, "sondes {}/{}", "probes {}/{}"},
};

}  // namespace

std::string_view text(msg m, lang l) {
  for (const auto& e : kCatalogue) {
    if (e.id == m)
      return l == lang::fr ? e.fr : e.en;
  }
  return "";
}

std::string format(msg m, lang l, std::initializer_list<std::string> args) {
  std::string out(text(m, l));
  for (const auto& a : args) {
    const auto at = out.find("{}");
    if (at == std::string::npos)
      break;
    out.replace(at, 2, a);
  }
  return out;
}

}  // namespace cloison
