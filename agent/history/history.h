// The runs of the daemon (and of `cloison history`), recorded in an SQLite database in the state
// folder: one row per run, its objectives and its failing findings, the pinned baseline. The
// reports themselves stay in each run's folder; the database names them.
//
// The database is written in WAL mode, each change in one transaction: a process killed at any
// moment leaves every run recorded before it readable. One `history` object is used by one thread
// at a time; several objects (a daemon and `cloison history`) may use the same file at once, a
// writer waiting up to 5 s for another's transaction. Every method but open() throws
// std::runtime_error, naming the file and SQLite's message, when the database cannot be read or
// written; a method that throws has changed nothing.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agent/engine/findings.h"
#include "agent/report/report.h"
#include "core/inventory.h"

namespace cloison {

// One run as recorded. A run that could not run (its configuration was refused, its report could
// not be written) has an `error` and no report.
struct run_record {
  std::int64_t id = 0;
  std::string started_at;   // UTC, ISO 8601 (report.json's form)
  std::string finished_at;  // likewise
  std::string vantage;      // the vantage point it stood at; "" when none
  int exit_code = 0;        // cloison audit's: 0 met, 1 not met, 4 incomplete; 2/3 could not run
  std::string error;        // why it could not run; "" when it ran
  std::string report_dir;   // the folder of its report.json; "" when it could not run
  std::string bundle;       // its signed evidence bundle; "" when none
  std::optional<int> ads_level;  // the estimated ADS level; absent when not estimated
  struct objective {
    std::string id;
    objective_status status = objective_status::not_met;
    std::optional<double> score;
    friend bool operator==(const objective&, const objective&) = default;
  };
  std::vector<objective> objectives;
  status_counts counts;   // findings by status
  bool baseline = false;  // the pinned baseline
  bool alerted = false;   // its alerts were sent or queued (mark_alerted)
  friend bool operator==(const run_record&, const run_record&) = default;
};

// A failing finding (fail or error) of a recorded run, keyed as drift keys it (check, target).
struct recorded_finding {
  std::string check;
  std::string target;
  std::string objective;
  enum status status = status::fail;
  enum severity severity = severity::medium;
  friend bool operator==(const recorded_finding&, const recorded_finding&) = default;
};

class history {
 public:
  // Opens `state_dir`/history.db, creating it (and `state_dir`) when absent; an empty file is
  // initialised. A file that is not a cloison history of this version (not SQLite at all,
  // another application's database or one with tables but no cloison application_id, an older
  // schema version than this cloison's, a failed PRAGMA quick_check) is renamed to
  // history.db.damaged-<UTC time, 20261203T202512Z> (then -2, -3... : never over another file)
  // with its -wal and -shm, and a new database is started; `set_aside` then holds the new name
  // of the old file (else it is emptied). Throws std::runtime_error, naming the file, when the
  // folder or the file cannot be used (rights, I/O, busy beyond the timeout, history.db a folder),
  // and when a newer cloison wrote it (left as it is: that cloison may be using it).
  static history open(const std::filesystem::path& state_dir, std::string* set_aside = nullptr);

  history(history&&) noexcept;
  history& operator=(history&&) noexcept;
  ~history();

  // Records a run that produced `r`, written in `report_dir` (with `bundle`, "" when none), and
  // returns its id (ids grow, never given twice in one file). The counts are those of all of
  // r.findings (cause findings belong to no objective); the failing findings are kept in their
  // order. Throws std::runtime_error when the database cannot be written; nothing of the run is
  // then recorded.
  std::int64_t record(const report& r, int exit_code, const std::string& report_dir,
                      const std::string& bundle);
  // Records a run that could not run, with why. Throws like record().
  std::int64_t record_failure(const std::string& started_at, const std::string& finished_at,
                              const std::string& vantage, int exit_code, const std::string& error);

  // The newest `limit` runs (0: all), newest first.
  std::vector<run_record> list(std::size_t limit = 0) const;
  std::optional<run_record> find(std::int64_t id) const;
  // The run recorded just before `id` (the previous run, whether it ran or not), if any.
  std::optional<run_record> previous(std::int64_t id) const;
  // The failing findings of a run, in the report's order.
  std::vector<recorded_finding> failing_findings(std::int64_t id) const;

  // Pins run `id` as the baseline (the previous pin is dropped). Throws std::invalid_argument
  // when there is no such run, or when it could not run; the pin is then unchanged.
  void pin_baseline(std::int64_t id);
  std::optional<run_record> baseline() const;

  // Records that the alerts of run `id` were sent or queued: a daemon that stopped between a run
  // and its alerts sends them when it starts again. Throws like record().
  void mark_alerted(std::int64_t id);

  // Removes the runs beyond `keep` (core/inventory.h; never the baseline, never the newest run),
  // with their objectives and findings, and returns them, newest first, so that the caller deletes
  // their report folders.
  std::vector<run_record> prune(const retention& keep, std::chrono::system_clock::time_point now);

 private:
  struct impl;
  explicit history(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

}  // namespace cloison
