#include "city/camera_list.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "city/camera.h"
#include "core/csv.h"

namespace vigie::city {
namespace {

using nlohmann::json;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

int column_of(const std::vector<std::string>& header, std::initializer_list<const char*> names) {
  for (size_t i = 0; i < header.size(); ++i)
    for (const char* n : names)
      if (lower(header[i]) == n) return static_cast<int>(i);
  return -1;
}

bool valid_position(double lat, double lon) {
  return std::isfinite(lat) && std::isfinite(lon) && lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180;
}

std::optional<double> to_double(const std::string& s) {
  try {
    size_t used = 0;
    const double v = std::stod(s, &used);
    return used == s.size() ? std::optional<double>(v) : std::nullopt;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

Result<std::vector<Camera>> read_csv(const std::string& path, const std::string& stem, const CityConfig& config,
                                     std::vector<std::string>& warnings) {
  std::ifstream in(path);
  std::string line;
  if (!std::getline(in, line)) return Error{fmt::format("{}: empty file", path)};
  if (line.starts_with("\xEF\xBB\xBF")) line.erase(0, 3);  // UTF-8 byte-order mark
  bool latin1 = false;
  line = as_utf8(line, latin1);
  const char sep = std::count(line.begin(), line.end(), ';') > std::count(line.begin(), line.end(), ',') ? ';' : ',';
  const auto header = split_csv(line, sep);
  const int lat_col = column_of(header, {"lat", "latitude", "y"});
  const int lon_col = column_of(header, {"lon", "lng", "long", "longitude", "x"});
  const int id_col = column_of(header, {"id"});
  if (lat_col < 0 || lon_col < 0)
    return Error{fmt::format("{}: the header has no lat/latitude and lon/longitude columns", path)};
  std::vector<Camera> cams;
  for (int row = 1; std::getline(in, line); ++row) {
    if (line.empty() || line == "\r") continue;
    const auto f = split_csv(as_utf8(line, latin1), sep);
    constexpr double kNone = std::numeric_limits<double>::quiet_NaN();
    const double lat = lat_col < int(f.size()) ? to_double(f[lat_col]).value_or(kNone) : kNone;
    const double lon = lon_col < int(f.size()) ? to_double(f[lon_col]).value_or(kNone) : kNone;
    if (!valid_position(lat, lon)) {
      warnings.push_back(fmt::format("{}:{}: no valid lat/lon; row skipped", path, row + 1));
      continue;
    }
    Camera c;
    c.id = id_col >= 0 && id_col < int(f.size()) && !f[id_col].empty() ? f[id_col] : fmt::format("{}#{}", stem, row);
    c.position = {lat, lon};
    for (size_t i = 0; i < f.size() && i < header.size(); ++i)
      if (int(i) != lat_col && int(i) != lon_col && int(i) != id_col && !f[i].empty()) c.tags[header[i]] = f[i];
    apply_camera_model(c, config, warnings);
    cams.push_back(std::move(c));
  }
  if (latin1) warnings.push_back(fmt::format("{}: not UTF-8; lines read as Latin-1", path));
  return cams;
}

std::string as_tag(const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

// obj[key] when obj is an object and that member a string, else "" (json::value throws
// when the member has another type: `"type": [[5, 0]]`).
std::string string_member(const json& obj, const char* key) {
  if (!obj.is_object()) return {};
  const auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Result<std::vector<Camera>> read_geojson(const std::string& path, const std::string& stem, const CityConfig& config,
                                         std::vector<std::string>& warnings) {
  std::ifstream in(path);
  json doc;
  try {
    doc = json::parse(in);
  } catch (const json::exception& e) {
    return Error{fmt::format("{}: not JSON: {}", path, e.what())};
  }
  if (!doc.is_object() || string_member(doc, "type") != "FeatureCollection" || !doc.contains("features") ||
      !doc["features"].is_array())
    return Error{fmt::format("{}: not a GeoJSON FeatureCollection", path)};
  std::vector<Camera> cams;
  int index = 0;
  for (const auto& f : doc["features"]) {
    ++index;
    const json g = f.is_object() ? f.value("geometry", json()) : json();
    const bool point = string_member(g, "type") == "Point" && g.contains("coordinates") &&
                       g["coordinates"].is_array() && g["coordinates"].size() >= 2 &&
                       g["coordinates"][0].is_number() && g["coordinates"][1].is_number();
    if (!point || !valid_position(g["coordinates"][1].get<double>(), g["coordinates"][0].get<double>())) {
      warnings.push_back(fmt::format("{}: feature {} is not a valid Point; skipped", path, index));
      continue;
    }
    Camera c;
    c.position = {g["coordinates"][1].get<double>(), g["coordinates"][0].get<double>()};
    const json props = f.contains("properties") && f["properties"].is_object() ? f["properties"] : json::object();
    for (const auto& [k, v] : props.items())
      if (k != "id" && !k.starts_with("vigie:") && !v.is_null()) c.tags[k] = as_tag(v);
    if (props.contains("id")) c.id = as_tag(props["id"]);
    else if (f.contains("id")) c.id = as_tag(f["id"]);
    else c.id = fmt::format("{}#{}", stem, index);
    apply_camera_model(c, config, warnings);
    cams.push_back(std::move(c));
  }
  return cams;
}

}  // namespace

Result<std::vector<Camera>> read_camera_list(const std::string& path, const CityConfig& config,
                                             std::vector<std::string>& warnings) {
  namespace fs = std::filesystem;
  if (!fs::is_regular_file(path)) return Error{fmt::format("cannot read '{}': no such file", path)};
  const std::string ext = lower(fs::path(path).extension().string());
  const std::string stem = fs::path(path).stem().string();
  if (ext == ".csv") return read_csv(path, stem, config, warnings);
  if (ext == ".geojson" || ext == ".json") return read_geojson(path, stem, config, warnings);
  return Error{fmt::format("{}: unknown camera list format (expected .csv, .geojson or .json)", path)};
}

json cameras_geojson(const std::vector<Camera>& cameras) {
  json features = json::array();
  for (const auto& c : cameras) {
    json props(c.tags);
    props["id"] = c.id;
    props["vigie:kind"] = kind_name(c.kind);
    props["vigie:heading_deg"] = c.heading_deg ? json(*c.heading_deg) : json();
    props["vigie:fov_deg"] = c.fov_deg;
    props["vigie:range_m"] = c.range_m;
    props["vigie:height_m"] = c.height_m;
    props["vigie:indoor"] = c.indoor;
    props["vigie:underground"] = c.underground;
    props["vigie:assumed"] = c.defaulted;
    features.push_back({{"type", "Feature"},
                        {"geometry", {{"type", "Point"}, {"coordinates", {c.position.lon, c.position.lat}}}},
                        {"properties", props}});
  }
  return {{"type", "FeatureCollection"}, {"features", features}};
}

}  // namespace vigie::city
