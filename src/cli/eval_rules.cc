// `vigie eval-rules` and `vigie fit-homography`: measuring the rules on ground truth.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <nlohmann/json.hpp>
#include <opencv2/calib3d.hpp>

#include "cli/commands.h"
#include "eval/rules_eval.h"
#include "video/source.h"

namespace vigie::cli {
namespace {

CameraConfig pick_camera(const Config& config, const std::string& name, const std::string& path) {
  if (!name.empty()) {
    auto it = config.cameras.find(name);
    if (it == config.cameras.end()) throw UsageError(fmt::format("camera '{}' is not in {}", name, path));
    return it->second;
  }
  if (config.cameras.size() != 1)
    throw UsageError(fmt::format("{} has {} cameras: choose one with --camera NAME", path, config.cameras.size()));
  return config.cameras.begin()->second;
}

// The frame rate that turns frame numbers into seconds: given, or the camera input's.
double frame_rate(double given, const CameraConfig& camera) {
  if (given > 0) return given;
  auto source = video::open_source(camera.input);
  if (!source)
    throw UsageError(fmt::format("cannot read the frame rate of '{}' ({}): give --fps", camera.input,
                                 source.error().message));
  return source.value()->nominal_fps();
}

std::vector<eval::MotRow> read_rows(const std::string& path) {
  auto rows = eval::read_mot(path);
  if (!rows) throw UsageError(rows.error().message);
  return std::move(rows.value());
}

}  // namespace

int eval_rules(const EvalRulesOptions& o) {
  const Config config = load_config(o.config_path);
  const CameraConfig camera = pick_camera(config, o.camera, o.config_path);
  if (camera.rules.empty()) throw UsageError(fmt::format("camera '{}' has no rules to evaluate", camera.name));
  const double fps = frame_rate(o.fps, camera);
  const auto truth = eval::run_rules(camera, read_rows(o.gt_path), fps, o.label);
  const auto found = eval::run_rules(camera, read_rows(o.tracks_path), fps, o.label);
  const auto scores = eval::score_rules(truth, found, camera);
  if (o.json) {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& [rule, s] : scores)
      j[rule] = {{"precision", s.precision}, {"recall", s.recall}, {"f1", s.f1}, {"gt_alerts", s.gt_alerts},
                 {"alerts", s.alerts}, {"matched", s.matched}};
    fmt::print("{}\n", j.dump(2));
    return 0;
  }
  fmt::print("{:<32} {:>9} {:>6} {:>7} {:>9} {:>6} {:>6}\n", "rule", "gt alerts", "alerts", "matched", "precision",
             "recall", "F1");
  for (const auto& [rule, s] : scores)
    fmt::print("{:<32} {:>9} {:>6} {:>7} {:>9.3f} {:>6.3f} {:>6.3f}\n", rule, s.gt_alerts, s.alerts, s.matched,
               s.precision, s.recall, s.f1);
  fmt::print("({} fps; every track row counted as '{}')\n", fps, o.label);
  if (o.show_alerts) {
    auto list = [](const char* side, const std::vector<eval::AlertSpan>& spans) {
      for (const auto& a : spans)
        fmt::print("{:<6} {:<32} {:7.1f} {:7.1f} {:<7} tracks {}\n", side, a.rule, a.start_s, a.end_s, a.detail,
                   fmt::join(a.track_ids, ","));
    };
    list("truth", truth);
    list("found", found);
  }
  return 0;
}

int fit_homography(const FitHomographyOptions& o) {
  std::vector<cv::Point2f> image, ground;
  for (const auto& r : read_rows(o.gt_path))
    if (r.has_world)
      image.push_back(r.box.foot()), ground.emplace_back(static_cast<float>(r.world_x), static_cast<float>(r.world_y));
  if (image.size() < 8)
    throw UsageError(fmt::format("{}: {} rows with ground-plane coordinates (columns 8-9); need at least 8",
                                 o.gt_path, image.size()));
  cv::Mat inliers;
  const cv::Mat h = cv::findHomography(image, ground, cv::RANSAC, 0.5, inliers);
  if (h.empty()) throw std::runtime_error("no homography fits these points");
  std::vector<cv::Point2f> projected;
  cv::perspectiveTransform(image, projected, h);
  double sq = 0;
  for (size_t i = 0; i < image.size(); ++i) sq += std::pow(cv::norm(projected[i] - ground[i]), 2);
  const double rms = std::sqrt(sq / image.size());
  if (o.json) {
    nlohmann::json rows = nlohmann::json::array();
    for (int r = 0; r < 3; ++r) rows.push_back({h.at<double>(r, 0), h.at<double>(r, 1), h.at<double>(r, 2)});
    fmt::print("{}\n", nlohmann::json{{"homography", rows}, {"points", image.size()}, {"inliers", cv::countNonZero(inliers)},
                                      {"rms_m", rms}}.dump(2));
    return 0;
  }
  fmt::print("# image foot point (px) -> ground (m), fitted on {} points ({} inliers), RMS error {:.3f} m\n",
             image.size(), cv::countNonZero(inliers), rms);
  fmt::print("homography:\n");
  for (int r = 0; r < 3; ++r)
    fmt::print("  - [{:.9g}, {:.9g}, {:.9g}]\n", h.at<double>(r, 0), h.at<double>(r, 1), h.at<double>(r, 2));
  return 0;
}

}  // namespace vigie::cli
