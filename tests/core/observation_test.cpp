#include "core/observation.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace cloison {
namespace {

using namespace std::chrono;

TEST(ParseUtcTime, ReadsReportJsonsForm) {
  EXPECT_EQ(parse_utc_time("2026-12-03T20:25:12Z"),
            sys_days{2026y / December / 3} + 20h + 25min + 12s);
  EXPECT_EQ(parse_utc_time("1970-01-01T00:00:00Z"), sys_seconds{});
}

TEST(ParseUtcTime, ReadsBackWhatUtcNowWrites) {
  const auto before = floor<seconds>(system_clock::now());
  const auto read = parse_utc_time(utc_now_iso8601());
  ASSERT_TRUE(read);
  EXPECT_GE(*read, before);
  EXPECT_LE(*read, before + 2s);
}

TEST(ParseUtcTime, RefusesAnythingElse) {
  for (const char* text : {"", "2026-12-03", "2026-12-03T20:25:12", "2026-12-03T20:25:12+01:00",
                           "2026-12-03 20:25:12Z", "2026-12-03T20:25:12.5Z", "2026-02-30T20:25:12Z",
                           "2026-12-03T24:00:00Z", "2026-12-03T20:60:00Z", "2026-12-03T20:25:60Z",
                           "2026-12-03T+1:25:12Z", "2026-12-03T 1:25:12Z", "2026-12-03T20-25-12Z"})
    EXPECT_FALSE(parse_utc_time(text)) << text;
}

TEST(MakeEvidence, SpooledContentIsHashedAndReadLikeContentInMemory) {
  std::string text;
  auto spool = std::make_unique<spooled_text>();
  for (int i = 0; i < 5000; ++i) {
    const std::string line = "production\tbk01\t10.2.0.10\t" + std::to_string(i) + "\tfiltered\n";
    spool->append(line);
    text += line;
  }
  const auto spooled = make_evidence("reachability/x", "tcp connect matrix", std::move(spool));
  const auto in_memory = make_evidence("reachability/x", "tcp connect matrix", text, false);
  ASSERT_TRUE(spooled.spooled);
  EXPECT_TRUE(spooled.content.empty());
  EXPECT_EQ(spooled.sha256, sha256_hex(text));
  EXPECT_EQ(spooled.sha256, in_memory.sha256);
  for (const auto* e : {&spooled, &in_memory}) {
    EXPECT_EQ(content_size(*e), text.size());
    EXPECT_EQ(content_prefix(*e, 20), text.substr(0, 20));
    std::string read;
    read_content(*e, [&](std::string_view piece) { read += piece; });
    EXPECT_EQ(read, text);
  }
}

}  // namespace
}  // namespace cloison
