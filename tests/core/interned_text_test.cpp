#include "core/interned_text.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace cloison {
namespace {

TEST(InternedText, EqualTextsShareOneCopy) {
  const interned_text a = std::string("EHOSTUNREACH");
  const interned_text b("EHOSTUNREACH");
  EXPECT_EQ(&a.str(), &b.str());
  EXPECT_EQ(a, "EHOSTUNREACH");
  EXPECT_FALSE(a == "EACCES");
  EXPECT_NE(&interned_text("EACCES").str(), &a.str());
  std::ostringstream out;
  out << a;
  EXPECT_EQ(out.str(), "EHOSTUNREACH");
}

TEST(InternedText, EmptyIsTheDefaultAndClears) {
  interned_text t;
  EXPECT_TRUE(t.empty());
  EXPECT_EQ(t, "");
  t = "local: socket: Too many open files";
  EXPECT_FALSE(t.empty());
  t.clear();
  EXPECT_TRUE(t.empty());
  EXPECT_TRUE(interned_text("").empty());
}

TEST(InternedText, ThreadsInterningTheSameTextsGetTheSameCopies) {
  std::vector<const std::string*> seen(8);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < seen.size(); ++i) {
    threads.emplace_back([&seen, i] {
      for (int n = 0; n < 1000; ++n)
        seen[i] = &interned_text("ssh: batch " + std::to_string(n % 10)).str();
    });
  }
  for (auto& t : threads)
    t.join();
  for (const auto* s : seen)
    EXPECT_EQ(s, seen.front());
}

}  // namespace
}  // namespace cloison
