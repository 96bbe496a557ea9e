// line_crossing: a track's foot point passes from one side of a polyline to the other,
// across the line itself (not around its end). A side only counts once the point is
// clearly on it — beyond a margin that grows with the box height — so jitter on the line
// gives no crossing and one pass gives exactly one. The same sides record, for search,
// which lines each track crossed (passages.cc).
#include <cmath>
#include <map>

#include "rules/internal.h"

namespace vigie::rules {
namespace {

double cross(const cv::Point2f& a, const cv::Point2f& b) { return a.x * b.y - a.y * b.x; }

// Signed distance to the nearest segment: < 0 on side A (left of travel), > 0 on side B.
double signed_distance(const std::vector<cv::Point2f>& line, const cv::Point2f& p) {
  double best = 1e300, sign = 0;
  for (size_t i = 0; i + 1 < line.size(); ++i) {
    const cv::Point2f d = line[i + 1] - line[i], v = p - line[i];
    const double len2 = d.dot(d);
    const double t = len2 > 0 ? std::clamp(v.dot(d) / len2, 0.0, 1.0) : 0.0;
    const cv::Point2f closest = line[i] + d * static_cast<float>(t);
    const double dist = std::hypot(p.x - closest.x, p.y - closest.y);
    if (dist < best) best = dist, sign = cross(d, v) >= 0 ? 1 : -1;  // image y points down
  }
  return sign * best;
}

bool segments_intersect(cv::Point2f p1, cv::Point2f p2, cv::Point2f q1, cv::Point2f q2) {
  const double d1 = cross(q2 - q1, p1 - q1), d2 = cross(q2 - q1, p2 - q1);
  const double d3 = cross(p2 - p1, q1 - p1), d4 = cross(p2 - p1, q2 - p1);
  return ((d1 > 0) != (d2 > 0)) && ((d3 > 0) != (d4 > 0));
}

bool path_crosses(const std::vector<cv::Point2f>& line, cv::Point2f from, cv::Point2f to) {
  for (size_t i = 0; i + 1 < line.size(); ++i)
    if (segments_intersect(from, to, line[i], line[i + 1])) return true;
  return false;
}

class LineCrossing final : public Engine::Rule {
 public:
  LineCrossing(const std::string& cam, const CameraConfig& c, const RuleConfig& r, std::vector<AlertEvent>& out)
      : Rule(cam, r, out), settings_(config_.as<LineCrossingRule>()), sides_(c.lines.at(settings_.line).points) {}

  void update(const FrameInput& in) override {
    for (const Object* o : selected(in))
      if (const auto a_to_b = sides_.observe(o->track_id, o->box, in.time_s)) report(in, *o, *a_to_b);
    sides_.forget_unseen(in.time_s, 60);  // memory stays bounded
  }

 private:
  void report(const FrameInput& in, const Object& o, bool a_to_b) {
    const std::string dir = crossing_direction(a_to_b);
    if (settings_.direction != "both" && settings_.direction != dir) return;
    const int count = ++counts_[dir];
    book_.instant(in, {{o.track_id}, static_cast<double>(count), o.box, dir});
  }

  const LineCrossingRule& settings_;
  LineSides sides_;
  std::map<std::string, int> counts_;
};

}  // namespace

const char* crossing_direction(bool a_to_b) { return a_to_b ? "a_to_b" : "b_to_a"; }

LineSides::LineSides(std::vector<cv::Point2f> line) : line_(std::move(line)) {}

std::optional<bool> LineSides::observe(int track_id, const Box& box, double time_s) {
  const cv::Point2f foot = box.foot();
  const double d = signed_distance(line_, foot);
  const double margin = 1.0 + 0.05 * box.h;
  if (std::abs(d) <= margin) return std::nullopt;  // on the line: no side yet
  const int side = d < 0 ? -1 : 1;                  // -1: side A, +1: side B
  auto [it, fresh] = sides_.try_emplace(track_id, Side{side, foot, time_s});
  Side& s = it->second;
  std::optional<bool> crossed;
  if (!fresh && side != s.side && path_crosses(line_, s.point, foot)) crossed = s.side < 0;
  s = {side, foot, time_s};
  return crossed;
}

void LineSides::forget_unseen(double time_s, double max_gap_s) {
  for (auto it = sides_.begin(); it != sides_.end();)
    it = time_s - it->second.seen_s > max_gap_s ? sides_.erase(it) : std::next(it);
}

void LineSides::forget(int track_id) { sides_.erase(track_id); }

std::unique_ptr<Engine::Rule> make_line_crossing(const std::string& cam, const CameraConfig& c, const RuleConfig& r,
                                                 std::vector<AlertEvent>& out) {
  return std::make_unique<LineCrossing>(cam, c, r, out);
}

}  // namespace vigie::rules
