// One camera's analysis: masked frame → motion gate → detector → tracker.
//
// CameraPipeline holds the per-camera state and is driven frame by frame (one thread);
// run_analysis() is the loop that reads a source, samples it to analyze_fps, and hands
// each analysed frame and its tracks to a callback.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <vector>

#include "config/config.h"
#include "core/clock.h"
#include "describe/attributes.h"
#include "core/frame.h"
#include "detect/detector.h"
#include "detect/static_foreground.h"
#include "rules/passages.h"
#include "track/tracker.h"
#include "video/privacy_mask.h"
#include "video/source.h"

namespace vigie::pipeline {

// Seconds spent in each stage, summed over the run.
struct StageTimes {
  double decode = 0, mask = 0, gate = 0, detect = 0, track = 0, still = 0, describe = 0, output = 0;
};

struct FrameResult {
  std::vector<track::TrackState> tracks;   // confirmed tracks on this frame
  std::vector<detect::Detection> detections;  // empty when the detector did not run
  detect::Motion motion;
  bool detector_ran = false;
  std::vector<detect::StaticBlob> static_blobs;  // when static-foreground finding is on
};

class CameraPipeline {
 public:
  // `find_static`: also run the static-foreground finder (for abandoned_object rules).
  CameraPipeline(const Config& config, const CameraConfig& camera,
                 std::unique_ptr<detect::Detector> detector, bool find_static = false);

  // Masks `frame.image` in place (nothing downstream ever sees unmasked pixels), then
  // detects and tracks.
  FrameResult process(Frame& frame);
  // Ends all tracks; returns the records of those not yet taken, with their attributes.
  std::vector<track::TrackRecord> finish() { return described(tracker_.finish()); }
  // The records to store now: those of the tracks that ended, and, once every
  // kLivingEvery of stream time, a snapshot of each track followed for that long already
  // (a search finds a person who has been in view for an hour, not only once they leave;
  // the store updates the same track). Call after every process().
  std::vector<track::TrackRecord> take_records();
  static constexpr double kLivingEvery = 60;

  const StageTimes& times() const { return times_; }
  StageTimes& times() { return times_; }
  int64_t detector_runs() const { return detector_runs_; }
  // Frames whose detection a busy shared network dropped (tracked by prediction).
  int64_t detections_dropped() const { return detector_->dropped(); }
  int confirmed_tracks() const { return tracker_.confirmed_count(); }

 private:
  bool should_detect(const detect::Motion& look, double time_s) const;
  // What the detector is asked to look at: the gate's motion, or (regions: unexplained)
  // the tracks and the motion none of them explains.
  detect::Motion where_to_look(const detect::Motion& motion, const cv::Size& frame, double time_s) const;
  void remember_looks(const std::optional<std::vector<Box>>& looked, const cv::Size& frame, double time_s);
  std::vector<track::TrackRecord> described(std::vector<track::TrackRecord> records);
  void describe(track::TrackRecord& record, describe::TrackAttributes attributes, rules::TrackPassages passages) const;

  DetectConfig detect_config_;
  bool gate_enabled_;
  bool looks_at_unexplained_;  // regions: unexplained, with the gate that finds the motion
  double max_idle_s_;
  bool describe_appearance_;
  double last_detect_s_ = -1e300;
  video::PrivacyMask mask_;
  detect::MotionGate gate_;
  std::unique_ptr<detect::Detector> detector_;
  track::Tracker tracker_;
  std::unique_ptr<detect::StaticForeground> static_;
  describe::TrackDescriber describer_;
  rules::PassageLog passages_;  // zones and lines each track passed, for search
  std::vector<double> homography_;
  StageTimes times_;
  int64_t analysed_ = 0;
  int64_t detector_runs_ = 0;
  bool tracking_something_ = false;
  std::vector<std::pair<Box, double>> recent_looks_;  // unexplained: where the detector looked, when
  double last_sweep_s_ = -1e300;  // unexplained: when the detector last looked at the whole frame
  static constexpr double kSweepEvery_s = 20;
  double last_time_s_ = 0, last_living_s_ = 0;  // stream times: of the last frame, of the last snapshots
};

struct RunStats {
  int64_t decoded = 0;   // frames read from the source
  int64_t analysed = 0;  // frames that went through the pipeline
  int64_t dropped = 0;   // live frames dropped because analysis fell behind
  int64_t queue_depth = 0;  // live: frames waiting for analysis right now
  double wall_s = 0;
  std::string source_error;  // why a non-live source stopped early; empty at a clean end
};

struct RunHooks {
  // Called for every analysed frame, after masking and tracking.
  std::function<void(const Frame&, const FrameResult&)> on_frame;
  // Called about every 0.25 s of wall time with frames decoded so far.
  std::function<void(const RunStats&)> on_progress;
  const std::atomic<bool>* stop = nullptr;  // set from outside to end the run cleanly
  EpochClock now = system_epoch;  // dates a live frame as it is decoded (Frame::wall_epoch)
};

// Reads `source` to its end (or until *hooks.stop), analysing frames at analyze_fps
// (0: all). A live source is decoded on its own thread into a bounded queue, so slow
// analysis drops frames (counted) instead of stalling the decoder. A file that breaks
// midway ends the run with source_error set; what was analysed until then stands.
RunStats run_analysis(video::Source& source, CameraPipeline& pipeline, double analyze_fps,
                              const RunHooks& hooks);

}  // namespace vigie::pipeline
