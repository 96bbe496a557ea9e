// Track summaries: stored with their attributes, and searched by them.
#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <functional>
#include <tuple>
#include <nlohmann/json.hpp>

#include "events/database.h"
#include "events/store.h"
#include "events/track_search.h"

namespace vigie::events {
namespace {

// Regions as stored in track_colours.region.
constexpr const char* kUpper = "upper";
constexpr const char* kLower = "lower";
constexpr const char* kBody = "body";
// Kinds as stored in track_passages.kind.
constexpr const char* kZone = "zone";
constexpr const char* kLine = "line";

// The columns track_of() reads, in its order.
constexpr const char* kColumns =
    "t.camera, t.run_id, t.track_id, t.label, t.first_epoch, t.last_epoch, t.path, t.attributes, t.thumbnail_path";

TrackRow track_of(const Query& s) {
  TrackRow t;
  t.camera = s.text(0), t.run_id = s.text(1), t.track_id = static_cast<int>(s.integer(2));
  t.label = s.text(3), t.first_epoch = s.real(4), t.last_epoch = s.real(5);
  t.path = path_from_json(nlohmann::json::parse(s.text(6), nullptr, false));
  read_track_attributes(nlohmann::json::parse(s.text(7), nullptr, false), t);
  t.thumbnail_path = s.text(8);
  return t;
}

}  // namespace

Result<Ok> Store::record_track(const TrackRow& t) {
  if (auto r = exec("BEGIN"); !r) return r.error();
  auto fail = [&](Error e) -> Result<Ok> {
    exec("ROLLBACK");
    return e;
  };
  // The row's nine values, as ?1 (camera) … ?9 (thumbnail) of both the insert and the update.
  const std::string path = path_to_json(t.path).dump(), attributes = track_attributes_json(t).dump();
  auto bind_row = [&](Query& q) {
    q.bind(1, t.camera).bind(2, t.run_id).bind(3, t.track_id).bind(4, t.first_epoch).bind(5, t.label);
    q.bind(6, t.last_epoch).bind(7, path).bind(8, attributes).bind(9, t.thumbnail_path);
  };
  auto s = db_->query(
      "INSERT INTO tracks (camera, run_id, track_id, first_epoch, label, last_epoch, path, attributes, thumbnail_path) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT (camera, run_id, track_id, first_epoch) DO NOTHING");
  bind_row(*s);
  if (s->step() != Step::kDone) return fail(sql_error(*s));
  if (s->changes() == 0) {
    // Stored before: a snapshot of the track while it lived, or this very write again.
    auto stored = db_->query(
        "SELECT last_epoch FROM tracks WHERE camera = ?1 AND run_id = ?2 AND track_id = ?3 AND first_epoch = ?4");
    stored->bind(1, t.camera).bind(2, t.run_id).bind(3, t.track_id).bind(4, t.first_epoch);
    if (stored->step() != Step::kRow) return fail(sql_error(*stored));
    if (t.last_epoch <= stored->real(0) + 1e-3) {  // a retry, or older than what is stored: that stays
      exec("ROLLBACK");
      return Ok{};
    }
    auto update = db_->query(
        "UPDATE tracks SET label = ?5, last_epoch = ?6, path = ?7, attributes = ?8, thumbnail_path = CASE WHEN ?9 = '' "
        "THEN thumbnail_path ELSE ?9 END WHERE camera = ?1 AND run_id = ?2 AND track_id = ?3 AND first_epoch = ?4");
    bind_row(*update);
    if (update->step() != Step::kDone) return fail(sql_error(*update));
    for (const char* table : {"track_colours", "track_passages"}) {
      auto old = db_->query(fmt::format(
          "DELETE FROM {} WHERE camera = ?1 AND run_id = ?2 AND track_id = ?3 AND first_epoch = ?4", table));
      old->bind(1, t.camera).bind(2, t.run_id).bind(3, t.track_id).bind(4, t.first_epoch);
      if (old->step() != Step::kDone) return fail(sql_error(*old));
    }
  }
  for (const auto& [region, names] : {std::pair{kUpper, &t.upper}, {kLower, &t.lower}, {kBody, &t.colour}})
    for (const auto& n : *names) {
      auto c = db_->query(
          "INSERT INTO track_colours (camera, run_id, track_id, first_epoch, region, colour, share) "
          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT DO NOTHING");
      c->bind(1, t.camera).bind(2, t.run_id).bind(3, t.track_id).bind(4, t.first_epoch);
      c->bind(5, std::string(region)).bind(6, n.name).bind(7, static_cast<double>(n.share));
      if (c->step() != Step::kDone) return fail(sql_error(*c));
    }
  for (const auto& [kind, passages] : {std::pair{kZone, &t.zones}, {kLine, &t.crossed}})
    for (const auto& p : *passages) {
      auto c = db_->query(
          "INSERT INTO track_passages (camera, run_id, track_id, first_epoch, kind, name, direction, at_epoch) "
          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT DO NOTHING");
      c->bind(1, t.camera).bind(2, t.run_id).bind(3, t.track_id).bind(4, t.first_epoch);
      c->bind(5, std::string(kind)).bind(6, p.name).bind(7, p.direction).bind(8, p.at_epoch);
      if (c->step() != Step::kDone) return fail(sql_error(*c));
    }
  if (auto r = exec("COMMIT"); !r) return fail(r.error());
  return Ok{};
}

Result<Ok> Store::expire_tracks(double cutoff, const std::string& camera) {
  auto thumbs = db_->query(
      "SELECT camera, run_id, track_id, first_epoch, thumbnail_path FROM tracks WHERE last_epoch < ?1 AND (?2 = '' OR "
      "camera = ?2) AND thumbnail_path <> ''");
  thumbs->bind(1, cutoff).bind(2, camera);
  struct Key {
    std::string camera, run_id;
    int64_t id;
    double first;
  };
  std::vector<Key> gone;
  Step step;
  while ((step = thumbs->step()) == Step::kRow) {
    std::error_code ec;
    const std::string path = thumbs->text(4);
    if (std::filesystem::exists(path, ec) && !std::filesystem::remove(path, ec)) continue;
    gone.push_back({thumbs->text(0), thumbs->text(1), thumbs->integer(2), thumbs->real(3)});
  }
  if (step == Step::kError) return sql_error(*thumbs);
  const Batches run = in_batches(gone.size(), [&](size_t i) -> Result<Ok> {
    // (Unless a snapshot of a track still followed moved its end past the cutoff meanwhile.)
    const Key& k = gone[i];
    auto del = db_->query(
        "DELETE FROM tracks WHERE camera = ?1 AND run_id = ?2 AND track_id = ?3 AND first_epoch = ?4 AND last_epoch < "
        "?5");
    del->bind(1, k.camera).bind(2, k.run_id).bind(3, k.id).bind(4, k.first).bind(5, cutoff);
    if (del->step() != Step::kDone) return sql_error(*del);
    return Ok{};
  });
  if (run.error) return *run.error;
  // The tracks without a thumbnail, a batch per statement (each its own transaction).
  for (;;) {
    auto rest = db_->query(
        "DELETE FROM tracks WHERE (camera, run_id, track_id, first_epoch) IN (SELECT camera, run_id, track_id, "
        "first_epoch FROM tracks WHERE last_epoch < ?1 AND (?2 = '' OR camera = ?2) AND thumbnail_path = '' LIMIT ?3) "
        "AND last_epoch < ?1 AND thumbnail_path = ''");  // again: PostgreSQL does not recheck the subquery's rows
    rest->bind(1, cutoff).bind(2, camera).bind(3, static_cast<int64_t>(kRetentionBatch));
    if (rest->step() != Step::kDone) return sql_error(*rest);
    if (rest->changes() < static_cast<int64_t>(kRetentionBatch)) return Ok{};
    pause_between_batches();
  }
}

Result<int> Store::track_count(const std::string& camera) const {
  auto s = db_->query("SELECT COUNT(*) FROM tracks WHERE camera = ?1");
  s->bind(1, camera);
  if (s->step() != Step::kRow) return sql_error(*s);
  return static_cast<int>(s->integer(0));
}

Result<std::vector<TrackRow>> Store::search_tracks(const TrackFilter& f) const {
  // Only the conditions asked for are in the statement, so that the planner sees what it
  // can use an index for (a "?N = '' OR …" condition hides it). Values are bound, never
  // spliced in.
  std::vector<std::string> where;
  std::vector<std::function<void(Query&, int)>> binds;
  auto param = [&](auto value) {
    binds.push_back([value](Query& q, int i) { q.bind(i, value); });
    return fmt::format("?{}", binds.size());
  };
  if (!f.label.empty()) where.push_back("k.label = " + param(f.label));
  if (f.from_epoch > 0) {
    where.push_back("k.last_epoch >= " + param(f.from_epoch));
    // A track seen after `from` began at most the longest track's span before it: a bound
    // the (camera, first_epoch) index can use.
    const auto span = longest_track_span();
    if (!span) return span.error();
    where.push_back("k.first_epoch >= " + param(f.from_epoch - *span - 1));
  }
  if (f.to_epoch > 0) where.push_back("k.first_epoch <= " + param(f.to_epoch));
  if (f.min_dwell_s > 0) where.push_back("k.last_epoch - k.first_epoch >= " + param(f.min_dwell_s));
  // A colour condition is a lookup in track_colours by its primary key.
  for (auto [value, region] : {std::pair{&f.upper, kUpper}, {&f.lower, kLower}, {&f.colour, static_cast<const char*>(nullptr)}}) {
    if (value->empty()) continue;
    where.push_back(fmt::format(
        "EXISTS (SELECT 1 FROM track_colours c WHERE c.camera = k.camera AND c.run_id = k.run_id AND c.track_id = "
        "k.track_id AND c.first_epoch = k.first_epoch{} AND c.colour = {})",
        region ? fmt::format(" AND c.region = '{}'", region) : "", param(*value)));
  }
  // A passage condition is a lookup in track_passages by its primary key.
  for (auto [kind, name, direction] : {std::tuple{kZone, &f.zone, std::string()}, {kLine, &f.line, f.direction}}) {
    if (name->empty()) continue;
    where.push_back(fmt::format(
        "EXISTS (SELECT 1 FROM track_passages p WHERE p.camera = k.camera AND p.run_id = k.run_id AND p.track_id = "
        "k.track_id AND p.first_epoch = k.first_epoch AND p.kind = '{}' AND p.name = {}{})",
        kind, param(*name), direction.empty() ? "" : " AND p.direction = " + param(direction)));
  }
  if (!f.run_id.empty()) where.push_back("k.run_id = " + param(f.run_id));
  if (f.track_id > 0) where.push_back("k.track_id = " + param(static_cast<int64_t>(f.track_id)));
  if (!f.cameras.empty()) {
    std::string in;
    for (const auto& camera : f.cameras) in += (in.empty() ? "" : ", ") + param(camera);
    where.push_back("k.camera IN (" + in + ")");
  }
  // The matching keys first, from the covering (camera, first_epoch, …) index where a
  // camera is asked for; then only those rows are read.
  std::string keys = "SELECT k.camera, k.run_id, k.track_id, k.first_epoch FROM tracks k";
  for (size_t i = 0; i < where.size(); ++i) keys += (i ? " AND " : " WHERE ") + where[i];
  keys += " ORDER BY k.first_epoch DESC, k.camera, k.track_id LIMIT " + param(static_cast<int64_t>(f.limit));
  std::string columns = kColumns;
  if (!f.with_paths) columns.replace(columns.find("t.path"), 6, "'[]'");
  const std::string sql = "SELECT " + columns + " FROM tracks t JOIN (" + keys +
                          ") s ON s.camera = t.camera AND s.run_id = t.run_id AND s.track_id = t.track_id AND "
                          "s.first_epoch = t.first_epoch ORDER BY t.first_epoch DESC, t.camera, t.track_id";
  auto s = db_->query(sql);
  for (size_t i = 0; i < binds.size(); ++i) binds[i](*s, static_cast<int>(i + 1));
  std::vector<TrackRow> rows;
  Step step;
  while ((step = s->step()) == Step::kRow) rows.push_back(track_of(*s));
  if (step == Step::kError) return sql_error(*s);
  return rows;
}

Result<bool> Store::passage_named(bool zone, const std::string& name) const {
  auto s = db_->query("SELECT 1 FROM track_passages WHERE kind = ?1 AND name = ?2 LIMIT 1");
  s->bind(1, std::string(zone ? kZone : kLine)).bind(2, name);
  const Step step = s->step();
  if (step == Step::kError) return sql_error(*s);
  return step == Step::kRow;
}

Result<double> Store::longest_track_span() const {
  // The span index answers in one step.
  auto longest = db_->query("SELECT MAX(last_epoch - first_epoch) FROM tracks");
  if (longest->step() != Step::kRow) return sql_error(*longest);
  return longest->null(0) ? 0.0 : longest->real(0);  // NULL: no track yet
}

Result<std::optional<TrackRow>> Store::track(const std::string& camera, const std::string& run_id, int track_id,
                                             std::optional<double> first_epoch) const {
  auto s = db_->query("SELECT " + std::string(kColumns) +
                      " FROM tracks t WHERE t.camera = ?1 AND t.run_id = ?2 AND t.track_id = ?3" +
                      (first_epoch ? " AND t.first_epoch = ?4" : "") + " ORDER BY t.first_epoch DESC LIMIT 1");
  s->bind(1, camera).bind(2, run_id).bind(3, track_id);
  if (first_epoch) s->bind(4, *first_epoch);
  const Step step = s->step();
  if (step == Step::kError) return sql_error(*s);
  if (step == Step::kDone) return std::optional<TrackRow>{};
  return std::optional<TrackRow>{track_of(*s)};
}

}  // namespace vigie::events
