#include "core/box.h"

#include <gtest/gtest.h>

namespace vigie {

TEST(Box, IouOfIdenticalBoxesIsOne) { EXPECT_FLOAT_EQ(iou({0, 0, 10, 10}, {0, 0, 10, 10}), 1.f); }

TEST(Box, IouOfHalfOverlap) {
  // 10x10 and the same shifted by 5: intersection 50, union 150.
  EXPECT_NEAR(iou({0, 0, 10, 10}, {5, 0, 10, 10}), 1.f / 3.f, 1e-6);
}

TEST(Box, IouOfDisjointAndEmptyBoxesIsZero) {
  EXPECT_EQ(iou({0, 0, 10, 10}, {20, 20, 5, 5}), 0.f);
  EXPECT_EQ(iou({0, 0, 0, 0}, {0, 0, 0, 0}), 0.f);
}

TEST(Box, FootIsBottomCentre) {
  const Box b{10, 20, 30, 40};
  EXPECT_EQ(b.foot(), cv::Point2f(25, 60));
}

TEST(Box, CoverageIsShareOfFirstBox) {
  EXPECT_FLOAT_EQ(coverage({0, 0, 10, 10}, {0, 0, 100, 100}), 1.f);
  EXPECT_FLOAT_EQ(coverage({0, 0, 10, 10}, {5, 0, 100, 100}), 0.5f);
}

}  // namespace vigie
