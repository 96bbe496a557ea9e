#include "video/privacy_mask.h"

#include <opencv2/imgproc.hpp>

namespace vigie::video {

void PrivacyMask::apply(cv::Mat& bgr) const {
  if (polygons_.empty() || bgr.empty()) return;
  if (cached_.size() != bgr.size()) {
    cached_ = cv::Mat::zeros(bgr.size(), CV_8UC1);
    std::vector<std::vector<cv::Point>> pts;
    for (const auto& poly : polygons_) {
      std::vector<cv::Point> p;
      for (const auto& q : poly) p.emplace_back(cvRound(q.x), cvRound(q.y));
      pts.push_back(std::move(p));
    }
    cv::fillPoly(cached_, pts, cv::Scalar(255));
  }
  bgr.setTo(cv::Scalar(0, 0, 0), cached_);
}

}  // namespace vigie::video
