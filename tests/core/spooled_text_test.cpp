#include "core/spooled_text.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <stdexcept>
#include <string>

namespace cloison {
namespace {

std::string whole(const spooled_text& s) {
  std::string out;
  s.read([&](std::string_view piece) {
    EXPECT_LE(piece.size(), 64u * 1024);
    out += piece;
  });
  return out;
}

TEST(SpooledText, ReadsBackEverythingAppendedAcrossBufferAndPieceBoundaries) {
  spooled_text s;
  std::string expected;
  for (int i = 0; i < 20000; ++i) {  // about 300 KB of short lines, as a sweep's table
    const std::string line = "production\tbk" + std::to_string(i) + "\t198.18.201.10\n";
    s.append(line);
    expected += line;
  }
  const std::string large(200 * 1024, 'x');  // one piece over the buffer
  s.append(large);
  expected += large;
  s.flush();
  EXPECT_EQ(s.size(), expected.size());
  EXPECT_EQ(whole(s), expected);
  EXPECT_EQ(s.prefix(11), "production\t");
  EXPECT_EQ(s.prefix(expected.size() + 10), expected);
}

TEST(SpooledText, ReadingWhatIsStillBufferedIsRefused) {
  spooled_text s;
  s.append("not flushed yet");
  EXPECT_EQ(s.size(), 15u);
  EXPECT_THROW(s.prefix(4), std::logic_error);  // never a silently shorter content
  s.flush();
  EXPECT_EQ(s.prefix(4), "not ");
}

TEST(SpooledText, LeavesNoFileBehindInItsFolder) {
  const auto folder =
      std::filesystem::temp_directory_path() / ("cloison-spool-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(folder);
  {
    spooled_text s(folder.string());
    s.append("evidence");
    s.flush();
    EXPECT_EQ(whole(s), "evidence");
    EXPECT_TRUE(std::filesystem::is_empty(folder));  // nameless from the start
  }
  EXPECT_TRUE(std::filesystem::is_empty(folder));
  std::filesystem::remove(folder);
}

TEST(SpooledText, AMissingFolderIsAnErrorNamingIt) {
  try {
    spooled_text s("/nonexistent/cloison");
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/cloison"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace cloison
