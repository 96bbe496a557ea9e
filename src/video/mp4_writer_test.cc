#include "video/mp4_writer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include "core/test_data.h"

namespace vigie::video {
namespace {
using ::testing::HasSubstr;

// An odd-sized clip is written as H.264 at the even size below it, every frame kept, and
// reads back with the moving square where it was drawn.
TEST(Mp4Writer, WritesEveryFrameAsH264ThatReadsBack) {
  const auto dir = vigie::testing::fresh_temp_dir("mp4_writer");
  const std::string path = (dir / "clip.mp4").string();
  auto w = Mp4Writer::open(path, {161, 121}, 10);
  ASSERT_TRUE(w) << w.error().message;
  for (int i = 0; i < 25; ++i) {
    cv::Mat frame(121, 161, CV_8UC3, cv::Scalar(40, 40, 40));
    cv::rectangle(frame, cv::Rect(i * 5, 50, 20, 20), cv::Scalar(255, 255, 255), cv::FILLED);
    cv::rectangle(frame, cv::Rect(0, 0, 30, 30), cv::Scalar(0, 0, 255), cv::FILLED);  // red, BGR
    ASSERT_TRUE((*w)->write(frame));
  }
  ASSERT_TRUE((*w)->finish());
  cv::VideoCapture in(path, cv::CAP_FFMPEG);
  ASSERT_TRUE(in.isOpened());
  EXPECT_EQ(static_cast<int>(in.get(cv::CAP_PROP_FRAME_WIDTH)), 160);
  EXPECT_EQ(static_cast<int>(in.get(cv::CAP_PROP_FRAME_HEIGHT)), 120);
  EXPECT_NEAR(in.get(cv::CAP_PROP_FPS), 10, 0.01);
  int frames = 0;
  cv::Mat f, last;
  while (in.read(f)) last = f.clone(), ++frames;
  EXPECT_EQ(frames, 25);
  ASSERT_FALSE(last.empty());
  // The last square was drawn at x 120-140: bright there, dark at the first one's place.
  EXPECT_GT(cv::mean(last(cv::Rect(124, 54, 12, 12)))[0], 200);
  EXPECT_LT(cv::mean(last(cv::Rect(4, 54, 12, 12)))[0], 80);
  const cv::Scalar red = cv::mean(last(cv::Rect(5, 5, 15, 15)));  // red stays red: no channel swapped
  EXPECT_GT(red[2], 180);
  EXPECT_LT(red[0], 80);
}

TEST(Mp4Writer, AFrameOfAnotherSizeOrAFolderThatIsNotThereIsAnError) {
  const auto dir = vigie::testing::fresh_temp_dir("mp4_writer_bad");
  auto w = Mp4Writer::open((dir / "clip.mp4").string(), {64, 48}, 10);
  ASSERT_TRUE(w);
  EXPECT_THAT((*w)->write(cv::Mat(40, 64, CV_8UC3)).error().message, HasSubstr("a frame of 64x40 in a clip of 64x48"));
  const auto missing = Mp4Writer::open((dir / "no-such-folder" / "clip.mp4").string(), {64, 48}, 10);
  ASSERT_FALSE(missing);
  EXPECT_THAT(missing.error().message, HasSubstr("no-such-folder/clip.mp4"));
  EXPECT_FALSE(Mp4Writer::open((dir / "tiny.mp4").string(), {1, 1}, 10));
}

}  // namespace
}  // namespace vigie::video
