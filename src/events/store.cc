#include "events/store.h"
#include "events/statement.h"

#include <fmt/format.h>
#include <sqlite3.h>

#include <sodium.h>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

namespace vigie::events {
namespace {

// Schema steps: migrations[i] takes the schema from version i to i + 1. Never edit a
// step that has shipped; add one.
const char* const kMigrations[] = {
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
};
constexpr int kSteps = sizeof(kMigrations) / sizeof(kMigrations[0]);
static_assert(kSteps == Store::kSchemaVersion);

std::string json_ids(const std::vector<int>& ids) { return nlohmann::json(ids).dump(); }

}  // namespace

Result<std::unique_ptr<Store>> Store::open(const std::string& path, const std::string& audit_key_path) {
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
  sqlite3_busy_timeout(db, 5000);
  if (sodium_init() < 0) {
    sqlite3_close(db);
    return Error{"libsodium could not be initialised"};
  }
  std::unique_ptr<Store> store(new Store(db, path, audit_key_path.empty() ? path + ".audit-key" : audit_key_path));
  // WAL: readers (the server, `vigie alerts list`) never block the writer. FULL sync:
  // a committed alert is on disk before record() returns.
  for (const char* pragma : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA foreign_keys=ON"})
    if (auto r = store->exec(pragma); !r) return r.error();
  if (auto r = store->migrate(); !r) return r.error();
  return store;
}

Store::~Store() { sqlite3_close(db_); }

Result<Ok> Store::exec(const std::string& sql) const {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string why = err ? err : sqlite3_errmsg(db_);
    sqlite3_free(err);
    return Error{fmt::format("event store '{}': {}", path_, why)};
  }
  return Ok{};
}

Error Store::sql_error() const { return Error{fmt::format("event store '{}': {}", path_, sqlite3_errmsg(db_))}; }

int Store::schema_version() const {
  Statement s(db_, "PRAGMA user_version");
  return s.ok() && s.step() == SQLITE_ROW ? static_cast<int>(s.real(0)) : -1;
}

Result<Ok> Store::migrate() {
  const int version = schema_version();
  if (version > kSchemaVersion)
    return Error{fmt::format("event store '{}' has schema version {}, newer than this vigie ({}): upgrade vigie",
                             path_, version, kSchemaVersion)};
  for (int v = version; v < kSchemaVersion; ++v) {
    // Each step and its version bump commit together, or not at all.
    const std::string step = fmt::format("BEGIN; {} PRAGMA user_version = {}; COMMIT;", kMigrations[v], v + 1);
    if (auto r = exec(step); !r) {
      exec("ROLLBACK");
      return Error{fmt::format("{} (migrating to schema {})", r.error().message, v + 1)};
    }
  }
  return Ok{};
}

Result<Ok> Store::record(const rules::AlertEvent& e) {
  const char* sql = nullptr;
  switch (e.phase) {
    case rules::Phase::kStart:
      // A start retried after an error it did not see is no error (checked below).
      sql = "INSERT INTO alerts (id, camera, rule, rule_type, place, detail, track_ids, start_epoch, last_epoch, "
            "peak, box, stream_start_s, stream_raised_s, run_id) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14) ON CONFLICT (id) DO NOTHING";
      break;
    case rules::Phase::kUpdate:
      sql = "UPDATE alerts SET track_ids = ?7, last_epoch = ?9, peak = ?10, box = ?11 WHERE id = ?1";
      break;
    case rules::Phase::kEnd:
      sql = "UPDATE alerts SET track_ids = ?7, last_epoch = ?9, end_epoch = ?9, peak = ?10 WHERE id = ?1";
      break;
  }
  if (e.phase == rules::Phase::kStart) {
    Statement cam(db_, "INSERT OR IGNORE INTO cameras (name, first_seen) VALUES (?1, ?2)");
    cam.bind(1, e.camera).bind(2, e.epoch_s).step();
  }
  Statement s(db_, sql);
  if (!s.ok()) return sql_error();
  const double start_epoch = e.epoch_s - (e.time_s - e.start_s);
  s.bind(1, e.alert_id).bind(2, e.camera).bind(3, e.rule).bind(4, e.rule_type).bind(5, e.where).bind(6, e.detail);
  s.bind(7, json_ids(e.track_ids)).bind(8, start_epoch).bind(9, e.epoch_s).bind(10, e.peak);
  s.bind(11, nlohmann::json({e.box.x, e.box.y, e.box.w, e.box.h}).dump());
  s.bind(12, e.start_s).bind(13, e.time_s).bind(14, e.run_id);
  if (s.step() != SQLITE_DONE) return sql_error();
  if (sqlite3_changes(db_) > 0) return Ok{};
  if (e.phase != rules::Phase::kStart)
    return Error{fmt::format("event store '{}': alert '{}' is not stored: its {} is lost", path_, e.alert_id,
                             rules::phase_name(e.phase))};
  Statement same(db_, "SELECT camera, rule, start_epoch FROM alerts WHERE id = ?1");
  same.bind(1, e.alert_id);
  if (same.step() == SQLITE_ROW && same.text(0) == e.camera && same.text(1) == e.rule &&
      std::abs(same.real(2) - start_epoch) < 1e-3)
    return Ok{};
  return Error{fmt::format("event store '{}': alert id '{}' is already stored for another alert ({} {})", path_,
                           e.alert_id, same.text(0), same.text(1))};
}

Result<Ok> Store::record_track(const std::string& camera, int track_id, const std::string& label, double first_epoch,
                               double last_epoch, const std::vector<std::pair<float, float>>& path,
                               const std::string& run_id) {
  Statement s(db_,
              "INSERT INTO tracks (camera, run_id, track_id, label, first_epoch, last_epoch, path) "
              "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  nlohmann::json points = nlohmann::json::array();
  for (const auto& [x, y] : path) points.push_back({x, y});
  s.bind(1, camera).bind(2, run_id).bind(3, track_id).bind(4, label).bind(5, first_epoch).bind(6, last_epoch);
  s.bind(7, points.dump());
  if (s.step() != SQLITE_DONE) return sql_error();
  return Ok{};
}

Result<int> Store::track_count(const std::string& camera) const {
  Statement s(db_, "SELECT COUNT(*) FROM tracks WHERE camera = ?1");
  s.bind(1, camera);
  if (s.step() != SQLITE_ROW) return Error{fmt::format("event store '{}': {}", path_, sqlite3_errmsg(db_))};
  return static_cast<int>(s.real(0));
}

namespace {

// Sets one media column of one alert; an alert that is not there is an error.
Result<Ok> set_media(sqlite3* db, const std::string& store, const char* sql, const std::string& id,
                     const std::string& path) {
  Statement s(db, sql);
  s.bind(1, id).bind(2, path);
  if (s.step() != SQLITE_DONE) return Error{fmt::format("event store '{}': {}", store, sqlite3_errmsg(db))};
  if (sqlite3_changes(db) == 0)
    return Error{fmt::format("event store '{}': alert '{}' is not stored: media '{}' not linked", store, id, path)};
  return Ok{};
}

}  // namespace

Result<Ok> Store::set_snapshot(const std::string& id, const std::string& path) {
  return set_media(db_, path_, "UPDATE alerts SET snapshot_path = ?2 WHERE id = ?1", id, path);
}

Result<Ok> Store::set_clip(const std::string& id, const std::string& path) {
  return set_media(db_, path_, "UPDATE alerts SET clip_path = ?2 WHERE id = ?1", id, path);
}

Result<std::vector<AlertRow>> Store::alerts(const AlertFilter& f) const {
  Statement s(db_,
              "SELECT id, camera, rule, rule_type, place, detail, track_ids, start_epoch, last_epoch, end_epoch, peak, "
              "snapshot_path, clip_path, box, stream_start_s, stream_raised_s, "
              "(SELECT action FROM operator_actions o WHERE o.alert_id = alerts.id ORDER BY o.id DESC LIMIT 1), run_id "
              "FROM alerts WHERE (?1 = '' OR camera = ?1) AND (?2 = '' OR rule = ?2) "
              "AND start_epoch >= ?3 AND (?5 = 0 OR start_epoch < ?5) AND (?6 = '' OR id = ?6) "
              "ORDER BY start_epoch DESC, id LIMIT ?4 OFFSET ?7");
  if (!s.ok()) return Error{fmt::format("event store '{}': {}", path_, sqlite3_errmsg(db_))};
  s.bind(1, f.camera).bind(2, f.rule).bind(3, f.since_epoch).bind(4, f.limit).bind(5, f.before_epoch);
  s.bind(6, f.id).bind(7, f.offset);
  std::vector<AlertRow> rows;
  while (s.step() == SQLITE_ROW) {
    AlertRow r;
    r.id = s.text(0), r.camera = s.text(1), r.rule = s.text(2), r.rule_type = s.text(3), r.where = s.text(4);
    r.detail = s.text(5);
    r.track_ids = nlohmann::json::parse(s.text(6)).get<std::vector<int>>();
    r.start_epoch = s.real(7), r.last_epoch = s.real(8);
    if (!s.null(9)) r.end_epoch = s.real(9);
    r.peak = s.real(10), r.snapshot_path = s.text(11), r.clip_path = s.text(12);
    const auto box = nlohmann::json::parse(s.text(13));
    if (box.size() == 4) r.box = {box[0].get<float>(), box[1].get<float>(), box[2].get<float>(), box[3].get<float>()};
    r.stream_start_s = s.real(14), r.stream_raised_s = s.real(15);
    r.status = s.text(16);
    r.run_id = s.text(17);
    rows.push_back(std::move(r));
  }
  return rows;
}

Result<int> Store::apply_retention(double now_epoch, double retention_days) {
  const double cutoff = now_epoch - retention_days * 86400.0;
  // Track summaries describe people's movements: they go with the same retention.
  {
    Statement old(db_, "DELETE FROM tracks WHERE last_epoch < ?1");
    old.bind(1, cutoff);
    if (old.step() != SQLITE_DONE) return Error{fmt::format("event store '{}': {}", path_, sqlite3_errmsg(db_))};
  }
  // Files first: a row whose file could not be removed stays, to be tried again.
  Statement media(db_, "SELECT id, snapshot_path, clip_path FROM alerts WHERE start_epoch < ?1");
  media.bind(1, cutoff);
  std::vector<std::string> gone;
  while (media.step() == SQLITE_ROW) {
    bool removed = true;
    for (int col : {1, 2}) {
      const std::string p = media.text(col);
      std::error_code ec;
      if (!p.empty() && std::filesystem::exists(p, ec) && !std::filesystem::remove(p, ec)) removed = false;
    }
    if (removed) gone.push_back(media.text(0));
  }
  if (auto r = exec("BEGIN"); !r) return r.error();
  for (const auto& id : gone) {
    Statement del(db_, "DELETE FROM alerts WHERE id = ?1");
    del.bind(1, id);
    if (del.step() != SQLITE_DONE) {
      exec("ROLLBACK");
      return Error{fmt::format("event store '{}': {}", path_, sqlite3_errmsg(db_))};
    }
  }
  if (auto r = exec("COMMIT"); !r) return r.error();
  return static_cast<int>(gone.size());
}

}  // namespace vigie::events
