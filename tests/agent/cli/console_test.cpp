#include "agent/cli/console.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <spdlog/spdlog.h>

#include <algorithm>
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
  // The time in the local zone, whatever it is here.
  EXPECT_THAT(en.str(), HasSubstr("  repo01: facts collected at 2026-11-2"));
  EXPECT_THAT(en.str(), HasSubstr(") (file signed by key abc123)\n"));
  EXPECT_THAT(en.str(), Not(HasSubstr("2026-11-27T02:00:00Z")));
  EXPECT_THAT(en.str(),
              HasSubstr("  bk02: host key learned on first use: ssh-ed25519 SHA256:AbCdEf0123\n"));
  EXPECT_THAT(en.str(), Not(HasSubstr("bk01")));
  EXPECT_THAT(fr.str(), HasSubstr("  repo01: faits collectés le 2026-11-2"));
  EXPECT_THAT(fr.str(), HasSubstr("  bk02: clé d'hôte apprise à la première connexion : "));
}

// Issue 19, defect 7: text from audited systems reached the terminal raw (escape sequences could
// clear the screen, retitle the window or hide a line).
TEST(ConsoleSummary, ControlCharactersFromTheEstateAreShownEscaped) {
  EXPECT_EQ(terminal_safe("a\x1b[2Jb\tc\nd\x7f\xc2\x9b\xc3\xa9"),
            "a\\x1b[2Jb\\x09c\\x0ad\\x7f\\x9b\xc3\xa9");  // é (valid UTF-8) is kept
  report r;
  r.establishment = "CH";
  finding f;
  f.check = "host-read";
  f.target = "bk\x07";
  f.status = status::error;
  f.message = "error: \x1b]0;pwned\x07 refused";
  finding g;
  g.check = "host-sshd-no-relay";
  g.objective = "D2.03.B";
  g.target = "bk01";
  g.status = status::fail;
  g.title = {"titre\x1b[8m", "title\x1b[8m"};
  g.observed = json::array({"x11forwarding yes\x1b[A"});
  r.findings = {f, g};
  r.observations = {{"host", "bk\x1b", outcome::ok, "", 1, "", "", "ssh-ed25519 \x1b[2K"}};
  std::ostringstream out;
  print_summary(out, r, lang::en, false, "out/report.json");
  EXPECT_EQ(out.str().find('\x1b'), std::string::npos) << out.str();
  EXPECT_EQ(out.str().find('\x07'), std::string::npos) << out.str();
  EXPECT_THAT(out.str(), HasSubstr("error: \\x1b]0;pwned\\x07 refused"));
}

// Log lines carry hosts' texts (observation details): one event stays one line, escaped.
TEST(ConsoleLogging, LogMessagesAreShownEscapedOnOneLine) {
  setup_logging(spdlog::level::info, log_format::text);
  ::testing::internal::CaptureStderr();
  spdlog::info("observed host bk: error - {}", "refused\n2026-01-01 cloison info: all met\x1b[2J");
  spdlog::default_logger()->flush();
  const auto logged = ::testing::internal::GetCapturedStderr();
  EXPECT_THAT(logged, HasSubstr("cloison info: observed host bk: error - refused\\x0a2026-01-01 "
                                "cloison info: all met\\x1b[2J\n"));
  EXPECT_EQ(std::count(logged.begin(), logged.end(), '\n'), 1);
}

}  // namespace
}  // namespace cloison
