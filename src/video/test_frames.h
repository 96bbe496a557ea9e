// For tests: the frames of a fake live camera.
#pragma once

#include <opencv2/core.hpp>

#include "core/frame.h"

namespace vigie::video::testing {

// Frame `index` of a 10 fps stream of 64×48 mid-grey images.
inline void grey_frame(Frame& out, int64_t index) {
  out.index = index;
  out.time_s = index * 0.1;
  out.image = cv::Mat(48, 64, CV_8UC3, cv::Scalar(90, 90, 90));
}

}  // namespace vigie::video::testing
