// Where people and vehicles go on one camera: a heat map of track foot points, drawn as
// a transparent overlay of the camera's frame (a PNG with alpha).
#pragma once

#include <utility>
#include <vector>

#include <opencv2/core/mat.hpp>

namespace vigie::describe {

// Foot points (frame pixels) counted on a grid of `cell`-pixel squares, smoothed, on a
// log scale (one busy path does not hide the rest), coloured from dark purple (few) to
// yellow (most); alpha follows the density, 0 where nobody went. BGRA, `frame` sized.
// Points outside the frame are left out. An empty frame size gives an empty image.
cv::Mat heat_map(const std::vector<std::pair<float, float>>& points, cv::Size frame, int cell = 8);

}  // namespace vigie::describe
