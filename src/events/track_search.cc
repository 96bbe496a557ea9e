#include "events/track_search.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "describe/colours.h"
#include "describe/heatmap.h"

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

}  // namespace

nlohmann::json names_to_json(const std::vector<NamedShare>& names) {
  nlohmann::json j = nlohmann::json::array();
  for (const auto& n : names) j.push_back({n.name, n.share});
  return j;
}

nlohmann::json path_to_json(const std::vector<std::pair<float, float>>& path) {
  nlohmann::json j = nlohmann::json::array();
  for (const auto& [x, y] : path) j.push_back({x, y});
  return j;
}

Result<TrackFilter> checked_filter(TrackFilter f) {
  for (auto [value, field] : {std::pair{&f.upper, "upper"}, {&f.lower, "lower"}, {&f.colour, "colour"}})
    if (auto r = normalise_colour(*value, field); !r) return r.error();
  if (f.from_epoch > 0 && f.to_epoch > 0 && f.to_epoch < f.from_epoch)
    return Error{fmt::format("the time range ends ({:.0f}) before it starts ({:.0f})", f.to_epoch, f.from_epoch)};
  return f;
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

std::string search_audit_detail(const TrackFilter& f, const std::string& reason, size_t results) {
  return nlohmann::json{{"reason", reason},   {"cameras", f.cameras}, {"from", f.from_epoch},
                        {"to", f.to_epoch},   {"class", f.label},     {"upper", f.upper},
                        {"lower", f.lower},   {"colour", f.colour},   {"min_dwell_s", f.min_dwell_s},
                        {"limit", f.limit},   {"results", results}}
      .dump();
}

nlohmann::json track_to_json(const TrackRow& t) {
  return {{"track_id", t.track_id},
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
          {"has_thumbnail", !t.thumbnail_path.empty()},
          {"path", path_to_json(t.path)}};
}

}  // namespace vigie::events
