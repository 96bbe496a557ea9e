// A camera of the centre is declared offline by its clock: 3 s of it without a frame,
// tested by moving a fake clock rather than by waiting.
#include "server/camera_runner.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <thread>

#include "core/test_data.h"
#include "video/test_frames.h"

namespace vigie::server {
namespace {

// A live stream whose frames come when the test lets them, one by one.
struct Feed {
  std::mutex mu;
  std::condition_variable cv;
  int allowed = 0, given = 0;
  bool closed = false;

  void allow(int n) {
    std::lock_guard lock(mu);
    allowed += n;
    cv.notify_all();
  }
  void close() {
    std::lock_guard lock(mu);
    closed = true;
    cv.notify_all();
  }
};

class FedSource : public video::Source {
 public:
  explicit FedSource(Feed& feed) : feed_(feed) {}
  video::ReadResult read(Frame& out) override {
    std::unique_lock lock(feed_.mu);
    feed_.cv.wait(lock, [&] { return feed_.closed || feed_.given < feed_.allowed; });
    if (feed_.closed) return {video::ReadStatus::kError, "fed camera: closed"};
    video::testing::grey_frame(out, feed_.given++);
    return {};
  }
  double nominal_fps() const override { return 10; }
  bool is_live() const override { return true; }

 private:
  Feed& feed_;
};

// Closes the feed when the test leaves, even by a failed assertion: the runner's decoder
// waits in read() until then, and the runner joins it when destroyed.
struct Closer {
  Feed& feed;
  ~Closer() { feed.close(); }
};

// Waits (real time, 10 s at most) until `done()`.
template <typename Done>
bool eventually(Done done) {
  for (int i = 0; i < 1000; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

TEST(CameraRunner, IsOfflineAfterThreeSecondsOfItsClockWithoutAFrameAndOnlineAtTheNext) {
  const auto dir = vigie::testing::fresh_temp_dir("runner_clock");
  Config config;
  config.store.path = (dir / "v.db").string();
  config.store.media = (dir / "media").string();
  config.store.outbox = (dir / "outbox").string();
  CameraConfig camera;
  camera.name = "yard";
  camera.input = "rtsp://fed/yard";
  camera.detect.type = "motion";

  std::atomic<double> now{1.7e9};
  Feed feed;
  std::atomic<int> opens{0};
  std::atomic<int> state_changes{0};  // outlives the runner, whose thread counts
  CameraRunner runner(
      config, camera, nullptr, [&] { return now.load(); },
      [&](const std::string&, const video::SourceOptions&) -> Result<std::unique_ptr<video::Source>> {
        if (opens++ > 0) return Error{"fed camera: closed"};
        return std::unique_ptr<video::Source>(std::make_unique<FedSource>(feed));
      });
  runner.on_state_change = [&] { ++state_changes; };
  Closer closer{feed};  // destroyed before the runner
  runner.start();
  feed.allow(3);
  ASSERT_TRUE(eventually([&] { return runner.status().analysed >= 3 && state_changes == 1; }));
  auto s = runner.status();
  EXPECT_TRUE(s.online);
  EXPECT_EQ(s.state, "online");
  EXPECT_EQ(s.last_frame_epoch, 1.7e9);

  now = 1.7e9 + 2.9;  // silent, but not for long enough
  EXPECT_TRUE(runner.status().online);
  now = 1.7e9 + 3.1;
  s = runner.status();
  EXPECT_FALSE(s.online);
  EXPECT_EQ(s.state, "offline");
  EXPECT_EQ(s.error, "no frame for 3 s");

  feed.allow(1);  // a frame again: online at once
  // Said to the consoles (on_state_change) once more, after the frame is counted.
  ASSERT_TRUE(eventually([&] { return runner.status().analysed >= 4 && state_changes == 2; }));
  s = runner.status();
  EXPECT_TRUE(s.online);
  EXPECT_EQ(s.last_frame_epoch, 1.7e9 + 3.1);
  feed.close();
  runner.stop();
}

}  // namespace
}  // namespace vigie::server
