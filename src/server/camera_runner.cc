#include "server/camera_runner.h"

#include <fmt/format.h>
#include <opencv2/imgcodecs.hpp>

#include <chrono>

#include "camera/camera.h"
#include "output/alert_output.h"

namespace vigie::server {
namespace {

constexpr double kLiveViewPeriod = 0.2;  // JPEGs for the live view: at most 5 a second
constexpr double kOfflineAfter = 3.0;    // no frame for this long: offline, whatever the socket says

}  // namespace

CameraRunner::CameraRunner(Config config, CameraConfig camera, EventSink sink, EpochClock clock,
                           video::SourceOpener open)
    : config_(std::move(config)), camera_(std::move(camera)), sink_(std::move(sink)), clock_(std::move(clock)),
      open_(std::move(open)) {
  if (!clock_) clock_ = system_epoch;
  status_.name = camera_.name;
}

CameraRunner::~CameraRunner() { stop(); }

void CameraRunner::start() { thread_ = std::thread([this] { run(); }); }

void CameraRunner::stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

CameraStatus CameraRunner::status() const {
  std::lock_guard lock(mu_);
  CameraStatus s = status_;
  if (s.online && clock_() - s.last_frame_epoch > kOfflineAfter) {
    s.online = false;
    s.state = "offline";
    if (s.error.empty()) s.error = "no frame for 3 s";
  }
  return s;
}

std::shared_ptr<const std::string> CameraRunner::latest_jpeg() const {
  std::shared_ptr<const cv::Mat> frame;
  {
    std::lock_guard lock(mu_);
    if (!view_frame_ || view_frame_ == jpeg_frame_) return jpeg_;
    frame = view_frame_;
  }
  // Encoded here, for whoever asks, not by the camera for every frame: a camera nobody
  // watches encodes nothing (two viewers asking at once may both encode the new frame).
  std::vector<uchar> buf;
  if (!cv::imencode(".jpg", *frame, buf, {cv::IMWRITE_JPEG_QUALITY, 75})) return nullptr;
  auto jpeg = std::make_shared<const std::string>(buf.begin(), buf.end());
  std::lock_guard lock(mu_);
  if (view_frame_ == frame) jpeg_ = jpeg, jpeg_frame_ = frame;
  return jpeg;
}

void CameraRunner::set_state(const std::string& state, const std::string& error) {
  {
    std::lock_guard lock(mu_);
    // Each change is said once on stderr: a camera that cannot be reached is visible
    // without the console, and one that stays away does not flood the log.
    if (state != status_.state || (!error.empty() && error != status_.error))
      fmt::print(stderr, "vigie serve: camera {}: {}{}\n", camera_.name, state, error.empty() ? "" : ": " + error);
    status_.state = state;
    status_.online = state == "online";
    if (!status_.online) offline_epoch_ = clock_();
    if (!error.empty() || state == "online") status_.error = error;
  }
  if (on_state_change) on_state_change();
}

void CameraRunner::run() {
  while (!stop_) {
    try {
      run_once();
      if (!stop_) set_state("ended", "the input ended");
      return;  // a live source only returns when stopped; a file ends once
    } catch (const std::exception& e) {
      // A camera whose detector or store fails is reported and retried, on its own.
      set_state("failed", e.what());
      for (int i = 0; i < 50 && !stop_; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
}

void CameraRunner::run_once() {
  camera::CameraOptions options;
  options.store = true;  // every camera of the centre stores its tracks, with their attributes, for search
  options.record = true;
  options.retry_first_open = true;
  options.in_centre = true;
  camera::CameraEnv env;
  env.now = clock_;
  env.stop = &stop_;
  env.open = open_;
  env.say = [this](const std::string& line) { fmt::print(stderr, "vigie serve: camera {}: {}\n", camera_.name, line); };
  env.on_link = [this](video::LinkEvent e, const std::string& why) {
    if (e == video::LinkEvent::kLost) {
      set_state("offline", why);
    } else {
      std::lock_guard lock(mu_);
      ++status_.reconnections;
      fmt::print(stderr, "vigie serve: camera {}: {}\n", camera_.name, why);
    }
  };
  env.on_alert = [this](const rules::AlertEvent& e, const Frame* f) {
    if (e.phase == rules::Phase::kStart) {
      std::lock_guard lock(mu_);
      ++status_.alerts[e.rule];
    }
    if (sink_) sink_(e, f);
  };
  auto built = camera::Camera::build(config_, camera_, options, std::move(env));
  if (!built) throw std::runtime_error(built.error().message);
  camera::Camera& cam = *built.value();
  output::AlertOutput& alerts = *cam.alerts();

  pipeline::RunHooks hooks;
  hooks.on_frame = [&](const Frame& f, const pipeline::FrameResult&) {
    const double runs = static_cast<double>(cam.pipeline().detector_runs());
    on_frame(f, runs > 0 ? cam.pipeline().times().detect * 1000 / runs : 0);
  };
  hooks.on_progress = [this, &alerts, &cam](const pipeline::RunStats& s) {
    std::lock_guard lock(mu_);
    status_.decoded = s.decoded, status_.dropped = s.dropped, status_.queue_depth = s.queue_depth;
    status_.detections_dropped = cam.pipeline().detections_dropped();
    status_.store_failures = store_failures_before_ + alerts.failures();
  };
  const auto stats = cam.run(hooks);
  cam.finish();
  {
    std::lock_guard lock(mu_);
    store_failures_before_ += alerts.failures();
    status_.store_failures = store_failures_before_;
  }
  if (!stats.source_error.empty()) throw std::runtime_error(stats.source_error);
}

void CameraRunner::on_frame(const Frame& frame, double detector_ms) {
  const double now = clock_();
  std::shared_ptr<const cv::Mat> view;
  if (now - last_view_epoch_ >= kLiveViewPeriod) {
    last_view_epoch_ = now;
    // The frame was masked in place by the pipeline: the live view never shows masked
    // pixels. Copied (the decoder reuses its buffer), encoded only when asked for.
    view = std::make_shared<const cv::Mat>(frame.image.clone());
  }
  bool came_online = false;
  {
    std::lock_guard lock(mu_);
    if (view) view_frame_ = std::move(view);
    ++status_.analysed;
    // Offline by silence (status() says so after 3 s without frames) ends here too.
    // Frames decoded before a loss may still be in the queue: only a newer one means the
    // stream is back.
    const bool fresh = frame.wall_epoch == 0 || frame.wall_epoch > offline_epoch_;
    came_online = fresh && (!status_.online || now - status_.last_frame_epoch > kOfflineAfter);
    status_.last_frame_epoch = now;
    status_.detector_ms = detector_ms;
    if (came_online) {
      status_.online = true;
      status_.state = "online";
      status_.error.clear();
    }
    if (rate_since_ == 0) rate_since_ = now, rate_count_ = status_.analysed;
    if (now - rate_since_ >= 2.0) {
      status_.fps = (status_.analysed - rate_count_) / (now - rate_since_);
      rate_since_ = now, rate_count_ = status_.analysed;
    }
  }
  if (came_online) fmt::print(stderr, "vigie serve: camera {}: online\n", camera_.name);
  if (came_online && on_state_change) on_state_change();
}

}  // namespace vigie::server
