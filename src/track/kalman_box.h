// Constant-velocity Kalman filter on (centre x, centre y, aspect w/h, height), with noise
// proportional to the box height as in SORT/ByteTrack: a far (small) person moves fewer
// pixels per frame than a near one.
#pragma once

#include <opencv2/core/matx.hpp>

#include "core/box.h"

namespace vigie::track {

class KalmanBox {
 public:
  explicit KalmanBox(const Box& first);
  // dt: time since the last prediction, in units of a nominal frame (1 at 10 frames/s).
  void predict(float dt = 1);
  void update(const Box& measured);
  Box box() const;
  // Stops size drift while a track is not observed.
  void freeze_height_velocity() { x_(7) = 0; }

 private:
  cv::Vec<float, 8> x_;
  cv::Matx<float, 8, 8> P_;
};

}  // namespace vigie::track
