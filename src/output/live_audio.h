// The audio rules of a live camera: its own thread reads the stream's sound (a second
// connection, sound only), runs audio::LiveDetector, and posts each sound found, with its
// clip, to the camera's AlertOutput. A lost stream is reopened with backoff; a camera
// without sound is said once and left alone.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <thread>

#include "config/config.h"
#include "core/clock.h"
#include "output/alert_output.h"

namespace vigie::output {

class LiveAudio {
 public:
  // `report` gets one line when the sound cannot be read (and when it comes back).
  // `clock` dates the sound's stream time 0.
  LiveAudio(const Config& config, const CameraConfig& camera, AlertOutput& alerts,
            std::function<void(const std::string&)> report, EpochClock clock = system_epoch);
  ~LiveAudio();  // stops and joins
  void start();
  void stop();
  int64_t sounds() const { return sounds_; }

 private:
  void run();
  bool sleep_for(std::chrono::milliseconds d);  // false when stopped meanwhile

  std::string input_;
  std::vector<RuleConfig> rules_;
  double offset_db_, clip_pre_s_, clip_post_s_, reconnect_max_s_;
  AlertOutput& alerts_;
  std::function<void(const std::string&)> report_;
  EpochClock clock_;
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> sounds_{0};
  std::thread thread_;
};

}  // namespace vigie::output
