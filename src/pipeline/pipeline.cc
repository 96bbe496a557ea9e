#include "pipeline/pipeline.h"

#include <chrono>
#include <thread>

#include "core/bounded_queue.h"
#include "track/appearance.h"

namespace vigie::pipeline {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

Box whole_frame(const cv::Size& frame) { return Box::from(cv::Rect(0, 0, frame.width, frame.height)); }

}  // namespace

CameraPipeline::CameraPipeline(const Config& config, const CameraConfig& camera,
                               std::unique_ptr<detect::Detector> detector, bool find_static)
    : detect_config_(camera.detect),
      // The background-subtraction detectors (motion, people) find motion themselves: no
      // gate before them.
      gate_enabled_(camera.motion_gate.enabled && camera.detect.type != "motion" &&
                    camera.detect.type != "people"),
      looks_at_unexplained_(gate_enabled_ && camera.detect.regions == "unexplained"),
      max_idle_s_(camera.motion_gate.max_idle_s),
      describe_appearance_(camera.track.appearance_weight > 0 || camera.track.reid_max_distance > 0),
      mask_(camera.privacy_masks),
      gate_(camera.motion_gate),
      detector_(std::move(detector)),
      tracker_(camera.track),
      static_(find_static ? std::make_unique<detect::StaticForeground>(config.static_foreground) : nullptr),
      passages_(camera),
      homography_(camera.homography) {}

bool CameraPipeline::should_detect(const detect::Motion& look, double time_s) const {
  if (analysed_ % detect_config_.every_n_frames != 0) return false;
  if (!gate_enabled_) return true;
  if (looks_at_unexplained_) return look.any();
  // Nothing moves and nothing is being followed: the expensive detector has nothing to do.
  return look.any() || tracking_something_ || time_s - last_detect_s_ >= max_idle_s_;
}

detect::Motion CameraPipeline::where_to_look(const detect::Motion& motion, const cv::Size& frame,
                                             double time_s) const {
  if (!looks_at_unexplained_) return motion;
  detect::Motion look;
  look.moving_share = motion.moving_share;
  // Motion a track explains: moving pixels inside its box, a quarter larger (the gate's
  // pixels are dilated and carry shadows).
  const std::vector<Box> tracked = tracker_.boxes();
  std::vector<Box> explained;
  for (const auto& b : tracked) explained.push_back({b.x - b.w / 8, b.y - b.h / 8, b.w * 1.25f, b.h * 1.25f});
  // And motion where the detector looked less than refresh_s ago: it found what is there
  // (or that nothing is: a shadow, a ghost of the background, a waving branch), and looks
  // again at that pace, not on every frame.
  for (const auto& [box, at] : recent_looks_)
    if (time_s - at < detect_config_.refresh_s) explained.push_back(box);
  look.regions = gate_.unexplained(explained);
  // Each track is looked at on every frame: one carried by prediction alone drifts off its
  // person within a few frames (PETS09 MOTA 0.64 looking every 0.25 s instead,
  // docs/BENCHMARKS.md).
  for (const auto& b : tracked) look.regions.push_back(b);
  // One look at the whole frame when nothing was to be explained for max_idle_s (someone
  // standing still since before the camera started), and every kSweepEvery_s whatever
  // the crops (what they cannot show: a person whom every crop cuts, one standing still
  // among moving tracks).
  if ((look.regions.empty() && time_s - last_detect_s_ >= max_idle_s_) || time_s - last_sweep_s_ >= kSweepEvery_s)
    look.regions = {whole_frame(frame)};
  return look;
}

FrameResult CameraPipeline::process(Frame& frame) {
  FrameResult result;
  auto t = Clock::now();
  mask_.apply(frame.image);
  times_.mask += seconds_since(t);

  if (gate_enabled_) {
    t = Clock::now();
    result.motion = gate_.update(frame.image);
    times_.gate += seconds_since(t);
  }

  const detect::Motion look = where_to_look(result.motion, frame.image.size(), frame.time_s);
  result.detector_ran = should_detect(look, frame.time_s);
  std::optional<std::vector<Box>> looked;
  if (result.detector_ran) {
    last_detect_s_ = frame.time_s;
    t = Clock::now();
    result.detections = detector_->detect(frame, look);
    looked = detector_->looked();
    if (looks_at_unexplained_) remember_looks(looked, frame.image.size(), frame.time_s);
    times_.detect += seconds_since(t);
    // Dropped by a busy shared network: this frame is tracked by prediction.
    if (looked && looked->empty()) result.detector_ran = false;
    if (describe_appearance_) {
      t = Clock::now();
      for (auto& d : result.detections) d.appearance = track::describe_appearance(frame.image, d.box);
      times_.track += seconds_since(t);
    }
    if (result.detector_ran) ++detector_runs_;
  }

  t = Clock::now();
  result.tracks = result.detector_ran ? tracker_.update(result.detections, frame.index, frame.time_s, looked)
                                      : tracker_.predict(frame.index, frame.time_s);
  times_.track += seconds_since(t);
  tracking_something_ = !result.tracks.empty();
  t = Clock::now();
  std::vector<describe::Sighting> sightings;
  for (const auto& s : result.tracks) sightings.push_back({s.id, s.box, s.label, s.detected});
  describer_.observe(frame.image, sightings);
  if (!passages_.empty()) {
    std::vector<rules::Object> objects;
    for (const auto& s : result.tracks) objects.push_back({s.id, s.label, s.box});
    passages_.update(objects, frame.time_s);
  }
  times_.describe += seconds_since(t);
  if (static_) {
    t = Clock::now();
    result.static_blobs = static_->update(frame.image, frame.time_s);
    times_.still += seconds_since(t);
  }
  ++analysed_;
  last_time_s_ = frame.time_s;
  return result;
}

void CameraPipeline::remember_looks(const std::optional<std::vector<Box>>& looked, const cv::Size& frame,
                                    double time_s) {
  std::erase_if(recent_looks_, [&](const auto& look) { return time_s - look.second >= detect_config_.refresh_s; });
  const Box whole = whole_frame(frame);
  if (!looked) recent_looks_.push_back({whole, time_s});
  else for (const auto& b : *looked) recent_looks_.push_back({b, time_s});
  if (!looked || (looked->size() == 1 && looked->front() == whole)) last_sweep_s_ = time_s;
}

void CameraPipeline::describe(track::TrackRecord& r, describe::TrackAttributes attributes,
                              rules::TrackPassages passages) const {
  r.attributes = std::move(attributes);
  describe::describe_motion(r.attributes, r.path, r.first_time_s, r.last_time_s, homography_);
  describe::describe_size(r.attributes, r.best_box, homography_);
  r.attributes.passages = std::move(passages);
}

std::vector<track::TrackRecord> CameraPipeline::described(std::vector<track::TrackRecord> records) {
  for (auto& r : records) describe(r, describer_.take(r.id), passages_.take(r.id));
  return records;
}

std::vector<track::TrackRecord> CameraPipeline::take_records() {
  auto records = described(tracker_.take_finished());
  if (last_time_s_ - last_living_s_ < kLivingEvery) return records;
  last_living_s_ = last_time_s_;
  for (auto& r : tracker_.living(kLivingEvery)) {
    describe(r, describer_.peek(r.id), passages_.peek(r.id));
    r.ongoing = true;
    records.push_back(std::move(r));
  }
  return records;
}

namespace {

// Runs the pipeline on one frame and reports it; shared by the file and live loops.
void analyse(Frame& frame, CameraPipeline& pipeline, const RunHooks& hooks, RunStats& stats) {
  const FrameResult result = pipeline.process(frame);
  ++stats.analysed;
  if (hooks.on_frame) {
    const auto t = Clock::now();
    hooks.on_frame(frame, result);
    pipeline.times().output += seconds_since(t);
  }
}

bool stop_requested(const RunHooks& hooks) { return hooks.stop && hooks.stop->load(); }

}  // namespace

RunStats run_analysis(video::Source& source, CameraPipeline& pipeline, double analyze_fps,
                      const RunHooks& hooks) {
  RunStats stats;
  video::FrameSampler sampler(analyze_fps);
  const auto start = Clock::now();
  auto last_progress = start;
  auto progress = [&] {
    if (!hooks.on_progress || seconds_since(last_progress) < 0.25) return;
    last_progress = Clock::now();
    stats.wall_s = seconds_since(start);
    hooks.on_progress(stats);
  };

  if (!source.is_live()) {
    Frame frame;
    while (!stop_requested(hooks)) {
      const auto t = Clock::now();
      const auto r = source.read(frame);
      pipeline.times().decode += seconds_since(t);
      if (r.status == video::ReadStatus::kEnd) break;
      if (r.status == video::ReadStatus::kError) {
        stats.source_error = r.error;
        break;
      }
      ++stats.decoded;
      if (sampler.take(frame.time_s)) analyse(frame, pipeline, hooks, stats);
      progress();
    }
  } else {
    // Decode on its own thread; the analysis takes the newest frames it can keep up with.
    BoundedQueue<Frame> queue(4);
    std::atomic<int64_t> decoded{0};
    double decode_s = 0;
    std::thread decoder([&] {
      while (!stop_requested(hooks)) {
        Frame frame;
        const auto t = Clock::now();
        const auto r = source.read(frame);
        decode_s += seconds_since(t);
        if (r.status != video::ReadStatus::kFrame) break;  // kEnd: stop was requested
        ++decoded;
        frame.wall_epoch = hooks.now();
        if (sampler.take(frame.time_s)) queue.push(std::move(frame));
      }
      queue.close();
    });
    while (!queue.closed()) {
      auto frame = queue.pop(std::chrono::milliseconds(200));
      stats.decoded = decoded.load();
      stats.dropped = static_cast<int64_t>(queue.drops());
      stats.queue_depth = static_cast<int64_t>(queue.size());
      if (frame) analyse(*frame, pipeline, hooks, stats);
      progress();
    }
    decoder.join();
    pipeline.times().decode += decode_s;
    stats.decoded = decoded.load();
    stats.dropped = static_cast<int64_t>(queue.drops());
  }
  stats.wall_s = seconds_since(start);
  if (hooks.on_progress) hooks.on_progress(stats);
  return stats;
}

}  // namespace vigie::pipeline
