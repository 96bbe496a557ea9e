// Measured accuracy of the rules: the same rules run on ground-truth tracks and on the
// pipeline's tracks; their alerts are matched one to one (same rule, overlapping in time;
// line crossings: same direction within max_offset_s) and scored per rule.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "config/config.h"
#include "eval/mot.h"
#include "rules/rules.h"

namespace vigie::eval {

// One alert from start to end.
struct AlertSpan {
  std::string rule, rule_type, detail;
  double start_s = 0, end_s = 0;
  std::vector<int> track_ids;
};

// Runs the camera's rules over MOTChallenge rows (frame N at time (N-1)/fps); every row is
// an object of class `label`.
std::vector<AlertSpan> run_rules(const CameraConfig& camera, const std::vector<MotRow>& rows, double fps,
                                 const std::string& label);

struct RuleScore {
  int gt_alerts = 0, alerts = 0, matched = 0;
  double precision = 0, recall = 0, f1 = 0;
};

std::map<std::string, RuleScore> score_rules(const std::vector<AlertSpan>& truth,
                                             const std::vector<AlertSpan>& found, const CameraConfig& camera,
                                             double max_offset_s = 1.0);

}  // namespace vigie::eval
