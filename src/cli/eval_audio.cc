// `vigie eval-audio`: the audio detectors on a labelled set.
#include <fmt/format.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "audio/audio.h"
#include "cli/commands.h"
#include "eval/audio_eval.h"

namespace vigie::cli {

int eval_audio(const EvalAudioOptions& o) {
  auto labels = eval::read_audio_labels(o.labels_path);
  if (!labels) throw UsageError(labels.error().message);
  // The rules: the camera's audio rules, or one of each with its defaults.
  std::string yaml = "cameras: { a: { input: x, rules: [ {type: sound_level}, {type: impulse}, {type: scream}, "
                     "{type: clamour} ] } }";
  Config config = o.config_path.empty() ? parse_config(yaml, "<defaults>") : load_config(o.config_path);
  if (config.cameras.empty()) throw UsageError(fmt::format("{} has no camera", o.config_path));
  const CameraConfig camera = o.camera.empty() ? config.cameras.begin()->second : config.cameras.at(o.camera);
  const std::vector<RuleConfig> rules = audio::audio_rules(camera.rules);
  std::vector<std::string> detectors;
  for (const auto& r : rules) detectors.push_back(r.type);
  if (rules.empty()) throw UsageError(fmt::format("camera '{}' has no audio rules", camera.name));

  std::map<std::string, std::vector<audio::Detection>> found;
  std::map<std::string, double> durations;
  double compute_s = 0;
  for (const auto& l : *labels) {
    if (found.count(l.file)) continue;
    auto samples = audio::read_audio(l.file);
    if (!samples) throw UsageError(samples.error().message);
    const auto t0 = std::chrono::steady_clock::now();
    found[l.file] = audio::detect(*samples, rules, camera.audio_offset_db);
    compute_s += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    durations[l.file] = static_cast<double>(samples->size()) / audio::kRate;
  }
  const auto report = eval::score_audio(*labels, found, durations, detectors);
  const double speed = compute_s > 0 ? report.hours * 3600 / compute_s : 0;
  if (o.json) {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& [k, s] : report.by_detector)
      j[k] = {{"precision", s.precision}, {"recall", s.recall}, {"f1", s.f1}, {"labels", s.labels},
              {"alerts", s.alerts}, {"duplicates", s.duplicates}, {"other_event_alerts", s.other_event_alerts},
              {"false_alarms", s.false_alarms}, {"false_alarms_per_hour", s.false_alarms_per_hour}};
    j["_audio_hours"] = report.hours;
    j["_background_hours"] = report.background_hours;
    j["_times_real_time"] = speed;
    fmt::print("{}\n", j.dump(2));
    return 0;
  }
  fmt::print("{:<12} {:>6} {:>6} {:>9} {:>6} {:>6} {:>5} {:>6} {:>6} {:>11}\n", "detector", "labels", "alerts",
             "precision", "recall", "F1", "dup", "other", "false", "false/hour");
  for (const auto& [k, s] : report.by_detector)
    fmt::print("{:<12} {:>6} {:>6} {:>9.3f} {:>6.3f} {:>6.3f} {:>5} {:>6} {:>6} {:>11.2f}\n", k, s.labels, s.alerts,
               s.precision, s.recall, s.f1, s.duplicates, s.other_event_alerts, s.false_alarms,
               s.false_alarms_per_hour);
  fmt::print("{:.2f} h of audio in {} files ({:.2f} h outside every event); detection ran at {:.0f}x real time (one "
             "thread)\n",
             report.hours, durations.size(), report.background_hours, speed);
  if (o.list)
    for (const auto& f : report.findings)
      fmt::print("{:<12} {:<12} {:>7.2f}s  {}\n", f.detector, f.what, f.at_s, f.file);
  fmt::print("dup: a second alert on one event; other: an alert on another kind of event; false: outside every "
             "event\n");
  return 0;
}

}  // namespace vigie::cli
