// Privacy masks: polygons filled on the frame right after decoding, so that detection,
// snapshots, clips and live views only ever see the masked pixels.
#pragma once

#include <vector>

#include <opencv2/core/mat.hpp>

#include "config/config.h"

namespace vigie::video {

class PrivacyMask {
 public:
  explicit PrivacyMask(std::vector<Polygon> polygons) : polygons_(std::move(polygons)) {}
  bool empty() const { return polygons_.empty(); }
  // Fills every polygon with black, in place. Polygons may extend past the frame.
  void apply(cv::Mat& bgr) const;

 private:
  std::vector<Polygon> polygons_;
  mutable cv::Mat cached_;       // the 8-bit mask for the last frame size
};

}  // namespace vigie::video
