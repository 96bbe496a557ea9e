// Camera lists outside OSM (a city's published CSV, a GeoJSON of points) and the GeoJSON
// that vigie writes: ids, positions and tags survive the round trip.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <vector>

#include "city/model.h"
#include "config/config.h"
#include "core/result.h"

namespace vigie::city {

// .csv (',' or ';' separated, a header naming lat/latitude and lon/lng/longitude columns;
// the other columns become tags) or .geojson/.json (Point features; properties become
// tags). Ids: an `id` column/property, else "<file name>#<row>". The camera model is
// applied with `config`. Bad rows are skipped with a warning.
Result<std::vector<Camera>> read_camera_list(const std::string& path, const CityConfig& config,
                                             std::vector<std::string>& warnings);

// A FeatureCollection of the cameras: properties are the tags, plus `id` and the model
// under "vigie:" keys (kind, heading_deg, fov_deg, range_m, height_m, indoor, underground,
// assumed) — recomputed, not read back, by read_camera_list.
nlohmann::json cameras_geojson(const std::vector<Camera>& cameras);

}  // namespace vigie::city
