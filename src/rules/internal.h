// What the rule implementations share: ground geometry and the alert book that turns
// "this situation holds" into start/update/end events with cool-down.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <set>

#include <opencv2/core/types.hpp>

#include "rules/passages.h"
#include "rules/rules.h"

namespace vigie::rules {

// Foot points in the units rules measure in: ground metres through the camera's
// homography when it has one, else pixels.
class Ground {
 public:
  explicit Ground(const std::vector<double>& homography);
  cv::Point2d at(const cv::Point2f& image_point) const;
  double distance(const cv::Point2f& a, const cv::Point2f& b) const;
  bool metric() const { return metric_; }

 private:
  bool metric_;
  double h_[9];
};

// Which side of a polyline (config LineConfig) each track's foot point is on. A side
// counts only once the point is clearly on it, beyond a margin that grows with the box
// height, so that jitter on the line gives no crossing and one pass gives exactly one.
class LineSides {
 public:
  explicit LineSides(std::vector<cv::Point2f> line);
  // The crossing this sighting completes, if any — across the line itself, not around
  // its end: true from side A to side B, false from B to A.
  std::optional<bool> observe(int track_id, const Box& box, double time_s);
  // Forgets the tracks not seen for more than `max_gap_s` (memory stays bounded).
  void forget_unseen(double time_s, double max_gap_s);
  void forget(int track_id);

 private:
  struct Side {
    int side;           // -1: A, +1: B
    cv::Point2f point;  // the last foot point clearly on that side
    double seen_s;
  };
  std::vector<cv::Point2f> line_;
  std::map<int, Side> sides_;
};

// Open alerts of one rule, by situation key (a track id, a group id, 0 for a zone).
class AlertBook {
 public:
  AlertBook(std::string camera, const RuleConfig& rule, std::vector<AlertEvent>& out);

  struct Situation {
    std::vector<int> track_ids;
    double peak = 0;
    Box box;
    std::string detail;
  };

  bool is_open(int64_t key) const { return open_.count(key) > 0; }
  // False while `key` is cooling down after its last alert ended.
  bool may_open(int64_t key, double time_s) const;
  void open(int64_t key, const FrameInput& in, double start_s, const Situation& s);
  // Emits an update only when the peak grew (by 1 for counts, 1 s for dwell) or the
  // involved tracks changed, so that the store is not written every frame.
  void update(int64_t key, const FrameInput& in, const Situation& s);
  void close(int64_t key, const FrameInput& in);
  // The situation continues under another key (a track re-found under a new id).
  void rekey(int64_t from, int64_t to);
  // An instant alert (a line crossing): start and end on the same frame.
  void instant(const FrameInput& in, const Situation& s);
  void close_all(const FrameInput& in);
  std::vector<int64_t> open_keys() const;

 private:
  AlertEvent event(Phase phase, const FrameInput& in, const std::string& id, double start_s,
                   const Situation& s) const;

  std::string camera_;
  const RuleConfig& rule_;
  std::string where_;   // the zone or line
  double cooldown_s_;   // the type's cooldown_seconds, 0 for a type without one
  std::vector<AlertEvent>& out_;
  struct Open {
    std::string id;
    double start_s;
    Situation last;
  };
  std::map<int64_t, Open> open_;
  std::map<int64_t, double> cooling_until_;
  int sequence_ = 0;
};

class Engine::Rule {
 public:
  Rule(const std::string& camera, const RuleConfig& config, std::vector<AlertEvent>& out)
      : config_(config), book_(camera, config_, out) {}
  // Rules hold references into their own config_ (their typed settings): never moved.
  Rule(const Rule&) = delete;
  Rule& operator=(const Rule&) = delete;
  virtual ~Rule() = default;
  virtual void update(const FrameInput& in) = 0;
  virtual void finish(const FrameInput& in) { book_.close_all(in); }
  virtual bool wants_static_objects() const { return false; }
  const RuleConfig& config() const { return config_; }
  AlertBook& book() { return book_; }

 protected:
  bool applies_to(const std::string& label) const;
  std::vector<const Object*> selected(const FrameInput& in) const;

  RuleConfig config_;
  AlertBook book_;
};

std::unique_ptr<Engine::Rule> make_line_crossing(const std::string& cam, const CameraConfig& c, const RuleConfig& r,
                                                 std::vector<AlertEvent>& out);
std::unique_ptr<Engine::Rule> make_zone_dwell(const std::string& cam, const CameraConfig& c, const RuleConfig& r,
                                              std::vector<AlertEvent>& out);
std::unique_ptr<Engine::Rule> make_crowd(const std::string& cam, const CameraConfig& c, const RuleConfig& r,
                                         std::vector<AlertEvent>& out);
std::unique_ptr<Engine::Rule> make_group(const std::string& cam, const CameraConfig& c, const RuleConfig& r,
                                         std::vector<AlertEvent>& out);
std::unique_ptr<Engine::Rule> make_abandoned(const std::string& cam, const CameraConfig& c, const RuleConfig& r,
                                             std::vector<AlertEvent>& out);

// Forgets the situations of `items` (a map keyed like the alert book) not seen for more
// than `max_gap_s`, ending their alerts unless `close_alerts` is false.
template <typename Map, typename LastSeen>
void forget_unseen(Map& items, const FrameInput& in, double max_gap_s, AlertBook& book, LastSeen last_seen,
                   bool close_alerts = true) {
  for (auto it = items.begin(); it != items.end();) {
    if (in.time_s - last_seen(it->second) <= max_gap_s) {
      ++it;
      continue;
    }
    if (close_alerts) book.close(it->first, in);
    it = items.erase(it);
  }
}

// Geometry on frame pixels.
bool inside(const Polygon& zone, const cv::Point2f& p);
Box union_of(const std::vector<Box>& boxes);

}  // namespace vigie::rules
