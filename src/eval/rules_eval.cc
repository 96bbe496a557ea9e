#include "eval/rules_eval.h"

#include <algorithm>
#include <map>

#include "core/assignment.h"

namespace vigie::eval {

std::vector<AlertSpan> run_rules(const CameraConfig& camera, const std::vector<MotRow>& rows, double fps,
                                 const std::string& label) {
  std::map<int64_t, std::vector<const MotRow*>> frames;
  for (const auto& r : rows) frames[r.frame].push_back(&r);
  rules::Engine engine(camera);
  std::map<std::string, AlertSpan> open;
  std::vector<AlertSpan> done;
  auto take = [&](const std::vector<rules::AlertEvent>& events) {
    for (const auto& e : events) {
      if (e.phase == rules::Phase::kStart) open[e.alert_id] = {e.rule, e.rule_type, e.detail, e.start_s, e.time_s, e.track_ids};
      if (e.phase == rules::Phase::kEnd) {
        AlertSpan s = open[e.alert_id];
        s.end_s = e.time_s;
        s.track_ids = e.track_ids;
        done.push_back(s);
        open.erase(e.alert_id);
      }
    }
  };
  double last_t = 0;
  if (!frames.empty()) {
    // Every frame in the range, also those without rows: rules measure absences.
    for (int64_t f = frames.begin()->first; f <= frames.rbegin()->first; ++f) {
      rules::FrameInput in;
      in.frame_index = f - 1;
      in.time_s = last_t = (f - 1) / fps;
      in.epoch_s = in.time_s;
      auto it = frames.find(f);
      if (it != frames.end())
        for (const MotRow* r : it->second) in.objects.push_back({r->id, label, r->box});
      take(engine.update(in));
    }
  }
  take(engine.finish(last_t, last_t));
  return done;
}

std::map<std::string, RuleScore> score_rules(const std::vector<AlertSpan>& truth, const std::vector<AlertSpan>& found,
                                             const CameraConfig& camera, double max_offset_s) {
  std::map<std::string, RuleScore> scores;
  for (const auto& rule : camera.rules) {
    std::vector<const AlertSpan*> t, f;
    for (const auto& a : truth)
      if (a.rule == rule.name) t.push_back(&a);
    for (const auto& a : found)
      if (a.rule == rule.name) f.push_back(&a);
    const bool crossing = rule.type == "line_crossing";
    constexpr double kForbidden = 1e9;
    std::vector<std::vector<double>> cost(t.size(), std::vector<double>(f.size(), kForbidden));
    for (size_t i = 0; i < t.size(); ++i)
      for (size_t j = 0; j < f.size(); ++j) {
        if (crossing) {
          const double dt = std::abs(t[i]->start_s - f[j]->start_s);
          if (t[i]->detail == f[j]->detail && dt <= max_offset_s) cost[i][j] = dt;
        } else {
          const double overlap = std::min(t[i]->end_s, f[j]->end_s) - std::max(t[i]->start_s, f[j]->start_s);
          if (overlap >= 0) cost[i][j] = -overlap;  // prefer the pairs that share the most time
        }
      }
    RuleScore s;
    s.gt_alerts = static_cast<int>(t.size());
    s.alerts = static_cast<int>(f.size());
    s.matched = static_cast<int>(solve_assignment(cost, kForbidden / 2).size());
    s.precision = s.alerts ? static_cast<double>(s.matched) / s.alerts : (s.gt_alerts ? 0 : 1);
    s.recall = s.gt_alerts ? static_cast<double>(s.matched) / s.gt_alerts : (s.alerts ? 0 : 1);
    s.f1 = s.precision + s.recall > 0 ? 2 * s.precision * s.recall / (s.precision + s.recall) : 0;
    scores[rule.name] = s;
  }
  return scores;
}

}  // namespace vigie::eval
