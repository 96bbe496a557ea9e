// Where people and vehicles go on one camera: a heat map of track foot points, drawn as
// a transparent overlay of the camera's frame (a PNG with alpha).
#pragma once

#include <utility>
#include <vector>

#include <opencv2/core/mat.hpp>

namespace vigie::describe {

// Counts foot points on a fixed grid over the frame, in fractions of its width and height,
// so that tracks seen at another resolution (a camera reconfigured) land in the same
// place; memory stays the grid's whatever the number of points.
class HeatMap {
 public:
  static constexpr int kColumns = 160, kRows = 120;
  HeatMap();
  // A foot point in pixels of a frame of that size; points off the frame (or NaN, or a
  // frame of no size) are left out.
  void add(float x, float y, cv::Size frame);
  int64_t points() const { return points_; }
  // Smoothed, on a log scale (one busy path does not hide the rest), coloured from dark
  // purple (few) to yellow (most); alpha follows the density, 0 where nobody went. BGRA,
  // `frame` sized. Empty for a frame of no size.
  cv::Mat render(cv::Size frame) const;

 private:
  cv::Mat counts_;  // CV_32F, kRows × kColumns
  int64_t points_ = 0;
};

}  // namespace vigie::describe
