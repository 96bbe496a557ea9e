#include "events/store.h"
#include "events/database.h"

#include <fmt/format.h>

#include <sodium.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <numeric>
#include <thread>

namespace vigie::events {
namespace {

std::string json_ids(const std::vector<int>& ids) { return nlohmann::json(ids).dump(); }

// When the situation began, in wall-clock seconds (an event says when it was raised).
double start_epoch_of(const rules::AlertEvent& e) { return e.epoch_s - (e.time_s - e.start_s); }

}  // namespace

bool is_database_url(const std::string& location) {
  return location.rfind("postgresql://", 0) == 0 || location.rfind("postgres://", 0) == 0;
}

namespace {

// Where the user:password part of a URL is: [begin, end) after the scheme, before the
// last '@' of the authority (a password may hold '@'). Empty when there is none.
std::pair<size_t, size_t> userinfo(const std::string& url) {
  const size_t begin = url.find("://") + 3;
  const size_t authority_end = std::min(url.find('/', begin), url.find('?', begin));
  const size_t at = url.rfind('@', authority_end == std::string::npos ? std::string::npos : authority_end);
  if (at == std::string::npos || at < begin) return {begin, begin};
  return {begin, at};
}

// The value of the query parameter `password=`, and where it is (npos when absent).
std::pair<size_t, size_t> password_parameter(const std::string& url) {
  for (const char* key : {"?password=", "&password="}) {
    const size_t at = url.find(key);
    if (at == std::string::npos) continue;
    const size_t begin = at + std::strlen(key);
    return {begin, std::min(url.find('&', begin), url.size())};
  }
  return {std::string::npos, std::string::npos};
}

}  // namespace

std::string url_password(const std::string& url) {
  if (!is_database_url(url)) return {};
  const auto [begin, end] = userinfo(url);
  const size_t colon = url.find(':', begin);
  if (colon != std::string::npos && colon < end) return url.substr(colon + 1, end - colon - 1);
  const auto [p, q] = password_parameter(url);
  return p == std::string::npos ? std::string() : url.substr(p, q - p);
}

std::string printable_location(const std::string& location) {
  if (!is_database_url(location)) return location;
  std::string out = location;
  if (const auto [p, q] = password_parameter(out); p != std::string::npos) out.replace(p, q - p, "***");
  const auto [begin, end] = userinfo(out);
  const size_t colon = out.find(':', begin);
  if (colon != std::string::npos && colon < end) out.erase(colon, end - colon);
  return out;
}

Result<std::unique_ptr<Store>> Store::open(const std::string& location, const std::string& audit_key_path,
                                           const std::string& audit_head_path) {
  if (sodium_init() < 0) return Error{"libsodium could not be initialised"};
  auto db = connect_database(location);
  if (!db) return db.error();
  // A server has no folder beside it for the key: the audit log needs one named (kept away
  // from the database's machine for the anchor to mean something); alerts do not.
  const std::string key =
      !audit_key_path.empty() ? audit_key_path : (*db)->is_server() ? "" : location + ".audit-key";
  // The signed head goes beside the SQLite file, or beside the key for a server.
  const std::string head = !audit_head_path.empty() ? audit_head_path
                           : (*db)->is_server()     ? (key.empty() ? "" : key + ".head")
                                                    : location + ".audit-head";
  std::unique_ptr<Store> store(new Store(std::move(*db), key, head));
  if (auto r = store->migrate(); !r) return r.error();
  return store;
}

Store::Store(std::unique_ptr<Database> db, std::string key_path, std::string head_path)
    : db_(std::move(db)), path_(db_->name()), key_path_(std::move(key_path)), head_path_(std::move(head_path)) {}

Store::~Store() = default;

bool Store::is_server() const { return db_->is_server(); }

bool Store::reachable() { return db_->reachable(); }

Result<Ok> Store::exec(const std::string& sql) const { return db_->exec(sql); }

Result<Ok> Store::audit_key_named() const {
  if (!key_path_.empty()) return Ok{};
  return Error{fmt::format("event store '{}': the audit log of a PostgreSQL store needs its key file named "
                           "(store.audit_key, or --audit-key)",
                           path_)};
}

Error Store::sql_error(const Query& q) const { return Error{fmt::format("event store '{}': {}", path_, q.error())}; }

int Store::schema_version() const {
  auto v = db_->schema_version();
  return v ? *v : -1;
}

Result<Ok> Store::migrate() {
  // A current schema needs no lock (readers open the store while the server writes).
  auto version = db_->schema_version();
  if (!version) return version.error();
  if (*version == kSchemaVersion) return Ok{};
  // Read again and upgraded under the migration lock: a second node starting at the
  // same time waits, then finds the schema current.
  if (auto r = db_->begin_migration(); !r) return r.error();
  if (auto r = migrate_locked(); !r) {
    exec("ROLLBACK");
    return r;
  }
  return exec("COMMIT");
}

Result<Ok> Store::migrate_locked() {
  auto version = db_->schema_version();
  if (!version) return version.error();
  if (*version > kSchemaVersion)
    return Error{fmt::format("event store '{}' has schema version {}, newer than this vigie ({}): upgrade vigie",
                             path_, *version, kSchemaVersion)};
  const auto& steps = db_->migrations();
  // All steps and the version bump commit together, or not at all.
  for (int v = *version; v < kSchemaVersion; ++v)
    if (auto r = exec(steps.at(v) + db_->set_schema_version_sql(v + 1)); !r)
      return Error{fmt::format("{} (migrating to schema {})", r.error().message, v + 1)};
  return Ok{};
}

Result<Ok> Store::record(const rules::AlertEvent& e) {
  std::unique_ptr<Query> s;
  switch (e.phase) {
    case rules::Phase::kStart: {
      auto cam = db_->query("INSERT INTO cameras (name, first_seen) VALUES (?1, ?2) ON CONFLICT (name) DO NOTHING");
      cam->bind(1, e.camera).bind(2, e.epoch_s);
      if (cam->step() == Step::kError) return sql_error(*cam);
      // A start retried after an error it did not see is no error (checked below).
      s = db_->query(
          "INSERT INTO alerts (id, camera, rule, rule_type, place, detail, track_ids, start_epoch, last_epoch, "
          "peak, box, stream_start_s, stream_raised_s, run_id, lat, lon) "
          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
          "CASE WHEN ?15 = 1 THEN CAST(?16 AS DOUBLE PRECISION) END, "
          "CASE WHEN ?15 = 1 THEN CAST(?17 AS DOUBLE PRECISION) END) ON CONFLICT (id) DO NOTHING");
      s->bind(1, e.alert_id).bind(2, e.camera).bind(3, e.rule).bind(4, e.rule_type).bind(5, e.where);
      s->bind(6, e.detail).bind(7, json_ids(e.track_ids)).bind(8, start_epoch_of(e)).bind(9, e.epoch_s);
      s->bind(10, e.peak).bind(11, nlohmann::json({e.box.x, e.box.y, e.box.w, e.box.h}).dump());
      s->bind(12, e.start_s).bind(13, e.time_s).bind(14, e.run_id).bind(15, e.position ? 1 : 0);
      s->bind(16, e.position ? e.position->lat : 0.0).bind(17, e.position ? e.position->lon : 0.0);
      break;
    }
    case rules::Phase::kUpdate:
      s = db_->query("UPDATE alerts SET track_ids = ?2, last_epoch = ?3, peak = ?4, box = ?5 WHERE id = ?1");
      s->bind(1, e.alert_id).bind(2, json_ids(e.track_ids)).bind(3, e.epoch_s).bind(4, e.peak);
      s->bind(5, nlohmann::json({e.box.x, e.box.y, e.box.w, e.box.h}).dump());
      break;
    case rules::Phase::kEnd:
      s = db_->query("UPDATE alerts SET track_ids = ?2, last_epoch = ?3, end_epoch = ?3, peak = ?4 WHERE id = ?1");
      s->bind(1, e.alert_id).bind(2, json_ids(e.track_ids)).bind(3, e.epoch_s).bind(4, e.peak);
      break;
  }
  if (s->step() != Step::kDone) return sql_error(*s);
  if (s->changes() > 0) {
    notify(e.alert_id, rules::phase_name(e.phase));
    return Ok{};
  }
  if (e.phase != rules::Phase::kStart)
    return Error{fmt::format("event store '{}': alert '{}' is not stored: its {} is lost", path_, e.alert_id,
                             rules::phase_name(e.phase))};
  auto same = db_->query("SELECT camera, rule, start_epoch FROM alerts WHERE id = ?1");
  same->bind(1, e.alert_id);
  if (same->step() == Step::kRow && same->text(0) == e.camera && same->text(1) == e.rule &&
      std::abs(same->real(2) - start_epoch_of(e)) < 1e-3)
    return Ok{};
  return Error{fmt::format("event store '{}': alert id '{}' is already stored for another alert ({} {})", path_,
                           e.alert_id, same->text(0), same->text(1))};
}

// Sets one media column of one alert; an alert that is not there is an error.
Result<Ok> Store::set_media(const char* column, const std::string& id, const std::string& path) {
  auto s = db_->query(fmt::format("UPDATE alerts SET {} = ?2 WHERE id = ?1", column));
  s->bind(1, id).bind(2, path);
  if (s->step() != Step::kDone) return sql_error(*s);
  if (s->changes() == 0)
    return Error{fmt::format("event store '{}': alert '{}' is not stored: media '{}' not linked", path_, id, path)};
  notify(id, "media");
  return Ok{};
}

void Store::notify(const std::string& alert_id, const std::string& what, const std::string& by) {
  if (!db_->is_server()) return;
  auto q = db_->query("SELECT pg_notify('" + std::string(kAlertChannel) + "', ?1)");
  nlohmann::json payload{{"id", alert_id}, {"what", what}};
  if (!by.empty()) payload["by"] = by;
  q->bind(1, payload.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  q->step();  // a lost notification costs a console's live push, never the alert
}

Result<Ok> Store::set_snapshot(const std::string& id, const std::string& path) {
  return set_media("snapshot_path", id, path);
}

Result<Ok> Store::set_clip(const std::string& id, const std::string& path) { return set_media("clip_path", id, path); }

Result<std::vector<AlertRow>> Store::alerts(const AlertFilter& f) const {
  // Where no stored text can hold a NUL, a filter with one matches nothing (the engine
  // would refuse the parameter).
  const auto nul = [](const std::string& t) { return t.find('\0') != std::string::npos; };
  if (!db_->text_holds_nul() && (nul(f.camera) || nul(f.rule) || nul(f.id) || nul(f.run_id)))
    return std::vector<AlertRow>{};
  auto s = db_->query(
      "SELECT id, camera, rule, rule_type, place, detail, track_ids, start_epoch, last_epoch, end_epoch, peak, "
      "snapshot_path, clip_path, box, stream_start_s, stream_raised_s, "
      "(SELECT action FROM operator_actions o WHERE o.alert_id = alerts.id ORDER BY o.id DESC LIMIT 1), run_id, "
      "lat, lon FROM alerts WHERE (?1 = '' OR camera = ?1) AND (?2 = '' OR rule = ?2) "
      "AND start_epoch >= ?3 AND (CAST(?5 AS DOUBLE PRECISION) = 0 OR start_epoch < CAST(?5 AS DOUBLE PRECISION)) "
      "AND (?6 = '' OR id = ?6) AND (?8 = '' OR run_id = ?8) ORDER BY start_epoch DESC, id LIMIT ?4 OFFSET ?7");
  s->bind(1, f.camera).bind(2, f.rule).bind(3, f.since_epoch).bind(4, f.limit).bind(5, f.before_epoch);
  s->bind(6, f.id).bind(7, f.offset).bind(8, f.run_id);
  std::vector<AlertRow> rows;
  Step step;
  while ((step = s->step()) == Step::kRow) {
    AlertRow r;
    r.id = s->text(0), r.camera = s->text(1), r.rule = s->text(2), r.rule_type = s->text(3), r.where = s->text(4);
    r.detail = s->text(5);
    r.track_ids = nlohmann::json::parse(s->text(6)).get<std::vector<int>>();
    r.start_epoch = s->real(7), r.last_epoch = s->real(8);
    if (!s->null(9)) r.end_epoch = s->real(9);
    r.peak = s->real(10), r.snapshot_path = s->text(11), r.clip_path = s->text(12);
    const auto box = nlohmann::json::parse(s->text(13));
    if (box.size() == 4) r.box = {box[0].get<float>(), box[1].get<float>(), box[2].get<float>(), box[3].get<float>()};
    r.stream_start_s = s->real(14), r.stream_raised_s = s->real(15);
    r.status = s->text(16);
    r.run_id = s->text(17);
    if (!s->null(18) && !s->null(19)) r.position = rules::GeoPosition{s->real(18), s->real(19)};
    rows.push_back(std::move(r));
  }
  if (step == Step::kError) return sql_error(*s);
  return rows;
}

RetentionPass Store::apply_retention(double now_epoch, double retention_days, const std::string& camera) {
  const double cutoff = now_epoch - retention_days * 86400.0;
  // Track summaries describe people's movements: they go with the same retention, each
  // thumbnail first; a track whose thumbnail could not be removed stays, to be tried again.
  if (auto r = expire_tracks(cutoff, camera); !r) return {0, r.error()};
  // Files first: a row whose file could not be removed stays, to be tried again. What the
  // tallies count of each alert (its month and latest decision) is read here too, so that
  // the transaction below begins with a write and takes the write lock at once (SQLite
  // cannot upgrade a read to a write while another connection writes).
  auto media = db_->query(
      "SELECT id, snapshot_path, clip_path, camera, rule, start_epoch, (SELECT action FROM operator_actions o WHERE "
      "o.alert_id = a.id ORDER BY o.id DESC LIMIT 1) FROM alerts a WHERE start_epoch < ?1 AND (?2 = '' OR camera = ?2)");
  media->bind(1, cutoff).bind(2, camera);
  std::vector<Expiring> gone;
  Step step;
  while ((step = media->step()) == Step::kRow) {
    bool removed = true;
    for (int col : {1, 2}) {
      const std::string p = media->text(col);
      std::error_code ec;
      if (p.empty() || p == kClipInRecording) continue;  // the recording's own retention deletes it
      if (std::filesystem::exists(p, ec) && !std::filesystem::remove(p, ec)) removed = false;
    }
    if (removed)
      gone.push_back({media->text(0), media->text(3), media->text(4), utc_month(media->real(5)),
                      alert_outcome(media->text(6))});
  }
  if (step == Step::kError) return {0, sql_error(*media)};
  std::vector<int> deleted(gone.size(), 0);  // 0: another process deleted it first
  const Batches run = in_batches(gone.size(), [&](size_t i) -> Result<Ok> {
    auto one = fold_into_tallies(gone[i]);
    if (!one) return one.error();
    deleted[i] = *one;
    return Ok{};
  });
  return {std::accumulate(deleted.begin(), deleted.begin() + static_cast<long>(run.committed), 0), run.error};
}

Store::Batches Store::in_batches(size_t n, const std::function<Result<Ok>(size_t)>& each) {
  Batches run;
  for (size_t begin = 0; begin < n; begin += kRetentionBatch) {
    const size_t end = std::min(n, begin + kRetentionBatch);
    if (auto r = exec("BEGIN"); !r) return run.error = r.error(), run;
    for (size_t i = begin; i < end; ++i)
      if (auto r = each(i); !r) {
        exec("ROLLBACK");
        return run.error = r.error(), run;
      }
    if (auto r = exec("COMMIT"); !r) {
      exec("ROLLBACK");  // else the open transaction would swallow the next writes
      return run.error = r.error(), run;
    }
    run.committed = end;
    if (end < n) pause_between_batches();
  }
  return run;
}

void Store::pause_between_batches() {
  // Longer than a waiting SQLite connection's look for the lock (sqlite_database.cc).
  std::this_thread::sleep_for(std::chrono::milliseconds(10));
}

Result<int> Store::fold_into_tallies(const Expiring& alert) {
  // Deleted, then counted, in the caller's transaction: another process deleting it
  // meanwhile makes the delete change nothing, and nothing is counted twice.
  auto del = db_->query("DELETE FROM alerts WHERE id = ?1");
  del->bind(1, alert.id);
  if (del->step() != Step::kDone) return sql_error(*del);
  if (del->changes() == 0) return 0;
  auto tally = db_->query(
      "INSERT INTO alert_tallies (month, camera, rule, outcome, alerts) VALUES (?1, ?2, ?3, ?4, 1) "
      "ON CONFLICT (month, camera, rule, outcome) DO UPDATE SET alerts = alert_tallies.alerts + 1");
  tally->bind(1, alert.month).bind(2, alert.camera).bind(3, alert.rule).bind(4, alert.outcome);
  if (tally->step() != Step::kDone) return sql_error(*tally);
  return 1;
}

}  // namespace vigie::events
