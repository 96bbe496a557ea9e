#include "city/coverage.h"

#include <cmath>
#include <map>

namespace vigie::city {

Coverage compute_coverage(const CityModel& model, double grid_m) {
  Coverage cov;
  cov.grid_m = grid_m;
  for (const auto& c : model.data.cameras) {
    if (c.indoor) ++cov.indoor_cameras;
    else if (c.underground) ++cov.underground_cameras;
    else ++cov.street_cameras;
  }
  std::map<std::pair<long, long>, CoverageCell> cells;
  const auto& nodes = model.network.nodes();
  for (const auto& e : model.network.edges()) {
    if (e.crossing) continue;
    if (e.underground) {
      cov.underground_m += e.length_m;
      cov.underground_seen_m += e.seen_m;
      continue;
    }
    cov.street_m += e.length_m;
    cov.seen_m += e.seen_m;
    const XY a = nodes[e.a].xy, b = nodes[e.b].xy;
    for_each_stretch(e, [&](double s0, double s1, bool seen) {
      if (e.length_m <= 0) return;
      const double mid = (s0 + s1) / 2 / e.length_m;
      const long ix = static_cast<long>(std::floor((a.x() + (b.x() - a.x()) * mid) / grid_m));
      const long iy = static_cast<long>(std::floor((a.y() + (b.y() - a.y()) * mid) / grid_m));
      auto& cell = cells[{ix, iy}];
      cell.ix = ix, cell.iy = iy;
      cell.street_m += s1 - s0;
      if (seen) cell.seen_m += s1 - s0;
    });
  }
  for (auto& [key, cell] : cells) cov.cells.push_back(cell);
  return cov;
}

std::vector<KindCoverage> coverage_by_kind(const CityModel& model) {
  std::vector<KindCoverage> out;
  const auto& cameras = model.data.cameras;
  for (CameraKind kind : {CameraKind::fixed, CameraKind::dome, CameraKind::panning, CameraKind::unknown}) {
    auto street_camera_of_kind = [&](size_t i) {
      return cameras[i].kind == kind && !cameras[i].indoor && !cameras[i].underground && i < model.viewsheds.size();
    };
    // The network exposed to this type's viewsheds only (an empty polygon: ignored).
    std::vector<Polygon> views(model.viewsheds.size());
    std::vector<bool> underground(model.viewsheds.size(), false);
    KindCoverage k{kind, 0, 0};
    for (size_t i = 0; i < cameras.size(); ++i)
      if (street_camera_of_kind(i)) ++k.cameras, views[i] = model.viewsheds[i];
    if (k.cameras == 0) continue;
    WalkNetwork network = model.network;
    network.expose(views, underground);
    for (const auto& e : network.edges())
      if (!e.crossing && !e.underground) k.seen_m += e.seen_m;
    out.push_back(k);
  }
  return out;
}

AreaCoverage compute_area_coverage(const CityModel& model, const std::optional<BBox>& within) {
  using MultiPolygon = bg::model::multi_polygon<Polygon>;
  AreaCoverage out;
  BBox box;
  bg::assign_inverse(box);
  std::vector<MultiPolygon> parts;
  for (const auto& v : model.viewsheds)
    if (!v.outer().empty()) {
      parts.push_back({v});
      bg::expand(box, bg::return_envelope<BBox>(v));
    }
  out.cameras = parts.size();
  if (parts.empty()) return out;
  // Pairwise unions, as a tournament: each round halves the list, so each union stays small.
  while (parts.size() > 1) {
    std::vector<MultiPolygon> next;
    for (size_t i = 0; i + 1 < parts.size(); i += 2) {
      next.emplace_back();
      bg::union_(parts[i], parts[i + 1], next.back());
    }
    if (parts.size() % 2) next.push_back(std::move(parts.back()));
    parts.swap(next);
  }
  if (within) box = *within;
  MultiPolygon inside;
  bg::intersection(parts[0], box, inside);
  out.seen_m2 = bg::area(inside);
  out.area_m2 = bg::area(box);
  return out;
}

Costs compute_costs(const Coverage& cov, const CityConfig& config) {
  const std::size_t cameras = cov.street_cameras + cov.underground_cameras;
  const double covered_km = (cov.seen_m + cov.underground_seen_m) / 1000;
  Costs c;
  c.cameras = cameras;
  c.install_low_eur = cameras * config.install_eur_low;
  c.install_high_eur = cameras * config.install_eur_high;
  c.upkeep_eur_per_year = cameras * config.upkeep_eur_per_year;
  c.covered_km = covered_km;
  if (covered_km > 0) {
    c.install_low_per_km = c.install_low_eur / covered_km;
    c.install_high_per_km = c.install_high_eur / covered_km;
    c.upkeep_per_km_year = c.upkeep_eur_per_year / covered_km;
  }
  return c;
}

}  // namespace vigie::city
