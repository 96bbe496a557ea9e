// `vigie drone check` on a flight made by scripts/make-flight: exactly the minutes the
// script says leave the authorisation are flagged (and audited), and bad files are named.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

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
