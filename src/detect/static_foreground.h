// Static foreground: things that were not part of the scene and have stopped moving (a
// dropped bag), found without any class — two running backgrounds with different
// memories: the short one absorbs a still object within seconds, the long one keeps the
// scene as it was. Pixels that differ from the long one but not from the short one,
// steadily for min_static_s, form the static blobs.
#pragma once

#include <vector>

#include <opencv2/core/mat.hpp>

#include "config/config.h"
#include "core/box.h"

namespace vigie::detect {

struct StaticBlob {
  int id = 0;          // stable while the blob stays
  Box box;             // frame pixels
  double since_s = 0;  // stream time it became still
};

// Not thread-safe: one per camera.
class StaticForeground {
 public:
  explicit StaticForeground(const StaticForegroundConfig& config);
  // `time_s` is stream time; the backgrounds adapt with time constants in seconds, so the
  // behaviour does not depend on the frame rate.
  std::vector<StaticBlob> update(const cv::Mat& bgr, double time_s);

 private:
  StaticForegroundConfig config_;
  cv::Mat short_bg_, long_bg_, still_s_;  // CV_32F; still_s_: seconds each pixel has been static
  double last_time_s_ = -1;
  std::vector<StaticBlob> blobs_;
  int next_id_ = 1;
};

}  // namespace vigie::detect
