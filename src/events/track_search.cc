#include "events/track_search.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <variant>

#include "describe/colours.h"
#include "describe/heatmap.h"
#include "rules/passages.h"
#include "track/appearance.h"

namespace vigie::events {
namespace {

Result<Ok> normalise_colour(std::string& value, const char* field) {
  if (value.empty()) return Ok{};
  const auto c = describe::parse_colour(value);
  if (!c) return Error{fmt::format("{} '{}' is not a colour name ({})", field, value, describe::colour_names_list())};
  value = std::string(describe::colour_name(*c));
  return Ok{};
}

nlohmann::json names(const std::vector<NamedShare>& v) {
  nlohmann::json j = nlohmann::json::array();
  for (const auto& n : v) j.push_back(n.name);
  return j;
}

nlohmann::json shares(const std::vector<NamedShare>& v) {
  nlohmann::json j = nlohmann::json::array();
  for (const auto& n : v) j.push_back(n.share);
  return j;
}

// Colour names with their shares as [[name, share], …].
nlohmann::json names_to_json(const std::vector<NamedShare>& names) {
  nlohmann::json j = nlohmann::json::array();
  for (const auto& n : names) j.push_back({n.name, n.share});
  return j;
}

// A number a float holds (get<float>() of 1e300 is undefined behaviour); empty if not.
std::optional<float> single(const nlohmann::json& j) {
  if (!j.is_number()) return std::nullopt;
  const double v = j.get<double>();
  if (!std::isfinite(v) || std::abs(v) > std::numeric_limits<float>::max()) return std::nullopt;
  return static_cast<float>(v);
}

std::optional<double> finite(const nlohmann::json& j) {
  if (!j.is_number() || !std::isfinite(j.get<double>())) return std::nullopt;
  return j.get<double>();
}

std::vector<NamedShare> names_from_json(const nlohmann::json& j, const char* key) {
  std::vector<NamedShare> out;
  if (!j.contains(key) || !j[key].is_array()) return out;
  for (const auto& n : j[key])
    if (n.is_array() && n.size() == 2 && n[0].is_string())
      if (const auto share = single(n[1])) out.push_back({n[0].get<std::string>(), *share});
  return out;
}

// Zones as [[name, at], …], crossings as [[line, direction, at], …].
nlohmann::json passages_to_json(const std::vector<PassageRow>& passages, bool with_direction) {
  nlohmann::json j = nlohmann::json::array();
  for (const auto& p : passages)
    j.push_back(with_direction ? nlohmann::json{p.name, p.direction, p.at_epoch} : nlohmann::json{p.name, p.at_epoch});
  return j;
}

std::vector<PassageRow> passages_from_json(const nlohmann::json& j, const char* key, bool with_direction) {
  std::vector<PassageRow> out;
  if (!j.contains(key) || !j[key].is_array()) return out;
  const size_t n = with_direction ? 3 : 2;
  for (const auto& p : j[key]) {
    if (!p.is_array() || p.size() != n || !p[0].is_string() || !finite(p[n - 1])) continue;
    if (with_direction && !p[1].is_string()) continue;
    out.push_back({p[0].get<std::string>(), with_direction ? p[1].get<std::string>() : "", *finite(p[n - 1])});
  }
  return out;
}

void read_number(const nlohmann::json& j, const char* key, double& out) {
  if (j.contains(key))
    if (const auto v = finite(j[key])) out = *v;
}

// A frame side a camera could give: 1 to 16384 pixels; 0 if not.
int frame_side(const nlohmann::json& j) {
  if (!j.is_number_integer()) return 0;
  const int64_t v = j.get<int64_t>();
  return v >= 1 && v <= 16384 ? static_cast<int>(v) : 0;
}

void read_text(const nlohmann::json& j, const char* key, std::string& out) {
  if (j.contains(key) && j[key].is_string()) out = j[key].get<std::string>();
}

struct TrackKey {
  std::string camera, run_id;  // both empty when only the id was given
  int track_id = 0;
};

// "camera/run/id" (a camera name may hold '/': the run and id are the last two parts) or "id".
std::optional<TrackKey> parse_track_key(const std::string& text) {
  TrackKey key;
  const auto last = text.rfind('/');
  const std::string id = last == std::string::npos ? text : text.substr(last + 1);
  if (id.empty() || id.size() > 9 || id.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  key.track_id = std::stoi(id);
  if (key.track_id <= 0) return std::nullopt;
  if (last == std::string::npos) return key;
  const auto run = text.rfind('/', last - 1);
  if (last == 0 || run == std::string::npos || run == 0) return std::nullopt;
  key.camera = text.substr(0, run), key.run_id = text.substr(run + 1, last - run - 1);
  return key;
}

std::string key_text(const TrackRow& t) { return fmt::format("{}/{}/{}", t.camera, t.run_id, t.track_id); }

// The track a `similar` search names, or why it names none: a full key is looked up as
// it is (a run of '' is a track from before schema 4, when ids restarted with each run:
// of several so named, the newest), an id alone among every run.
Result<std::variant<TrackRow, std::string>> similar_reference(const Store& store, const TrackFilter& f) {
  using Out = std::variant<TrackRow, std::string>;
  const auto key = parse_track_key(f.similar);
  if (!key) return Out{std::string("similar: not a track")};
  std::vector<TrackRow> rows;
  if (!key->camera.empty()) {
    auto t = store.track(key->camera, key->run_id, key->track_id);
    if (!t) return t.error();
    if (*t) rows.push_back(std::move(**t));
  } else {
    TrackFilter q;
    q.track_id = key->track_id, q.cameras = f.cameras, q.limit = 3, q.with_paths = false;
    auto found = store.search_tracks(q);
    if (!found) return found.error();
    rows = std::move(*found);
  }
  if (rows.empty()) return Out{fmt::format("similar: no stored track is '{}'", f.similar)};
  if (rows.size() > 1) {
    std::string keys;
    for (const auto& t : rows) keys += (keys.empty() ? "" : ", ") + key_text(t);
    return Out{fmt::format("similar: track {} is in several runs ({}{}): name one as CAMERA/RUN/ID", key->track_id,
                           keys, rows.size() >= 3 ? ", …" : "")};
  }
  const TrackRow& t = rows.front();
  if (t.appearance.empty() && t.upper.empty() && t.lower.empty() && t.colour.empty())
    return Out{fmt::format("similar: track {} was stored without an appearance to compare", key_text(t))};
  return Out{std::move(rows.front())};
}

// Half the L1 distance between two regions' colour shares: 0 the same, 1 nothing in common.
float names_distance(const std::vector<NamedShare>& a, const std::vector<NamedShare>& b) {
  std::map<std::string, float> diff;
  for (const auto& n : a) diff[n.name] += n.share;
  for (const auto& n : b) diff[n.name] -= n.share;
  float sum = 0;
  for (const auto& [name, d] : diff) sum += std::abs(d);
  return std::min(1.f, sum / 2);
}

}  // namespace

std::optional<float> likeness_distance(const TrackRow& a, const TrackRow& b) {
  float cues = 0, sum = 0;
  if (!a.appearance.empty() && a.appearance.size() == b.appearance.size())
    sum += track::appearance_distance(a.appearance, b.appearance), ++cues;
  float regions = 0, names = 0;
  for (auto [x, y] : {std::pair{&a.upper, &b.upper}, {&a.lower, &b.lower}, {&a.colour, &b.colour}})
    if (!x->empty() && !y->empty()) names += names_distance(*x, *y), ++regions;
  if (regions > 0) sum += names / regions, ++cues;
  if (cues == 0 || !std::isfinite(sum)) return std::nullopt;
  return sum / cues;
}

nlohmann::json track_attributes_json(const TrackRow& t) {
  return {{"upper", names_to_json(t.upper)},
          {"lower", names_to_json(t.lower)},
          {"colour", names_to_json(t.colour)},
          {"speed", t.speed},
          {"speed_unit", t.speed_unit},
          {"heading_deg", t.heading_deg},
          {"appearance", t.appearance},
          {"frame", {t.frame_width, t.frame_height}},
          {"width", t.width},
          {"height", t.height},
          {"size_unit", t.size_unit},
          {"zones", passages_to_json(t.zones, false)},
          {"crossed", passages_to_json(t.crossed, true)},
          {"ongoing", t.ongoing}};
}

void read_track_attributes(const nlohmann::json& j, TrackRow& t) {
  if (!j.is_object()) return;  // rows from before schema 6 hold '{}'
  t.upper = names_from_json(j, "upper"), t.lower = names_from_json(j, "lower"), t.colour = names_from_json(j, "colour");
  read_number(j, "speed", t.speed), read_text(j, "speed_unit", t.speed_unit);
  read_number(j, "heading_deg", t.heading_deg);
  if (j.contains("frame") && j["frame"].is_array() && j["frame"].size() == 2)
    t.frame_width = frame_side(j["frame"][0]), t.frame_height = frame_side(j["frame"][1]);
  if (t.frame_width == 0 || t.frame_height == 0) t.frame_width = t.frame_height = 0;  // not a frame a camera gives
  if (j.contains("appearance") && j["appearance"].is_array()) {
    for (const auto& v : j["appearance"])
      if (const auto f = single(v)) t.appearance.push_back(*f);
    if (t.appearance.size() != j["appearance"].size()) t.appearance.clear();  // a descriptor with holes is none
  }
  read_number(j, "width", t.width), read_number(j, "height", t.height), read_text(j, "size_unit", t.size_unit);
  t.zones = passages_from_json(j, "zones", false), t.crossed = passages_from_json(j, "crossed", true);
  if (j.contains("ongoing") && j["ongoing"].is_boolean()) t.ongoing = j["ongoing"].get<bool>();
}

nlohmann::json path_to_json(const std::vector<std::pair<float, float>>& path) {
  nlohmann::json j = nlohmann::json::array();
  for (const auto& [x, y] : path) j.push_back({x, y});
  return j;
}

std::vector<std::pair<float, float>> path_from_json(const nlohmann::json& j) {
  std::vector<std::pair<float, float>> path;
  if (!j.is_array()) return path;
  for (const auto& p : j)
    if (p.is_array() && p.size() == 2)
      if (const auto x = single(p[0]), y = single(p[1]); x && y) path.emplace_back(*x, *y);
  return path;
}

Result<TrackFilter> checked_filter(TrackFilter f) {
  for (auto [value, field] : {std::pair{&f.upper, "upper"}, {&f.lower, "lower"}, {&f.colour, "colour"}})
    if (auto r = normalise_colour(*value, field); !r) return r.error();
  // "door:a_to_b" is the door one way; a line's own name may hold a ':' ("gate:north").
  if (const auto colon = f.line.rfind(':'); colon != std::string::npos && f.direction.empty()) {
    const std::string after = f.line.substr(colon + 1);
    if (after == rules::crossing_direction(true) || after == rules::crossing_direction(false))
      f.direction = after, f.line.resize(colon);
  }
  if (!f.direction.empty() && f.direction != rules::crossing_direction(true) &&
      f.direction != rules::crossing_direction(false))
    return Error{fmt::format("crossed: direction '{}' is neither a_to_b nor b_to_a", f.direction)};
  if (!f.direction.empty() && f.line.empty()) return Error{"crossed: a direction needs a line (LINE:a_to_b)"};
  if (!f.similar.empty() && !parse_track_key(f.similar))
    return Error{fmt::format("similar '{}' is not a track: CAMERA/RUN/ID, or ID when one run has it", f.similar)};
  if (f.limit < 1) return Error{fmt::format("limit {} is not at least 1", f.limit)};
  if (f.from_epoch > 0 && f.to_epoch > 0 && f.to_epoch < f.from_epoch)
    return Error{fmt::format("the time range ends ({:.0f}) before it starts ({:.0f})", f.to_epoch, f.from_epoch)};
  return f;
}

Result<SearchOutcome> find_tracks(const Store& store, const TrackFilter& f) {
  SearchOutcome out;
  if (f.similar.empty()) {
    auto rows = store.search_tracks(f);
    if (!rows) return rows.error();
    for (auto& t : *rows) out.tracks.push_back({std::move(t), std::nullopt});
    return out;
  }
  auto reference = similar_reference(store, f);
  if (!reference) return reference.error();
  if (const auto* why = std::get_if<std::string>(&*reference)) {
    out.refused = *why;
    return out;
  }
  const TrackRow& like = std::get<TrackRow>(*reference);
  out.reference = key_text(like);
  TrackFilter candidates = f;
  candidates.similar.clear(), candidates.limit = kSimilarCandidates, candidates.with_paths = false;
  if (candidates.label.empty()) candidates.label = like.label;
  auto rows = store.search_tracks(candidates);
  if (!rows) return rows.error();
  out.capped = rows->size() >= static_cast<size_t>(kSimilarCandidates);
  for (auto& t : *rows) {
    const bool itself = t.camera == like.camera && t.run_id == like.run_id && t.track_id == like.track_id &&
                        t.first_epoch == like.first_epoch;
    if (itself) continue;
    if (const auto d = likeness_distance(like, t)) out.tracks.push_back({std::move(t), *d});
  }
  // Nearest first; newest first among equals (the order the rows came in).
  std::stable_sort(out.tracks.begin(), out.tracks.end(),
                   [](const FoundTrack& a, const FoundTrack& b) { return *a.distance < *b.distance; });
  if (out.tracks.size() > static_cast<size_t>(std::max(0, f.limit))) out.tracks.resize(std::max(0, f.limit));
  for (auto& found : out.tracks) {  // the few shown, whole (with their paths)
    auto whole = store.track(found.track.camera, found.track.run_id, found.track.track_id, found.track.first_epoch);
    if (!whole) return whole.error();
    if (*whole) found.track = std::move(**whole);
  }
  return out;
}

Result<CameraHeat> camera_heat_map(const Store& store, const std::string& camera, double since_epoch,
                                   double until_epoch) {
  describe::HeatMap heat;
  std::map<std::pair<int, int>, int64_t> sizes;
  CameraHeat out;
  auto visited = store.each_path(camera, since_epoch, until_epoch,
                                 [&](const std::vector<std::pair<float, float>>& path, int w, int h) {
                                   if (w <= 0 || h <= 0 || w > 16384 || h > 16384) return;  // no (sane) frame size
                                   ++sizes[{w, h}], ++out.drawn;
                                   for (const auto& [x, y] : path) heat.add(x, y, {w, h});
                                 });
  if (!visited) return visited.error();
  out.tracks = *visited, out.points = heat.points();
  if (sizes.empty()) return out;
  const auto most = std::max_element(sizes.begin(), sizes.end(), [](auto& a, auto& b) { return a.second < b.second; });
  out.image = heat.render({most->first.first, most->first.second});
  return out;
}

bool is_reason(const std::string& reason) { return reason.find_first_not_of(" \t\r\n") != std::string::npos; }

std::string search_audit_detail(const TrackFilter& f, const std::string& reason, const SearchOutcome& outcome) {
  return nlohmann::json{{"reason", reason},   {"cameras", f.cameras}, {"from", f.from_epoch},
                        {"to", f.to_epoch},   {"class", f.label},     {"upper", f.upper},
                        {"lower", f.lower},   {"colour", f.colour},   {"min_dwell_s", f.min_dwell_s},
                        {"zone", f.zone},     {"line", f.line},       {"direction", f.direction},
                        {"similar", f.similar}, {"similar_track", outcome.reference},
                        {"candidates_capped", outcome.capped}, {"limit", f.limit},
                        {"results", outcome.tracks.size()}, {"refused", outcome.refused}}
      .dump();
}

nlohmann::json track_to_json(const TrackRow& t, std::optional<float> distance) {
  nlohmann::json j = {{"track_id", t.track_id},
          {"run_id", t.run_id},
          {"camera", t.camera},
          {"class", t.label},
          {"upper", names(t.upper)},
          {"upper_shares", shares(t.upper)},
          {"lower", names(t.lower)},
          {"lower_shares", shares(t.lower)},
          {"colour", names(t.colour)},
          {"colour_shares", shares(t.colour)},
          {"first", t.first_epoch},
          {"last", t.last_epoch},
          {"dwell_s", t.last_epoch - t.first_epoch},
          {"speed", t.speed},
          {"speed_unit", t.speed_unit},
          {"heading_deg", t.heading_deg},
          {"width", t.width},
          {"height", t.height},
          {"size_unit", t.size_unit},
          {"zones", passages_to_json(t.zones, false)},
          {"crossed", passages_to_json(t.crossed, true)},
          {"ongoing", t.ongoing},
          {"has_thumbnail", !t.thumbnail_path.empty()},
          {"path", path_to_json(t.path)}};
  if (distance) j["distance"] = *distance;
  return j;
}

}  // namespace vigie::events
