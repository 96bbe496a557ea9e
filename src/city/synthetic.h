// A synthetic city of any size, for measuring how the model scales (a country's camera
// map is ~100,000 cameras; no such OSM extract is at hand): a street grid with a building
// on every block and cameras on the pavements, in WGS84 like an import.
#pragma once

#include <cstdint>

#include "city/model.h"
#include "config/config.h"

namespace vigie::city {

struct SyntheticCity {
  std::size_t cameras = 1000;
  double block_m = 100;          // street spacing
  double blocks_per_camera = 2;  // sets the grid size from the camera count
  std::uint32_t seed = 1;
  LatLon origin{46.0, 2.0};      // the middle of France
};

// Cameras: 40 % fixed with a direction along the street, 40 % domes, 20 % without type or
// direction; the model is applied with `config`.
CityData make_synthetic_city(const SyntheticCity& spec, const CityConfig& config);

}  // namespace vigie::city
