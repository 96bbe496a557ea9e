// The colours a person wears: the upper body (torso, below the head, between the arms)
// and the lower body (legs, above the feet), each named from its pixels — only those
// that differ from the scene's background when a background is given, so that the
// pavement between the legs is not taken for trousers.
#pragma once

#include <opencv2/core/mat.hpp>

#include "core/box.h"
#include "describe/colours.h"

namespace vigie::describe {

struct BodyVotes {
  ColourVotes upper{}, lower{};
};

// Where, inside a person's box, the torso and the legs are: fractions of the box.
cv::Rect upper_body(const Box& box);
cv::Rect lower_body(const Box& box);

// The votes of one view of a person, each region's votes summing to 1 (so that views
// weigh alike when added), or all zero where the region is off the frame or too small
// to say anything. `background`: the scene without people, same size and type as
// `frame`, or empty.
BodyVotes vote_body(const cv::Mat& frame, const Box& box, const cv::Mat& background = {});

// Adds a view's votes to a sum.
void add(BodyVotes& sum, const BodyVotes& view);

}  // namespace vigie::describe
