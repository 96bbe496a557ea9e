// `vigie city …` as a user runs it: on the hand-drawn fixture, on the real Munich extract
// and on the Marseille 2013 camera list.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <numbers>

#include "core/test_data.h"
#include "run.h"

namespace vigie::testing {
namespace {
namespace fs = std::filesystem;
using ::testing::HasSubstr;
using nlohmann::json;

const std::string kSquare = std::string(VIGIE_SOURCE_DIR) + "/src/city/testdata/square.osm";
const char* kMunichPbf = "osm/munich/munchen_altstadt_2020-07-20.osm.pbf";
const char* kMunichGz = "osm/munich/munchen_altstadt_2020-07-20.osm.gz";
const char* kMunichCameras = "osm/munich/munchen_altstadt_2020-07-20_cameras.osm";
const char* kMarseille = "osm/marseille/marseille_cameras_umap809_2013.csv";

// The fixture's metres east/north of 48° N 11° E, as "LAT,LON".
std::string fixture_at(double x, double y) {
  constexpr double m_per_deg = 111194.93;
  return fmt::format("{:.8f},{:.8f}", 48.0 + y / m_per_deg,
                     11.0 + x / (m_per_deg * std::cos(48.0 * std::numbers::pi / 180)));
}

json run_json(const std::string& args) {
  const auto r = run(vigie_bin() + " city " + args + " --quiet");
  EXPECT_EQ(r.code, 0) << r.err;
  return r.code == 0 ? json::parse(r.out) : json();
}

TEST(CityCli, RouteAcrossAWatchedSquareAsJson) {
  const json j = run_json("route --osm " + kSquare + " --from " + fixture_at(-80, 0) + " --to " + fixture_at(80, 0) +
                          " --json");
  EXPECT_FALSE(j["unseen_route_exists"].get<bool>());
  EXPECT_NEAR(j["length_m"].get<double>(), 160, 0.5);
  EXPECT_NEAR(j["seen_m"].get<double>(), 60, 0.5);
  EXPECT_EQ(j["cameras"], json::array({"node/50"}));
  EXPECT_NEAR(j["shortest"]["length_m"].get<double>(), 160, 0.5);
}

TEST(CityCli, BadInputIsOneClearErrorAndExit2) {
  auto r = run(vigie_bin() + " city route --osm " + kSquare + " --from 200,5 --to 48,11");
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("--from '200,5': expected LAT,LON"));
  r = run(vigie_bin() + " city coverage --osm /nonexistent.osm.pbf");
  EXPECT_EQ(r.code, 2);
  r = run(vigie_bin() + " city coverage --osm " + kSquare + " --bbox 11,48,10,49");
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("--bbox"));
  const auto dir = fresh_temp_dir("city_bad");
  std::ofstream(dir / "cut.osm.pbf") << "OSMHeader but nothing after it";
  r = run(vigie_bin() + " city coverage --osm " + (dir / "cut.osm.pbf").string());
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("truncated or corrupt"));
}

TEST(CityCli, MunichPbfAndXmlGiveTheSameCoverage) {
  const std::string pbf = shared_file(kMunichPbf), gz = shared_file(kMunichGz);
  VIGIE_REQUIRE_FILE(pbf, "the Munich OSM extract in ../shared/data/osm");
  VIGIE_REQUIRE_FILE(gz, "the Munich OSM extract (XML) in ../shared/data/osm");
  const json a = run_json("coverage --osm " + pbf + " --json");
  const json b = run_json("coverage --osm " + gz + " --json");
  EXPECT_GT(a["street_m"].get<double>(), 50000);  // 1.5 × 1.3 km of a dense centre
  EXPECT_GT(a["share"].get<double>(), 0.02);
  EXPECT_LT(a["share"].get<double>(), 0.5);
  EXPECT_EQ(a["street_cameras"], b["street_cameras"]);
  EXPECT_NEAR(a["street_m"].get<double>(), b["street_m"].get<double>(), 1.0);
  EXPECT_NEAR(a["seen_m"].get<double>(), b["seen_m"].get<double>(), 1.0);
  EXPECT_GT(a["cells"].size(), 20u);
  EXPECT_GT(a["costs"]["upkeep_eur_per_year"].get<double>(), 0);
}

TEST(CityCli, MunichRouteBetweenTwoNamedPlaces) {
  const std::string pbf = shared_file(kMunichPbf);
  VIGIE_REQUIRE_FILE(pbf, "the Munich OSM extract in ../shared/data/osm");
  // Marienplatz → Odeonsplatz: the shortest way passes a camera; a detour does not.
  const json j = run_json("route --osm " + pbf + " --from 48.13725,11.57540 --to 48.14230,11.57740 --json");
  EXPECT_TRUE(j["unseen_route_exists"].get<bool>());
  EXPECT_EQ(j["seen_m"].get<double>(), 0);
  EXPECT_GT(j["shortest"]["seen_m"].get<double>(), 0);
  EXPECT_GT(j["length_m"].get<double>(), j["shortest"]["length_m"].get<double>());
  EXPECT_LT(j["snap_m"][0].get<double>(), 20);
}

TEST(CityCli, ReportAndGeoJsonLayers) {
  const auto dir = fresh_temp_dir("city_report");
  auto r = run(vigie_bin() + " city report --quiet --osm " + kSquare + " --out " + (dir / "r.html").string() +
               " --image " + (dir / "r.png").string() + " --route 'across=" + fixture_at(-80, 0) + ":" +
               fixture_at(80, 0) + "'");
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string html = slurp(dir / "r.html");
  EXPECT_THAT(html, HasSubstr("<svg"));
  EXPECT_THAT(html, HasSubstr("across (least watched): 160 m, 60 m seen, 1 cameras"));
  EXPECT_GT(fs::file_size(dir / "r.png"), 1000u);
  r = run(vigie_bin() + " city coverage --quiet --osm " + kSquare + " --geojson-dir " + (dir / "layers").string());
  ASSERT_EQ(r.code, 0) << r.err;
  for (const char* layer : {"cameras", "viewsheds", "segments", "cells"}) {
    const json g = json::parse(slurp(dir / "layers" / (std::string(layer) + ".geojson")));
    EXPECT_EQ(g["type"], "FeatureCollection") << layer;
    EXPECT_FALSE(g["features"].empty()) << layer;
  }
  // The street pieces add up to the street length, split into seen and unseen.
  const json seg = json::parse(slurp(dir / "layers" / "segments.geojson"));
  double seen = 0;
  for (const auto& f : seg["features"])
    if (f["properties"]["seen"].get<bool>() && !f["properties"]["crossing"].get<bool>() &&
        !f["properties"]["underground"].get<bool>())
      seen += f["properties"]["length_m"].get<double>();
  const json cov = run_json("coverage --osm " + kSquare + " --json");
  EXPECT_NEAR(seen, cov["seen_m"].get<double>(), 0.1);
}

TEST(CityCli, CamerasRoundTripThroughGeoJson) {
  const std::string cams = shared_file(kMunichCameras);
  VIGIE_REQUIRE_FILE(cams, "the Munich camera nodes in ../shared/data/osm");
  const auto dir = fresh_temp_dir("city_import");
  const json a = run_json("import --osm " + cams + " --out " + (dir / "c.geojson").string() + " --json");
  EXPECT_EQ(a["cameras"], 209);
  EXPECT_EQ(a["indoor"], 89);
  EXPECT_EQ(a["with_direction"], 59);
  const json b = run_json("import --cameras " + (dir / "c.geojson").string() + " --json");
  EXPECT_EQ(b["cameras"], 209);
  EXPECT_EQ(b["indoor"], 89);
  EXPECT_EQ(b["with_direction"], 59);
}

TEST(CityCli, MarseilleListAloneGivesAreaCoverageUnderTheStatedRadius) {
  const std::string list = shared_file(kMarseille);
  VIGIE_REQUIRE_FILE(list, "the Marseille 2013 camera list in ../shared/data/osm");
  // Saint-Charles → Vieux-Port corridor box of the data's README: 114 positions.
  const json j = run_json("coverage --cameras " + list + " --bbox 5.368,43.292,5.384,43.305 --json");
  EXPECT_EQ(j["streets"], false);
  EXPECT_EQ(j["cameras"], 114);
  // 114 discs of 30 m at most: 114 · π · 30² = 0.32 km² of a 1.87 km² box; overlaps make it less.
  EXPECT_GT(j["share"].get<double>(), 0.05);
  EXPECT_LT(j["share"].get<double>(), 114 * std::numbers::pi * 900 / j["area_m2"].get<double>());
}

}  // namespace
}  // namespace vigie::testing
