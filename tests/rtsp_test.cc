// A real RTSP camera: vigie-camsim (GStreamer's RTSP server) serves a clip on loopback,
// and the video stage reads it, loses it when the clip ends, and gets it back.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>
#include <thread>

#include "run.h"
#include "video/source.h"


namespace vigie::testing {
namespace {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

// A camera simulator process for the duration of a test.
class Camsim {
 public:
  Camsim(const fs::path& clip, int port, bool loop = false)
      : port_(port),
        process_(loop ? std::vector<std::string>{camsim_bin(), "--port", std::to_string(port), "cam=" + clip.string(), "--loop"}
                      : std::vector<std::string>{camsim_bin(), "--port", std::to_string(port), "cam=" + clip.string()},
                 port) {}
  bool running() const { return process_.started() && port_open(port_); }
  std::string url() const { return "rtsp://127.0.0.1:" + std::to_string(port_) + "/cam"; }

 private:
  int port_;
  Background process_;
};

fs::path clip(const std::string& name, int frames) {
  const fs::path dir = fs::temp_directory_path() / "vigie_rtsp_test";
  fs::create_directories(dir);
  const fs::path file = dir / name;
  cv::VideoWriter w(file.string(), cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), 10, {320, 240});
  for (int i = 0; i < frames; ++i) {
    cv::Mat img(240, 320, CV_8UC3, cv::Scalar(90, 100, 110));
    cv::rectangle(img, cv::Rect(10 + 8 * i, 90, 24, 60), cv::Scalar(30, 200, 240), cv::FILLED);
    w.write(img);
  }
  return file;
}

// Reads `frames` frames from the camera on one connection, each later than the one before;
// returns the last.
Frame read_in_order(const std::string& url, int frames) {
  video::SourceOptions options;
  options.io_timeout = 3s;
  auto source = video::open_source(url, options);
  EXPECT_TRUE(source) << source.error().message;
  Frame f;
  double last = -1;
  for (int i = 0; source && i < frames; ++i) {
    const auto r = (*source)->read(f);
    EXPECT_EQ(r.status, video::ReadStatus::kFrame) << "frame " << i << ": " << r.error;
    if (r.status != video::ReadStatus::kFrame) break;
    EXPECT_GT(f.time_s, last);
    last = f.time_s;
  }
  return f;
}

TEST(Rtsp, ReadsALiveStreamAndReconnectsWhenItDrops) {
  if (!fs::exists(camsim_bin())) GTEST_SKIP() << "skipped: vigie-camsim was not built (no GStreamer RTSP server)";
  Camsim server(clip("short.avi", 25), free_port());
  ASSERT_TRUE(server.running()) << "vigie-camsim did not start";

  std::vector<std::string> events;
  video::SourceOptions options;
  options.io_timeout = 2s;
  video::ReconnectEnv env;
  env.open = [&] { return video::open_source(server.url(), options); };
  env.sleep = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
  env.report = [&](video::LinkEvent e, const std::string& why) {
    events.push_back(e == video::LinkEvent::kLost ? "lost" : "restored");
    std::fprintf(stderr, "link %s: %s\n", events.back().c_str(), why.c_str());
  };
  const auto deadline = std::chrono::steady_clock::now() + 40s;
  env.stop_requested = [&] { return std::chrono::steady_clock::now() > deadline; };
  video::ReconnectingSource source(env, {200ms, 1s, 2});

  Frame f;
  std::vector<double> times;
  int64_t last_index = -1;
  while (times.size() < 35 && source.read(f).status == video::ReadStatus::kFrame) {
    EXPECT_EQ(f.image.size(), cv::Size(320, 240));
    EXPECT_EQ(f.index, last_index + 1);
    last_index = f.index;
    times.push_back(f.time_s);
  }
  ASSERT_EQ(times.size(), 35u) << "the stream did not come back after the clip ended";
  for (size_t i = 1; i < times.size(); ++i) EXPECT_GT(times[i], times[i - 1]) << "at frame " << i;
  // The 25-frame clip ended once: one loss, one return.
  ASSERT_GE(events.size(), 2u);
  EXPECT_EQ(events[0], "lost");
  EXPECT_EQ(events[1], "restored");
  EXPECT_EQ(source.reconnections(), 1);
}

TEST(Rtsp, ALoopingCameraNeverEnds) {
  if (!fs::exists(camsim_bin())) GTEST_SKIP() << "skipped: vigie-camsim was not built (no GStreamer RTSP server)";
  Camsim server(clip("loop.avi", 20), free_port(), /*loop=*/true);
  ASSERT_TRUE(server.running());
  read_in_order(server.url(), 50);  // two and a half times the clip, on one connection
}

// An H.264 file is served by stream copy (no encoder per camera), and loops like the rest.
TEST(Rtsp, AnH264FileIsServedByStreamCopyAndLoops) {
  if (!fs::exists(camsim_bin())) GTEST_SKIP() << "skipped: vigie-camsim was not built (no GStreamer RTSP server)";
  const fs::path mp4 = clip("copy.avi", 20).replace_extension(".mp4");
  const auto encode = run(std::string(VIGIE_SOURCE_DIR) + "/scripts/camsim-encode " +
                          fs::path(mp4).replace_extension(".avi").string() + " " + mp4.string());
  ASSERT_EQ(encode.code, 0) << encode.err;
  Camsim server(mp4, free_port(), /*loop=*/true);
  ASSERT_TRUE(server.running());
  const Frame f = read_in_order(server.url(), 50);  // two and a half times the clip
  EXPECT_EQ(f.image.cols, 320);
}

// Many cameras, each looping a half-second clip thirty times at once: a loop is a timestamp
// offset, not a seek, so no camera stalls (seeking the media back could block the server).
TEST(Rtsp, ManyCamerasLoopManyTimesTogether) {
  if (!fs::exists(camsim_bin())) GTEST_SKIP() << "skipped: vigie-camsim was not built (no GStreamer RTSP server)";
  const fs::path file = clip("half.avi", 5);
  const int port = free_port();
  std::vector<std::string> args{camsim_bin(), "--loop", "--port", std::to_string(port)};
  constexpr int kCameras = 6;
  for (int i = 0; i < kCameras; ++i) args.push_back("c" + std::to_string(i) + "=" + file.string());
  Background camsim(args, port);
  ASSERT_TRUE(camsim.started() && port_open(port));
  std::vector<std::thread> readers;
  std::vector<Frame> last(kCameras);
  for (int i = 0; i < kCameras; ++i)
    readers.emplace_back([&, i] { last[i] = read_in_order("rtsp://127.0.0.1:" + std::to_string(port) + "/c" + std::to_string(i), 150); });
  for (auto& t : readers) t.join();
  for (int i = 0; i < kCameras; ++i) EXPECT_GT(last[i].time_s, 14.0) << "camera " << i;  // 150 frames at 10/s
}

TEST(Rtsp, AFileThatIsNotVideoIsRefusedAtStart) {
  if (!fs::exists(camsim_bin())) GTEST_SKIP() << "skipped: vigie-camsim was not built (no GStreamer RTSP server)";
  const fs::path text = fs::temp_directory_path() / "vigie_rtsp_test" / "notes.txt";
  std::ofstream(text) << "not a video\n";
  const auto r = run(camsim_bin() + " --port " + std::to_string(free_port()) + " cam=" + text.string());
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, ::testing::HasSubstr("cannot read"));
}

TEST(Rtsp, AnalyzeAStreamUntilInterrupted) {
  if (!fs::exists(camsim_bin())) GTEST_SKIP() << "skipped: vigie-camsim was not built (no GStreamer RTSP server)";
  Camsim server(clip("long.avi", 100), free_port());
  ASSERT_TRUE(server.running());
  // SIGINT after 5 s: the run ends cleanly with its summary.
  const auto r = run("timeout --preserve-status -s INT 5 " + vigie_bin() + " analyze " + server.url() + " --json --quiet");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_GT(j["frames_decoded"].get<int>(), 10);
  EXPECT_EQ(j["frames_decoded"], j["frames_analysed"].get<int>() + j["frames_dropped"].get<int>());
}

}  // namespace
}  // namespace vigie::testing
