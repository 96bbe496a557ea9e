// `vigie drone check` on a flight made by scripts/make-flight: exactly the minutes the
// script says leave the authorisation are flagged (and audited), and bad files are named.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

#include "core/test_data.h"
#include "run.h"

namespace vigie::testing {
namespace {
namespace fs = std::filesystem;
using ::testing::HasSubstr;

TEST(DroneCli, AFlightLeavingItsPerimeterAndTimeIsFlaggedMinuteByMinute) {
  const auto dir = fresh_temp_dir("drone_flight");
  const auto made = run(std::string(VIGIE_SOURCE_DIR) + "/scripts/make-flight " + dir.string());
  ASSERT_EQ(made.code, 0) << made.err;
  std::vector<double> expected;
  std::stringstream lines(made.out);
  for (double m; lines >> m;) expected.push_back(m);
  ASSERT_EQ(expected.size(), 2u);  // the last two minutes: out of the square, then out of time
  const std::string db = (dir / "v.db").string();
  const auto c = run(vigie_bin() + " drone check --json --telemetry " + (dir / "flight.csv").string() +
                     " --authorisation " + (dir / "authorisation.json").string() + " --geojson " +
                     (dir / "flight.geojson").string() + " --store " + db);
  EXPECT_EQ(c.code, 1) << c.err;  // something was flagged
  const auto j = nlohmann::json::parse(c.out);
  std::vector<double> flagged;
  for (const auto& m : j["flagged"]) flagged.push_back(m["minute_epoch"]);
  EXPECT_EQ(flagged, expected);
  EXPECT_TRUE(j["flagged"][0]["outside_perimeter"].get<bool>());
  EXPECT_FALSE(j["flagged"][0]["outside_time"].get<bool>());
  EXPECT_TRUE(j["flagged"][1]["outside_time"].get<bool>());
  EXPECT_EQ(j["minutes"], 12);
  EXPECT_NEAR(j["distance_m"].get<double>(), 100 + 100 + 200 + 200 + 200 + 100 + 500, 10);
  // Each flagged minute is in the audit log, with the order's reference.
  EXPECT_EQ(run("sqlite3 " + db + " \"SELECT COUNT(*) FROM audit_log WHERE action = 'drone_outside_authorisation' "
                "AND detail LIKE '%PP-2026-0417%'\"").out,
            "2\n");
  // The GeoJSON for a map: footprints with their times, the track, the swept ground.
  const auto g = nlohmann::json::parse(slurp(dir / "flight.geojson"));
  EXPECT_GT(g["features"].size(), 100u);
  EXPECT_EQ(g["features"].back()["properties"]["kind"], "swept");
}

// The drone's video (a street clip stands in for it) analysed with the subtitle file the
// drone wrote beside it: the alerts are dated by the flight and carry where the drone was
// when each was raised; the flight is registered with its order and its video.
TEST(DroneCli, AFlightIsRegisteredAndItsVideosAlertsCarryWhereTheDroneWas) {
  const std::string video = vtest_avi();
  if (video.empty()) GTEST_SKIP() << "no vtest.avi (Debian opencv-doc)";
  const auto dir = fresh_temp_dir("drone_video");
  ASSERT_EQ(run(std::string(VIGIE_SOURCE_DIR) + "/scripts/make-flight " + dir.string() + " --video-seconds 20").code, 0);
  const auto clip = dir / "clip.avi";
  ASSERT_EQ(run("ffmpeg -loglevel error -y -i " + video + " -t 20 -c copy " + clip.string()).code, 0);
  const std::string db = (dir / "v.db").string();
  const std::string check = vigie_bin() + " drone check --json --telemetry " + (dir / "flight.csv").string() +
                            " --authorisation " + (dir / "authorisation.json").string() + " --store " + db +
                            " --camera drone-1 --video " + clip.string();
  const auto first = run(check);
  ASSERT_EQ(first.code, 1) << first.err;
  const std::string id = nlohmann::json::parse(first.out)["flight"];
  EXPECT_EQ(run("sqlite3 " + db + " \"SELECT camera, reference, minutes, flagged_minutes, video FROM drone_flights WHERE id = '" +
                id + "'\"").out,
            "drone-1|PP-2026-0417|12|2|" + clip.string() + "\n");
  // Checked again: the same flight, not registered nor audited twice.
  EXPECT_EQ(nlohmann::json::parse(run(check).out)["flight"], id);
  EXPECT_EQ(run("sqlite3 " + db + " \"SELECT COUNT(*) FROM drone_flights\"").out, "1\n");
  EXPECT_EQ(run("sqlite3 " + db + " \"SELECT COUNT(*) FROM audit_log WHERE action IN ('drone_flight', "
                "'drone_outside_authorisation') AND detail LIKE '%" + id + "%'\"").out,
            "3\n");

  std::ofstream(dir / "drone.yaml") << "detect: {type: people, classes: [person]}\n"
                                    << "store: {path: " << db << "}\ncameras:\n  drone-1:\n    input: " << clip.string()
                                    << "\n    telemetry: " << (dir / "flight.srt").string() << "\n    analyze_fps: 5\n"
                                    << "    zones: {east: [[560, 120], [768, 120], [768, 480], [560, 480]]}\n"
                                    << "    rules: [{type: zone_intrusion, zone: east, objects: [person], min_seconds: 1}]\n";
  const auto analysed = run(vigie_bin() + " analyze --quiet --config " + (dir / "drone.yaml").string());
  ASSERT_EQ(analysed.code, 0) << analysed.err;
  // Where the drone was at each tenth of a second, read from its subtitles here.
  std::map<long, std::pair<double, double>> at;
  {
    std::ifstream srt(dir / "flight.srt");
    std::string line;
    long tenth = -1;
    while (std::getline(srt, line)) {
      if (line.find(" --> ") != std::string::npos)
        tenth = std::stol(line.substr(3, 2)) * 600 + std::stol(line.substr(6, 2)) * 10 + std::stol(line.substr(9, 1));
      const auto lat = line.find("[latitude: "), lon = line.find("[longitude: ");
      if (lat != std::string::npos) at[tenth] = {std::stod(line.substr(lat + 11)), std::stod(line.substr(lon + 12))};
    }
  }
  ASSERT_EQ(at.size(), 200u);
  const auto alerts = nlohmann::json::parse(run(vigie_bin() + " alerts list --json --store " + db).out)["alerts"];
  ASSERT_GE(alerts.size(), 3u);
  const double flight_start = 1796119200;  // make-flight's default
  for (const auto& a : alerts) {
    const double raised = a["stream_raised_s"];
    const auto where = at.at(std::lround(raised * 10));
    EXPECT_NEAR(a["lat"].get<double>(), where.first, 2e-7) << a.dump();
    EXPECT_NEAR(a["lon"].get<double>(), where.second, 2e-7) << a.dump();
    EXPECT_GE(a["start_epoch"].get<double>(), flight_start);
    EXPECT_LE(a["start_epoch"].get<double>(), flight_start + 20);
  }
  // A track that does not open is named with the camera.
  std::ofstream(dir / "bad.srt") << "1\n00:00:00,000 --> 00:00:00,100\nno position here\n";
  std::ofstream(dir / "bad.yaml") << "store: {path: " << db << "}\ncameras:\n  drone-1:\n    input: " << clip.string()
                                  << "\n    telemetry: " << (dir / "bad.srt").string()
                                  << "\n    zones: {east: [[0, 0], [9, 0], [9, 9]]}\n"
                                  << "    rules: [{type: zone_intrusion, zone: east}]\n";
  const auto bad = run(vigie_bin() + " analyze --quiet --config " + (dir / "bad.yaml").string());
  EXPECT_EQ(bad.code, 2);
  EXPECT_THAT(bad.err, HasSubstr("camera drone-1: telemetry"));
  EXPECT_THAT(bad.err, HasSubstr("bad.srt"));
  // A track timed from the flight's start, not dated, would date the video in 1970.
  std::ofstream(dir / "relative.csv") << "time,lat,lon\n0,48.1372,11.5754\n1,48.1373,11.5754\n";
  std::string yaml = slurp(dir / "bad.yaml");
  yaml.replace(yaml.find((dir / "bad.srt").string()), (dir / "bad.srt").string().size(), (dir / "relative.csv").string());
  std::ofstream(dir / "relative.yaml") << yaml;
  const auto relative = run(vigie_bin() + " analyze --quiet --config " + (dir / "relative.yaml").string());
  EXPECT_EQ(relative.code, 2);
  EXPECT_THAT(relative.err, HasSubstr("times from the start, not dates"));
}

TEST(DroneCli, BadFilesAreExit2WithTheCause) {
  const auto dir = fresh_temp_dir("drone_bad");
  ASSERT_EQ(run(std::string(VIGIE_SOURCE_DIR) + "/scripts/make-flight " + dir.string()).code, 0);
  const std::string auth = " --authorisation " + (dir / "authorisation.json").string();
  std::ofstream(dir / "empty.csv") << "time,lat,lon\n";
  auto r = run(vigie_bin() + " drone check --telemetry " + (dir / "empty.csv").string() + auth);
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("empty.csv: no position"));
  std::ofstream(dir / "flight.kml") << "<kml/>";
  r = run(vigie_bin() + " drone check --telemetry " + (dir / "flight.kml").string() + auth);
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr(".csv, .gpx or .srt"));
  std::ofstream(dir / "order.json") << R"({"reference": "PP-1", "start": 10, "end": 5})";
  r = run(vigie_bin() + " drone check --telemetry " + (dir / "flight.csv").string() + " --authorisation " +
          (dir / "order.json").string());
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("order.json: 'start' and 'end'"));
}

}  // namespace
}  // namespace vigie::testing
