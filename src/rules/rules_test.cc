// Rules as data: each file in testdata/ holds a camera config, tracks (waypoints,
// interpolated at `fps`) and the alerts expected — start and end events only.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <map>
#include <set>

#include "rules/passages.h"
#include "rules/rules.h"

namespace vigie::rules {
namespace {

struct Scenario {
  Config config;
  double fps = 10, duration = 0;
  struct Track {
    int id;
    std::string label;
    float w, h, jitter;
    std::vector<std::array<double, 3>> path;     // t, foot x, foot y
    std::vector<std::pair<double, double>> hidden;
  };
  std::vector<Track> tracks;
  struct Blob {
    int id;
    Box box;
    double from, to;
  };
  std::vector<Blob> static_objects;
  std::vector<std::string> expect;
};

Scenario load(const std::string& name) {
  const auto path = std::filesystem::path(VIGIE_SOURCE_DIR) / "src/rules/testdata" / name;
  const YAML::Node root = YAML::LoadFile(path.string());
  Scenario s;
  YAML::Emitter config;
  config << root["config"];
  s.config = parse_config(config.c_str(), name);
  s.fps = root["fps"] ? root["fps"].as<double>() : 10;
  for (const auto& t : root["tracks"]) {
    Scenario::Track tr{t["id"].as<int>(), t["label"] ? t["label"].as<std::string>() : "person",
                       t["size"] ? t["size"][0].as<float>() : 20.f, t["size"] ? t["size"][1].as<float>() : 50.f,
                       t["jitter"] ? t["jitter"].as<float>() : 0.f, {}, {}};
    for (const auto& p : t["path"]) tr.path.push_back({p[0].as<double>(), p[1].as<double>(), p[2].as<double>()});
    for (const auto& h : t["hidden"]) tr.hidden.emplace_back(h[0].as<double>(), h[1].as<double>());
    s.duration = std::max(s.duration, tr.path.back()[0]);
    s.tracks.push_back(tr);
  }
  for (const auto& b : root["static_objects"]) {
    s.static_objects.push_back({b["id"].as<int>(),
                                {b["box"][0].as<float>(), b["box"][1].as<float>(), b["box"][2].as<float>(), b["box"][3].as<float>()},
                                b["from"].as<double>(), b["to"].as<double>()});
    s.duration = std::max(s.duration, b["to"].as<double>());
  }
  if (root["duration"]) s.duration = root["duration"].as<double>();
  for (const auto& e : root["expect"]) s.expect.push_back(e.as<std::string>());
  return s;
}

std::optional<Object> position(const Scenario::Track& t, double time, int frame) {
  if (time < t.path.front()[0] - 1e-9 || time > t.path.back()[0] + 1e-9) return std::nullopt;
  for (const auto& [a, b] : t.hidden)
    if (time >= a - 1e-9 && time < b - 1e-9) return std::nullopt;
  size_t i = 0;
  while (i + 2 < t.path.size() && time > t.path[i + 1][0]) ++i;
  const auto& p = t.path[i];
  const auto& q = t.path[std::min(i + 1, t.path.size() - 1)];
  const double u = q[0] > p[0] ? std::clamp((time - p[0]) / (q[0] - p[0]), 0.0, 1.0) : 0.0;
  float x = static_cast<float>(p[1] + u * (q[1] - p[1])), y = static_cast<float>(p[2] + u * (q[2] - p[2]));
  y += (frame % 2 ? t.jitter : -t.jitter);  // deterministic jitter across the line
  return Object{t.id, t.label, {x - t.w / 2, y - t.h, t.w, t.h}};
}

std::string show(const AlertEvent& e) {
  std::string ids;
  for (int id : e.track_ids) ids += (ids.empty() ? "" : ",") + std::to_string(id);
  return fmt::format("{} {} {:.1f} [{}]{}", e.rule, phase_name(e.phase), e.time_s, ids,
                     e.detail.empty() ? "" : " " + e.detail);
}

// Every event of the scenario, as the engine gave them; `finished` counts those that the
// end of the stream gave (they come last).
std::vector<AlertEvent> events(const Scenario& s, IdSource ids = {}, size_t* finished = nullptr) {
  Engine engine(s.config.cameras.begin()->second, std::move(ids));
  std::vector<AlertEvent> out;
  const int frames = static_cast<int>(std::lround(s.duration * s.fps));
  double t = 0;
  for (int f = 0; f <= frames; ++f) {
    t = f / s.fps;
    FrameInput in;
    in.frame_index = f;
    in.time_s = t;
    in.epoch_s = 1e9 + t;
    for (const auto& tr : s.tracks)
      if (auto o = position(tr, t, f)) in.objects.push_back(*o);
    for (const auto& b : s.static_objects)
      if (t >= b.from - 1e-9 && t <= b.to + 1e-9) in.static_objects.push_back({b.id, b.box, b.from});
    for (auto& e : engine.update(in)) out.push_back(std::move(e));
  }
  auto last = engine.finish(t, 1e9 + t);
  if (finished) *finished = last.size();
  for (auto& e : last) out.push_back(std::move(e));
  return out;
}

std::vector<std::string> run(const Scenario& s) {
  size_t finished = 0;
  const auto all = events(s, {}, &finished);
  std::vector<std::string> out;
  for (size_t i = 0; i < all.size(); ++i)
    if (all[i].phase != Phase::kUpdate) out.push_back(show(all[i]) + (i + finished >= all.size() ? " (stream end)" : ""));
  return out;
}

class RuleScenario : public ::testing::TestWithParam<std::string> {};

TEST_P(RuleScenario, ProducesTheExpectedAlerts) {
  setenv("TZ", "UTC", 1);  // active hours are local time
  tzset();
  const Scenario s = load(GetParam());
  EXPECT_EQ(run(s), s.expect);
}

INSTANTIATE_TEST_SUITE_P(Testdata, RuleScenario,
                         ::testing::Values("line_crossing_directions.yaml", "line_jitter.yaml",
                                           "line_around_the_end.yaml", "zone_reentry.yaml", "loitering_gaps.yaml",
                                           "group_splits.yaml", "crowd_hysteresis.yaml",
                                           "abandoned_picked_up.yaml", "abandoned_static_blob.yaml", "zone_handover.yaml",
                                           "night_only.yaml"),
                         [](const auto& info) {
                           std::string n = info.param.substr(0, info.param.find('.'));
                           return n;
                         });

// The defect: ids were "camera/rule/N" with N from 1 in every run, so a second run on the
// same store collided with the first (UNIQUE constraint failed: alerts.id).
TEST(AlertIds, TwoRunsOfTheSameScenarioNeverShareAnAlertId) {
  const Scenario s = load("loitering_gaps.yaml");
  std::set<std::string> seen;
  int starts = 0;
  for (int run = 0; run < 2; ++run) {
    std::map<std::string, int> phases;  // id -> events seen with it
    for (const auto& e : events(s)) {
      if (e.phase == Phase::kStart) {
        ++starts;
        EXPECT_TRUE(seen.insert(e.alert_id).second) << e.alert_id << " reused";
        EXPECT_EQ(e.alert_id.size(), 36u) << e.alert_id;  // a UUID by default
      } else {
        EXPECT_TRUE(seen.count(e.alert_id)) << "an update or end under an id that never started";
      }
    }
  }
  EXPECT_GE(starts, 2);
}

TEST(AlertIds, AnInjectedSourceNamesEachAlertOnceForItsWholeLife) {
  const Scenario s = load("zone_handover.yaml");
  int n = 0;
  std::map<std::string, std::vector<Phase>> life;
  for (const auto& e : events(s, [&n] { return "id-" + std::to_string(++n); })) life[e.alert_id].push_back(e.phase);
  ASSERT_EQ(static_cast<int>(life.size()), n);
  for (const auto& [id, phases] : life) {
    EXPECT_EQ(phases.front(), Phase::kStart) << id;
    EXPECT_EQ(phases.back(), Phase::kEnd) << id;
    EXPECT_EQ(std::count(phases.begin(), phases.end(), Phase::kStart), 1) << id;
  }
}

// What a PassageLog recorded for each track over the scenario: "zone yard 1.0",
// "line door a_to_b 2.1", in the order they happened.
std::map<int, std::vector<std::string>> passages(const Scenario& s) {
  PassageLog log(s.config.cameras.begin()->second);
  const int frames = static_cast<int>(std::lround(s.duration * s.fps));
  for (int f = 0; f <= frames; ++f) {
    std::vector<Object> objects;
    for (const auto& tr : s.tracks)
      if (auto o = position(tr, f / s.fps, f)) objects.push_back(*o);
    log.update(objects, f / s.fps);
  }
  std::map<int, std::vector<std::string>> out;
  for (const auto& tr : s.tracks) {
    const TrackPassages p = log.take(tr.id);
    for (const auto& z : p.zones) out[tr.id].push_back(fmt::format("zone {} {:.1f}", z.name, z.time_s));
    for (const auto& l : p.crossed)
      out[tr.id].push_back(fmt::format("line {} {} {:.1f}", l.name, l.direction, l.time_s));
    EXPECT_TRUE(log.take(tr.id).zones.empty()) << "a track's passages are taken once";
  }
  return out;
}

// Search finds the tracks a line_crossing rule counts: the same sides, the same margin.
TEST(Passages, LinesCrossedAreTheRulesCrossingsWithTheirDirection) {
  using V = std::vector<std::string>;
  const auto crossing = passages(load("line_crossing_directions.yaml"));
  EXPECT_EQ(crossing.at(1), V{"line door a_to_b 2.1"});
  EXPECT_EQ(crossing.at(2), V{"line door b_to_a 2.1"});
  // Track 1 jitters along the line, track 2 crosses it; track 1 of the other walks past
  // the line's end, track 2 through it.
  const auto jitter = passages(load("line_jitter.yaml"));
  EXPECT_EQ(jitter.count(1), 0u) << "jitter on the line is no crossing";
  EXPECT_EQ(jitter.at(2), V{"line door a_to_b 2.1"});
  const auto around = passages(load("line_around_the_end.yaml"));
  EXPECT_EQ(around.count(1), 0u) << "around the end is no crossing";
  EXPECT_EQ(around.at(2), V{"line gate a_to_b 2.1"});
}

TEST(Passages, ZonesVisitedOnceEachWithTheFirstEntry) {
  // Enters the yard at 1.0, leaves, comes back: one visit, at the first entry.
  const auto visits = passages(load("zone_reentry.yaml"));
  EXPECT_EQ(visits.at(1), std::vector<std::string>{"zone yard 1.0"});
}

TEST(Passages, ACameraWithoutZonesOrLinesKeepsNothing) {
  CameraConfig camera;
  PassageLog log(camera);
  EXPECT_TRUE(log.empty());
  log.update({Object{1, "person", {0, 0, 10, 20}}}, 0);
  EXPECT_TRUE(log.take(1).zones.empty());
}

TEST(ActiveHours, WrapPastMidnight) {
  RuleConfig r;
  r.hours_from = 22 * 60, r.hours_to = 6 * 60;
  std::tm tm{};
  tm.tm_year = 126, tm.tm_mon = 0, tm.tm_mday = 10, tm.tm_isdst = -1;
  auto at = [&](int h) {
    tm.tm_hour = h, tm.tm_min = 0, tm.tm_sec = 0;
    return static_cast<double>(std::mktime(&tm));
  };
  EXPECT_TRUE(active_at(r, at(23)));
  EXPECT_TRUE(active_at(r, at(3)));
  EXPECT_FALSE(active_at(r, at(12)));
}

TEST(Config, RuleReferencingAMissingZoneIsRefused) {
  try {
    parse_config("cameras: { a: { input: x, rules: [ { type: loitering, zone: nowhere } ] } }", "s.yaml");
    FAIL() << "accepted a rule on a missing zone";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("'nowhere' is not one of this camera's zones"), std::string::npos) << e.what();
  }
}

TEST(Config, GroupWithoutHomographyNeedsARadius) {
  EXPECT_THROW(parse_config("cameras: { a: { input: x, rules: [ { type: group } ] } }"), ConfigError);
  EXPECT_NO_THROW(parse_config("cameras: { a: { input: x, rules: [ { type: group, radius: 40 } ] } }"));
}

}  // namespace
}  // namespace vigie::rules
