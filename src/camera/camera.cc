#include "camera/camera.h"

#include <fmt/format.h>

#include <thread>

#include "audio/audio.h"
#include "detect/detector.h"
#include "output/alert_output.h"
#include "output/live_audio.h"
#include "record/camera_recorder.h"

namespace vigie::camera {
namespace {

// The reconnection policy of every live camera: from 250 ms, doubling, up to
// server.reconnect_max_s.
video::BackoffPolicy reconnect_policy(const Config& config) {
  video::BackoffPolicy backoff;
  backoff.initial = std::chrono::milliseconds(250);
  backoff.max = std::chrono::milliseconds(static_cast<int>(config.server.reconnect_max_s * 1000));
  return backoff;
}

// A live camera's frame is taken by a busy shared network within one analysed frame's
// interval of being decoded (0.2 s when every frame is analysed), or its tracks are
// predicted: at analyze_fps, a frame waits in the queue no longer than it takes the next
// one to come.
detect::DetectorUse detector_use(const CameraConfig& camera, const EpochClock& now) {
  detect::DetectorUse use;
  use.now = now;
  if (video::is_stream_url(camera.input)) use.max_age_s = camera.analyze_fps > 0 ? 1 / camera.analyze_fps : 0.2;
  return use;
}

}  // namespace

Camera::Camera(const Config& config, const CameraConfig& camera, CameraEnv env)
    : config_(config), camera_(camera), env_(std::move(env)) {
  if (!env_.open) env_.open = [](const std::string& input, const video::SourceOptions& o) {
    return video::open_source(input, o);
  };
  if (!env_.now) env_.now = system_epoch;
  if (!env_.say) env_.say = [](const std::string&) {};
  if (!env_.on_link) env_.on_link = [](video::LinkEvent, const std::string&) {};
}

Camera::~Camera() = default;

Result<std::unique_ptr<Camera>> Camera::build(const Config& config, const CameraConfig& configured,
                                              const CameraOptions& options, CameraEnv env) {
  // The camera as this command runs it: a camera that records under `vigie serve` does
  // not under `vigie analyze`, and its alerts' clips are then not cut from a recording.
  CameraConfig camera = configured;
  camera.record = configured.record && options.record;
  std::unique_ptr<Camera> c(new Camera(config, camera, std::move(env)));  // opens nothing
  // The detector first: a missing model file fails before anything is opened or created.
  auto detector = detect::make_detector(camera.detect, detector_use(camera, c->env_.now));
  if (!detector) return detector.error();
  c->live_ = video::is_stream_url(camera.input);
  if (camera.record) {
    // The recorder taps the source, and indexes its segments through the alerts output:
    // both are made before the source.
    if (!options.store) return Error{fmt::format("camera {}: recording needs the store (its index)", camera.name)};
    if (auto r = c->open_alerts(options); !r) return r.error();
    if (auto r = c->open_recording(); !r) return r.error();
    if (auto r = c->open_source(options); !r) return r.error();
  } else {
    // Nothing taps the source: a bad input fails before a store or a folder is made.
    if (auto r = c->open_source(options); !r) return r.error();
    if (auto r = c->open_alerts(options); !r) return r.error();
  }
  c->pipeline_ = std::make_unique<pipeline::CameraPipeline>(config, camera, std::move(detector.value()),
                                                            c->alerts_ && c->alerts_->wants_static_objects());
  // A stream's sound is read on a connection of its own while the video plays; a file's
  // sound track is read whole after its video (finish()).
  if (c->alerts_ && c->live_)
    c->sound_ = std::make_unique<output::LiveAudio>(config, camera, *c->alerts_, c->env_.say, c->env_.now);
  return c;
}

Result<Ok> Camera::open_alerts(const CameraOptions& options) {
  if (!options.store) return Ok{};
  const bool live_outputs = options.in_centre || live_;
  try {
    alerts_ = std::make_unique<output::AlertOutput>(config_, camera_, env_.now(), live_outputs, env_.now);
  } catch (const output::OutputError& e) {  // the store, the media folder, a drone's track
    return Error{e.what()};
  }
  alerts_->on_event = env_.on_alert;
  // A live camera's stream time 0 is when it is built (for serve, the frames of a camera
  // offline at start are dated from then); a recorded drone video keeps the date its
  // track gave it.
  if (live_outputs) alerts_->set_start_epoch(env_.now());
  return Ok{};
}

Result<Ok> Camera::open_recording() {
  auto say = [this](const std::string& why) { env_.say(fmt::format("recording: {}", why)); };
  output::AlertOutput* alerts = alerts_.get();
  auto made = record::open_camera_recorder(
      config_, camera_, env_.now, [alerts](const events::SegmentRow& s) { alerts->post_segment(s); }, say,
      [alerts](const std::string& host) { return alerts->indexed_segments(host); });
  if (!made) return made.error();
  for (const auto& w : made->warnings) say(w);
  for (const auto& s : made->recovered) alerts_->post_segment(s);  // what a crash or failure left
  recording_lock_ = std::move(made->lock);
  recorder_ = std::move(made->recorder);
  return Ok{};
}

Result<Ok> Camera::open_source(const CameraOptions& options) {
  video::SourceOptions source_options;
  source_options.tap = recorder_.get();
  const std::string input = camera_.input;
  if (!live_) {
    auto opened = env_.open(input, source_options);
    if (!opened) return opened.error();
    source_ = std::move(opened.value());
  } else {
    // Opened once here unless the caller waits for the camera: a bad URL fails fast. Later
    // losses are reconnected for ever, with the same policy for every caller.
    auto pending = std::make_shared<std::unique_ptr<video::Source>>();
    if (!options.retry_first_open) {
      auto first = env_.open(input, source_options);
      if (!first) return first.error();
      *pending = std::move(first.value());
    }
    video::ReconnectEnv reconnect;
    reconnect.open = [open = env_.open, input, source_options, pending]() -> Result<std::unique_ptr<video::Source>> {
      if (*pending) return std::move(*pending);
      return open(input, source_options);
    };
    const std::atomic<bool>* stop = env_.stop;
    reconnect.sleep = [stop](std::chrono::milliseconds d) {
      for (auto left = d; left.count() > 0 && !(stop && *stop); left -= std::chrono::milliseconds(50))
        std::this_thread::sleep_for(std::min(left, std::chrono::milliseconds(50)));
    };
    reconnect.report = env_.on_link;
    reconnect.stop_requested = [stop] { return stop && stop->load(); };
    source_ = std::make_unique<video::ReconnectingSource>(std::move(reconnect), reconnect_policy(config_));
  }
  nominal_fps_ = source_->nominal_fps();
  frame_count_ = source_->frame_count();
  return Ok{};
}

pipeline::RunStats Camera::run(pipeline::RunHooks hooks) {
  auto caller = std::move(hooks.on_frame);
  hooks.on_frame = [this, caller](const Frame& f, const pipeline::FrameResult& r) {
    // Taken every frame, stored or not: what the pipeline keeps of a track ends with it.
    const auto records = pipeline_->take_records();
    if (alerts_) {
      alerts_->on_frame(f, r);
      alerts_->on_tracks(records);
    }
    if (caller) caller(f, r);
  };
  hooks.now = env_.now;
  if (!hooks.stop) hooks.stop = env_.stop;
  if (sound_) sound_->start();
  return pipeline::run_analysis(*source_, *pipeline_, camera_.analyze_fps, hooks);
}

void Camera::finish() {
  if (sound_) sound_->stop();
  source_.reset();  // ends the recording's last segment, indexed by the alerts' finish()
  auto last_tracks = pipeline_->finish();
  if (!alerts_) return;
  // A run stopped midway (serve shutting down) does not read the rest of the file's sound.
  if (!live_ && !(env_.stop && *env_.stop)) analyse_sound_track();
  alerts_->on_tracks(last_tracks);
  alerts_->finish();
}

void Camera::analyse_sound_track() {
  const std::vector<RuleConfig> rules = audio::audio_rules(camera_.rules);
  if (rules.empty()) return;
  auto samples = audio::read_audio(camera_.input);
  if (!samples) {
    env_.say(fmt::format("audio rules skipped: {}", samples.error().message));
    return;
  }
  alerts_->on_audio(audio::detect(*samples, rules, camera_.audio_offset_db), *samples);
}

}  // namespace vigie::camera
