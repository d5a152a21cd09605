#include "agent/cli/cli.h"

#include <unistd.h>

#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string_view>
#include <vector>

#include "agent/cli/collect_command.h"
#include "agent/cli/console.h"
#include "agent/cli/daemon_commands.h"
#include "agent/cli/drill_command.h"
#include "agent/cli/output_commands.h"
#include "agent/config/inventory_loader.h"
#include "agent/config/policy_loader.h"
#include "agent/config/waivers_loader.h"
#include "agent/config/yaml_reader.h"
#include "agent/daemon/daemon.h"
#include "agent/report/drift.h"
#include "agent/report/report_html.h"
#include "agent/session/audit_job.h"
#include "core/atomic_file.h"
#include "probes/host/linux_facts.h"

#ifndef CLOISON_VERSION
#error "CLOISON_VERSION must be defined by the build"
#endif

namespace cloison {

namespace {

constexpr const char* kDefaultConfig = "/etc/cloison/cloison.yaml";

void print_diagnostics(const diagnostics& d) {
  for (const auto& item : d.sorted())
    std::cerr << terminal_safe(item.to_string()) << "\n";
}

// An inventory, and what an audit on this machine would trip on later: the files it names, its
// hosts' software against its policies' port profiles, every vantage point's matrix. What is
// valid but weakens the audit goes to `warnings`.
void validate_inventory(const YAML::Node& doc, const std::string& path, const probe_set& probes,
                        diagnostics& out, diagnostics& warnings) {
  inventory_references references;
  const auto inv = read_inventory(doc, path, out, &references);
  if (!inv)
    return;
  check_files(references, path, out);
  std::vector<port_profile> profiles;
  for (const auto& p : load_policies(inv->policies, probes, out))
    profiles.insert(profiles.end(), p.port_profiles.begin(), p.port_profiles.end());
  std::vector<std::string> vantage_points;
  for (const auto& v : inv->vantage_points)
    vantage_points.push_back(v.name);
  check_against_policies(*inv, references, profiles, vantage_points, out);
  warn_narrowing_sweeps(*inv, references, path, warnings);
}

// Validates one file of any kind, detected by its content. Returns false when it has problems.
bool validate_file(const std::string& path, const probe_set& probes, diagnostics& out,
                   diagnostics& warnings) {
  const auto before = out.size();
  auto text = read_config_file(path, out);
  if (!text)
    return false;
  auto doc = load_yaml_text(*text, path, out);
  if (!doc)
    return false;
  std::string kind;
  if (doc->IsMap() && (*doc)["checks"]) {
    kind = "policy";
    read_policy(*doc, path, sha256_hex(*text), probes, out);
  } else if (doc->IsMap() && ((*doc)["establishment"] || (*doc)["segments"] || (*doc)["hosts"])) {
    kind = "inventory";
    validate_inventory(*doc, path, probes, out, warnings);
  } else if (doc->IsMap() && (*doc)["waivers"]) {
    kind = "waivers";
    read_waivers(*doc, path, out);
  } else {
    out.add(path, 1, 1,
            "cannot tell what this file is: expected an inventory (establishment, segments, "
            "hosts...), a policy (policy, checks) or a waivers file (waivers)");
    return false;
  }
  if (out.size() != before)
    return false;
  std::cout << path << ": valid " << kind << "\n";
  return true;
}

// The report named by --previous, or nullopt when none; prints why and returns false when it
// cannot be read.
bool read_previous(const char* command, const std::string& path, std::optional<report>& out) {
  if (path.empty())
    return true;
  try {
    out = read_report(path);
    return true;
  } catch (const std::runtime_error& e) {
    print_error(command, std::string("--previous ") + e.what());
    return false;
  }
}

struct audit_args {
  std::string config;
  bool local = false;
  std::string out = "cloison-report";
  std::string language = "fr";
  std::vector<std::string> policies;
  std::string waivers;
  std::string vantage;
  std::vector<std::string> probes;
  std::size_t concurrency = 8;
  bool verbose = false;
  bool quiet = false;
  std::string log_format = "text";
  std::string bundle;    // evidence bundle to write, empty: none
  std::string key_file;  // the agent's signing key (agent_key_path())
  std::string previous;
};

// Throws, naming the path and the reason, when the audit could not write its outputs: creates
// `out_dir` and a temporary file in it, and one beside `bundle` when set (both removed at once).
void check_writable(const std::string& out_dir, const std::string& bundle) {
  std::filesystem::create_directories(out_dir);
  atomic_file{(std::filesystem::path(out_dir) / "report.json").string()};
  if (!bundle.empty())
    atomic_file{bundle};
}

int audit(const audit_args& a) {
  const lang l = *lang_from_string(a.language);
  setup_logging(a.quiet     ? spdlog::level::warn
                : a.verbose ? spdlog::level::debug
                            : spdlog::level::info,
                a.log_format == "json" ? log_format::json_lines : log_format::text);
  audit_request request;
  if (!read_previous("audit", a.previous, request.previous))
    return kExitUsage;
  request.local = a.local;
  if (!a.local) {
    request.inventory_file = a.config.empty() ? kDefaultConfig : a.config;
    if (a.config.empty() && !std::filesystem::exists(request.inventory_file)) {
      print_error("audit", format(msg::audit_no_inventory, l, {request.inventory_file}));
      return kExitUsage;
    }
  }
  request.policy_files = a.policies;
  request.waivers_file = a.waivers;
  request.vantage = a.vantage;
  request.only_probes = a.probes;
  request.concurrency = a.concurrency;
  request.tool_version = CLOISON_VERSION;
  request.out_dir = a.out;
  request.language = l;
  request.bundle = a.bundle;
  request.key_file = a.key_file;

  const auto probes = builtin_probes();
  diagnostics problems;
  std::optional<audit_job> job;
  try {
    job = audit_job::prepare(std::move(request), probes, problems);
  } catch (const audit_refused& e) {
    print_error("audit", e.what());
    return kExitUsage;
  }
  if (!job) {
    print_diagnostics(problems);
    std::cerr << "cloison audit: "
              << format(counted::config_problems, l, static_cast<long long>(problems.size()))
              << "\n";
    return kExitUsage;
  }
  try {
    check_writable(a.out, a.bundle);
  } catch (const std::exception& e) {
    print_error("audit", format(msg::audit_nothing_audited, l, {e.what()}));
    return kExitCannotRun;
  }
  const bool terminal = isatty(STDERR_FILENO) && isatty(STDOUT_FILENO);
  audit_result result;
  {
    console_listener listener(terminal && !a.quiet, l);
    result = job->run(listener);
  }
  try {
    job->write(result);
  } catch (const std::exception& e) {
    print_error("audit", format(msg::audit_cannot_write, l, {e.what()}));
    return kExitCannotRun;
  }
  if (!a.quiet) {
    print_summary(std::cout, result.report, l, terminal,
                  (std::filesystem::path(a.out) / "report.json").string());
    if (const agent_key* key = job->signing_key())
      std::cout << format(msg::bundle_written, l, {a.bundle, key->fingerprint()}) << "\n";
  }
  const int code = result.exit_code();
  if (!terminal)
    spdlog::info("audit finished: exit code {}", code);
  return code;
}

struct report_args {
  std::string in;
  std::string out;
  std::string language = "fr";
  std::string previous;
};

// `cloison report`: report.html again from a report.json, without auditing.
int rerender(const report_args& a) {
  std::optional<report> r, previous;
  try {
    r = read_report(a.in);
  } catch (const std::runtime_error& e) {
    print_error("report", e.what());
    return kExitUsage;
  }
  if (!read_previous("report", a.previous, previous))
    return kExitUsage;
  try {
    std::filesystem::create_directories(a.out);
    write_html(*r, *lang_from_string(a.language), previous ? &*previous : nullptr, a.out);
  } catch (const std::exception& e) {
    print_error("report", "cannot write " + a.out + "/report.html: " + e.what());
    return kExitCannotRun;
  }
  std::cout << (std::filesystem::path(a.out) / "report.html").string() << "\n";
  return kExitMet;
}

// `cloison diff`: 1 when the newer report regressed, 0 otherwise, 2 on unreadable input.
int diff(const std::string& before, const std::string& after, const std::string& language) {
  drift d;
  try {
    d = compare_reports(read_report(before), read_report(after));
  } catch (const std::runtime_error& e) {
    print_error("diff", e.what());
    return kExitUsage;
  }
  std::cout << describe_drift(d, *lang_from_string(language));
  return d.regressed() ? kExitNotMet : kExitMet;
}

// `cloison checks`: one line per check of the policies (`files`, else the built-in ones): id,
// objective, severity, fact, enabled (yes or no), tab-separated. 0 listed, 2 a policy has problems.
int list_checks(const std::vector<std::string>& files) {
  const auto probes = builtin_probes();
  diagnostics problems;
  const auto policies = load_policies(files, probes, problems);
  if (!problems.empty()) {
    print_diagnostics(problems);
    return kExitUsage;
  }
  for (const auto& p : policies) {
    for (const auto& c : p.checks) {
      std::cout << c.id << '\t' << c.objective << '\t' << to_string(c.severity) << '\t' << c.fact
                << '\t' << (c.enabled ? "yes" : "no") << '\n';
    }
  }
  return kExitMet;
}

// `cloison sudoers-rule`: the sudoers line of the host probe's root-only commands for `account`,
// with the repository's when `repository_path` is set. 0 printed, 2 bad account or path.
int print_sudoers_rule(const std::string& account, const std::string& repository_path) {
  backup_host host;
  if (!repository_path.empty()) {
    host.roles.push_back("repository");
    host.repository_path = repository_path;
  }
  try {
    std::cout << sudoers_rule(linux_host_table().commands, account, host) << "\n";
    return kExitMet;
  } catch (const std::invalid_argument& e) {
    print_error("sudoers-rule", e.what());
    return kExitUsage;
  }
}

// The number of single-character edits from `a` to `b`.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j)
    row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// The language of help and of the messages of commands without --lang: the --lang given on the
// command line, else the environment's (LC_ALL, LC_MESSAGES, LANG: French when it starts with
// "fr"), else English, as for any program whose locale is C.
lang command_line_language(int argc, char** argv) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::string_view(argv[i]) == "--lang") {
      if (const auto l = lang_from_string(argv[i + 1]))
        return *l;
    }
  }
  for (const char* name : {"LC_ALL", "LC_MESSAGES", "LANG"}) {
    const char* value = std::getenv(name);
    if (value && *value)
      return std::string_view(value).starts_with("fr") ? lang::fr : lang::en;
  }
  return lang::en;
}

// `cloison help [--lang L] [SUBCOMMAND]`, and a first word that names no subcommand ("did you
// mean"): the exit code when one of them was handled, nullopt to parse the command line as usual.
std::optional<int> help_or_unknown_command(CLI::App& app, int argc, char** argv, lang l) {
  if (argc < 2 || argv[1][0] == '-')
    return std::nullopt;
  const bool help = std::string_view(argv[1]) == "help";
  // `help [--lang L] [SUBCOMMAND]`: the subcommand is the first word that is neither an option
  // nor the value of --lang.
  std::string_view word;
  for (int i = 2; help && i < argc && word.empty(); ++i) {
    if (std::string_view(argv[i]) == "--lang")
      ++i;
    else if (argv[i][0] != '-')
      word = argv[i];
  }
  if (help && word.empty()) {
    std::cout << app.help();
    return kExitMet;
  }
  if (!help)
    word = argv[1];
  const CLI::App* closest = nullptr;
  std::size_t best = 3;  // suggest only within two edits
  for (const auto* c : app.get_subcommands([](const CLI::App*) { return true; })) {
    if (const auto d = edit_distance(word, c->get_name()); d < best) {
      best = d;
      closest = c;
    }
  }
  if (best == 0 && !help)
    return std::nullopt;
  if (best == 0) {
    std::cout << closest->help();
    return kExitMet;
  }
  const std::string unknown(word);
  if (l == lang::fr) {
    print_error("", "commande inconnue « " + unknown + " »" +
                        (closest ? " ; vouliez-vous dire « " + closest->get_name() + " » ?" : "") +
                        " (cloison help liste les commandes)");
  } else {
    print_error("", "unknown command '" + unknown + "'" +
                        (closest ? "; did you mean '" + closest->get_name() + "'?" : "") +
                        " (cloison help lists the commands)");
  }
  return kExitUsage;
}

}  // namespace

int run_cli(int argc, char** argv) noexcept {
  try {
    const lang help_language = command_line_language(argc, argv);
    const auto tr = [&](std::string_view fr, std::string_view en) {
      return std::string(help_language == lang::fr ? fr : en);
    };
    CLI::App app{
        tr("cloison : audite l'isolement d'une infrastructure de sauvegarde (objectif CaRE "
           "D2.03)",
           "cloison: audits the isolation of a backup infrastructure (CaRE objective "
           "D2.03)"),
        "cloison"};
    if (help_language == lang::fr) {
      for (auto [english, french] :
           {std::pair{"Usage", "Utilisation "}, std::pair{"SUBCOMMAND", "COMMANDE"},
            std::pair{"SUBCOMMANDS", "COMMANDES"}, std::pair{"REQUIRED", "OBLIGATOIRE"},
            std::pair{"Positionals", "Arguments"}, std::pair{"Excludes", "Exclut"},
            std::pair{"Needs", "Requiert"}, std::pair{"TEXT", "TEXTE"}, std::pair{"UINT", "ENTIER"},
            std::pair{"INT", "ENTIER"}})
        app.get_formatter()->label(english, french);
    }
    app.set_help_flag("-h,--help",
                      tr("affiche cette aide et s'arrête", "print this help message and exit"));
    app.set_version_flag("--version", std::string("cloison ") + CLOISON_VERSION,
                         tr("affiche la version et s'arrête", "print the version and exit"));
    app.require_subcommand(1);
    app.footer(tr("cloison help COMMANDE : ses options et ses codes de sortie.",
                  "cloison help SUBCOMMAND: its options and exit codes."));

    std::vector<std::string> files;
    auto* validate = app.add_subcommand(
        "validate", tr("Vérifie des fichiers d'inventaire, de politique ou de dérogations ; "
                       "signale chaque problème en fichier:ligne:colonne",
                       "Check inventory, policy or waivers files; report every problem as "
                       "file:line:col"));
    validate
        ->add_option("FILE", files,
                     tr("fichiers à vérifier (nature reconnue au contenu)",
                        "files to check (kind detected by content)"))
        ->required();
    validate->footer(
        tr("Codes de sortie : 0 tous les fichiers sont valides, 2 un problème trouvé "
           "(chacun en fichier:ligne:colonne).",
           "Exit codes: 0 every file valid, 2 a problem found (each as "
           "file:line:col)."));

    audit_args a;
    auto* audit_cmd = app.add_subcommand(
        "audit", tr("Lance les sondes, évalue les politiques, écrit DOSSIER/report.json, "
                    "report.html et report.xml",
                    "Run the probes, evaluate the policies, write DIR/report.json, report.html "
                    "and report.xml"));
    auto* config = audit_cmd->add_option(
        "--config", a.config,
        tr("fichier d'inventaire (par défaut ", "inventory file (default ") + kDefaultConfig + ")");
    audit_cmd
        ->add_flag("--local", a.local,
                   tr("audite cette machine comme serveur de sauvegarde, avec l'exécuteur local",
                      "audit this machine as a backup server, with the local runner"))
        ->excludes(config);
    audit_cmd->add_option("--out", a.out,
                          tr("dossier de report.json et des preuves (par défaut ./cloison-report)",
                             "folder for report.json and the evidence (default ./cloison-report)"));
    audit_cmd
        ->add_option("--lang", a.language,
                     tr("langue du résumé et de report.html : fr (par défaut) ou en",
                        "language of the summary and report.html: fr (default) or en"))
        ->check(CLI::IsMember({"fr", "en"}));
    audit_cmd->add_option(
        "--policy", a.policies,
        tr("fichier de politique (répétable ; par défaut : celui de l'inventaire, sinon la "
           "politique D2.03 intégrée)",
           "policy file (repeatable; default: the inventory's, else the built-in D2.03 policy)"));
    audit_cmd->add_option("--waivers", a.waivers,
                          tr("fichier de dérogations (par défaut : celui de l'inventaire)",
                             "waivers file (default: the inventory's)"));
    audit_cmd->add_option(
        "--vantage", a.vantage,
        tr("le point de vue de cet audit (par défaut : celui dont le segment contient l'adresse "
           "de cette machine)",
           "the vantage point this run stands at (default: the one whose segment holds this "
           "machine's address)"));
    audit_cmd
        ->add_option("--probes", a.probes,
                     tr("ne lance que ces sondes, par ex. inventory,reachability depuis un point "
                        "de vue en production (par défaut : toutes)",
                        "run only these probes, e.g. inventory,reachability from a production "
                        "vantage point (default: all)"))
        ->delimiter(',');
    audit_cmd
        ->add_option("--concurrency", a.concurrency,
                     tr("cibles observées en même temps", "targets observed at once"))
        ->check(CLI::Range(1, 256));
    auto* verbose = audit_cmd->add_flag("-v,--verbose", a.verbose,
                                        tr("journal de mise au point", "debug logging"));
    audit_cmd
        ->add_flag("-q,--quiet", a.quiet,
                   tr("n'affiche que les avertissements et les erreurs (ni progression, ni résumé)",
                      "print nothing but warnings and errors (no progress, no summary)"))
        ->excludes(verbose);
    audit_cmd
        ->add_option("--log-format", a.log_format,
                     tr("lignes de journal en texte (text) ou en JSON (json, un objet par ligne)",
                        "log lines as text or json (one object per line)"))
        ->check(CLI::IsMember({"text", "json"}));
    audit_cmd->footer(
        tr("Codes de sortie : 0 tous les objectifs atteints, 1 un objectif non atteint, 2 erreur "
           "d'utilisation ou de configuration, 3 l'audit n'a pas pu s'exécuter ou écrire ses "
           "résultats, 4 aucun objectif non atteint mais un incomplet (une erreur ou une preuve "
           "manquante).",
           "Exit codes: 0 every objective met, 1 an objective not met, 2 usage or configuration "
           "error, 3 the audit could not run or write its outputs, 4 no objective not met but one "
           "incomplete (an error or missing evidence)."));
    audit_cmd
        ->add_option("--bundle", a.bundle,
                     tr("écrit aussi un paquet de preuves signé FICHIER (.tar.gz ou .tgz ; .tar "
                        "non compressé)",
                        "also write a signed evidence bundle FILE (.tar.gz or .tgz; .tar "
                        "uncompressed)"))
        ->check([bad_name = tr("le nom du paquet doit finir par .tar.gz, .tgz ou .tar",
                               "the bundle's name must end in .tar.gz, .tgz or .tar")](
                    const std::string& f) {
          return f.ends_with(".tar.gz") || f.ends_with(".tgz") || f.ends_with(".tar")
                     ? std::string()
                     : bad_name;
        });
    const std::string key_file_help =
        tr("la clé de signature Ed25519 de l'agent, créée au premier usage (par défaut : $",
           "the agent's Ed25519 signing key, created on first use (default: $") +
        kKeyFileVariable + tr(", sinon ", ", else ") + kDefaultKeyFile + ")";
    audit_cmd->add_option("--key-file", a.key_file, key_file_help);

    std::string bundle_file, pinned_key, verify_language = "fr";
    auto* verify = app.add_subcommand(
        "verify", tr("Vérifie hors ligne un paquet de preuves : la signature, puis le SHA-256 de "
                     "chaque fichier",
                     "Check an evidence bundle offline: signature, then every file's SHA-256"));
    verify
        ->add_option("BUNDLE", bundle_file,
                     tr("le paquet (.tar.gz ou .tar)", "the bundle (.tar.gz or .tar)"))
        ->required();
    bool verify_unpinned = false;
    auto* verify_key = verify->add_option(
        "--key", pinned_key,
        tr("la clé publique de l'agent (PEM), obtenue par un autre canal, qui doit avoir signé",
           "the agent's public key (PEM), obtained through another channel, that must have "
           "signed"));
    verify
        ->add_flag("--unpinned", verify_unpinned,
                   tr("vérifie plutôt avec l'agent.pub joint au paquet : prouve l'intégrité, pas "
                      "l'origine",
                      "check with the bundle's own agent.pub instead: proves integrity, not "
                      "origin"))
        ->excludes(verify_key);
    verify->footer(
        tr("Codes de sortie : 0 intact, 1 altéré ou signature invalide, 2 paquet ou clé "
           "illisible, ou ni --key ni --unpinned.",
           "Exit codes: 0 intact, 1 altered or signature invalid, 2 unreadable bundle or key "
           "file, or neither --key nor --unpinned."));
    const std::string language_help =
        tr("langue : fr (par défaut) ou en", "language: fr (default) or en");
    verify->add_option("--lang", verify_language, language_help)
        ->check(CLI::IsMember({"fr", "en"}));

    std::vector<std::string> merge_files;
    std::string merge_out = "cloison-report", merge_language = "fr";
    auto* merge = app.add_subcommand(
        "merge", tr("Réunit en un seul rapport les report.json de plusieurs points de vue d'un "
                    "même établissement",
                    "Combine the report.json of several vantage points of one establishment into "
                    "one report"));
    merge->add_option("REPORT", merge_files, tr("fichiers report.json", "report.json files"))
        ->required();
    merge
        ->add_option("--out", merge_out,
                     tr("dossier du report.json, du report.xml et du report.html fusionnés",
                        "folder for the merged report.json, report.xml and report.html"))
        ->required();
    merge->add_option("--lang", merge_language, language_help)->check(CLI::IsMember({"fr", "en"}));
    merge->footer(
        tr("Codes de sortie : comme ceux d'audit pour le rapport fusionné (0 atteint, 1 non "
           "atteint, 4 incomplet), 2 un rapport illisible ou des rapports impossibles à fusionner, "
           "3 le résultat ne peut pas être écrit.",
           "Exit codes: as audit's for the merged report (0 met, 1 not met, 4 incomplete), 2 an "
           "unreadable report or reports that cannot be merged, 3 the output cannot be "
           "written."));

    const std::string previous_help =
        tr("un report.json antérieur : report.html montre alors la dérive depuis celui-ci",
           "an earlier report.json: report.html then shows the drift since it");
    audit_cmd->add_option("--previous", a.previous, previous_help);

    collect_args ca;
    std::string collect_language = "fr";
    bool collect_local = false;
    auto* collect = app.add_subcommand(
        "collect", tr("Sur un hôte qui refuse SSH : lance ici les commandes de la sonde d'hôte et "
                      "écrit un fichier de preuves signé pour l'audit (accès dans l'inventaire : "
                      "collected)",
                      "On a host that refuses SSH: run the host probe's commands here and write "
                      "a signed evidence file for the audit (inventory access: collected)"));
    collect
        ->add_flag("--local", collect_local,
                   tr("lit cette machine (le seul mode)", "read this machine (the only mode)"))
        ->required();
    collect
        ->add_option("--out", ca.out,
                     tr("le fichier de preuves à écrire", "the evidence file to write"))
        ->required();
    collect->add_option("--key-file", ca.key_file, key_file_help);
    collect->add_option("--host", ca.host,
                        tr("le nom de cet hôte dans l'inventaire de l'audit (par défaut : son nom "
                           "d'hôte)",
                           "this host's name in the auditing inventory (default: its host name)"));
    collect->add_option("--output-cap", ca.output_cap,
                        tr("octets gardés de la sortie standard et d'erreur de chaque commande : "
                           "un nombre, ou KiB/MiB (par défaut 4MiB)",
                           "bytes kept of each command's stdout and stderr: a count, or KiB/MiB "
                           "(default 4MiB)"));
    collect->add_option("--repository-path", ca.repository_path,
                        tr("un hôte dépôt : le dossier de ses fichiers de sauvegarde (comme le "
                           "repository_path de l'inventaire), pour le contrôle d'immuabilité",
                           "a repository host: the folder of its backup files (as the "
                           "inventory's repository_path), for the immutability check"));
    collect
        ->add_option("--timeout", ca.timeout_s,
                     tr("secondes pour toutes les commandes (par défaut 60)",
                        "seconds for all the commands (default 60)"))
        ->check(CLI::Range(1, 3600));
    collect->add_option("--lang", collect_language, language_help)
        ->check(CLI::IsMember({"fr", "en"}));
    collect->footer(
        tr("Codes de sortie : 0 écrit, 2 une option invalide, une clé inutilisable, ou pas lancé "
           "en root, 3 le fichier ne peut pas être écrit.",
           "Exit codes: 0 written, 2 a bad option, an unusable key, or not run as root, 3 the "
           "file cannot be written."));

    drill_args dr;
    auto* drill = app.add_subcommand(
        "drill", tr("Exercice d'isolement : exécute la procédure d'isolement de l'inventaire, "
                    "mesure la coupure depuis chaque point de vue, rétablit, et écrit un rapport "
                    "signé",
                    "Isolation drill: run the inventory's isolation procedure, measure the cut "
                    "from every vantage point, restore, and write a signed report"));
    drill->add_option("--config", dr.config,
                      tr("l'inventaire (par défaut /etc/cloison/cloison.yaml)",
                         "the inventory (default /etc/cloison/cloison.yaml)"));
    drill->add_option("--policy", dr.policies,
                      tr("politiques dont les profils de ports donnent les ports d'administration "
                         "(par défaut : celles de l'inventaire)",
                         "policies whose port profiles give the management ports (default: the "
                         "inventory's)"));
    drill->add_flag("--dry-run", dr.dry_run,
                    tr("seulement les vérifications préalables, et ce qui serait exécuté",
                       "only the pre-checks, and what would run"));
    drill->add_option("--confirm", dr.confirm,
                      tr("le nom de l'établissement, qui confirme l'exercice (sinon demandé sur "
                         "le terminal)",
                         "the establishment's name, confirming the drill (else asked on the "
                         "terminal)"));
    drill->add_option("--out", dr.out,
                      tr("dossier du rapport (par défaut : un dossier daté dans isolation.drill."
                         "reports, sinon ./cloison-drill)",
                         "folder for the report (default: a dated folder in isolation.drill."
                         "reports, else ./cloison-drill)"));
    drill->add_option("--key-file", dr.key_file, key_file_help);
    drill->add_option("--lang", dr.language, language_help)->check(CLI::IsMember({"fr", "en"}));
    drill->footer(
        tr("Codes de sortie : 0 exercice réussi (essai à blanc : vérifications bonnes), 1 exercice "
           "ou vérification préalable en échec (site rétabli ou jamais touché), 2 configuration "
           "invalide ou pas de confirmation, 3 le rapport ne peut pas être écrit, 5 le "
           "rétablissement a échoué : agissez maintenant.",
           "Exit codes: 0 the drill passed (dry run: the pre-checks did), 1 the drill or a "
           "pre-check failed (the site was restored, or never touched), 2 an invalid "
           "configuration or no confirmation, 3 the report cannot be written, 5 the restore "
           "failed: act now."));

    report_args ra;
    auto* report_cmd = app.add_subcommand(
        "report", tr("Réécrit DOSSIER/report.html à partir d'un report.json, sans auditer",
                     "Write DIR/report.html again from a report.json, without auditing"));
    report_cmd
        ->add_option("--in", ra.in, tr("le report.json à présenter", "the report.json to render"))
        ->required();
    report_cmd->add_option("--out", ra.out, tr("dossier de report.html", "folder for report.html"))
        ->required();
    report_cmd
        ->add_option("--lang", ra.language,
                     tr("langue montrée d'abord : fr (par défaut) ou en",
                        "language shown first: fr (default) or en"))
        ->check(CLI::IsMember({"fr", "en"}));
    report_cmd->add_option("--previous", ra.previous, previous_help);
    report_cmd->footer(
        tr("Codes de sortie : 0 écrit, 2 un report.json illisible, 3 report.html ne peut pas être "
           "écrit.",
           "Exit codes: 0 written, 2 an unreadable report.json, 3 report.html cannot be "
           "written."));

    std::string diff_before, diff_after, diff_language = "fr";
    auto* diff_cmd = app.add_subcommand(
        "diff", tr("Compare deux report.json ; sort avec 1 quand le plus récent a régressé",
                   "Compare two report.json files; exit 1 when the newer one regressed"));
    diff_cmd
        ->add_option("OLD", diff_before, tr("le report.json antérieur", "the earlier report.json"))
        ->required();
    diff_cmd->add_option("NEW", diff_after, tr("le report.json récent", "the newer report.json"))
        ->required();
    diff_cmd->add_option("--lang", diff_language, language_help)
        ->check(CLI::IsMember({"fr", "en"}));
    diff_cmd->footer(
        tr("Codes de sortie : 0 aucune régression, 1 le rapport récent a régressé, "
           "2 une entrée illisible.",
           "Exit codes: 0 no regression, 1 the newer report regressed, 2 unreadable "
           "input."));

    std::vector<std::string> checks_policies;
    auto* checks_cmd = app.add_subcommand(
        "checks", tr("Liste les contrôles des politiques, un par ligne : id, objectif, gravité, "
                     "fait, actif (yes ou no), séparés par des tabulations",
                     "List the checks of the policies, one per line: id, objective, severity, "
                     "fact, enabled (yes or no), tab-separated"));
    checks_cmd->add_option("--policy", checks_policies,
                           tr("fichier de politique (répétable ; par défaut : la politique D2.03 "
                              "intégrée)",
                              "policy file (repeatable; default: the built-in D2.03 policy)"));
    checks_cmd->footer(tr("Codes de sortie : 0 listé, 2 un fichier de politique a des problèmes.",
                          "Exit codes: 0 listed, 2 a policy file has problems."));

    std::string sudoers_account = "cloison-audit", sudoers_repository;
    auto* sudoers = app.add_subcommand(
        "sudoers-rule",
        tr("Affiche la ligne sudoers qui permet au compte d'audit de lancer, par sudo -n, "
           "exactement les commandes de la sonde d'hôte qui exigent root (pour /etc/sudoers.d des "
           "hôtes lus par SSH)",
           "Print the sudoers line that lets the audit account run, through sudo -n, exactly the "
           "host probe's commands that need root (for /etc/sudoers.d on the hosts read over "
           "SSH)"));
    sudoers->add_option("--account", sudoers_account,
                        tr("le compte d'audit (par défaut cloison-audit)",
                           "the audit account (default cloison-audit)"));
    sudoers->add_option("--repository-path", sudoers_repository,
                        tr("un hôte dépôt : son repository_path, tel que l'inventaire l'écrit ; "
                           "ajoute find et lsattr de ses fichiers de sauvegarde",
                           "a repository host: its repository_path, as the inventory writes it; "
                           "adds find and lsattr of its backup files"));
    sudoers->footer(
        tr("Codes de sortie : 0 affiché, 2 un nom de compte ou un chemin de dépôt "
           "invalide.",
           "Exit codes: 0 printed, 2 a bad account name or repository path."));
    daemon_args da;
    std::string daemon_language = "fr";
    auto* daemon_cmd = app.add_subcommand(
        "daemon",
        tr("Audite selon le calendrier de l'inventaire et à la demande (SIGUSR1, POST /run), "
           "garde l'historique, alerte sur les dérives ; s'arrête sur SIGTERM",
           "Audit on the inventory's schedule and on demand (SIGUSR1, POST /run), keep the "
           "history, alert on drift; stop on SIGTERM"));
    daemon_cmd->add_option(
        "--config", da.config,
        tr("fichier d'inventaire (par défaut ", "inventory file (default ") + kDefaultConfig + ")");
    daemon_cmd->add_option("--state-dir", da.state_dir,
                           tr("dossier d'état : historique, rapports, clés apprises (par défaut ",
                              "state folder: history, reports, learned keys (default ") +
                               kDefaultStateDir + ")");
    daemon_cmd->add_option(
        "--vantage", da.vantage,
        tr("le point de vue des audits (par défaut : celui dont le segment contient l'adresse "
           "de cette machine)",
           "the vantage point the audits stand at (default: the one whose segment holds this "
           "machine's address)"));
    daemon_cmd
        ->add_option("--log-format", da.log_format,
                     tr("journal : text (par défaut) ou json (un objet par ligne)",
                        "log format: text (default) or json (one object per line)"))
        ->check(CLI::IsMember({"text", "json"}));
    daemon_cmd->add_flag("-v,--verbose", da.verbose,
                         tr("journal de mise au point", "debug logging"));
    daemon_cmd->add_option("--lang", daemon_language, language_help)
        ->check(CLI::IsMember({"fr", "en"}));
    daemon_cmd->footer(
        tr("Signaux : SIGUSR1 lance un audit, SIGHUP recharge la configuration, SIGTERM arrête. "
           "Codes de sortie : 0 arrêté, 2 une configuration invalide (problèmes en "
           "fichier:ligne:colonne), 3 le dossier d'état est utilisé par un autre démon ou "
           "inutilisable.",
           "Signals: SIGUSR1 runs an audit, SIGHUP reloads the configuration, SIGTERM stops. "
           "Exit codes: 0 stopped, 2 an invalid configuration (problems as file:line:col), 3 the "
           "state folder is used by another daemon or unusable."));

    history_args ha;
    std::string history_language = "fr";
    auto* history_cmd = app.add_subcommand(
        "history",
        tr("Les audits enregistrés par le démon : list, show [RUN], diff [RUN [AUTRE]], "
           "baseline [pin RUN]",
           "The audits the daemon recorded: list, show [RUN], diff [RUN [OTHER]], baseline "
           "[pin RUN]"));
    history_cmd
        ->add_option(
            "ACTION", ha.words,
            tr("list : les exécutions, la plus récente d'abord ; show RUN : une exécution "
               "et ses constats en échec ; diff RUN [AUTRE] : la dérive de RUN à AUTRE "
               "(sans AUTRE : de l'exécution qui précède RUN à RUN) ; baseline : la "
               "référence épinglée ; baseline pin RUN : l'épingle (RUN par défaut : la "
               "plus récente)",
               "list: the runs, newest first; show RUN: a run and its failing findings; "
               "diff RUN [OTHER]: the drift from RUN to OTHER (without OTHER: from the run "
               "before RUN to RUN); baseline: the pinned baseline; baseline pin RUN: pins "
               "it (RUN by default: the newest)"))
        ->required();
    history_cmd->add_option(
        "--state-dir", ha.state_dir,
        tr("dossier d'état du démon (par défaut ", "the daemon's state folder (default ") +
            kDefaultStateDir + ")");
    history_cmd->add_option("--limit", ha.limit,
                            tr("list : nombre d'exécutions montrées (0 : toutes ; par défaut 30)",
                               "list: how many runs to show (0: all; default 30)"));
    history_cmd->add_flag("--baseline", ha.baseline,
                          tr("diff : compare RUN à la référence épinglée",
                             "diff: compare RUN with the pinned baseline"));
    history_cmd->add_option("--lang", history_language, language_help)
        ->check(CLI::IsMember({"fr", "en"}));
    history_cmd->footer(
        tr("Codes de sortie : 0 fait (diff : pas de régression), 1 diff : régression, 2 pas "
           "d'historique, pas d'exécution de ce numéro ou un rapport illisible, 3 l'historique "
           "ne peut pas être lu.",
           "Exit codes: 0 done (diff: no regression), 1 diff: regressed, 2 no history, no such "
           "run or an unreadable report, 3 the history cannot be read."));

    for (auto* command : app.get_subcommands([](const CLI::App*) { return true; }))
      command->group(tr("Commandes", "Subcommands"));

    if (const auto early = help_or_unknown_command(app, argc, argv, help_language))
      return *early;
    try {
      app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
      const int code = app.exit(e);
      return code == 0 ? kExitMet : kExitUsage;
    }
    if (*validate) {
      const auto probes = builtin_probes();
      diagnostics problems;
      diagnostics warnings;
      bool ok = true;
      for (const auto& f : files)
        ok = validate_file(f, probes, problems, warnings) && ok;
      print_diagnostics(warnings);
      print_diagnostics(problems);
      if (!ok)
        std::cerr << format(counted::validate_problems, help_language,
                            static_cast<long long>(problems.size()))
                  << "\n";
      return ok ? kExitMet : kExitUsage;
    }
    if (*verify)
      return verify_command(bundle_file, pinned_key, verify_unpinned,
                            *lang_from_string(verify_language));
    if (*merge)
      return merge_command(merge_files, merge_out, *lang_from_string(merge_language));
    if (*report_cmd)
      return rerender(ra);
    if (*collect) {
      ca.language = *lang_from_string(collect_language);
      return collect_command(ca);
    }
    if (*drill) {
      dr.config = dr.config.empty() ? kDefaultConfig : dr.config;
      dr.tool_version = CLOISON_VERSION;
      return drill_command(dr);
    }
    if (*diff_cmd)
      return diff(diff_before, diff_after, diff_language);
    if (*daemon_cmd) {
      da.config = da.config.empty() ? kDefaultConfig : da.config;
      da.language = *lang_from_string(daemon_language);
      return daemon_command(da);
    }
    if (*history_cmd) {
      ha.language = *lang_from_string(history_language);
      return history_command(ha);
    }
    if (*checks_cmd)
      return list_checks(checks_policies);
    if (*sudoers)
      return print_sudoers_rule(sudoers_account, sudoers_repository);
    return audit(a);
  } catch (const std::exception& e) {
    print_error("", std::string("the audit could not run: ") + e.what());
  } catch (...) {
    std::cerr << "cloison: the audit could not run (unknown error)\n";
  }
  return kExitCannotRun;
}

}  // namespace cloison
