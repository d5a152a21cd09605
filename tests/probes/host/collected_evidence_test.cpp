#include "probes/host/collected_evidence.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

#include "agent/evidence/agent_key.h"
#include "tests/support.h"

namespace cloison {
namespace {

using ::testing::HasSubstr;
using testing::temp_dir;
using namespace std::chrono_literals;

// Answers from a table keyed by the command's first word.
class table_runner final : public command_runner {
 public:
  std::map<std::string, command_result> answers;
  command_result run(const std::vector<std::string>& argv, deadline, std::size_t) const override {
    return answers.at(argv.front());
  }
};

command_result result(enum outcome o, int exit_code, std::string out, std::string err,
                      bool truncated = false, std::string failure = "") {
  return {o, exit_code, std::move(out), std::move(err), truncated, std::move(failure)};
}

const std::vector<std::vector<std::string>> kLines{
    {"cat", "/etc/resolv.conf"}, {"dump", "--binary"}, {"missing-tool", "-x"}, {"big"}};

// A real key pair, a file signed with it, and the source that pins it.
struct signed_file {
  temp_dir dir;
  agent_key key = agent_key::load_or_create((dir.path() / "agent.pem").string());
  collected_evidence evidence;
  collected_evidence_source source;

  signed_file() {
    auto table = std::make_shared<table_runner>();
    auto& runner = *table;
    runner.answers["cat"] = result(outcome::ok, 0, "nameserver 10.50.0.5\néè ✓\n", "");
    // Not UTF-8, with a NUL byte and a lone continuation byte: kept byte for byte.
    runner.answers["dump"] =
        result(outcome::ok, 3, std::string("\x00\xff\xfe bin\x80", 8), "warn: \xc3(\n");
    runner.answers["missing-tool"] =
        result(outcome::error, -1, "", "", false, "missing-tool: No such file or directory");
    runner.answers["big"] = result(outcome::ok, 0, std::string(100, 'x'), "", true);
    const recording_runner recorder(table);
    recorder.run_all({kLines.begin(), kLines.begin() + 2}, std::chrono::steady_clock::now() + 5s,
                     100);
    for (auto line = kLines.begin() + 2; line != kLines.end(); ++line)
      recorder.run(*line, std::chrono::steady_clock::now() + 5s, 100);
    evidence = {"repo01", utc_now_iso8601(), "0.1.0", 100, recorder.recorded()};
    source.public_key = dir.write("agent.pub", key.public_key_pem());
    source.file = write(evidence);
  }

  std::string write(const collected_evidence& e, const std::string& name = "ev.json") const {
    const auto payload = signed_payload(e);
    return dir.write(name, evidence_file_text(payload, key.sign(payload), key.fingerprint()));
  }

  loaded_evidence load(
      std::chrono::system_clock::time_point now = std::chrono::system_clock::now()) const {
    return load_collected_evidence(source, "repo01", now);
  }

  // The evidence signed again with `text` as one command's output.
  loaded_evidence load_text(const std::string& text) {
    auto e = evidence;
    e.commands.front().result.out = text;
    source.file = write(e);
    return load();
  }
};

void expect_same(const command_result& a, const command_result& b) {
  EXPECT_EQ(a.outcome, b.outcome);
  EXPECT_EQ(a.exit_code, b.exit_code);
  EXPECT_EQ(a.out, b.out);
  EXPECT_EQ(a.err, b.err);
  EXPECT_EQ(a.truncated, b.truncated);
  EXPECT_EQ(a.failure, b.failure);
}

TEST(CollectedEvidence, RoundTripReplaysTheSameResults) {
  signed_file f;
  const auto loaded = f.load();
  ASSERT_TRUE(loaded.evidence) << loaded.refusal;
  EXPECT_EQ(loaded.refusal, "");
  EXPECT_EQ(loaded.signer, f.key.fingerprint());
  EXPECT_EQ(loaded.evidence->host, "repo01");
  EXPECT_EQ(loaded.evidence->collected_at, f.evidence.collected_at);
  EXPECT_EQ(loaded.evidence->cloison_version, "0.1.0");
  EXPECT_EQ(loaded.evidence->output_cap, 100u);
  ASSERT_EQ(loaded.evidence->commands.size(), kLines.size());

  const replay_runner replay(*loaded.evidence);
  for (std::size_t i = 0; i < kLines.size(); ++i) {
    EXPECT_EQ(loaded.evidence->commands[i].argv, kLines[i]);
    expect_same(replay.run(kLines[i], {}, kDefaultOutputCap), f.evidence.commands[i].result);
  }
  EXPECT_EQ(replay.run(kLines[1], {}, kDefaultOutputCap).out.size(), 8u);  // NUL kept
}

TEST(CollectedEvidence, OutputsThatAreNotUtf8AreBase64TheRestText) {
  signed_file f;
  const auto file = json::parse(testing::read_text(f.source.file));
  const auto payload = json::parse(file.at("payload").get<std::string>());
  EXPECT_EQ(payload["commands"][0]["stdout"]["text"], "nameserver 10.50.0.5\néè ✓\n");
  EXPECT_EQ(payload["commands"][1]["stdout"]["base64"], "AP/+IGJpboA=");
  EXPECT_TRUE(payload["commands"][1]["stderr"].contains("base64"));
  // The signed bytes are ASCII, so `jq -j .payload` prints exactly them.
  const auto bytes = file.at("payload").get<std::string>();
  EXPECT_TRUE(std::all_of(bytes.begin(), bytes.end(),
                          [](char c) { return static_cast<unsigned char>(c) < 0x80; }));
  EXPECT_EQ(file.at("signature").at("public_key_fingerprint"), f.key.fingerprint());
}

TEST(CollectedEvidence, ReplayAnswersOnlyExactlyTheRecordedCommands) {
  signed_file f;
  const replay_runner replay(f.evidence);
  for (const std::vector<std::string>& other : {std::vector<std::string>{"cat", "/etc/passwd"},
                                                {"cat"},
                                                {"cat", "/etc/resolv.conf", "x"},
                                                {"sudo", "-n", "--", "cat", "/etc/resolv.conf"}}) {
    const auto r = replay.run(other, {}, kDefaultOutputCap);
    EXPECT_EQ(r.outcome, outcome::error);
    EXPECT_THAT(r.failure, HasSubstr("not collected"));
    EXPECT_EQ(r.out, "");
  }
}

TEST(CollectedEvidence, ReplayAppliesTheAuditsCap) {
  signed_file f;
  const replay_runner replay(f.evidence);
  const auto r = replay.run(kLines[0], {}, 10);
  EXPECT_EQ(r.out, "nameserver");
  EXPECT_TRUE(r.truncated);
  EXPECT_FALSE(replay.run(kLines[0], {}, 1000).truncated);
}

TEST(CollectedEvidence, AnyAlteredByteIsRefused) {
  signed_file f;
  const std::string original = testing::read_text(f.source.file);
  // One byte of the signed content (inside the nameserver address), then one of the signature.
  for (const auto& [needle, replacement] :
       {std::pair{std::string("10.50.0.5"), std::string("10.50.0.6")},
        std::pair{std::string("\"exit_code\\\":3"), std::string("\"exit_code\\\":0")}}) {
    std::string altered = original;
    const auto at = altered.find(needle);
    ASSERT_NE(at, std::string::npos) << needle;
    altered.replace(at, needle.size(), replacement);
    f.dir.write("ev.json", altered);
    const auto loaded = f.load();
    EXPECT_FALSE(loaded.evidence);
    EXPECT_THAT(loaded.refusal, HasSubstr("invalid signature: the content was altered"));
    EXPECT_THAT(loaded.refusal, HasSubstr("signature invalide"));
  }
  auto j = json::parse(original);
  auto sig = j["signature"]["value"].get<std::string>();
  sig[0] = sig[0] == 'A' ? 'B' : 'A';
  j["signature"]["value"] = sig;
  f.dir.write("ev.json", j.dump());
  EXPECT_FALSE(f.load().evidence);
  f.dir.write("ev.json", original);
  EXPECT_TRUE(f.load().evidence);
}

TEST(CollectedEvidence, WrongSignerIsRefused) {
  signed_file f;
  temp_dir other_dir;
  const auto other = agent_key::load_or_create((other_dir.path() / "other.pem").string());
  const auto payload = signed_payload(f.evidence);
  f.dir.write("ev.json", evidence_file_text(payload, other.sign(payload), other.fingerprint()));
  const auto loaded = f.load();
  EXPECT_FALSE(loaded.evidence);
  EXPECT_THAT(loaded.refusal, HasSubstr("signed by another key (" + other.fingerprint() +
                                        ") than the pinned key (" + f.key.fingerprint() + ")"));
  // Claiming the pinned key's fingerprint does not help: the signature still does not verify.
  f.dir.write("ev.json", evidence_file_text(payload, other.sign(payload), f.key.fingerprint()));
  EXPECT_FALSE(f.load().evidence);
}

TEST(CollectedEvidence, StaleOrFutureCollectionsAreRefused) {
  signed_file f;
  f.source.max_age = 8 * 24h;
  const auto at = *parse_utc_time(f.evidence.collected_at);
  EXPECT_TRUE(f.load(at + 8 * 24h).evidence);
  const auto stale = f.load(at + 8 * 24h + 1s);
  EXPECT_FALSE(stale.evidence);
  EXPECT_THAT(stale.refusal,
              HasSubstr("too old: collected at " + f.evidence.collected_at + ", maximum age 8d"));
  EXPECT_THAT(stale.refusal, HasSubstr("trop anciennes"));
  f.source.max_age = 36h;
  EXPECT_THAT(f.load(at + 37h).refusal, HasSubstr("maximum age 36h"));
  f.source.max_age = 8 * 24h;
  EXPECT_TRUE(f.load(at - kCollectedClockSkew).evidence);
  const auto future = f.load(at - kCollectedClockSkew - 1s);
  EXPECT_FALSE(future.evidence);
  EXPECT_THAT(future.refusal, HasSubstr("lies in the future"));
}

TEST(CollectedEvidence, OversizedMissingOrForeignFilesAreRefused) {
  signed_file f;
  const auto size = std::filesystem::file_size(f.source.file);
  EXPECT_TRUE(
      load_collected_evidence(f.source, "repo01", std::chrono::system_clock::now(), size).evidence);
  const auto big =
      load_collected_evidence(f.source, "repo01", std::chrono::system_clock::now(), size - 1);
  EXPECT_FALSE(big.evidence);
  EXPECT_THAT(big.refusal, HasSubstr("too large (" + std::to_string(size) + " bytes, limit " +
                                     std::to_string(size - 1) + ")"));

  const auto other_host =
      load_collected_evidence(f.source, "repo02", std::chrono::system_clock::now());
  EXPECT_FALSE(other_host.evidence);
  EXPECT_THAT(other_host.refusal, HasSubstr("collected on host 'repo01', not on 'repo02'"));

  auto missing = f.source;
  missing.file = (f.dir.path() / "absent.json").string();
  const auto absent = load_collected_evidence(missing, "repo01", std::chrono::system_clock::now());
  EXPECT_FALSE(absent.evidence);
  EXPECT_THAT(absent.refusal, HasSubstr("collected evidence refused (" + missing.file +
                                        "): file cannot be read (No such file or directory)"));
  EXPECT_THAT(absent.refusal, HasSubstr("preuves collectées refusées"));

  for (const auto* garbage : {"", "not json", "{\"format\": \"cloison.collected-evidence\"}",
                              "{\"format\": \"other\", \"version\": 1}"}) {
    f.dir.write("ev.json", garbage);
    const auto loaded = f.load();
    EXPECT_FALSE(loaded.evidence) << garbage;
    EXPECT_THAT(loaded.refusal, HasSubstr("not a cloison evidence file")) << garbage;
  }

  auto no_key = f.source;
  no_key.public_key = f.dir.write("not-a-key.pub", "hello");
  EXPECT_THAT(load_collected_evidence(no_key, "repo01", std::chrono::system_clock::now()).refusal,
              HasSubstr("is no Ed25519 public key"));
}

// Issue 19, defect 6: the file's JSON was parsed before its signature was checked, with no depth
// limit (16 MiB of '[' cost 1.33 GB). Nesting is measured first, in the file and in the payload.
TEST(CollectedEvidence, DeepNestingIsRefusedBeforeParsing) {
  signed_file f;
  f.dir.write("ev.json", std::string(1u << 20, '['));
  const auto deep = f.load();
  EXPECT_FALSE(deep.evidence);
  EXPECT_THAT(deep.refusal, HasSubstr("JSON nested deeper than 8"));
  const std::string payload = "{\"a\":" + std::string(100, '[') + std::string(100, ']') + "}";
  f.dir.write("ev.json", evidence_file_text(payload, f.key.sign(payload), f.key.fingerprint()));
  const auto signed_deep = f.load();
  EXPECT_FALSE(signed_deep.evidence);
  EXPECT_THAT(signed_deep.refusal, HasSubstr("JSON nested deeper than 8"));
  // Brackets inside strings are text, not nesting.
  EXPECT_TRUE(f.load_text(std::string(64, '[')).evidence);
}

TEST(CollectedEvidence, SignedButMalformedContentIsRefusedNotThrown) {
  signed_file f;
  const std::string payload = "{\"format\":\"cloison.collected-evidence\",\"version\":1}";
  f.dir.write("ev.json", evidence_file_text(payload, f.key.sign(payload), f.key.fingerprint()));
  const auto loaded = f.load();
  EXPECT_FALSE(loaded.evidence);
  EXPECT_THAT(loaded.refusal, HasSubstr("malformed signed content"));
}

}  // namespace
}  // namespace cloison
