#include "video/privacy_mask.h"

#include <gtest/gtest.h>

#include <opencv2/core.hpp>

namespace vigie::video {

TEST(PrivacyMask, FillsPolygonAndLeavesTheRest) {
  cv::Mat img(100, 100, CV_8UC3, cv::Scalar(200, 150, 100));
  PrivacyMask mask({{{0, 0}, {50, 0}, {50, 50}, {0, 50}}});
  mask.apply(img);
  EXPECT_EQ(img.at<cv::Vec3b>(25, 25), cv::Vec3b(0, 0, 0));
  EXPECT_EQ(img.at<cv::Vec3b>(75, 75), cv::Vec3b(200, 150, 100));
  EXPECT_EQ(cv::countNonZero(img.reshape(1) == 0), 51 * 51 * 3);
}

TEST(PrivacyMask, PolygonPastTheFrameIsClipped) {
  cv::Mat img(10, 10, CV_8UC3, cv::Scalar(9, 9, 9));
  PrivacyMask({{{-100, -100}, {100, -100}, {100, 100}, {-100, 100}}}).apply(img);
  EXPECT_EQ(cv::countNonZero(img.reshape(1)), 0);
}

TEST(PrivacyMask, FollowsAFrameSizeChange) {
  PrivacyMask mask({{{0, 0}, {4, 0}, {4, 4}, {0, 4}}});
  cv::Mat small(8, 8, CV_8UC3, cv::Scalar(1, 1, 1)), big(16, 16, CV_8UC3, cv::Scalar(1, 1, 1));
  mask.apply(small);
  mask.apply(big);
  EXPECT_EQ(big.at<cv::Vec3b>(2, 2), cv::Vec3b(0, 0, 0));
  EXPECT_EQ(big.at<cv::Vec3b>(12, 12), cv::Vec3b(1, 1, 1));
}

}  // namespace vigie::video
