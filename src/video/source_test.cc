#include "video/source.h"

#include "core/test_data.h"
#include "video/internal.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

namespace vigie::video {
namespace {
namespace fs = std::filesystem;
using ::testing::HasSubstr;

fs::path temp_dir(const std::string& name) { return vigie::testing::fresh_temp_dir("video_" + name); }

cv::Mat moving_square(int i) {
  cv::Mat img(120, 160, CV_8UC3, cv::Scalar(40, 40, 40));
  cv::rectangle(img, cv::Rect(5 + 4 * i, 40, 20, 20), cv::Scalar(255, 255, 255), cv::FILLED);
  return img;
}

std::vector<Frame> read_all(Source& src) {
  std::vector<Frame> frames;
  Frame f;
  while (true) {
    const auto r = src.read(f);
    if (r.status != ReadStatus::kFrame) {
      EXPECT_EQ(r.status, ReadStatus::kEnd) << r.error;
      break;
    }
    frames.push_back({f.index, f.time_s, f.image.clone()});
  }
  return frames;
}

TEST(VideoFile, DecodesEveryFrameWithIndexAndTimestamp) {
  const fs::path file = temp_dir("file") / "clip.avi";
  cv::VideoWriter writer(file.string(), cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), 25, {160, 120});
  ASSERT_TRUE(writer.isOpened());
  for (int i = 0; i < 30; ++i) writer.write(moving_square(i));
  writer.release();

  auto src = open_source(file.string());
  ASSERT_TRUE(src) << src.error().message;
  EXPECT_NEAR((*src)->nominal_fps(), 25, 1e-6);
  EXPECT_FALSE((*src)->is_live());
  const auto frames = read_all(**src);
  ASSERT_EQ(frames.size(), 30u);
  for (size_t i = 0; i < frames.size(); ++i) {
    EXPECT_EQ(frames[i].index, static_cast<int64_t>(i));
    EXPECT_NEAR(frames[i].time_s, i / 25.0, 1e-6);
    EXPECT_EQ(frames[i].image.size(), cv::Size(160, 120));
  }
  // The square moved: the decoded pixels are the written ones, not a constant.
  EXPECT_GT(frames[0].image.at<cv::Vec3b>(50, 10)[0], 200);
  EXPECT_LT(frames[29].image.at<cv::Vec3b>(50, 10)[0], 100);
}

TEST(ImageFolder, ReadsMotChallengeLayoutAtSeqinfoRate) {
  const fs::path seq = temp_dir("seq");
  fs::create_directories(seq / "img1");
  for (int i = 1; i <= 5; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "%06d.jpg", i);
    cv::imwrite((seq / "img1" / name).string(), moving_square(i));
  }
  std::ofstream(seq / "seqinfo.ini") << "[Sequence]\nframeRate=7\nseqLength=5\n";

  auto src = open_source(seq.string());
  ASSERT_TRUE(src) << src.error().message;
  EXPECT_EQ((*src)->nominal_fps(), 7);
  EXPECT_EQ((*src)->frame_count(), 5);
  const auto frames = read_all(**src);
  ASSERT_EQ(frames.size(), 5u);
  EXPECT_EQ(frames[4].index, 4);
  EXPECT_NEAR(frames[4].time_s, 4 / 7.0, 1e-9);
}

TEST(OpenSource, MissingFileNamesIt) {
  auto src = open_source("/nonexistent/clip.avi");
  ASSERT_FALSE(src);
  EXPECT_THAT(src.error().message, HasSubstr("/nonexistent/clip.avi"));
}

TEST(OpenSource, GarbageFileIsAnErrorNotACrash) {
  const fs::path file = temp_dir("garbage") / "noise.mp4";
  std::ofstream(file) << std::string(4096, 'x');
  auto src = open_source(file.string());
  ASSERT_FALSE(src);
  EXPECT_THAT(src.error().message, HasSubstr("noise.mp4"));
}

TEST(OpenSource, EmptyFolderIsAnError) {
  auto src = open_source(temp_dir("empty").string());
  ASSERT_FALSE(src);
  EXPECT_THAT(src.error().message, HasSubstr("no .jpg/.png images"));
}

TEST(OpenSource, UnreachableStreamTimesOut) {
  SourceOptions opt;
  opt.io_timeout = std::chrono::milliseconds(500);
  // Port 9 on loopback: nothing listens, the connection is refused or times out.
  auto src = open_source("rtsp://127.0.0.1:9/none", opt);
  ASSERT_FALSE(src);
  EXPECT_THAT(src.error().message, HasSubstr("rtsp://127.0.0.1:9/none"));
}

// A scripted source: yields `frames` frames at 10 fps then ends.
class ScriptedSource : public Source {
 public:
  explicit ScriptedSource(int frames) : left_(frames) {}
  ReadResult read(Frame& out) override {
    if (left_-- <= 0) return {ReadStatus::kError, "connection reset"};
    out.index = i_;
    out.time_s = i_++ / 10.0;
    out.image = cv::Mat(2, 2, CV_8UC3);
    return {};
  }
  double nominal_fps() const override { return 10; }

 private:
  int left_;
  int i_ = 0;
};

TEST(DecodingThreads, OneForALiveStreamUpTo1080pAt30AndOnePerCpuOtherwise) {
  EXPECT_EQ(decoding_threads(/*live=*/true, 768, 576, 10), 1);
  EXPECT_EQ(decoding_threads(true, 1920, 1080, 30), 1);
  EXPECT_EQ(decoding_threads(true, 1920, 1080, 60), 0);  // twice the rate one thread is given
  EXPECT_EQ(decoding_threads(true, 3840, 2160, 25), 0);
  EXPECT_EQ(decoding_threads(true, 0, 0, 25), 0);        // a size not yet known may be any
  EXPECT_EQ(decoding_threads(true, 1920, 1080, 0), 0);    // and so may a rate
  EXPECT_EQ(decoding_threads(/*live=*/false, 768, 576, 10), 0);  // a file: as fast as it decodes
}

TEST(ReconnectingSource, ReportsLossAndReturnAndBacksOff) {
  std::vector<std::string> events;
  std::vector<long> sleeps;
  int opens = 0;
  ReconnectEnv env;
  env.open = [&]() -> Result<std::unique_ptr<Source>> {
    ++opens;
    if (opens == 2 || opens == 3) return Error{"connection refused"};
    return std::unique_ptr<Source>(new ScriptedSource(3));
  };
  env.sleep = [&](std::chrono::milliseconds d) { sleeps.push_back(d.count()); };
  env.report = [&](LinkEvent e, const std::string& why) {
    events.push_back((e == LinkEvent::kLost ? "lost: " : "restored: ") + why);
  };
  ReconnectingSource src(env, BackoffPolicy{std::chrono::milliseconds(100), std::chrono::milliseconds(300), 2});

  Frame f;
  std::vector<int64_t> indices;
  std::vector<double> times;
  for (int i = 0; i < 6; ++i) {
    ASSERT_EQ(src.read(f).status, ReadStatus::kFrame);
    indices.push_back(f.index);
    times.push_back(f.time_s);
  }
  EXPECT_EQ(indices, (std::vector<int64_t>{0, 1, 2, 3, 4, 5}));
  for (size_t i = 1; i < times.size(); ++i) EXPECT_GT(times[i], times[i - 1]);
  EXPECT_EQ(events, (std::vector<std::string>{"lost: connection reset", "restored: stream reopened"}));
  // One pause after the loss, then 100 ms and 200 ms between the two refused attempts.
  EXPECT_EQ(sleeps, (std::vector<long>{100, 100, 200}));
  EXPECT_EQ(src.reconnections(), 1);
}

TEST(ReconnectingSource, StopEndsTheStream) {
  bool stop = false;
  ReconnectEnv env;
  env.open = [&]() -> Result<std::unique_ptr<Source>> { return Error{"down"}; };
  env.sleep = [&](std::chrono::milliseconds) { stop = true; };
  env.report = [](LinkEvent, const std::string&) {};
  env.stop_requested = [&] { return stop; };
  ReconnectingSource src(env);
  Frame f;
  EXPECT_EQ(src.read(f).status, ReadStatus::kEnd);
}

TEST(FrameSampler, TakesFiveOfTwentyFive) {
  FrameSampler sampler(5);
  int taken = 0;
  std::vector<int> which;
  for (int i = 0; i < 50; ++i)
    if (sampler.take(i * 0.04)) which.push_back(i), ++taken;
  EXPECT_EQ(taken, 10);
  EXPECT_EQ(which[0], 0);
  EXPECT_EQ(which[1], 5);
}

TEST(FrameSampler, ZeroTakesAll) {
  FrameSampler sampler(0);
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(sampler.take(i * 0.04));
}

TEST(FrameSampler, RestartsAfterAGap) {
  FrameSampler sampler(1);
  EXPECT_TRUE(sampler.take(0));
  EXPECT_FALSE(sampler.take(0.5));
  EXPECT_TRUE(sampler.take(10));  // stream resumed much later
  EXPECT_FALSE(sampler.take(10.5));
  EXPECT_TRUE(sampler.take(11));
}

}  // namespace
}  // namespace vigie::video
