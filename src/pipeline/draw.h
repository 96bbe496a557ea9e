// Drawing tracks on a frame for the annotated video and, later, snapshots.
#pragma once

#include <opencv2/core/mat.hpp>
#include <vector>

#include "config/config.h"
#include "track/tracker.h"

namespace vigie::pipeline {

// Draws each track's box and "id label" in a colour derived from its id.
void draw_tracks(cv::Mat& bgr, const std::vector<track::TrackState>& tracks);

}  // namespace vigie::pipeline

namespace vigie::pipeline {

// Draws the zones and lines of `camera` (all, thin; those named in `highlight`, thick).
void draw_places(cv::Mat& bgr, const CameraConfig& camera, const std::string& highlight);

}  // namespace vigie::pipeline
