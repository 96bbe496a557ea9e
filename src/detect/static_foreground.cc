#include "detect/static_foreground.h"

#include <cmath>
#include <opencv2/imgproc.hpp>

namespace vigie::detect {

StaticForeground::StaticForeground(const StaticForegroundConfig& config) : config_(config) {}

std::vector<StaticBlob> StaticForeground::update(const cv::Mat& bgr, double time_s) {
  const double s = static_cast<double>(config_.work_width) / bgr.cols;
  cv::Mat small, grey;
  cv::resize(bgr, small, cv::Size(config_.work_width, std::max(1, cvRound(bgr.rows * s))), 0, 0, cv::INTER_AREA);
  cv::cvtColor(small, grey, cv::COLOR_BGR2GRAY);
  cv::GaussianBlur(grey, grey, cv::Size(3, 3), 0);
  grey.convertTo(grey, CV_32F);
  if (short_bg_.empty() || short_bg_.size() != grey.size()) {
    short_bg_ = grey.clone();
    long_bg_ = grey.clone();
    still_s_ = cv::Mat::zeros(grey.size(), CV_32F);
    last_time_s_ = time_s;
    blobs_.clear();
    return {};
  }
  const double dt = std::max(0.0, time_s - last_time_s_);
  last_time_s_ = time_s;

  cv::Mat d_short, d_long;
  cv::absdiff(grey, short_bg_, d_short);
  cv::absdiff(grey, long_bg_, d_long);
  const cv::Mat differs_long = d_long > config_.threshold, differs_short = d_short > config_.threshold;
  const cv::Mat is_static = differs_long & ~differs_short;
  // Seconds of uninterrupted stillness per pixel.
  cv::add(still_s_, cv::Scalar(dt), still_s_, is_static);
  still_s_.setTo(0, ~is_static);

  // Exponential forgetting with time constants in seconds: alpha = 1 - exp(-dt / tau).
  cv::accumulateWeighted(grey, short_bg_, 1.0 - std::exp(-dt / config_.short_memory_s));
  cv::accumulateWeighted(grey, long_bg_, 1.0 - std::exp(-dt / config_.long_memory_s));

  cv::Mat mask = still_s_ >= config_.min_static_s;
  cv::morphologyEx(mask, mask, cv::MORPH_CLOSE, cv::getStructuringElement(cv::MORPH_ELLIPSE, {5, 5}));
  std::vector<std::vector<cv::Point>> contours;
  cv::findContours(mask, contours, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_SIMPLE);
  const double total = static_cast<double>(mask.total());
  std::vector<StaticBlob> now;
  for (const auto& c : contours) {
    const cv::Rect r = cv::boundingRect(c);
    const double share = static_cast<double>(r.area()) / total;
    if (share < config_.min_area || share > config_.max_area) continue;
    StaticBlob b;
    b.box = {static_cast<float>(r.x / s), static_cast<float>(r.y / s), static_cast<float>(r.width / s),
             static_cast<float>(r.height / s)};
    // The same blob as before keeps its id and age.
    float best = 0.3f;
    for (const auto& old : blobs_)
      if (const float o = iou(old.box, b.box); o >= best) best = o, b.id = old.id, b.since_s = old.since_s;
    if (b.id == 0) b.id = next_id_++, b.since_s = time_s - config_.min_static_s;
    now.push_back(b);
  }
  blobs_ = now;
  return now;
}

}  // namespace vigie::detect
