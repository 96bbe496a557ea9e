#include "risk/map.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

#include "risk/report.h"

namespace vigie::risk {

nlohmann::json risk_geojson(const std::vector<double>& score, const std::vector<int>& area, const Grid& grid,
                            const Unprojection& unproject, double coverage, const nlohmann::json& properties) {
  nlohmann::json features = nlohmann::json::array();
  int rank = 0;
  for (int c : top_cells(score, area, coverage)) {
    const double x = grid.x0 + (c % grid.nx) * grid.cell, y = grid.y0 + (c / grid.nx) * grid.cell;
    nlohmann::json ring = nlohmann::json::array();
    for (auto [dx, dy] : {std::pair{0, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 0}}) {  // counter-clockwise (RFC 7946)
      const auto p = unproject.to_latlon(x + dx * grid.cell, y + dy * grid.cell);
      ring.push_back({std::round(p->lon * 1e6) / 1e6, std::round(p->lat * 1e6) / 1e6});
    }
    features.push_back({{"type", "Feature"},
                        {"geometry", {{"type", "Polygon"}, {"coordinates", {ring}}}},
                        {"properties", {{"rank", ++rank}, {"score", score[c]}}}});
  }
  return {{"type", "FeatureCollection"}, {"properties", properties}, {"features", features}};
}

cv::Mat risk_picture(const std::vector<double>& score, const std::vector<int>& area, const Grid& grid,
                     int pixels_per_cell) {
  cv::Mat level(grid.ny, grid.nx, CV_8U, cv::Scalar(0)), inside(grid.ny, grid.nx, CV_8U, cv::Scalar(0));
  double top = 0;
  for (int c : area) top = std::max(top, std::log1p(std::max(0.0, score[c])));
  for (int c : area) {
    const int row = grid.ny - 1 - c / grid.nx, col = c % grid.nx;  // north up
    level.at<uint8_t>(row, col) = cv::saturate_cast<uint8_t>(top > 0 ? 255 * std::log1p(std::max(0.0, score[c])) / top : 0);
    inside.at<uint8_t>(row, col) = 255;
  }
  cv::Mat colour;
  cv::applyColorMap(level, colour, cv::COLORMAP_INFERNO);
  colour.setTo(cv::Scalar(60, 60, 60), inside == 0);
  cv::resize(colour, colour, {}, pixels_per_cell, pixels_per_cell, cv::INTER_NEAREST);
  return colour;
}

}  // namespace vigie::risk
