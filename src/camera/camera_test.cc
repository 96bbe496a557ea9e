// The one camera builder: what `vigie analyze` and `vigie serve` choose differently is
// only what CameraOptions says; a live camera takes its time from the injected clock.
#include "camera/camera.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <thread>

#include "core/test_data.h"
#include "output/alert_output.h"
#include "video/test_frames.h"

namespace vigie::camera {
namespace {

namespace fs = std::filesystem;

// A live stream that gives `frames` grey frames, 20 ms apart (a queue of 4 keeps them
// all), then fails: what a camera that goes away looks like to a source.
class FakeLiveSource : public video::Source {
 public:
  explicit FakeLiveSource(int frames) : left_(frames) {}
  video::ReadResult read(Frame& out) override {
    if (left_-- <= 0) return {video::ReadStatus::kError, "fake camera: gone"};
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    video::testing::grey_frame(out, index_++);
    return {};
  }
  double nominal_fps() const override { return 10; }
  bool is_live() const override { return true; }

 private:
  int left_;
  int64_t index_ = 0;
};

Config site_in(const fs::path& dir) {
  Config config;
  config.store.path = (dir / "v.db").string();
  config.store.media = (dir / "media").string();
  config.store.outbox = (dir / "outbox").string();
  config.recording.folder = (dir / "recordings").string();
  config.server.reconnect_max_s = 1;
  return config;
}

CameraConfig camera_of(const std::string& input) {
  CameraConfig camera;
  camera.name = "yard";
  camera.input = input;
  camera.detect.type = "motion";
  return camera;
}

TEST(Camera, AStreamThatCannotBeOpenedFailsAtOnceOrIsRetriedAsTheCallerChose) {
  const auto dir = testing::fresh_temp_dir("camera_first_open");
  const Config config = site_in(dir);
  std::atomic<bool> stop{false};
  std::atomic<int> opens{0};
  CameraEnv env;
  env.stop = &stop;
  env.open = [&](const std::string& input, const video::SourceOptions&) -> Result<std::unique_ptr<video::Source>> {
    if (++opens >= 3) stop = true;  // the third try ends the test
    return Error{"cannot open '" + input + "': Connection refused"};
  };
  std::vector<std::string> links;
  std::mutex mu;
  env.on_link = [&](video::LinkEvent, const std::string& why) {
    std::lock_guard lock(mu);
    links.push_back(why);
  };

  CameraOptions asks_now;  // vigie analyze: a person waits for the answer
  asks_now.store = false;
  auto failed = Camera::build(config, camera_of("rtsp://127.0.0.1:1/nowhere"), asks_now, env);
  ASSERT_FALSE(failed);
  EXPECT_NE(failed.error().message.find("Connection refused"), std::string::npos) << failed.error().message;
  EXPECT_EQ(opens, 1);

  opens = 0;
  CameraOptions waits;  // vigie serve: the camera comes when it comes
  waits.retry_first_open = true;
  waits.in_centre = true;
  auto built = Camera::build(config, camera_of("rtsp://127.0.0.1:1/nowhere"), waits, env);
  ASSERT_TRUE(built) << built.error().message;
  const auto stats = (*built)->run({});
  (*built)->finish();
  EXPECT_GE(opens, 3);  // tried again, with the one backoff policy, until stopped
  EXPECT_EQ(stats.analysed, 0);
  std::lock_guard lock(mu);
  EXPECT_FALSE(links.empty());
}

TEST(Camera, ALiveCamerasFramesAreDatedByTheInjectedClock) {
  const auto dir = testing::fresh_temp_dir("camera_clock");
  const Config config = site_in(dir);
  std::atomic<bool> stop{false};
  std::atomic<int> opens{0};
  CameraEnv env;
  env.now = [] { return 1.5e9; };
  env.stop = &stop;
  env.open = [&](const std::string&, const video::SourceOptions&) -> Result<std::unique_ptr<video::Source>> {
    if (opens++ > 0) {  // the camera went away after its frames: the test ends
      stop = true;
      return Error{"fake camera: gone"};
    }
    return std::unique_ptr<video::Source>(std::make_unique<FakeLiveSource>(5));
  };
  CameraOptions options;
  options.in_centre = true;
  auto built = Camera::build(config, camera_of("rtsp://fake/yard"), options, env);
  ASSERT_TRUE(built) << built.error().message;
  std::vector<double> dates;
  pipeline::RunHooks hooks;
  hooks.on_frame = [&](const Frame& f, const pipeline::FrameResult&) { dates.push_back(f.wall_epoch); };
  (*built)->run(hooks);
  (*built)->finish();
  ASSERT_EQ(dates.size(), 5u);
  for (double d : dates) EXPECT_EQ(d, 1.5e9);
}

TEST(Camera, AnInputThatCannotBeOpenedLeavesNoStoreBehind) {
  const auto dir = testing::fresh_temp_dir("camera_bad_input");
  const Config config = site_in(dir);
  auto built = Camera::build(config, camera_of((dir / "no-such.mp4").string()), CameraOptions{}, {});
  ASSERT_FALSE(built);
  EXPECT_NE(built.error().message.find("no-such.mp4"), std::string::npos) << built.error().message;
  EXPECT_FALSE(fs::exists(dir / "v.db"));
  EXPECT_FALSE(fs::exists(dir / "media"));
}

// A file's sound track is analysed after its video by whichever command builds the
// camera (vigie serve once ran no audio rule on a file).
TEST(Camera, AFilesSoundTrackIsAnalysedWhoeverBuildsTheCamera) {
  if (std::system("which ffmpeg > /dev/null 2>&1") != 0) GTEST_SKIP() << "skipped: ffmpeg is not installed";
  const auto dir = testing::fresh_temp_dir("camera_sound_track");
  const std::string video = (dir / "av.mp4").string();
  // Quiet noise with a 20 ms bang at 5 s, as the sound track of a 12 s grey video.
  const std::string make =
      "ffmpeg -v error -y -f lavfi -i color=c=gray:s=160x120:r=10 -f lavfi -i "
      "\"aevalsrc='if(between(t,5,5.02),0.8,0.003)*(2*random(0)-1)':s=16000:d=12\" -t 12 -shortest "
      "-c:v mpeg4 -c:a aac " + video;
  ASSERT_EQ(std::system(make.c_str()), 0) << make;

  CameraOptions analyze;
  CameraOptions serve;
  serve.record = serve.retry_first_open = serve.in_centre = true;
  int run = 0;
  for (const CameraOptions& options : {analyze, serve}) {
    Config config = site_in(dir);
    config.store.path = (dir / ("v" + std::to_string(++run) + ".db")).string();
    CameraConfig camera = camera_of(video);
    camera.record = true;  // honoured by serve only; an mpeg4 file is then said, not recorded
    RuleConfig impulse;
    impulse.type = "impulse";
    impulse.name = "bang";
    impulse.settings = rule_types().at("impulse");
    camera.rules.push_back(impulse);
    auto built = Camera::build(config, camera, options, {});
    ASSERT_TRUE(built) << built.error().message;
    const auto stats = (*built)->run({});
    EXPECT_EQ(stats.decoded, 120);
    (*built)->finish();
    EXPECT_EQ((*built)->alerts()->counts().at("bang"), 1) << "run " << run;
    EXPECT_EQ(fs::exists(dir / "recordings" / "yard"), options.record) << "run " << run;
  }
}

}  // namespace
}  // namespace vigie::camera
