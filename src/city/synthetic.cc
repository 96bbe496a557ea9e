#include "city/synthetic.h"

#include <fmt/format.h>

#include <cmath>
#include <random>

#include "city/camera.h"

namespace vigie::city {

CityData make_synthetic_city(const SyntheticCity& spec, const CityConfig& config) {
  CityData data;
  const auto side = static_cast<std::int64_t>(std::ceil(std::sqrt(spec.cameras * spec.blocks_per_camera))) + 1;
  const double b = spec.block_m;
  const LocalFrame frame(spec.origin);
  auto node_id = [&](std::int64_t i, std::int64_t j) { return 1 + i * side + j; };
  auto ll = [&](double x, double y) { return frame.to_latlon({x, y}); };
  // One way per grid line, east-west and north-south, sharing the crossing nodes.
  for (std::int64_t j = 0; j < side; ++j) {
    WalkWay ew, ns;
    ew.id = fmt::format("way/ew{}", j);
    ns.id = fmt::format("way/ns{}", j);
    ew.highway = ns.highway = "residential";
    for (std::int64_t i = 0; i < side; ++i) {
      ew.nodes.push_back(node_id(i, j));
      ew.points.push_back(ll(i * b, j * b));
      ns.nodes.push_back(node_id(j, i));
      ns.points.push_back(ll(j * b, i * b));
    }
    data.ways.push_back(std::move(ew));
    data.ways.push_back(std::move(ns));
  }
  // A building on each block, 8 m back from the street axes (pavements and roadway).
  constexpr double kSetback = 8;
  for (std::int64_t i = 0; i + 1 < side; ++i)
    for (std::int64_t j = 0; j + 1 < side; ++j) {
      Area a;
      a.id = fmt::format("way/b{}_{}", i, j);
      const double x0 = i * b + kSetback, y0 = j * b + kSetback, x1 = (i + 1) * b - kSetback, y1 = (j + 1) * b - kSetback;
      a.outer.points = {ll(x0, y0), ll(x0, y1), ll(x1, y1), ll(x1, y0), ll(x0, y0)};
      data.buildings.push_back(std::move(a));
    }
  // Cameras on building walls, facing the street they stand on.
  std::mt19937 rng(spec.seed);
  std::uniform_int_distribution<std::int64_t> cell(0, side - 2);
  std::uniform_real_distribution<double> along(kSetback + 2, b - kSetback - 2);
  std::uniform_int_distribution<int> side_of_block(0, 3), type(0, 9);
  std::vector<std::string> warnings;
  for (std::size_t k = 0; k < spec.cameras; ++k) {
    const double x0 = cell(rng) * b, y0 = cell(rng) * b, t = along(rng);
    const int s = side_of_block(rng);
    // South, north, west, east wall of the block's building, looking away from it.
    const double x[] = {x0 + t, x0 + t, x0 + kSetback, x0 + b - kSetback};
    const double y[] = {y0 + kSetback, y0 + b - kSetback, y0 + t, y0 + t};
    const char* heading[] = {"180", "0", "270", "90"};
    Camera c;
    c.id = fmt::format("synthetic/{}", k + 1);
    c.position = ll(x[s], y[s]);
    c.tags = {{"man_made", "surveillance"}, {"surveillance", "public"}};
    const int ty = type(rng);
    if (ty < 4) c.tags["camera:type"] = "fixed", c.tags["camera:direction"] = heading[s];
    else if (ty < 8) c.tags["camera:type"] = "dome";
    apply_camera_model(c, config, warnings);
    data.cameras.push_back(std::move(c));
  }
  data.stats.nodes = static_cast<std::uint64_t>(side * side);
  data.stats.ways = data.ways.size() + data.buildings.size();
  return data;
}

}  // namespace vigie::city
