// Reading a moving camera's telemetry: CSV, GPX and DJI-style SRT subtitles.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "core/csv.h"
#include "drone/drone.h"

namespace vigie::drone {
namespace {

std::optional<double> number(const std::string& text) {
  try {
    size_t used = 0;
    const double v = std::stod(text, &used);
    if (std::isfinite(v) && text.find_first_not_of(" \t", used) == std::string::npos) return v;
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

// ISO 8601 in UTC ("2026-12-01T10:00:00Z", fractions of a second, a space for the T).
std::optional<double> utc_time(const std::string& text) {
  std::tm tm{};
  const char* end = strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (!end) end = strptime(text.c_str(), "%Y-%m-%d %H:%M:%S", &tm);
  if (!end) return std::nullopt;
  double fraction = 0;
  if (*end == '.' || *end == ',') {
    const char* digits = end + 1;
    double scale = 0.1;
    for (end = digits; *end >= '0' && *end <= '9'; ++end, scale /= 10) fraction += (*end - '0') * scale;
  }
  if (*end == 'Z') ++end;
  if (*end != '\0') return std::nullopt;
  return static_cast<double>(timegm(&tm)) + fraction;
}

bool valid_position(double lat, double lon) { return std::abs(lat) <= 90 && std::abs(lon) <= 180; }

// Compass bearing from one position to the next (0 when they coincide).
double bearing(city::LatLon a, city::LatLon b) {
  const city::LocalFrame frame(a);
  const city::XY d = frame.to_xy(b);
  if (std::hypot(d.x(), d.y()) < 1e-6) return 0;
  const double deg = city::rad2deg(std::atan2(d.x(), d.y()));
  return deg < 0 ? deg + 360 : deg;
}

// Headings a format does not give: towards the next pose (the last keeps the one before).
void headings_from_track(std::vector<Pose>& poses) {
  for (size_t i = 0; i + 1 < poses.size(); ++i) poses[i].heading_deg = bearing(poses[i].position, poses[i + 1].position);
  if (poses.size() > 1) poses.back().heading_deg = poses[poses.size() - 2].heading_deg;
}

Result<Telemetry> finished(Telemetry t, const char* format) {
  if (t.poses.empty()) return Error{fmt::format("no position in this {} telemetry", format)};
  // Times become minutes as integers: bounded to the years 1970 to 5138.
  for (const auto& p : t.poses)
    if (!(p.epoch >= 0 && p.epoch < 1e11)) return Error{fmt::format("a time out of range in this {} telemetry", format)};
  std::stable_sort(t.poses.begin(), t.poses.end(), [](const Pose& a, const Pose& b) { return a.epoch < b.epoch; });
  return t;
}

}  // namespace

Result<Telemetry> parse_csv(std::string_view text, std::optional<double> start_epoch) {
  std::istringstream in{std::string(text)};
  std::string line;
  if (!std::getline(in, line)) return Error{"empty CSV telemetry: expected a header time,lat,lon[,alt,heading,pitch,fov]"};
  std::map<std::string, size_t> column;
  const auto header = split_csv(line);
  for (size_t i = 0; i < header.size(); ++i) column[header[i]] = i;
  for (const char* needed : {"time", "lat", "lon"})
    if (!column.count(needed)) return Error{fmt::format("line 1: no '{}' column (expected time,lat,lon[,alt,heading,pitch,fov])", needed)};
  Telemetry t;
  bool has_heading = column.count("heading") > 0;
  for (int n = 2; std::getline(in, line); ++n) {
    if (line.empty() || line == "\r") continue;
    const auto f = split_csv(line);
    auto field = [&](const char* name) -> std::optional<std::string> {
      const auto it = column.find(name);
      if (it == column.end() || it->second >= f.size()) return std::nullopt;
      return f[it->second];
    };
    Pose p;
    const auto time = field("time");
    auto seconds = time ? number(*time) : std::nullopt;
    std::optional<double> epoch;
    if (seconds) epoch = start_epoch && *seconds < 1e8 ? *start_epoch + *seconds : *seconds;
    else if (time) epoch = utc_time(*time);
    const auto lat = field("lat") ? number(*field("lat")) : std::nullopt;
    const auto lon = field("lon") ? number(*field("lon")) : std::nullopt;
    if (!epoch || !lat || !lon || !valid_position(*lat, *lon))
      return Error{fmt::format("line {}: expected a time and a latitude and longitude in degrees", n)};
    p.epoch = *epoch, p.position = {*lat, *lon};
    for (auto [name, into] : {std::pair{"alt", &p.alt_m}, {"heading", &p.heading_deg}, {"pitch", &p.pitch_deg}, {"fov", &p.fov_deg}}) {
      const auto v = field(name);
      if (!v || v->empty()) continue;
      const auto x = number(*v);
      if (!x) return Error{fmt::format("line {}: {} '{}' is not a number", n, name, *v)};
      *into = *x;
    }
    if (p.alt_m < 0 || p.pitch_deg < -90 || p.pitch_deg > 90 || p.fov_deg <= 0 || p.fov_deg >= 180)
      return Error{fmt::format("line {}: altitude below ground, pitch beyond ±90° or field of view outside (0, 180)", n)};
    t.poses.push_back(p);
  }
  if (!has_heading) {
    headings_from_track(t.poses);
    t.warnings.push_back("no heading column: the camera is taken to look where the drone flies");
  }
  return finished(std::move(t), "CSV");
}

Result<Telemetry> parse_gpx(std::string_view text) {
  // Track points only: <trkpt lat=".." lon=".."> with <ele> and <time> inside. Found with
  // find() and read with small patterns: std::regex recurses once per character it
  // scans, and one unclosed element must not make it scan a whole file.
  static const std::regex lat_attr(R"re(\blat\s*=\s*["']([^"']*)["'])re"), lon_attr(R"re(\blon\s*=\s*["']([^"']*)["'])re");
  static const std::regex ele(R"(<ele>\s*([^<]*?)\s*</ele>)"), time(R"(<time>\s*([^<]*?)\s*</time>)");
  constexpr size_t kLongestPoint = 4096;
  Telemetry t;
  int n = 0;
  for (size_t at = text.find("<trkpt"); at != std::string_view::npos; at = text.find("<trkpt", at + 1)) {
    ++n;
    const size_t open_end = text.find('>', at), close = text.find("</trkpt>", at);
    if (open_end == std::string_view::npos || close == std::string_view::npos || close < open_end ||
        close - at > kLongestPoint)
      return Error{fmt::format("track point {}: not closed by </trkpt> within {} bytes", n, kLongestPoint)};
    const std::string attrs(text.substr(at + 6, open_end - at - 6)), body(text.substr(open_end + 1, close - open_end - 1));
    std::smatch m;
    std::optional<double> lat, lon, epoch, alt;
    if (std::regex_search(attrs, m, lat_attr)) lat = number(m[1]);
    if (std::regex_search(attrs, m, lon_attr)) lon = number(m[1]);
    if (std::regex_search(body, m, time)) epoch = utc_time(m[1]);
    if (std::regex_search(body, m, ele)) alt = number(m[1]);
    if (!lat || !lon || !valid_position(*lat, *lon) || !epoch)
      return Error{fmt::format("track point {}: expected lat, lon and a <time> in UTC", n)};
    Pose p;
    p.epoch = *epoch, p.position = {*lat, *lon}, p.alt_m = std::max(0.0, alt.value_or(0));
    t.poses.push_back(p);
  }
  headings_from_track(t.poses);
  t.warnings.push_back("GPX gives no camera pose: heading along the track, pitch -90° (straight down), "
                       "altitude from <ele> taken above the ground");
  return finished(std::move(t), "GPX");
}

Result<Telemetry> parse_srt(std::string_view text, std::optional<double> start_epoch) {
  // Blocks separated by blank lines: index, "00:00:01,000 --> 00:00:01,033", then text.
  // A subtitle's start, at the start of a line (hours bounded: they go to std::stoi).
  static const std::regex timing(R"((?:^|\n)(\d{1,5}):(\d{2}):(\d{2})[,.](\d{3})\s*-->)");
  static const std::regex date(R"((\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?))");
  static const std::regex lat(R"(\[latitude\s*:\s*([-0-9.]+)\])"), lon(R"(\[long(?:i)?tude\s*:\s*([-0-9.]+)\])");
  static const std::regex alt(R"(\[rel_alt\s*:\s*([-0-9.]+))"), gps(R"(GPS\s*\(\s*([-0-9.]+)\s*,\s*([-0-9.]+)\s*,\s*([-0-9.]+))");
  static const std::regex yaw(R"(gb_yaw\s*:\s*([-0-9.]+))"), pitch(R"(gb_pitch\s*:\s*([-0-9.]+))");
  Telemetry t;
  std::istringstream in{std::string(text)};
  std::string block, line;
  int blocks = 0;
  bool any_yaw = false;
  auto flush = [&]() -> Result<Ok> {
    if (block.find_first_not_of(" \r\n\t") == std::string::npos) return Ok{};
    ++blocks;
    std::smatch m;
    std::optional<double> epoch, la, lo, al;
    if (std::regex_search(block, m, date)) epoch = utc_time(m[1].str());
    if (!epoch && start_epoch && std::regex_search(block, m, timing))
      epoch = *start_epoch + std::stoi(m[1]) * 3600.0 + std::stoi(m[2]) * 60.0 + std::stoi(m[3]) + std::stoi(m[4]) / 1000.0;
    if (std::regex_search(block, m, lat)) la = number(m[1]);
    if (std::regex_search(block, m, lon)) lo = number(m[1]);
    if (std::regex_search(block, m, alt)) al = number(m[1]);
    if ((!la || !lo) && std::regex_search(block, m, gps)) lo = number(m[1]), la = number(m[2]), al = number(m[3]);
    std::optional<double> heading, tilt;
    if (std::regex_search(block, m, yaw)) heading = number(m[1]);
    if (std::regex_search(block, m, pitch)) tilt = number(m[1]);
    block.clear();
    if (!la || !lo || !valid_position(*la, *lo))
      return Error{fmt::format("subtitle {}: no [latitude: …] [longitude: …] or GPS(lon, lat, alt)", blocks)};
    if (!epoch) return Error{fmt::format("subtitle {}: no date and time in it (give the flight's start time)", blocks)};
    Pose p;
    p.epoch = *epoch, p.position = {*la, *lo}, p.alt_m = std::max(0.0, al.value_or(0));
    if (heading) p.heading_deg = std::fmod(std::fmod(*heading, 360) + 360, 360), any_yaw = true;
    if (tilt) p.pitch_deg = std::clamp(*tilt, -90.0, 90.0);
    t.poses.push_back(p);
    return Ok{};
  };
  constexpr size_t kLongestSubtitle = 4096;  // (the patterns recurse per character: bounded input)
  while (std::getline(in, line)) {
    if (line.find_first_not_of(" \r\t") == std::string::npos) {
      if (auto r = flush(); !r) return r.error();
    } else {
      block += line + "\n";
      if (block.size() > kLongestSubtitle)
        return Error{fmt::format("subtitle {}: longer than {} bytes", blocks + 1, kLongestSubtitle)};
    }
  }
  if (auto r = flush(); !r) return r.error();
  if (!any_yaw) headings_from_track(t.poses);
  return finished(std::move(t), "SRT");
}

Result<Telemetry> read_telemetry(const std::string& path, std::optional<double> start_epoch) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{fmt::format("{}: cannot be read", path)};
  std::stringstream s;
  s << in.rdbuf();
  const std::string text = s.str();
  std::string ext = path.substr(path.find_last_of('.') == std::string::npos ? path.size() : path.find_last_of('.'));
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  Result<Telemetry> t = ext == ".csv"   ? parse_csv(text, start_epoch)
                        : ext == ".gpx" ? parse_gpx(text)
                        : ext == ".srt" ? parse_srt(text, start_epoch)
                                        : Result<Telemetry>(Error{"expected a .csv, .gpx or .srt telemetry file"});
  if (!t) return Error{fmt::format("{}: {}", path, t.error().message)};
  return t;
}

}  // namespace vigie::drone
