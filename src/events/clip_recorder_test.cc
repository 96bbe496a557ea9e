#include "events/clip_recorder.h"

#include <gtest/gtest.h>

#include <filesystem>

#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include "core/test_data.h"

namespace vigie::events {
namespace {

cv::Mat frame(int i) {
  cv::Mat img(120, 160, CV_8UC3, cv::Scalar(80, 80, 80));
  cv::rectangle(img, cv::Rect(4 * i % 140, 40, 20, 40), cv::Scalar(250, 250, 250), cv::FILLED);
  return img;
}

TEST(ClipRecorder, WritesPreAndPostSecondsAroundTheAlert) {
  const auto dir = testing::fresh_temp_dir("clips");
  ClipRecorder rec(2.0, 1.0);
  for (int i = 0; i < 100; ++i) {  // 10 fps for 10 s; the alert comes at 5 s
    rec.push(frame(i), i / 10.0);
    if (i == 50) rec.start("a/1", (dir / "a1.mp4").string(), 5.0);
  }
  EXPECT_LT(rec.ring_bytes(), 30u * 60 * 1024);  // 2 s of JPEGs, not raw frames
  rec.finish();
  const auto written = rec.take_written();
  ASSERT_EQ(written.size(), 1u);
  EXPECT_EQ(written[0].first, "a/1");
  cv::VideoCapture clip(written[0].second);
  ASSERT_TRUE(clip.isOpened());
  // 3.0..5.0 s before (21 frames) and 5.1..6.0 s after (10 frames).
  EXPECT_NEAR(clip.get(cv::CAP_PROP_FRAME_COUNT), 31, 1);
  EXPECT_NEAR(clip.get(cv::CAP_PROP_FPS), 10, 0.5);
  EXPECT_NEAR(clip.get(cv::CAP_PROP_FRAME_COUNT), 31, 1);  // (as counted by the container)
  EXPECT_FALSE(std::filesystem::exists(dir / "a1.mp4.part"));  // written aside, renamed whole
  // H.264, so that a browser plays it in the console (Debian's libavcodec has libx264; the
  // MPEG-4 fallback is for a libav without an H.264 encoder).
  const int fourcc = static_cast<int>(clip.get(cv::CAP_PROP_FOURCC));
  const std::string codec{static_cast<char>(fourcc & 255), static_cast<char>((fourcc >> 8) & 255),
                          static_cast<char>((fourcc >> 16) & 255), static_cast<char>((fourcc >> 24) & 255)};
  EXPECT_TRUE(codec == "avc1" || codec == "h264" || codec == "H264") << codec;
}

TEST(ClipRecorder, AClipStillOpenAtTheEndIsWritten) {
  const auto dir = testing::fresh_temp_dir("clips_end");
  ClipRecorder rec(1.0, 5.0);
  for (int i = 0; i < 20; ++i) rec.push(frame(i), i / 10.0);
  rec.start("a/2", (dir / "a2.mp4").string(), 1.9);
  rec.finish();
  const auto written = rec.take_written();
  ASSERT_EQ(written.size(), 1u);
  EXPECT_TRUE(std::filesystem::exists(written[0].second));
}

TEST(ClipRecorder, ABurstBeyondTheQueueIsDroppedAndCounted) {
  const auto dir = testing::fresh_temp_dir("clips_burst");
  ClipRecorder rec(1.0, 0.0, /*max_queued=*/1);
  for (int i = 0; i < 10; ++i) rec.push(frame(i), i / 10.0);
  for (int a = 0; a < 20; ++a) rec.start("a/" + std::to_string(a), (dir / (std::to_string(a) + ".mp4")).string(), 0.9);
  rec.push(frame(10), 1.0);  // post_s 0: all twenty are due now
  rec.finish();
  const auto written = rec.take_written();
  EXPECT_EQ(written.size(), 20u);  // every clip is accounted for, written or not
  EXPECT_GT(rec.dropped(), 0u);
  EXPECT_EQ(std::count_if(written.begin(), written.end(), [](const auto& w) { return w.second.empty(); }),
            static_cast<long>(rec.dropped()));
}

TEST(ClipRecorder, AFileWaitsInsteadOfDropping) {
  const auto dir = testing::fresh_temp_dir("clips_wait");
  ClipRecorder rec(1.0, 0.0, /*max_queued=*/1, /*wait_when_full=*/true);
  for (int i = 0; i < 10; ++i) rec.push(frame(i), i / 10.0);
  for (int a = 0; a < 5; ++a) rec.start("a/" + std::to_string(a), (dir / (std::to_string(a) + ".mp4")).string(), 0.9);
  rec.push(frame(10), 1.0);
  rec.finish();
  EXPECT_EQ(rec.dropped(), 0u);
  for (const auto& [id, path] : rec.take_written()) EXPECT_TRUE(std::filesystem::exists(path)) << id;
}

}  // namespace
}  // namespace vigie::events
