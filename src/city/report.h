// What the city model writes for people: GeoJSON layers (WGS84) for any GIS or web map,
// and a self-contained HTML report and a picture drawn without any tile server.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <vector>

#include "city/city_model.h"
#include "city/coverage.h"
#include "city/route.h"

namespace vigie::city {

nlohmann::json viewsheds_geojson(const CityModel& model);
// Street pieces split at viewshed borders, each with `seen`, `way`, `underground`.
nlohmann::json segments_geojson(const CityModel& model);
nlohmann::json cells_geojson(const CityModel& model, const Coverage& coverage);
nlohmann::json route_feature(const CityModel& model, const Route& route, const std::string& name);

struct NamedRoute {
  std::string name;
  Route route;
};

// One HTML file: summary figures, a drawing (buildings, viewsheds, streets seen/unseen,
// cameras, routes) as inline SVG, and the per-cell table.
std::string html_report(const CityModel& model, const Coverage& coverage, const Costs& costs,
                        const std::vector<NamedRoute>& routes, const std::string& title);

// The same drawing as an image of `width` pixels (height from the extent's aspect ratio),
// PNG or JPEG by the file's extension.
bool write_image(const CityModel& model, const std::vector<NamedRoute>& routes, const std::string& path, int width);

}  // namespace vigie::city
