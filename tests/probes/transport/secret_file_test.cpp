#include "probes/transport/secret_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "tests/support.h"

namespace cloison {
namespace {

std::string secret_at(const testing::temp_dir& dir, const std::string& content, mode_t mode) {
  const auto path = dir.write("secret", content);
  ::chmod(path.c_str(), mode);
  return path;
}

TEST(SecretFile, ReadsTheFirstLineOfAPrivateFile) {
  testing::temp_dir dir;
  std::string into, why;
  EXPECT_TRUE(read_secret_file(secret_at(dir, "correct horse\nsecond line\n", 0600), into, why))
      << why;
  EXPECT_EQ(into, "correct horse");
  EXPECT_TRUE(read_secret_file(secret_at(dir, "no newline", 0400), into, why));
  EXPECT_EQ(into, "no newline");
}

// Issue 19, defect 7: secret files were read whatever their mode and size.
TEST(SecretFile, AFileOpenToOthersIsRefusedNamingTheFix) {
  testing::temp_dir dir;
  for (const mode_t mode : {0644, 0640, 0604, 0660}) {
    const auto path = secret_at(dir, "correct horse\n", mode);
    std::string into = "left over", why;
    EXPECT_FALSE(read_secret_file(path, into, why)) << mode;
    EXPECT_TRUE(into.empty());
    EXPECT_NE(why.find("is open to group or others"), std::string::npos) << why;
    EXPECT_NE(why.find("chmod 600 " + path), std::string::npos) << why;
    EXPECT_EQ(why.find("horse"), std::string::npos) << why;
  }
}

TEST(SecretFile, LargeOrSpecialFilesAreRefusedUnread) {
  testing::temp_dir dir;
  std::string into, why;
  EXPECT_FALSE(
      read_secret_file(secret_at(dir, std::string(kMaxSecretFileBytes + 1, 'x'), 0600), into, why));
  EXPECT_NE(why.find("is larger than 65536 bytes"), std::string::npos) << why;
  EXPECT_FALSE(read_secret_file(dir.path().string(), into, why));
  EXPECT_NE(why.find("not a regular file"), std::string::npos) << why;
  EXPECT_FALSE(read_secret_file((dir.path() / "absent").string(), into, why));
  EXPECT_NE(why.find("cannot read the secret file"), std::string::npos) << why;
}

}  // namespace
}  // namespace cloison
