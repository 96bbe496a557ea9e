#include "eval/audio_eval.h"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace vigie::eval {

Result<std::vector<AudioLabel>> read_audio_labels(const std::string& csv_path) {
  std::ifstream in(csv_path);
  if (!in) return Error{fmt::format("cannot read labels '{}'", csv_path)};
  const auto base = std::filesystem::path(csv_path).parent_path();
  static const std::set<std::string> kinds = {"sound_level", "impulse", "scream", "clamour", "none"};
  std::vector<AudioLabel> out;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || (n == 1 && line.rfind("file,", 0) == 0)) continue;
    std::stringstream s(line);
    AudioLabel l;
    std::string start, end;
    if (!std::getline(s, l.file, ',') || !std::getline(s, start, ',') || !std::getline(s, end, ',') ||
        !std::getline(s, l.label, ','))
      return Error{fmt::format("{}:{}: expected file,start,end,label", csv_path, n)};
    try {
      l.start = std::stod(start), l.end = std::stod(end);
    } catch (const std::exception&) {
      return Error{fmt::format("{}:{}: start and end are seconds", csv_path, n)};
    }
    if (!kinds.count(l.label))
      return Error{fmt::format("{}:{}: label '{}' is not sound_level, impulse, scream, clamour or none", csv_path, n,
                               l.label)};
    if (std::filesystem::path(l.file).is_relative()) l.file = (base / l.file).string();
    out.push_back(l);
  }
  return out;
}

AudioReport score_audio(const std::vector<AudioLabel>& labels,
                        const std::map<std::string, std::vector<audio::Detection>>& detections,
                        const std::map<std::string, double>& durations_s, const std::vector<std::string>& detectors) {
  AudioReport report;
  for (const auto& [file, d] : durations_s) report.hours += d / 3600.0;
  for (const auto& kind : detectors) {
    AudioScore s;
    for (const auto& [file, dets] : detections) {
      std::vector<const AudioLabel*> mine;
      for (const auto& l : labels)
        if (l.file == file && l.label == kind) mine.push_back(&l);
      std::vector<bool> used(mine.size(), false);
      s.labels += static_cast<int>(mine.size());
      for (const auto& d : dets) {
        if (d.type != kind) continue;
        ++s.alerts;
        for (size_t i = 0; i < mine.size(); ++i)
          if (!used[i] && d.start_s >= mine[i]->start - 0.5 && d.start_s <= mine[i]->end + 0.5) {
            used[i] = true;
            ++s.matched_alerts;
            break;
          }
      }
      s.matched_labels += static_cast<int>(std::count(used.begin(), used.end(), true));
    }
    s.precision = s.alerts ? static_cast<double>(s.matched_alerts) / s.alerts : (s.labels ? 0 : 1);
    s.recall = s.labels ? static_cast<double>(s.matched_labels) / s.labels : 1;
    s.f1 = s.precision + s.recall > 0 ? 2 * s.precision * s.recall / (s.precision + s.recall) : 0;
    s.false_alarms_per_hour = report.hours > 0 ? (s.alerts - s.matched_alerts) / report.hours : 0;
    report.by_detector[kind] = s;
  }
  return report;
}

}  // namespace vigie::eval
