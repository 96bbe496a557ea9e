// The cheap stage: a running-average background on a small grey frame. It costs a
// fraction of a millisecond and tells the expensive detector where and when to look.
#include <opencv2/imgproc.hpp>

#include "detect/detector.h"

namespace vigie::detect {

MotionGate::MotionGate(const MotionGateConfig& config) : config_(config) {}

Motion MotionGate::update(const cv::Mat& bgr) {
  Motion motion;
  if (bgr.empty()) return motion;
  const double s = static_cast<double>(config_.width) / bgr.cols;
  // Bilinear then blurred: INTER_AREA is several times slower at non-integer ratios.
  cv::resize(bgr, small_, cv::Size(config_.width, std::max(1, cvRound(bgr.rows * s))), 0, 0,
             cv::INTER_LINEAR);
  cv::cvtColor(small_, grey_, cv::COLOR_BGR2GRAY);
  cv::GaussianBlur(grey_, grey_, cv::Size(5, 5), 0);
  if (background_.empty() || background_.size() != grey_.size()) {
    grey_.convertTo(background_, CV_32F);
    return motion;  // the first frame is the background: nothing moves yet
  }
  cv::Mat bg8;
  background_.convertTo(bg8, CV_8U);
  cv::absdiff(grey_, bg8, diff_);
  cv::threshold(diff_, mask_, config_.threshold, 255, cv::THRESH_BINARY);
  cv::accumulateWeighted(grey_, background_, config_.learning_rate);
  cv::dilate(mask_, mask_, cv::getStructuringElement(cv::MORPH_RECT, cv::Size(5, 5)), {-1, -1}, 2);
  motion.moving_share = static_cast<double>(cv::countNonZero(mask_)) / mask_.total();

  cv::Mat labels, stats, centroids;
  const int n = cv::connectedComponentsWithStats(mask_, labels, stats, centroids, 8, CV_32S);
  const double min_area = config_.min_area * mask_.total();
  for (int i = 1; i < n; ++i) {
    if (stats.at<int>(i, cv::CC_STAT_AREA) < min_area) continue;
    const cv::Rect r(stats.at<int>(i, cv::CC_STAT_LEFT), stats.at<int>(i, cv::CC_STAT_TOP),
                     stats.at<int>(i, cv::CC_STAT_WIDTH), stats.at<int>(i, cv::CC_STAT_HEIGHT));
    motion.regions.push_back({static_cast<float>(r.x / s), static_cast<float>(r.y / s),
                              static_cast<float>(r.width / s), static_cast<float>(r.height / s)});
  }
  return motion;
}

}  // namespace vigie::detect
