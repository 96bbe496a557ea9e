// Drawing tracks on a frame for the annotated video and, later, snapshots.
#pragma once

#include <opencv2/core/mat.hpp>
#include <vector>

#include "track/tracker.h"

namespace vigie::pipeline {

// Draws each track's box and "id label" in a colour derived from its id.
void draw_tracks(cv::Mat& bgr, const std::vector<track::TrackState>& tracks);

}  // namespace vigie::pipeline
