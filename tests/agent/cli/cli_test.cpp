// The built `cloison` binary, run as a user would: exit codes, messages, files written.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "agent/config/policy_loader.h"
#include "agent/evidence/agent_key.h"
#include "agent/report/report.h"
#include "probes/host/collected_evidence.h"
#include "probes/host/host_probe.h"
#include "probes/host/linux_facts.h"
#include "probes/registry.h"
#include "probes/transport/local_runner.h"
#include "tests/support.h"

namespace cloison {
namespace {

using testing::data_path;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::temp_dir;

command_result cloison(std::vector<std::string> args) {
  args.insert(args.begin(), CLOISON_BINARY);
  return local_runner().run(args, std::chrono::steady_clock::now() + std::chrono::seconds(60),
                            kDefaultOutputCap);
}

std::string days_ago(int n) {
  const auto d = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now()) -
                 std::chrono::days(n);
  const std::chrono::year_month_day ymd{d};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

TEST(Cli, VersionAndUsage) {
  auto r = cloison({"--version"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "cloison 0.1.0\n");
  EXPECT_EQ(cloison({}).exit_code, 2);
  EXPECT_EQ(cloison({"frobnicate"}).exit_code, 2);
  EXPECT_EQ(cloison({"audit", "--lang", "de", "--local"}).exit_code, 2);
  EXPECT_EQ(cloison({"audit", "--local", "--config", "x.yaml"}).exit_code, 2);
  auto help = cloison({"audit", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_THAT(help.out, HasSubstr("--local"));
}

// Issue 20: `cloison audti` and `cloison help` answered "A subcommand is required", and one
// exit-code footer, wrong for verify, collect and validate, was shown under every subcommand.
TEST(Cli, HelpAndDidYouMeanNameTheCommandsAndTheirOwnExitCodes) {
  const auto typo = cloison({"audti", "--local"});
  EXPECT_EQ(typo.exit_code, 2);
  EXPECT_THAT(typo.err, HasSubstr("unknown command 'audti'; did you mean 'audit'?"));
  EXPECT_THAT(cloison({"frobnicate"}).err, Not(HasSubstr("did you mean")));
  const auto help = cloison({"help"});
  EXPECT_EQ(help.exit_code, 0);
  const std::map<std::string, std::string> footers{
      {"validate", "Exit codes: 0 every file valid, 2 a problem found"},
      {"audit", "4 no objective not met but one incomplete"},
      {"verify", "Exit codes: 0 intact, 1 altered or signature invalid"},
      {"merge", "Exit codes: as audit's for the merged report"},
      {"collect", "2 a bad option, an unusable key, or not run as root"},
      {"report", "Exit codes: 0 written, 2 an unreadable report.json"},
      {"diff", "1 the newer report regressed"},
      {"checks", "Exit codes: 0 listed, 2 a policy file has problems."},
      {"sudoers-rule", "Exit codes: 0 printed"}};
  for (const auto& [command, footer] : footers) {
    EXPECT_THAT(help.out, HasSubstr(command)) << command;
    const auto own = cloison({"help", command});
    EXPECT_EQ(own.exit_code, 0) << command;
    EXPECT_THAT(own.out, HasSubstr(footer)) << command;
    EXPECT_EQ(own.out.find("Exit codes:"), own.out.rfind("Exit codes:")) << command;
  }
  EXPECT_THAT(cloison({"help", "veriyf"}).err, HasSubstr("did you mean 'verify'?"));
}

// Issue 20: help was English only. It follows --lang, else the locale (LC_ALL, LC_MESSAGES,
// LANG); the C locale gives English.
TEST(Cli, HelpInFrenchFromLangOrTheLocale) {
  const auto fr = cloison({"help", "--lang", "fr", "verify"});
  EXPECT_EQ(fr.exit_code, 0);
  EXPECT_THAT(fr.out, HasSubstr("Utilisation"));
  EXPECT_THAT(fr.out, HasSubstr("Codes de sortie : 0 intact, 1 altéré ou signature invalide"));
  EXPECT_THAT(fr.out, HasSubstr("la clé publique de l'agent (PEM)"));
  EXPECT_THAT(fr.out, Not(HasSubstr("Exit codes")));
  const auto in_locale = [](const char* variable, std::vector<std::string> args) {
    args.insert(args.begin(), {"/usr/bin/env", "-u", "LC_ALL", variable, CLOISON_BINARY});
    return local_runner().run(args, std::chrono::steady_clock::now() + std::chrono::seconds(60),
                              kDefaultOutputCap);
  };
  const auto from_locale = in_locale("LANG=fr_FR.UTF-8", {"help"});
  EXPECT_EQ(from_locale.exit_code, 0);
  EXPECT_THAT(from_locale.out, HasSubstr("Commandes"));
  EXPECT_THAT(from_locale.out, HasSubstr("Vérifie hors ligne un paquet de preuves"));
  EXPECT_THAT(cloison({"help"}).out, HasSubstr("Check an evidence bundle offline"));
  const auto typo = in_locale("LC_MESSAGES=fr_FR.UTF-8", {"verfy"});
  EXPECT_THAT(typo.err, HasSubstr("commande inconnue « verfy » ; vouliez-vous dire « verify » ?"));
  const auto options = cloison({"audit", "--lang", "fr", "--help"});
  EXPECT_THAT(options.out, HasSubstr("ne lance que ces sondes"));
}

// tests/data/inventory/valid.yaml in a folder of its own with every file it names (the secrets
// readable by their owner only), its /etc/cloison paths made relative.
std::string valid_inventory_with_its_files(const temp_dir& dir) {
  std::ifstream in(data_path("inventory/valid.yaml"));
  std::stringstream text;
  text << in.rdbuf();
  auto content = text.str();
  for (auto at = content.find("/etc/cloison/"); at != std::string::npos;
       at = content.find("/etc/cloison/"))
    content.erase(at, std::string("/etc/cloison/").size());
  for (const char* f : {"keys/known_hosts", "ca/prod.pem", "ca/backup.pem", "waivers.yaml"})
    dir.write(f, "-");
  for (const char* f :
       {"keys/probe_ed25519", "keys/audit_ed25519", "secrets/prod.pw", "cloison.keytab"}) {
    std::filesystem::permissions(dir.write(f, "secret"), std::filesystem::perms::owner_read |
                                                             std::filesystem::perms::owner_write);
  }
  return dir.write("inventory.yaml", content);
}

TEST(Cli, ValidateAcceptsValidFilesOfEveryKind) {
  temp_dir dir;
  auto r = cloison({"validate", valid_inventory_with_its_files(dir),
                    data_path("policies/valid_small.yaml"), data_path("waivers/valid.yaml"),
                    std::string(CLOISON_SOURCE_DIR) + "/policies/d2.03.yaml"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("inventory.yaml: valid inventory"));
  EXPECT_THAT(r.out, HasSubstr("valid_small.yaml: valid policy"));
  EXPECT_THAT(r.out, HasSubstr("waivers/valid.yaml: valid waivers"));
  EXPECT_EQ(r.err, "");
}

TEST(Cli, ValidateListsEveryErrorOfEveryFileWithLocations) {
  temp_dir dir;
  auto r =
      cloison({"validate", data_path("inventory/broken.yaml"), data_path("policies/broken.yaml"),
               data_path("waivers/broken.yaml"), valid_inventory_with_its_files(dir)});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(
      r.err, HasSubstr(data_path("inventory/broken.yaml") + ":14:24: ssh: unknown key 'password'"));
  EXPECT_THAT(r.err,
              HasSubstr(data_path("policies/broken.yaml") + ":19:9: duplicate check id 'dup'"));
  EXPECT_THAT(r.err,
              HasSubstr(data_path("waivers/broken.yaml") + ":5:14: expires: expected a date"));
  EXPECT_THAT(r.err, HasSubstr("38 problems found"));
  EXPECT_THAT(r.out, HasSubstr("inventory.yaml: valid inventory"));  // the good file is judged
}

// Issue 17: validate accepted inventories that the audit then refused or tripped on: a software
// name of no port profile (refused by audit at file:0:0), files that do not exist, a private key
// readable by everyone.
TEST(Cli, ValidateFindsMissingFilesLooseSecretsAndSoftwareOfNoProfile) {
  temp_dir dir;
  const auto key = dir.write("audit.key", "secret");
  std::filesystem::permissions(
      key, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write |
               std::filesystem::perms::group_read | std::filesystem::perms::others_read);
  const std::string text =
      "establishment: CH\n"
      "segments:\n"
      "  - {name: backup, role: backup, cidrs: [10.50.0.0/24]}\n"
      "hosts:\n"
      "  - name: veeam01\n"
      "    address: 10.50.0.10\n"
      "    software: [Veeam]\n"
      "    ssh: {user: audit, key_file: audit.key, known_hosts: missing_hosts}\n";
  const auto inventory = dir.write("case.yaml", text);
  const auto r = cloison({"validate", inventory});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err,
              HasSubstr(inventory + ":7:16: software: 'Veeam' is no port profile of the policies "
                                    "(management, veeam, commvault"));
  EXPECT_THAT(r.err, HasSubstr(inventory + ":8:34: " + key +
                               ": a secret readable by its group or by others (mode 0644): "
                               "chmod 600 " +
                               key));
  EXPECT_THAT(r.err, HasSubstr(inventory + ":8:58: " + (dir.path() / "missing_hosts").string() +
                               ": cannot be read here (No such file or directory)"));
  EXPECT_THAT(r.err, HasSubstr("3 problems found"));
  // The audit refuses the software name at the same place, before anything runs.
  const auto audit =
      cloison({"audit", "--config", inventory, "--out", (dir.path() / "out").string()});
  EXPECT_EQ(audit.exit_code, 2);
  EXPECT_THAT(audit.err, HasSubstr(inventory + ":7:16: software: 'Veeam'"));

  std::filesystem::permissions(
      key, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  dir.write("missing_hosts", "-");
  auto fixed = text;
  fixed.replace(fixed.find("Veeam"), 5, "veeam");
  const auto ok = cloison({"validate", dir.write("case.yaml", fixed)});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
}

// Issue 14: production tests every port of the backup hosts unless a sweep narrows it; such a
// narrowing is legal but weakens D2.03.B, so validate says where it is without failing.
TEST(Cli, ValidateWarnsOfSweepsThatNarrowThePortsTestedFromOutsideAdministration) {
  temp_dir dir;
  const auto inventory = dir.write("sweeps.yaml",
                                   "establishment: CH\n"
                                   "segments:\n"
                                   "  - {name: prod, role: production, cidrs: [10.1.0.0/16]}\n"
                                   "  - {name: admin, role: administration, cidrs: [10.3.0.0/24]}\n"
                                   "  - {name: backup, role: backup, cidrs: [10.50.0.0/24]}\n"
                                   "hosts:\n"
                                   "  - {name: repo, address: 10.50.0.20, access: none}\n"
                                   "reachability:\n"
                                   "  sweeps:\n"
                                   "    - {from: prod, to: repo, ports: [22, 9000-9100]}\n"
                                   "    - {from: prod, to: backup, ports: profiles}\n"
                                   "    - {from: prod, to: backup, ports: all}\n"
                                   "    - {from: admin, to: backup, ports: profiles}\n");
  const auto r = cloison({"validate", inventory});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("sweeps.yaml: valid inventory"));
  EXPECT_THAT(r.err, HasSubstr(inventory + ":10:37: warning: ports: from prod, only some ports of "
                                           "repo are tested; a service listening on any other port "
                                           "would go unseen"));
  EXPECT_THAT(r.err, HasSubstr(inventory + ":11:39: warning: ports: from prod, only some ports of "
                                           "backup are tested"));
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 2) << r.err;  // not all, not admin
}

TEST(Cli, ValidateNeverCrashesOnHostileFiles) {
  temp_dir dir;
  const std::vector<std::pair<std::string, std::string>> files{
      {"empty.yaml", ""},
      {"binary.yaml", std::string("\x7f"
                                  "ELF\x02\x01\x01\x00\x00\xff\xfe",
                                  12)},
      {"deep.yaml", std::string(50000, '[')},
      {"huge.yaml", std::string(10u << 20, 'z')},
      {"scalar.yaml", "just text"},
      {"comma.yaml", ","},
      {"unknown.yaml", "colour: blue\n"},
  };
  for (const auto& [name, content] : files) {
    auto r = cloison({"validate", dir.write(name, content)});
    EXPECT_EQ(r.exit_code, 2) << name;
    EXPECT_THAT(r.err, HasSubstr(name + ":")) << name;
    EXPECT_THAT(r.err, Not(HasSubstr("terminate"))) << name;
  }
  EXPECT_EQ(cloison({"validate", "/nonexistent.yaml"}).exit_code, 2);
}

// Issue 19, defect 7: parse errors and names from files reached the terminal raw.
TEST(Cli, ErrorsShowControlCharactersOfTheirInputEscaped) {
  temp_dir dir;
  auto r = cloison(
      {"validate", dir.write("evil.yaml", "establishment: CH\ncolour\x1b]0;pwned\x07: blue\n")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("colour\\x1b]0;pwned\\x07"));
  EXPECT_THAT(r.err, Not(HasSubstr("\x1b")));
  auto v = cloison({"verify", dir.write("evil\x1b[2J.tar", "junk"), "--unpinned"});
  EXPECT_EQ(v.exit_code, 2);
  EXPECT_THAT(v.err, HasSubstr("evil\\x1b[2J.tar"));
  EXPECT_THAT(v.err, Not(HasSubstr("\x1b")));
}

TEST(Cli, AuditLocalWritesReportAndEvidenceAndNeverPassesWhatItDidNotSee) {
  temp_dir dir;
  const auto out = (dir.path() / "report").string();
  auto r = cloison({"audit", "--local", "--out", out, "--lang", "en"});
  // Nothing declares an isolation procedure for this machine: D2.03.B cannot be met.
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_THAT(r.out, HasSubstr("D2.03.B  NOT MET"));
  EXPECT_THAT(r.out, HasSubstr("Report: " + out + "/report.json"));
  EXPECT_THAT(r.out, Not(HasSubstr("\033[")));  // not a terminal: no colour codes
  EXPECT_THAT(r.err, HasSubstr("phase collecting"));
  const auto rep = report_from_json(json::parse(testing::read_text(out + "/report.json")));
  EXPECT_EQ(rep.run_user, this_user_name());  // who ran it, for the auditor's section
  EXPECT_EQ(rep.run_host, this_host_name());
  bool drill_error = false;
  for (const auto& f : rep.findings) {
    if (f.check == "isolation-drill-recent")
      drill_error = f.status == status::error;
    for (const auto& id : f.evidence) {
      auto e = std::find_if(rep.evidence.begin(), rep.evidence.end(),
                            [&](const evidence_ref& x) { return x.id == id; });
      ASSERT_NE(e, rep.evidence.end()) << id;
      const auto content = testing::read_text(out + "/evidence/" + e->sha256 + ".txt");
      EXPECT_EQ(sha256_hex(content), e->sha256);
    }
  }
  EXPECT_TRUE(drill_error);
  auto fr = cloison({"audit", "--local", "--out", out});
  EXPECT_THAT(fr.out, HasSubstr("NON ATTEINT"));
}

// The inventory's own declarations are compliant, but no flow was tested and no host was read:
// nothing is met, exit 4 (the audit of issue 13's "green verdict with nothing tested").
TEST(Cli, AnAuditThatTestedNoFlowIsIncompleteNotMet) {
  temp_dir dir;
  const auto inventory =
      dir.write("cloison.yaml",
                "establishment: CH Test\n"
                "segments:\n"
                "  - {name: production, role: production, cidrs: [198.18.1.0/24]}\n"
                "  - {name: backup, role: backup, cidrs: [198.18.2.0/24]}\n"
                "isolation:\n"
                "  description: firewall rule ISOLATE-BACKUP\n"
                "  triggered_by: on-call engineer\n"
                "  last_drill: " +
                    days_ago(30) + "\n");
  auto r = cloison({"audit", "--config", inventory, "--out", (dir.path() / "out").string()});
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("D2.03.B  INCOMPLET  score 100/100"));
  EXPECT_THAT(r.out, HasSubstr("aucun flux interdit n'a été testé depuis un point de vue en "
                               "production"));
  EXPECT_THAT(r.out, HasSubstr("D2.03.A  INCOMPLET"));
  EXPECT_THAT(r.out, HasSubstr("aucun contrôle n'a donné de verdict"));
  auto only = cloison({"audit", "--config", inventory, "--probes", "host", "--out",
                       (dir.path() / "only").string()});
  EXPECT_EQ(only.exit_code, 4);
  EXPECT_THAT(only.out, HasSubstr("D2.03.B  INCOMPLET  ("));  // the inventory probe did not run

  dir.write("cloison.yaml",
            testing::read_text(inventory) + "hosts:\n  - {name: bk, address: 198.18.1.7}\n");
  auto in_production =
      cloison({"audit", "--config", inventory, "--out", (dir.path() / "out").string()});
  EXPECT_EQ(in_production.exit_code, 1);
  EXPECT_THAT(in_production.out, HasSubstr("backup-host-outside-production @ inventory"));
}

TEST(Cli, AuditConfigurationErrorsExitTwoAndAuditNothing) {
  temp_dir dir;
  auto r = cloison(
      {"audit", "--config", data_path("inventory/broken.yaml"), "--out", dir.path().string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("20 problèmes de configuration ; rien n'a été audité"));
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "report.json"));
  EXPECT_EQ(cloison({"audit", "--config", "/nonexistent.yaml"}).exit_code, 2);
}

TEST(Cli, AuditRefusesAnOversizedReachabilityMatrix) {
  temp_dir dir;
  const auto inventory =
      dir.write("cloison.yaml",
                "establishment: CH Test\n"
                "segments:\n"
                "  - {name: production, role: production, cidrs: [198.18.1.0/24]}\n"
                "vantage_points: [{name: prod, segment: production}]\n"
                "hosts: [{name: bk, address: 198.18.2.10}]\n"
                "reachability: {max_pairs: 100}\n");
  auto r = cloison({"audit", "--config", inventory, "--vantage", "prod", "--out",
                    (dir.path() / "out").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("would hold more than 100 pairs (reachability.max_pairs)"));
  auto bad_probe = cloison({"audit", "--config", inventory, "--probes", "inventory,telepathy"});
  EXPECT_EQ(bad_probe.exit_code, 2);
  EXPECT_THAT(bad_probe.err, HasSubstr("--probes: unknown probe 'telepathy'"));
  auto unknown = cloison({"audit", "--config", inventory, "--vantage", "nowhere"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_THAT(unknown.err, HasSubstr("--vantage nowhere: no such vantage point"));
}

TEST(Cli, AuditWritesReportHtmlWithTheDriftSinceAPreviousReport) {
  temp_dir dir;
  const auto out = (dir.path() / "report").string();
  EXPECT_EQ(cloison({"audit", "--local", "--out", out, "--lang", "en"}).exit_code, 1);
  const auto first = testing::read_text(out + "/report.html");
  EXPECT_THAT(first, HasSubstr("<html lang=\"en\">"));
  EXPECT_THAT(first, Not(HasSubstr("class=\"drift\"")));
  const auto previous = dir.write("previous.json", testing::read_text(out + "/report.json"));
  EXPECT_EQ(cloison({"audit", "--local", "--out", out, "--previous", previous}).exit_code, 1);
  const auto second = testing::read_text(out + "/report.html");
  EXPECT_THAT(second, HasSubstr("<html lang=\"fr\">"));
  EXPECT_THAT(second, HasSubstr("<section class=\"drift\">"));
  const auto bad = cloison({"audit", "--local", "--out", out, "--previous", out + "/nothing"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("--previous " + out + "/nothing: cannot read"));
}

TEST(Cli, ReportRendersAgainWithoutAuditing) {
  temp_dir dir;
  const auto out = (dir.path() / "html").string();
  auto r = cloison({"report", "--in", data_path("report/report.json"), "--out", out, "--lang", "en",
                    "--previous", data_path("report/previous.json")});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, out + "/report.html\n");
  const auto html = testing::read_text(out + "/report.html");
  EXPECT_THAT(html, HasSubstr("id=\"lang-en\" checked>"));
  EXPECT_THAT(html, HasSubstr("<h2>Drift since the previous audit</h2>"));
  EXPECT_THAT(html, HasSubstr("<p class=\"regressed\">Regression.</p>"));
  const auto garbage = dir.write("garbage.json", "{\"schema_version\": 1, [");
  auto bad = cloison({"report", "--in", garbage, "--out", out});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("cloison report: " + garbage + ": not JSON"));
  EXPECT_EQ(cloison({"report", "--in", dir.write("r.json", "[]"), "--out", out}).exit_code, 2);
  EXPECT_EQ(cloison({"report", "--out", out}).exit_code, 2);
  EXPECT_EQ(
      cloison({"report", "--in", data_path("report/report.json"), "--out", out, "--lang", "de"})
          .exit_code,
      2);
}

TEST(Cli, DiffExitsOneOnRegressionZeroOtherwiseTwoOnBadInput) {
  const auto previous = data_path("report/previous.json");
  const auto current = data_path("report/report.json");
  auto worse = cloison({"diff", previous, current});
  EXPECT_EQ(worse.exit_code, 1) << worse.err;
  EXPECT_THAT(worse.out, HasSubstr("Nouvelle non-conformité (1) :"));
  EXPECT_THAT(worse.out, HasSubstr("reach-no-forbidden-port-open @ repo01"));
  temp_dir dir;
  auto fixed = json::parse(testing::read_text(current));
  fixed["findings"][0]["status"] = "pass";  // the forbidden flow was closed
  fixed["objectives"][1]["score"] = 100.0;
  fixed["objectives"][1]["status"] = "met";
  auto better = cloison({"diff", "--lang", "en", current, dir.write("fixed.json", fixed.dump())});
  EXPECT_EQ(better.exit_code, 0) << better.err;
  EXPECT_THAT(better.out, HasSubstr("Resolved finding (1):"));
  EXPECT_THAT(better.out, HasSubstr("\nNo regression.\n"));
  EXPECT_EQ(cloison({"diff", current, current}).exit_code, 0);
  auto missing = cloison({"diff", previous, (dir.path() / "none.json").string()});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_THAT(missing.err, HasSubstr("none.json: cannot read"));
  auto invalid = cloison({"diff", dir.write("x.json", "{\"schema_version\": 1}"), current});
  EXPECT_EQ(invalid.exit_code, 2);
  EXPECT_THAT(invalid.err, HasSubstr("x.json: not a cloison report"));
  EXPECT_EQ(cloison({"diff", current}).exit_code, 2);
}

TEST(Cli, CollectWritesASignedEvidenceFileOfTheHostProbesCommands) {
  temp_dir dir;
  const auto key = (dir.path() / "agent.pem").string();
  const auto out = (dir.path() / "repo01.json").string();
  auto r = cloison({"collect", "--local", "--out", out, "--key-file", key, "--host", "repo01",
                    "--output-cap", "64KiB", "--lang", "en"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto agent = agent_key::load_or_create(key);
  EXPECT_THAT(r.out, HasSubstr("Collected evidence: " + out));
  EXPECT_THAT(r.out, HasSubstr(agent.fingerprint()));
  const auto mode = std::filesystem::status(out).permissions();
  using std::filesystem::perms;
  EXPECT_EQ(mode & (perms::group_write | perms::others_all | perms::owner_exec), perms::none);

  collected_evidence_source source{out, dir.write("agent.pub", agent.public_key_pem()),
                                   std::chrono::hours(1)};
  const auto loaded = load_collected_evidence(source, "repo01", std::chrono::system_clock::now());
  ASSERT_TRUE(loaded.evidence) << loaded.refusal;
  EXPECT_EQ(loaded.evidence->output_cap, 64u * 1024);
  // what a local audit runs: the fixed Linux commands, no sudo; the repository ones need a path
  std::vector<std::vector<std::string>> fixed;
  for (const auto& cmd : linux_host_table().commands) {
    if (!cmd.argv_for)
      fixed.push_back(cmd.argv);
  }
  ASSERT_EQ(loaded.evidence->commands.size(), fixed.size());
  for (std::size_t i = 0; i < fixed.size(); ++i)
    EXPECT_EQ(loaded.evidence->commands[i].argv, fixed[i]);
}

TEST(Cli, CollectRefusesBadOptions) {
  temp_dir dir;
  const auto out = (dir.path() / "ev.json").string();
  const auto key = (dir.path() / "agent.pem").string();
  EXPECT_EQ(cloison({"collect", "--out", out, "--key-file", key}).exit_code, 2);  // no --local
  auto cap =
      cloison({"collect", "--local", "--out", out, "--key-file", key, "--output-cap", "4MB"});
  EXPECT_EQ(cap.exit_code, 2);
  EXPECT_THAT(cap.err, HasSubstr("--output-cap"));
  auto unwritable = cloison({"collect", "--local", "--out",
                             (dir.path() / "no/such/dir/ev.json").string(), "--key-file", key});
  EXPECT_EQ(unwritable.exit_code, 3);
  EXPECT_FALSE(std::filesystem::exists(out));
}

// Issue 20: an unwritable --out was found only after the whole audit.
TEST(Cli, AuditChecksItsOutputsAreWritableBeforeAuditing) {
  temp_dir dir;
  const auto blocked = dir.write("file", "a file, not a folder");
  const auto r = cloison({"audit", "--local", "--out", blocked + "/out"});
  EXPECT_EQ(r.exit_code, 3) << r.out;
  EXPECT_THAT(r.err, HasSubstr("rien n'a été audité"));  // --lang fr, the default
  EXPECT_THAT(r.out, Not(HasSubstr("D2.03")));           // no summary: nothing ran
  const auto out = (dir.path() / "out").string();
  // The key in the test's folder: the default one is a file of this machine (/var/lib/cloison).
  const auto bundle = cloison({"audit", "--local", "--out", out, "--bundle",
                               (dir.path() / "missing/b.tar.gz").string(), "--key-file",
                               (dir.path() / "k/agent.pem").string()});
  EXPECT_EQ(bundle.exit_code, 3);
  EXPECT_FALSE(std::filesystem::exists(out + "/report.json"));
  EXPECT_TRUE(std::filesystem::is_empty(out));  // the probe's temporary file is gone
}

TEST(Cli, QuietAuditPrintsNothingAndJsonLogsAreOneObjectPerLine) {
  temp_dir dir;
  const auto key = (dir.path() / "k/agent.pem").string();
  const auto out = (dir.path() / "out").string();
  const auto quiet = cloison({"audit", "--local", "--out", out, "--quiet", "--key-file", key});
  EXPECT_NE(quiet.exit_code, 2) << quiet.err;
  EXPECT_EQ(quiet.out, "");
  EXPECT_EQ(quiet.err, "");
  EXPECT_TRUE(std::filesystem::exists(out + "/report.json"));
  const auto logged = cloison({"audit", "--local", "--out", out, "--log-format", "json"});
  std::istringstream lines(logged.err);
  std::size_t count = 0;
  for (std::string line; std::getline(lines, line); ++count) {
    const auto j = json::parse(line, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << line;
    EXPECT_TRUE(j.contains("time") && j.contains("level") && j.contains("message")) << line;
  }
  EXPECT_GE(count, 3u);
  EXPECT_THAT(logged.err, HasSubstr("\"message\":\"audit finished: exit code "));
  EXPECT_EQ(cloison({"audit", "--local", "--quiet", "--verbose"}).exit_code, 2);
}

// Issue 20: collect run as a non-root user exited 0 with incomplete evidence.
TEST(Cli, CollectRefusesToRunAsAnotherUserThanRoot) {
  const std::string setpriv = "/usr/bin/setpriv";
  if (geteuid() != 0 || !std::filesystem::exists(setpriv))
    GTEST_SKIP() << "needs root and setpriv to run cloison as nobody";
  temp_dir dir;
  std::filesystem::permissions(dir.path(), std::filesystem::perms::all);
  const auto out = (dir.path() / "ev.json").string();
  const auto r = local_runner().run({setpriv, "--reuid=65534", "--regid=65534", "--clear-groups",
                                     CLOISON_BINARY, "collect", "--local", "--out", out},
                                    std::chrono::steady_clock::now() + std::chrono::seconds(60),
                                    kDefaultOutputCap);
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr("must run as root"));
  EXPECT_FALSE(std::filesystem::exists(out));
}

TEST(Cli, ChecksListsEveryCheckOfThePolicies) {
  const auto r = cloison({"checks"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("host-sshd-no-password\tD2.03.A\thigh\t"
                               "host.sshd.password_authentication\tyes\n"));
  EXPECT_THAT(r.out, HasSubstr("\thost.pam.mfa_modules\tno\n"));  // host-mfa-required: off
  diagnostics d;
  const auto shipped =
      load_policy(std::string(CLOISON_SOURCE_DIR) + "/policies/d2.03.yaml", builtin_probes(), d);
  ASSERT_TRUE(shipped);
  EXPECT_EQ(static_cast<std::size_t>(std::count(r.out.begin(), r.out.end(), '\n')),
            shipped->checks.size());
  const auto small = cloison({"checks", "--policy", data_path("policies/valid_small.yaml")});
  EXPECT_EQ(small.exit_code, 0) << small.err;
  EXPECT_THAT(small.out, Not(HasSubstr("host-sshd-no-password")));
  const auto broken = cloison({"checks", "--policy", data_path("policies/broken.yaml")});
  EXPECT_EQ(broken.exit_code, 2);
  EXPECT_THAT(broken.err, HasSubstr("broken.yaml:"));
}

// The commands a sudoers line grants: what follows "NOPASSWD: ", split on the commas that separate
// them (an argument's comma is escaped, "\,").
std::vector<std::string> granted(const std::string& line) {
  const std::string head = "NOPASSWD: ";
  std::vector<std::string> out{""};
  for (std::size_t i = line.find(head) + head.size(); i < line.size() && line[i] != '\n'; ++i) {
    if (line.compare(i, 2, ", ") == 0 && line[i - 1] != '\\') {
      out.emplace_back();
      ++i;
    } else {
      out.back() += line[i];
    }
  }
  return out;
}

TEST(Cli, SudoersRuleGrantsExactlyThePrivilegedCommandsOfTheTable) {
  const auto r = cloison({"sudoers-rule"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("cloison-audit ALL=(root) NOPASSWD: ", 0), 0u) << r.out;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
  std::vector<std::string> fixed, programs;
  for (const auto& c : linux_host_table().commands) {
    if (!c.privileged())
      continue;
    programs.emplace_back(c.sudo_path);
    if (c.argv_for)
      continue;  // the repository's: with --repository-path
    std::string line(c.sudo_path);
    for (std::size_t i = 1; i < c.argv.size(); ++i)
      line += " " + c.argv[i];
    fixed.push_back(line);
  }
  EXPECT_EQ(granted(r.out), fixed);
  EXPECT_THAT(fixed, ::testing::Contains("/usr/sbin/sshd -T"));

  const auto repo = cloison(
      {"sudoers-rule", "--account", "audit-bk", "--repository-path", "/srv/backup-repo/backups"});
  ASSERT_EQ(repo.exit_code, 0) << repo.err;
  EXPECT_EQ(repo.out.rfind("audit-bk ALL=(root) NOPASSWD: ", 0), 0u) << repo.out;
  std::vector<std::string> repo_programs;
  for (const auto& command : granted(repo.out))
    repo_programs.push_back(command.substr(0, command.find(' ')));
  EXPECT_EQ(repo_programs, programs);
  EXPECT_THAT(granted(repo.out),
              ::testing::Contains("/usr/bin/lsattr -- /srv/backup-repo/backups/*"));

  const auto bad = cloison({"sudoers-rule", "--account", "ALL"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("not a lower-case user name"));
  EXPECT_EQ(cloison({"sudoers-rule", "--repository-path", "backups"}).exit_code, 2);
}

TEST(Cli, VisudoAcceptsTheSudoersRule) {
  const std::string visudo = "/usr/sbin/visudo";
  if (!std::filesystem::exists(visudo))
    GTEST_SKIP() << "visudo is not installed";
  temp_dir dir;
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"sudoers-rule"},
        std::vector<std::string>{"sudoers-rule", "--account", "audit-bk", "--repository-path",
                                 "/srv/backup repo/a,b:c=d/backups/"}}) {
    const auto r = cloison(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto file = dir.write("cloison-audit", r.out);
    std::filesystem::permissions(
        file, std::filesystem::perms::owner_read | std::filesystem::perms::group_read);
    const auto check = local_runner().run(
        {visudo, "-c", "-f", file}, std::chrono::steady_clock::now() + std::chrono::seconds(30),
        kDefaultOutputCap);
    EXPECT_EQ(check.exit_code, 0) << r.out << check.out << check.err;
    std::filesystem::remove(file);
  }
}

}  // namespace
}  // namespace cloison
