#include "city/city_model.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <limits>

namespace vigie::city {
namespace {

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

CityData clip_to(CityData data, const LatLonBox& box) {
  std::erase_if(data.cameras, [&](const Camera& c) { return !box.contains(c.position); });
  std::vector<WalkWay> ways;
  for (auto& w : data.ways) {
    WalkWay run;
    auto flush = [&] {
      if (run.nodes.size() >= 2) ways.push_back(run);
      run.nodes.clear(), run.points.clear();
    };
    run.id = w.id, run.highway = w.highway, run.underground = w.underground;
    for (size_t i = 0; i < w.nodes.size(); ++i) {
      if (!box.contains(w.points[i])) {
        flush();
        continue;
      }
      run.nodes.push_back(w.nodes[i]);
      run.points.push_back(w.points[i]);
    }
    flush();
  }
  data.ways = std::move(ways);
  auto outside = [&](const Area& a) {
    return std::none_of(a.outer.points.begin(), a.outer.points.end(), [&](LatLon p) { return box.contains(p); });
  };
  std::erase_if(data.buildings, outside);
  std::erase_if(data.squares, outside);
  return data;
}

LocalFrame frame_for(const CityData& data) {
  double lat0 = std::numeric_limits<double>::infinity(), lat1 = -lat0, lon0 = lat0, lon1 = -lat0;
  auto extend = [&](LatLon p) {
    lat0 = std::min(lat0, p.lat), lat1 = std::max(lat1, p.lat);
    lon0 = std::min(lon0, p.lon), lon1 = std::max(lon1, p.lon);
  };
  for (const auto& c : data.cameras) extend(c.position);
  for (const auto& w : data.ways)
    for (const auto& p : w.points) extend(p);
  if (!std::isfinite(lat0)) return LocalFrame({0, 0});
  return LocalFrame({(lat0 + lat1) / 2, (lon0 + lon1) / 2});
}

Obstacles surface_obstacles(const CityData& data, const LocalFrame& frame) {
  std::vector<Polygon> polys;
  polys.reserve(data.buildings.size());
  for (const auto& b : data.buildings)
    if (!b.underground) polys.push_back(to_local(b, frame));
  return Obstacles(std::move(polys));
}

std::vector<Polygon> compute_viewsheds(const std::vector<Camera>& cameras, const LocalFrame& frame,
                                       const Obstacles& obstacles, const CityConfig& config) {
  static const Obstacles no_walls({});
  ViewshedOptions opt;
  opt.wall_tolerance_m = config.wall_tolerance_m;
  std::vector<Polygon> out(cameras.size());
  for (size_t i = 0; i < cameras.size(); ++i) {
    const Camera& c = cameras[i];
    if (c.indoor) continue;
    out[i] = compute_viewshed(frame.to_xy(c.position), c.heading_deg, c.fov_deg, c.range_m,
                              c.underground ? no_walls : obstacles, opt);
  }
  return out;
}

std::vector<std::string> placement_warnings(const std::vector<Camera>& cameras, const LocalFrame& frame,
                                            const Obstacles& obstacles, double tolerance) {
  std::vector<std::string> out;
  for (const auto& c : cameras) {
    if (c.indoor || c.underground) continue;
    const XY p = frame.to_xy(c.position);
    const auto b = obstacles.building_containing(p);
    if (!b) continue;
    if (const double depth = obstacles.distance_to_outline(p, *b); depth > tolerance)
      out.push_back(fmt::format("{}: {:.1f} m inside a building footprint; it is modelled as seeing only that "
                                  "footprint (an arcade or passage). If it hangs on the façade, move it onto the wall",
                                c.id, depth));
  }
  return out;
}

CityModel build_city_model(CityData data, const CityConfig& config) {
  CityModel m;
  m.frame = frame_for(data);
  auto t = std::chrono::steady_clock::now();
  const Obstacles obstacles = surface_obstacles(data, m.frame);
  m.viewsheds = compute_viewsheds(data.cameras, m.frame, obstacles, config);
  for (auto& w : placement_warnings(data.cameras, m.frame, obstacles, config.wall_tolerance_m))
    data.warnings.push_back(std::move(w));
  m.timings.viewsheds_s = seconds_since(t);
  t = std::chrono::steady_clock::now();
  m.network = WalkNetwork::build(data, m.frame);
  m.timings.network_s = seconds_since(t);
  t = std::chrono::steady_clock::now();
  std::vector<bool> underground;
  for (const auto& c : data.cameras) underground.push_back(c.underground);
  m.network.expose(m.viewsheds, underground);
  m.timings.exposure_s = seconds_since(t);
  m.data = std::move(data);
  return m;
}

}  // namespace vigie::city
