// A cheap appearance cue for association: hue-saturation histograms of the upper and
// lower body. No identity, no face: only clothing colour, enough to tell two people
// apart when their boxes overlap as they cross.
#pragma once

#include <vector>

#include <opencv2/core/mat.hpp>

#include "core/box.h"

namespace vigie::track {

// L2-normalised; empty if the box lies outside the image or is too small.
std::vector<float> describe_appearance(const cv::Mat& bgr, const Box& box);

// 0 for identical descriptions, up to 1 for unrelated ones (1 - cosine similarity).
float appearance_distance(const std::vector<float>& a, const std::vector<float>& b);

}  // namespace vigie::track
