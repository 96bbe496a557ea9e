#include "describe/body.h"

#include <opencv2/imgproc.hpp>

namespace vigie::describe {
namespace {

// A region needs this many pixels to be named: fewer say more about compression than
// about clothes.
constexpr int kMinPixels = 24;
// A pixel is foreground when it is this far from the background (sum of |ΔL|+|Δa|+|Δb|,
// 8-bit Lab): beyond noise and compression, short of a shadow's change only.
constexpr int kForegroundDistance = 30;
// Below this share of foreground pixels, the background is not to be trusted there (the
// person stood still long enough to become part of it): every pixel counts.
constexpr double kMinForegroundShare = 0.25;

cv::Rect fraction(const Box& box, float x0, float x1, float y0, float y1) {
  return {cvRound(box.x + x0 * box.w), cvRound(box.y + y0 * box.h), cvRound((x1 - x0) * box.w),
          cvRound((y1 - y0) * box.h)};
}

ColourVotes normalised(ColourVotes v) {
  float total = 0;
  for (float x : v) total += x;
  if (total > 0)
    for (float& x : v) x /= total;
  return v;
}

ColourVotes vote(const cv::Mat& frame, const cv::Rect& wanted, const cv::Mat& background) {
  const cv::Rect r = wanted & cv::Rect(0, 0, frame.cols, frame.rows);
  if (r.area() < kMinPixels) return {};
  cv::Mat mask;
  if (!background.empty() && background.size() == frame.size() && background.type() == frame.type()) {
    cv::Mat lab, bg_lab, diff;
    cv::cvtColor(frame(r), lab, cv::COLOR_BGR2Lab);
    cv::cvtColor(background(r), bg_lab, cv::COLOR_BGR2Lab);
    cv::absdiff(lab, bg_lab, diff);
    cv::Mat distance;
    cv::transform(diff, distance, cv::Matx13f(1, 1, 1));
    mask = distance > kForegroundDistance;
    if (cv::countNonZero(mask) < std::max<double>(kMinPixels, kMinForegroundShare * r.area())) mask.release();
  }
  return normalised(vote_region(frame(r), mask));
}

}  // namespace

cv::Rect upper_body(const Box& box) { return fraction(box, 0.3f, 0.7f, 0.18f, 0.48f); }
cv::Rect lower_body(const Box& box) { return fraction(box, 0.3f, 0.7f, 0.56f, 0.86f); }

BodyVotes vote_body(const cv::Mat& frame, const Box& box, const cv::Mat& background) {
  if (frame.empty() || frame.type() != CV_8UC3) return {};
  return {vote(frame, upper_body(box), background), vote(frame, lower_body(box), background)};
}

void add(BodyVotes& sum, const BodyVotes& view) {
  for (int i = 0; i < kColourCount; ++i) sum.upper[i] += view.upper[i], sum.lower[i] += view.lower[i];
}

}  // namespace vigie::describe
