#include "describe/heatmap.h"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

namespace vigie::describe {

cv::Mat heat_map(const std::vector<std::pair<float, float>>& points, cv::Size frame, int cell) {
  if (frame.width <= 0 || frame.height <= 0) return {};
  cell = std::max(1, cell);
  const cv::Size grid((frame.width + cell - 1) / cell, (frame.height + cell - 1) / cell);
  cv::Mat counts = cv::Mat::zeros(grid, CV_32F);
  for (const auto& [x, y] : points) {
    if (!(x >= 0 && y >= 0 && x < frame.width && y < frame.height)) continue;  // NaN too
    counts.at<float>(static_cast<int>(y) / cell, static_cast<int>(x) / cell) += 1;
  }
  cv::GaussianBlur(counts, counts, cv::Size(0, 0), 1.0);
  cv::log(counts + 1, counts);
  double most = 0;
  cv::minMaxLoc(counts, nullptr, &most);
  cv::Mat level;
  counts.convertTo(level, CV_8U, most > 0 ? 255.0 / most : 0);
  cv::Mat colour, out;
  cv::applyColorMap(level, colour, cv::COLORMAP_INFERNO);
  cv::cvtColor(colour, out, cv::COLOR_BGR2BGRA);
  std::vector<cv::Mat> channels;
  cv::split(out, channels);
  channels[3] = cv::min(level * 1.5, 200);  // see-through: the scene stays readable under it
  cv::merge(channels, out);
  cv::resize(out, out, frame, 0, 0, cv::INTER_LINEAR);
  return out;
}

}  // namespace vigie::describe
