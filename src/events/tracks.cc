// Track summaries: stored with their attributes, and searched by them.
#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <functional>
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

std::vector<NamedShare> names_from(const nlohmann::json& j, const char* key) {
  std::vector<NamedShare> out;
  if (!j.contains(key) || !j[key].is_array()) return out;
  for (const auto& n : j[key])
    if (n.is_array() && n.size() == 2 && n[0].is_string() && n[1].is_number())
      out.push_back({n[0].get<std::string>(), n[1].get<float>()});
  return out;
}

std::string attributes_json(const TrackRow& t) {
  return nlohmann::json{{"upper", names_to_json(t.upper)},   {"lower", names_to_json(t.lower)},
                        {"colour", names_to_json(t.colour)}, {"speed", t.speed},
                        {"speed_unit", t.speed_unit},     {"heading_deg", t.heading_deg},
                        {"appearance", t.appearance},     {"frame", {t.frame_width, t.frame_height}}}
      .dump();
}

void read_attributes(TrackRow& t, const std::string& text) {
  const auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object()) return;  // rows from before schema 6 hold '{}'
  t.upper = names_from(j, "upper"), t.lower = names_from(j, "lower"), t.colour = names_from(j, "colour");
  if (j.contains("speed") && j["speed"].is_number()) t.speed = j["speed"].get<double>();
  if (j.contains("speed_unit") && j["speed_unit"].is_string()) t.speed_unit = j["speed_unit"].get<std::string>();
  if (j.contains("heading_deg") && j["heading_deg"].is_number()) t.heading_deg = j["heading_deg"].get<double>();
  if (j.contains("frame") && j["frame"].is_array() && j["frame"].size() == 2 && j["frame"][0].is_number_integer() &&
      j["frame"][1].is_number_integer())
    t.frame_width = j["frame"][0].get<int>(), t.frame_height = j["frame"][1].get<int>();
  if (t.frame_width <= 0 || t.frame_height <= 0 || t.frame_width > 16384 || t.frame_height > 16384)
    t.frame_width = t.frame_height = 0;  // not a frame a camera gives
  if (j.contains("appearance") && j["appearance"].is_array())
    for (const auto& v : j["appearance"])
      if (v.is_number()) t.appearance.push_back(v.get<float>());
}

// The columns track_of() reads, in its order.
constexpr const char* kColumns =
    "t.camera, t.run_id, t.track_id, t.label, t.first_epoch, t.last_epoch, t.path, t.attributes, t.thumbnail_path";

TrackRow track_of(const Query& s) {
  TrackRow t;
  t.camera = s.text(0), t.run_id = s.text(1), t.track_id = static_cast<int>(s.integer(2));
  t.label = s.text(3), t.first_epoch = s.real(4), t.last_epoch = s.real(5);
  const auto path = nlohmann::json::parse(s.text(6), nullptr, false);
  if (path.is_array())
    for (const auto& p : path)
      if (p.is_array() && p.size() == 2 && p[0].is_number() && p[1].is_number())
        t.path.emplace_back(p[0].get<float>(), p[1].get<float>());
  read_attributes(t, s.text(7));
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
  auto s = db_->query(
      "INSERT INTO tracks (camera, run_id, track_id, label, first_epoch, last_epoch, path, attributes, thumbnail_path) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT (camera, run_id, track_id, first_epoch) DO NOTHING");
  s->bind(1, t.camera).bind(2, t.run_id).bind(3, t.track_id).bind(4, t.label).bind(5, t.first_epoch);
  s->bind(6, t.last_epoch).bind(7, path_to_json(t.path).dump()).bind(8, attributes_json(t)).bind(9, t.thumbnail_path);
  if (s->step() != Step::kDone) return fail(sql_error(*s));
  if (s->changes() == 0) {
    exec("ROLLBACK");
    auto same = db_->query(
        "SELECT last_epoch FROM tracks WHERE camera = ?1 AND run_id = ?2 AND track_id = ?3 AND first_epoch = ?4");
    same->bind(1, t.camera).bind(2, t.run_id).bind(3, t.track_id).bind(4, t.first_epoch);
    if (same->step() == Step::kRow && std::abs(same->real(0) - t.last_epoch) < 1e-3) return Ok{};
    return Error{fmt::format("event store '{}': track {} of run '{}' on camera '{}' is already stored", path_,
                             t.track_id, t.run_id, t.camera)};
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
  if (auto r = exec("BEGIN"); !r) return r.error();
  for (const auto& k : gone) {
    auto del = db_->query("DELETE FROM tracks WHERE camera = ?1 AND run_id = ?2 AND track_id = ?3 AND first_epoch = ?4");
    del->bind(1, k.camera).bind(2, k.run_id).bind(3, k.id).bind(4, k.first);
    if (del->step() != Step::kDone) {
      exec("ROLLBACK");
      return sql_error(*del);
    }
  }
  auto rest = db_->query("DELETE FROM tracks WHERE last_epoch < ?1 AND (?2 = '' OR camera = ?2) AND thumbnail_path = ''");
  rest->bind(1, cutoff).bind(2, camera);
  if (rest->step() != Step::kDone) {
    exec("ROLLBACK");
    return sql_error(*rest);
  }
  if (auto r = exec("COMMIT"); !r) {
    exec("ROLLBACK");
    return r.error();
  }
  return Ok{};
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
    // the (camera, first_epoch) index can use, found by the span index in one step.
    auto longest = db_->query("SELECT MAX(last_epoch - first_epoch) FROM tracks");
    if (longest->step() != Step::kRow) return sql_error(*longest);
    const double span = longest->null(0) ? 0 : longest->real(0);  // NULL: no track yet
    where.push_back("k.first_epoch >= " + param(f.from_epoch - span - 1));
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
  const std::string sql = "SELECT " + std::string(kColumns) + " FROM tracks t JOIN (" + keys +
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

Result<std::optional<TrackRow>> Store::track(const std::string& camera, const std::string& run_id, int track_id) const {
  auto s = db_->query("SELECT " + std::string(kColumns) +
                      " FROM tracks t WHERE t.camera = ?1 AND t.run_id = ?2 AND t.track_id = ?3 "
                      "ORDER BY t.first_epoch DESC LIMIT 1");
  s->bind(1, camera).bind(2, run_id).bind(3, track_id);
  const Step step = s->step();
  if (step == Step::kError) return sql_error(*s);
  if (step == Step::kDone) return std::optional<TrackRow>{};
  return std::optional<TrackRow>{track_of(*s)};
}

}  // namespace vigie::events
