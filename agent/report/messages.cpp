#include "agent/report/messages.h"

#include <algorithm>
#include <array>

#include "agent/report/local_time.h"
#include "agent/report/report.h"

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
    entry{msg::objective_incomplete, "INCOMPLET", "INCOMPLETE"},
    entry{msg::score, "score", "score"},
    entry{msg::ads_not_proven, "(niveau non prouvé : contrôles non évalués : {})",
          "(level not proven: controls not evaluated: {})"},
    entry{msg::ads_no_level, "AD dédié {} : aucun niveau, l'annuaire n'a pas été lu",
          "Dedicated AD {}: no level, the directory was not read"},
    entry{msg::failing_checks, "Non conformes :", "Failing:"},
    entry{msg::errors_checks, "Sans preuve (erreur) :", "Without evidence (error):"},
    entry{msg::causes_heading, "Cibles illisibles (une cause chacune) :",
          "Targets that could not be read (one cause each):"},
    entry{msg::reason_check_in_error, "le contrôle {} est en erreur (sans preuve)",
          "check {} is in error (no evidence)"},
    entry{msg::reason_target_not_read, "{} n'a pas pu être lu", "{} could not be read"},
    entry{msg::reason_no_forbidden_flow_tested,
          "aucun flux interdit n'a été testé depuis un point de vue en production",
          "no forbidden flow was tested from a vantage point in production"},
    entry{msg::reason_host_not_read, "l'hôte de sauvegarde {} n'a pas été lu",
          "backup host {} was not read"},
    entry{msg::reason_directory_not_read, "l'annuaire {} n'a pas été lu",
          "directory {} was not read"},
    entry{msg::reason_ads_level_below_3,
          "l'AD de sauvegarde dédié est estimé au niveau ADS {} (3 au moins est exigé)",
          "the dedicated backup AD is estimated at ADS level {} (3 or more is required)"},
    entry{msg::reason_ads_control_in_error,
          "le point de contrôle ADS {} (niveau 1 ou 2) est en erreur",
          "ADS control point {} (level 1 or 2) is in error"},
    entry{msg::reason_nothing_tested, "aucun contrôle n'a donné de verdict",
          "no check got a verdict"},
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
    entry{msg::verify_key_required,
          "donnez la clé publique de l'agent, obtenue par un autre canal (--key agent.pub), ou "
          "--unpinned pour vérifier seulement l'intégrité avec la clé jointe au paquet",
          "give the agent's public key, obtained through another channel (--key agent.pub), or "
          "--unpinned to check integrity only, with the key shipped in the bundle"},
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
    entry{msg::merge_nothing, "aucun rapport à fusionner", "no report to merge"},
    entry{msg::merge_establishments_differ,
          "{} concerne l'établissement « {} » et {} l'établissement « {} » : fusion refusée",
          "{} is about establishment '{}' and {} about establishment '{}': not merged"},
    entry{msg::merge_policies_differ,
          "{} n'a pas évalué les mêmes politiques (SHA-256) que {} : fusion refusée",
          "{} did not evaluate the same policies (SHA-256) as {}: not merged"},
    entry{msg::drift_between, "Dérive entre l'audit du {} et celui du {}",
          "Drift between the audit of {} and that of {}"},
    entry{msg::drift_scores, "Scores par objectif :", "Scores per objective:"},
    entry{msg::drift_ads, "Niveau ADS estimé : {} → {}", "Estimated ADS level: {} → {}"},
    entry{msg::drift_regressed, "Régression.", "Regression."},
    entry{msg::drift_not_regressed, "Aucune régression.", "No regression."},
    entry{msg::alert_new_failure, "Nouvelle non-conformité : {} sur {} ({}, gravité {}).",
          "New failure: {} on {} ({}, severity {})."},
    entry{msg::alert_failure_resolved, "Résolu : {} sur {} n'est plus en échec.",
          "Resolved: {} on {} no longer fails."},
    entry{msg::alert_objective_worse, "L'objectif {} s'est dégradé : {} → {}.",
          "Objective {} got worse: {} → {}."},
    entry{msg::alert_objective_better, "L'objectif {} s'est amélioré : {} → {}.",
          "Objective {} improved: {} → {}."},
    entry{msg::alert_objective_changed, "L'objectif {} a changé : {} → {}.",
          "Objective {} changed: {} → {}."},
    entry{msg::alert_ads_dropped,
          "Le niveau ADS estimé de l'AD de sauvegarde dédié a baissé : {} → {}.",
          "The estimated ADS level of the dedicated backup AD dropped: {} → {}."},
    entry{msg::alert_ads_recovered,
          "Le niveau ADS estimé de l'AD de sauvegarde dédié est remonté : {} → {}.",
          "The estimated ADS level of the dedicated backup AD rose: {} → {}."},
    entry{msg::alert_host_key_changed,
          "La clé d'hôte SSH de {} a changé et a été refusée (attaque de l'homme du milieu "
          "possible) : {}",
          "The SSH host key of {} changed and was refused (possible man-in-the-middle): {}"},
    entry{msg::alert_host_key_resolved, "La clé d'hôte SSH de {} n'est plus refusée.",
          "The SSH host key of {} is no longer refused."},
    entry{msg::alert_run_failed, "L'audit n'a pas pu s'exécuter : {}",
          "The audit could not run: {}"},
    entry{msg::alert_run_recovered, "L'audit s'exécute de nouveau.", "The audit runs again."},
    entry{msg::absent, "absent", "absent"},
    entry{msg::none, "aucun", "none"},
    entry{msg::status_pass, "conforme", "pass"},
    entry{msg::status_fail, "non conforme", "fail"},
    entry{msg::status_error, "erreur (sans preuve)", "error (no evidence)"},
    entry{msg::status_not_applicable, "sans objet", "not applicable"},
    entry{msg::status_waived, "dérogé", "waived"},
    entry{msg::status_not_evaluated, "non évalué", "not evaluated"},
    entry{msg::severity_critical, "critique", "critical"},
    entry{msg::severity_high, "élevée", "high"},
    entry{msg::severity_medium, "moyenne", "medium"},
    entry{msg::severity_low, "faible", "low"},
    entry{msg::outcome_ok, "lu", "read"},
    entry{msg::outcome_failed, "lu en partie", "partly read"},
    entry{msg::outcome_error, "illisible", "not read"},
    entry{msg::outcome_timeout, "délai dépassé", "timed out"},
    entry{msg::role_production, "production", "production"},
    entry{msg::role_backup, "sauvegarde", "backup"},
    entry{msg::role_administration, "administration", "administration"},
    entry{msg::role_directory, "annuaire", "directory"},
    entry{msg::role_other, "autre", "other"},
    entry{msg::language_name, "Français", "English"},
    entry{msg::html_title, "Rapport d'isolement des sauvegardes — CaRE D2.03",
          "Backup isolation report — CaRE D2.03"},
    entry{msg::html_establishment, "Établissement", "Establishment"},
    entry{msg::html_started, "Début de l'audit", "Audit started"},
    entry{msg::html_finished, "Fin de l'audit", "Audit finished"},
    entry{msg::html_tool_version, "Version de cloison", "cloison version"},
    entry{msg::html_inventory, "Inventaire", "Inventory"},
    entry{msg::html_vantage, "Point de vue de cet audit", "Vantage point of this audit"},
    entry{msg::html_vantage_none, "aucun : aucun flux testé", "none: no flow tested"},
    entry{msg::html_vantage_short, "Point de vue", "Vantage point"},
    entry{msg::html_policies, "Politiques évaluées", "Policies evaluated"},
    entry{msg::html_auditor, "Pour l'auditeur", "For the auditor"},
    entry{msg::html_run_by, "Audit lancé par", "Run by"},
    entry{msg::html_signing_key, "Clé de signature de l'agent (empreinte SHA-256)",
          "Agent signing key (SHA-256 fingerprint)"},
    entry{msg::html_not_signed, "aucun paquet de preuves signé pour cet audit",
          "no signed evidence bundle for this audit"},
    entry{msg::html_verify_bundle,
          "Vérifier le paquet de preuves hors ligne, avec la clé publique de l'agent remise par "
          "un autre canal (ou avec openssl seul : docs/evidence-bundle.md) :",
          "Verify the evidence bundle offline, with the agent's public key obtained through "
          "another channel (or with openssl alone: docs/evidence-bundle.md):"},
    entry{msg::html_file, "Fichier", "File"},
    entry{msg::html_verdicts, "Verdict par objectif", "Verdict per objective"},
    entry{msg::html_objective, "Objectif", "Objective"},
    entry{msg::html_verdict, "Verdict", "Verdict"},
    entry{msg::html_counts, "Constats", "Findings"},
    entry{msg::html_no_score, "aucun score : rien n'a été jugé", "no score: nothing was judged"},
    entry{msg::html_scoring, "Méthode de calcul (telle qu'enregistrée dans le rapport)",
          "Scoring method (as recorded in the report)"},
    entry{msg::objective_a_name, "Authentification indépendante de l'annuaire de production",
          "Authentication independent of the production directory"},
    entry{msg::objective_b_name,
          "Infrastructure de sauvegarde cloisonnée et isolable en cas d'incident",
          "Backup infrastructure segregated and isolable in an incident"},
    entry{msg::objective_ads_name, "Points de contrôle ANSSI ADS de l'AD dédié",
          "ANSSI ADS control points of the dedicated AD"},
    entry{msg::html_ads, "Niveau ADS de l'AD dédié", "ADS level of the dedicated AD"},
    entry{msg::html_ads_none, "Aucun AD dédié n'a été évalué.", "No dedicated AD was evaluated."},
    entry{msg::html_ads_not_proven,
          "Niveau non prouvé : des contrôles de niveau inférieur n'ont pas été évalués.",
          "Level not proven: controls of a lower level were not evaluated."},
    entry{msg::html_ads_proven, "Niveau prouvé : chaque contrôle de niveau inférieur a été évalué.",
          "Level proven: every control of a lower level was evaluated."},
    entry{msg::html_ads_unsettled,
          "Points de contrôle non évalués, à confirmer par le service ADS de l'ANSSI :",
          "Control points not evaluated, to be confirmed by ANSSI's ADS service:"},
    entry{msg::html_ads_requirement_met, "Exigence D2.03.A (niveau 3 ou plus) : satisfaite.",
          "D2.03.A requirement (level 3 or more): satisfied."},
    entry{msg::html_ads_requirement_not_met,
          "Exigence D2.03.A (niveau 3 ou plus) : NON satisfaite.",
          "D2.03.A requirement (level 3 or more): NOT satisfied."},
    entry{msg::html_ads_requirement_unproven,
          "Exigence D2.03.A (niveau 3 ou plus) : non contredite, mais non prouvée.",
          "D2.03.A requirement (level 3 or more): not disproved, but not proven."},
    entry{msg::html_diagram, "Schéma technique et fonctionnel de la ségrégation (observé)",
          "Technical and functional diagram of the segregation (observed)"},
    entry{msg::html_no_topology,
          "Ce rapport ne contient pas la topologie (rapport d'une version antérieure de cloison).",
          "This report holds no topology (a report of an earlier cloison version)."},
    entry{msg::legend_allowed_open, "flux déclaré, vérifié ouvert depuis ce point de vue",
          "declared flow, found open from this vantage point"},
    entry{msg::legend_allowed_untested, "flux déclaré, non vérifié depuis ce point de vue",
          "declared flow, not verified from this vantage point"},
    entry{msg::legend_forbidden_open, "flux interdit trouvé ouvert (ports indiqués)",
          "forbidden flow found open (ports shown)"},
    entry{msg::legend_vantage, "point de vue (★ : celui de cet audit)",
          "vantage point (★: the one of this audit)"},
    entry{msg::html_forbidden_open, "Flux interdits trouvés ouverts", "Forbidden flows found open"},
    entry{msg::html_forbidden_none, "Aucun flux interdit trouvé ouvert depuis ce point de vue.",
          "No forbidden flow found open from this vantage point."},
    entry{msg::html_declared_flows, "Flux déclarés autorisés", "Declared allowed flows"},
    entry{msg::html_from, "De", "From"},
    entry{msg::html_to, "Vers", "To"},
    entry{msg::html_address, "Adresse", "Address"},
    entry{msg::html_ports, "Ports", "Ports"},
    entry{msg::html_purpose, "Objet", "Purpose"},
    entry{msg::html_findings, "Constats", "Findings"},
    entry{msg::html_no_findings, "Aucun constat.", "No finding."},
    entry{msg::html_status, "Statut", "Status"},
    entry{msg::html_target, "Cible", "Target"},
    entry{msg::html_check, "Contrôle", "Check"},
    entry{msg::html_observed, "Valeur observée", "Observed value"},
    entry{msg::html_expectation, "Attendu", "Expected"},
    entry{msg::html_message, "Explication", "Explanation"},
    entry{msg::html_remediation, "Remédiation", "Remediation"},
    entry{msg::html_waiver, "Dérogation", "Waiver"},
    entry{msg::html_waiver_detail, "{} — responsable : {} — valable jusqu'au {} (déclarée dans {})",
          "{} — owner: {} — valid until {} (declared in {})"},
    entry{msg::html_waiver_expired, "EXPIRÉE : le constat compte de nouveau comme non conforme.",
          "EXPIRED: the finding counts as failing again."},
    entry{msg::html_evidence, "Preuves", "Evidence"},
    entry{msg::html_evidence_source, "Source (commande ou requête)", "Source (command or query)"},
    entry{msg::html_evidence_collected, "Collectée le", "Collected at"},
    entry{msg::html_evidence_truncated, "Tronquée : la sortie dépassait la limite de collecte.",
          "Truncated: the output exceeded the collection cap."},
    entry{msg::html_evidence_missing, "Preuve {} absente du rapport.",
          "Evidence {} is not in the report."},
    entry{msg::html_drift, "Dérive depuis l'audit précédent", "Drift since the previous audit"},
    entry{msg::html_trend, "Évolution des scores", "Score trend"},
    entry{msg::html_trend_caption,
          "Score de chaque objectif (0 à 100) lors des derniers audits du démon, du plus ancien "
          "au plus récent (celui-ci).",
          "Each objective's score (0 to 100) in the daemon's last audits, oldest to newest (this "
          "one)."},
    entry{msg::html_observations, "Observations des sondes", "Probe observations"},
    entry{msg::html_probe, "Sonde", "Probe"},
    entry{msg::html_outcome, "Résultat", "Outcome"},
    entry{msg::html_detail, "Détail", "Detail"},
    entry{msg::html_elapsed, "Durée (ms)", "Time (ms)"},
    entry{msg::html_generated,
          "Généré par cloison {} à partir de report.json ; ce fichier ne charge aucune ressource "
          "externe.",
          "Generated by cloison {} from report.json; this file loads no external resource."},
    entry{msg::host_collected, "faits collectés le {} (fichier signé par la clé {})",
          "facts collected at {} (file signed by key {})"},
    entry{msg::host_key_learned, "clé d'hôte apprise à la première connexion : {}",
          "host key learned on first use: {}"},
    entry{msg::html_fix_first, "À corriger d'abord", "Fix first"},
    entry{msg::html_fix_first_none,
          "Rien à corriger : aucun contrôle n'est non conforme ni en erreur.",
          "Nothing to fix: no check fails or is in error."},
    entry{msg::html_impact_not_met, "{} non atteint tant que ceci n'est pas corrigé",
          "{} not met until this is fixed"},
    entry{msg::html_impact_incomplete, "{} incomplet tant que la preuve manque",
          "{} incomplete until the evidence is there"},
    entry{msg::html_impact_score, "abaisse le score de {}", "lowers the score of {}"},
    entry{msg::html_detail_link, "détail", "details"},
    entry{msg::html_rationale, "Pourquoi", "Why it matters"},
    entry{msg::html_reference, "Référence", "Reference"},
    entry{msg::html_care_reference, "Programme CaRE, objectif {}", "CaRE programme, objective {}"},
    entry{msg::html_anssi_reference,
          "Point de contrôle ANSSI {} (niveau {}), liste publique des points de contrôle Active "
          "Directory du CERT-FR :",
          "ANSSI control point {} (level {}), CERT-FR's public list of Active Directory control "
          "points:"},
    entry{msg::legend_vantage_result,
          "✗ n/m sous un point de vue : n flux interdits trouvés ouverts sur m testés depuis lui "
          "(✓ : aucun ouvert)",
          "✗ n/m under a vantage point: n forbidden flows found open of m tested from it (✓: none "
          "open)"},
    entry{msg::legend_cut_point,
          "✂ point de coupure : la procédure d'isolement de la zone de sauvegarde (date du dernier "
          "exercice ; ✓ réussi, ✗ échoué quand cloison drill l'a mené)",
          "✂ cut point: the procedure that isolates the backup zone (date of its last drill; ✓ "
          "passed, ✗ failed when cloison drill ran it)"},
    entry{msg::audit_no_inventory,
          "aucun inventaire : donnez --config FICHIER, ou --local pour auditer cette machine ({} "
          "n'existe pas)",
          "no inventory: give --config FILE, or --local to audit this machine ({} does not "
          "exist)"},
    entry{msg::audit_nothing_audited, "rien n'a été audité : {}", "nothing audited: {}"},
    entry{msg::audit_cannot_write, "impossible d'écrire le rapport : {}",
          "cannot write the report: {}"},
    entry{msg::drill_title, "Exercice d'isolement de la sauvegarde (CaRE D2.03.B) : {}",
          "Backup isolation drill (CaRE D2.03.B): {}"},
    entry{msg::drill_passed,
          "RÉUSSI : zone de sauvegarde isolée en {} s, isolement maintenu, flux rétablis en {} s",
          "PASSED: backup zone isolated in {} s, isolation held, flows restored in {} s"},
    entry{msg::drill_failed, "ÉCHOUÉ : l'isolement n'a pas été prouvé ; les flux ont été rétablis",
          "FAILED: the isolation was not proven; the flows were restored"},
    entry{msg::drill_refused,
          "REFUSÉ : une vérification préalable a échoué ; aucune commande n'a été exécutée",
          "REFUSED: a pre-check failed; no command was run"},
    entry{msg::drill_restore_failed,
          "RÉTABLISSEMENT EN ÉCHEC : la zone de sauvegarde est peut-être encore isolée, agissez "
          "maintenant",
          "RESTORE FAILED: the backup zone may still be isolated, act now"},
    entry{msg::drill_dry_run,
          "ESSAI À BLANC : vérifications préalables bonnes ; rien n'a été exécuté",
          "DRY RUN: pre-checks passed; nothing was run"},
    entry{msg::drill_would_run,
          "Commandes qui seraient exécutées ({}) :", "Commands that would run ({}):"},
    entry{msg::drill_step_precheck_matrix,
          "Vérification préalable : {} couples conformes à la matrice déclarée",
          "Pre-check: {} pairs match the declared matrix"},
    entry{msg::drill_step_precheck_restorer,
          "Vérification préalable : la machine qui rétablit répond ({})",
          "Pre-check: the machine that restores answers ({})"},
    entry{msg::drill_step_isolate_run, "Commande d'isolement exécutée ({})",
          "Isolate command run ({})"},
    entry{msg::drill_step_isolated, "Zone de sauvegarde isolée, vue de chaque point de vue",
          "Backup zone isolated, seen from every vantage point"},
    entry{msg::drill_step_hold_done, "Isolement maintenu", "Isolation held"},
    entry{msg::drill_step_restore_run, "Commande de rétablissement exécutée ({})",
          "Restore command run ({})"},
    entry{msg::drill_step_restored, "Flux rétablis", "Flows restored"},
    entry{msg::drill_step_interrupted, "Interruption ({}) : rétablissement",
          "Interrupted ({}): restoring"},
    entry{msg::drill_step_vantage_lost, "Point de vue perdu ({}) : rétablissement",
          "Vantage point lost ({}): restoring"},
    entry{msg::drill_step_failed, "Échec", "Failure"},
    entry{msg::drill_fail_off_matrix, "L'état actuel diffère de la matrice déclarée",
          "The current state differs from the declared matrix"},
    entry{msg::drill_fail_nothing_answers,
          "Aucun couple que l'isolement doit couper ne répond avant l'exercice : la coupure ne "
          "pourrait pas se voir",
          "No pair the isolation must cut answers before the drill: the cut could not show"},
    entry{msg::drill_fail_internal_error, "Erreur interne de l'exercice : {}",
          "Internal error of the drill: {}"},
    entry{msg::drill_not_here, "cloison ne tourne pas dans le segment {}",
          "cloison does not run in segment {}"},
    entry{msg::drill_same_machine, "même machine que {}, mesuré une fois",
          "same machine as {}, measured once"},
    entry{msg::drill_fail_restorer_unreachable, "La machine qui rétablit ne répond pas : {}",
          "The machine that restores does not answer: {}"},
    entry{msg::drill_fail_isolate_failed, "La commande d'isolement a échoué : {}",
          "The isolate command failed: {}"},
    entry{msg::drill_fail_not_isolated,
          "Encore joignable (ou flux maintenu fermé) après le délai d'isolement de {} s",
          "Still reachable (or kept flow closed) after the {} s allowed to isolate"},
    entry{msg::drill_fail_isolation_broke, "Redevenu joignable pendant l'isolement",
          "Reachable again during the isolation"},
    entry{msg::drill_fail_restore_failed, "La commande de rétablissement a échoué : {}",
          "The restore command failed: {}"},
    entry{msg::drill_fail_not_restored,
          "Pas revenu à l'état d'avant l'exercice après le délai de rétablissement de {} s",
          "Not back to its state before the drill after the {} s allowed to restore"},
    entry{msg::drill_fail_interrupted, "Exercice interrompu ({})", "Drill interrupted ({})"},
    entry{msg::drill_fail_vantage_lost, "Point de vue perdu : {}", "Vantage point lost: {}"},
    entry{msg::drill_fail_too_long, "Durée maximale de l'exercice atteinte ({})",
          "Maximum drill duration reached ({})"},
    entry{msg::drill_manual_steps,
          "Rétablissez à la main, maintenant : exécutez « {} » sur {}, puis vérifiez que les flux "
          "déclarés passent de nouveau (cloison drill --dry-run).",
          "Restore by hand, now: run “{}” on {}, then check that the declared flows work again "
          "(cloison drill --dry-run)."},
    entry{msg::drill_this_machine, "cette machine", "this machine"},
    entry{msg::drill_confirm_prompt,
          "Cet exercice va couper la zone de sauvegarde de « {} ». Tapez le nom de l'établissement "
          "pour continuer : ",
          "This drill will cut off the backup zone of “{}”. Type the establishment's name to go "
          "on: "},
    entry{msg::drill_confirm_needed,
          "un exercice coupe réellement la zone de sauvegarde : confirmez avec --confirm \"{}\" "
          "(ou sur un terminal)",
          "a drill really cuts the backup zone off: confirm with --confirm \"{}\" (or on a "
          "terminal)"},
    entry{msg::drill_confirm_mismatch,
          "confirmation refusée : « {} » n'est pas le nom de l'établissement",
          "confirmation refused: “{}” is not the establishment's name"},
    entry{msg::drill_no_procedure,
          "l'inventaire ne décrit pas d'exercice (isolation.drill : isolate, restore)",
          "the inventory describes no drill (isolation.drill: isolate, restore)"},
    entry{msg::drill_no_vantage, "aucun point de vue ne peut être mesuré depuis cette machine",
          "no vantage point can be measured from this machine"},
    entry{msg::drill_html_outcome, "Résultat", "Outcome"},
    entry{msg::drill_html_times, "Délais", "Times"},
    entry{msg::drill_html_time_to_isolate, "isolement en {} s (autorisé : {} s)",
          "isolated in {} s (allowed: {} s)"},
    entry{msg::drill_html_time_to_restore, "rétablissement en {} s", "restored in {} s"},
    entry{msg::drill_html_timeline, "Chronologie", "Timeline"},
    entry{msg::drill_html_failures, "Échecs", "Failures"},
    entry{msg::drill_html_procedure, "Procédure", "Procedure"},
    entry{msg::drill_html_isolate, "Isoler", "Isolate"},
    entry{msg::drill_html_restore, "Rétablir", "Restore"},
    entry{msg::drill_html_runs_on, "exécuté sur", "runs on"},
    entry{msg::drill_html_vantage_points, "Points de vue", "Vantage points"},
    entry{msg::drill_html_not_measured, "non mesuré : {}", "not measured: {}"},
    entry{msg::drill_html_flows, "Flux avant, pendant et après l'isolement",
          "Flows before, during and after the isolation"},
    entry{msg::drill_html_pair, "Couple", "Pair"},
    entry{msg::drill_html_kind, "Nature", "Kind"},
    entry{msg::drill_html_before, "Avant", "Before"},
    entry{msg::drill_html_during, "Pendant", "During"},
    entry{msg::drill_html_after, "Après", "After"},
    entry{msg::drill_html_allowed, "flux déclaré", "declared flow"},
    entry{msg::drill_html_kept, "maintenu ouvert", "kept open"},
    entry{msg::drill_html_forbidden, "interdit", "forbidden"},
    entry{msg::drill_html_signed,
          "Signé par la clé de l'agent {} : vérifiez le paquet avec « cloison verify {} »",
          "Signed by the agent key {}: check the bundle with “cloison verify {}”"},
    entry{msg::drill_written, "Rapport d'exercice : {}", "Drill report: {}"},
};

// {fr singular, fr plural, en singular, en plural}
struct counted_entry {
  counted id;
  std::string_view fr_one, fr_other, en_one, en_other;
};

constexpr std::array kCounted{
    counted_entry{counted::passed, "{n} conforme", "{n} conformes", "{n} passed", "{n} passed"},
    counted_entry{counted::failed, "{n} non conforme", "{n} non conformes", "{n} failed",
                  "{n} failed"},
    counted_entry{counted::in_error, "{n} en erreur", "{n} en erreur", "{n} in error",
                  "{n} in error"},
    counted_entry{counted::not_applicable, "{n} sans objet", "{n} sans objet", "{n} not applicable",
                  "{n} not applicable"},
    counted_entry{counted::waived, "{n} dérogé", "{n} dérogés", "{n} waived", "{n} waived"},
    counted_entry{counted::not_evaluated, "{n} non évalué", "{n} non évalués", "{n} not evaluated",
                  "{n} not evaluated"},
    counted_entry{counted::ads_level,
                  "AD dédié {} : niveau estimé {} — {n} point de contrôle non évalué, à confirmer "
                  "par le service ADS de l'ANSSI",
                  "AD dédié {} : niveau estimé {} — {n} points de contrôle non évalués, à "
                  "confirmer par le service ADS de l'ANSSI",
                  "Dedicated AD {}: estimated level {} — {n} control point not evaluated, to be "
                  "confirmed by ANSSI's ADS service",
                  "Dedicated AD {}: estimated level {} — {n} control points not evaluated, to be "
                  "confirmed by ANSSI's ADS service"},
    counted_entry{counted::cause_line, "{} : {} ({n} contrôle non évalué à cause de cela)",
                  "{} : {} ({n} contrôles non évalués à cause de cela)",
                  "{}: {} ({n} check not evaluated because of it)",
                  "{}: {} ({n} checks not evaluated because of it)"},
    counted_entry{counted::drift_new_failures, "Nouvelle non-conformité ({n}) :",
                  "Nouvelles non-conformités ({n}) :", "New failure ({n}):", "New failures ({n}):"},
    counted_entry{counted::drift_resolved, "Constat résolu ({n}) :", "Constats résolus ({n}) :",
                  "Resolved finding ({n}):", "Resolved findings ({n}):"},
    counted_entry{counted::drift_still_failing, "Toujours non conforme ({n}) :",
                  "Toujours non conformes ({n}) :", "Still failing ({n}):", "Still failing ({n}):"},
    counted_entry{counted::verify_intact,
                  "Paquet intègre : {n} fichier conforme au manifeste signé",
                  "Paquet intègre : {n} fichiers conformes au manifeste signé",
                  "Bundle intact: {n} file matches the signed manifest",
                  "Bundle intact: {n} files match the signed manifest"},
    counted_entry{counted::verify_altered, "PAQUET ALTÉRÉ : {n} problème",
                  "PAQUET ALTÉRÉ : {n} problèmes", "BUNDLE ALTERED: {n} problem",
                  "BUNDLE ALTERED: {n} problems"},
    counted_entry{counted::collect_written, "Preuves collectées : {} ({n} commande, clé {})",
                  "Preuves collectées : {} ({n} commandes, clé {})",
                  "Collected evidence: {} ({n} command, key {})",
                  "Collected evidence: {} ({n} commands, key {})"},
    counted_entry{counted::html_evidence_excerpt, "Extrait : {n} premier octet sur {}",
                  "Extrait : {n} premiers octets sur {}", "Excerpt: first {n} byte of {}",
                  "Excerpt: first {n} bytes of {}"},
    counted_entry{counted::html_fix_targets, "{n} cible", "{n} cibles", "{n} target",
                  "{n} targets"},
    counted_entry{counted::html_fix_more,
                  "… et {n} autre contrôle à corriger, dans les constats ci-dessous",
                  "… et {n} autres contrôles à corriger, dans les constats ci-dessous",
                  "… and {n} more check to fix, in the findings below",
                  "… and {n} more checks to fix, in the findings below"},
    counted_entry{counted::html_other_checks,
                  "{n} autre constat : conforme, sans objet ou non évalué",
                  "{n} autres constats : conformes, sans objet ou non évalués",
                  "{n} other finding: passed, not applicable or not evaluated",
                  "{n} other findings: passed, not applicable or not evaluated"},
    counted_entry{counted::config_problems, "{n} problème de configuration ; rien n'a été audité",
                  "{n} problèmes de configuration ; rien n'a été audité",
                  "{n} configuration problem; nothing audited",
                  "{n} configuration problems; nothing audited"},
    counted_entry{counted::validate_problems, "{n} problème trouvé", "{n} problèmes trouvés",
                  "{n} problem found", "{n} problems found"},
};

std::string fill(std::string out, const std::vector<std::string>& args) {
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
  return fill(std::string(text(m, l)), args);
}

std::string format(counted m, lang l, long long n, std::initializer_list<std::string> args) {
  const auto it = std::find_if(kCounted.begin(), kCounted.end(),
                               [&](const counted_entry& e) { return e.id == m; });
  if (it == kCounted.end())
    return "";
  const bool one = l == lang::fr ? (n == 0 || n == 1) : n == 1;
  std::string out(l == lang::fr ? (one ? it->fr_one : it->fr_other)
                                : (one ? it->en_one : it->en_other));
  if (const auto at = out.find("{n}"); at != std::string::npos)
    out.replace(at, 3, std::to_string(n));
  return fill(std::move(out), args);
}

const std::string& explanation_of(const finding& f, lang l) {
  const auto& text = f.explanation.in(l);
  return text.empty() ? f.message : text;
}

std::string counts_text(const status_counts& c, lang l) {
  std::string out;
  for (auto [m, n] :
       {std::pair{counted::passed, c.pass}, std::pair{counted::failed, c.fail},
        std::pair{counted::in_error, c.error}, std::pair{counted::not_applicable, c.not_applicable},
        std::pair{counted::waived, c.waived}, std::pair{counted::not_evaluated, c.not_evaluated}})
    out += (out.empty() ? "" : ", ") + format(m, l, n);
  return out;
}

msg verdict_name(objective_status s) {
  switch (s) {
    case objective_status::met:
      return msg::objective_met;
    case objective_status::not_met:
      return msg::objective_not_met;
    case objective_status::not_applicable:
      return msg::objective_not_applicable;
    case objective_status::incomplete:
      return msg::objective_incomplete;
  }
  return msg::objective_not_met;
}

std::string ads_level_text(const ads_estimate& a, lang l) {
  if (!a.estimated_level)
    return format(msg::ads_no_level, l, {a.directory});
  return format(counted::ads_level, l, static_cast<long long>(a.not_evaluated.size()),
                {a.directory, std::to_string(*a.estimated_level)});
}

std::string reason_text(const verdict_reason& r, lang l) {
  switch (r.kind) {
    case reason_kind::check_in_error:
      return format(msg::reason_check_in_error, l, {r.subject});
    case reason_kind::target_not_read:
      return format(msg::reason_target_not_read, l, {r.subject});
    case reason_kind::no_forbidden_flow_tested:
      return std::string(text(msg::reason_no_forbidden_flow_tested, l));
    case reason_kind::host_not_read:
      return format(msg::reason_host_not_read, l, {r.subject});
    case reason_kind::directory_not_read:
      return format(msg::reason_directory_not_read, l, {r.subject});
    case reason_kind::ads_level_below_3:
      return format(msg::reason_ads_level_below_3, l, {r.subject});
    case reason_kind::ads_control_in_error:
      return format(msg::reason_ads_control_in_error, l, {r.subject});
    case reason_kind::nothing_tested:
      return std::string(text(msg::reason_nothing_tested, l));
  }
  return r.subject;
}

msg status_name(status s) {
  switch (s) {
    case status::pass:
      return msg::status_pass;
    case status::fail:
      return msg::status_fail;
    case status::error:
      return msg::status_error;
    case status::not_applicable:
      return msg::status_not_applicable;
    case status::waived:
      return msg::status_waived;
    case status::not_evaluated:
      return msg::status_not_evaluated;
  }
  return msg::status_error;
}

msg outcome_name(outcome o) {
  switch (o) {
    case outcome::ok:
      return msg::outcome_ok;
    case outcome::failed:
      return msg::outcome_failed;
    case outcome::error:
      return msg::outcome_error;
    case outcome::timeout:
      return msg::outcome_timeout;
  }
  return msg::outcome_error;
}

msg severity_name(severity s) {
  switch (s) {
    case severity::critical:
      return msg::severity_critical;
    case severity::high:
      return msg::severity_high;
    case severity::medium:
      return msg::severity_medium;
    case severity::low:
      return msg::severity_low;
  }
  return msg::severity_medium;
}

std::vector<std::string> host_notes(const observation_summary& o, lang l) {
  std::vector<std::string> notes;
  if (!o.collected_at.empty())
    notes.push_back(
        format(msg::host_collected, l, {local_time_text(o.collected_at), o.collected_by}));
  if (!o.learned_host_key.empty())
    notes.push_back(format(msg::host_key_learned, l, {o.learned_host_key}));
  return notes;
}

}  // namespace cloison
