// One way to build a camera. `vigie analyze` and `vigie serve` both wire a camera here:
// its detector, its alerts output, its recording, its source (reconnecting when live), its
// pipeline and its sound, in the order their lifetimes need. What differs between the
// two commands is said in CameraOptions and nowhere else; time comes from CameraEnv's
// clock, so that what waits on time is tested by moving a fake one.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "config/config.h"
#include "core/clock.h"
#include "core/result.h"
#include "pipeline/pipeline.h"
#include "rules/rules.h"
#include "video/source.h"

namespace vigie::output {
class AlertOutput;
class LiveAudio;
}  // namespace vigie::output
namespace vigie::record {
class FolderLock;
class Recorder;
}  // namespace vigie::record

namespace vigie::camera {

// What the two commands choose differently.
struct CameraOptions {
  // Alerts and tracks go to the store (output::AlertOutput). serve: always, every camera's
  // tracks are searchable; analyze: when the camera has rules or --store is given.
  bool store = true;
  // The camera's `record: true` is honoured. serve only: the centre keeps the video;
  // `vigie analyze` looks at a camera and must not take its recording folder from a server.
  bool record = false;
  // A stream that cannot be opened at the start: analyze fails at once (a person waits
  // for an answer); serve keeps trying (a camera offline at start comes when it comes).
  bool retry_first_open = false;
  // The camera runs in the supervision centre: its outputs behave as a live camera's
  // whatever its input (alert clips cut from its recording, a full clip queue drops
  // rather than waits). Otherwise that holds for a stream URL only.
  bool in_centre = false;
};

// What the camera takes from the process that runs it.
struct CameraEnv {
  EpochClock now = system_epoch;  // also the pipeline's (RunHooks::now) in run()
  const std::atomic<bool>* stop = nullptr;  // set from outside to end the run
  std::function<void(const std::string&)> say;  // a line for the operator (recording, sound)
  std::function<void(video::LinkEvent, const std::string&)> on_link;  // a stream lost, or back
  // Every stored alert event with the frame that raised it (null for sound and end of run).
  std::function<void(const rules::AlertEvent&, const Frame*)> on_alert;
  video::SourceOpener open;  // empty: video::open_source (tests give a fake source)
};

class Camera {
 public:
  // Fails, in words naming the part, when the detector, the store, the recording folder
  // or (unless options.retry_first_open) the input cannot be opened.
  static Result<std::unique_ptr<Camera>> build(const Config& config, const CameraConfig& camera,
                                               const CameraOptions& options, CameraEnv env);
  ~Camera();
  Camera(const Camera&) = delete;
  Camera& operator=(const Camera&) = delete;

  // Reads the input to its end (or until env.stop). Each analysed frame goes to the
  // alerts, its finished tracks to the store, then to hooks.on_frame. Live sound is
  // followed meanwhile.
  pipeline::RunStats run(pipeline::RunHooks hooks);
  // Ends the sound, the recording's last segment and the tracks; a file's sound track is
  // analysed now, after its video; the alerts are flushed. Once, after run().
  void finish();

  output::AlertOutput* alerts() { return alerts_.get(); }  // null without options.store
  const pipeline::CameraPipeline& pipeline() const { return *pipeline_; }
  double nominal_fps() const { return nominal_fps_; }
  int64_t frame_count() const { return frame_count_; }

 private:
  Camera(const Config& config, const CameraConfig& camera, CameraEnv env);
  Result<Ok> open_recording();
  Result<Ok> open_source(const CameraOptions& options);
  Result<Ok> open_alerts(const CameraOptions& options);
  void analyse_sound_track();

  Config config_;
  CameraConfig camera_;
  CameraEnv env_;
  bool live_ = false;
  double nominal_fps_ = 0;
  int64_t frame_count_ = 0;
  // Destroyed in the reverse order of these lines: the source hands the recorder its last
  // segment, which the recorder indexes through the alerts.
  std::unique_ptr<output::AlertOutput> alerts_;
  std::unique_ptr<record::FolderLock> recording_lock_;
  std::unique_ptr<record::Recorder> recorder_;
  std::unique_ptr<video::Source> source_;
  std::unique_ptr<pipeline::CameraPipeline> pipeline_;
  std::unique_ptr<output::LiveAudio> sound_;
};

}  // namespace vigie::camera
