#include "city/camera.h"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <cmath>
#include <numbers>

namespace vigie::city {

const char* kind_name(CameraKind kind) {
  switch (kind) {
    case CameraKind::fixed: return "fixed";
    case CameraKind::dome: return "dome";
    case CameraKind::panning: return "panning";
    case CameraKind::unknown: break;
  }
  return "unknown";
}

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// The whole of `s` as a number, or nullopt.
std::optional<double> number(std::string_view s) {
  s = trim(s);
  double v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::string_view first_of_list(std::string_view s) { return s.substr(0, s.find(';')); }

std::string tag(const Camera& c, const std::string& key) {
  const auto it = c.tags.find(key);
  return it == c.tags.end() ? std::string() : it->second;
}

const CameraTypeDefaults& defaults_for(CameraKind kind, const CityConfig& d) {
  switch (kind) {
    case CameraKind::fixed: return d.fixed;
    case CameraKind::dome: return d.dome;
    case CameraKind::panning: return d.panning;
    case CameraKind::unknown: break;
  }
  return d.unknown;
}

CameraKind kind_of(const std::string& type) {
  if (type == "fixed") return CameraKind::fixed;
  if (type == "dome") return CameraKind::dome;
  if (type == "panning") return CameraKind::panning;
  return CameraKind::unknown;
}

// camera:angle is the tilt below the horizon (OSM wiki). With the mount height it bounds
// how far along the ground the image reaches: the top edge of the picture, half a vertical
// field of view above the centre, meets the ground at height / tan(tilt − half).
std::optional<double> ground_reach(double height_m, double tilt_deg, double hfov_deg) {
  const double half_vfov = std::min(hfov_deg, 120.0) * 9.0 / 16.0 / 2.0;  // 16:9 picture
  const double top_edge = tilt_deg - half_vfov;
  if (top_edge <= 0) return std::nullopt;  // the horizon is in the picture
  return height_m / std::tan(top_edge * std::numbers::pi / 180.0);
}

}  // namespace

std::optional<double> parse_direction(std::string_view text) {
  text = trim(first_of_list(text));
  if (auto deg = number(text)) {
    if (*deg < -360 || *deg > 720) return std::nullopt;
    return std::fmod(std::fmod(*deg, 360.0) + 360.0, 360.0);
  }
  static constexpr std::array<std::string_view, 16> points = {
      "N", "NNE", "NE", "ENE", "E", "ESE", "SE", "SSE", "S", "SSW", "SW", "WSW", "W", "WNW", "NW", "NNW"};
  for (size_t i = 0; i < points.size(); ++i)
    if (text == points[i]) return 22.5 * static_cast<double>(i);
  return std::nullopt;
}

std::optional<Bearing> parse_bearing(std::string_view text) {
  text = trim(first_of_list(text));
  const auto dash = text.find('-', 1);  // a leading '-' is a sign
  if (dash == std::string_view::npos) {
    const auto one = parse_direction(text);
    return one ? std::optional<Bearing>(Bearing{*one, 0}) : std::nullopt;
  }
  const auto from = parse_direction(text.substr(0, dash)), to = parse_direction(text.substr(dash + 1));
  if (!from || !to) return std::nullopt;
  const double span = std::fmod(*to - *from + 360.0, 360.0);
  return Bearing{std::fmod(*from + span / 2, 360.0), span};
}

std::optional<double> parse_metres(std::string_view text) {
  text = trim(text);
  if (text.ends_with("m")) text = trim(text.substr(0, text.size() - 1));
  const auto v = number(text);
  if (!v || *v < 0) return std::nullopt;
  return v;
}

std::optional<double> lowest_level(std::string_view text) {
  std::optional<double> lowest;
  while (!text.empty()) {
    const auto part = first_of_list(text);
    if (const auto v = number(part)) lowest = lowest ? std::min(*lowest, *v) : *v;
    if (part.size() == text.size()) break;
    text.remove_prefix(part.size() + 1);
  }
  return lowest;
}

void apply_camera_model(Camera& c, const CityConfig& config, std::vector<std::string>& warnings) {
  c.kind = kind_of(tag(c, "camera:type"));
  const CameraTypeDefaults& d = defaults_for(c.kind, config);
  c.defaulted.clear();
  c.indoor = tag(c, "surveillance") == "indoor";
  const auto level = lowest_level(tag(c, "level"));
  c.underground = (level && *level < 0) || tag(c, "location") == "underground";

  c.heading_deg.reset();
  double turn_span = 0;  // a camera that turns through a range sees the range and its own width
  if (const std::string dir = tag(c, "camera:direction"); !dir.empty()) {
    if (const auto b = parse_bearing(dir)) c.heading_deg = b->heading_deg, turn_span = b->span_deg;
    else warnings.push_back(fmt::format("{}: camera:direction '{}' is not a bearing; treated as unknown", c.id, dir));
  }
  // A fixed camera without a direction is modelled as a disc: an upper bound on what it sees.
  c.fov_deg = c.heading_deg ? std::min(360.0, d.fov_deg + turn_span) : 360.0;
  if (!c.heading_deg) c.defaulted.push_back("heading");
  if (c.heading_deg && d.fov_deg < 360) c.defaulted.push_back("fov");

  c.height_m = d.height_m;
  if (const std::string h = tag(c, "height"); !h.empty()) {
    if (const auto v = parse_metres(h)) c.height_m = *v;
    else warnings.push_back(fmt::format("{}: height '{}' is not a length; default {} m used", c.id, h, d.height_m));
  } else {
    c.defaulted.push_back("height");
  }

  c.range_m = d.range_m;
  c.defaulted.push_back("range");
  // camera:angle: degrees below the horizon; camera:tilt: −90 (down) to 90 (up).
  std::string a = tag(c, "camera:angle");
  if (a.empty() && !tag(c, "camera:tilt").empty()) {
    const auto t = number(tag(c, "camera:tilt"));
    a = t ? fmt::format("{}", -*t) : tag(c, "camera:tilt");
  }
  if (!a.empty()) {
    const auto tilt = number(a);
    if (!tilt || *tilt < 0 || *tilt > 90) {
      warnings.push_back(fmt::format("{}: camera:angle/tilt '{}' is not a downward tilt in 0–90°; ignored", c.id, a));
    } else if (const auto reach = ground_reach(c.height_m, *tilt, c.fov_deg); reach && *reach < c.range_m) {
      c.range_m = std::max(*reach, 1.0);
    }
  }
}

}  // namespace vigie::city
