// The cheap stage: a running-average background on a small grey frame. It costs a
// fraction of a millisecond and tells the expensive detector where and when to look.
#include <opencv2/imgproc.hpp>

#include "detect/detector.h"

namespace vigie::detect {

MotionGate::MotionGate(const MotionGateConfig& config) : config_(config) {}

std::vector<Box> MotionGate::regions_of(const cv::Mat& mask) const {
  std::vector<Box> regions;
  cv::Mat labels, stats, centroids;
  const int n = cv::connectedComponentsWithStats(mask, labels, stats, centroids, 8, CV_32S);
  const double min_area = config_.min_area * mask.total();
  for (int i = 1; i < n; ++i) {
    if (stats.at<int>(i, cv::CC_STAT_AREA) < min_area) continue;
    const cv::Rect r(stats.at<int>(i, cv::CC_STAT_LEFT), stats.at<int>(i, cv::CC_STAT_TOP),
                     stats.at<int>(i, cv::CC_STAT_WIDTH), stats.at<int>(i, cv::CC_STAT_HEIGHT));
    regions.push_back({static_cast<float>(r.x / scale_), static_cast<float>(r.y / scale_),
                       static_cast<float>(r.width / scale_), static_cast<float>(r.height / scale_)});
  }
  return regions;
}

std::vector<Box> MotionGate::unexplained(const std::vector<Box>& explained) const {
  if (mask_.empty()) return {};
  cv::Mat rest = mask_.clone();
  for (const auto& b : explained) {
    const cv::Rect r(cvFloor(b.x * scale_), cvFloor(b.y * scale_), cvCeil(b.w * scale_) + 1, cvCeil(b.h * scale_) + 1);
    rest(r & cv::Rect(0, 0, rest.cols, rest.rows)).setTo(0);
  }
  return regions_of(rest);
}

Motion MotionGate::update(const cv::Mat& bgr) {
  Motion motion;
  if (bgr.empty()) return motion;
  const double s = scale_ = static_cast<double>(config_.width) / bgr.cols;
  // Bilinear then blurred: INTER_AREA is several times slower at non-integer ratios.
  cv::resize(bgr, small_, cv::Size(config_.width, std::max(1, cvRound(bgr.rows * s))), 0, 0,
             cv::INTER_LINEAR);
  cv::cvtColor(small_, grey_, cv::COLOR_BGR2GRAY);
  cv::GaussianBlur(grey_, grey_, cv::Size(5, 5), 0);
  if (background_.empty() || background_.size() != grey_.size()) {
    grey_.convertTo(background_, CV_32F);
    mask_.release();
    return motion;  // the first frame is the background: nothing moves yet
  }
  cv::Mat bg8;
  background_.convertTo(bg8, CV_8U);
  cv::absdiff(grey_, bg8, diff_);
  cv::threshold(diff_, mask_, config_.threshold, 255, cv::THRESH_BINARY);
  cv::accumulateWeighted(grey_, background_, config_.learning_rate);
  cv::dilate(mask_, mask_, cv::getStructuringElement(cv::MORPH_RECT, cv::Size(5, 5)), {-1, -1}, 2);
  motion.moving_share = static_cast<double>(cv::countNonZero(mask_)) / mask_.total();

  motion.regions = regions_of(mask_);
  return motion;
}

}  // namespace vigie::detect
