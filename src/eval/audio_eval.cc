#include "eval/audio_eval.h"

#include <fmt/format.h>

#include <algorithm>
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

namespace {

constexpr double kSlack = 0.5;  // seconds either side of a label

bool inside(double t, const AudioLabel& l) { return t >= l.start - kSlack && t <= l.end + kSlack; }

// Seconds of [0, duration) within kSlack of an event (not `none`) of one file: there an
// alert is never a false alarm, so that time is not background.
double event_seconds(const std::vector<const AudioLabel*>& events, double duration) {
  std::vector<std::pair<double, double>> spans;
  for (const auto* l : events)
    spans.emplace_back(std::clamp(l->start - kSlack, 0.0, duration), std::clamp(l->end + kSlack, 0.0, duration));
  std::sort(spans.begin(), spans.end());
  double covered = 0, reach = 0;
  for (auto [a, b] : spans) {
    a = std::max(a, reach);
    if (b > a) covered += b - a, reach = b;
  }
  return covered;
}

}  // namespace

AudioReport score_audio(const std::vector<AudioLabel>& labels,
                        const std::map<std::string, std::vector<audio::Detection>>& detections,
                        const std::map<std::string, double>& durations_s, const std::vector<std::string>& detectors) {
  AudioReport report;
  std::map<std::string, std::vector<const AudioLabel*>> events;  // by file, every kind but none
  for (const auto& l : labels)
    if (l.label != "none") events[l.file].push_back(&l);
  for (const auto& [file, d] : durations_s) {
    report.hours += d / 3600.0;
    report.background_hours += (d - event_seconds(events[file], d)) / 3600.0;
  }
  for (const auto& kind : detectors) {
    AudioScore s;
    for (const auto& entry : detections) {
      const std::string& file = entry.first;  // not a structured binding: lambdas below capture it
      const auto& dets = entry.second;
      std::vector<const AudioLabel*> mine;
      for (const auto* l : events[file])
        if (l->label == kind) mine.push_back(l);
      std::vector<bool> used(mine.size(), false);
      s.labels += static_cast<int>(mine.size());
      for (const auto& d : dets) {
        if (d.type != kind) continue;
        ++s.alerts;
        auto hit = [&](bool want_used) {
          for (size_t i = 0; i < mine.size(); ++i)
            if (used[i] == want_used && inside(d.start_s, *mine[i])) return static_cast<int>(i);
          return -1;
        };
        auto note = [&](int& count, const char* what) {
          ++count;
          report.findings.push_back({kind, what, file, d.start_s});
        };
        if (const int i = hit(false); i >= 0) {
          used[i] = true, ++s.matched_alerts;
        } else if (hit(true) >= 0) {
          note(s.duplicates, "duplicate");
        } else if (std::any_of(events[file].begin(), events[file].end(),
                               [&](const AudioLabel* l) { return inside(d.start_s, *l); })) {
          note(s.other_event_alerts, "other_event");
        } else {
          note(s.false_alarms, "false_alarm");
        }
      }
      for (size_t i = 0; i < mine.size(); ++i)
        if (!used[i]) report.findings.push_back({kind, "missed", file, mine[i]->start});
      s.matched_labels += static_cast<int>(std::count(used.begin(), used.end(), true));
    }
    const int counted = s.alerts - s.duplicates;
    s.precision = counted ? static_cast<double>(s.matched_alerts) / counted : (s.labels ? 0 : 1);
    s.recall = s.labels ? static_cast<double>(s.matched_labels) / s.labels : 1;
    s.f1 = s.precision + s.recall > 0 ? 2 * s.precision * s.recall / (s.precision + s.recall) : 0;
    s.false_alarms_per_hour = report.background_hours > 0 ? s.false_alarms / report.background_hours : 0;
    report.by_detector[kind] = s;
  }
  return report;
}

}  // namespace vigie::eval
