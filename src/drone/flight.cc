// What a moving camera saw (its footprint on the ground) and whether a flight kept to its
// authorisation.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "drone/drone.h"

namespace vigie::drone {

namespace bg = boost::geometry;
using city::XY;

namespace {

struct Vec {
  double e = 0, n = 0, u = 0;  // east, north, up
};
Vec operator+(Vec a, Vec b) { return {a.e + b.e, a.n + b.n, a.u + b.u}; }
Vec operator*(double k, Vec a) { return {k * a.e, k * a.n, k * a.u}; }

// Where a ray from the camera meets the ground (a flat plane alt_m below it), in metres
// from the point below the camera; at or above the horizon, or beyond `max_range_m`,
// the ray's horizontal direction at that range.
XY ground_point(Vec d, double alt_m, double max_range_m) {
  const double horizontal = std::hypot(d.e, d.n);
  double range = max_range_m;
  if (d.u < 0) range = std::min(max_range_m, alt_m * horizontal / -d.u);
  if (horizontal < 1e-12) return {0, 0};
  return {d.e / horizontal * range, d.n / horizontal * range};
}

}  // namespace

std::optional<Pose> pose_at(const Telemetry& t, double epoch) {
  const auto& poses = t.poses;
  if (poses.empty() || !(epoch >= poses.front().epoch) || epoch > poses.back().epoch) return std::nullopt;
  const auto after = std::lower_bound(poses.begin(), poses.end(), epoch,
                                      [](const Pose& p, double e) { return p.epoch < e; });
  if (after == poses.begin() || after->epoch == epoch) return *after;
  const Pose& a = *(after - 1);
  const Pose& b = *after;
  const double w = (epoch - a.epoch) / (b.epoch - a.epoch);
  auto mix = [w](double x, double y) { return x + (y - x) * w; };
  Pose p = a;
  p.epoch = epoch;
  p.position = {mix(a.position.lat, b.position.lat), mix(a.position.lon, b.position.lon)};
  p.alt_m = mix(a.alt_m, b.alt_m), p.pitch_deg = mix(a.pitch_deg, b.pitch_deg), p.fov_deg = mix(a.fov_deg, b.fov_deg);
  const double turn = std::remainder(b.heading_deg - a.heading_deg, 360.0);  // in [-180, 180]
  p.heading_deg = std::fmod(a.heading_deg + turn * w + 360.0, 360.0);
  return p;
}

city::Polygon footprint(const Pose& pose, const city::LocalFrame& frame, double max_range_m) {
  const double psi = city::deg2rad(pose.heading_deg), theta = city::deg2rad(pose.pitch_deg);
  const Vec forward{std::sin(psi) * std::cos(theta), std::cos(psi) * std::cos(theta), std::sin(theta)};
  const Vec right{std::cos(psi), -std::sin(psi), 0};
  const Vec up{-std::sin(psi) * std::sin(theta), -std::cos(psi) * std::sin(theta), std::cos(theta)};
  const double th = std::tan(city::deg2rad(pose.fov_deg) / 2), tv = th * 3 / 4;  // a 4:3 image
  // The image's border, corner to corner, 8 steps a side (so a horizon cut is followed).
  const std::array<std::pair<double, double>, 4> corners = {{{-1, 1}, {1, 1}, {1, -1}, {-1, -1}}};
  const XY below = frame.to_xy(pose.position);
  city::Polygon out;
  for (size_t c = 0; c < corners.size(); ++c) {
    const auto [a0, b0] = corners[c];
    const auto [a1, b1] = corners[(c + 1) % corners.size()];
    for (int k = 0; k < 8; ++k) {
      const double s = k / 8.0, a = a0 + (a1 - a0) * s, b = b0 + (b1 - b0) * s;
      const XY p = ground_point(forward + (a * th) * right + (b * tv) * up, pose.alt_m, max_range_m);
      out.outer().push_back({below.x() + p.x(), below.y() + p.y()});
    }
  }
  out.outer().push_back(out.outer().front());
  bg::correct(out);
  return out;
}

namespace {

std::optional<double> time_of(const nlohmann::json& v) {
  if (v.is_number()) return v.get<double>();
  if (!v.is_string()) return std::nullopt;
  std::tm tm{};
  const std::string s = v.get<std::string>();
  const char* end = strptime(s.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (!end || (*end != '\0' && std::string(end) != "Z")) return std::nullopt;
  return static_cast<double>(timegm(&tm));
}

city::LocalFrame frame_for(const Telemetry& t) {
  return city::LocalFrame(t.poses.empty() ? city::LatLon{} : t.poses.front().position);
}

city::Polygon local_ring(const std::vector<city::LatLon>& ring, const city::LocalFrame& frame) {
  city::Polygon p;
  for (const auto& q : ring) p.outer().push_back(frame.to_xy(q));
  bg::correct(p);
  return p;
}

using MultiPolygon = bg::model::multi_polygon<city::Polygon>;

}  // namespace

Result<Authorisation> parse_authorisation(std::string_view text) {
  const auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object()) return Error{"expected a JSON object {reference, purpose, start, end, perimeter}"};
  Authorisation a;
  if (!j.contains("reference") || !j["reference"].is_string() || j["reference"].get<std::string>().empty())
    return Error{"'reference': the order's reference is required"};
  a.reference = j["reference"];
  if (j.contains("purpose") && !j["purpose"].is_string()) return Error{"'purpose': text, as the order states it"};
  a.purpose = j.value("purpose", "");
  const auto start = j.contains("start") ? time_of(j["start"]) : std::nullopt;
  const auto end = j.contains("end") ? time_of(j["end"]) : std::nullopt;
  if (!start || !end || *end <= *start) return Error{"'start' and 'end': UTC times (ISO 8601 or Unix seconds), end after start"};
  a.start_epoch = *start, a.end_epoch = *end;
  nlohmann::json coords = j.value("perimeter", nlohmann::json());
  if (coords.is_object() && coords.contains("type") && coords["type"] == "Polygon")
    coords = coords.value("coordinates", nlohmann::json());
  if (!coords.is_array() || coords.empty() || !coords[0].is_array())
    return Error{"'perimeter': a GeoJSON Polygon ([[[lon, lat], …]]) is required"};
  for (const auto& p : coords[0]) {
    if (!p.is_array() || p.size() < 2 || !p[0].is_number() || !p[1].is_number())
      return Error{"'perimeter': each corner is [lon, lat] in degrees"};
    const double lon = p[0], lat = p[1];
    if (std::abs(lat) > 90 || std::abs(lon) > 180) return Error{"'perimeter': a corner is not a longitude and latitude"};
    a.perimeter.push_back({lat, lon});
  }
  if (a.perimeter.size() < 4) return Error{"'perimeter': a closed ring of at least 3 corners"};
  return a;
}

Result<Authorisation> read_authorisation(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Error{fmt::format("{}: cannot be read", path)};
  std::stringstream s;
  s << in.rdbuf();
  auto a = parse_authorisation(s.str());
  if (!a) return Error{fmt::format("{}: {}", path, a.error().message)};
  return a;
}

FlightCheck check_flight(const Telemetry& t, const Authorisation& a) {
  FlightCheck c;
  if (t.poses.empty()) return c;
  const auto frame = frame_for(t);
  const city::Polygon perimeter = local_ring(a.perimeter, frame);
  c.start_epoch = t.poses.front().epoch, c.end_epoch = t.poses.back().epoch;
  std::map<int64_t, FlaggedMinute> minutes;
  MultiPolygon swept;
  double next_swept = -1e300;  // footprints joined one a second: a 10 Hz log adds little
  for (size_t i = 0; i < t.poses.size(); ++i) {
    const Pose& p = t.poses[i];
    const XY at = frame.to_xy(p.position);
    if (i > 0) c.distance_m += city::distance(frame.to_xy(t.poses[i - 1].position), at);
    const auto minute = static_cast<int64_t>(std::floor(p.epoch / 60));
    auto& m = minutes[minute];
    m.minute_epoch = minute * 60.0;
    m.outside_perimeter |= !bg::covered_by(at, perimeter);
    m.outside_time |= p.epoch < a.start_epoch || p.epoch > a.end_epoch;
    if (p.epoch < next_swept && i + 1 < t.poses.size()) continue;
    next_swept = p.epoch + 1;
    MultiPolygon grown;
    bg::union_(swept, footprint(p, frame), grown);
    swept.swap(grown);
  }
  c.minutes = static_cast<int>(minutes.size());
  for (const auto& [minute, m] : minutes)
    if (m.outside_perimeter || m.outside_time) c.flagged.push_back(m);
  c.swept_m2 = bg::area(swept);
  return c;
}

nlohmann::json flight_geojson(const Telemetry& t, double every_s) {
  using nlohmann::json;
  const auto frame = frame_for(t);
  auto ring_json = [&](const city::Ring& ring) {
    json out = json::array();
    for (const auto& p : ring) {
      const auto q = frame.to_latlon(p);
      out.push_back({q.lon, q.lat});
    }
    return out;
  };
  json features = json::array(), track = json::array();
  MultiPolygon swept;
  double next = -1e300;
  for (const auto& p : t.poses) {
    track.push_back({p.position.lon, p.position.lat});
    if (p.epoch < next && &p != &t.poses.back()) continue;
    next = p.epoch + every_s;
    const city::Polygon f = footprint(p, frame);
    MultiPolygon grown;
    bg::union_(swept, f, grown);
    swept.swap(grown);
    features.push_back({{"type", "Feature"},
                        {"geometry", {{"type", "Polygon"}, {"coordinates", json::array({ring_json(f.outer())})}}},
                        {"properties", {{"kind", "footprint"}, {"epoch", p.epoch}, {"lat", p.position.lat},
                                        {"lon", p.position.lon}, {"alt_m", p.alt_m},
                                        {"heading_deg", p.heading_deg}, {"pitch_deg", p.pitch_deg}}}});
  }
  features.push_back({{"type", "Feature"}, {"geometry", {{"type", "LineString"}, {"coordinates", track}}},
                      {"properties", {{"kind", "track"}}}});
  json swept_coords = json::array();
  for (const auto& poly : swept) {
    json rings = json::array({ring_json(poly.outer())});
    for (const auto& hole : poly.inners()) rings.push_back(ring_json(hole));
    swept_coords.push_back(rings);
  }
  features.push_back({{"type", "Feature"}, {"geometry", {{"type", "MultiPolygon"}, {"coordinates", swept_coords}}},
                      {"properties", {{"kind", "swept"}, {"area_m2", bg::area(swept)}}}});
  return {{"type", "FeatureCollection"}, {"features", features}};
}

}  // namespace vigie::drone
