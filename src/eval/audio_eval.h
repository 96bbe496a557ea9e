// Measured accuracy of the audio detectors on a labelled set: a CSV `file,start,end,label`
// (paths relative to the CSV, seconds, label sound_level | impulse | scream | clamour |
// none). An alert matches a label of its kind when it starts inside the labelled interval
// widened by 0.5 s on each side; each label is matched at most once. Every other alert is
// a duplicate (inside a label of its kind already matched), an alert on another kind of
// event (a scream alert on a crowd), or a false alarm (outside every labelled event).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "audio/audio.h"
#include "config/config.h"
#include "core/result.h"

namespace vigie::eval {

struct AudioLabel {
  std::string file;  // absolute or relative to the working directory
  double start = 0, end = 0;
  std::string label;
};

Result<std::vector<AudioLabel>> read_audio_labels(const std::string& csv_path);

struct AudioScore {
  int labels = 0, alerts = 0, matched_labels = 0, matched_alerts = 0;
  int duplicates = 0, other_event_alerts = 0, false_alarms = 0;
  double precision = 0;  // matched / (alerts - duplicates)
  double recall = 0, f1 = 0;
  double false_alarms_per_hour = 0;  // false alarms per hour of background (audio outside every event)
};

// What to listen to: a missed label, or an alert that is not a match.
struct AudioFinding {
  std::string detector, what;  // what: missed | duplicate | other_event | false_alarm
  std::string file;
  double at_s = 0;
};

struct AudioReport {
  std::map<std::string, AudioScore> by_detector;
  std::vector<AudioFinding> findings;
  double hours = 0;             // all the audio evaluated
  double background_hours = 0;  // the part outside every labelled event
};

// Scores detections per file against the labels. `detections` maps file → detections.
AudioReport score_audio(const std::vector<AudioLabel>& labels,
                        const std::map<std::string, std::vector<audio::Detection>>& detections,
                        const std::map<std::string, double>& durations_s, const std::vector<std::string>& detectors);

}  // namespace vigie::eval
