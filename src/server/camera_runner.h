// One camera of `vigie serve`: its own thread that reads the stream (reconnecting for
// ever), runs the pipeline and the rules, stores alerts, and keeps the newest masked frame
// as JPEG for the live view. One camera failing never touches another.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <opencv2/core.hpp>

#include "config/config.h"
#include "core/clock.h"

#include "core/frame.h"
#include "rules/rules.h"
#include "video/source.h"

namespace vigie::server {

struct CameraStatus {
  std::string name;
  bool online = false;
  std::string state = "starting";  // starting, online, offline, ended, failed
  std::string error;               // the last problem, in words
  double fps = 0;                  // analysed frames per second, last few seconds
  int64_t decoded = 0, analysed = 0, dropped = 0, queue_depth = 0;
  int64_t detections_dropped = 0;  // frames the shared network had no time for (predicted)
  double last_frame_epoch = 0;
  double detector_ms = 0;          // mean time per detector run
  int reconnections = 0;
  int64_t store_failures = 0;      // alert and track events the store refused
  std::map<std::string, int> alerts;  // by rule, since the server started
};

class CameraRunner {
 public:
  // Receives every stored alert event with the frame that raised it (may be null).
  using EventSink = std::function<void(const rules::AlertEvent&, const Frame*)>;

  // `clock`: the time of frames, of the live view and of the 3 s without a frame that
  // makes a camera offline. `open`: how the input is opened (empty: video::open_source).
  CameraRunner(Config config, CameraConfig camera, EventSink sink, EpochClock clock = system_epoch,
               video::SourceOpener open = {});
  // Called (from the camera's thread) when it goes online, offline, fails or ends, so that
  // consoles hear of it at once rather than at the next periodic update.
  std::function<void()> on_state_change;
  ~CameraRunner();  // stops and joins
  void start();
  void stop();

  CameraStatus status() const;
  // The newest masked frame (at most 5 a second) as JPEG, encoded at the first call
  // after it came; empty before the first frame.
  std::shared_ptr<const std::string> latest_jpeg() const;
  const CameraConfig& camera() const { return camera_; }

 private:
  void run();
  void run_once();
  void set_state(const std::string& state, const std::string& error = {});
  void on_frame(const Frame& frame, double detector_ms);

  Config config_;
  CameraConfig camera_;
  EventSink sink_;
  EpochClock clock_;
  video::SourceOpener open_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  mutable std::mutex mu_;
  CameraStatus status_;
  std::shared_ptr<const cv::Mat> view_frame_;           // the newest frame kept for the live view
  mutable std::shared_ptr<const cv::Mat> jpeg_frame_;   // the frame jpeg_ shows
  mutable std::shared_ptr<const std::string> jpeg_;
  double last_view_epoch_ = 0;
  double offline_epoch_ = 0;  // when the stream was last lost: older frames prove nothing
  int64_t store_failures_before_ = 0;  // of earlier runs (a camera restarted after a failure)
  // (wall time, analysed count) samples for the fps figure.
  double rate_since_ = 0;
  int64_t rate_count_ = 0;
};

}  // namespace vigie::server
