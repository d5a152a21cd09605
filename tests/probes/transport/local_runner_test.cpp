#include "probes/transport/local_runner.h"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace cloison {
namespace {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

command_result run(const std::vector<std::string>& argv,
                   std::chrono::milliseconds budget = std::chrono::milliseconds(10000),
                   std::size_t cap = kDefaultOutputCap) {
  return local_runner{}.run(argv, clock_type::now() + budget, cap);
}

// True when the process is gone or a zombie (killed, waiting to be reaped by its new parent).
bool process_dead(const std::string& pid) {
  std::ifstream stat("/proc/" + pid + "/stat");
  if (!stat)
    return true;
  std::string line;
  std::getline(stat, line);
  const auto close_paren = line.rfind(')');
  return close_paren != std::string::npos && close_paren + 2 < line.size() &&
         (line[close_paren + 2] == 'Z' || line[close_paren + 2] == 'X');
}

TEST(LocalRunner, RunsEcho) {
  const auto r = run({"/bin/echo", "hi"});
  EXPECT_EQ(to_string(r.outcome), std::string_view("ok"));
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "hi\n");
  EXPECT_EQ(r.err, "");
  EXPECT_FALSE(r.truncated);
  EXPECT_EQ(r.failure, "");
}

TEST(LocalRunner, NonZeroExitIsStillOk) {
  const auto r = run({"sh", "-c", "exit 3"});
  EXPECT_EQ(to_string(r.outcome), std::string_view("ok"));
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.failure, "");
}

TEST(LocalRunner, KilledBySignalGives128PlusSignal) {
  const auto r = run({"sh", "-c", "kill -9 $$"});
  EXPECT_EQ(to_string(r.outcome), std::string_view("ok"));
  EXPECT_EQ(r.exit_code, 137);
}

TEST(LocalRunner, MissingProgramIsAnErrorNamingIt) {
  const auto r = run({"/nonexistent/cloison-no-such-program", "-T"});
  EXPECT_EQ(to_string(r.outcome), std::string_view("error"));
  EXPECT_EQ(r.failure, "/nonexistent/cloison-no-such-program: No such file or directory");
  EXPECT_EQ(r.exit_code, -1);
}

TEST(LocalRunner, MissingProgramLookedUpInPathIsAnError) {
  const auto r = run({"cloison-no-such-program-in-path"});
  EXPECT_EQ(to_string(r.outcome), std::string_view("error"));
  EXPECT_EQ(r.failure, "cloison-no-such-program-in-path: No such file or directory");
}

TEST(LocalRunner, EmptyCommandIsAnError) {
  const auto r = run({});
  EXPECT_EQ(to_string(r.outcome), std::string_view("error"));
  EXPECT_EQ(r.failure, "empty command");
}

TEST(LocalRunner, CapturesStderrSeparately) {
  const auto r = run({"sh", "-c", "echo to-out; echo to-err >&2; exit 1"});
  EXPECT_EQ(to_string(r.outcome), std::string_view("ok"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "to-out\n");
  EXPECT_EQ(r.err, "to-err\n");
}

TEST(LocalRunner, CapsStdout) {
  const auto r = run({"head", "-c", "100000", "/dev/zero"}, 10s, 1000);
  EXPECT_EQ(to_string(r.outcome), std::string_view("ok"));
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out.size(), 1000u);
  EXPECT_EQ(r.out, std::string(1000, '\0'));
  EXPECT_TRUE(r.truncated);
}

TEST(LocalRunner, CapsStderr) {
  const auto r = run({"sh", "-c", "head -c 5000 /dev/zero >&2"}, 10s, 100);
  EXPECT_EQ(to_string(r.outcome), std::string_view("ok"));
  EXPECT_EQ(r.err.size(), 100u);
  EXPECT_EQ(r.out, "");
  EXPECT_TRUE(r.truncated);
}

TEST(LocalRunner, OutputWithinCapIsNotTruncated) {
  const auto r = run({"head", "-c", "1000", "/dev/zero"}, 10s, 1000);
  EXPECT_EQ(to_string(r.outcome), std::string_view("ok"));
  EXPECT_EQ(r.out.size(), 1000u);
  EXPECT_FALSE(r.truncated);
}

TEST(LocalRunner, DeadlineKillsTheCommand) {
  const auto started = clock_type::now();
  const auto r = run({"sleep", "5"}, 300ms);
  const auto took = clock_type::now() - started;
  EXPECT_EQ(to_string(r.outcome), std::string_view("timeout"));
  EXPECT_EQ(r.failure, "sleep: no answer before the deadline (killed)");
  EXPECT_GE(took, 250ms);
  EXPECT_LT(took, 2s);
}

TEST(LocalRunner, DeadlineHoldsWhenAGrandchildKeepsThePipeOpen) {
  const auto started = clock_type::now();
  const auto r = run({"sh", "-c", "sleep 5 & sleep 5"}, 300ms);
  EXPECT_EQ(to_string(r.outcome), std::string_view("timeout"));
  EXPECT_LT(clock_type::now() - started, 2s);
}

TEST(LocalRunner, DeadlineKillsTheWholeProcessGroup) {
  // The shell prints the pid of its background child, then both sleep.
  const auto r = run({"sh", "-c", "sleep 30 & echo $!; sleep 30"}, 500ms);
  ASSERT_EQ(to_string(r.outcome), std::string_view("timeout"));
  ASSERT_FALSE(r.out.empty());
  const std::string grandchild = r.out.substr(0, r.out.find('\n'));
  bool dead = false;
  for (int i = 0; i < 100 && !dead; ++i) {
    dead = process_dead(grandchild);
    if (!dead)
      std::this_thread::sleep_for(10ms);
  }
  EXPECT_TRUE(dead) << "grandchild " << grandchild << " survived the deadline";
}

TEST(LocalRunner, DeadlineAlreadyPassedTimesOut) {
  const auto r = local_runner{}.run({"sleep", "5"}, clock_type::now() - 1s, kDefaultOutputCap);
  EXPECT_EQ(to_string(r.outcome), std::string_view("timeout"));
}

TEST(LocalRunner, ChildRunsWithCLocale) {
  const auto r = run({"sh", "-c", "echo \"$LC_ALL\""});
  EXPECT_EQ(to_string(r.outcome), std::string_view("ok"));
  EXPECT_EQ(r.out, "C\n");
}

TEST(LocalRunner, ChildGetsAFixedPath) {
  const auto r = run({"sh", "-c", "echo \"$PATH\""});
  EXPECT_EQ(r.out, "/usr/sbin:/usr/bin:/sbin:/bin\n");
}

TEST(LocalRunner, StdinIsDevNull) {
  // `cat` with no argument reads stdin: it must see end of file at once, not wait for input.
  const auto started = clock_type::now();
  const auto r = run({"cat"}, 5s);
  EXPECT_EQ(to_string(r.outcome), std::string_view("ok"));
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "");
  EXPECT_LT(clock_type::now() - started, 2s);
}

}  // namespace
}  // namespace cloison
