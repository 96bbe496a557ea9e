// `vigie city …`: the city camera network from OpenStreetMap or a camera list — coverage,
// least-watched routes, costs, reports and the figures that measure them.
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "city/camera.h"
#include "city/camera_list.h"
#include "city/city_model.h"
#include "city/coverage.h"
#include "city/osm_import.h"
#include "city/report.h"
#include "city/route.h"
#include "city/synthetic.h"
#include "cli/commands.h"
#include "config/config.h"

namespace vigie::cli {
namespace {

using nlohmann::json;
using namespace vigie::city;
namespace fs = std::filesystem;

struct CityInputs {
  std::vector<std::string> osm;      // .osm, .osm.gz, .osm.bz2, .osm.pbf
  std::vector<std::string> cameras;  // .csv, .geojson camera lists
  bool only_listed = false;          // drop the OSM cameras when lists are given
  std::string config_path;
  std::string bbox;            // LON0,LAT0,LON1,LAT1 (as osmium extract -b)
  bool whole_extract = false;  // do not clip to the extract's header bounds
  bool quiet = false;
};

void add_inputs(CLI::App* cmd, CityInputs& in) {
  cmd->add_option("--osm", in.osm, "OpenStreetMap file(s): streets, buildings, camera nodes")->check(CLI::ExistingFile);
  cmd->add_option("--cameras", in.cameras, "Camera list(s) (.csv with lat/lon columns, .geojson points)")
      ->check(CLI::ExistingFile);
  cmd->add_flag("--only-listed-cameras", in.only_listed, "Ignore the camera nodes of the OSM files");
  cmd->add_option("--config", in.config_path, "Configuration with a city: section (camera defaults, costs)");
  cmd->add_option("--bbox", in.bbox, "Analyse only this box: LON0,LAT0,LON1,LAT1 (default: the extract's bounds)");
  cmd->add_flag("--whole-extract", in.whole_extract,
                "Keep the ways that reach beyond the extract's bounds (osmium extract keeps them whole)");
  cmd->add_flag("--quiet", in.quiet, "No progress lines on stderr");
}

CityConfig city_config(const CityInputs& in) {
  return in.config_path.empty() ? CityConfig{} : load_config(in.config_path).city;
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

void note(const CityInputs& in, const std::string& line) {
  if (!in.quiet) fmt::print(stderr, "{}\n", line);
}

void print_warnings(const CityInputs& in, const std::vector<std::string>& warnings) {
  constexpr size_t kShown = 20;
  for (size_t i = 0; i < warnings.size() && i < kShown; ++i) note(in, "warning: " + warnings[i]);
  if (warnings.size() > kShown) note(in, fmt::format("warning: … and {} more", warnings.size() - kShown));
}

LatLonBox parse_box(const std::string& text) {
  std::vector<double> v;
  std::stringstream in(text);
  for (std::string part; std::getline(in, part, ',');) {
    try {
      v.push_back(std::stod(part));
    } catch (const std::exception&) {
      v.clear();
      break;
    }
  }
  if (v.size() != 4 || v[0] >= v[2] || v[1] >= v[3])
    throw UsageError(fmt::format("--bbox '{}': expected LON0,LAT0,LON1,LAT1 with LON0 < LON1 and LAT0 < LAT1", text));
  return {{v[1], v[0]}, {v[3], v[2]}};
}

CityData load_data(const CityInputs& in, const CityConfig& config) {
  if (in.osm.empty() && in.cameras.empty()) throw UsageError("give --osm FILE and/or --cameras FILE");
  CityData data;
  for (const auto& path : in.osm) {
    auto part = import_osm(path, config);
    if (!part) throw UsageError(part.error().message);
    note(in, fmt::format("{}: {} nodes, {} ways, {} relations in {:.2f} s: {} cameras, {} walkable ways, {} buildings, "
                         "{} squares",
                         path, part->stats.nodes, part->stats.ways, part->stats.relations, part->stats.seconds,
                         part->cameras.size(), part->ways.size(), part->buildings.size(), part->squares.size()));
    auto move_into = [](auto& to, auto& from) { std::move(from.begin(), from.end(), std::back_inserter(to)); };
    if (!in.only_listed) move_into(data.cameras, part->cameras);
    move_into(data.ways, part->ways);
    move_into(data.buildings, part->buildings);
    move_into(data.squares, part->squares);
    move_into(data.warnings, part->warnings);
    data.stats.nodes += part->stats.nodes, data.stats.ways += part->stats.ways;
    data.stats.relations += part->stats.relations, data.stats.seconds += part->stats.seconds;
    if (!data.stats.bounds) data.stats.bounds = part->stats.bounds;
  }
  for (const auto& path : in.cameras) {
    auto list = read_camera_list(path, config, data.warnings);
    if (!list) throw UsageError(list.error().message);
    note(in, fmt::format("{}: {} cameras", path, list->size()));
    std::move(list->begin(), list->end(), std::back_inserter(data.cameras));
  }
  std::optional<LatLonBox> box = in.whole_extract ? std::nullopt : data.stats.bounds;
  if (!in.bbox.empty()) box = parse_box(in.bbox);
  if (box) {
    data = clip_to(std::move(data), *box);
    note(in, fmt::format("analysing lon {:.5f}–{:.5f}, lat {:.5f}–{:.5f}{}: {} cameras, {} way pieces, {} buildings",
                         box->min.lon, box->max.lon, box->min.lat, box->max.lat,
                         in.bbox.empty() ? " (the extract's bounds; --whole-extract to keep all)" : "",
                         data.cameras.size(), data.ways.size(), data.buildings.size()));
  }
  return data;
}

CityModel load_model(const CityInputs& in, const CityConfig& config) {
  CityModel m = build_city_model(load_data(in, config), config);
  print_warnings(in, m.data.warnings);
  note(in, fmt::format("viewsheds of {} cameras in {:.3f} s; walking network of {} nodes and {} edges in {:.3f} s; "
                       "exposure in {:.3f} s",
                       m.data.cameras.size(), m.timings.viewsheds_s, m.network.nodes().size(),
                       m.network.edges().size(), m.timings.network_s, m.timings.exposure_s));
  return m;
}

void write_json(const fs::path& path, const json& j) {
  if (path.has_parent_path()) fs::create_directories(path.parent_path());
  std::ofstream out(path);
  if (!(out << j.dump()) || !out.flush()) throw std::runtime_error(fmt::format("cannot write '{}'", path.string()));
}

LatLon parse_latlon(const std::string& text, const char* what) {
  const auto comma = text.find(',');
  try {
    if (comma == std::string::npos) throw std::invalid_argument(text);
    const LatLon p{std::stod(text.substr(0, comma)), std::stod(text.substr(comma + 1))};
    if (p.lat < -90 || p.lat > 90 || p.lon < -180 || p.lon > 180) throw std::out_of_range(text);
    return p;
  } catch (const std::exception&) {
    throw UsageError(fmt::format("{} '{}': expected LAT,LON in degrees, e.g. 48.1374,11.5755", what, text));
  }
}

json costs_json(const Costs& c) {
  return {{"cameras", c.cameras}, {"install_eur_low", c.install_low_eur}, {"install_eur_high", c.install_high_eur},
          {"upkeep_eur_per_year", c.upkeep_eur_per_year}, {"covered_km", c.covered_km},
          {"install_eur_per_km_low", c.install_low_per_km}, {"install_eur_per_km_high", c.install_high_per_km},
          {"upkeep_eur_per_km_year", c.upkeep_per_km_year}};
}

void print_costs(const Costs& c) {
  fmt::print("cost: {} cameras × {:.0f}–{:.0f} € = {:.2f}–{:.2f} M€ to install, {:.2f} M€ a year to run\n", c.cameras,
             c.cameras ? c.install_low_eur / c.cameras : 0, c.cameras ? c.install_high_eur / c.cameras : 0,
             c.install_low_eur / 1e6, c.install_high_eur / 1e6, c.upkeep_eur_per_year / 1e6);
  if (c.covered_km > 0)
    fmt::print("per km of street seen ({:.2f} km): {:.0f}–{:.0f} k€ installed, {:.0f} k€ a year\n", c.covered_km,
               c.install_low_per_km / 1e3, c.install_high_per_km / 1e3, c.upkeep_per_km_year / 1e3);
}

// --- import ------------------------------------------------------------------------

struct ImportOptions {
  CityInputs in;
  std::string out;
  bool json = false;
};

int city_import(const ImportOptions& o) {
  const CityConfig config = city_config(o.in);
  // The summary is of the whole file; only an explicit --bbox cuts it.
  CityInputs in = o.in;
  in.whole_extract = true;
  const CityData data = load_data(in, config);
  print_warnings(in, data.warnings);
  std::size_t indoor = 0, underground = 0, with_direction = 0;
  for (const auto& c : data.cameras) {
    indoor += c.indoor;
    underground += c.underground;
    with_direction += c.heading_deg.has_value();
  }
  const double objects = static_cast<double>(data.stats.nodes + data.stats.ways + data.stats.relations);
  if (!o.out.empty()) write_json(o.out, cameras_geojson(data.cameras));
  const json j = {{"cameras", data.cameras.size()}, {"indoor", indoor}, {"underground", underground},
                  {"with_direction", with_direction}, {"walkable_ways", data.ways.size()},
                  {"buildings", data.buildings.size()}, {"squares", data.squares.size()},
                  {"warnings", data.warnings.size()}, {"osm_objects", objects},
                  {"objects_per_s", data.stats.seconds > 0 ? objects / data.stats.seconds : 0.0}};
  if (o.json) {
    fmt::print("{}\n", j.dump(2));
  } else {
    fmt::print("{} cameras ({} indoor, {} below ground, {} with a direction), {} walkable ways, {} buildings, {} squares\n",
               data.cameras.size(), indoor, underground, with_direction, data.ways.size(), data.buildings.size(),
               data.squares.size());
    if (data.stats.seconds > 0) fmt::print("read {:.0f} OSM objects at {:.0f} objects/s\n", objects, j["objects_per_s"].get<double>());
    if (!o.out.empty()) fmt::print("cameras written to {}\n", o.out);
  }
  return 0;
}

// --- coverage ----------------------------------------------------------------------

struct CoverageOptions {
  CityInputs in;
  double grid_m = 0;  // 0: city.grid_m
  std::string geojson_dir;
  bool json = false;
};

// The figures of `city coverage --json`, also written as coverage.json beside the layers
// (the transparency report reads them there).
json coverage_json(const CityModel& m, const Coverage& cov, const Costs& costs) {
  json cells = json::array();
  for (const auto& c : cov.cells)
    cells.push_back({{"ix", c.ix}, {"iy", c.iy}, {"street_m", c.street_m}, {"seen_m", c.seen_m}});
  json by_kind = json::array();
  for (const auto& k : coverage_by_kind(m))
    by_kind.push_back({{"kind", kind_name(k.kind)}, {"cameras", k.cameras}, {"seen_m", k.seen_m}});
  return {{"street_m", cov.street_m}, {"seen_m", cov.seen_m}, {"share", cov.share()},
          {"underground_m", cov.underground_m}, {"underground_seen_m", cov.underground_seen_m},
          {"street_cameras", cov.street_cameras}, {"indoor_cameras", cov.indoor_cameras},
          {"underground_cameras", cov.underground_cameras}, {"by_kind", by_kind}, {"grid_m", cov.grid_m},
          {"cells", cells}, {"costs", costs_json(costs)}};
}

void write_layers(const CityModel& m, const Coverage& cov, const Costs& costs, const fs::path& dir) {
  write_json(dir / "cameras.geojson", cameras_geojson(m.data.cameras));
  write_json(dir / "viewsheds.geojson", viewsheds_geojson(m));
  write_json(dir / "segments.geojson", segments_geojson(m));
  write_json(dir / "cells.geojson", cells_geojson(m, cov));
  write_json(dir / "coverage.json", coverage_json(m, cov, costs));
}

int print_area_coverage(const CityModel& m, const CityInputs& in, bool as_json) {
  std::optional<BBox> area;
  if (!in.bbox.empty()) {
    const LatLonBox b = parse_box(in.bbox);
    area = BBox(m.frame.to_xy(b.min), m.frame.to_xy(b.max));
  }
  const AreaCoverage a = compute_area_coverage(m, area);
  const json j = {{"cameras", a.cameras}, {"area_m2", a.area_m2}, {"seen_m2", a.seen_m2}, {"share", a.share()},
                  {"streets", false}};
  if (as_json) fmt::print("{}\n", j.dump(2));
  else
    fmt::print("no streets given: {:.1f} % of the {:.2f} km² {} lies within the modelled views of {} cameras "
               "({:.3f} km²)\n",
               100 * a.share(), a.area_m2 / 1e6, area ? "box" : "box their views span", a.cameras, a.seen_m2 / 1e6);
  return 0;
}

int city_coverage(const CoverageOptions& o) {
  const CityConfig config = city_config(o.in);
  const CityModel m = load_model(o.in, config);
  if (m.network.edges().empty()) return print_area_coverage(m, o.in, o.json);
  const Coverage cov = compute_coverage(m, o.grid_m > 0 ? o.grid_m : config.grid_m);
  const Costs costs = compute_costs(cov, config);
  if (!o.geojson_dir.empty()) write_layers(m, cov, costs, o.geojson_dir);
  if (o.json) {
    fmt::print("{}\n", coverage_json(m, cov, costs).dump(2));
    return 0;
  }
  fmt::print("street coverage: {:.1f} % — {:.2f} of {:.2f} km of walkable street seen by {} street cameras "
             "({} indoor left out)\n",
             100 * cov.share(), cov.seen_m / 1000, cov.street_m / 1000, cov.street_cameras, cov.indoor_cameras);
  if (cov.underground_m > 0)
    fmt::print("below ground (kept apart): {:.2f} of {:.2f} km seen by {} cameras\n", cov.underground_seen_m / 1000,
               cov.underground_m / 1000, cov.underground_cameras);
  std::vector<CoverageCell> cells = cov.cells;
  std::sort(cells.begin(), cells.end(), [](const auto& a, const auto& b) { return a.street_m > b.street_m; });
  fmt::print("{:.0f} m cells with the most street (of {}):\n", cov.grid_m, cells.size());
  for (size_t i = 0; i < cells.size() && i < 10; ++i)
    fmt::print("  cell {:>3},{:<3} {:>7.0f} m street {:>6.1f} % seen\n", cells[i].ix, cells[i].iy, cells[i].street_m,
               100 * cells[i].seen_m / cells[i].street_m);
  print_costs(costs);
  if (!o.geojson_dir.empty()) fmt::print("GeoJSON layers written to {}/\n", o.geojson_dir);
  return 0;
}

// --- route -------------------------------------------------------------------------

struct RouteCmdOptions {
  CityInputs in;
  std::string from, to;
  double weight = -1;  // < 0: exposure first, then length
  bool underground = false;
  std::string geojson;
  bool json = false;
};

json route_json(const CityModel& m, const Route& r) {
  json cams = json::array();
  for (const auto c : r.cameras) cams.push_back(m.data.cameras[c].id);
  return {{"length_m", r.length_m}, {"seen_m", r.seen_m}, {"cameras", cams}};
}

int city_route(const RouteCmdOptions& o) {
  const LatLon from_ll = parse_latlon(o.from, "--from"), to_ll = parse_latlon(o.to, "--to");
  const CityConfig config = city_config(o.in);
  const CityModel m = load_model(o.in, config);
  if (m.network.edges().empty()) throw UsageError("no walkable streets in the input: give an --osm file with streets");
  const XY from_xy = m.frame.to_xy(from_ll), to_xy = m.frame.to_xy(to_ll);
  const auto from = m.network.nearest_node(from_xy, o.underground), to = m.network.nearest_node(to_xy, o.underground);
  const double snap_from = distance(from_xy, m.network.nodes()[from].xy), snap_to = distance(to_xy, m.network.nodes()[to].xy);
  RouteOptions ro;
  ro.include_underground = o.underground;
  if (o.weight >= 0) ro.exposure_weight = o.weight;
  const auto shortest = shortest_route(m.network, from, to, ro);
  if (!shortest) throw UsageError("the two places are not connected by walkable streets in this extract");
  const UnseenAnswer unseen = unseen_route(m.network, from, to, ro);
  const Route chosen = o.weight >= 0 ? *least_watched_route(m.network, from, to, ro) : *unseen.best;
  if (!o.geojson.empty()) {
    json features = json::array({route_feature(m, chosen, "least watched"), route_feature(m, *shortest, "shortest")});
    write_json(o.geojson, {{"type", "FeatureCollection"}, {"features", features}});
  }
  json j = route_json(m, chosen);
  j["unseen_route_exists"] = unseen.unseen_exists;
  j["shortest"] = route_json(m, *shortest);
  j["snap_m"] = {snap_from, snap_to};
  if (o.weight >= 0) j["exposure_weight"] = o.weight;
  if (o.json) {
    fmt::print("{}\n", j.dump(2));
    return 0;
  }
  if (snap_from > 50 || snap_to > 50)
    fmt::print(stderr, "warning: the nearest walkable point is {:.0f} m / {:.0f} m away\n", snap_from, snap_to);
  fmt::print("shortest route:      {:7.0f} m, {:6.0f} m seen ({:.0f} %), {} cameras\n", shortest->length_m,
             shortest->seen_m, 100 * shortest->seen_m / std::max(shortest->length_m, 1e-9), shortest->cameras.size());
  fmt::print("least-watched route: {:7.0f} m, {:6.0f} m seen ({:.0f} %), {} cameras\n", chosen.length_m, chosen.seen_m,
             100 * chosen.seen_m / std::max(chosen.length_m, 1e-9), chosen.cameras.size());
  if (unseen.unseen_exists)
    fmt::print("a route that no camera sees exists: {:.0f} m long\n", unseen.best->length_m);
  else
    fmt::print("no route avoids every camera: at least {:.0f} m are seen on any route\n", unseen.best->seen_m);
  if (!o.geojson.empty()) fmt::print("routes written to {}\n", o.geojson);
  return 0;
}

// --- report ------------------------------------------------------------------------

struct ReportOptions {
  CityInputs in;
  std::string out = "city-report.html", image, title = "vigie — camera coverage";
  std::vector<std::string> routes;  // NAME=LAT,LON:LAT,LON
  int image_width = 1600;
};

int city_report(const ReportOptions& o) {
  const CityConfig config = city_config(o.in);
  const CityModel m = load_model(o.in, config);
  const Coverage cov = compute_coverage(m, config.grid_m);
  const Costs costs = compute_costs(cov, config);
  std::vector<NamedRoute> routes;
  for (const auto& spec : o.routes) {
    const auto eq = spec.find('='), colon = spec.find(':', eq == std::string::npos ? 0 : eq);
    if (eq == std::string::npos || colon == std::string::npos)
      throw UsageError(fmt::format("--route '{}': expected NAME=LAT,LON:LAT,LON", spec));
    const auto a = m.network.nearest_node(m.frame.to_xy(parse_latlon(spec.substr(eq + 1, colon - eq - 1), "--route")), false);
    const auto b = m.network.nearest_node(m.frame.to_xy(parse_latlon(spec.substr(colon + 1), "--route")), false);
    const UnseenAnswer ans = unseen_route(m.network, a, b);
    if (!ans.connected) throw UsageError(fmt::format("--route '{}': the places are not connected", spec));
    routes.push_back({spec.substr(0, eq) + " (least watched)", *ans.best});
    routes.push_back({spec.substr(0, eq) + " (shortest)", *shortest_route(m.network, a, b)});
  }
  const fs::path out(o.out);
  if (out.has_parent_path()) fs::create_directories(out.parent_path());
  std::ofstream(out) << html_report(m, cov, costs, routes, o.title);
  fmt::print("report written to {}\n", o.out);
  if (!o.image.empty()) {
    if (!write_image(m, routes, o.image, o.image_width))
      throw std::runtime_error(fmt::format("cannot write '{}'", o.image));
    fmt::print("picture written to {}\n", o.image);
  }
  return 0;
}

// --- sensitivity -------------------------------------------------------------------

struct SensitivityOptions {
  CityInputs in;
  std::vector<double> ranges{15, 20, 30, 40, 50};
  std::vector<double> fovs{60, 90, 120};
  bool json = false;
};

// Coverage when every default range is r and the default fixed-camera view is f wide.
int city_sensitivity(const SensitivityOptions& o) {
  const CityConfig base = city_config(o.in);
  CityModel m = load_model(o.in, base);
  const Obstacles obstacles = surface_obstacles(m.data, m.frame);
  std::vector<bool> underground;
  for (const auto& c : m.data.cameras) underground.push_back(c.underground);
  json rows = json::array();
  if (!o.json) {
    fmt::print("| default range \\ fixed-camera field of view |");
    for (const double f : o.fovs) fmt::print(" {:.0f}° |", f);
    fmt::print("\n|---|");
    for (size_t i = 0; i < o.fovs.size(); ++i) fmt::print("---|");
    fmt::print("\n");
  }
  for (const double r : o.ranges) {
    if (!o.json) fmt::print("| {:.0f} m |", r);
    for (const double f : o.fovs) {
      CityConfig c = base;
      for (auto* t : {&c.fixed, &c.dome, &c.panning, &c.unknown}) t->range_m = r;
      c.fixed.fov_deg = c.unknown.fov_deg = f;
      std::vector<std::string> ignored;
      for (auto& cam : m.data.cameras) apply_camera_model(cam, c, ignored);
      m.viewsheds = compute_viewsheds(m.data.cameras, m.frame, obstacles, c);
      m.network.expose(m.viewsheds, underground);
      const Coverage cov = compute_coverage(m, c.grid_m);
      rows.push_back({{"range_m", r}, {"fov_deg", f}, {"share", cov.share()}, {"seen_m", cov.seen_m}});
      if (!o.json) fmt::print(" {:.1f} % |", 100 * cov.share());
    }
    if (!o.json) fmt::print("\n");
  }
  if (o.json) fmt::print("{}\n", rows.dump(2));
  return 0;
}

// --- bench -------------------------------------------------------------------------

struct BenchOptions {
  CityInputs in;
  std::size_t synthetic = 0;
  int queries = 200;
  int repeats = 5;
  bool json = false;
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[std::min(v.size() - 1, static_cast<size_t>(p * v.size()))];
}

// Times the stages on a real extract or a synthetic city: import, viewsheds (median of
// repeats, one core), route queries between random street nodes, peak memory.
int city_bench(const BenchOptions& o) {
  const CityConfig config = city_config(o.in);
  CityData data;
  if (o.synthetic > 0) {
    SyntheticCity spec;
    spec.cameras = o.synthetic;
    const auto t = std::chrono::steady_clock::now();
    data = make_synthetic_city(spec, config);
    data.stats.seconds = seconds_since(t);
  } else {
    data = load_data(o.in, config);
  }
  const double import_s = data.stats.seconds;
  const double objects = static_cast<double>(data.stats.nodes + data.stats.ways + data.stats.relations);
  CityModel m = build_city_model(std::move(data), config);
  const Obstacles obstacles = surface_obstacles(m.data, m.frame);
  std::vector<double> viewshed_runs;
  for (int i = 0; i < o.repeats; ++i) {
    const auto t = std::chrono::steady_clock::now();
    const auto v = compute_viewsheds(m.data.cameras, m.frame, obstacles, config);
    viewshed_runs.push_back(seconds_since(t));
  }
  const Coverage cov = compute_coverage(m, config.grid_m);
  const std::size_t outdoor = cov.street_cameras + cov.underground_cameras;
  std::vector<std::uint32_t> street_nodes;
  for (std::uint32_t i = 0; i < m.network.nodes().size(); ++i)
    if (!m.network.adjacent(i).empty()) street_nodes.push_back(i);
  std::mt19937 rng(7);
  std::uniform_int_distribution<std::size_t> pick(0, street_nodes.empty() ? 0 : street_nodes.size() - 1);
  std::vector<double> query_ms;
  for (int q = 0; q < o.queries && !street_nodes.empty(); ++q) {
    const auto a = street_nodes[pick(rng)], b = street_nodes[pick(rng)];
    const auto t = std::chrono::steady_clock::now();
    const auto ans = unseen_route(m.network, a, b);
    query_ms.push_back(seconds_since(t) * 1000);
    (void)ans;
  }
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const nlohmann::ordered_json j = {
                  {"source", o.synthetic > 0 ? fmt::format("synthetic grid city, {} cameras", o.synthetic)
                                             : fmt::format("{}", fmt::join(o.in.osm, " "))},
                  {"cameras", m.data.cameras.size()}, {"outdoor_cameras", outdoor},
                  {"buildings", m.data.buildings.size()}, {"network_nodes", m.network.nodes().size()},
                  {"network_edges", m.network.edges().size()}, {o.synthetic > 0 ? "generate_s" : "import_s", import_s},
                  {"import_objects_per_s", o.synthetic == 0 && import_s > 0 ? objects / import_s : 0.0},
                  {"viewsheds_s_median", median(viewshed_runs)},
                  {"viewshed_us_per_camera", outdoor ? median(viewshed_runs) / outdoor * 1e6 : 0.0},
                  {"network_build_s", m.timings.network_s}, {"exposure_s", m.timings.exposure_s},
                  {"route_queries", query_ms.size()}, {"route_ms_p50", percentile(query_ms, 0.5)},
                  {"route_ms_p99", percentile(query_ms, 0.99)}, {"peak_rss_mb", usage.ru_maxrss / 1024.0}};
  if (o.json) fmt::print("{}\n", j.dump(2));
  else
    for (const auto& [k, v] : j.items()) fmt::print("{:24} {}\n", k, v.dump());
  return 0;
}

}  // namespace

std::function<int()> add_city_commands(CLI::App& app) {
  auto* city = app.add_subcommand("city", "The city camera network: coverage, least-watched routes, costs");
  city->require_subcommand(1);

  auto im = std::make_shared<ImportOptions>();
  auto* import_cmd = city->add_subcommand("import", "Read OSM files and camera lists; summarise; write cameras as GeoJSON");
  import_cmd->add_option("--out", im->out, "Write the cameras (with their modelled view) here as GeoJSON");
  import_cmd->add_flag("--json", im->json, "Print the summary as JSON");
  add_inputs(import_cmd, im->in);

  auto co = std::make_shared<CoverageOptions>();
  auto* coverage_cmd = city->add_subcommand("coverage", "Share of walkable street seen, per grid cell, and costs");
  add_inputs(coverage_cmd, co->in);
  coverage_cmd->add_option("--grid", co->grid_m, "Cell size in metres (default: city.grid_m, 250)")
      ->check(CLI::PositiveNumber);
  coverage_cmd->add_option("--geojson-dir", co->geojson_dir,
                           "Write cameras, viewsheds, segments and cells here, and the figures (coverage.json)");
  coverage_cmd->add_flag("--json", co->json, "Print as JSON");

  auto ro = std::make_shared<RouteCmdOptions>();
  auto* route_cmd = city->add_subcommand("route", "Shortest and least-watched walking routes; is there an unseen one?");
  add_inputs(route_cmd, ro->in);
  route_cmd->add_option("--from", ro->from, "Start, LAT,LON")->required();
  route_cmd->add_option("--to", ro->to, "End, LAT,LON")->required();
  route_cmd->add_option("--weight", ro->weight,
                        "Metres walked worth one metre seen (default: avoid being seen first, then walk least)")
      ->check(CLI::NonNegativeNumber);
  route_cmd->add_flag("--underground", ro->underground, "Also walk through tunnels and passages below the street");
  route_cmd->add_option("--geojson", ro->geojson, "Write both routes here as GeoJSON");
  route_cmd->add_flag("--json", ro->json, "Print as one JSON object");

  auto rp = std::make_shared<ReportOptions>();
  auto* report_cmd = city->add_subcommand("report", "A self-contained HTML report (and PNG) of coverage and routes");
  add_inputs(report_cmd, rp->in);
  report_cmd->add_option("--out", rp->out, "HTML file");
  report_cmd->add_option("--image", rp->image, "Also draw the map into this image (.png or .jpg)");
  report_cmd->add_option("--image-width", rp->image_width, "Image width in pixels")->check(CLI::Range(200, 10000));
  report_cmd->add_option("--route", rp->routes, "Routes to draw: NAME=LAT,LON:LAT,LON (repeatable)");
  report_cmd->add_option("--title", rp->title, "Title of the report");

  auto se = std::make_shared<SensitivityOptions>();
  auto* sens_cmd = city->add_subcommand("sensitivity", "Coverage against the default camera range and field of view");
  add_inputs(sens_cmd, se->in);
  sens_cmd->add_option("--ranges", se->ranges, "Default ranges to try, metres")->delimiter(',');
  sens_cmd->add_option("--fovs", se->fovs, "Default fixed-camera fields of view to try, degrees")->delimiter(',');
  sens_cmd->add_flag("--json", se->json, "Print as JSON");

  auto be = std::make_shared<BenchOptions>();
  auto* bench_cmd = city->add_subcommand("bench", "Time import, viewsheds and route queries (one core)");
  add_inputs(bench_cmd, be->in);
  bench_cmd->add_option("--synthetic", be->synthetic, "Use a synthetic grid city with this many cameras instead");
  bench_cmd->add_option("--queries", be->queries, "Route queries to time")->check(CLI::PositiveNumber);
  bench_cmd->add_option("--repeats", be->repeats, "Viewshed runs (the median is reported)")->check(CLI::PositiveNumber);
  bench_cmd->add_flag("--json", be->json, "Print as JSON");

  return [=]() -> int {
    if (*import_cmd) return city_import(*im);
    if (*coverage_cmd) return city_coverage(*co);
    if (*route_cmd) return city_route(*ro);
    if (*report_cmd) return city_report(*rp);
    if (*sens_cmd) return city_sensitivity(*se);
    if (*bench_cmd) return city_bench(*be);
    return -1;
  };
}

}  // namespace vigie::cli
