#include "pipeline/pipeline.h"
#include "detect/mosaic.h"

#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>
#include <optional>
#include <thread>

namespace vigie::pipeline {
namespace {

cv::Mat scene(int i) {
  cv::Mat img(240, 320, CV_8UC3, cv::Scalar(90, 100, 110));
  cv::rectangle(img, cv::Rect(20 + 5 * i, 100, 30, 60), cv::Scalar(240, 240, 240), cv::FILLED);
  return img;
}

// Records every image it is shown, finds nothing.
class SpyDetector : public detect::Detector {
 public:
  std::vector<detect::Detection> detect(const Frame& frame, const detect::Motion&) override {
    seen.push_back(frame.image.clone());
    if (delay.count()) std::this_thread::sleep_for(delay);
    return {};
  }
  std::vector<cv::Mat> seen;
  std::chrono::milliseconds delay{0};
};

class FakeSource : public video::Source {
 public:
  FakeSource(int frames, double fps, bool live) : frames_(frames), fps_(fps), live_(live) {}
  video::ReadResult read(Frame& out) override {
    if (i_ >= frames_) return {video::ReadStatus::kEnd, {}};
    out.index = i_;
    out.time_s = i_ / fps_;
    out.image = scene(i_ % 40);
    ++i_;
    return {};
  }
  double nominal_fps() const override { return fps_; }
  bool is_live() const override { return live_; }

 private:
  int frames_, i_ = 0;
  double fps_;
  bool live_;
};

TEST(CameraPipeline, DetectorNeverSeesMaskedPixels) {
  Config config;
  CameraConfig cam = site_camera(config, "");
  cam.privacy_masks = {{{0, 0}, {160, 0}, {160, 240}, {0, 240}}};
  auto spy = std::make_unique<SpyDetector>();
  auto* seen = &spy->seen;
  CameraPipeline p(config, cam, std::move(spy));
  for (int i = 0; i < 5; ++i) {
    Frame f{i, i / 10.0, scene(i)};
    p.process(f);
    EXPECT_EQ(cv::countNonZero(f.image(cv::Rect(0, 0, 160, 240)).reshape(1)), 0);
  }
  ASSERT_FALSE(seen->empty());
  for (const auto& img : *seen) {
    EXPECT_EQ(cv::countNonZero(img(cv::Rect(0, 0, 160, 240)).reshape(1)), 0);
    EXPECT_GT(cv::countNonZero(img(cv::Rect(160, 0, 160, 240)).reshape(1)), 0);
  }
}

TEST(CameraPipeline, ModelFreeDetectorFindsNothingInsideAMask) {
  Config config;
  config.detect.work_width = 320;
  CameraConfig cam = site_camera(config, "");
  cam.privacy_masks = {{{0, 80}, {320, 80}, {320, 180}, {0, 180}}};  // covers the walker
  auto det = detect::make_detector(config.detect);
  CameraPipeline p(config, cam, std::move(det.value()));
  for (int i = 0; i < 40; ++i) {
    Frame f{i, i / 10.0, scene(i)};
    EXPECT_TRUE(p.process(f).detections.empty()) << "frame " << i;
  }
  EXPECT_EQ(p.confirmed_tracks(), 0);
}

// Finds the walker of scene(i) wherever it is asked to look (and, on a second walker's
// frames, that one too), and remembers what it was asked.
class WalkerFinder : public detect::Detector {
 public:
  std::vector<detect::Detection> detect(const Frame& frame, const detect::Motion& where) override {
    asked.push_back(where.regions);
    crops.clear();  // as the onnx detector crops: padded around what it is asked
    for (const auto& c : detect::crops_around(where.regions, frame.image.size(), 16)) crops.push_back(Box::from(c));
    std::vector<detect::Detection> out;
    std::vector<Box> walkers = {{20.f + 5 * static_cast<float>(frame.index % 40), 100, 30, 60}};
    if (frame.index >= 20) walkers.push_back({250, 20, 30, 60});
    for (const auto& w : walkers)
      for (const auto& r : where.regions)
        if (coverage(Box{w.center().x, w.center().y, 1, 1}, r) > 0.99f) {  // a crop around r sees it
          out.push_back({w, 0, "person", 0.9f, {}});
          break;
        }
    return out;
  }
  std::optional<std::vector<Box>> looked() const override { return crops; }
  std::vector<std::vector<Box>> asked;
  std::vector<Box> crops;
};

// regions: unexplained. The detector is asked about the tracks and about motion no track
// explains, not about the whole frame; a second walker, appearing, is motion to look at.
TEST(CameraPipeline, TheDetectorIsAskedAboutTracksAndUnexplainedMotionOnly) {
  Config config;
  CameraConfig cam = site_camera(config, "");
  cam.detect.type = "onnx";
  cam.detect.regions = "unexplained";
  auto finder = std::make_unique<WalkerFinder>();
  auto* asked = &finder->asked;
  CameraPipeline p(config, cam, std::move(finder));
  auto frame = [](int i) {
    cv::Mat img = scene(i % 40);
    if (i >= 20) cv::rectangle(img, cv::Rect(250, 20, 30, 60), cv::Scalar(30, 200, 30), cv::FILLED);
    return img;
  };
  std::vector<track::TrackState> tracks;
  for (int i = 0; i < 30; ++i) {
    Frame f{i, i / 10.0, frame(i)};
    tracks = p.process(f).tracks;
    if (i == 19) {
      ASSERT_EQ(tracks.size(), 1u) << "the walker is followed";
      ASSERT_FALSE(asked->empty());
      for (const auto& r : asked->back())
        EXPECT_LT(r.area(), 320 * 240 / 4) << "frame 19: asked about the walker's track, not the frame";
      // Its motion is explained by its track; what it leaves behind in the background (a
      // ghost) is looked at again only every refresh_s.
      int only_the_track = 0;
      for (size_t k = asked->size() - 10; k < asked->size(); ++k) only_the_track += (*asked)[k].size() == 1;
      EXPECT_GE(only_the_track, 3) << "of the last 10 frames, asked about the track alone";
    }
    if (i == 20) {
      bool asked_about_newcomer = false;
      for (const auto& r : asked->back()) asked_about_newcomer |= coverage({250, 20, 30, 60}, r) > 0.5f;
      EXPECT_TRUE(asked_about_newcomer) << "the second walker's motion is unexplained";
    }
  }
  EXPECT_EQ(tracks.size(), 2u);
  int whole_frame = 0;
  for (const auto& regions : *asked)
    for (const auto& r : regions) whole_frame += r == Box{0, 0, 320, 240};
  EXPECT_EQ(whole_frame, 1) << "one sweep of the whole frame at the start, the next after 20 s";
}

// Finds one person standing still until told that the shared network is busy: then it
// looks nowhere, as a live camera's dropped request.
class BusyAfter : public detect::Detector {
 public:
  std::vector<detect::Detection> detect(const Frame& frame, const detect::Motion&) override {
    busy = frame.index >= 10;
    if (busy) return {};
    return {{{100, 80, 30, 80}, 0, "person", 0.9f, {}}};
  }
  std::optional<std::vector<Box>> looked() const override {
    return busy ? std::optional<std::vector<Box>>(std::vector<Box>{}) : std::nullopt;
  }
  bool busy = false;
};

// A frame whose detection was dropped is tracked by prediction: the person is still
// followed, not lost, and the frame does not count as a detector run.
TEST(CameraPipeline, AFrameTheNetworkHadNoTimeForIsPredicted) {
  Config config;
  config.motion_gate.enabled = false;
  CameraConfig cam = site_camera(config, "");
  CameraPipeline p(config, cam, std::make_unique<BusyAfter>());
  int id = 0;
  for (int i = 0; i < 20; ++i) {
    Frame f{i, i / 10.0, scene(0)};
    const auto r = p.process(f);
    if (i == 9) id = r.tracks.at(0).id;
    if (i >= 10) {
      EXPECT_FALSE(r.detector_ran) << "frame " << i;
      ASSERT_EQ(r.tracks.size(), 1u) << "frame " << i << ": still followed";
      EXPECT_EQ(r.tracks[0].id, id);
      EXPECT_FALSE(r.tracks[0].detected);
    }
  }
  EXPECT_EQ(p.detector_runs(), 10);
}

// Finds one person standing still, every frame.
class StandingPerson : public detect::Detector {
 public:
  std::vector<detect::Detection> detect(const Frame&, const detect::Motion&) override {
    detect::Detection d;
    d.box = {100, 80, 30, 80}, d.score = 0.9f, d.class_id = 0, d.label = "person";
    return {d};
  }
};

// A person in view for minutes is stored as they stay, not only when they leave: every
// kLivingEvery of stream time a snapshot of each track followed that long, with what it
// has passed so far; the end gives the final record of the same track.
TEST(CameraPipeline, ATrackFollowedForMinutesIsReportedAsItLives) {
  Config config;
  config.motion_gate.enabled = false;
  CameraConfig camera = site_camera(config, "");
  camera.zones["bench"] = {{0, 0}, {320, 0}, {320, 240}, {0, 240}};
  CameraPipeline p(config, camera, std::make_unique<StandingPerson>());
  std::vector<track::TrackRecord> snapshots;
  for (int i = 0; i <= 150; ++i) {  // 150 s at one frame a second
    Frame f{i, static_cast<double>(i), scene(0)};
    p.process(f);
    for (auto& r : p.take_records()) snapshots.push_back(std::move(r));
  }
  ASSERT_EQ(snapshots.size(), 2u);  // at 60 s and 120 s
  EXPECT_EQ(snapshots[0].id, snapshots[1].id);
  EXPECT_NEAR(snapshots[0].last_time_s, 60, 1);
  EXPECT_NEAR(snapshots[1].last_time_s, 120, 1);
  EXPECT_EQ(snapshots[1].label, "person");
  ASSERT_EQ(snapshots[1].attributes.passages.zones.size(), 1u);
  EXPECT_EQ(snapshots[1].attributes.passages.zones[0].name, "bench");
  const auto last = p.finish();
  ASSERT_EQ(last.size(), 1u);
  EXPECT_EQ(last[0].id, snapshots[0].id);
  EXPECT_NEAR(last[0].last_time_s, 150, 1);
  EXPECT_TRUE(snapshots[0].ongoing);
  EXPECT_FALSE(last[0].ongoing);
  // A snapshot does not consume what the end reports: passages, views, thumbnail.
  EXPECT_EQ(last[0].attributes.passages.zones.size(), 1u);
  EXPECT_GE(last[0].attributes.views, 40);  // one detected frame in 3 over 150
  EXPECT_FALSE(last[0].attributes.thumbnail.empty());
}

TEST(CameraPipeline, DetectsEveryNthFrame) {
  Config config;
  config.detect.every_n_frames = 3;
  config.motion_gate.enabled = false;
  auto spy = std::make_unique<SpyDetector>();
  CameraPipeline p(config, site_camera(config, ""), std::move(spy));
  for (int i = 0; i < 9; ++i) {
    Frame f{i, i / 10.0, scene(i)};
    EXPECT_EQ(p.process(f).detector_ran, i % 3 == 0);
  }
  EXPECT_EQ(p.detector_runs(), 3);
}

// Each camera runs with its own settings: the site's, changed by the camera's sections.
TEST(CameraPipeline, ACameraDetectsWithItsOwnSettings) {
  const Config config = parse_config(
      "detect: { every_n_frames: 2 }\n"
      "cameras:\n  busy: { input: x, detect: { every_n_frames: 3 } }\n  quiet: { input: y }\n");
  ASSERT_EQ(config.cameras.at("busy").detect.every_n_frames, 3);
  for (const auto& [name, every] : {std::pair<std::string, int>{"busy", 3}, {"quiet", 2}}) {
    CameraConfig cam = config.cameras.at(name);
    cam.motion_gate.enabled = false;
    CameraPipeline p(config, cam, std::make_unique<SpyDetector>());
    for (int i = 0; i < 12; ++i) {
      Frame f{i, i / 10.0, scene(i)};
      EXPECT_EQ(p.process(f).detector_ran, i % every == 0) << name << " frame " << i;
    }
  }
}

TEST(CameraPipeline, GateSkipsTheModelDetectorOnAStillScene) {
  Config config;
  config.detect.type = "onnx";  // the gate only skips expensive detectors
  auto spy = std::make_unique<SpyDetector>();
  CameraPipeline p(config, site_camera(config, ""), std::move(spy));
  for (int i = 0; i < 10; ++i) {
    Frame f{i, i / 10.0, scene(0)};  // nothing moves
    p.process(f);
  }
  EXPECT_EQ(p.detector_runs(), 1);  // the first frame only: 0.9 s < motion_gate.max_idle_s
  for (int i = 10; i < 13; ++i) {
    Frame f{i, i / 10.0, scene(i)};  // now it moves
    EXPECT_TRUE(p.process(f).detector_ran);
  }
}

TEST(CameraPipeline, StillSceneIsStillCheckedEveryMaxIdle) {
  Config config;
  config.detect.type = "onnx";
  config.motion_gate.max_idle_s = 1.0;
  CameraPipeline p(config, site_camera(config, ""), std::make_unique<SpyDetector>());
  for (int i = 0; i < 31; ++i) {  // 3 s of a still scene at 10 fps
    Frame f{i, i / 10.0, scene(0)};
    p.process(f);
  }
  EXPECT_EQ(p.detector_runs(), 4);  // at 0, 1, 2 and 3 s
}

TEST(RunAnalysis, SamplesAFileToAnalyzeFps) {
  Config config;
  auto spy = std::make_unique<SpyDetector>();
  CameraPipeline p(config, site_camera(config, ""), std::move(spy));
  FakeSource src(50, 25, /*live=*/false);
  int frames = 0;
  RunHooks hooks;
  hooks.on_frame = [&](const Frame&, const FrameResult&) { ++frames; };
  const RunStats stats = run_analysis(src, p, 5, hooks);
  EXPECT_EQ(stats.decoded, 50);
  EXPECT_EQ(stats.analysed, 10);
  EXPECT_EQ(frames, 10);
  EXPECT_TRUE(stats.source_error.empty());
}

TEST(RunAnalysis, SlowAnalysisOfALiveSourceDropsAndCounts) {
  Config config;
  config.motion_gate.enabled = false;
  auto spy = std::make_unique<SpyDetector>();
  spy->delay = std::chrono::milliseconds(5);
  CameraPipeline p(config, site_camera(config, ""), std::move(spy));
  FakeSource src(400, 25, /*live=*/true);  // decodes far faster than 5 ms a frame
  const RunStats stats = run_analysis(src, p, 0, {});
  EXPECT_EQ(stats.decoded, 400);
  EXPECT_GT(stats.dropped, 0);
  EXPECT_EQ(stats.analysed + stats.dropped, 400);
}

TEST(RunAnalysis, StopFlagEndsTheRun) {
  Config config;
  CameraPipeline p(config, site_camera(config, ""), std::make_unique<SpyDetector>());
  FakeSource src(1000, 25, false);
  std::atomic<bool> stop{false};
  RunHooks hooks;
  hooks.stop = &stop;
  hooks.on_frame = [&](const Frame& f, const FrameResult&) {
    if (f.index == 9) stop = true;
  };
  EXPECT_EQ(run_analysis(src, p, 0, hooks).analysed, 10);
}

}  // namespace
}  // namespace vigie::pipeline
