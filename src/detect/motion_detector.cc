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
      subtractor_ = cv::createBackgroundSubtractorKNN(500, 400.0, /*shadows=*/true);
    else
      subtractor_ = cv::createBackgroundSubtractorMOG2(500, 16.0, /*shadows=*/true);
  }

  std::vector<Detection> detect(const Frame& frame, const Motion&) override {
    const cv::Mat& bgr = frame.image;
    const double s = std::min(1.0, static_cast<double>(config_.work_width) / bgr.cols);
    if (s < 1.0)
      // Bilinear: at any ratio as fast as INTER_AREA is only at integer ones.
      cv::resize(bgr, small_, cv::Size(), s, s, cv::INTER_LINEAR);
    else
      small_ = bgr;
    // Learning rate from stream time: each frame weighs dt / history_s, except at the
    // start where the model learns as fast as frames come (1 / frames seen).
    const double dt = frames_ > 0 ? std::max(0.0, frame.time_s - last_time_s_) : 0;
    last_time_s_ = frame.time_s;
    const double rate = std::max(1.0 / (frames_ + 1), dt / config_.history_s);
    subtractor_->apply(small_, mask_, std::min(1.0, rate));
    // The first frames only teach the model what the background is.
    if (++frames_ <= kWarmupFrames) return {};
    // Shadows are marked 127 by both subtractors: keep only confident foreground.
    cv::threshold(mask_, mask_, 200, 255, cv::THRESH_BINARY);
    // Kernel sizes follow the work resolution so that behaviour does not depend on it.
    // Opening removes speckle; closing joins the parts of one body, with a kernel that
    // spans the same share of the frame at any work resolution.
    const int close = std::max(3, static_cast<int>(std::lround(small_.cols / 55.0)) | 1);
    cv::morphologyEx(mask_, mask_, cv::MORPH_OPEN, cv::getStructuringElement(cv::MORPH_ELLIPSE, {3, 3}));
    cv::morphologyEx(mask_, mask_, cv::MORPH_CLOSE, cv::getStructuringElement(cv::MORPH_ELLIPSE, {close, close}));

    // Outer contours of the foreground: the blobs, several times cheaper than labelling
    // every pixel with connected components.
    contours_.clear();
    cv::findContours(mask_, contours_, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_SIMPLE);
    const double min_area = config_.min_box_area * mask_.total();
    // A blob over half the frame is a lighting change or a camera shake, not an object.
    const double max_area = 0.5 * mask_.total();
    std::vector<Detection> out;
    for (const auto& contour : contours_) {
      const double area = cv::contourArea(contour);
      if (area < min_area || area > max_area) continue;
      const cv::Rect r = cv::boundingRect(contour);
      const float x = r.x, y = r.y, w = r.width, h = r.height;
      Detection d;
      d.box = {static_cast<float>(x / s), static_cast<float>(y / s), static_cast<float>(w / s),
               static_cast<float>(h / s)};
      d.label = "object";
      // Solid blobs score higher than sparse ones; any blob past the area floor can
      // start a track.
      d.score = 0.6f + 0.4f * static_cast<float>(std::min(1.0, area / (w * h)));
      out.push_back(d);
    }
    return out;
  }

 private:
  DetectConfig config_;
  cv::Ptr<cv::BackgroundSubtractor> subtractor_;
  static constexpr int kWarmupFrames = 2;
  cv::Mat small_, mask_;
  std::vector<std::vector<cv::Point>> contours_;
  int frames_ = 0;
  double last_time_s_ = 0;
};

}  // namespace

std::unique_ptr<Detector> make_motion_detector(const DetectConfig& config) {
  return std::make_unique<MotionDetector>(config);
}

}  // namespace vigie::detect
