// `cloison audit --bundle`, `cloison verify` and `cloison merge`, run as a user would.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>

#include "agent/evidence/bundle.h"
#include "probes/transport/local_runner.h"
#include "tests/support.h"

namespace cloison {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::read_text;
using testing::temp_dir;

command_result run(std::vector<std::string> args) {
  return local_runner().run(args, std::chrono::steady_clock::now() + std::chrono::seconds(60),
                            kDefaultOutputCap);
}

command_result cloison(std::vector<std::string> args) {
  args.insert(args.begin(), CLOISON_BINARY);
  return run(std::move(args));
}

// One local audit with a bundle, its key taken from CLOISON_KEY_FILE as tests and CI set it.
struct audited {
  temp_dir dir;
  std::string key_file = (dir.path() / "keys" / "agent-key.pem").string();
  std::string out = (dir.path() / "out").string();
  std::string bundle = (dir.path() / "evidence.tar.gz").string();
  command_result audit;
  report rep;

  audited() {
    ::setenv("CLOISON_KEY_FILE", key_file.c_str(), 1);
    audit = cloison({"audit", "--local", "--out", out, "--bundle", bundle, "--lang", "en"});
    ::unsetenv("CLOISON_KEY_FILE");
    rep = report_from_json(json::parse(read_text(out + "/report.json")));
  }
  std::string pinned_key() const { return dir.write("agent.pub", rep.signing->public_key_pem); }
};

TEST(BundleCli, AuditWritesASignedBundleThatVerifies) {
  audited a;
  EXPECT_EQ(a.audit.exit_code, 1) << a.audit.err;  // --local: D2.03.B is not met
  struct stat st {};
  ASSERT_EQ(::stat(a.key_file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_TRUE(a.rep.signing.has_value());
  EXPECT_EQ(a.rep.signing->algorithm, "Ed25519");
  EXPECT_THAT(a.audit.out, HasSubstr("Signed evidence bundle: " + a.bundle + " (key " +
                                     a.rep.signing->fingerprint + ")"));
  EXPECT_THAT(read_text(a.out + "/report.xml"), HasSubstr("<testsuite name=\"D2.03.B\""));

  // Issue 19, defect 7: without a pinned key, verify of a re-signed bundle exited 0 like a pinned
  // pass. It now needs --key, or --unpinned said out loud.
  auto no_key = cloison({"verify", a.bundle, "--lang", "en"});
  EXPECT_EQ(no_key.exit_code, 2) << no_key.out;
  EXPECT_THAT(no_key.err, HasSubstr("give the agent's public key"));
  EXPECT_THAT(no_key.out, Not(HasSubstr("intact")));
  EXPECT_EQ(cloison({"verify", a.bundle, "--key", a.pinned_key(), "--unpinned"}).exit_code, 2);
  auto v = cloison({"verify", a.bundle, "--unpinned", "--lang", "en"});
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  EXPECT_THAT(v.out, HasSubstr("Valid Ed25519 signature over MANIFEST.sha256 (key fingerprint: " +
                               a.rep.signing->fingerprint + ")"));
  EXPECT_THAT(v.out, HasSubstr("key not pinned"));
  EXPECT_THAT(
      v.out,
      HasSubstr("Bundle intact: " + std::to_string(read_archive(a.bundle).size() - 2) + " files"));
  auto pinned = cloison({"verify", a.bundle, "--key", a.pinned_key()});
  EXPECT_EQ(pinned.exit_code, 0) << pinned.out;
  EXPECT_THAT(pinned.out, HasSubstr("Paquet intègre"));
  EXPECT_THAT(pinned.out, Not(HasSubstr("non épinglée")));
  // Issue 19, defect 7: --key was read whatever its size.
  const auto huge_key = a.pinned_key() + ".huge";
  std::filesystem::copy_file(a.pinned_key(), huge_key);
  std::filesystem::resize_file(huge_key, 1u << 20);
  auto huge = cloison({"verify", a.bundle, "--key", huge_key, "--lang", "en"});
  EXPECT_EQ(huge.exit_code, 2) << huge.out << huge.err;
  EXPECT_THAT(huge.err, HasSubstr("too large (1048576 bytes, limit 65536)"));

  // The bundle holds the very report and evidence the audit wrote.
  auto files = read_archive(a.bundle);
  for (const auto& f : files) {
    if (f.path == "report.json" || f.path.starts_with("evidence/")) {
      EXPECT_EQ(f.content, read_text(a.out + "/" + f.path)) << f.path;
    }
  }
  // A second run reuses the key.
  auto again =
      cloison({"audit", "--local", "--out", a.out, "--bundle", a.bundle, "--key-file", a.key_file});
  EXPECT_THAT(again.out, HasSubstr(a.rep.signing->fingerprint));
}

TEST(BundleCli, VerifyNamesWhatWasAlteredAndFailsOnAnotherKey) {
  audited a;
  auto files = read_archive(a.bundle);
  auto ev = std::find_if(files.begin(), files.end(),
                         [](const bundle_file& f) { return f.path.starts_with("evidence/"); });
  ASSERT_NE(ev, files.end());
  const std::string original = sha256_hex(ev->content);
  ev->content += "\n";
  write_archive(a.bundle, files);
  auto v = cloison({"verify", a.bundle, "--key", a.pinned_key(), "--lang", "en"});
  EXPECT_EQ(v.exit_code, 1);
  EXPECT_THAT(v.out, HasSubstr("MODIFIED: " + ev->path + " (expected SHA-256 " + original +
                               ", actual " + sha256_hex(ev->content) + ")"));
  EXPECT_THAT(v.out, HasSubstr("BUNDLE ALTERED: 1 problem\n"));
  auto fr = cloison({"verify", a.bundle, "--key", a.pinned_key()});
  EXPECT_THAT(fr.out, HasSubstr("MODIFIÉ : " + ev->path));

  temp_dir other;
  ::setenv("CLOISON_KEY_FILE", (other.path() / "k.pem").string().c_str(), 1);
  cloison({"audit", "--local", "--out", (other.path() / "out").string(), "--bundle",
           (other.path() / "b.tar").string()});
  ::unsetenv("CLOISON_KEY_FILE");
  const auto other_key = other.write(
      "other.pub",
      report_from_json(json::parse(read_text((other.path() / "out/report.json").string())))
          .signing->public_key_pem);
  auto wrong = cloison(
      {"verify", (other.path() / "b.tar").string(), "--key", a.pinned_key(), "--lang", "en"});
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_THAT(wrong.out, HasSubstr("INVALID SIGNATURE"));
  EXPECT_EQ(cloison({"verify", (other.path() / "b.tar").string(), "--key", other_key}).exit_code,
            0);
}

TEST(BundleCli, VerifyExitsTwoOnUnreadableInput) {
  temp_dir dir;
  auto missing =
      cloison({"verify", (dir.path() / "none.tar.gz").string(), "--unpinned", "--lang", "en"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_THAT(missing.err, HasSubstr("cannot read"));
  EXPECT_EQ(cloison({"verify", dir.write("junk.tar.gz", "junk"), "--unpinned"}).exit_code, 2);
  EXPECT_EQ(cloison({"verify"}).exit_code, 2);
  audited a;
  EXPECT_EQ(cloison({"verify", a.bundle, "--key", "/nonexistent.pem"}).exit_code, 2);
  auto not_a_key =
      cloison({"verify", a.bundle, "--key", dir.write("x.pem", "hello"), "--lang", "en"});
  EXPECT_EQ(not_a_key.exit_code, 2);
  EXPECT_THAT(not_a_key.err, HasSubstr("is not an Ed25519 public key"));
}

TEST(BundleCli, TheDocumentedOpensslCommandsVerifyABundle) {
  if (!std::filesystem::exists("/usr/bin/openssl"))
    GTEST_SKIP() << "openssl is not installed";
  audited a;
  const auto x = a.dir.path() / "x";
  for (const auto& f : read_archive(a.bundle))
    a.dir.write("x/" + f.path, f.content);
  const auto manifest = (x / kManifestFile).string();
  const auto sig = (x / kSignatureFile).string();
  const std::vector<std::string> check{"/usr/bin/openssl", "pkeyutl",      "-verify", "-pubin",
                                       "-inkey",           a.pinned_key(), "-rawin",  "-in",
                                       manifest,           "-sigfile",     sig};
  auto ok = run(check);
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  EXPECT_THAT(ok.out, HasSubstr("Signature Verified Successfully"));
  const std::vector<std::string> sums{"/bin/sh", "-c",
                                      "cd '" + x.string() + "' && sha256sum -c MANIFEST.sha256"};
  auto summed = run(sums);
  EXPECT_EQ(summed.exit_code, 0) << summed.out << summed.err;
  EXPECT_THAT(summed.out, HasSubstr("report.json: OK"));
  a.dir.write("x/report.json", read_text((x / "report.json").string()) + " ");
  EXPECT_NE(run(sums).exit_code, 0);
  a.dir.write("x/MANIFEST.sha256", read_text(manifest) + "\n");
  EXPECT_NE(run(check).exit_code, 0);
  // The fingerprint: SHA-256 of the last 32 bytes of the DER public key.
  auto der = run({"/usr/bin/openssl", "pkey", "-pubin", "-in", a.pinned_key(), "-outform", "DER"});
  ASSERT_EQ(der.exit_code, 0);
  ASSERT_EQ(der.out.size(), 44u);
  EXPECT_EQ(sha256_hex(der.out.substr(12)), a.rep.signing->fingerprint);
}

TEST(BundleCli, AuditRefusesABadBundleNameOrAnExposedKey) {
  temp_dir dir;
  auto bad = cloison({"audit", "--local", "--out", (dir.path() / "o").string(), "--bundle",
                      (dir.path() / "b.zip").string()});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("must end in .tar.gz, .tgz or .tar"));
  const auto key = dir.write("k.pem", "");
  ASSERT_EQ(::chmod(key.c_str(), 0644), 0);
  auto exposed = cloison({"audit", "--local", "--out", (dir.path() / "o").string(), "--bundle",
                          (dir.path() / "b.tgz").string(), "--key-file", key});
  EXPECT_EQ(exposed.exit_code, 2);
  EXPECT_THAT(exposed.err, HasSubstr("group or others have access"));
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "o" / "report.json"));
}

TEST(BundleCli, MergeCombinesVantagePointsAndRefusesOtherEstablishments) {
  audited a;
  temp_dir dir;
  auto j = json::parse(read_text(a.out + "/report.json"));
  const auto first = dir.write("a.json", j.dump());
  const auto out = (dir.path() / "merged").string();
  auto merged = cloison({"merge", first, first, "--out", out, "--lang", "en"});
  EXPECT_EQ(merged.exit_code, 1) << merged.err;
  EXPECT_THAT(merged.out, HasSubstr("D2.03.B  NOT MET"));
  const auto m = report_from_json(json::parse(read_text(out + "/report.json")));
  EXPECT_EQ(m.findings.size(), a.rep.findings.size());
  EXPECT_FALSE(m.signing.has_value());
  EXPECT_THAT(read_text(out + "/report.xml"), HasSubstr("<testsuites"));
  // Issue 20: merge wrote no report.html.
  EXPECT_THAT(read_text(out + "/report.html"), HasSubstr(a.rep.establishment));

  j["establishment"] = "CH Voisin";
  const auto second = dir.write("b.json", j.dump());
  auto refused = cloison({"merge", first, second, "--out", out, "--lang", "en"});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_THAT(refused.err, HasSubstr("about establishment 'CH Voisin': not merged"));
  j["schema_version"] = 2;
  auto future = cloison({"merge", first, dir.write("c.json", j.dump()), "--out", out});
  EXPECT_EQ(future.exit_code, 2);
  EXPECT_THAT(future.err, HasSubstr("unsupported schema_version 2"));
  EXPECT_EQ(cloison({"merge", first, dir.write("d.json", "{"), "--out", out}).exit_code, 2);
}

}  // namespace
}  // namespace cloison
