#include "agent/evidence/agent_key.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <thread>

#include "tests/support.h"

namespace cloison {
namespace {

using ::testing::HasSubstr;
using testing::temp_dir;

mode_t mode_of(const std::filesystem::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
  return st.st_mode & 07777;
}

TEST(AgentKey, CreatedOnFirstUseWithPrivateModesThenReused) {
  temp_dir dir;
  const auto path = dir.path() / "var" / "lib" / "cloison" / "agent-key.pem";
  const auto key = agent_key::load_or_create(path.string());
  EXPECT_EQ(mode_of(path), 0600u);
  EXPECT_EQ(mode_of(path.parent_path()), 0700u);
  EXPECT_EQ(mode_of(path.parent_path().parent_path()), 0700u);
  EXPECT_THAT(testing::read_text(path.string()), HasSubstr("-----BEGIN PRIVATE KEY-----"));
  EXPECT_THAT(key.public_key_pem(), HasSubstr("-----BEGIN PUBLIC KEY-----"));
  EXPECT_EQ(key.fingerprint().size(), 64u);
  EXPECT_EQ(key.fingerprint(), public_key_fingerprint(key.public_key_pem()));
  EXPECT_EQ(key.info(), (signing_info{"Ed25519", key.public_key_pem(), key.fingerprint()}));

  const auto again = agent_key::load_or_create(path.string());
  EXPECT_EQ(again.public_key_pem(), key.public_key_pem());
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(path.parent_path()), {}), 1)
      << "no temporary file left behind";
}

TEST(AgentKey, ConcurrentFirstUsesEndWithOneKey) {
  temp_dir dir;
  const auto path = (dir.path() / "k" / "agent-key.pem").string();
  std::vector<std::string> seen(8);
  {
    std::vector<std::jthread> threads;
    for (auto& s : seen)
      threads.emplace_back([&] { s = agent_key::load_or_create(path).fingerprint(); });
  }
  for (const auto& s : seen)
    EXPECT_EQ(s, seen.front());
}

TEST(AgentKey, SignaturesVerifyOnlyWithTheirKeyAndMessage) {
  temp_dir dir;
  const auto a = agent_key::load_or_create((dir.path() / "a.pem").string());
  const auto b = agent_key::load_or_create((dir.path() / "b.pem").string());
  EXPECT_NE(a.fingerprint(), b.fingerprint());
  const auto sig = a.sign("manifest");
  EXPECT_EQ(sig.size(), 64u);
  EXPECT_EQ(verify_signature(a.public_key_pem(), "manifest", sig), signature_check::valid);
  EXPECT_EQ(verify_signature(a.public_key_pem(), "manifesT", sig), signature_check::invalid);
  EXPECT_EQ(verify_signature(b.public_key_pem(), "manifest", sig), signature_check::invalid);
  EXPECT_EQ(verify_signature(a.public_key_pem(), "manifest", sig.substr(1)),
            signature_check::invalid);
  EXPECT_EQ(verify_signature("not a key", "manifest", sig), signature_check::bad_key);
  EXPECT_EQ(public_key_fingerprint("garbage"), "");
}

TEST(AgentKey, RefusesKeysOthersCanReadAndFilesThatAreNoEd25519Key) {
  temp_dir dir;
  const auto path = (dir.path() / "agent-key.pem").string();
  agent_key::load_or_create(path);
  ASSERT_EQ(::chmod(path.c_str(), 0640), 0);
  try {
    agent_key::load_or_create(path);
    FAIL() << "a group-readable key was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("group or others have access"));
  }
  const auto junk = dir.write("junk.pem", "-----BEGIN PRIVATE KEY-----\nAAAA\n");
  ASSERT_EQ(::chmod(junk.c_str(), 0600), 0);
  EXPECT_THROW(agent_key::load_or_create(junk), std::runtime_error);
  const auto link = (dir.path() / "link.pem").string();
  std::filesystem::create_symlink(path, link);
  EXPECT_THROW(agent_key::load_or_create(link), std::runtime_error);
  EXPECT_THROW(agent_key::load_or_create("/proc/cloison/agent-key.pem"), std::runtime_error);
}

TEST(AgentKey, PathFromOptionThenEnvironmentThenDefault) {
  ::setenv(kKeyFileVariable, "/tmp/env-key.pem", 1);
  EXPECT_EQ(agent_key_path("/opt/k.pem"), "/opt/k.pem");
  EXPECT_EQ(agent_key_path(""), "/tmp/env-key.pem");
  ::unsetenv(kKeyFileVariable);
  EXPECT_EQ(agent_key_path(""), kDefaultKeyFile);
}

}  // namespace
}  // namespace cloison
