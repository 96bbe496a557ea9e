// The model-free detector: background subtraction (MOG2 or KNN) at a reduced resolution,
// shadows removed, morphology, connected components → boxes of class `object`.
#include <opencv2/imgproc.hpp>
#include <opencv2/video/background_segm.hpp>

#include "detect/internal.h"

namespace vigie::detect {
namespace {

class MotionDetector final : public Detector {
 public:
  explicit MotionDetector(const DetectConfig& c) : config_(c) {
    if (c.background == "knn")
      subtractor_ = cv::createBackgroundSubtractorKNN(c.history, 400.0, /*shadows=*/true);
    else
      subtractor_ = cv::createBackgroundSubtractorMOG2(c.history, 16.0, /*shadows=*/true);
  }

  std::vector<Detection> detect(const Frame& frame, const Motion&) override {
    const cv::Mat& bgr = frame.image;
    const double s = std::min(1.0, static_cast<double>(config_.work_width) / bgr.cols);
    if (s < 1.0)
      cv::resize(bgr, small_, cv::Size(), s, s, cv::INTER_AREA);
    else
      small_ = bgr;
    subtractor_->apply(small_, mask_);
    // The first frames only teach the model what the background is.
    if (++frames_ <= kWarmupFrames) return {};
    // Shadows are marked 127 by both subtractors: keep only confident foreground.
    cv::threshold(mask_, mask_, 200, 255, cv::THRESH_BINARY);
    // Kernel sizes follow the work resolution so that behaviour does not depend on it.
    const int k = std::max(3, (small_.cols / 128) | 1);
    cv::morphologyEx(mask_, mask_, cv::MORPH_OPEN, cv::getStructuringElement(cv::MORPH_ELLIPSE, {k, k}));
    cv::morphologyEx(mask_, mask_, cv::MORPH_CLOSE,
                     cv::getStructuringElement(cv::MORPH_ELLIPSE, {2 * k + 1, 2 * k + 1}));

    cv::Mat labels, stats, centroids;
    const int n = cv::connectedComponentsWithStats(mask_, labels, stats, centroids, 8, CV_32S);
    const double min_area = config_.min_box_area * mask_.total();
    // A blob over half the frame is a lighting change or a camera shake, not an object.
    const double max_area = 0.5 * mask_.total();
    std::vector<Detection> out;
    for (int i = 1; i < n; ++i) {
      const int area = stats.at<int>(i, cv::CC_STAT_AREA);
      if (area < min_area || area > max_area) continue;
      const float x = stats.at<int>(i, cv::CC_STAT_LEFT), y = stats.at<int>(i, cv::CC_STAT_TOP);
      const float w = stats.at<int>(i, cv::CC_STAT_WIDTH), h = stats.at<int>(i, cv::CC_STAT_HEIGHT);
      Detection d;
      d.box = {static_cast<float>(x / s), static_cast<float>(y / s), static_cast<float>(w / s),
               static_cast<float>(h / s)};
      d.label = "object";
      // Solid blobs score higher than sparse ones; any blob past the area floor can
      // start a track.
      d.score = 0.6f + 0.4f * static_cast<float>(area / (w * h));
      out.push_back(d);
    }
    return out;
  }

 private:
  DetectConfig config_;
  cv::Ptr<cv::BackgroundSubtractor> subtractor_;
  static constexpr int kWarmupFrames = 2;
  cv::Mat small_, mask_;
  int frames_ = 0;
};

}  // namespace

std::unique_ptr<Detector> make_motion_detector(const DetectConfig& config) {
  return std::make_unique<MotionDetector>(config);
}

}  // namespace vigie::detect
