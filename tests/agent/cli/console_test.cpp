#include "agent/cli/console.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

namespace cloison {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(ConsoleSummary, NamesHostsReadFromACollectedFileOrWithALearnedKey) {
  report r;
  r.establishment = "CH";
  r.observations = {{"host", "bk01", outcome::ok, "", 90, "", "", ""},
                    {"host", "repo01", outcome::ok, "", 3, "2026-11-27T02:00:00Z", "abc123", ""},
                    {"host", "bk02", outcome::ok, "", 80, "", "", "ssh-ed25519 SHA256:AbCdEf0123"}};
  std::ostringstream en, fr;
  print_summary(en, r, lang::en, false, "out/report.json");
  print_summary(fr, r, lang::fr, false, "out/report.json");
  EXPECT_THAT(en.str(), HasSubstr("  repo01: facts collected at 2026-11-27T02:00:00Z (file signed "
                                  "by key abc123)\n"));
  EXPECT_THAT(en.str(),
              HasSubstr("  bk02: host key learned on first use: ssh-ed25519 SHA256:AbCdEf0123\n"));
  EXPECT_THAT(en.str(), Not(HasSubstr("bk01")));
  EXPECT_THAT(fr.str(), HasSubstr("  repo01: faits collectés le 2026-11-27T02:00:00Z"));
  EXPECT_THAT(fr.str(), HasSubstr("  bk02: clé d'hôte apprise à la première connexion : "));
}

}  // namespace
}  // namespace cloison
