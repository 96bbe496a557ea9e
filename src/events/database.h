// The SQL connection under the event store (internal to src/events): an SQLite file or a
// PostgreSQL server, behind one small interface, so that the store's logic, its schema
// history and its tests are written once for both.
//
// SQL is written once, in what both engines understand: ?N placeholders (the PostgreSQL
// side numbers them $N), the reserved word "user" quoted, ON CONFLICT … DO NOTHING, CAST
// to DOUBLE PRECISION or BIGINT where a parameter's type would be ambiguous. What differs
// (the schema's column types, the version counter, an exclusive transaction) is in the
// connection.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/result.h"
#include "events/store.h"

namespace vigie::events {

enum class Step { kRow, kDone, kError };

// One statement: bind, then step through its rows. A failed step says why in error().
class Query {
 public:
  virtual ~Query() = default;
  virtual Query& bind(int i, const std::string& v) = 0;
  Query& bind(int i, const char* v) = delete;  // a literal would lose its length: pass a std::string
  virtual Query& bind(int i, double v) = 0;
  virtual Query& bind(int i, int64_t v) = 0;
  Query& bind(int i, int v) { return bind(i, static_cast<int64_t>(v)); }
  virtual Step step() = 0;
  virtual std::string text(int col) const = 0;
  virtual double real(int col) const = 0;
  virtual int64_t integer(int col) const = 0;
  virtual bool null(int col) const = 0;
  virtual int64_t changes() const = 0;          // rows inserted, updated or deleted
  virtual bool unique_violation() const = 0;    // the failed step broke a unique key
  virtual std::string error() const = 0;
};

class Database {
 public:
  virtual ~Database() = default;
  // Statements without parameters, one after the other.
  virtual Result<Ok> exec(const std::string& sql) = 0;
  virtual std::unique_ptr<Query> query(const std::string& sql) = 0;
  // BEGIN, with the lock that lets one writer at a time extend the audit chain (readers
  // go on).
  virtual Result<Ok> begin_exclusive() = 0;
  // BEGIN, with a lock that one migrating process holds at a time (several nodes starting
  // at once on an empty database must not create the same tables twice).
  virtual Result<Ok> begin_migration() = 0;
  // The schema history: step i takes version i to i + 1. Never edit a step that shipped.
  virtual const std::vector<std::string>& migrations() const = 0;
  virtual Result<int> schema_version() = 0;
  virtual std::string set_schema_version_sql(int version) const = 0;
  // The store as messages name it: the file, or the URL without its password.
  virtual const std::string& name() const = 0;
  virtual bool is_server() const = 0;
  // Whether text may contain a NUL byte (SQLite: yes; PostgreSQL: no, such a parameter
  // makes the statement fail).
  virtual bool text_holds_nul() const = 0;
  // Whether the database answers now (reconnecting if it can). A file does, unless the
  // last failure was a lock wait that ran out: a write is put off then, not refused.
  virtual bool reachable() = 0;
};

// Schema steps written once for both engines: only types both read the same way (TEXT,
// INTEGER, DOUBLE PRECISION, which SQLite takes as REAL).
//
// 8: what the transparency report counts (src/transparency): how long each camera run
// was analysed (camera-hours, for false alarms per camera-hour), and the alerts that
// retention deleted, folded into anonymous counts per month, camera, rule and outcome
// (confirmed, false_alarm, open) so that a year's figures outlive the month of data; an
// alert's latest decision found by index (the report reads it for every alert).
inline constexpr const char* kSchema8 = R"sql(
CREATE TABLE camera_runs (
  camera TEXT NOT NULL,
  run_id TEXT NOT NULL,
  start_epoch DOUBLE PRECISION NOT NULL,
  last_epoch DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (camera, run_id)
);
CREATE TABLE alert_tallies (
  month TEXT NOT NULL,
  camera TEXT NOT NULL,
  rule TEXT NOT NULL,
  outcome TEXT NOT NULL,
  alerts INTEGER NOT NULL,
  PRIMARY KEY (month, camera, rule, outcome)
);
CREATE INDEX operator_actions_by_alert ON operator_actions (alert_id, id);
)sql";

// 9: drones (src/drone): each flight registered with its authorisation, what it flew and
// its recording; an alert raised by a moving camera carries where the camera was (NULL
// for a fixed camera and for alerts stored before).
inline constexpr const char* kSchema9 = R"sql(
CREATE TABLE drone_flights (
  id TEXT PRIMARY KEY,
  camera TEXT NOT NULL,
  reference TEXT NOT NULL,
  purpose TEXT NOT NULL,
  perimeter TEXT NOT NULL,
  authorised_start DOUBLE PRECISION NOT NULL,
  authorised_end DOUBLE PRECISION NOT NULL,
  start_epoch DOUBLE PRECISION NOT NULL,
  end_epoch DOUBLE PRECISION NOT NULL,
  minutes INTEGER NOT NULL,
  flagged TEXT NOT NULL,
  flagged_minutes INTEGER NOT NULL,
  distance_m DOUBLE PRECISION NOT NULL,
  swept_m2 DOUBLE PRECISION NOT NULL,
  video TEXT NOT NULL,
  geojson TEXT NOT NULL,
  registered_epoch DOUBLE PRECISION NOT NULL,
  audited INTEGER NOT NULL DEFAULT 0,
  UNIQUE (reference, start_epoch)
);
ALTER TABLE alerts ADD COLUMN lat DOUBLE PRECISION;
ALTER TABLE alerts ADD COLUMN lon DOUBLE PRECISION;
)sql";

// 10: continuous recording (src/record): each finished segment of a camera's stream, its
// file (relative to the recordings folder) and the machine whose disk holds it, the wall
// time it spans, its size and the SHA-256 of its bytes on disk (a file replaced
// afterwards shows).
inline constexpr const char* kSchema10 = R"sql(
CREATE TABLE recordings (
  path TEXT PRIMARY KEY,
  camera TEXT NOT NULL,
  start_epoch DOUBLE PRECISION NOT NULL,
  end_epoch DOUBLE PRECISION NOT NULL,
  bytes BIGINT NOT NULL,
  sha256 TEXT NOT NULL,
  host TEXT NOT NULL
);
CREATE INDEX recordings_by_camera ON recordings (camera, start_epoch);
CREATE INDEX recordings_by_end ON recordings (end_epoch);
)sql";

// 11: unmasked exports need two people (src/record/export.h): a supervisor's request with
// the requisition and a reason, an auditor's decision, and the one export it allows.
inline constexpr const char* kSchema11 = R"sql(
CREATE TABLE unmasked_requests (
  id TEXT PRIMARY KEY,
  camera TEXT NOT NULL,
  from_epoch DOUBLE PRECISION NOT NULL,
  to_epoch DOUBLE PRECISION NOT NULL,
  case_reference TEXT NOT NULL,
  requester TEXT NOT NULL,
  reason TEXT NOT NULL,
  requested_by TEXT NOT NULL,
  requested_epoch DOUBLE PRECISION NOT NULL,
  state TEXT NOT NULL,
  decided_by TEXT NOT NULL,
  decided_epoch DOUBLE PRECISION NOT NULL,
  decision_reason TEXT NOT NULL,
  used_epoch DOUBLE PRECISION NOT NULL
);
CREATE INDEX unmasked_requests_by_time ON unmasked_requests (requested_epoch);
)sql";

// Schema 12: a scancar's candidates for a parking notice, each decided by a person
// (parking.cc), and the disability cards registered when a notice was contested.
inline constexpr const char* kSchema12 = R"sql(
CREATE TABLE parking_candidates (
  id TEXT PRIMARY KEY,
  round TEXT NOT NULL,
  plate TEXT NOT NULL,
  format TEXT NOT NULL,
  confidence DOUBLE PRECISION NOT NULL,
  taken_epoch DOUBLE PRECISION NOT NULL,
  lat DOUBLE PRECISION NOT NULL,
  lon DOUBLE PRECISION NOT NULL,
  photo_path TEXT NOT NULL,
  crop_path TEXT NOT NULL,
  queued_epoch DOUBLE PRECISION NOT NULL,
  state TEXT NOT NULL,
  reviewed_by TEXT NOT NULL,
  reviewed_epoch DOUBLE PRECISION NOT NULL,
  no_card_visible INTEGER NOT NULL,
  review_note TEXT NOT NULL,
  contested_by TEXT NOT NULL,
  contested_epoch DOUBLE PRECISION NOT NULL,
  contest_card TEXT NOT NULL,
  photos_deleted_epoch DOUBLE PRECISION NOT NULL
);
CREATE INDEX parking_candidates_by_state ON parking_candidates (state, taken_epoch);
CREATE UNIQUE INDEX parking_candidates_once ON parking_candidates (plate, taken_epoch);
CREATE TABLE registered_card_plates (
  card TEXT NOT NULL,
  plate TEXT NOT NULL,
  valid_from DOUBLE PRECISION NOT NULL,
  valid_until DOUBLE PRECISION NOT NULL,
  registered_by TEXT NOT NULL,
  registered_epoch DOUBLE PRECISION NOT NULL,
  candidate TEXT NOT NULL,
  PRIMARY KEY (card, plate, candidate)
);
)sql";

// Schema 13: paid parking sessions, recorded by parking meters and apps through the API
// (a car with one is dropped from a scancar round), deleted once they cannot matter; each
// backend also lets the users table take the parking_meter role (events::kRoles).
inline constexpr const char* kSchema13 = R"sql(
CREATE TABLE paid_parking_sessions (
  id TEXT PRIMARY KEY,
  plate TEXT NOT NULL,
  start_epoch DOUBLE PRECISION NOT NULL,
  end_epoch DOUBLE PRECISION NOT NULL,
  recorded_by TEXT NOT NULL,
  recorded_epoch DOUBLE PRECISION NOT NULL
);
CREATE INDEX paid_parking_sessions_by_end ON paid_parking_sessions (end_epoch);
)sql";

// A PostgreSQL server when is_database_url(location) (store.h), else an SQLite file.
Result<std::unique_ptr<Database>> connect_database(const std::string& location);

Result<std::unique_ptr<Database>> open_sqlite(const std::string& path);
// The password of a PostgreSQL URL (user:password@ or ?password=), to keep it out of
// messages; empty when there is none.
std::string url_password(const std::string& url);
Result<std::unique_ptr<Database>> open_postgres(const std::string& url);
// The URL with the libpq timeouts vigie sets unless it does (src/cluster opens its own
// sessions with the same).
std::string with_connection_defaults(std::string url);

}  // namespace vigie::events
