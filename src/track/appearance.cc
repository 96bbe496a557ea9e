#include "track/appearance.h"

#include <cmath>
#include <opencv2/imgproc.hpp>

namespace vigie::track {
namespace {

constexpr int kHueBins = 8, kSatBins = 4;

// Appends the normalised hue-saturation histogram of `hsv` to `out`. Pixels too dark or
// too washed out to carry a hue still count, in a separate grey-level bin set.
void append_histogram(const cv::Mat& hsv, std::vector<float>& out) {
  std::vector<float> hist(kHueBins * kSatBins + 4, 0.f);
  for (int y = 0; y < hsv.rows; ++y) {
    const auto* p = hsv.ptr<cv::Vec3b>(y);
    for (int x = 0; x < hsv.cols; ++x) {
      const int h = p[x][0], s = p[x][1], v = p[x][2];
      if (v < 40 || s < 40)
        hist[kHueBins * kSatBins + std::min(3, v / 64)] += 1;  // achromatic: by brightness
      else
        hist[(h * kHueBins / 180) * kSatBins + std::min(kSatBins - 1, (s - 40) * kSatBins / 216)] += 1;
    }
  }
  out.insert(out.end(), hist.begin(), hist.end());
}

}  // namespace

std::vector<float> describe_appearance(const cv::Mat& bgr, const Box& box) {
  // The central part of the box: less background, no feet on the ground.
  const cv::Rect inner(cvRound(box.x + 0.25f * box.w), cvRound(box.y + 0.1f * box.h),
                       cvRound(0.5f * box.w), cvRound(0.8f * box.h));
  const cv::Rect r = inner & cv::Rect(0, 0, bgr.cols, bgr.rows);
  if (r.width < 4 || r.height < 8) return {};
  cv::Mat hsv;
  cv::cvtColor(bgr(r), hsv, cv::COLOR_BGR2HSV);
  std::vector<float> f;
  append_histogram(hsv.rowRange(0, hsv.rows / 2), f);          // upper body
  append_histogram(hsv.rowRange(hsv.rows / 2, hsv.rows), f);   // lower body
  double norm = 0;
  for (float v : f) norm += v * v;
  norm = std::sqrt(norm);
  if (norm <= 0) return {};
  for (float& v : f) v = static_cast<float>(v / norm);
  return f;
}

float appearance_distance(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.empty() || a.size() != b.size()) return 1.f;
  double dot = 0;
  for (size_t i = 0; i < a.size(); ++i) dot += a[i] * b[i];
  return static_cast<float>(std::clamp(1.0 - dot, 0.0, 1.0));
}

}  // namespace vigie::track
