#include "describe/heatmap.h"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

namespace vigie::describe {

HeatMap::HeatMap() : counts_(cv::Mat::zeros(kRows, kColumns, CV_32F)) {}

void HeatMap::add(float x, float y, cv::Size frame) {
  if (frame.width <= 0 || frame.height <= 0) return;
  const float u = x / frame.width, v = y / frame.height;
  if (!(u >= 0 && u < 1 && v >= 0 && v < 1)) return;  // NaN too
  counts_.at<float>(std::min(kRows - 1, static_cast<int>(v * kRows)), std::min(kColumns - 1, static_cast<int>(u * kColumns))) += 1;
  ++points_;
}

cv::Mat HeatMap::render(cv::Size frame) const {
  if (frame.width <= 0 || frame.height <= 0) return {};
  cv::Mat density;
  cv::GaussianBlur(counts_, density, cv::Size(0, 0), 1.5);
  cv::log(density + 1, density);
  double most = 0;
  cv::minMaxLoc(density, nullptr, &most);
  cv::Mat level;
  density.convertTo(level, CV_8U, most > 0 ? 255.0 / most : 0);
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
