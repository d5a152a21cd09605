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
    entry{msg::cannot_read, "impossible de lire {} : {}", "cannot read {}: {}"},
    entry{msg::bundle_written, "Paquet de preuves signé : {} (clé {})",
          "Signed evidence bundle: {} (key {})"},
    entry{msg::verify_signature_valid,
          "Signature Ed25519 valide sur MANIFEST.sha256 (empreinte de la clé : {})",
          "Valid Ed25519 signature over MANIFEST.sha256 (key fingerprint: {})"},
    entry{msg::verify_key_not_pinned,
          "Attention : clé non épinglée. La signature a été vérifiée avec la clé jointe au paquet "
          "(agent.pub), qui prouve l'intégrité mais pas l'origine : comparez l'empreinte {} avec "
          "celle du champ signing de l'agent, ou vérifiez avec --key.",
          "Warning: key not pinned. The signature was checked with the key shipped in the bundle "
          "(agent.pub), which proves integrity but not origin: compare the fingerprint {} with "
          "the agent's (field signing), or verify with --key."},
    entry{msg::verify_signature_invalid,
          "SIGNATURE INVALIDE : MANIFEST.sig ne signe pas ce MANIFEST.sha256 avec la clé {}",
          "INVALID SIGNATURE: MANIFEST.sig does not sign this MANIFEST.sha256 with key {}"},
    entry{msg::verify_bad_key, "SIGNATURE NON VÉRIFIABLE : {} n'est pas une clé publique Ed25519",
          "SIGNATURE NOT CHECKABLE: {} is not an Ed25519 public key"},
    entry{msg::verify_modified, "MODIFIÉ : {} (SHA-256 attendu {}, obtenu {})",
          "MODIFIED: {} (expected SHA-256 {}, actual {})"},
    entry{msg::verify_missing, "MANQUANT : {} (SHA-256 attendu {})",
          "MISSING: {} (expected SHA-256 {})"},
    entry{msg::verify_unexpected, "AJOUTÉ : {} (absent du manifeste ; SHA-256 {})",
          "ADDED: {} (not in the manifest; SHA-256 {})"},
    entry{msg::verify_duplicate, "DOUBLON : {} figure plusieurs fois dans l'archive",
          "DUPLICATE: {} appears more than once in the archive"},
    entry{msg::verify_not_regular, "SUSPECT : {} n'est pas un fichier ordinaire",
          "SUSPECT: {} is not a regular file"},
    entry{msg::verify_manifest_line,
          "MANIFESTE ILLISIBLE : ligne {} de MANIFEST.sha256 (attendu « <sha256>  <chemin> »)",
          "UNREADABLE MANIFEST: line {} of MANIFEST.sha256 (expected '<sha256>  <path>')"},
    entry{msg::verify_intact, "Paquet intègre : {} fichiers conformes au manifeste signé",
          "Bundle intact: {} files match the signed manifest"},
    entry{msg::verify_altered, "PAQUET ALTÉRÉ : {} problème(s)", "BUNDLE ALTERED: {} problem(s)"},
    entry{msg::merge_nothing, "aucun rapport à fusionner", "no report to merge"},
    entry{msg::merge_establishments_differ,
          "{} concerne l'établissement « {} » et {} l'établissement « {} » : fusion refusée",
          "{} is about establishment '{}' and {} about establishment '{}': not merged"},
    entry{msg::merge_policies_differ,
          "{} n'a pas évalué les mêmes politiques (SHA-256) que {} : fusion refusée",
          "{} did not evaluate the same policies (SHA-256) as {}: not merged"},
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
  return format(m, l, std::vector<std::string>(args));
}

std::string format(msg m, lang l, const std::vector<std::string>& args) {
  std::string out(text(m, l));
  std::size_t from = 0;
  for (const auto& a : args) {
    const auto at = out.find("{}", from);
    if (at == std::string::npos)
      break;
    out.replace(at, 2, a);
    from = at + a.size();  // an argument holding "{}" is not a placeholder
  }
  return out;
}

}  // namespace cloison
