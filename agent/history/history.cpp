#include "agent/history/history.h"

#include <fcntl.h>
#include <sqlite3.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <stdexcept>

#include "core/observation.h"

namespace cloison {

namespace {

namespace fs = std::filesystem;

constexpr std::int32_t kApplicationId = 0x436C6F69;  // "Cloi"
constexpr int kSchemaVersion = 1;
constexpr int kBusyTimeoutMs = 5000;

// Version 1. A run's objectives and failing findings keep the report's order (ordinal). At most
// one run is the baseline (the partial unique index). The primary keys are the indexes the
// queries need: runs by id, a run's objectives and findings by (run_id, ordinal).
constexpr const char* kSchema = R"(
CREATE TABLE runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  started_at TEXT NOT NULL,
  finished_at TEXT NOT NULL,
  vantage TEXT NOT NULL,
  exit_code INTEGER NOT NULL,
  error TEXT NOT NULL,
  report_dir TEXT NOT NULL,
  bundle TEXT NOT NULL,
  ads_level INTEGER,
  count_pass INTEGER NOT NULL,
  count_fail INTEGER NOT NULL,
  count_error INTEGER NOT NULL,
  count_not_applicable INTEGER NOT NULL,
  count_waived INTEGER NOT NULL,
  count_not_evaluated INTEGER NOT NULL,
  baseline INTEGER NOT NULL DEFAULT 0 CHECK (baseline IN (0, 1)),
  alerted INTEGER NOT NULL DEFAULT 0 CHECK (alerted IN (0, 1))
);
CREATE UNIQUE INDEX runs_baseline ON runs (baseline) WHERE baseline;
CREATE TABLE objectives (
  run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  ordinal INTEGER NOT NULL,
  id TEXT NOT NULL,
  status TEXT NOT NULL,
  score REAL,
  PRIMARY KEY (run_id, ordinal)
) WITHOUT ROWID;
CREATE TABLE findings (
  run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  ordinal INTEGER NOT NULL,
  check_id TEXT NOT NULL,
  target TEXT NOT NULL,
  objective TEXT NOT NULL,
  status TEXT NOT NULL,
  severity TEXT NOT NULL,
  PRIMARY KEY (run_id, ordinal)
) WITHOUT ROWID;
)";

constexpr const char* kSelectRuns =
    "SELECT id, started_at, finished_at, vantage, exit_code, error, report_dir, bundle, "
    "ads_level, count_pass, count_fail, count_error, count_not_applicable, count_waived, "
    "count_not_evaluated, baseline, alerted FROM runs ";

// The file itself is not a usable cloison history (as opposed to a failure to use it: busy,
// I/O, rights): it is set aside.
class damaged : public std::runtime_error {
  using std::runtime_error::runtime_error;
};

class statement;

class database {
 public:
  explicit database(const fs::path& path) : path_(path.string()) {
    sqlite3* db = nullptr;
    const int rc =
        sqlite3_open_v2(path_.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    db_.reset(db);
    if (rc != SQLITE_OK)
      fail(rc, "cannot open");
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_timeout(db, kBusyTimeoutMs);
  }

  sqlite3* handle() const { return db_.get(); }
  const std::string& path() const { return path_; }

  // Throws SQLite's error `rc` met while `doing`: damaged when the file is not a database or is
  // corrupt, std::runtime_error otherwise.
  [[noreturn]] void fail(int rc, std::string_view doing) const {
    std::string message = path_ + ": " + std::string(doing) + ": " +
                          (db_ ? sqlite3_errmsg(db_.get()) : sqlite3_errstr(rc));
    const int primary = rc & 0xff;
    if (primary == SQLITE_NOTADB || primary == SQLITE_CORRUPT)
      throw damaged(message);
    throw std::runtime_error(message);
  }
  // Throws damaged: the file is a database, but not a cloison history of this version.
  [[noreturn]] void refuse(const std::string& why) const { throw damaged(path_ + ": " + why); }

  void exec(const char* sql, std::string_view doing) {
    const int rc = sqlite3_exec(db_.get(), sql, nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK)
      fail(rc, doing);
  }
  statement prepare(std::string_view sql) const;

 private:
  struct closer {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
  };
  std::string path_;
  std::unique_ptr<sqlite3, closer> db_;
};

class statement {
 public:
  statement(const database& db, std::string_view sql) : db_(db) {
    const int rc = sqlite3_prepare_v3(db.handle(), sql.data(), static_cast<int>(sql.size()), 0,
                                      &stmt_, nullptr);
    if (rc != SQLITE_OK)
      db_.fail(rc, "cannot prepare a statement");
  }
  statement(const statement&) = delete;
  statement& operator=(const statement&) = delete;
  ~statement() { sqlite3_finalize(stmt_); }

  statement& bind(int i, std::int64_t v) { return check(sqlite3_bind_int64(stmt_, i, v)); }
  statement& bind(int i, std::string_view v) {
    return check(
        sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
  }
  statement& bind(int i, std::optional<int> v) {
    return check(v ? sqlite3_bind_int(stmt_, i, *v) : sqlite3_bind_null(stmt_, i));
  }
  statement& bind(int i, std::optional<double> v) {
    return check(v ? sqlite3_bind_double(stmt_, i, *v) : sqlite3_bind_null(stmt_, i));
  }

  // Steps once: true when a row is there to read.
  bool step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW)
      return true;
    if (rc != SQLITE_DONE)
      db_.fail(rc, "cannot run a statement");
    return false;
  }
  // Runs a statement that returns no row, and makes it ready to run again.
  void run() {
    step();
    sqlite3_reset(stmt_);
  }

  bool is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::int64_t integer(int col) const { return sqlite3_column_int64(stmt_, col); }
  int small_integer(int col) const { return sqlite3_column_int(stmt_, col); }
  double real(int col) const { return sqlite3_column_double(stmt_, col); }
  std::string text(int col) const {
    const auto* p = sqlite3_column_text(stmt_, col);
    return p ? std::string(reinterpret_cast<const char*>(p),
                           static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)))
             : std::string();
  }
  // A column holding one of the names `from_string` knows.
  template <typename E>
  E name(int col, std::optional<E> (*from_string)(std::string_view), const char* what) const {
    const std::string s = text(col);
    if (const auto v = from_string(s))
      return *v;
    throw std::runtime_error(db_.path() + ": unknown " + what + " '" + s + "'");
  }

 private:
  statement& check(int rc) {
    if (rc != SQLITE_OK)
      db_.fail(rc, "cannot bind a value");
    return *this;
  }
  const database& db_;
  sqlite3_stmt* stmt_ = nullptr;
};

statement database::prepare(std::string_view sql) const {
  return statement(*this, sql);
}

// BEGIN ... COMMIT; rolled back when left without commit() (an exception).
class transaction {
 public:
  enum kind { read, write };
  transaction(database& db, kind k) : db_(db) {
    db_.exec(k == write ? "BEGIN IMMEDIATE" : "BEGIN", "cannot begin a transaction");
  }
  transaction(const transaction&) = delete;
  transaction& operator=(const transaction&) = delete;
  ~transaction() {
    if (!done_)
      sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
  }
  void commit() {
    db_.exec("COMMIT", "cannot commit");
    done_ = true;
  }

 private:
  database& db_;
  bool done_ = false;
};

std::int64_t single_integer(const database& db, const char* sql) {
  auto s = db.prepare(sql);
  s.step();
  return s.integer(0);
}

// Whether the file is empty (a new database) or a cloison history of this schema; throws damaged
// when it is neither. Reads only.
bool is_new(const database& db) {
  const auto application_id = single_integer(db, "PRAGMA application_id");
  const auto version = single_integer(db, "PRAGMA user_version");
  if (application_id == 0 && single_integer(db, "SELECT count(*) FROM sqlite_schema") == 0)
    return true;
  if (application_id != kApplicationId)
    db.refuse("not a cloison history (application_id " + std::to_string(application_id) + ")");
  if (version > kSchemaVersion)  // a newer cloison's, perhaps in use: left alone
    throw std::runtime_error(db.path() + ": history schema version " + std::to_string(version) +
                             ", written by a newer cloison; this one knows " +
                             std::to_string(kSchemaVersion));
  if (version != kSchemaVersion)
    db.refuse("history schema version " + std::to_string(version) + ", this cloison knows " +
              std::to_string(kSchemaVersion));
  auto check = db.prepare("PRAGMA quick_check");
  std::string problems;
  while (check.step())
    problems += (problems.empty() ? "" : "; ") + check.text(0);
  if (problems != "ok")
    db.refuse("integrity check failed: " + problems);
  return false;
}

// WAL: readers (`cloison history`) never block the daemon's writes, nor it them. synchronous
// FULL, not NORMAL: a run is recorded every few minutes at most, so one more fsync per commit
// costs nothing, and a run announced (alerts, /metrics) stays recorded after a power loss (with
// NORMAL the last commits may be rolled back, and their ids given again to other runs).
database open_database(const fs::path& path) {
  database db(path);
  // Not checkpointed when closed before it is known to be a history: set aside as it was found.
  sqlite3_db_config(db.handle(), SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
  const bool fresh = is_new(db);
  sqlite3_db_config(db.handle(), SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 0, nullptr);
  {
    auto mode = db.prepare("PRAGMA journal_mode = WAL");
    if (!mode.step() || mode.text(0) != "wal")
      throw std::runtime_error(db.path() + ": cannot use write-ahead logging");
  }
  db.exec("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON", "cannot configure");
  if (fresh) {
    transaction t(db, transaction::write);
    if (single_integer(db, "PRAGMA application_id") == 0) {  // not initialised meanwhile
      db.exec(kSchema, "cannot create the history");
      // PRAGMA takes no bound parameter: the two values are this file's constants.
      const std::string identity = "PRAGMA application_id = " + std::to_string(kApplicationId) +
                                   "; PRAGMA user_version = " + std::to_string(kSchemaVersion);
      db.exec(identity.c_str(), "cannot create the history");
    }
    t.commit();
  }
  return db;
}

// Renames `from` to `to` unless `to` exists; false when it does.
bool rename_no_replace(const std::string& from, const std::string& to) {
  if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0)
    return true;
  if (errno == EEXIST)
    return false;
  throw std::runtime_error("cannot move " + from + " aside to " + to + ": " + std::strerror(errno));
}

// Moves `path` with its -wal and -shm to `path`.damaged-<UTC time>[-n]; returns the new name.
std::string move_aside(const fs::path& path) {
  const std::string from = path.string();
  const std::string stamp = from + ".damaged-" + utc_compact(std::chrono::system_clock::now());
  for (int n = 1;; ++n) {
    const std::string to = n == 1 ? stamp : stamp + "-" + std::to_string(n);
    if (!rename_no_replace(from, to))
      continue;
    for (const char* suffix : {"-wal", "-shm"}) {
      std::error_code ec;
      if (fs::exists(from + suffix, ec) && !rename_no_replace(from + suffix, to + suffix))
        throw std::runtime_error("cannot move " + from + suffix + " aside: " + to + suffix +
                                 " exists");
    }
    return to;
  }
}

// Fills the objectives of `runs` (one query over the range of their ids).
void add_objectives(const database& db, std::vector<run_record>& runs) {
  if (runs.empty())
    return;
  std::map<std::int64_t, run_record*> by_id;
  for (auto& r : runs)
    by_id[r.id] = &r;
  auto s = db.prepare(
      "SELECT run_id, id, status, score FROM objectives WHERE run_id BETWEEN ?1 AND ?2 "
      "ORDER BY run_id, ordinal");
  s.bind(1, by_id.begin()->first).bind(2, by_id.rbegin()->first);
  while (s.step()) {
    const auto it = by_id.find(s.integer(0));
    if (it == by_id.end())
      continue;
    it->second->objectives.push_back(
        {s.text(1), s.name(2, objective_status_from_string, "objective status"),
         s.is_null(3) ? std::nullopt : std::optional<double>(s.real(3))});
  }
}

// The runs kSelectRuns followed by `condition` selects, `id` bound as ?1, with their objectives.
std::vector<run_record> read_runs(const database& db, const std::string& condition,
                                  std::optional<std::int64_t> id) {
  auto s = db.prepare(std::string(kSelectRuns) + condition);
  if (id)
    s.bind(1, *id);
  std::vector<run_record> out;
  while (s.step()) {
    run_record r;
    r.id = s.integer(0);
    r.started_at = s.text(1);
    r.finished_at = s.text(2);
    r.vantage = s.text(3);
    r.exit_code = s.small_integer(4);
    r.error = s.text(5);
    r.report_dir = s.text(6);
    r.bundle = s.text(7);
    if (!s.is_null(8))
      r.ads_level = s.small_integer(8);
    r.counts = {s.small_integer(9),  s.small_integer(10), s.small_integer(11),
                s.small_integer(12), s.small_integer(13), s.small_integer(14)};
    r.baseline = s.integer(15) != 0;
    r.alerted = s.integer(16) != 0;
    out.push_back(std::move(r));
  }
  add_objectives(db, out);
  return out;
}

// read_runs() in one read transaction: runs and objectives of the same moment.
std::vector<run_record> select_runs(database& db, const std::string& condition,
                                    std::optional<std::int64_t> id) {
  transaction t(db, transaction::read);
  auto runs = read_runs(db, condition, id);
  t.commit();
  return runs;
}

std::optional<run_record> first_of(std::vector<run_record> runs) {
  if (runs.empty())
    return std::nullopt;
  return std::move(runs.front());
}

std::int64_t insert_run(database& db, const run_record& run,
                        const std::vector<recorded_finding>& failing) {
  transaction t(db, transaction::write);
  auto s = db.prepare(
      "INSERT INTO runs (started_at, finished_at, vantage, exit_code, error, report_dir, bundle, "
      "ads_level, count_pass, count_fail, count_error, count_not_applicable, count_waived, "
      "count_not_evaluated) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)");
  s.bind(1, run.started_at).bind(2, run.finished_at).bind(3, run.vantage);
  s.bind(4, std::int64_t{run.exit_code}).bind(5, run.error).bind(6, run.report_dir);
  s.bind(7, run.bundle).bind(8, run.ads_level);
  const auto& c = run.counts;
  int col = 9;
  for (const int n : {c.pass, c.fail, c.error, c.not_applicable, c.waived, c.not_evaluated})
    s.bind(col++, std::int64_t{n});
  s.run();
  const std::int64_t id = sqlite3_last_insert_rowid(db.handle());

  auto o = db.prepare(
      "INSERT INTO objectives (run_id, ordinal, id, status, score) VALUES (?1, ?2, ?3, ?4, ?5)");
  std::int64_t ordinal = 0;
  for (const auto& objective : run.objectives) {
    o.bind(1, id).bind(2, ordinal++).bind(3, objective.id).bind(4, to_string(objective.status));
    o.bind(5, objective.score).run();
  }
  auto f = db.prepare(
      "INSERT INTO findings (run_id, ordinal, check_id, target, objective, status, severity) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  ordinal = 0;
  for (const auto& finding : failing) {
    f.bind(1, id).bind(2, ordinal++).bind(3, finding.check).bind(4, finding.target);
    f.bind(5, finding.objective).bind(6, to_string(finding.status));
    f.bind(7, to_string(finding.severity)).run();
  }
  t.commit();
  return id;
}

}  // namespace

struct history::impl {
  database db;
};

history::history(std::unique_ptr<impl> p) : impl_(std::move(p)) {}
history::history(history&&) noexcept = default;
history& history::operator=(history&&) noexcept = default;
history::~history() = default;

history history::open(const fs::path& state_dir, std::string* set_aside) {
  if (set_aside)
    set_aside->clear();
  std::error_code ec;
  fs::create_directories(state_dir, ec);
  if (ec)
    throw std::runtime_error("cannot create the state folder " + state_dir.string() + ": " +
                             ec.message());
  const fs::path path = state_dir / "history.db";
  try {
    return history(std::make_unique<impl>(open_database(path)));
  } catch (const damaged&) {
    const std::string aside = move_aside(path);
    if (set_aside)
      *set_aside = aside;
  }
  return history(std::make_unique<impl>(open_database(path)));
}

std::int64_t history::record(const report& r, int exit_code, const std::string& report_dir,
                             const std::string& bundle) {
  run_record run;
  run.started_at = r.started_at;
  run.finished_at = r.finished_at;
  run.vantage = r.topology ? r.topology->vantage : "";
  run.exit_code = exit_code;
  run.report_dir = report_dir;
  run.bundle = bundle;
  run.ads_level = r.ads ? r.ads->estimated_level : std::nullopt;
  for (const auto& o : r.objectives)
    run.objectives.push_back({o.id, o.status, o.score});
  // From the findings, not summed over the objectives: a cause finding (a target that could not
  // be read) belongs to no objective, and is an error all the same.
  std::vector<recorded_finding> failing;
  for (const auto& f : r.findings) {
    count(f.status, run.counts);
    if (is_failing(f.status))
      failing.push_back({f.check, f.target, f.objective, f.status, f.severity});
  }
  return insert_run(impl_->db, run, failing);
}

std::int64_t history::record_failure(const std::string& started_at, const std::string& finished_at,
                                     const std::string& vantage, int exit_code,
                                     const std::string& error) {
  run_record run;
  run.started_at = started_at;
  run.finished_at = finished_at;
  run.vantage = vantage;
  run.exit_code = exit_code;
  run.error = error;
  return insert_run(impl_->db, run, {});
}

std::vector<run_record> history::list(std::size_t limit) const {
  const std::int64_t rows = limit == 0 ? -1 : static_cast<std::int64_t>(limit);
  return select_runs(impl_->db, "ORDER BY id DESC LIMIT ?1", rows);
}

std::optional<run_record> history::find(std::int64_t id) const {
  return first_of(select_runs(impl_->db, "WHERE id = ?1", id));
}

std::optional<run_record> history::previous(std::int64_t id) const {
  return first_of(select_runs(impl_->db, "WHERE id < ?1 ORDER BY id DESC LIMIT 1", id));
}

std::optional<run_record> history::baseline() const {
  return first_of(select_runs(impl_->db, "WHERE baseline", std::nullopt));
}

std::vector<recorded_finding> history::failing_findings(std::int64_t id) const {
  auto s = impl_->db.prepare(
      "SELECT check_id, target, objective, status, severity FROM findings WHERE run_id = ?1 "
      "ORDER BY ordinal");
  s.bind(1, id);
  std::vector<recorded_finding> out;
  while (s.step()) {
    out.push_back({s.text(0), s.text(1), s.text(2), s.name(3, status_from_string, "status"),
                   s.name(4, severity_from_string, "severity")});
  }
  return out;
}

void history::pin_baseline(std::int64_t id) {
  auto& db = impl_->db;
  transaction t(db, transaction::write);
  auto run = db.prepare("SELECT error FROM runs WHERE id = ?1");
  run.bind(1, id);
  if (!run.step())
    throw std::invalid_argument("no run " + std::to_string(id) + " in the history");
  if (!run.text(0).empty())
    throw std::invalid_argument("run " + std::to_string(id) +
                                " could not run: it cannot be the baseline");
  // Two statements: the unique index allows one baseline at any moment.
  db.prepare("UPDATE runs SET baseline = 0 WHERE baseline").run();
  db.prepare("UPDATE runs SET baseline = 1 WHERE id = ?1").bind(1, id).run();
  t.commit();
}

void history::mark_alerted(std::int64_t id) {
  auto& db = impl_->db;
  transaction t(db, transaction::write);
  db.prepare("UPDATE runs SET alerted = 1 WHERE id = ?1").bind(1, id).run();
  t.commit();
}

std::vector<run_record> history::prune(const retention& keep,
                                       std::chrono::system_clock::time_point now) {
  auto& db = impl_->db;
  transaction t(db, transaction::write);
  auto candidates =
      db.prepare("SELECT id, baseline, unixepoch(started_at) < ?1 FROM runs ORDER BY id DESC");
  if (keep.max_age.count() > 0) {
    const auto limit = std::chrono::floor<std::chrono::seconds>(now - keep.max_age);
    candidates.bind(1, std::int64_t{limit.time_since_epoch().count()});
  }
  std::vector<std::int64_t> doomed;
  std::size_t position = 0;
  while (candidates.step()) {
    const bool newest = position++ == 0;
    const bool too_many = keep.max_runs > 0 && position > keep.max_runs;
    const bool too_old = candidates.integer(2) != 0;
    if (!newest && candidates.integer(1) == 0 && (too_many || too_old))
      doomed.push_back(candidates.integer(0));
  }
  std::vector<run_record> removed;
  auto remove = db.prepare("DELETE FROM runs WHERE id = ?1");
  for (const auto id : doomed) {
    auto run = read_runs(db, "WHERE id = ?1", id);
    removed.insert(removed.end(), run.begin(), run.end());
    remove.bind(1, id).run();
  }
  t.commit();
  return removed;
}

}  // namespace cloison
