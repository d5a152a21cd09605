#include "agent/evidence/bundle.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>

#include "agent/config/embedded_policies.h"
#include "tests/support.h"

namespace cloison {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using testing::temp_dir;
using kind = bundle_problem::kind;

// An audit output folder, its evidence, a key, and the bundle written from them.
struct fixture {
  temp_dir dir;
  agent_key key = agent_key::load_or_create((dir.path() / "key" / "agent-key.pem").string());
  std::vector<evidence> items{
      make_evidence("host/repo01/sshd", "sshd -T", "permitrootlogin no\n", false),
      make_evidence("host/repo01/passwd", "getent passwd", std::string("root:x:0:0\n\x01\xff", 13),
                    false)};
  std::string bundle = (dir.path() / "bundle.tar.gz").string();

  fixture() {
    dir.write("out/report.json", "{\"schema_version\": 1}\n");
    dir.write("out/report.xml", "<testsuites/>\n");
    dir.write("out/report.json.tmp.123", "left by a killed run");
    dir.write("out/notes.txt", "not a report");
    write_bundle(bundle, files(), key);
  }
  std::vector<bundle_file> files(const std::string& inventory = "") const {
    const auto builtin = embedded_policies().front();
    return audit_bundle_files(dir.path() / "out", items,
                              {{std::string(builtin.name), sha256_hex(builtin.text)}}, inventory,
                              "");
  }
  std::string evidence_path(std::size_t i) const { return "evidence/" + items[i].sha256 + ".txt"; }
};

std::vector<std::string> paths(const std::vector<bundle_file>& files) {
  std::vector<std::string> out;
  for (const auto& f : files)
    out.push_back(f.path);
  return out;
}

bundle_file& entry(std::vector<bundle_file>& files, const std::string& path) {
  const auto it = std::find_if(files.begin(), files.end(),
                               [&](const bundle_file& f) { return f.path == path; });
  EXPECT_NE(it, files.end()) << path;
  return *it;
}

TEST(Bundle, SpooledEvidenceIsCopiedWhole) {
  fixture f;
  auto spool = std::make_unique<spooled_text>();
  std::string table;
  for (int port = 1; port <= 20000; ++port) {
    const std::string line = "production\tbk01\t10.2.0.10\t" + std::to_string(port) + "\n";
    spool->append(line);
    table += line;
  }
  f.items.push_back(make_evidence("reachability/bk01", "matrix", std::move(spool)));
  write_bundle(f.bundle, f.files(), f.key);  // written from the spool, never held in memory
  auto files = read_archive(f.bundle);
  EXPECT_EQ(entry(files, f.evidence_path(2)).content, table);
  EXPECT_THAT(entry(files, kManifestFile).content,
              HasSubstr(sha256_hex(table) + "  " + f.evidence_path(2) + "\n"));
  EXPECT_TRUE(verify_bundle(f.bundle, f.key.public_key_pem()).intact());
}

TEST(Bundle, HoldsReportsEvidencePoliciesKeyAndASignedSortedManifest) {
  fixture f;
  const auto files = read_archive(f.bundle);
  const auto builtin = embedded_policies().front();
  const std::string policy = "policies/" + std::string(builtin.name.substr(8));
  std::vector<std::string> expected{kManifestFile,      "report.json",      "report.xml",
                                    f.evidence_path(0), f.evidence_path(1), policy,
                                    kPublicKeyFile,     kSignatureFile};
  EXPECT_EQ(paths(files), expected);
  auto copy = files;
  EXPECT_EQ(entry(copy, f.evidence_path(1)).content, f.items[1].content);  // full, binary-safe
  EXPECT_EQ(entry(copy, policy).content, builtin.text);
  EXPECT_EQ(entry(copy, kPublicKeyFile).content, f.key.public_key_pem());
  const auto& manifest = entry(copy, kManifestFile).content;
  std::vector<bundle_file> covered(files.begin() + 1, files.end() - 1);
  EXPECT_EQ(manifest, manifest_of(covered));
  EXPECT_THAT(manifest, HasSubstr(f.items[0].sha256 + "  " + f.evidence_path(0) + "\n"));
  EXPECT_EQ(verify_signature(f.key.public_key_pem(), manifest, entry(copy, kSignatureFile).content),
            signature_check::valid);
}

// Issue 19, defect 5: the bundle's temporary file is never a planted link's target.
TEST(Bundle, WritingNeverFollowsAPlantedLink) {
  fixture f;
  const auto victim = f.dir.write("victim", "precious\n");
  std::filesystem::create_symlink(victim, f.bundle + ".tmp." + std::to_string(::getpid()));
  write_bundle(f.bundle, f.files(), f.key);
  EXPECT_EQ(testing::read_text(victim), "precious\n");
  EXPECT_FALSE(std::filesystem::is_symlink(f.bundle));
  EXPECT_TRUE(verify_bundle(f.bundle, std::nullopt).intact());
}

TEST(Bundle, IntactBundleVerifiesWithAndWithoutAPinnedKey) {
  fixture f;
  const auto unpinned = verify_bundle(f.bundle, std::nullopt);
  EXPECT_TRUE(unpinned.intact());
  EXPECT_FALSE(unpinned.key_pinned);
  EXPECT_EQ(unpinned.fingerprint, f.key.fingerprint());
  EXPECT_EQ(unpinned.files_checked, 6u);
  const auto pinned = verify_bundle(f.bundle, f.key.public_key_pem());
  EXPECT_TRUE(pinned.intact());
  EXPECT_TRUE(pinned.key_pinned);
  // Plain tar too.
  const auto tar = (f.dir.path() / "bundle.tar").string();
  write_bundle(tar, f.files(), f.key);
  EXPECT_TRUE(verify_bundle(tar, f.key.public_key_pem()).intact());
}

TEST(Bundle, OneChangedEvidenceByteIsCaughtAndNamed) {
  fixture f;
  auto files = read_archive(f.bundle);
  entry(files, f.evidence_path(0)).content[0] ^= 1;
  write_archive(f.bundle, files);
  const auto v = verify_bundle(f.bundle, f.key.public_key_pem());
  EXPECT_FALSE(v.intact());
  EXPECT_EQ(v.signature, signature_check::valid);  // the manifest itself is untouched
  ASSERT_EQ(v.problems.size(), 1u);
  EXPECT_EQ(v.problems[0].what, kind::modified);
  EXPECT_EQ(v.problems[0].path, f.evidence_path(0));
  EXPECT_EQ(v.problems[0].expected, f.items[0].sha256);
  EXPECT_EQ(v.problems[0].actual, sha256_hex(entry(files, f.evidence_path(0)).content));
}

TEST(Bundle, ARawByteFlipInsideAPlainTarIsCaught) {
  fixture f;
  const auto tar = (f.dir.path() / "bundle.tar").string();
  write_bundle(tar, f.files(), f.key);
  auto bytes = testing::read_text(tar);
  const auto at = bytes.find("permitrootlogin no");
  ASSERT_NE(at, std::string::npos);
  bytes[at + 16] = 'N';
  f.dir.write("bundle.tar", bytes);
  const auto v = verify_bundle(tar, std::nullopt);
  ASSERT_EQ(v.problems.size(), 1u);
  EXPECT_EQ(v.problems[0].path, f.evidence_path(0));
}

TEST(Bundle, OneChangedReportByteIsCaught) {
  fixture f;
  auto files = read_archive(f.bundle);
  entry(files, "report.json").content.back() = ' ';
  write_archive(f.bundle, files);
  const auto v = verify_bundle(f.bundle, std::nullopt);
  ASSERT_EQ(v.problems.size(), 1u);
  EXPECT_EQ(v.problems[0].what, kind::modified);
  EXPECT_EQ(v.problems[0].path, "report.json");
}

TEST(Bundle, AManifestAlteredWithoutANewSignatureFailsTheSignature) {
  fixture f;
  auto files = read_archive(f.bundle);
  // The forger changes evidence and updates its hash in the manifest, but cannot sign.
  auto& ev = entry(files, f.evidence_path(0));
  ev.content = "permitrootlogin yes\n";
  auto& manifest = entry(files, kManifestFile).content;
  manifest.replace(manifest.find(f.items[0].sha256), 64, sha256_hex(ev.content));
  write_archive(f.bundle, files);
  const auto v = verify_bundle(f.bundle, std::nullopt);
  EXPECT_EQ(v.signature, signature_check::invalid);
  EXPECT_FALSE(v.intact());
  EXPECT_THAT(v.problems, IsEmpty());  // every file matches the (forged) manifest
}

TEST(Bundle, AddedRemovedAndDuplicatedFilesAreCaught) {
  fixture f;
  auto files = read_archive(f.bundle);
  files.push_back({"evidence/forged.txt", "I was never collected"});
  files.push_back({"report.xml", "<second copy/>"});
  std::erase_if(files, [&](const bundle_file& x) { return x.path == f.evidence_path(1); });
  write_archive(f.bundle, files);
  const auto v = verify_bundle(f.bundle, std::nullopt);
  EXPECT_EQ(v.signature, signature_check::valid);
  std::vector<std::pair<kind, std::string>> seen;
  for (const auto& p : v.problems)
    seen.emplace_back(p.what, p.path);
  EXPECT_THAT(seen, ElementsAre(std::pair{kind::duplicate, std::string("report.xml")},
                                std::pair{kind::missing, f.evidence_path(1)},
                                std::pair{kind::modified, std::string("report.xml")},  // the last
                                std::pair{kind::unexpected, std::string("evidence/forged.txt")}));
}

TEST(Bundle, ADifferentPinnedKeyFailsEvenAResignedBundle) {
  fixture f;
  temp_dir other_dir;
  const auto forger = agent_key::load_or_create((other_dir.path() / "k.pem").string());
  // The forger rebuilds a whole bundle with their own key and agent.pub.
  auto files = f.files();
  entry(files, "report.json").content = "{\"forged\": true}\n";
  write_bundle(f.bundle, files, forger);
  EXPECT_TRUE(verify_bundle(f.bundle, std::nullopt).intact());     // self-consistent...
  const auto v = verify_bundle(f.bundle, f.key.public_key_pem());  // ...but not the agent's
  EXPECT_EQ(v.signature, signature_check::invalid);
  EXPECT_EQ(v.fingerprint, f.key.fingerprint());
  EXPECT_FALSE(v.intact());
  EXPECT_EQ(verify_bundle(f.bundle, std::string("not a key")).signature, signature_check::bad_key);
}

TEST(Bundle, AMissingSignatureLeavesTheManifestUnread) {
  fixture f;
  auto files = read_archive(f.bundle);
  std::erase_if(files, [](const bundle_file& x) { return x.path == kSignatureFile; });
  entry(files, kManifestFile).content += "not a line\n";
  write_archive(f.bundle, files);
  const auto v = verify_bundle(f.bundle, std::nullopt);
  EXPECT_EQ(v.signature, signature_check::invalid);
  EXPECT_THAT(v.problems, ElementsAre(bundle_problem{kind::missing, kSignatureFile, "", ""}));
}

// The manifest `files` holds with `extra` appended, signed again by the agent's own key.
void resign_with(std::vector<bundle_file>& files, const agent_key& key, const std::string& extra) {
  auto& manifest = entry(files, kManifestFile).content;
  manifest += extra;
  entry(files, kSignatureFile).content = key.sign(manifest);
}

TEST(Bundle, GarbageLinesOfASignedManifestAreNamed) {
  fixture f;
  auto files = read_archive(f.bundle);
  resign_with(files, f.key, "not a line\n" + std::string(64, 'A') + "  upper-case hash\n");
  write_archive(f.bundle, files);
  const auto v = verify_bundle(f.bundle, std::nullopt);
  EXPECT_EQ(v.signature, signature_check::valid);
  EXPECT_THAT(v.problems, ElementsAre(bundle_problem{kind::manifest_line, "7", "", ""},
                                      bundle_problem{kind::manifest_line, "8", "", ""}));
}

// Issue 19, defect 4: std::regex "(.+)" overflowed the stack on a 50 KB manifest line (exit 139),
// and 2 M blank lines cost 234 MB and 2 M problems. Lines are read by hand, problems are bounded.
TEST(Bundle, HostileManifestLinesCostNeitherTheStackNorMemory) {
  fixture f;
  auto files = read_archive(f.bundle);
  resign_with(files, f.key, std::string(64, 'a') + "  " + std::string(200000, 'p') + "\n");
  write_archive(f.bundle, files);
  const auto v = verify_bundle(f.bundle, std::nullopt);
  ASSERT_EQ(v.problems.size(), 1u);  // a well-formed line naming a file that is not there
  EXPECT_EQ(v.problems[0].what, kind::missing);

  fixture g;
  files = read_archive(g.bundle);
  resign_with(files, g.key, std::string(2'000'000, '\n'));
  write_archive(g.bundle, files);
  const auto blank = verify_bundle(g.bundle, std::nullopt);
  EXPECT_EQ(blank.signature, signature_check::valid);
  EXPECT_LE(blank.problems.size(), kMaxManifestProblems + 1);
  EXPECT_EQ(blank.problems.back().path, "more bad lines, not listed");
}

// A tar header (ustar) announcing `size` bytes of content that do not follow.
std::string tar_header(const std::string& name, std::uint64_t size) {
  std::string h(512, '\0');
  const auto field = [&](std::size_t at, const std::string& text) {
    h.replace(at, text.size(), text);
  };
  field(0, name);
  field(100, "0000644");
  field(108, "0000000");
  field(116, "0000000");
  char octal[16];
  std::snprintf(octal, sizeof octal, "%011llo", static_cast<unsigned long long>(size));
  field(124, octal);
  field(136, "00000000000");
  field(156, "0");
  field(257, std::string("ustar\0", 6));
  field(263, "00");
  h.replace(148, 8, "        ");
  unsigned sum = 0;
  for (unsigned char c : h)
    sum += c;
  std::snprintf(octal, sizeof octal, "%06o", sum);
  h.replace(148, 7, std::string(octal, 6) + '\0');
  return h;
}

// Issue 19, defect 7: a bundle could have any number of entries and any total size.
TEST(Bundle, ArchivesBeyondTheBoundsAreRefusedUnread) {
  temp_dir dir;
  std::vector<bundle_file> many(kMaxBundleEntries + 1);
  for (std::size_t i = 0; i < many.size(); ++i)
    many[i].path = "e/" + std::to_string(i);
  const auto crowded = (dir.path() / "crowded.tar.gz").string();
  write_archive(crowded, many);
  try {
    verify_bundle(crowded, std::nullopt);
    ADD_FAILURE() << "an archive of " << many.size() << " entries was read";
  } catch (const bundle_unreadable& e) {
    EXPECT_THAT(e.what(), HasSubstr("more than 100000 entries"));
  }
  EXPECT_THROW(read_archive(crowded), bundle_unreadable);
  many.pop_back();
  write_archive(crowded, many);
  EXPECT_EQ(read_archive(crowded).size(), kMaxBundleEntries);

  const auto huge = dir.write("huge.tar", tar_header("report.json", kMaxBundleBytes + 1));
  try {
    read_archive(huge);
    ADD_FAILURE() << "an entry announcing over 1 GiB was read";
  } catch (const bundle_unreadable& e) {
    EXPECT_THAT(e.what(), HasSubstr("content over 1073741824 bytes"));
  }
  const auto long_path = (dir.path() / "long.tar").string();
  write_archive(long_path, {{std::string(kMaxBundlePathBytes + 1, 'a'), "x"}});
  EXPECT_THROW(verify_bundle(long_path, std::nullopt), bundle_unreadable);
}

TEST(Bundle, UnreadableInputsThrow) {
  temp_dir dir;
  EXPECT_THROW(verify_bundle((dir.path() / "absent.tar.gz").string(), std::nullopt),
               bundle_unreadable);
  EXPECT_THROW(verify_bundle(dir.write("junk.tar.gz", std::string(2000, 'x')), std::nullopt),
               bundle_unreadable);
  EXPECT_THROW(verify_bundle(dir.write("empty.tar", ""), std::nullopt), bundle_unreadable);
  fixture f;
  auto bytes = testing::read_text(f.bundle);
  f.dir.write("cut.tar.gz", bytes.substr(0, bytes.size() / 2));
  EXPECT_THROW(verify_bundle((f.dir.path() / "cut.tar.gz").string(), std::nullopt),
               bundle_unreadable);
}

TEST(Bundle, RefusesUnsafeOrReservedPaths) {
  fixture f;
  for (const std::string bad : {"", "/etc/passwd", "../x", "a/../../x", "MANIFEST.sig", "a\nb"}) {
    EXPECT_THROW(write_bundle(f.bundle, {{bad, "x"}}, f.key), std::runtime_error) << bad;
  }
  EXPECT_THROW(write_bundle(f.bundle, {{"a", "x"}, {"a", "y"}}, f.key), std::runtime_error);
  EXPECT_TRUE(verify_bundle(f.bundle, std::nullopt).intact());  // the old bundle is untouched
}

TEST(Bundle, NeverHoldsTheSecretsTheInventoryPointsTo) {
  fixture f;
  const auto password = f.dir.write("secrets/ldap.pw", "S3cr3t-LDAP-pw-4242");
  const auto ssh_key = f.dir.write("secrets/id_ed25519", "PRIVATE-SSH-KEY-4242");
  const auto passphrase = f.dir.write("secrets/id.pass", "PASSPHRASE-4242");
  const auto inventory =
      f.dir.write("cloison.yaml",
                  "establishment: CH Test\n"
                  "hosts:\n"
                  "  - name: repo01\n"
                  "    address: 198.18.2.10\n"
                  "    ssh: {user: audit, key_file: " +
                      ssh_key + ", passphrase_file: " + passphrase +
                      ", known_hosts: /etc/cloison/known_hosts}\n"
                      "directories:\n"
                      "  - {name: prod, role: production, uri: ldaps://dc.prod, base: 'dc=prod', "
                      "bind_dn: 'cn=audit', password_file: " +
                      password + "}\n");
  write_bundle(f.bundle, f.files(inventory), f.key);
  const auto files = read_archive(f.bundle);
  EXPECT_THAT(paths(files), ::testing::Contains("inventory/cloison.yaml"));
  const auto raw = testing::read_text(f.bundle);
  std::string all;
  for (const auto& x : files)
    all += x.content;
  for (const std::string secret :
       {"S3cr3t-LDAP-pw-4242", "PRIVATE-SSH-KEY-4242", "PASSPHRASE-4242", "BEGIN PRIVATE KEY"}) {
    EXPECT_THAT(all, Not(HasSubstr(secret)));
    EXPECT_THAT(raw, Not(HasSubstr(secret)));
  }
  EXPECT_THAT(all, HasSubstr(password));  // the path, as the auditor needs it, is there
}

// Found by tests/fuzz/bundle_archive: libarchive gives no error text for this truncated gzip
// stream, and a std::runtime_error built from that null pointer threw std::logic_error instead
// of bundle_unreadable.
TEST(Bundle, ATruncatedGzipStreamIsUnreadable) {
  const auto bytes = testing::read_text(std::string(CLOISON_SOURCE_DIR) +
                                        "/tests/fuzz/regressions/bundle_archive/"
                                        "crash-970b2d1272e4ebcaee45418712f12988cdffcc42");
  ASSERT_FALSE(bytes.empty());
  EXPECT_THROW(verify_bundle_bytes(bytes, "cut.tar.gz", std::nullopt), bundle_unreadable);
  EXPECT_THROW(read_archive_bytes(bytes), bundle_unreadable);
  temp_dir dir;
  EXPECT_THROW(verify_bundle(dir.write("cut.tar.gz", bytes), std::nullopt), bundle_unreadable);
}

TEST(Bundle, AFileChangedSinceTheAuditIsRefused) {
  fixture f;
  const auto policy = f.dir.write("p.yaml", "checks: []\n");
  EXPECT_THROW(
      audit_bundle_files(f.dir.path() / "out", {}, {{policy, std::string(64, '0')}}, "", ""),
      std::runtime_error);
  const auto files =
      audit_bundle_files(f.dir.path() / "out", {}, {{policy, sha256_hex("checks: []\n")}}, "", "");
  EXPECT_THAT(paths(files), ElementsAre("report.json", "report.xml", "policies/p.yaml"));
}

}  // namespace
}  // namespace cloison
