#include "config/config.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace vigie {
namespace {

// A YAML mapping being read: remembers which keys were taken so that the rest can be
// reported as unknown, and formats errors with file, line and key path.
class Section {
 public:
  Section(YAML::Node node, std::string path, const std::string& file)
      : node_(std::move(node)), path_(std::move(path)), file_(file) {
    if (node_.IsDefined() && !node_.IsMap() && !node_.IsNull()) fail(node_, path_, "must be a mapping");
  }

  [[noreturn]] void fail(const YAML::Node& at, const std::string& key_path,
                         const std::string& what) const {
    const int line = at.Mark().line >= 0 ? at.Mark().line + 1 : 0;
    throw ConfigError(fmt::format("{}:{}: {}: {}", file_, line, key_path, what));
  }

  std::string key_path(const std::string& key) const {
    return path_.empty() ? key : path_ + "." + key;
  }

  YAML::Node take(const std::string& key) {
    taken_.insert(key);
    // Const lookup: a missing key gives an undefined node instead of inserting one.
    const YAML::Node& map = node_;
    if (!map.IsDefined() || !map.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
    YAML::Node v = map[key];
    return v.IsDefined() && !v.IsNull() ? v : YAML::Node(YAML::NodeType::Undefined);
  }

  // Reads `key` into `out` when present; a value of the wrong type is an error.
  template <typename T>
  void get(const std::string& key, T& out) {
    YAML::Node v = take(key);
    if (!v) return;
    try {
      out = v.as<T>();
    } catch (const YAML::Exception&) {
      fail(v, key_path(key), fmt::format("expected {}", type_name<T>()));
    }
  }

  // Reads and checks `key` when present; an absent key keeps its default, unchecked.
  template <typename T, typename Check>
  void get(const std::string& key, T& out, Check&& valid, const char* rule) {
    const YAML::Node& map = node_;
    if (!map.IsDefined() || !map.IsMap() || !map[key].IsDefined() || map[key].IsNull()) {
      taken_.insert(key);
      return;
    }
    get(key, out);
    if (!valid(out)) {
      const YAML::Node& map = node_;
      const YAML::Node v = map.IsMap() ? map[key] : YAML::Node();
      fail(v.IsDefined() ? v : node_, key_path(key), fmt::format("{} (got {})", rule, show(out)));
    }
  }

  Section child(const std::string& key) { return Section(take(key), key_path(key), file_); }

  // Unknown keys are errors: a typo must not silently fall back to a default.
  void finish() const {
    if (!node_.IsDefined() || !node_.IsMap()) return;
    for (const auto& kv : node_) {
      const auto key = kv.first.as<std::string>();
      if (!taken_.count(key)) {
        std::string known;
        for (const auto& k : taken_) known += (known.empty() ? "" : ", ") + k;
        fail(kv.first, key_path(key), fmt::format("unknown key (known: {})", known));
      }
    }
  }

  const YAML::Node& node() const { return node_; }
  const std::string& file() const { return file_; }
  const std::set<std::string>& taken() const { return taken_; }

 private:
  template <typename T>
  static const char* type_name() {
    if constexpr (std::is_same_v<T, bool>) return "true or false";
    else if constexpr (std::is_integral_v<T>) return "an integer";
    else if constexpr (std::is_floating_point_v<T>) return "a number";
    else if constexpr (std::is_same_v<T, std::string>) return "a string";
    else return "a list of strings";
  }
  template <typename T>
  static std::string show(const T& v) {
    if constexpr (std::is_same_v<T, std::vector<std::string>>) return fmt::format("{} items", v.size());
    else return fmt::format("{}", v);
  }

  YAML::Node node_;
  std::string path_;
  const std::string& file_;
  std::set<std::string> taken_;
};

// "host:port", the port a whole number from 0 to 65535.
bool valid_listen(const std::string& v) {
  const auto colon = v.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == v.size() || colon + 6 < v.size()) return false;
  const std::string port = v.substr(colon + 1);
  return std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }) && std::stoi(port) <= 65535;
}

// A file or folder path, or a URL whose scheme FFmpeg reads streams from.
bool valid_input(const std::string& v) {
  const auto sep = v.find("://");
  if (sep == std::string::npos) return !v.empty();
  static const std::set<std::string> schemes = {"rtsp", "rtsps", "rtmp", "rtmps", "http", "https",
                                                "udp",  "tcp",   "srt",  "file"};
  return schemes.count(v.substr(0, sep)) > 0 && sep + 3 < v.size();
}

auto one_of(std::initializer_list<const char*> names) {
  std::vector<std::string> allowed(names.begin(), names.end());
  return [allowed](const std::string& v) {
    return std::find(allowed.begin(), allowed.end(), v) != allowed.end();
  };
}
auto positive = [](auto v) { return v > 0; };
auto non_negative = [](auto v) { return v >= 0; };
auto unit = [](auto v) { return v >= 0 && v <= 1; };

void read_camera_type(Section s, CameraTypeDefaults& c) {
  s.get("fov_deg", c.fov_deg, [](double v) { return v > 0 && v <= 360; }, "must be in (0, 360]");
  s.get("range_m", c.range_m, positive, "must be > 0");
  s.get("height_m", c.height_m, non_negative, "must be >= 0");
  s.finish();
}

void read_city(Section s, CityConfig& c) {
  {
    Section types = s.child("camera_defaults");
    read_camera_type(types.child("fixed"), c.fixed);
    read_camera_type(types.child("dome"), c.dome);
    read_camera_type(types.child("panning"), c.panning);
    read_camera_type(types.child("unknown"), c.unknown);
    types.finish();
  }
  s.get("install_eur_low", c.install_eur_low, non_negative, "must be >= 0");
  s.get("install_eur_high", c.install_eur_high, non_negative, "must be >= 0");
  s.get("upkeep_eur_per_year", c.upkeep_eur_per_year, non_negative, "must be >= 0");
  s.get("camera_life_years", c.camera_life_years, positive, "must be > 0");
  s.get("grid_m", c.grid_m, positive, "must be > 0");
  s.get("wall_tolerance_m", c.wall_tolerance_m, non_negative, "must be >= 0");
  s.finish();
  if (c.install_eur_high < c.install_eur_low)
    s.fail(s.node(), "city.install_eur_high", "must be >= install_eur_low");
}

void read_motion_gate(Section s, MotionGateConfig& c) {
  s.get("enabled", c.enabled);
  s.get("width", c.width, [](int v) { return v >= 32; }, "must be >= 32");
  s.get("threshold", c.threshold, [](int v) { return v > 0 && v < 256; }, "must be in 1..255");
  s.get("min_area", c.min_area, unit, "must be in [0, 1]");
  s.get("learning_rate", c.learning_rate, unit, "must be in [0, 1]");
  s.get("max_idle_s", c.max_idle_s, non_negative, "must be >= 0");
  s.finish();
}

void read_detect(Section s, DetectConfig& c) {
  s.get("type", c.type, one_of({"people", "motion", "onnx", "replay"}), "must be people, motion, onnx or replay");
  s.get("detections", c.detections);
  s.get("every_n_frames", c.every_n_frames, positive, "must be >= 1");
  s.get("model", c.model);
  s.get("layout", c.layout, one_of({"yolox", "yolov5", "yolov8"}), "must be yolox, yolov5 or yolov8");
  s.get("input_size", c.input_size, [](int v) { return v >= 32 && v % 32 == 0; },
        "must be a multiple of 32");
  s.get("score_threshold", c.score_threshold, unit, "must be in [0, 1]");
  s.get("nms_iou", c.nms_iou, unit, "must be in [0, 1]");
  s.get("classes", c.classes, [](const auto& v) { return !v.empty(); }, "must not be empty");
  s.get("regions", c.regions, one_of({"full", "motion", "unexplained"}), "must be full, motion or unexplained");
  s.get("refresh_s", c.refresh_s, non_negative, "must be >= 0");
  s.get("threads", c.threads, positive, "must be >= 1");
  s.get("background", c.background, one_of({"mog2", "knn"}), "must be mog2 or knn");
  s.get("work_width", c.work_width, [](int v) { return v >= 64; }, "must be >= 64");
  s.get("history_s", c.history_s, positive, "must be > 0");
  s.get("min_box_area", c.min_box_area, unit, "must be in [0, 1]");
  s.finish();
}

void read_track(Section s, TrackConfig& c) {
  s.get("high_score", c.high_score, unit, "must be in [0, 1]");
  s.get("new_track_score", c.new_track_score, unit, "must be in [0, 1]");
  s.get("match_iou", c.match_iou, unit, "must be in [0, 1]");
  s.get("low_match_iou", c.low_match_iou, unit, "must be in [0, 1]");
  s.get("tentative_match_iou", c.tentative_match_iou, unit, "must be in [0, 1]");
  s.get("min_hits", c.min_hits, positive, "must be >= 1");
  s.get("confirm_score", c.confirm_score, unit, "must be in [0, 1]");
  s.get("max_lost_s", c.max_lost_s, non_negative, "must be >= 0");
  s.get("appearance_weight", c.appearance_weight, unit, "must be in [0, 1]");
  s.get("reid_max_distance", c.reid_max_distance, unit, "must be in [0, 1]");
  s.get("max_path_points", c.max_path_points, positive, "must be >= 1");
  s.finish();
}

Polygon read_polygon(const Section& s, const YAML::Node& n, const std::string& path) {
  if (!n.IsSequence() || n.size() < 3) s.fail(n, path, "a polygon is a list of at least 3 [x, y] points");
  Polygon poly;
  for (const auto& p : n) {
    if (!p.IsSequence() || p.size() != 2) s.fail(p, path, "a point is [x, y]");
    try {
      poly.emplace_back(p[0].as<float>(), p[1].as<float>());
    } catch (const YAML::Exception&) {
      s.fail(p, path, "point coordinates must be numbers");
    }
  }
  return poly;
}

LineConfig read_line(Section s) {
  LineConfig line;
  const YAML::Node pts = s.take("points");
  const std::string path = s.key_path("points");
  if (!pts || !pts.IsSequence() || pts.size() < 2) s.fail(pts ? pts : s.node(), path, "a line needs at least 2 [x, y] points");
  for (const auto& p : pts) {
    if (!p.IsSequence() || p.size() != 2) s.fail(p, path, "a point is [x, y]");
    line.points.emplace_back(p[0].as<float>(), p[1].as<float>());
  }
  s.finish();
  return line;
}

// "22:00-06:00" → minutes since midnight.
void read_hours(Section& s, RuleConfig& r) {
  std::string hours;
  s.get("hours", hours);
  if (hours.empty()) return;
  int h1, m1, h2, m2;
  char tail;
  if (std::sscanf(hours.c_str(), "%d:%d-%d:%d%c", &h1, &m1, &h2, &m2, &tail) != 4 || h1 < 0 || h1 > 24 ||
      h2 < 0 || h2 > 24 || m1 < 0 || m1 > 59 || m2 < 0 || m2 > 59)
    s.fail(s.node()["hours"], s.key_path("hours"), fmt::format("expected HH:MM-HH:MM (got '{}')", hours));
  r.hours_from = h1 * 60 + m1;
  r.hours_to = h2 * 60 + m2;
}

// --- Each rule type's settings: one reader per type ------------------------------------
// What a type takes is what its reader reads: the list given in errors is derived from
// it (rule_keys), never written twice.

void read_timing(Section& s, double& min_seconds, double& max_gap_seconds) {
  s.get("min_seconds", min_seconds, non_negative, "must be >= 0");
  s.get("max_gap_seconds", max_gap_seconds, non_negative, "must be >= 0");
}
void read_cooldown(Section& s, double& cooldown_seconds) {
  s.get("cooldown_seconds", cooldown_seconds, non_negative, "must be >= 0");
}

void read_settings(Section& s, LineCrossingRule& r) {
  s.get("line", r.line);
  s.get("direction", r.direction, one_of({"a_to_b", "b_to_a", "both"}), "must be a_to_b, b_to_a or both");
}
void read_settings(Section& s, ZoneDwellRule& r) {
  s.get("zone", r.zone);
  read_timing(s, r.min_seconds, r.max_gap_seconds);
  read_cooldown(s, r.cooldown_seconds);
}
void read_settings(Section& s, CrowdRule& r) {
  s.get("zone", r.zone);
  s.get("min_count", r.min_count, non_negative, "must be >= 0");
  s.get("hysteresis", r.hysteresis, non_negative, "must be >= 0");
  read_timing(s, r.min_seconds, r.max_gap_seconds);
  read_cooldown(s, r.cooldown_seconds);
}
void read_settings(Section& s, GroupRule& r) {
  s.get("min_count", r.min_count, non_negative, "must be >= 0");
  s.get("radius", r.radius, non_negative, "must be >= 0");
  read_timing(s, r.min_seconds, r.max_gap_seconds);
}
void read_settings(Section& s, AbandonedObjectRule& r) {
  s.get("owner_distance", r.owner_distance, non_negative, "must be >= 0");
  read_timing(s, r.min_seconds, r.max_gap_seconds);
  read_cooldown(s, r.cooldown_seconds);
}
void read_level(Section& s, AudioLevel& l) {
  std::string level = "relative";
  s.get("level", level, one_of({"relative", "absolute"}), "must be relative or absolute");
  l.absolute = level == "absolute";
  if (l.absolute && s.node()["above_background_db"])
    s.fail(s.node()["above_background_db"], s.key_path("above_background_db"),
           "applies to level: relative (this rule is level: absolute; use above_db)");
  if (!l.absolute && s.node()["above_db"])
    s.fail(s.node()["above_db"], s.key_path("above_db"),
           "applies to level: absolute (dB SPL, needs a calibrated audio_offset_db); add level: absolute, or use "
           "above_background_db");
  s.get("above_db", l.above_db);
  s.get("above_background_db", l.above_background_db, positive, "must be > 0");
}
void read_settings(Section& s, SustainedSoundRule& r) {
  read_level(s, r.level);
  s.get("min_seconds", r.min_seconds, non_negative, "must be >= 0");
}
void read_settings(Section& s, ImpulseRule& r) {
  read_level(s, r.level);
  s.get("rise_db", r.rise_db, positive, "must be > 0");
  read_cooldown(s, r.cooldown_seconds);
}

}  // namespace

// Every rule type and its settings with the type's defaults, declared once: the reader, the
// list of types in errors and the keys each type takes all derive from it.
const std::map<std::string, RuleSettings>& rule_types() {
  static const std::map<std::string, RuleSettings> types = {
      {"line_crossing", LineCrossingRule{}},
      {"zone_intrusion", ZoneDwellRule{}},
      {"loitering", [] {
         ZoneDwellRule r;
         r.min_seconds = 60;  // a minute's stay, not any entry
         return r;
       }()},
      {"crowd", CrowdRule{}},
      {"group", GroupRule{}},
      {"abandoned_object", AbandonedObjectRule{}},
      // Audio defaults (docs/audio.md): gate above the background (dB) or absolute (dB SPL).
      {"sound_level", SustainedSoundRule{{false, 20, 85}, 1}},
      {"impulse", ImpulseRule{}},
      {"scream", SustainedSoundRule{{false, 15, 75}, 0.3}},
      {"clamour", SustainedSoundRule{{false, 10, 75}, 1}},
  };
  return types;
}

bool is_audio_rule_type(const std::string& type) {
  auto it = rule_types().find(type);
  return it != rule_types().end() &&
         std::visit([](const auto& r) { return requires { r.level; }; }, it->second);
}

std::string rule_place(const RuleConfig& rule) {
  return std::visit(
      [](const auto& r) -> std::string {
        if constexpr (requires { r.zone; }) return r.zone;
        else if constexpr (requires { r.line; }) return r.line;
        else return "";
      },
      rule.settings);
}

const AudioLevel& audio_level(const RuleConfig& rule) {
  return std::visit(
      [](const auto& r) -> const AudioLevel& {
        if constexpr (requires { r.level; }) return r.level;
        else throw std::logic_error("audio_level: not an audio rule");
      },
      rule.settings);
}

namespace {

// What a rule of `type` reads besides `type` and `name`: the engine's own settings for
// video rules (classes, hours), then the type's.
void read_rule_settings(Section& s, RuleConfig& r) {
  if (!is_audio_rule_type(r.type)) {
    s.get("objects", r.objects, [](const auto& v) { return !v.empty(); }, "must not be empty");
    read_hours(s, r);
  }
  std::visit([&](auto& settings) { read_settings(s, settings); }, r.settings);
}

// The keys each type takes, found by reading an empty rule of that type.
const std::map<std::string, std::set<std::string>>& rule_keys() {
  static const auto keys = [] {
    std::map<std::string, std::set<std::string>> out;
    const std::string file = "<rule types>";
    for (const auto& [type, settings] : rule_types()) {
      Section empty(YAML::Node(YAML::NodeType::Map), "", file);
      RuleConfig r;
      r.type = type, r.settings = settings;
      read_rule_settings(empty, r);
      out[type] = empty.taken();
    }
    return out;
  }();
  return keys;
}

// Refuses a setting that `type` does not read, naming those it does.
void refuse_other_types_settings(const Section& s, const std::string& type) {
  const auto& settings = rule_keys().at(type);
  for (const auto& kv : s.node()) {
    const auto key = kv.first.as<std::string>();
    bool known_elsewhere = false;
    for (const auto& [other, keys] : rule_keys()) known_elsewhere |= keys.count(key) > 0;
    if (key == "type" || key == "name" || settings.count(key) || !known_elsewhere) continue;  // unknown: finish() names it
    std::string takes;
    for (const auto& k : settings) takes += (takes.empty() ? "" : ", ") + k;
    s.fail(kv.first, s.key_path(key), fmt::format("is not a setting of {} rules (they take: name, {})", type, takes));
  }
}

// The defaults that depend on the camera: a distance is in metres with a homography (a
// default exists), in pixels without (the file must say).
void set_camera_defaults(RuleConfig& r, const CameraConfig& cam) {
  const bool metric = !cam.homography.empty();
  if (auto* g = std::get_if<GroupRule>(&r.settings)) g->radius = metric ? 1.5 : 0;
  if (auto* a = std::get_if<AbandonedObjectRule>(&r.settings)) a->owner_distance = metric ? 3 : 0;
  if (!is_audio_rule_type(r.type))
    r.objects = r.type == "abandoned_object" ? std::vector<std::string>{"backpack", "handbag", "suitcase"}
                                             : std::vector<std::string>{"person"};
}

// What each type needs that has no default, and the places it names.
void check_rule(Section& s, const RuleConfig& r, const CameraConfig& cam) {
  auto need = [&](bool ok, const char* key, const std::string& what) {
    if (!ok) s.fail(s.node(), s.key_path(key), what);
  };
  auto need_zone = [&](const std::string& zone) {
    need(!zone.empty(), "zone", "is required for " + r.type);
    need(cam.zones.count(zone) > 0, "zone", fmt::format("'{}' is not one of this camera's zones", zone));
  };
  if (auto* z = std::get_if<ZoneDwellRule>(&r.settings)) need_zone(z->zone);
  if (auto* c = std::get_if<CrowdRule>(&r.settings)) {
    need_zone(c->zone);
    need(c->min_count >= 1, "min_count", "is required for crowd (>= 1)");
  }
  if (auto* l = std::get_if<LineCrossingRule>(&r.settings)) {
    need(!l->line.empty(), "line", "is required for line_crossing");
    need(cam.lines.count(l->line) > 0, "line", fmt::format("'{}' is not one of this camera's lines", l->line));
  }
  if (auto* g = std::get_if<GroupRule>(&r.settings)) {
    need(g->min_count >= 2, "min_count", "must be >= 2 for group");
    need(g->radius > 0, "radius", "is required for group when the camera has no homography (pixels)");
  }
  if (auto* a = std::get_if<AbandonedObjectRule>(&r.settings))
    need(a->owner_distance > 0, "owner_distance",
         "is required for abandoned_object when the camera has no homography (pixels)");
}

RuleConfig read_rule(Section s, const CameraConfig& cam) {
  RuleConfig r;
  std::string types;
  for (const auto& [type, settings] : rule_types()) types += (types.empty() ? "" : ", ") + type;
  s.get("type", r.type, [](const std::string& t) { return rule_types().count(t) > 0; },
        fmt::format("must be one of {}", types).c_str());
  if (r.type.empty()) s.fail(s.node(), s.key_path("type"), "is required");
  refuse_other_types_settings(s, r.type);
  r.settings = rule_types().at(r.type);
  set_camera_defaults(r, cam);
  s.get("name", r.name);
  read_rule_settings(s, r);
  check_rule(s, r, cam);
  const std::string place = rule_place(r);
  if (r.name.empty()) r.name = r.type + (place.empty() ? "" : ":" + place);
  s.finish();
  return r;
}

// A camera that reads plates is a scancar's and nothing else: any other setting is refused.
void read_plates(Section& s, CameraConfig& c) {
  Section p = s.child("plates");
  p.get("read", c.plates.read);
  p.get("models", c.plates.models, [](const std::string& v) { return !v.empty(); }, "must name a folder");
  p.get("max_lines", c.plates.max_lines, [](int v) { return v >= 1 && v <= 10; }, "must be from 1 to 10");
  p.get("min_confidence", c.plates.min_confidence, [](double v) { return v >= kPlateCandidateFloor && v <= 1; },
        "must be from 0.9 (the reader's measured safe floor, decision 83) to 1");
  p.finish();
  for (const char* key : {"models", "max_lines", "min_confidence"})
    if (!c.plates.read && p.node().IsMap() && p.node()[key])
      p.fail(p.node()[key], p.key_path(key), "applies only to a camera with plates: {read: true}");
  if (!c.plates.read) return;
  for (const auto& kv : s.node())
    if (kv.first.as<std::string>() != "plates")
      s.fail(kv.first, s.key_path(kv.first.as<std::string>()),
             "a camera that reads plates is a scancar's: its photos come with each round (vigie scancar ingest), "
             "so it takes no other setting than plates");
}

CameraConfig read_camera(Section s, const std::string& name, const Config& site) {
  CameraConfig c = site_camera(site, name);
  read_plates(s, c);
  read_motion_gate(s.child("motion_gate"), c.motion_gate);
  read_detect(s.child("detect"), c.detect);
  read_track(s.child("track"), c.track);
  s.get("input", c.input, [](const std::string& v) { return valid_input(v); },
        "must be a file, an image folder or a stream URL (rtsp, rtsps, rtmp, http, https, udp, tcp, srt, file)");
  s.get("analyze_fps", c.analyze_fps, non_negative, "must be >= 0 (0 analyses every frame)");
  s.get("record", c.record);
  s.get("telemetry", c.telemetry, [](std::string v) {
    std::transform(v.begin(), v.end(), v.begin(), [](unsigned char ch) { return std::tolower(ch); });
    return v.ends_with(".srt") || v.ends_with(".gpx") || v.ends_with(".csv");
  }, "must be a .srt, .gpx or .csv track");
  s.get("audio_offset_db", c.audio_offset_db);
  {
    Section g = s.child("geo");
    c.geo.set = g.node().IsDefined() && g.node().IsMap();
    g.get("lat", c.geo.lat, [](double v) { return v >= -90 && v <= 90; }, "must be in [-90, 90]");
    g.get("lon", c.geo.lon, [](double v) { return v >= -180 && v <= 180; }, "must be in [-180, 180]");
    g.get("heading", c.geo.heading_deg, [](double v) { return v >= 0 && v < 360; }, "must be in [0, 360)");
    g.get("fov", c.geo.fov_deg, [](double v) { return v > 0 && v <= 360; }, "must be in (0, 360]");
    g.get("range", c.geo.range_m, positive, "must be > 0");
    g.finish();
  }
  const YAML::Node masks = s.take("privacy_masks");
  if (masks) {
    const std::string path = s.key_path("privacy_masks");
    if (!masks.IsSequence()) s.fail(masks, path, "must be a list of polygons");
    for (size_t i = 0; i < masks.size(); ++i)
      c.privacy_masks.push_back(read_polygon(s, masks[i], fmt::format("{}[{}]", path, i)));
  }
  const YAML::Node h = s.take("homography");
  if (h) {
    if (!h.IsSequence() || h.size() != 3) s.fail(h, s.key_path("homography"), "must be 3 rows of 3 numbers");
    for (const auto& row : h) {
      if (!row.IsSequence() || row.size() != 3) s.fail(row, s.key_path("homography"), "must be 3 rows of 3 numbers");
      for (const auto& v : row) c.homography.push_back(v.as<double>());
    }
  }
  const YAML::Node zones = s.take("zones");
  if (zones) {
    if (!zones.IsMap()) s.fail(zones, s.key_path("zones"), "must map zone names to polygons");
    for (const auto& kv : zones) {
      const auto zone = kv.first.as<std::string>();
      c.zones[zone] = read_polygon(s, kv.second, s.key_path("zones." + zone));
    }
  }
  Section lines = s.child("lines");
  if (lines.node().IsDefined() && lines.node().IsMap()) {
    for (const auto& kv : lines.node()) {
      const auto line = kv.first.as<std::string>();
      c.lines[line] = read_line(lines.child(line));
    }
  }
  lines.finish();
  const YAML::Node rules = s.take("rules");
  if (rules) {
    if (!rules.IsSequence()) s.fail(rules, s.key_path("rules"), "must be a list of rules");
    for (size_t i = 0; i < rules.size(); ++i) {
      Section rule(rules[i], fmt::format("{}[{}]", s.key_path("rules"), i), s.file());
      c.rules.push_back(read_rule(rule, c));
      for (size_t j = 0; j + 1 < c.rules.size(); ++j)
        if (c.rules[j].name == c.rules.back().name)
          rule.fail(rules[i], rule.key_path("name"),
                    fmt::format("'{}' is already used by rule {}: give each rule its own name", c.rules[j].name, j));
    }
  }
  s.finish();
  return c;
}

}  // namespace

namespace {

Config read_config(const YAML::Node& root, const std::string& name) {
  Config config;
  Section top(root, "", name);
  {
    Section s = top.child("store");
    s.get("path", config.store.path, [](const std::string& v) { return !v.empty(); }, "must not be empty");
    s.get("media", config.store.media, [](const std::string& v) { return !v.empty(); }, "must not be empty");
    s.get("outbox", config.store.outbox, [](const std::string& v) { return !v.empty(); }, "must not be empty");
    s.get("retention_days", config.store.retention_days, positive, "must be > 0");
    s.get("parking_photo_hours", config.store.parking_photo_hours, positive, "must be > 0");
    s.get("clip_pre_s", config.store.clip_pre_s, non_negative, "must be >= 0");
    s.get("clip_post_s", config.store.clip_post_s, non_negative, "must be >= 0");
    s.get("audit_key", config.store.audit_key, [](const std::string& v) { return !v.empty(); }, "must name a file");
    s.get(
        "url", config.store.url,
        [](const std::string& v) { return v.rfind("postgresql://", 0) == 0 || v.rfind("postgres://", 0) == 0; },
        "must be a PostgreSQL URL (postgresql://user@host:port/database)");
    s.finish();
  }
  {
    Section s = top.child("recording");
    s.get("folder", config.recording.folder, [](const std::string& v) { return !v.empty(); }, "must not be empty");
    s.get("segment_seconds", config.recording.segment_seconds, [](double v) { return v >= 2 && v <= 600; },
          "must be from 2 to 600");
    s.get("retention_days", config.recording.retention_days, [](double v) { return v > 0 && v <= 30; },
          "must be > 0 and at most 30 (the legal maximum for video-protection recordings in France)");
    s.get("quota_gb", config.recording.quota_gb, non_negative, "must be >= 0 (0: no quota)");
    s.get("key", config.recording.key, [](const std::string& v) { return !v.empty(); }, "must name a file");
    s.finish();
  }
  {
    Section s = top.child("mqtt");
    s.get("host", config.mqtt.host, [](const std::string& v) { return !v.empty(); }, "must not be empty");
    s.get("port", config.mqtt.port, [](int v) { return v > 0 && v < 65536; }, "must be a port number");
    s.get("topic_prefix", config.mqtt.topic_prefix,
          [](const std::string& v) { return !v.empty() && v.find_first_of("#+") == std::string::npos; },
          "must be a topic without wildcards");
    s.get("client_id", config.mqtt.client_id);
    s.finish();
  }
  read_motion_gate(top.child("motion_gate"), config.motion_gate);
  {
    Section s = top.child("static_foreground");
    auto& c = config.static_foreground;
    s.get("work_width", c.work_width, [](int v) { return v >= 32; }, "must be >= 32");
    s.get("threshold", c.threshold, [](int v) { return v > 0 && v < 256; }, "must be in 1..255");
    s.get("short_memory_s", c.short_memory_s, positive, "must be > 0");
    s.get("long_memory_s", c.long_memory_s, positive, "must be > 0");
    s.get("min_static_s", c.min_static_s, non_negative, "must be >= 0");
    s.get("min_area", c.min_area, unit, "must be in [0, 1]");
    s.get("max_area", c.max_area, unit, "must be in [0, 1]");
    s.finish();
    if (c.long_memory_s <= c.short_memory_s)
      s.fail(s.node(), "static_foreground.long_memory_s", "must be longer than short_memory_s");
  }
  read_city(top.child("city"), config.city);
  {
    Section s = top.child("server");
    auto& c = config.server;
    s.get("listen", c.listen, [](const std::string& v) { return valid_listen(v); },
          "must be host:port with a port from 0 to 65535");
    s.get("web_root", c.web_root);
    s.get("session_hours", c.session_hours, positive, "must be > 0");
    s.get("login_attempts", c.login_attempts, positive, "must be >= 1");
    s.get("login_window_s", c.login_window_s, positive, "must be > 0");
    s.get("reconnect_max_s", c.reconnect_max_s, positive, "must be > 0");
    s.get("city_layers", c.city_layers);
    s.get("risk_layer", c.risk_layer);
    s.get("basemap", c.basemap);
    {
      Section tls = s.child("tls");
      tls.get("cert", c.tls_cert, [](const std::string& v) { return !v.empty(); }, "must name a PEM file");
      tls.get("key", c.tls_key, [](const std::string& v) { return !v.empty(); }, "must name a PEM file");
      tls.finish();
      if (c.tls_cert.empty() != c.tls_key.empty())
        tls.fail(tls.node(), "server.tls", "needs both cert and key");
    }
    s.get("max_connections", c.max_connections, positive, "must be >= 1");
    s.get("max_connections_per_address", c.max_connections_per_address, positive, "must be >= 1");
    s.get("request_timeout_s", c.request_timeout_s, positive, "must be > 0");
    s.get("max_body_kb", c.max_body_kb, [](int v) { return v >= 1 && v <= 1024 * 1024; }, "must be in 1..1048576");
    s.get("max_streams", c.max_streams, positive, "must be >= 1");
    s.get("max_streams_per_user", c.max_streams_per_user, positive, "must be >= 1");
    s.get("trusted_proxies", c.trusted_proxies);
    s.finish();
  }
  {
    Section s = top.child("cluster");
    auto& c = config.cluster;
    s.get("role", c.role, [](const std::string& v) { return v == "all" || v == "worker" || v == "api"; },
          "must be all, worker or api");
    s.get("node", c.node, [](const std::string& v) { return !v.empty() && v.size() <= 64; }, "must be 1 to 64 characters");
    s.get("advertise", c.advertise, [](const std::string& v) { return v.rfind("http://", 0) == 0 || v.rfind("https://", 0) == 0; },
          "must be an http:// or https:// URL");
    s.get("lease_s", c.lease_s, [](double v) { return v >= 2 && v <= 3600; }, "must be in 2..3600");
    s.get("claim_grace_s", c.claim_grace_s, non_negative, "must be >= 0");
    s.finish();
  }
  read_detect(top.child("detect"), config.detect);
  read_track(top.child("track"), config.track);
  Section cams = top.child("cameras");
  if (cams.node().IsDefined() && cams.node().IsMap()) {
    for (const auto& kv : cams.node()) {
      const auto cam = kv.first.as<std::string>();
      // A camera's name names its folders (media, outbox, recordings): a file name of
      // its own, never a path.
      const bool safe = !cam.empty() && cam.size() <= 64 && cam[0] != '.' && cam[0] != '-' &&
                        std::all_of(cam.begin(), cam.end(), [](unsigned char ch) {
                          return std::isalnum(ch) || ch == '-' || ch == '_' || ch == '.';
                        });
      if (!safe)
        cams.fail(kv.first, cams.key_path(cam),
                  "a camera's name is 1 to 64 letters, digits, '-', '_' or '.', not starting with '.' or '-'");
      config.cameras[cam] = read_camera(cams.child(cam), cam, config);
    }
  }
  cams.finish();
  top.finish();
  validate(config);
  return config;
}

}  // namespace

Config parse_config(const std::string& yaml_text, const std::string& name) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::Exception& e) {
    throw ConfigError(fmt::format("{}:{}: invalid YAML: {}", name, e.mark.line + 1, e.msg));
  }
  // A value of the wrong shape read outside Section::get (a point, a map key) still
  // becomes a config error with its line, never a yaml-cpp exception (found by fuzzing).
  try {
    return read_config(root, name);
  } catch (const YAML::Exception& e) {
    throw ConfigError(fmt::format("{}:{}: {}", name, e.mark.line + 1, e.msg));
  }
}

Config load_config(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ConfigError(fmt::format("cannot read config file '{}'", path));
  std::stringstream text;
  text << in.rdbuf();
  Config config = parse_config(text.str(), path);
  // Files the config names are relative to the config file, as in other tools' configs;
  // what vigie writes (store.path, store.media) is relative to where it runs.
  const auto base = std::filesystem::path(path).parent_path();
  auto anchor = [&](std::string& p) {
    if (!p.empty() && std::filesystem::path(p).is_relative() && p.find("://") == std::string::npos)
      p = (base / p).lexically_normal().string();
  };
  anchor(config.detect.model);
  anchor(config.detect.detections);
  anchor(config.server.web_root);
  anchor(config.server.city_layers);
  anchor(config.server.risk_layer);
  anchor(config.server.basemap);
  anchor(config.server.tls_cert);
  anchor(config.server.tls_key);
  for (auto& [name, cam] : config.cameras) {
    anchor(cam.input), anchor(cam.telemetry), anchor(cam.plates.models);
    anchor(cam.detect.model), anchor(cam.detect.detections);
  }
  return config;
}

size_t streaming_cameras(const Config& config) {
  return std::count_if(config.cameras.begin(), config.cameras.end(), [](const auto& kv) { return kv.second.streams(); });
}

CameraConfig site_camera(const Config& config, const std::string& name) {
  CameraConfig camera;
  camera.name = name;
  camera.motion_gate = config.motion_gate;
  camera.detect = config.detect;
  camera.track = config.track;
  return camera;
}

std::pair<std::string, int> split_listen(const std::string& listen) {
  if (!valid_listen(listen))
    throw ConfigError(fmt::format("server.listen: must be host:port with a port from 0 to 65535 (got '{}')", listen));
  const auto colon = listen.rfind(':');
  std::string host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);  // [::1]
  return {host, std::stoi(listen.substr(colon + 1))};
}

std::filesystem::path beside_store(const StoreConfig& store, const std::string& folder) {
  std::filesystem::path p = folder;
  if (p.is_relative() && store.url.empty()) p = std::filesystem::path(store.path).parent_path() / p;
  std::error_code ec;
  auto absolute = std::filesystem::absolute(p, ec);
  return ec ? p : absolute.lexically_normal();
}

std::string recording_key_path(const Config& config) {
  return !config.recording.key.empty() ? config.recording.key : config.store.path + ".recording-key";
}

void validate(const Config& c) {
  split_listen(c.server.listen);  // also when --listen replaced the file's value
  const bool records = std::any_of(c.cameras.begin(), c.cameras.end(), [](const auto& kv) { return kv.second.record; });
  if (records && !c.store.url.empty() && c.recording.key.empty())
    throw ConfigError("recording.key: required with store.url and a camera with record: true (the recordings' "
                      "master key file; a server has no folder beside it)");
  if (!c.store.url.empty() && c.store.audit_key.empty())
    throw ConfigError("store.audit_key: required with store.url (a server has no folder beside it for the audit "
                      "log's key)");
  if (c.cluster.role != "all" && c.store.url.empty())
    throw ConfigError(fmt::format("cluster.role: {} needs a PostgreSQL store (store.url); an SQLite file serves one "
                                  "machine (role all)", c.cluster.role));
  if (c.cluster.role != "all" && c.cluster.role != "worker" && c.cluster.role != "api")
    throw ConfigError(fmt::format("cluster.role: must be all, worker or api (got '{}')", c.cluster.role));
  validate_camera(site_camera(c, ""));  // the site's sections, which cameras start from
  for (const auto& [name, camera] : c.cameras) validate_camera(camera);
}

void validate_camera(const CameraConfig& c) {
  if (!c.streams()) return;  // a scancar's camera has no detector
  // Named as the camera's own section when it has a name from the file, else the site's.
  const std::string at = c.name.empty() ? "" : fmt::format("cameras.{}: ", c.name);
  if (c.detect.type == "onnx" && c.detect.model.empty())
    throw ConfigError(at + "detect.model: required when detect.type is onnx (path to an .onnx file)");
  if (c.detect.type == "replay" && c.detect.detections.empty())
    throw ConfigError(at + "detect.detections: required when detect.type is replay (a det.txt file)");
  if (c.track.new_track_score < c.track.high_score)
    throw ConfigError(fmt::format("{}track.new_track_score ({}) must be >= track.high_score ({})", at,
                                  c.track.new_track_score, c.track.high_score));
  if (c.detect.type == "onnx" && c.detect.regions != "full" && !c.motion_gate.enabled)
    throw ConfigError(fmt::format("{}detect.regions: {} looks where the motion gate sees motion; it needs "
                                  "motion_gate.enabled (or regions: full)", at, c.detect.regions));
  if (c.detect.type == "onnx" && c.detect.score_threshold > c.track.high_score)
    throw ConfigError(fmt::format(
        "{}detect.score_threshold ({}) must be <= track.high_score ({}), or no detection could start a track", at,
        c.detect.score_threshold, c.track.high_score));
}

}  // namespace vigie
