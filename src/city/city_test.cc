#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <functional>
#include <numeric>
#include <random>
#include <numbers>

#include "city/camera.h"
#include "city/camera_list.h"
#include "city/city_model.h"
#include "city/coverage.h"
#include "city/osm_import.h"
#include "city/route.h"
#include "city/synthetic.h"
#include "core/test_data.h"

namespace vigie::city {
namespace {

using ::testing::HasSubstr;

const std::string kFixtures = std::string(VIGIE_SOURCE_DIR) + "/src/city/testdata/";

Polygon rect(double x0, double y0, double x1, double y1) {
  Polygon p;
  bg::append(p.outer(), XY(x0, y0));
  bg::append(p.outer(), XY(x0, y1));
  bg::append(p.outer(), XY(x1, y1));
  bg::append(p.outer(), XY(x1, y0));
  bg::append(p.outer(), XY(x0, y0));
  bg::correct(p);
  return p;
}

double seen_length(const Polygon& view, XY a, XY b) {
  double m = 0;
  for (const auto& [s0, s1] : merge_intervals(inside_intervals(Segment(a, b), view))) m += s1 - s0;
  return m;
}

// The hand-drawn fixture's metres → degrees (square.osm was drawn around 48° N, 11° E).
LatLon fixture_ll(double x, double y) {
  constexpr double m_per_deg = 111194.93;
  return {48.0 + y / m_per_deg, 11.0 + x / (m_per_deg * std::cos(48.0 * std::numbers::pi / 180))};
}

Camera camera_with(const std::string& id, std::map<std::string, std::string> tags) {
  Camera c;
  c.id = id;
  c.tags = std::move(tags);
  return c;
}

RouteOptions weighted(double w) {
  RouteOptions o;
  o.exposure_weight = w;
  return o;
}

// --- camera tags ---------------------------------------------------------------------

TEST(CameraTags, DirectionInDegreesOrCompassPoints) {
  EXPECT_DOUBLE_EQ(*parse_direction("90"), 90);
  EXPECT_DOUBLE_EQ(*parse_direction(" 272.5 "), 272.5);
  EXPECT_DOUBLE_EQ(*parse_direction("-90"), 270);
  EXPECT_DOUBLE_EQ(*parse_direction("NE"), 45);
  EXPECT_DOUBLE_EQ(*parse_direction("SSW"), 202.5);
  EXPECT_DOUBLE_EQ(*parse_direction("90;270"), 90);
  EXPECT_FALSE(parse_direction("banana"));
  EXPECT_FALSE(parse_direction(""));
  EXPECT_FALSE(parse_direction("1e9"));
}

TEST(CameraTags, DirectionRangesTheCameraTurnsThrough) {
  EXPECT_DOUBLE_EQ(parse_bearing("90-270")->heading_deg, 180);
  EXPECT_DOUBLE_EQ(parse_bearing("90-270")->span_deg, 180);
  EXPECT_DOUBLE_EQ(parse_bearing("W-E")->heading_deg, 0);  // clockwise: through north
  EXPECT_DOUBLE_EQ(parse_bearing("-90")->heading_deg, 270);
  EXPECT_DOUBLE_EQ(parse_bearing("45")->span_deg, 0);
  EXPECT_FALSE(parse_bearing("90-"));
  Camera turning = camera_with("p", {{"camera:type", "fixed"}, {"camera:direction", "0-90"}});
  std::vector<std::string> warnings;
  apply_camera_model(turning, CityConfig{}, warnings);
  EXPECT_DOUBLE_EQ(*turning.heading_deg, 45);
  EXPECT_DOUBLE_EQ(turning.fov_deg, 90 + 90);
}

TEST(CameraTags, HeightsAndLevels) {
  EXPECT_DOUBLE_EQ(*parse_metres("4"), 4);
  EXPECT_DOUBLE_EQ(*parse_metres("3 m"), 3);
  EXPECT_DOUBLE_EQ(*parse_metres("11m"), 11);
  EXPECT_FALSE(parse_metres("tall"));
  EXPECT_FALSE(parse_metres("-2"));
  EXPECT_DOUBLE_EQ(*lowest_level("0;-1"), -1);
  EXPECT_FALSE(lowest_level("roof"));
}

TEST(CameraModel, DefaultsByTypeAndWhatWasAssumed) {
  const CityConfig config;
  std::vector<std::string> warnings;
  Camera dome = camera_with("d", {{"camera:type", "dome"}});
  apply_camera_model(dome, config, warnings);
  EXPECT_EQ(dome.fov_deg, 360);
  EXPECT_EQ(dome.range_m, config.dome.range_m);
  EXPECT_FALSE(dome.heading_deg);

  Camera fixed = camera_with("f", {{"camera:type", "fixed"}, {"camera:direction", "W"}, {"height", "6"}});
  apply_camera_model(fixed, config, warnings);
  EXPECT_EQ(*fixed.heading_deg, 270);
  EXPECT_EQ(fixed.fov_deg, config.fixed.fov_deg);
  EXPECT_EQ(fixed.height_m, 6);
  EXPECT_THAT(fixed.defaulted, ::testing::Contains("fov"));

  // A steep tilt shortens the reach on the ground: 45° down from 4 m.
  Camera tilted = camera_with("t", {{"camera:type", "fixed"}, {"camera:direction", "0"}, {"camera:angle", "45"}});
  apply_camera_model(tilted, config, warnings);
  EXPECT_LT(tilted.range_m, 20);
  EXPECT_GT(tilted.range_m, 5);
  EXPECT_TRUE(warnings.empty());

  Camera bad = camera_with("b", {{"camera:direction", "up"}, {"camera:angle", "120"}, {"height", "?"}});
  apply_camera_model(bad, config, warnings);
  EXPECT_FALSE(bad.heading_deg);
  EXPECT_EQ(warnings.size(), 3u);
  EXPECT_THAT(warnings[0], HasSubstr("b: camera:direction 'up'"));
  Camera tilt = camera_with("t2", {{"camera:type", "fixed"}, {"camera:direction", "0"}, {"camera:tilt", "-45"}});
  apply_camera_model(tilt, config, warnings);
  EXPECT_DOUBLE_EQ(tilt.range_m, tilted.range_m);  // camera:tilt −45 is camera:angle 45

  Camera indoor = camera_with("i", {{"surveillance", "indoor"}});
  Camera below = camera_with("u", {{"level", "-1"}});
  apply_camera_model(indoor, config, warnings);
  apply_camera_model(below, config, warnings);
  EXPECT_TRUE(indoor.indoor);
  EXPECT_TRUE(below.underground);
}

// --- viewsheds -----------------------------------------------------------------------

TEST(Viewshed, CameraBehindABuildingSeesNothingPastIt) {
  const Obstacles walls({rect(10, -30, 20, 30)});
  const Polygon view = compute_viewshed({0, 0}, 90.0, 60, 50, walls);  // looking east
  EXPECT_NEAR(seen_length(view, {5, -2}, {5, 2}), 4, 1e-6);              // in front: all of it
  EXPECT_EQ(seen_length(view, {25, -5}, {25, 5}), 0);                    // behind: none
  EXPECT_EQ(seen_length(view, {-5, -2}, {-5, 2}), 0);                    // behind the camera
  // Without the building the same street is seen.
  const Polygon open = compute_viewshed({0, 0}, 90.0, 60, 50, Obstacles({}));
  EXPECT_NEAR(seen_length(open, {25, -5}, {25, 5}), 10, 1e-6);
}

TEST(Viewshed, DomeSeesADiscClippedByWalls) {
  const double r = 20, d = 5;  // a long wall 5 m east of the camera
  const Polygon view = compute_viewshed({0, 0}, std::nullopt, 360, r, Obstacles({rect(d, -50, d + 3, 50)}));
  const double disc = std::numbers::pi * r * r;
  const double cut = r * r * std::acos(d / r) - d * std::sqrt(r * r - d * d);  // circular segment past x = d
  EXPECT_NEAR(bg::area(view), disc - cut, 0.005 * disc);
  EXPECT_TRUE(bg::within(XY(-15, 0), view));
  EXPECT_TRUE(bg::within(XY(4, 3), view));
  EXPECT_FALSE(bg::within(XY(6, 0), view));
  EXPECT_FALSE(bg::within(XY(-21, 0), view));
  EXPECT_TRUE(bg::is_valid(view));
}

TEST(Viewshed, CameraOnOrInsideItsOwnWallIsNotBlindedByIt) {
  const Obstacles walls({rect(0, -10, 20, 10)});  // the camera hangs on the west wall, x = 0
  for (const double x : {0.0, 0.5, -0.5}) {         // on the wall, mapped inside, mapped outside
    const Polygon view = compute_viewshed({x, 0}, std::nullopt, 360, 15, walls);
    EXPECT_NEAR(seen_length(view, {-5, -8}, {-5, 8}), 16, 0.05) << "camera at x=" << x;
    EXPECT_FALSE(bg::within(XY(5, 0), view)) << "sees into its own building from x=" << x;
  }
}

TEST(Viewshed, CameraDeepInsideAFootprintSeesOnlyThatFootprintAndIsReported) {
  const Obstacles walls({rect(0, -10, 20, 10)});
  const Polygon view = compute_viewshed({10, 0}, std::nullopt, 360, 30, walls);  // 10 m from every wall
  EXPECT_TRUE(bg::within(XY(15, 5), view));
  EXPECT_EQ(seen_length(view, {-5, -8}, {-5, 8}), 0);
  const LocalFrame frame({48, 11});
  std::vector<Camera> cams = {camera_with("deep", {}), camera_with("wall", {})};
  cams[0].position = frame.to_latlon({10, 0});
  cams[1].position = frame.to_latlon({0.5, 0});
  const auto warnings = placement_warnings(cams, frame, walls, 1.5);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_THAT(warnings[0], HasSubstr("deep: 10.0 m inside a building footprint"));
}

TEST(Viewshed, SectorFollowsCompassBearing) {
  const Polygon north = compute_viewshed({0, 0}, 0.0, 90, 10, Obstacles({}));
  EXPECT_TRUE(bg::within(XY(0, 5), north));
  EXPECT_FALSE(bg::within(XY(0, -5), north));
  EXPECT_FALSE(bg::within(XY(5, 1), north));  // 79° off the axis: outside a 90° view
  EXPECT_NEAR(bg::area(north), std::numbers::pi * 100 / 4, 0.5);
}

// --- coverage and routes on explicit networks ---------------------------------------

WalkNetwork line_network(XY a, XY b) {
  WalkNetwork net;
  net.add_edge(net.add_node(a), net.add_node(b), "way/1");
  net.finish();
  return net;
}

TEST(Coverage, EachCameraTypeIsMeasuredAlone) {
  CityModel m;
  m.data.cameras = {camera_with("a", {}), camera_with("b", {}), camera_with("c", {})};
  m.data.cameras[0].kind = m.data.cameras[1].kind = CameraKind::dome;
  m.data.cameras[2].kind = CameraKind::fixed;
  // Domes at 0 and 5 m (overlapping: 15 m of street seen), the fixed one at 40 m (10 m each side).
  for (double x : {0.0, 5.0, 40.0}) m.viewsheds.push_back(compute_viewshed({x, 0}, std::nullopt, 360, 10, Obstacles({})));
  m.network = line_network({0, 0}, {100, 0});
  m.network.expose(m.viewsheds, {false, false, false});
  const auto kinds = coverage_by_kind(m);
  ASSERT_EQ(kinds.size(), 2u);
  EXPECT_EQ(kinds[0].kind, CameraKind::fixed);
  EXPECT_EQ(kinds[0].cameras, 1u);
  EXPECT_NEAR(kinds[0].seen_m, 20, 1e-6);
  EXPECT_EQ(kinds[1].kind, CameraKind::dome);
  EXPECT_EQ(kinds[1].cameras, 2u);
  EXPECT_NEAR(kinds[1].seen_m, 15, 1e-6);
  // The model itself is left as it was: all three together.
  EXPECT_NEAR(compute_coverage(m, 250).seen_m, 35, 1e-6);
}

TEST(Coverage, StreetHalfInsideAViewshedCountsHalf) {
  CityModel m;
  m.data.cameras.push_back(camera_with("c", {}));
  m.viewsheds = {compute_viewshed({0, 0}, std::nullopt, 360, 10, Obstacles({}))};
  m.network = line_network({0, 0}, {20, 0});
  m.network.expose(m.viewsheds, {false});
  const Coverage cov = compute_coverage(m, 250);
  EXPECT_NEAR(cov.street_m, 20, 1e-9);
  EXPECT_NEAR(cov.share(), 0.5, 1e-6);
  ASSERT_EQ(cov.cells.size(), 1u);
  EXPECT_NEAR(cov.cells[0].seen_m, 10, 1e-6);
  // With 10 m cells the seen and the unseen half fall in different cells.
  const Coverage fine = compute_coverage(m, 10);
  ASSERT_EQ(fine.cells.size(), 2u);
  EXPECT_NEAR(fine.cells[0].seen_m, 10, 1e-6);
  EXPECT_NEAR(fine.cells[1].street_m, 10, 1e-6);
  EXPECT_EQ(fine.cells[1].seen_m, 0);
}

TEST(Coverage, AreaOfOverlappingViewsCountsOnce) {
  CityModel m;
  m.viewsheds = {compute_viewshed({0, 0}, std::nullopt, 360, 10, Obstacles({})),
                 compute_viewshed({10, 0}, std::nullopt, 360, 10, Obstacles({}))};
  const AreaCoverage a = compute_area_coverage(m);
  // Two discs of radius r at distance r: union = 2πr² − lens, lens = r²(2π/3 − √3/2).
  const double r2 = 100, lens = r2 * (2 * std::numbers::pi / 3 - std::sqrt(3) / 2);
  EXPECT_NEAR(a.seen_m2, 2 * std::numbers::pi * r2 - lens, 3);
  EXPECT_NEAR(a.area_m2, 30 * 20, 0.5);
  EXPECT_EQ(a.cameras, 2u);
}

// A 100 m grid block: A (0,0) — B (100,0) direct; a detour over (0,100)–(100,100).
WalkNetwork block() {
  WalkNetwork net;
  const auto a = net.add_node({0, 0}), b = net.add_node({100, 0});
  const auto c = net.add_node({0, 100}), d = net.add_node({100, 100});
  net.add_edge(a, b, "way/direct");
  net.add_edge(a, c, "way/west");
  net.add_edge(c, d, "way/north");
  net.add_edge(d, b, "way/east");
  net.finish();
  return net;
}

TEST(Route, UnseenDetourIsFoundWhenItExists) {
  WalkNetwork net = block();
  net.expose({compute_viewshed({50, -5}, 0.0, 90, 20, Obstacles({}))}, {false});  // watches the direct street
  const auto shortest = shortest_route(net, 0, 1);
  ASSERT_TRUE(shortest);
  EXPECT_NEAR(shortest->length_m, 100, 1e-9);
  EXPECT_NEAR(shortest->seen_m, 10, 1e-6);  // ±45° at 5 m: x in [45, 55]
  EXPECT_EQ(shortest->cameras, std::vector<std::uint32_t>{0});
  const UnseenAnswer answer = unseen_route(net, 0, 1);
  EXPECT_TRUE(answer.unseen_exists);
  ASSERT_TRUE(answer.best);
  EXPECT_NEAR(answer.best->length_m, 300, 1e-9);
  EXPECT_EQ(answer.best->seen_m, 0);
  EXPECT_TRUE(answer.best->cameras.empty());
}

TEST(Route, NoUnseenRouteWhenEveryWayIsWatchedGivesTheCheapestExposure) {
  WalkNetwork net = block();
  net.expose({compute_viewshed({50, -5}, 0.0, 90, 20, Obstacles({})),
              compute_viewshed({50, 105}, 180.0, 60, 20, Obstacles({}))},
             {false, false});
  const UnseenAnswer answer = unseen_route(net, 0, 1);
  EXPECT_TRUE(answer.connected);
  EXPECT_FALSE(answer.unseen_exists);
  ASSERT_TRUE(answer.best);
  // The north camera (60°) sees less of its street than the south one (90°) of the direct one.
  EXPECT_NEAR(answer.best->length_m, 300, 1e-9);
  EXPECT_EQ(answer.best->cameras, std::vector<std::uint32_t>{1});
  // With a weight, metres walked are traded against metres seen: 1 m seen = 1 m walked
  // takes the direct street.
  const auto traded = least_watched_route(net, 0, 1, weighted(1));
  EXPECT_NEAR(traded->length_m, 100, 1e-9);
}

TEST(Route, DisconnectedPlacesHaveNoRoute) {
  WalkNetwork net;
  net.add_edge(net.add_node({0, 0}), net.add_node({10, 0}), "way/1");
  net.add_edge(net.add_node({50, 0}), net.add_node({60, 0}), "way/2");
  net.finish();
  net.expose({}, {});
  EXPECT_FALSE(shortest_route(net, 0, 3));
  EXPECT_FALSE(unseen_route(net, 0, 3).connected);
}

// The exact answer, checked against an independent one: union-find over the edges that
// no camera sees, on a synthetic city with random cameras.
TEST(Route, UnseenAnswerMatchesConnectivityOfTheUnseenStreets) {
  SyntheticCity spec;
  spec.cameras = 300;
  spec.blocks_per_camera = 1;
  const CityModel m = build_city_model(make_synthetic_city(spec, CityConfig{}), CityConfig{});
  const auto& net = m.network;
  std::vector<std::uint32_t> parent(net.nodes().size());
  std::iota(parent.begin(), parent.end(), 0);
  std::function<std::uint32_t(std::uint32_t)> root = [&](std::uint32_t x) {
    return parent[x] == x ? x : parent[x] = root(parent[x]);
  };
  size_t unseen_edges = 0;
  for (const auto& e : net.edges())
    if (e.seen_m == 0) parent[root(e.a)] = root(e.b), ++unseen_edges;
  ASSERT_GT(unseen_edges, net.edges().size() / 4);
  ASSERT_LT(unseen_edges, net.edges().size());
  std::mt19937 rng(3);
  std::uniform_int_distribution<std::uint32_t> pick(0, static_cast<std::uint32_t>(net.nodes().size() - 1));
  int exists = 0;
  for (int q = 0; q < 200; ++q) {
    const auto a = pick(rng), b = pick(rng);
    const UnseenAnswer ans = unseen_route(net, a, b);
    ASSERT_TRUE(ans.connected);
    EXPECT_EQ(ans.unseen_exists, root(a) == root(b)) << a << " → " << b;
    exists += ans.unseen_exists;
    const auto shortest = shortest_route(net, a, b);
    EXPECT_LE(ans.best->seen_m, shortest->seen_m + 1e-9);
    EXPECT_GE(ans.best->length_m, shortest->length_m - 1e-9);
  }
  EXPECT_GT(exists, 0);   // both answers occur: the check is not vacuous
  EXPECT_LT(exists, 200);
}

// --- the hand-drawn OSM fixture -----------------------------------------------------

class SquareFixture : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto data = import_osm(kFixtures + "square.osm", CityConfig{});
    ASSERT_TRUE(data) << data.error().message;
    model_ = new CityModel(build_city_model(std::move(*data), CityConfig{}));
  }
  static void TearDownTestSuite() { delete model_; }
  static XY at(double x, double y) { return model_->frame.to_xy(fixture_ll(x, y)); }
  static const Camera& camera(const std::string& id) {
    for (const auto& c : model_->data.cameras)
      if (c.id == id) return c;
    throw std::runtime_error("no camera " + id);
  }
  static CityModel* model_;
};
CityModel* SquareFixture::model_ = nullptr;

TEST_F(SquareFixture, ImportsCamerasWaysBuildingsAndSquares) {
  const CityData& d = model_->data;
  EXPECT_EQ(d.cameras.size(), 6u);
  EXPECT_EQ(d.buildings.size(), 2u);  // a closed way and a multipolygon with a courtyard
  ASSERT_EQ(d.squares.size(), 1u);
  EXPECT_EQ(d.squares[0].id, "way/100");
  std::vector<std::string> ways;
  for (const auto& w : d.ways) ways.push_back(w.id);
  // foot=no and access=private ways are left out; the tunnel is kept, below ground.
  EXPECT_THAT(ways, ::testing::UnorderedElementsAre("way/200", "way/201", "way/202", "way/203"));
  for (const auto& w : d.ways) EXPECT_EQ(w.underground, w.id == "way/203") << w.id;
  const auto mp = std::find_if(d.buildings.begin(), d.buildings.end(), [](const Area& a) { return a.id == "relation/400"; });
  ASSERT_NE(mp, d.buildings.end());
  EXPECT_EQ(mp->inner.size(), 1u);
  EXPECT_TRUE(camera("node/52").indoor);
  EXPECT_TRUE(camera("node/55").underground);
  EXPECT_DOUBLE_EQ(*camera("node/54").heading_deg, 45);
  EXPECT_DOUBLE_EQ(camera("node/54").height_m, 5);
}

TEST_F(SquareFixture, BadTagsAndMissingNodesAreWarningsNotFailures) {
  const auto& w = model_->data.warnings;
  EXPECT_THAT(w, ::testing::Contains(HasSubstr("node/53: camera:direction 'banana'")));
  EXPECT_THAT(w, ::testing::Contains(HasSubstr("way/202: 1 of its 3 nodes are not in the file")));
}

TEST_F(SquareFixture, RouteThatMustCrossAWatchedSquareIsReportedWatched) {
  const auto& net = model_->network;
  const auto from = net.nearest_node(at(-80, 0), false), to = net.nearest_node(at(80, 0), false);
  const UnseenAnswer answer = unseen_route(net, from, to);
  ASSERT_TRUE(answer.connected);
  EXPECT_FALSE(answer.unseen_exists);
  // Straight across: 60 m west street + 40 m square + 60 m east street; the dome (30 m)
  // sees the square and 10 m of each street.
  EXPECT_NEAR(answer.best->length_m, 160, 0.5);
  EXPECT_NEAR(answer.best->seen_m, 60, 0.5);
  bool crossed = false;
  for (const auto e : answer.best->edges) crossed |= net.edges()[e].crossing;
  EXPECT_TRUE(crossed);
  // Only the dome watches it: the indoor camera (inside the square's outline) does not count.
  ASSERT_EQ(answer.best->cameras.size(), 1u);
  EXPECT_EQ(model_->data.cameras[answer.best->cameras[0]].id, "node/50");
}

TEST_F(SquareFixture, UndergroundIsKeptApart) {
  const Coverage cov = compute_coverage(*model_, 250);
  EXPECT_NEAR(cov.underground_m, 40, 0.5);
  EXPECT_NEAR(cov.underground_seen_m, 40, 0.5);  // the level −1 dome sees its tunnel
  EXPECT_EQ(cov.underground_cameras, 1u);
  EXPECT_EQ(cov.indoor_cameras, 1u);
  // The surface does not walk through the tunnel unless asked.
  const auto& net = model_->network;
  EXPECT_NE(net.nearest_node(at(120, 0), false), net.nearest_node(at(120, 0), true));
}

TEST_F(SquareFixture, WallCameraSeesTheStreetInFrontOfItsBuilding) {
  size_t i = 0;
  while (model_->data.cameras[i].id != "node/51") ++i;
  const Polygon& view = model_->viewsheds[i];
  EXPECT_TRUE(bg::within(at(20, 40), view));
  EXPECT_FALSE(bg::within(at(40, 40), view));  // its own building
}

TEST_F(SquareFixture, CamerasSurviveAGeoJsonRoundTrip) {
  const auto dir = vigie::testing::fresh_temp_dir("city_roundtrip");
  const auto path = (dir / "cameras.geojson").string();
  std::ofstream(path) << cameras_geojson(model_->data.cameras).dump(1);
  std::vector<std::string> warnings;
  const auto back = read_camera_list(path, CityConfig{}, warnings);
  ASSERT_TRUE(back) << back.error().message;
  ASSERT_EQ(back->size(), model_->data.cameras.size());
  for (size_t i = 0; i < back->size(); ++i) {
    const Camera &a = model_->data.cameras[i], &b = (*back)[i];
    EXPECT_EQ(a.id, b.id);
    EXPECT_NEAR(a.position.lat, b.position.lat, 1e-9);
    EXPECT_NEAR(a.position.lon, b.position.lon, 1e-9);
    EXPECT_EQ(a.tags, b.tags);
    EXPECT_EQ(a.fov_deg, b.fov_deg);
    EXPECT_EQ(a.heading_deg, b.heading_deg);
  }
}

TEST(Squares, MultipolygonSquareIsCrossedAroundItsHole) {
  auto data = import_osm(kFixtures + "square_multipolygon.osm", CityConfig{});
  ASSERT_TRUE(data) << data.error().message;
  ASSERT_EQ(data->squares.size(), 1u);
  EXPECT_EQ(data->squares[0].id, "relation/500");
  EXPECT_EQ(data->squares[0].inner.size(), 1u);
  const CityModel m = build_city_model(std::move(*data), CityConfig{});
  const auto& net = m.network;
  const auto at = [&](double x, double y) { return m.frame.to_xy(fixture_ll(x, y)); };
  const auto route = shortest_route(net, net.nearest_node(at(-80, 0), false), net.nearest_node(at(80, 0), false));
  ASSERT_TRUE(route);
  // The straight crossing would go through the fountain: the walk bends through the
  // north entrance instead, 60 + 2·√(20² + 20²) + 60 m, not round the outline (200 m).
  EXPECT_NEAR(route->length_m, 120 + 2 * std::sqrt(800.0), 0.5);
}

// --- camera lists and bad input -----------------------------------------------------

// Regression (fuzz/regressions/city_cameras/latin1_*): a Latin-1 export ("Stra\xdfe") made
// every GeoJSON and report writer throw on invalid UTF-8.
TEST(CameraList, ALatin1CsvIsReadAsLatin1AndWrittenAsUtf8) {
  const auto dir = vigie::testing::fresh_temp_dir("city_csv_latin1");
  std::ofstream(dir / "l.csv") << "name,lat,lon\nStra\xdf" "e 1,48.13,11.57\n";
  std::vector<std::string> warnings;
  const auto cams = read_camera_list((dir / "l.csv").string(), CityConfig{}, warnings);
  ASSERT_TRUE(cams) << cams.error().message;
  ASSERT_EQ(cams->size(), 1u);
  EXPECT_EQ((*cams)[0].tags.at("name"), "Stra\xc3\x9f" "e 1");  // ß in UTF-8
  EXPECT_THAT(warnings, ::testing::Contains(HasSubstr("read as Latin-1")));
  EXPECT_NO_THROW(cameras_geojson(*cams).dump());
}

// Found by fuzzing: 0xC1 0x9B passed for UTF-8 (an overlong form), and the strict JSON
// writer threw on it. Overlong forms, surrogates and bytes past U+10FFFF are not UTF-8.
TEST(CameraList, OverlongOrSurrogateBytesAreNotTakenForUtf8) {
  const auto dir = vigie::testing::fresh_temp_dir("city_csv_overlong");
  std::ofstream(dir / "l.csv") << "name,lat,lon\nA\xc1\x9b,48.13,11.57\nB\xed\xa0\x80,48.13,11.57\n"
                                  "C\xf4\x90\x80\x80,48.13,11.57\nD\xe2\x82\xac,48.13,11.57\n";
  std::vector<std::string> warnings;
  const auto cams = read_camera_list((dir / "l.csv").string(), CityConfig{}, warnings);
  ASSERT_TRUE(cams) << cams.error().message;
  ASSERT_EQ(cams->size(), 4u);
  EXPECT_EQ((*cams)[0].tags.at("name"), "A\xc3\x81\xc2\x9b");  // read as Latin-1
  EXPECT_EQ((*cams)[3].tags.at("name"), "D\xe2\x82\xac");       // the euro sign is UTF-8
  EXPECT_NO_THROW(cameras_geojson(*cams).dump());
}

// Found by fuzzing: `"type": [[5, 0]]` made nlohmann's value() throw out of the reader.
TEST(CameraList, GeoJsonMembersOfTheWrongTypeAreSkippedNotThrown) {
  const auto dir = vigie::testing::fresh_temp_dir("city_geojson_types");
  std::ofstream(dir / "c.geojson") << R"({"type":"FeatureCollection","features":[ 7,
    {"type":"Feature","geometry":{"type":[[5,0],[1,1]]}},
    {"type":"Feature","geometry":{"type":"Point","coordinates":[11.57,48.13]},"properties":[1,2]},
    {"type":"Feature","geometry":{"type":"Point","coordinates":[11.57,48.14]},"properties":{"id":"ok"}}]})";
  std::vector<std::string> warnings;
  const auto cams = read_camera_list((dir / "c.geojson").string(), CityConfig{}, warnings);
  ASSERT_TRUE(cams) << cams.error().message;
  ASSERT_EQ(cams->size(), 2u);
  EXPECT_EQ((*cams)[1].id, "ok");
  EXPECT_THAT(warnings, ::testing::Contains(HasSubstr("feature 2 is not a valid Point")));
  EXPECT_THAT(warnings, ::testing::Contains(HasSubstr("feature 1 is not a valid Point")));
}

TEST(CameraList, CsvWithEitherSeparatorAndBadRows) {
  const auto dir = vigie::testing::fresh_temp_dir("city_csv");
  std::ofstream(dir / "a.csv") << "seq,name,lat,lon\n1,\"Quai, nord\",43.30,5.37\n2,x,north,5.3\n3,y,43.31,5.38\n";
  std::ofstream(dir / "b.csv") << "Code;Nom;lon;lat\n75001;Rue A;2.35;48.86\n";
  std::vector<std::string> warnings;
  const auto a = read_camera_list((dir / "a.csv").string(), CityConfig{}, warnings);
  ASSERT_TRUE(a) << a.error().message;
  ASSERT_EQ(a->size(), 2u);
  EXPECT_EQ((*a)[0].id, "a#1");
  EXPECT_EQ((*a)[0].tags.at("name"), "Quai, nord");
  EXPECT_THAT(warnings, ::testing::Contains(HasSubstr("a.csv:3: no valid lat/lon")));
  const auto b = read_camera_list((dir / "b.csv").string(), CityConfig{}, warnings);
  ASSERT_TRUE(b);
  EXPECT_NEAR((*b)[0].position.lat, 48.86, 1e-12);
  std::ofstream(dir / "c.csv") << "name,x1,y1\n";
  EXPECT_THAT(read_camera_list((dir / "c.csv").string(), CityConfig{}, warnings).error().message,
              HasSubstr("no lat/latitude"));
  EXPECT_FALSE(read_camera_list((dir / "missing.csv").string(), CityConfig{}, warnings));
}

TEST(OsmImport, BytesInMemoryReadAsTheFileDoes) {
  std::ifstream in(kFixtures + "square.osm", std::ios::binary);
  const std::string xml((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto from_file = import_osm(kFixtures + "square.osm", CityConfig{});
  const auto from_bytes = import_osm_buffer(xml, OsmFormat::kXml, CityConfig{});
  ASSERT_TRUE(from_file && from_bytes);
  EXPECT_EQ(from_bytes->cameras.size(), from_file->cameras.size());
  EXPECT_EQ(from_bytes->ways.size(), from_file->ways.size());
  EXPECT_EQ(from_bytes->buildings.size(), from_file->buildings.size());
  EXPECT_EQ(from_bytes->warnings, from_file->warnings);
  const auto junk = import_osm_buffer("this is not a protocol buffer", OsmFormat::kPbf, CityConfig{});
  ASSERT_FALSE(junk);
  EXPECT_THAT(junk.error().message, HasSubstr("29 bytes of .pbf"));
}

TEST(OsmImport, TruncatedOrCorruptFilesAreErrorsNotCrashes) {
  const auto dir = vigie::testing::fresh_temp_dir("city_bad_osm");
  std::ofstream(dir / "junk.osm.pbf") << "this is not a protocol buffer";
  std::ofstream(dir / "cut.osm") << "<?xml version='1.0'?><osm version='0.6'><node id='1' lat='48' lon=";
  for (const char* name : {"junk.osm.pbf", "cut.osm", "absent.osm"}) {
    const auto r = import_osm((dir / name).string(), CityConfig{});
    ASSERT_FALSE(r) << name;
    EXPECT_THAT(r.error().message, HasSubstr(name));
  }
  const std::string pbf = vigie::testing::shared_file("osm/munich/munchen_altstadt_2020-07-20.osm.pbf");
  VIGIE_REQUIRE_FILE(pbf, "../shared/data/osm/munich (the Munich OSM extract)");
  std::ifstream in(pbf, std::ios::binary);
  std::string head(200000, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  std::ofstream(dir / "truncated.osm.pbf", std::ios::binary) << head;
  const auto r = import_osm((dir / "truncated.osm.pbf").string(), CityConfig{});
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().message, HasSubstr("truncated or corrupt"));
}

}  // namespace
}  // namespace vigie::city
