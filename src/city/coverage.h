// How much of the walkable street the cameras see, in total and per grid cell, and what
// the network costs.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "city/city_model.h"

namespace vigie::city {

struct CoverageCell {
  long ix = 0, iy = 0;  // cell (ix, iy) spans [ix·grid, (ix+1)·grid) metres east of the frame origin
  double street_m = 0, seen_m = 0;
};

struct Coverage {
  // Street surface; straight crossings of squares are routes, not streets, and not counted.
  double street_m = 0, seen_m = 0;
  double underground_m = 0, underground_seen_m = 0;
  std::size_t street_cameras = 0;       // outdoor cameras on the surface
  std::size_t underground_cameras = 0;
  std::size_t indoor_cameras = 0;       // not used for street coverage
  double grid_m = 0;
  std::vector<CoverageCell> cells;      // surface, cells with street only
  double share() const { return street_m > 0 ? seen_m / street_m : 0; }
};

// Street pieces are split where viewsheds begin and end; each piece counts in the cell of
// its midpoint (pieces are at most one OSM segment long, much shorter than a cell).
Coverage compute_coverage(const CityModel& model, double grid_m);

// What the cameras of one type (fixed, dome, panning, unknown) see on their own: the
// outdoor surface cameras of that type and the metres of surface street their views
// cover (street seen by two types counts for each).
struct KindCoverage {
  CameraKind kind = CameraKind::unknown;
  std::size_t cameras = 0;
  double seen_m = 0;
};
// One entry per type that has street cameras, in the enum's order.
std::vector<KindCoverage> coverage_by_kind(const CityModel& model);

// Without streets, all a camera list can say is how much ground lies within the modelled
// views: the union of the viewsheds over an area.
struct AreaCoverage {
  std::size_t cameras = 0;
  double area_m2 = 0, seen_m2 = 0;
  double share() const { return area_m2 > 0 ? seen_m2 / area_m2 : 0; }
};
// `within`: the area to measure (local frame); none: the box the views span.
AreaCoverage compute_area_coverage(const CityModel& model, const std::optional<BBox>& within = std::nullopt);

struct Costs {
  std::size_t cameras = 0;
  double install_low_eur = 0, install_high_eur = 0, upkeep_eur_per_year = 0;
  double covered_km = 0;
  // Per kilometre of street seen (0 when nothing is seen).
  double install_low_per_km = 0, install_high_per_km = 0, upkeep_per_km_year = 0;
};

// The outdoor cameras (street and below ground: indoor ones are mostly private) and the
// kilometres they see, priced with the config's figures.
Costs compute_costs(const Coverage& coverage, const CityConfig& config);

}  // namespace vigie::city
