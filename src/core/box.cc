#include "core/box.h"

#include <algorithm>
#include <cmath>

namespace vigie {

cv::Rect Box::rect() const {
  return {static_cast<int>(std::lround(x)), static_cast<int>(std::lround(y)),
          static_cast<int>(std::lround(w)), static_cast<int>(std::lround(h))};
}

Box Box::from(const cv::Rect& r) {
  return {static_cast<float>(r.x), static_cast<float>(r.y), static_cast<float>(r.width),
          static_cast<float>(r.height)};
}

static float intersection(const Box& a, const Box& b) {
  const float iw = std::min(a.right(), b.right()) - std::max(a.x, b.x);
  const float ih = std::min(a.bottom(), b.bottom()) - std::max(a.y, b.y);
  return iw > 0 && ih > 0 ? iw * ih : 0.f;
}

float iou(const Box& a, const Box& b) {
  const float inter = intersection(a, b);
  const float uni = a.area() + b.area() - inter;
  return uni > 0 ? inter / uni : 0.f;
}

float coverage(const Box& a, const Box& b) {
  const float area = a.area();
  return area > 0 ? intersection(a, b) / area : 0.f;
}

}  // namespace vigie
