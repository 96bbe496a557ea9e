// Axis-aligned boxes in image pixels, and the few geometric facts every stage needs.
#pragma once

#include <opencv2/core/types.hpp>

namespace vigie {

// A box in pixel coordinates of the full frame: top-left corner, width, height.
struct Box {
  float x = 0, y = 0, w = 0, h = 0;

  float right() const { return x + w; }
  float bottom() const { return y + h; }
  float area() const { return w > 0 && h > 0 ? w * h : 0.f; }
  cv::Point2f center() const { return {x + w / 2, y + h / 2}; }
  // The bottom-centre: where a standing person touches the ground. Rules use it.
  cv::Point2f foot() const { return {x + w / 2, y + h}; }
  cv::Rect rect() const;  // rounded to integer pixels
  static Box from(const cv::Rect& r);

  bool operator==(const Box&) const = default;
};

// Intersection over union, 0 for disjoint or empty boxes.
float iou(const Box& a, const Box& b);

// Intersection area divided by the area of `a` (how much of `a` lies inside `b`).
float coverage(const Box& a, const Box& b);

}  // namespace vigie
