// `vigie analyze`: one input through the camera pipeline, tracks and an annotated video
// out, a summary at the end.
#include <fmt/format.h>

#include <csignal>
#include <fstream>
#include <nlohmann/json.hpp>
#include <opencv2/videoio.hpp>

#include "camera/camera.h"
#include "cli/commands.h"
#include "cli/progress.h"
#include "eval/mot.h"
#include "events/store.h"
#include "output/alert_output.h"
#include "pipeline/draw.h"

namespace vigie::cli {
namespace {

using output::AlertOutput;

std::atomic<bool> g_stop{false};  // set by SIGINT/SIGTERM: finish cleanly, keep the output
extern "C" void on_signal(int) { g_stop = true; }

// The config and the camera to analyse, with the command-line overrides applied to it.
std::pair<Config, CameraConfig> resolve(const AnalyzeOptions& o) {
  Config config = o.config_path.empty() ? Config{} : load_config(o.config_path);  // checked as it is read

  // A camera made here has no name until it is checked: its errors name the site's sections.
  CameraConfig camera = site_camera(config, "");
  const size_t streams = streaming_cameras(config);
  if (!o.camera.empty()) {
    auto it = config.cameras.find(o.camera);
    if (it == config.cameras.end())
      throw UsageError(fmt::format("camera '{}' is not in {}", o.camera, o.config_path));
    camera = it->second;
  } else if (streams == 1) {
    for (const auto& [name, cam] : config.cameras)
      if (cam.streams()) camera = cam;
  } else if (streams > 1 && o.input.empty()) {
    throw UsageError("the config has several cameras: choose one with --camera NAME");
  }
  if (!camera.streams())
    throw UsageError(fmt::format("camera '{}' reads plates: its photos are a scancar's rounds (vigie scancar ingest "
                                 "--camera {}), not a stream to analyse", camera.name, camera.name));
  if (!o.detector.empty()) camera.detect.type = o.detector;
  if (!o.model.empty()) camera.detect.model = o.model;
  if (!o.detections_in.empty()) {
    camera.detect.type = "replay";
    camera.detect.detections = o.detections_in;
  }
  validate_camera(camera);
  if (camera.name.empty()) camera.name = "cli";
  if (!o.input.empty()) camera.input = o.input;
  if (camera.input.empty()) throw UsageError("no input: give a file, folder or URL, or --camera");
  return {config, camera};
}

struct Outputs {
  std::ofstream tracks, detections;
  cv::VideoWriter video;
  std::string video_path;
  double video_fps = 25;

  void write(const Frame& frame, const pipeline::FrameResult& result) {
    if (tracks.is_open())
      for (const auto& t : result.tracks)
        eval::write_mot_row(tracks, {frame.index + 1, t.id, t.box, t.score});
    if (detections.is_open())
      for (const auto& d : result.detections)
        detections << fmt::format("{},-1,{:.2f},{:.2f},{:.2f},{:.2f},{:.4f},{},-1,-1\n", frame.index + 1,
                                  d.box.x, d.box.y, d.box.w, d.box.h, d.score, d.class_id);
    if (!video_path.empty()) {
      if (!video.isOpened()) open_video(frame.image.size());
      cv::Mat canvas = frame.image.clone();
      pipeline::draw_tracks(canvas, result.tracks);
      video.write(canvas);
    }
  }

  void open_video(cv::Size size) {
    const bool avi = video_path.size() > 4 && video_path.substr(video_path.size() - 4) == ".avi";
    const int fourcc = avi ? cv::VideoWriter::fourcc('M', 'J', 'P', 'G') : cv::VideoWriter::fourcc('m', 'p', '4', 'v');
    if (!video.open(video_path, cv::CAP_FFMPEG, fourcc, video_fps, size))
      throw std::runtime_error(fmt::format("cannot write video '{}'", video_path));
  }
};

void print_summary(const AnalyzeOptions& o, const Config& config, const CameraConfig& camera, const pipeline::RunStats& stats,
                   const pipeline::CameraPipeline& p, const AlertOutput* alerts) {
  const auto& t = p.times();
  const double per = stats.analysed ? 1000.0 / stats.analysed : 0;
  const double fps = stats.wall_s > 0 ? stats.decoded / stats.wall_s : 0;
  if (o.json) {
    nlohmann::json j = {
        {"input", o.input.empty() ? o.camera : o.input},
        {"detector", camera.detect.type},
        {"frames_decoded", stats.decoded},
        {"frames_analysed", stats.analysed},
        {"frames_dropped", stats.dropped},
        {"detector_runs", p.detector_runs()},
        {"tracks", p.confirmed_tracks()},
        {"wall_s", stats.wall_s},
        {"fps", fps},
        {"stage_ms_per_frame",
         {{"decode", t.decode * per}, {"mask", t.mask * per}, {"gate", t.gate * per},
          {"detect", t.detect * per}, {"track", t.track * per}, {"static", t.still * per}, {"describe", t.describe * per},
          {"output", t.output * per}}},
        {"tracks_file", o.tracks_path},
        {"video_file", o.video_path},
        {"source_error", stats.source_error}};
    if (alerts) {
      j["alerts"] = alerts->counts();
      j["store"] = vigie::events::printable_location(config.store.location());
      j["media"] = alerts->media_folder().string();
      j["run_id"] = alerts->run_id();
      j["events_not_stored"] = alerts->failures();
      j["rules_us_per_frame"] = alerts->rule_costs_us();
    }
    fmt::print("{}\n", j.dump(2));
    return;
  }
  fmt::print("{} frames decoded, {} analysed, {} dropped; detector ({}) ran on {}\n", stats.decoded,
             stats.analysed, stats.dropped, camera.detect.type, p.detector_runs());
  fmt::print("{} tracks; {:.1f} s, {:.1f} frames/s\n", p.confirmed_tracks(), stats.wall_s, fps);
  fmt::print("ms per analysed frame: decode {:.2f}  mask {:.2f}  gate {:.2f}  detect {:.2f}  track {:.2f}  output {:.2f}\n",
             t.decode * per, t.mask * per, t.gate * per, t.detect * per, t.track * per, t.output * per);
  if (!o.tracks_path.empty()) fmt::print("tracks: {}\n", o.tracks_path);
  if (!o.video_path.empty()) fmt::print("annotated video: {}\n", o.video_path);
  if (alerts) {
    int total = 0;
    for (const auto& [rule, n] : alerts->counts()) total += n;
    fmt::print("{} alerts stored in {} (snapshots in {}/); rules {:.1f} µs per frame\n", total,
               vigie::events::printable_location(config.store.location()),
               alerts->media_folder().string(), alerts->rules_us_per_frame());
    for (const auto& [rule, us] : alerts->rule_costs_us()) {
      const auto n = alerts->counts().count(rule) ? alerts->counts().at(rule) : 0;
      fmt::print("  {:<32} {:>4} alerts  {:6.2f} µs/frame\n", rule, n, us);
    }
  }
}

}  // namespace

int analyze(const AnalyzeOptions& o) {
  auto [config, camera] = resolve(o);
  if (!o.store_path.empty()) {  // a file or a URL, as the user gave it
    config.store.url.clear();
    (vigie::events::is_database_url(o.store_path) ? config.store.url : config.store.path) = o.store_path;
  }
  camera::CameraOptions options;
  // Alerts need a store; so do tracks, for search, when a store is named (--store).
  options.store = !camera.rules.empty() || !o.store_path.empty();
  camera::CameraEnv env;
  env.stop = &g_stop;
  env.say = [](const std::string& line) { fmt::print(stderr, "\nvigie: {}\n", line); };
  env.on_link = [input = camera.input](video::LinkEvent e, const std::string& why) {
    fmt::print(stderr, "\nvigie: {}: {} ({})\n", input,
               e == video::LinkEvent::kLost ? "stream lost, reconnecting" : "stream back", why);
  };
  auto built = camera::Camera::build(config, camera, options, std::move(env));
  if (!built) throw UsageError(built.error().message);
  camera::Camera& cam = *built.value();
  output::AlertOutput* alerts = cam.alerts();
  // Opened once the camera is: a bad model or input leaves the user's files as they were.
  Outputs out;
  if (!o.tracks_path.empty()) {
    out.tracks.open(o.tracks_path);
    if (!out.tracks) throw UsageError(fmt::format("cannot write tracks to '{}'", o.tracks_path));
  }
  if (!o.detections_out.empty()) {
    out.detections.open(o.detections_out);
    if (!out.detections) throw UsageError(fmt::format("cannot write detections to '{}'", o.detections_out));
  }
  out.video_path = o.video_path;
  out.video_fps = camera.analyze_fps > 0 ? camera.analyze_fps : cam.nominal_fps();

  Progress progress(!o.quiet);
  const int64_t total = cam.frame_count();
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);

  pipeline::RunHooks hooks;
  hooks.on_frame = [&](const Frame& f, const pipeline::FrameResult& r) { out.write(f, r); };
  hooks.on_progress = [&](const pipeline::RunStats& s) { progress.update(s.decoded, total, s.wall_s); };
  const auto stats = cam.run(hooks);
  progress.finish();
  cam.finish();
  out.tracks.close();
  out.video.release();

  print_summary(o, config, camera, stats, cam.pipeline(), alerts);
  if (alerts && alerts->failures() > 0) {
    fmt::print(stderr, "vigie: error: {} events (alerts, tracks, media links) could not be stored in {}\n",
               alerts->failures(), vigie::events::printable_location(config.store.location()));
    return 1;
  }
  if (alerts && alerts->waiting() > 0) return 1;  // kept, not lost, but not in the store yet (said above)
  if (!stats.source_error.empty()) {
    fmt::print(stderr, "vigie: error: {}: stopped after {} frames: {}\n", camera.input, stats.decoded,
               stats.source_error);
    return 1;
  }
  if (stats.decoded == 0) {
    fmt::print(stderr, "vigie: error: {}: no frame could be decoded\n", camera.input);
    return 2;
  }
  return 0;
}

}  // namespace vigie::cli
