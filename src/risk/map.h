// Risk surfaces as maps (docs/risk.md): the flagged cells as GeoJSON polygons in WGS84
// degrees, and the whole surface as a picture.
#pragma once

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <optional>
#include <string>
#include <vector>

#include "risk/models.h"

namespace vigie::risk {

// The top `coverage` of `area` as a FeatureCollection: one square per cell with its score
// and rank; `properties` go on the collection (model, forecast day, measured PAI).
nlohmann::json risk_geojson(const std::vector<double>& score, const std::vector<int>& area, const Grid& grid,
                            const Unprojection& unproject, double coverage, const nlohmann::json& properties);

// The surface, north up, `pixels_per_cell` to a cell, log-scaled colours (inferno);
// cells outside the study area dark grey.
cv::Mat risk_picture(const std::vector<double>& score, const std::vector<int>& area, const Grid& grid,
                     int pixels_per_cell = 4);

}  // namespace vigie::risk
