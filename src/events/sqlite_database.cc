// The event store's SQLite connection: a file in WAL mode, fully synchronous.
//
// Text goes in and comes out with its length: a NUL byte is data like any other, so what
// is stored is exactly what was hashed, compared or filtered on (a name "ghost\0x" is
// stored whole, not as "ghost").
#include <fmt/format.h>
#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <thread>
#include <utility>

#include "events/database.h"

namespace vigie::events {
namespace {

// How long a statement waits for another connection's lock, and how often it looks.
// SQLite's own busy timeout looks every 100 ms once it has waited a while; a writer that
// frees the lock for a moment (retention between batches) would almost never let it in.
constexpr int kBusyWaitMs = 5000, kBusyLookMs = 2;

int wait_for_the_lock(void*, int tries) {
  if (tries * kBusyLookMs >= kBusyWaitMs) return 0;
  std::this_thread::sleep_for(std::chrono::milliseconds(kBusyLookMs));
  return 1;
}

// SQLITE_BUSY: the wait ran out while another connection held the lock.
bool gave_up_waiting(int rc) { return (rc & 0xff) == SQLITE_BUSY; }

class SqliteQuery final : public Query {
 public:
  SqliteQuery(sqlite3* db, const std::string& sql, bool& lock_timed_out) : db_(db), lock_timed_out_(lock_timed_out) {
    rc_ = sqlite3_prepare_v2(db, sql.c_str(), static_cast<int>(sql.size()), &stmt_, nullptr);
  }
  ~SqliteQuery() override { sqlite3_finalize(stmt_); }
  Query& bind(int i, const std::string& v) override {
    sqlite3_bind_text64(stmt_, i, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
    return *this;
  }
  Query& bind(int i, double v) override {
    sqlite3_bind_double(stmt_, i, v);
    return *this;
  }
  Query& bind(int i, int64_t v) override {
    sqlite3_bind_int64(stmt_, i, v);
    return *this;
  }
  using Query::bind;
  Step step() override {
    if (rc_ != SQLITE_OK) return Step::kError;
    if (writes_inside_a_read_snapshot()) {
      // It would fail, at once and without the busy wait, only when another connection (a
      // camera's) writes meanwhile: refused every time instead, so that a test finds it
      // (decision 93).
      lock_timed_out_ = false;
      misuse_ = "a write began while this connection still held a read (a statement stepped to a row and not "
                "finished, or a read first in a deferred transaction); finish the read or BEGIN IMMEDIATE: " +
                std::string(sqlite3_sql(stmt_));
      return Step::kError;
    }
    const int rc = sqlite3_step(stmt_);
    lock_timed_out_ = gave_up_waiting(rc);  // (exec leaves it: a ROLLBACK after the failure keeps it)
    if (rc == SQLITE_ROW) return Step::kRow;
    if (rc == SQLITE_DONE) return Step::kDone;
    rc_ = rc;
    return Step::kError;
  }
  std::string text(int col) const override {
    const auto* p = sqlite3_column_text(stmt_, col);  // before _bytes, as SQLite asks
    return p ? std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(stmt_, col)))
             : std::string();
  }
  double real(int col) const override { return sqlite3_column_double(stmt_, col); }
  int64_t integer(int col) const override { return sqlite3_column_int64(stmt_, col); }
  bool null(int col) const override { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  int64_t changes() const override { return sqlite3_changes64(db_); }
  bool unique_violation() const override {
    const int code = sqlite3_extended_errcode(db_);
    return code == SQLITE_CONSTRAINT_PRIMARYKEY || code == SQLITE_CONSTRAINT_UNIQUE;
  }
  std::string error() const override { return misuse_.empty() ? sqlite3_errmsg(db_) : misuse_; }

 private:
  // In WAL mode a writer whose connection still reads cannot take the write lock while
  // another connection holds it, nor once that one has committed (SQLITE_BUSY_SNAPSHOT):
  // SQLite answers busy at once, with no busy wait.
  bool writes_inside_a_read_snapshot() const {
    return !sqlite3_stmt_busy(stmt_) && !sqlite3_stmt_readonly(stmt_) &&
           sqlite3_txn_state(db_, nullptr) == SQLITE_TXN_READ;
  }

  sqlite3* db_;
  bool& lock_timed_out_;
  sqlite3_stmt* stmt_ = nullptr;
  int rc_;
  std::string misuse_;
};

// Schema steps: kMigrations[i] takes the schema from version i to i + 1.
const std::vector<std::string> kMigrations = {
    R"sql(
CREATE TABLE cameras (
  name TEXT PRIMARY KEY,
  first_seen REAL NOT NULL
);
CREATE TABLE alerts (
  id TEXT PRIMARY KEY,
  camera TEXT NOT NULL,
  rule TEXT NOT NULL,
  rule_type TEXT NOT NULL,
  place TEXT NOT NULL DEFAULT '',
  detail TEXT NOT NULL DEFAULT '',
  track_ids TEXT NOT NULL DEFAULT '[]',
  start_epoch REAL NOT NULL,
  last_epoch REAL NOT NULL,
  end_epoch REAL,
  peak REAL NOT NULL DEFAULT 0,
  box TEXT NOT NULL DEFAULT '[]',
  snapshot_path TEXT NOT NULL DEFAULT '',
  clip_path TEXT NOT NULL DEFAULT '',
  stream_start_s REAL NOT NULL DEFAULT 0,
  stream_raised_s REAL NOT NULL DEFAULT 0
);
CREATE INDEX alerts_by_time ON alerts (start_epoch);
CREATE INDEX alerts_by_camera_rule ON alerts (camera, rule, start_epoch);
CREATE TABLE tracks (
  camera TEXT NOT NULL,
  track_id INTEGER NOT NULL,
  label TEXT NOT NULL,
  first_epoch REAL NOT NULL,
  last_epoch REAL NOT NULL,
  path TEXT NOT NULL DEFAULT '[]',
  PRIMARY KEY (camera, track_id, first_epoch)
);
CREATE TABLE operator_actions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  alert_id TEXT NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
  action TEXT NOT NULL,
  note TEXT NOT NULL DEFAULT '',
  user TEXT NOT NULL,
  at_epoch REAL NOT NULL
);
)sql",
    // 2: the audit log, hash-chained.
    R"sql(
CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY,
  at_epoch REAL NOT NULL,
  user TEXT NOT NULL,
  action TEXT NOT NULL,
  detail TEXT NOT NULL DEFAULT '',
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
)sql",
    // 3: local accounts.
    R"sql(
CREATE TABLE users (
  name TEXT PRIMARY KEY,
  role TEXT NOT NULL CHECK (role IN ('operator', 'supervisor', 'auditor', 'admin')),
  password_hash TEXT NOT NULL,
  created_epoch REAL NOT NULL
);
)sql",
    // 4: ids unique across runs. Alerts and tracks say which tracker run numbered their
    // track ids (UUIDv7; '' for rows from before); a track is keyed by its run, so a new
    // run's track 1 no longer REPLACEs an older one. Audit entries get a MAC (HMAC-SHA256
    // of their hash with a key kept outside the database; '' for entries from before).
    R"sql(
ALTER TABLE alerts ADD COLUMN run_id TEXT NOT NULL DEFAULT '';
CREATE TABLE tracks_v4 (
  camera TEXT NOT NULL,
  run_id TEXT NOT NULL DEFAULT '',
  track_id INTEGER NOT NULL,
  label TEXT NOT NULL,
  first_epoch REAL NOT NULL,
  last_epoch REAL NOT NULL,
  path TEXT NOT NULL DEFAULT '[]',
  PRIMARY KEY (camera, run_id, track_id, first_epoch)
);
INSERT INTO tracks_v4 (camera, run_id, track_id, label, first_epoch, last_epoch, path)
  SELECT camera, '', track_id, label, first_epoch, last_epoch, path FROM tracks;
DROP TABLE tracks;
ALTER TABLE tracks_v4 RENAME TO tracks;
CREATE INDEX tracks_by_time ON tracks (last_epoch);
ALTER TABLE audit_log ADD COLUMN mac TEXT NOT NULL DEFAULT '';
)sql",
    // 5: sessions in the store, so that any API node (and a restarted one) knows them. A
    // token's SHA-256 is kept, never the token: a copy of the database logs nobody in.
    R"sql(
CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  "user" TEXT NOT NULL,
  role TEXT NOT NULL,
  expires_epoch REAL NOT NULL
);
)sql",
    // 6: what tracks looked like, for forensic search: their attributes (JSON), a thumbnail,
    // and their colour names, one row per name, deleted with the track. Tracks are indexed
    // by camera and start, covering what a search filters on (its candidates are found
    // without reading the rows), and by span (the longest one bounds a time range's scan).
    R"sql(
ALTER TABLE tracks ADD COLUMN attributes TEXT NOT NULL DEFAULT '{}';
ALTER TABLE tracks ADD COLUMN thumbnail_path TEXT NOT NULL DEFAULT '';
CREATE TABLE track_colours (
  camera TEXT NOT NULL,
  run_id TEXT NOT NULL,
  track_id INTEGER NOT NULL,
  first_epoch REAL NOT NULL,
  region TEXT NOT NULL,
  colour TEXT NOT NULL,
  share REAL NOT NULL,
  PRIMARY KEY (camera, run_id, track_id, first_epoch, region, colour),
  FOREIGN KEY (camera, run_id, track_id, first_epoch)
    REFERENCES tracks (camera, run_id, track_id, first_epoch) ON DELETE CASCADE
);
CREATE INDEX track_colours_by_colour ON track_colours (colour, region, first_epoch);
CREATE INDEX tracks_by_first ON tracks (first_epoch);
CREATE INDEX tracks_by_camera_first ON tracks (camera, first_epoch, last_epoch, run_id, track_id, label);
CREATE INDEX tracks_by_span ON tracks ((last_epoch - first_epoch));
)sql",
    // 7: where tracks went: the zones they entered and the lines they crossed (with the
    // direction), one row each with the time of the first entry (crossing), deleted with
    // the track; searched by name, counted by time. Tracks by id, for "similar to track 4".
    R"sql(
CREATE TABLE track_passages (
  camera TEXT NOT NULL,
  run_id TEXT NOT NULL,
  track_id INTEGER NOT NULL,
  first_epoch REAL NOT NULL,
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  direction TEXT NOT NULL,
  at_epoch REAL NOT NULL,
  PRIMARY KEY (camera, run_id, track_id, first_epoch, kind, name, direction),
  FOREIGN KEY (camera, run_id, track_id, first_epoch)
    REFERENCES tracks (camera, run_id, track_id, first_epoch) ON DELETE CASCADE
);
CREATE INDEX track_passages_by_name ON track_passages (kind, name, direction, first_epoch);
CREATE INDEX track_passages_by_time ON track_passages (at_epoch);
CREATE INDEX tracks_by_id ON tracks (track_id);
)sql",
    kSchema8,  // (database.h)
    kSchema9,
    kSchema10,
    kSchema11,
    kSchema12,
    // 13: paid sessions, and the parking meters' role (SQLite changes a CHECK by copying
    // the table).
    std::string(kSchema13) + R"sql(
CREATE TABLE users_13 (
  name TEXT PRIMARY KEY,
  role TEXT NOT NULL CHECK (role IN ('operator', 'supervisor', 'auditor', 'admin', 'parking_meter')),
  password_hash TEXT NOT NULL,
  created_epoch REAL NOT NULL
);
INSERT INTO users_13 (name, role, password_hash, created_epoch) SELECT name, role, password_hash, created_epoch FROM users;
DROP TABLE users;
ALTER TABLE users_13 RENAME TO users;
)sql",
};

class SqliteDatabase final : public Database {
 public:
  SqliteDatabase(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  ~SqliteDatabase() override { sqlite3_close(db_); }

  Result<Ok> exec(const std::string& sql) override {
    char* err = nullptr;
    if (const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err); rc != SQLITE_OK) {
      lock_timed_out_ = gave_up_waiting(rc);
      std::string why = err ? err : sqlite3_errmsg(db_);
      sqlite3_free(err);
      return Error{fmt::format("event store '{}': {}", path_, why)};
    }
    return Ok{};
  }
  std::unique_ptr<Query> query(const std::string& sql) override {
    return std::make_unique<SqliteQuery>(db_, sql, lock_timed_out_);
  }
  // IMMEDIATE: the write lock now, not at the first write, so two appenders never both
  // read the same last entry.
  Result<Ok> begin_exclusive() override { return exec("BEGIN IMMEDIATE"); }
  Result<Ok> begin_migration() override { return exec("BEGIN IMMEDIATE"); }
  const std::vector<std::string>& migrations() const override { return kMigrations; }
  Result<int> schema_version() override {
    SqliteQuery q(db_, "PRAGMA user_version", lock_timed_out_);
    if (q.step() != Step::kRow) return Error{fmt::format("event store '{}': {}", path_, q.error())};
    return static_cast<int>(q.integer(0));
  }
  std::string set_schema_version_sql(int version) const override {
    return fmt::format("PRAGMA user_version = {};", version);
  }
  const std::string& name() const override { return path_; }
  bool is_server() const override { return false; }
  bool text_holds_nul() const override { return true; }
  // (Said once per such failure.)
  bool reachable() override { return !std::exchange(lock_timed_out_, false); }

 private:
  sqlite3* db_;
  std::string path_;
  bool lock_timed_out_ = false;
};

}  // namespace

Result<std::unique_ptr<Database>> connect_database(const std::string& location) {
  return is_database_url(location) ? open_postgres(location) : open_sqlite(location);
}

Result<std::unique_ptr<Database>> open_sqlite(const std::string& path) {
  // SQLite would say only "unable to open database file".
  const auto folder = std::filesystem::path(path).parent_path();
  std::error_code ec;
  if (!folder.empty() && !std::filesystem::is_directory(folder, ec))
    return Error{fmt::format("cannot open event store '{}': folder '{}' does not exist (create it first)", path,
                             folder.string())};
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
    std::string why = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return Error{fmt::format("cannot open event store '{}': {}", path, why)};
  }
  sqlite3_busy_handler(db, wait_for_the_lock, nullptr);
  auto out = std::make_unique<SqliteDatabase>(db, path);
  // WAL: readers (the server, `vigie alerts list`) never block the writer. FULL sync:
  // a committed alert is on disk before record() returns.
  for (const char* pragma : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA foreign_keys=ON"})
    if (auto r = out->exec(pragma); !r) return r.error();
  return std::unique_ptr<Database>(std::move(out));
}

}  // namespace vigie::events
