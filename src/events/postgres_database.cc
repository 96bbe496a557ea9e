// The event store's PostgreSQL connection (libpqxx 6.4), for several machines on one
// database. Each statement runs on its own (autocommit) unless the store opened a
// transaction with BEGIN; a committed row is on the server's disk (synchronous_commit is
// PostgreSQL's default) before the call returns.
//
// PostgreSQL text cannot hold a NUL byte and libpq would cut the parameter at the first
// one: a statement given such text fails, naming the reason, and stores nothing.
#include <fmt/format.h>

#include <cstdlib>
#include <pqxx/pqxx>

#include "events/database.h"

namespace vigie::events {
namespace {

// "?12" → "$12" outside quoted text: the store's SQL is written with SQLite's numbered
// placeholders.
std::string numbered_placeholders(const std::string& sql) {
  std::string out;
  out.reserve(sql.size());
  char quote = 0;
  for (size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    if (quote) {
      if (c == quote) quote = 0;
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '?' && i + 1 < sql.size() && std::isdigit(static_cast<unsigned char>(sql[i + 1]))) {
      out += '$';
      continue;
    }
    out += c;
  }
  return out;
}

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

// One libpq connection, made again when it was lost: libpqxx 6 reconnects by itself in
// some calls (exec) but not in others (exec_params), so this does it for all — except in
// the middle of a transaction: its statements must not go on, one by one, on a new
// session. They fail until the transaction's COMMIT or ROLLBACK (which says it was lost).
class Connection {
 public:
  explicit Connection(std::string url) : url_(std::move(url)) {}
  // The live connection, connecting first if need be; throws what libpqxx throws.
  pqxx::connection& get() {
    if (lost_transaction_) throw pqxx::broken_connection("the connection was lost in the middle of a transaction");
    if (conn_ && conn_->is_open()) return *conn_;
    conn_.reset();
    auto c = std::make_unique<pqxx::connection>(url_);
    // Doubles come back as text: all their digits, whatever the server's default (the
    // audit chain hashes times to the microsecond).
    pqxx::nontransaction(*c).exec("SET extra_float_digits = 3");
    conn_ = std::move(c);
    return *conn_;
  }
  void lost() {
    conn_.reset();
    lost_transaction_ = in_transaction_;
  }
  // What the store's statements do to the session's transaction (BEGIN, COMMIT, ROLLBACK).
  void began() { in_transaction_ = true; }
  // Returns false when the transaction was lost with its connection.
  bool ended() {
    const bool lost = lost_transaction_;
    in_transaction_ = lost_transaction_ = false;
    return !lost;
  }
  bool in_transaction() const { return in_transaction_; }

 private:
  std::string url_;
  std::unique_ptr<pqxx::connection> conn_;
  bool in_transaction_ = false, lost_transaction_ = false;
};

class PostgresQuery final : public Query {
 public:
  PostgresQuery(Connection& c, const std::string& sql) : conn_(c), sql_(numbered_placeholders(sql)) {}
  Query& bind(int i, const std::string& v) override {
    if (v.find('\0') != std::string::npos) error_ = "PostgreSQL text cannot hold a NUL byte (parameter " +
                                                     std::to_string(i) + ")";
    return set(i, v);
  }
  Query& bind(int i, double v) override { return set(i, fmt::format("{}", v)); }
  Query& bind(int i, int64_t v) override { return set(i, std::to_string(v)); }
  using Query::bind;

  Step step() override {
    if (!ran_) {
      ran_ = true;
      if (!error_.empty()) return Step::kError;
      try {
        run();
      } catch (const pqxx::broken_connection& e) {
        conn_.lost();
        // A read outside a transaction is tried once more on a new session: the first
        // statement after a server restart finds the old one gone.
        if (!read_only() || conn_.in_transaction() || !retry()) {
          error_ = first_line(e.what());
          return Step::kError;
        }
      } catch (const pqxx::unique_violation& e) {
        unique_ = true;
        error_ = first_line(e.what());
        return Step::kError;
      } catch (const std::exception& e) {
        error_ = first_line(e.what());
        return Step::kError;
      }
      row_ = -1;
    }
    if (!error_.empty()) return Step::kError;
    return ++row_ < static_cast<long>(result_.size()) ? Step::kRow : Step::kDone;
  }
  std::string text(int col) const override {
    const auto f = result_[row_][col];
    return f.is_null() ? std::string() : std::string(f.c_str(), f.size());
  }
  double real(int col) const override { return std::strtod(result_[row_][col].c_str(), nullptr); }
  int64_t integer(int col) const override { return std::strtoll(result_[row_][col].c_str(), nullptr, 10); }
  bool null(int col) const override { return result_[row_][col].is_null(); }
  int64_t changes() const override { return static_cast<int64_t>(result_.affected_rows()); }
  void run() {
    pqxx::nontransaction tx(conn_.get());
    result_ = tx.exec_params(sql_, pqxx::prepare::make_dynamic_params(params_));
  }
  bool read_only() const { return sql_.rfind("SELECT", 0) == 0 && sql_.find("pg_notify") == std::string::npos; }
  bool retry() {
    try {
      run();
      return true;
    } catch (const pqxx::broken_connection&) {
      conn_.lost();
      return false;
    } catch (const std::exception&) {  // any other failure of the second try: the first's error stands
      return false;
    }
  }
  bool unique_violation() const override { return unique_; }
  std::string error() const override { return error_; }

 private:
  Query& set(int i, std::string v) {
    if (i < 1) return *this;
    if (params_.size() < static_cast<size_t>(i)) params_.resize(i);
    params_[i - 1] = std::move(v);
    return *this;
  }

  Connection& conn_;
  std::string sql_;
  std::vector<std::string> params_;
  pqxx::result result_;
  long row_ = -1;
  bool ran_ = false, unique_ = false;
  std::string error_;
};

// The same schema as SQLite's at each version, in PostgreSQL's types (DOUBLE PRECISION:
// REAL is 4 bytes here, too coarse for epoch seconds). PostgreSQL stores begin at
// schema 4, so steps 1 to 3 have nothing to do.
const std::vector<std::string> kMigrations = {
    "",
    "",
    "",
    R"sql(
CREATE TABLE cameras (
  name TEXT PRIMARY KEY,
  first_seen DOUBLE PRECISION NOT NULL
);
CREATE TABLE alerts (
  id TEXT PRIMARY KEY,
  camera TEXT NOT NULL,
  rule TEXT NOT NULL,
  rule_type TEXT NOT NULL,
  place TEXT NOT NULL DEFAULT '',
  detail TEXT NOT NULL DEFAULT '',
  track_ids TEXT NOT NULL DEFAULT '[]',
  start_epoch DOUBLE PRECISION NOT NULL,
  last_epoch DOUBLE PRECISION NOT NULL,
  end_epoch DOUBLE PRECISION,
  peak DOUBLE PRECISION NOT NULL DEFAULT 0,
  box TEXT NOT NULL DEFAULT '[]',
  snapshot_path TEXT NOT NULL DEFAULT '',
  clip_path TEXT NOT NULL DEFAULT '',
  stream_start_s DOUBLE PRECISION NOT NULL DEFAULT 0,
  stream_raised_s DOUBLE PRECISION NOT NULL DEFAULT 0,
  run_id TEXT NOT NULL DEFAULT ''
);
CREATE INDEX alerts_by_time ON alerts (start_epoch);
CREATE INDEX alerts_by_camera_rule ON alerts (camera, rule, start_epoch);
CREATE TABLE tracks (
  camera TEXT NOT NULL,
  run_id TEXT NOT NULL DEFAULT '',
  track_id INTEGER NOT NULL,
  label TEXT NOT NULL,
  first_epoch DOUBLE PRECISION NOT NULL,
  last_epoch DOUBLE PRECISION NOT NULL,
  path TEXT NOT NULL DEFAULT '[]',
  PRIMARY KEY (camera, run_id, track_id, first_epoch)
);
CREATE INDEX tracks_by_time ON tracks (last_epoch);
CREATE TABLE operator_actions (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  alert_id TEXT NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
  action TEXT NOT NULL,
  note TEXT NOT NULL DEFAULT '',
  "user" TEXT NOT NULL,
  at_epoch DOUBLE PRECISION NOT NULL
);
CREATE TABLE audit_log (
  id BIGINT PRIMARY KEY,
  at_epoch DOUBLE PRECISION NOT NULL,
  "user" TEXT NOT NULL,
  action TEXT NOT NULL,
  detail TEXT NOT NULL DEFAULT '',
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL,
  mac TEXT NOT NULL DEFAULT ''
);
CREATE TABLE users (
  name TEXT PRIMARY KEY,
  role TEXT NOT NULL CHECK (role IN ('operator', 'supervisor', 'auditor', 'admin')),
  password_hash TEXT NOT NULL,
  created_epoch DOUBLE PRECISION NOT NULL
);
)sql",
    // 5: sessions (as SQLite's), and what several machines share: the workers alive and
    // the camera leases (src/cluster/leases.h) — lock_id is the advisory lock's number.
    R"sql(
CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  "user" TEXT NOT NULL,
  role TEXT NOT NULL,
  expires_epoch DOUBLE PRECISION NOT NULL
);
CREATE TABLE cluster_nodes (
  name TEXT PRIMARY KEY,
  role TEXT NOT NULL,
  url TEXT NOT NULL DEFAULT '',
  backend_pid INTEGER NOT NULL DEFAULT 0,
  beat_epoch DOUBLE PRECISION NOT NULL
);
CREATE TABLE camera_leases (
  camera TEXT PRIMARY KEY,
  lock_id BIGSERIAL UNIQUE,
  worker TEXT NOT NULL DEFAULT '',
  backend_pid INTEGER NOT NULL DEFAULT 0,
  view_url TEXT NOT NULL DEFAULT '',
  beat_epoch DOUBLE PRECISION NOT NULL DEFAULT 0,
  status TEXT NOT NULL DEFAULT '{}'
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
  first_epoch DOUBLE PRECISION NOT NULL,
  region TEXT NOT NULL,
  colour TEXT NOT NULL,
  share DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (camera, run_id, track_id, first_epoch, region, colour),
  FOREIGN KEY (camera, run_id, track_id, first_epoch)
    REFERENCES tracks (camera, run_id, track_id, first_epoch) ON DELETE CASCADE
);
CREATE INDEX track_colours_by_colour ON track_colours (colour, region, first_epoch);
CREATE INDEX tracks_by_first ON tracks (first_epoch);
CREATE INDEX tracks_by_camera_first ON tracks (camera, first_epoch) INCLUDE (last_epoch, run_id, track_id, label);
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
  first_epoch DOUBLE PRECISION NOT NULL,
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  direction TEXT NOT NULL,
  at_epoch DOUBLE PRECISION NOT NULL,
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
    std::string(kSchema13) + R"sql(
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check
  CHECK (role IN ('operator', 'supervisor', 'auditor', 'admin', 'parking_meter'));
)sql",
};

class PostgresDatabase final : public Database {
 public:
  PostgresDatabase(const std::string& url, std::string name) : conn_(url), name_(std::move(name)) {
    conn_.get();  // connect now: a wrong URL is an error at open
  }

  Result<Ok> exec(const std::string& sql) override {
    const bool ends = sql.rfind("COMMIT", 0) == 0 || sql.rfind("ROLLBACK", 0) == 0;
    if (ends && !conn_.ended()) {
      // Nothing of the transaction reached the server (or it was rolled back there).
      if (sql.rfind("COMMIT", 0) == 0)
        return Error{fmt::format("event store '{}': the connection was lost before COMMIT: nothing was written", name_)};
      return Ok{};
    }
    try {
      pqxx::nontransaction tx(conn_.get());
      tx.exec(sql);
      if (sql.rfind("BEGIN", 0) == 0) conn_.began();
      return Ok{};
    } catch (const std::exception& e) {
      if (dynamic_cast<const pqxx::broken_connection*>(&e)) conn_.lost();
      return Error{fmt::format("event store '{}': {}", name_, first_line(e.what()))};
    }
  }
  std::unique_ptr<Query> query(const std::string& sql) override {
    return std::make_unique<PostgresQuery>(conn_, sql);
  }
  // The lock conflicts with itself only: readers go on, a second appender waits. A lock
  // that fails (a lock or statement timeout) must not leave the session in an aborted
  // transaction, where every later statement would fail.
  Result<Ok> begin_exclusive() override {
    auto r = exec("BEGIN; LOCK TABLE audit_log IN SHARE ROW EXCLUSIVE MODE");
    if (!r) exec("ROLLBACK");
    return r;
  }
  // A transaction-scoped advisory lock: released by COMMIT or ROLLBACK, or when the
  // session dies.
  Result<Ok> begin_migration() override {
    auto r = exec("BEGIN; SELECT pg_advisory_xact_lock(7236, 1)");
    if (!r) exec("ROLLBACK");
    return r;
  }
  const std::vector<std::string>& migrations() const override { return kMigrations; }
  Result<int> schema_version() override {
    auto exists = query("SELECT to_regclass('vigie_schema') IS NOT NULL");
    if (exists->step() != Step::kRow) return Error{fmt::format("event store '{}': {}", name_, exists->error())};
    if (exists->text(0) != "t") return 0;
    auto q = query("SELECT version FROM vigie_schema");
    const Step s = q->step();
    if (s == Step::kError) return Error{fmt::format("event store '{}': {}", name_, q->error())};
    return s == Step::kRow ? static_cast<int>(q->integer(0)) : 0;
  }
  std::string set_schema_version_sql(int version) const override {
    return fmt::format(
        "CREATE TABLE IF NOT EXISTS vigie_schema (version INTEGER NOT NULL); DELETE FROM vigie_schema; "
        "INSERT INTO vigie_schema (version) VALUES ({});",
        version);
  }
  const std::string& name() const override { return name_; }
  bool is_server() const override { return true; }
  bool text_holds_nul() const override { return false; }
  // Away means the connection cannot be made. A session the server answers but that is
  // stuck in an aborted transaction is rolled back: it is there, and usable again.
  bool reachable() override {
    try {
      pqxx::nontransaction(conn_.get()).exec("SELECT 1");
      return true;
    } catch (const pqxx::broken_connection&) {
      conn_.lost();
      return false;
    } catch (const std::exception&) {
      exec("ROLLBACK");
      return true;
    }
  }

 private:
  Connection conn_;
  std::string name_;
};

// libpq parameters vigie sets unless the URL does: a server that does not answer is
// "away" within seconds, not after TCP's ~15 minutes, so a camera thread never waits long.
const char* const kDefaults[] = {"connect_timeout=5", "keepalives_idle=10", "keepalives_interval=5",
                                 "keepalives_count=3", "tcp_user_timeout=20000"};

}  // namespace

std::string with_connection_defaults(std::string url) {
  for (const char* d : kDefaults) {
    const std::string key = std::string(d).substr(0, std::string(d).find('=') + 1);
    const auto q = url.find('?');
    if (q != std::string::npos && (url.find("?" + key) != std::string::npos || url.find("&" + key) != std::string::npos))
      continue;
    url += (q == std::string::npos ? "?" : "&") + std::string(d);
  }
  return url;
}

Result<std::unique_ptr<Database>> open_postgres(const std::string& url) {
  const std::string name = printable_location(url);
  try {
    return std::unique_ptr<Database>(std::make_unique<PostgresDatabase>(with_connection_defaults(url), name));
  } catch (const std::exception& e) {
    std::string why = e.what();
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    // libpq's hint comes on a line of its own: one line, as every vigie error.
    for (size_t at; (at = why.find("\n\t")) != std::string::npos;) why.replace(at, 2, " ");
    for (size_t at; (at = why.find('\n')) != std::string::npos;) why.replace(at, 1, " ");
    // libpq quotes the parts of a URL it cannot read, the password too.
    if (const std::string pw = url_password(url); !pw.empty())
      for (size_t at; (at = why.find(pw)) != std::string::npos;) why.replace(at, pw.size(), "***");
    return Error{fmt::format("cannot open event store '{}': {}", name, why)};
  }
}

}  // namespace vigie::events
