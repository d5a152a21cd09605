#include "agent/history/history.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <thread>

namespace cloison {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;
using namespace std::chrono_literals;

finding make_finding(const std::string& check, const std::string& target, status s,
                     severity sev = severity::high, const std::string& objective = "D2.03.A") {
  finding f;
  f.check = check;
  f.target = target;
  f.objective = objective;
  f.status = s;
  f.severity = sev;
  return f;
}

// A report of three objectives and `failing` failing findings (plus one passing).
report make_report(const std::string& started_at, int failing = 2) {
  report r;
  r.started_at = started_at;
  r.finished_at = started_at;
  r.objectives = {{"D2.03.A", objective_status::not_met, 62.5, {}, {}},
                  {"D2.03.B", objective_status::met, 100.0, {}, {}},
                  {"ADS", objective_status::not_applicable, std::nullopt, {}, {}}};
  r.findings.push_back(make_finding("pass-check", "srv", status::pass));
  for (int i = 0; i < failing; ++i)
    r.findings.push_back(make_finding("check-" + std::to_string(i), "host-" + std::to_string(i),
                                      i % 2 ? status::error : status::fail));
  return r;
}

std::string read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

void write_bytes(const fs::path& p, const std::string& bytes) {
  std::ofstream(p, std::ios::binary | std::ios::trunc) << bytes;
}

// Runs `sql` on `db` through SQLite directly; returns the first column of the first row, if any.
std::string raw(const fs::path& db, const std::string& sql) {
  sqlite3* h = nullptr;
  EXPECT_EQ(sqlite3_open(db.c_str(), &h), SQLITE_OK);
  std::string first;
  const auto keep_first = [](void* out, int, char** values, char**) {
    auto& s = *static_cast<std::string*>(out);
    if (s.empty() && values[0])
      s = values[0];
    return 0;
  };
  char* error = nullptr;
  EXPECT_EQ(sqlite3_exec(h, sql.c_str(), keep_first, &first, &error), SQLITE_OK)
      << (error ? error : "");
  sqlite3_free(error);
  sqlite3_close(h);
  return first;
}

bool digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// history.db.damaged-<YYYYMMDDTHHMMSSZ>, then -<n> when that name was taken.
bool is_set_aside_name(const fs::path& p) {
  const std::string name = p.filename().string();
  constexpr std::string_view prefix = "history.db.damaged-";
  if (!name.starts_with(prefix) || name.size() < prefix.size() + 16)
    return false;
  const std::string_view stamp = std::string_view(name).substr(prefix.size(), 16);
  const std::string_view rest = std::string_view(name).substr(prefix.size() + 16);
  return digits(stamp.substr(0, 8)) && stamp[8] == 'T' && digits(stamp.substr(9, 6)) &&
         stamp[15] == 'Z' && (rest.empty() || (rest[0] == '-' && digits(rest.substr(1))));
}

class History : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "cloison-history-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    db_ = dir_ / "history.db";
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Opens a file found damaged: checks it was moved aside whole and that the new history works.
  void expect_set_aside(const std::string& original_bytes) {
    std::string aside;
    auto h = history::open(dir_, &aside);
    EXPECT_TRUE(is_set_aside_name(aside)) << aside;
    EXPECT_EQ(fs::path(aside).parent_path(), dir_);
    EXPECT_EQ(read_bytes(aside), original_bytes) << "the original bytes are kept";
    EXPECT_TRUE(h.list().empty()) << "a new history";
    const auto id = h.record(make_report("2026-12-01T10:00:00Z"), 1, "/r", "");
    ASSERT_TRUE(h.find(id));
    EXPECT_EQ(raw(db_, "PRAGMA quick_check"), "ok");
  }

  fs::path dir_;
  fs::path db_;
};

TEST_F(History, RecordsARunAndReadsItBack) {
  auto h = history::open(dir_ / "state");  // the folder is created
  report r = make_report("2026-12-01T10:00:00Z", 0);
  r.finished_at = "2026-12-01T10:02:30Z";
  r.topology = topology{};
  r.topology->vantage = "backup-zone";
  r.ads = ads_estimate{};
  r.ads->estimated_level = 2;
  r.findings = {make_finding("a", "h1", status::pass),
                make_finding("b", "h1", status::fail, severity::critical),
                make_finding("host-read", "h2", status::error, severity::high, ""),
                make_finding("c", "h1", status::waived),
                make_finding("d", "h3", status::not_applicable),
                make_finding("e", "h2", status::not_evaluated),
                make_finding("f", "h3", status::fail, severity::low, "D2.03.B")};

  const auto id = h.record(r, 1, "/var/lib/cloison/runs/1", "/var/lib/cloison/runs/1/b.tar.gz");
  const auto run = h.find(id);
  ASSERT_TRUE(run);
  EXPECT_EQ(run->id, id);
  EXPECT_EQ(run->started_at, "2026-12-01T10:00:00Z");
  EXPECT_EQ(run->finished_at, "2026-12-01T10:02:30Z");
  EXPECT_EQ(run->vantage, "backup-zone");
  EXPECT_EQ(run->exit_code, 1);
  EXPECT_EQ(run->error, "");
  EXPECT_EQ(run->report_dir, "/var/lib/cloison/runs/1");
  EXPECT_EQ(run->bundle, "/var/lib/cloison/runs/1/b.tar.gz");
  EXPECT_EQ(run->ads_level, 2);
  EXPECT_FALSE(run->baseline);
  EXPECT_THAT(run->objectives,
              ElementsAre(run_record::objective{"D2.03.A", objective_status::not_met, 62.5},
                          run_record::objective{"D2.03.B", objective_status::met, 100.0},
                          run_record::objective{"ADS", objective_status::not_applicable, {}}));
  // The cause finding (no objective) is counted: counts come from the findings.
  EXPECT_EQ(
      run->counts,
      (status_counts{
          .pass = 1, .fail = 2, .error = 1, .not_applicable = 1, .waived = 1, .not_evaluated = 1}));
  EXPECT_THAT(h.failing_findings(id),
              ElementsAre(recorded_finding{"b", "h1", "D2.03.A", status::fail, severity::critical},
                          recorded_finding{"host-read", "h2", "", status::error, severity::high},
                          recorded_finding{"f", "h3", "D2.03.B", status::fail, severity::low}));
}

TEST_F(History, ListsNewestFirstAndFindsThePreviousRun) {
  auto h = history::open(dir_);
  report no_topology = make_report("2026-12-01T10:00:00Z");
  const auto first = h.record(no_topology, 1, "/r/1", "");
  const auto second = h.record(make_report("2026-12-02T10:00:00Z"), 1, "/r/2", "");
  const auto third = h.record(make_report("2026-12-03T10:00:00Z"), 0, "/r/3", "");

  const auto all = h.list();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].id, third);
  EXPECT_EQ(all[1].id, second);
  EXPECT_EQ(all[2].id, first);
  EXPECT_EQ(all[2].vantage, "") << "no topology: no vantage point";
  EXPECT_EQ(all[2].ads_level, std::nullopt) << "no ADS estimate";
  EXPECT_EQ(all[0], *h.find(third)) << "list() and find() read the same record";
  for (const auto& run : all)
    EXPECT_EQ(run.objectives.size(), 3u) << run.id;

  const auto newest = h.list(2);
  ASSERT_EQ(newest.size(), 2u);
  EXPECT_EQ(newest[0].id, third);
  EXPECT_EQ(newest[1].id, second);

  EXPECT_EQ(h.previous(third)->id, second);
  EXPECT_EQ(h.previous(second)->id, first);
  EXPECT_EQ(h.previous(first), std::nullopt);
  EXPECT_EQ(h.find(third + 100), std::nullopt);
  EXPECT_TRUE(h.failing_findings(third + 100).empty());
}

TEST_F(History, RecordsARunThatCouldNotRun) {
  auto h = history::open(dir_);
  const auto id = h.record_failure("2026-12-01T10:00:00Z", "2026-12-01T10:00:01Z", "backup-zone", 2,
                                   "inventory.yaml:3:1: unknown key 'hots'");
  const auto run = h.find(id);
  ASSERT_TRUE(run);
  EXPECT_EQ(run->exit_code, 2);
  EXPECT_EQ(run->error, "inventory.yaml:3:1: unknown key 'hots'");
  EXPECT_EQ(run->vantage, "backup-zone");
  EXPECT_EQ(run->finished_at, "2026-12-01T10:00:01Z");
  EXPECT_EQ(run->report_dir, "");
  EXPECT_EQ(run->bundle, "");
  EXPECT_EQ(run->ads_level, std::nullopt);
  EXPECT_TRUE(run->objectives.empty());
  EXPECT_EQ(run->counts, status_counts{});
  EXPECT_TRUE(h.failing_findings(id).empty());
}

TEST_F(History, PinsOneBaseline) {
  auto h = history::open(dir_);
  EXPECT_EQ(h.baseline(), std::nullopt);
  const auto first = h.record(make_report("2026-12-01T10:00:00Z"), 1, "/r/1", "");
  const auto second = h.record(make_report("2026-12-02T10:00:00Z"), 1, "/r/2", "");
  const auto failed = h.record_failure("2026-12-03T10:00:00Z", "2026-12-03T10:00:00Z", "", 3, "x");

  h.pin_baseline(first);
  EXPECT_EQ(h.baseline()->id, first);
  EXPECT_TRUE(h.baseline()->baseline);
  EXPECT_EQ(h.baseline()->objectives.size(), 3u);
  h.pin_baseline(second);
  EXPECT_EQ(h.baseline()->id, second);
  EXPECT_FALSE(h.find(first)->baseline) << "the previous pin is dropped";
  EXPECT_EQ(raw(db_, "SELECT count(*) FROM runs WHERE baseline"), "1");

  EXPECT_THROW(h.pin_baseline(failed + 1), std::invalid_argument);
  EXPECT_THROW(h.pin_baseline(failed), std::invalid_argument);
  EXPECT_EQ(h.baseline()->id, second) << "a refused pin changes nothing";
  h.pin_baseline(second);
  EXPECT_EQ(h.baseline()->id, second) << "pinning the baseline again keeps it";
}

TEST_F(History, PrunesByCountKeepingTheBaseline) {
  auto h = history::open(dir_);
  std::vector<std::int64_t> ids;
  for (int day = 1; day <= 6; ++day)
    ids.push_back(h.record(make_report("2026-11-0" + std::to_string(day) + "T10:00:00Z"), 1,
                           "/r/" + std::to_string(day), ""));
  h.pin_baseline(ids[1]);

  const auto now = std::chrono::sys_days{std::chrono::November / 7 / 2026};
  const auto removed = h.prune({.max_runs = 3, .max_age = 0h}, now);
  std::vector<std::int64_t> removed_ids;
  for (const auto& run : removed)
    removed_ids.push_back(run.id);
  EXPECT_THAT(removed_ids, ElementsAre(ids[2], ids[0]));
  EXPECT_EQ(removed[0].report_dir, "/r/3") << "the caller deletes the folders";
  EXPECT_EQ(removed[0].objectives.size(), 3u);

  std::vector<std::int64_t> kept;
  for (const auto& run : h.list())
    kept.push_back(run.id);
  EXPECT_THAT(kept, ElementsAre(ids[5], ids[4], ids[3], ids[1]));
  EXPECT_TRUE(h.failing_findings(ids[0]).empty());
  // The objectives and findings of a removed run go with it (foreign keys, ON DELETE CASCADE).
  EXPECT_EQ(raw(db_, "SELECT count(*) FROM objectives"), "12");
  EXPECT_EQ(raw(db_, "SELECT count(*) FROM findings"), "8");
  EXPECT_TRUE(h.prune({.max_runs = 3, .max_age = 0h}, now).empty()) << "nothing more to remove";
}

TEST_F(History, PrunesByAgeKeepingTheBaselineAndTheNewestRun) {
  auto h = history::open(dir_);
  const auto oldest = h.record(make_report("2026-01-01T00:00:00Z"), 1, "/r/1", "");
  const auto spring = h.record(make_report("2026-05-01T00:00:00Z"), 1, "/r/2", "");
  const auto failed = h.record_failure("2026-10-30T00:00:00Z", "2026-10-30T00:01:00Z", "", 3, "x");
  const auto recent = h.record(make_report("2026-11-20T00:00:00Z"), 1, "/r/4", "");
  const auto newest = h.record(make_report("2026-12-01T00:00:00Z"), 1, "/r/5", "");
  h.pin_baseline(oldest);

  const auto now = std::chrono::sys_days{std::chrono::December / 3 / 2026} + 12h;
  const auto removed = h.prune({.max_runs = 0, .max_age = 24h * 30}, now);
  ASSERT_EQ(removed.size(), 2u);
  EXPECT_EQ(removed[0].id, failed);
  EXPECT_EQ(removed[0].error, "x");
  EXPECT_EQ(removed[1].id, spring);
  EXPECT_EQ(h.list().size(), 3u);
  EXPECT_TRUE(h.find(oldest)) << "the baseline is never removed";
  EXPECT_TRUE(h.find(recent));

  // Everything is too old a year later: the baseline and the newest run stay.
  const auto later = h.prune({.max_runs = 0, .max_age = 24h}, now + 24h * 365);
  ASSERT_EQ(later.size(), 1u);
  EXPECT_EQ(later[0].id, recent);
  std::vector<std::int64_t> kept;
  for (const auto& run : h.list())
    kept.push_back(run.id);
  EXPECT_THAT(kept, ElementsAre(newest, oldest));
}

TEST_F(History, KeepsEverythingWithoutLimits) {
  auto h = history::open(dir_);
  h.record(make_report("2020-01-01T00:00:00Z"), 1, "/r/1", "");
  h.record(make_report("2020-01-02T00:00:00Z"), 1, "/r/2", "");
  EXPECT_TRUE(h.prune({.max_runs = 0, .max_age = 0h}, std::chrono::system_clock::now()).empty());
  EXPECT_EQ(h.list().size(), 2u);
}

TEST_F(History, PersistsAcrossOpens) {
  std::int64_t id = 0;
  {
    auto h = history::open(dir_);
    id = h.record(make_report("2026-12-01T10:00:00Z", 5), 4, "/r/1", "/r/1/b.tar.gz");
    h.pin_baseline(id);
  }
  std::string aside = "not emptied";
  auto h = history::open(dir_, &aside);
  EXPECT_EQ(aside, "") << "nothing set aside";
  const auto run = h.find(id);
  ASSERT_TRUE(run);
  EXPECT_EQ(run->exit_code, 4);
  EXPECT_TRUE(run->baseline);
  EXPECT_EQ(h.failing_findings(id).size(), 5u);
  EXPECT_GT(h.record(make_report("2026-12-02T10:00:00Z"), 1, "/r/2", ""), id);
  EXPECT_EQ(raw(db_, "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(raw(db_, "PRAGMA application_id"), "1131179881");
  EXPECT_EQ(raw(db_, "PRAGMA user_version"), "1");
}

TEST_F(History, TwoObjectsUseTheSameFileAtOnce) {
  auto writer = history::open(dir_);
  auto reader = history::open(dir_);
  constexpr int kRuns = 40;
  std::string error;
  std::jthread daemon([&] {
    try {
      for (int i = 0; i < kRuns; ++i)
        writer.record(make_report("2026-12-01T10:00:00Z", 10), 1, "/r", "");
    } catch (const std::exception& e) {
      error = e.what();
    }
  });
  std::size_t seen = 0;
  int reads = 0;
  while (seen < kRuns) {
    const auto runs = reader.list();
    ASSERT_GE(runs.size(), seen) << "runs never disappear";
    seen = runs.size();
    for (const auto& run : runs) {
      ASSERT_EQ(run.objectives.size(), 3u) << "a run is seen whole or not at all";
      ASSERT_EQ(reader.failing_findings(run.id).size(), 10u);
    }
    ++reads;
  }
  daemon.join();
  EXPECT_EQ(error, "");
  EXPECT_GT(reads, 1);
  reader.pin_baseline(reader.list().back().id);  // and the other way round
  EXPECT_TRUE(writer.baseline());
}

// The daemon records while `cloison history` pins a baseline and prunes: each waits for the
// other's transaction (busy timeout), none fails.
TEST_F(History, RunsAreMarkedAlertedOnceTheirAlertsAreSent) {
  auto h = history::open(dir_);
  const auto first = h.record(make_report("2026-12-01T10:00:00Z"), 1, "/r1", "");
  const auto second = h.record(make_report("2026-12-02T10:00:00Z"), 1, "/r2", "");
  EXPECT_FALSE(h.find(first)->alerted);
  h.mark_alerted(first);
  EXPECT_TRUE(h.find(first)->alerted);
  EXPECT_FALSE(h.find(second)->alerted);
  EXPECT_TRUE(history::open(dir_).find(first)->alerted) << "kept across opens";
}

TEST_F(History, TwoWritersAtOnce) {
  auto daemon = history::open(dir_);
  auto command = history::open(dir_);
  daemon.record(make_report("2026-11-01T10:00:00Z", 10), 1, "/r", "");
  std::atomic<bool> done = false;
  std::string error;
  std::jthread recorder([&] {
    try {
      for (int i = 0; i < 40; ++i)
        daemon.record(make_report("2026-12-01T10:00:00Z", 10), 1, "/r", "");
    } catch (const std::exception& e) {
      error = e.what();
    }
    done = true;
  });
  // A writer that pauses between its transactions, as `cloison history` does: SQLite's busy
  // handler is not fair, and a writer in a tight loop could starve the other past busy_timeout.
  for (int pins = 0; !done || pins < 3; ++pins) {
    const auto runs = command.list();  // only this thread removes runs
    command.pin_baseline(pins % 2 ? runs.front().id : runs.back().id);
    command.prune({.max_runs = 5, .max_age = 0h}, std::chrono::system_clock::now());
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  recorder.join();
  EXPECT_EQ(error, "");
  EXPECT_LE(command.list().size(), 6u);
  EXPECT_TRUE(daemon.baseline());
}

TEST_F(History, SetsAsideATextFile) {
  const std::string text = "not a database\n";
  write_bytes(db_, text);
  write_bytes(dir_ / "history.db-wal", "stray wal");
  expect_set_aside(text);
  std::string aside;
  for (const auto& e : fs::directory_iterator(dir_))
    if (e.path().filename().string().starts_with("history.db.damaged-") &&
        e.path().string().ends_with("-wal"))
      aside = e.path().string();
  EXPECT_EQ(read_bytes(aside), "stray wal") << "moved with its -wal";
}

TEST_F(History, SetsAsideAnotherApplicationsDatabase) {
  raw(db_, "PRAGMA application_id = 42; CREATE TABLE t (x); INSERT INTO t VALUES ('theirs')");
  expect_set_aside(read_bytes(db_));
}

TEST_F(History, SetsAsideADatabaseWithTablesButNoApplicationId) {
  raw(db_, "CREATE TABLE t (x); INSERT INTO t VALUES ('theirs')");
  expect_set_aside(read_bytes(db_));
}

TEST_F(History, RefusesANewerSchemaWithoutMovingIt) {
  history::open(dir_).record(make_report("2026-12-01T10:00:00Z"), 1, "/r", "");
  raw(db_, "PRAGMA user_version = 2");
  const std::string before = read_bytes(db_);
  EXPECT_THAT([&] { history::open(dir_); },
              ThrowsMessage<std::runtime_error>(HasSubstr("written by a newer cloison")));
  EXPECT_EQ(read_bytes(db_), before);
  for (const auto& e : fs::directory_iterator(dir_))
    EXPECT_FALSE(e.path().filename().string().starts_with("history.db.damaged-")) << e.path();
}

TEST_F(History, InitialisesAnEmptyFile) {
  write_bytes(db_, "");
  std::string aside = "not emptied";
  auto h = history::open(dir_, &aside);
  EXPECT_EQ(aside, "");
  EXPECT_GT(h.record(make_report("2026-12-01T10:00:00Z"), 1, "/r", ""), 0);
}

// Many runs, so that the file has pages in the middle to damage.
void fill(const fs::path& dir, int runs) {
  auto h = history::open(dir);
  for (int i = 0; i < runs; ++i)
    h.record(make_report("2026-12-01T10:00:00Z", 30), 1, "/r", "");
}

TEST_F(History, SetsAsideAHistoryWithAPageOverwritten) {
  fill(dir_, 60);
  std::string bytes = read_bytes(db_);
  ASSERT_GT(bytes.size(), 20u * 4096) << "the WAL was checkpointed into the file on close";
  const std::size_t middle = bytes.size() / 4096 / 2 * 4096;
  bytes.replace(middle, 4096, std::string(4096, 'Z'));
  write_bytes(db_, bytes);
  expect_set_aside(bytes);
}

TEST_F(History, SetsAsideATruncatedHistory) {
  fill(dir_, 60);
  std::string bytes = read_bytes(db_);
  bytes.resize(bytes.size() / 2);
  write_bytes(db_, bytes);
  expect_set_aside(bytes);
}

// A page that no table, index or free list holds: quick_check reports it (as a row, not as an
// error of the statement).
TEST_F(History, SetsAsideAHistoryWithAPageNoTreeUses) {
  fill(dir_, 10);
  std::string bytes = read_bytes(db_);
  auto& last_byte_of_page_count = bytes[31];  // the header's page count (big-endian, offset 28)
  ASSERT_LT(static_cast<unsigned char>(last_byte_of_page_count), 255);
  ++last_byte_of_page_count;
  bytes += std::string(4096, '\0');
  write_bytes(db_, bytes);
  expect_set_aside(bytes);
}

// SQLite keeps no checksum of its pages: a change inside a row's text leaves a well-formed file,
// which quick_check accepts and the history reads as it now is.
TEST_F(History, DoesNotNoticeAChangeInsideARow) {
  {
    auto h = history::open(dir_);
    h.record_failure("2026-12-01T10:00:00Z", "2026-12-01T10:00:00Z", "vantage-MARKER", 2, "x");
  }
  std::string bytes = read_bytes(db_);
  const auto at = bytes.find("vantage-MARKER");
  ASSERT_NE(at, std::string::npos);
  bytes[at + 8] = 'N';
  write_bytes(db_, bytes);
  std::string aside;
  auto h = history::open(dir_, &aside);
  EXPECT_EQ(aside, "");
  EXPECT_EQ(h.list().at(0).vantage, "vantage-NARKER");
}

TEST_F(History, NeverOverwritesAFileSetAsideBefore) {
  write_bytes(db_, "first");
  std::string first;
  history::open(dir_, &first);
  write_bytes(db_, "second");
  std::string second;
  history::open(dir_, &second);
  EXPECT_NE(first, second);
  EXPECT_TRUE(is_set_aside_name(second)) << second;
  EXPECT_EQ(read_bytes(first), "first");
  EXPECT_EQ(read_bytes(second), "second");
}

TEST_F(History, RefusesAStateFolderItCannotUse) {
  write_bytes(dir_ / "file", "");
  try {
    history::open(dir_ / "file");
    FAIL() << "a file is not a folder";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr((dir_ / "file").string()));
  }
  fs::create_directory(db_);  // history.db is a folder: nothing to set aside, an error
  try {
    history::open(dir_);
    FAIL() << "history.db is a folder";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr(db_.string()));
  }
  EXPECT_TRUE(fs::is_directory(db_));
}

// A child records runs in a loop and is killed with SIGKILL; every run it announced after its
// commit is readable, and the file is intact.
TEST_F(History, KeepsEveryCommittedRunOfAKilledWriter) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {  // never returns into the test runner
    ::close(fds[0]);
    try {
      auto h = history::open(dir_);
      for (;;) {
        const std::int64_t id = h.record(make_report("2026-12-01T10:00:00Z", 30), 1, "/r", "");
        if (::write(fds[1], &id, sizeof id) != sizeof id)
          break;
      }
    } catch (...) {
    }
    ::_exit(1);
  }
  ::close(fds[1]);
  std::vector<std::int64_t> committed;
  std::int64_t id = 0;
  while (committed.size() < 25 && ::read(fds[0], &id, sizeof id) == sizeof id)
    committed.push_back(id);
  ::kill(child, SIGKILL);
  while (::read(fds[0], &id, sizeof id) == sizeof id)
    committed.push_back(id);
  ::close(fds[0]);
  int wstatus = 0;
  ASSERT_EQ(::waitpid(child, &wstatus, 0), child);
  ASSERT_TRUE(WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGKILL) << "killed while writing";

  std::string aside;
  auto h = history::open(dir_, &aside);
  EXPECT_EQ(aside, "");
  ASSERT_GE(committed.size(), 25u);
  for (const auto run : committed) {
    ASSERT_TRUE(h.find(run)) << run;
    EXPECT_EQ(h.failing_findings(run).size(), 30u) << run;
  }
  EXPECT_EQ(raw(db_, "PRAGMA quick_check"), "ok");
}

// The figure `cloison history list` stands on (target: 100 ms for the whole command). Prints it;
// fails only far above it.
TEST_F(History, ListsAThousandRunsQuickly) {
  fill(dir_, 1000);
  const auto start = std::chrono::steady_clock::now();
  auto h = history::open(dir_);
  const auto opened = std::chrono::steady_clock::now();
  const auto runs = h.list();
  const auto listed = std::chrono::steady_clock::now();
  ASSERT_EQ(runs.size(), 1000u);
  const auto ms = [](auto d) { return std::chrono::duration<double, std::milli>(d).count(); };
  std::printf("open %.1f ms, list(0) of 1000 runs %.1f ms (%ju bytes)\n", ms(opened - start),
              ms(listed - opened), static_cast<std::uintmax_t>(fs::file_size(db_)));
  EXPECT_LT(ms(listed - start), 1000);
}

}  // namespace
}  // namespace cloison
