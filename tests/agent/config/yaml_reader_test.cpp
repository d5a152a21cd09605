// Hostile bytes: whatever the file holds, loading gives diagnostics, never a crash or an exception.
#include "agent/config/yaml_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>

#include "agent/config/inventory_loader.h"
#include "tests/support.h"

namespace cloison {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::located;
using testing::temp_dir;

// Found by tests/fuzz/config_yaml (regressions/config_yaml/crash-33a0…): loaders locate a bad
// value at its key, and a required key that was missing (value "") threw YAML::InvalidNode from
// Mark(); an alert without a type crashed read_inventory.
TEST(YamlReader, AbsentNodesAreDiagnosticsNeverExceptions) {
  diagnostics d;
  const auto doc = load_yaml_text("alerts:\n  - url: http://x\n", "i.yaml", d);
  ASSERT_TRUE(doc);
  yaml_reader y("i.yaml", d);
  const auto absent = (*doc)["alerts"][0]["type"];
  y.error(absent, "type: expected syslog, webhook or prometheus, found ''");
  EXPECT_FALSE(y.expect_map(absent, "absent", {}));
  EXPECT_FALSE(y.expect_sequence(absent, "absent"));
  EXPECT_EQ(y.scalar_text(absent, "absent"), std::nullopt);
  EXPECT_THAT(located(d), ElementsAre("0:0: type: expected syslog, webhook or prometheus, found ''",
                                      "0:0: absent: expected a map, found nothing",
                                      "0:0: absent: expected a list, found nothing",
                                      "0:0: absent: expected text, found nothing"));
  diagnostics inventory;
  EXPECT_EQ(read_inventory(*doc, "i.yaml", inventory), std::nullopt);
  EXPECT_THAT(located(inventory), ::testing::Contains("2:5: alert: missing required key 'type'"));
}

TEST(YamlReader, ErrorsWithinAScalarCountCharactersFromItsText) {
  diagnostics d;
  const auto doc = load_yaml_text(
      "plain: ab cd\n"
      "quoted: \"ab cd\"\n"
      "single: 'é cd'\n"
      "list: [ab]\n",
      "i.yaml", d);
  ASSERT_TRUE(doc);
  yaml_reader y("i.yaml", d);
  y.error_within((*doc)["plain"], 3, "plain");
  y.error_within((*doc)["quoted"], 3, "quoted");
  y.error_within((*doc)["single"], 3, "single: after the 2 bytes of é, one column");
  y.error_within((*doc)["quoted"], 99, "beyond: the end of the text");
  y.error_within((*doc)["list"], 1, "list: no text, the node's place");
  y.error_within((*doc)["absent"], 1, "absent: unlocated");
  EXPECT_THAT(located(d), ElementsAre("0:0: absent: unlocated", "1:11: plain", "2:13: quoted",
                                      "2:15: beyond: the end of the text",
                                      "3:12: single: after the 2 bytes of é, one column",
                                      "4:7: list: no text, the node's place"));
}

TEST(YamlReader, EmptyFile) {
  temp_dir dir;
  diagnostics d;
  EXPECT_FALSE(load_yaml_file(dir.write("empty.yaml", ""), d));
  EXPECT_THAT(located(d), ElementsAre("1:1: empty document"));
}

TEST(YamlReader, BinaryBytesAreLocated) {
  temp_dir dir;
  diagnostics d;
  EXPECT_FALSE(load_yaml_file(
      dir.write("bin.yaml", std::string("a: 1\nb: \x7f\x45\x4c\x46\x02\xff\x00", 16)), d));
  EXPECT_THAT(located(d), ElementsAre("2:9: not UTF-8 text (binary or wrongly encoded byte)"));
}

TEST(YamlReader, SyntaxErrorIsLocated) {
  diagnostics d;
  EXPECT_FALSE(load_yaml_text("a: [1, 2\nb: 3\n", "t.yaml", d));
  ASSERT_EQ(d.size(), 1u);
  EXPECT_THAT(d.items()[0].to_string(), HasSubstr("t.yaml:"));
  EXPECT_THAT(d.items()[0].message, HasSubstr("YAML syntax error"));
  EXPECT_GT(d.items()[0].line, 0);
}

TEST(YamlReader, DeepNestingIsRefused) {
  diagnostics d;
  EXPECT_FALSE(load_yaml_text(std::string(100000, '[') + std::string(100000, ']'), "deep.yaml", d));
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d.items()[0].message, "nesting too deep");
}

// Issue 19, defect 3: a 30-byte self-referencing alias crashed the policy loader, and a 600-byte
// "billion laughs" took gigabytes. Configuration needs no alias: every one is refused, located.
TEST(YamlReader, AliasesAreRefusedWhereTheyStand) {
  diagnostics d;
  EXPECT_FALSE(load_yaml_text("checks:\n  - expect: {in: &s [*s]}\n", "loop.yaml", d));
  EXPECT_THAT(located(d), ElementsAre("2:22: YAML aliases (*name) are not accepted in "
                                      "configuration; write the value out"));
  std::string laughs = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n";
  for (char c = 'b'; c <= 'j'; ++c) {
    laughs += std::string(1, c) + ": &" + c + " [";
    for (int i = 0; i < 8; ++i)
      laughs += std::string(i ? "," : "") + "*" + static_cast<char>(c - 1);
    laughs += "]\n";
  }
  diagnostics many;
  EXPECT_FALSE(load_yaml_text(laughs, "laughs.yaml", many));
  ASSERT_FALSE(many.empty());
  EXPECT_THAT(many.items()[0].message, HasSubstr("YAML aliases"));
  diagnostics anchors_only;  // an anchor alone is harmless
  EXPECT_TRUE(load_yaml_text("a: &x 1\nb: 2\n", "anchor.yaml", anchors_only));
}

TEST(YamlReader, TooLargeFileIsRefusedBeforeParsing) {
  temp_dir dir;
  diagnostics d;
  // Issue 19, defect 7: an 8 MB inventory cost 640 MB and 10 s; the limit is now 2 MiB.
  const auto path = dir.write("big.yaml", std::string((2u << 20) + 1, 'x'));
  EXPECT_FALSE(load_yaml_file(path, d));
  EXPECT_THAT(located(d), ElementsAre("0:0: file too large (2097153 bytes; limit 2097152)"));
}

TEST(YamlReader, MissingFileIsADiagnostic) {
  diagnostics d;
  EXPECT_FALSE(load_yaml_file("/nonexistent/cloison.yaml", d));
  ASSERT_EQ(d.size(), 1u);
  EXPECT_THAT(d.items()[0].message, HasSubstr("cannot read"));
}

TEST(YamlReader, SeveralDocumentsAreRefused) {
  diagnostics d;
  EXPECT_FALSE(load_yaml_text("a: 1\n---\nb: 2\n", "multi.yaml", d));
  EXPECT_THAT(located(d),
              ElementsAre("2:1: several YAML documents in one file; expected exactly one"));
}

TEST(YamlReader, StrayCommaDoesNotHang) {
  // yaml-cpp 0.7's LoadAll allocates without end on this input.
  diagnostics d;
  load_yaml_text(",", "comma.yaml", d);
  load_yaml_text("a: ,", "comma.yaml", d);
  EXPECT_FALSE(d.empty());
}

TEST(YamlReader, RandomPrintableGarbageNeverThrows) {
  std::mt19937 rng(42);
  const std::string alphabet = "abc:-[]{}#&*!|>'\"%@`, \n\t?0123456789.";
  for (int round = 0; round < 2000; ++round) {
    std::string text(rng() % 4000, ' ');
    for (auto& c : text)
      c = alphabet[rng() % alphabet.size()];
    diagnostics d;
    EXPECT_NO_THROW({
      if (auto doc = load_yaml_text(text, "fuzz.yaml", d))
        read_inventory(*doc, "fuzz.yaml", d);
    });
  }
}

TEST(YamlReader, MegabytesOfGarbageGiveADiagnostic) {
  std::mt19937 rng(7);
  std::string text(5u << 20, ' ');
  for (auto& c : text)
    c = static_cast<char>(0x20 + rng() % 95);
  diagnostics d;
  auto doc = load_yaml_text(text, "garbage.yaml", d);
  if (doc)
    read_inventory(*doc, "garbage.yaml", d);
  EXPECT_FALSE(d.empty());
}

TEST(YamlReader, ScalarsAreTypedLikeYaml12Core) {
  diagnostics d;
  auto doc = load_yaml_text("[no, 'no', true, 3, 2.5, ~, \"7\", [a]]", "t.yaml", d);
  ASSERT_TRUE(doc);
  EXPECT_EQ(yaml_to_json(*doc).dump(), R"(["no","no",true,3,2.5,null,"7",["a"]])");
}

}  // namespace
}  // namespace cloison
