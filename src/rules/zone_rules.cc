// Zone rules. zone_intrusion and loitering are one mechanism with different defaults:
// a track's foot point inside the zone for min_seconds (absences up to max_gap_seconds
// tolerated) raises an alert that ends when the track has been out longer than that.
// zone_intrusion alerts per track; loitering per zone — people lingering together at a
// place are one situation, one alert listing all of them. crowd counts the objects inside.
#include <map>

#include "rules/internal.h"

namespace vigie::rules {
namespace {

class ZoneDwell final : public Engine::Rule {
 public:
  ZoneDwell(const std::string& cam, const CameraConfig& c, const RuleConfig& r, std::vector<AlertEvent>& out)
      : Rule(cam, r, out), settings_(config_.as<ZoneDwellRule>()), zone_(c.zones.at(settings_.zone)),
        per_zone_(r.type == "loitering") {}

  void update(const FrameInput& in) override {
    std::set<int> present;
    for (const Object* o : selected(in)) present.insert(o->track_id);
    for (const Object* o : selected(in)) {
      if (!inside(zone_, o->box.foot())) continue;
      auto it = visits_.find(o->track_id);
      if (it == visits_.end()) it = visits_.emplace(o->track_id, handover(in, *o, present)).first;
      Visit& v = it->second;
      v.last_in_s = in.time_s;
      v.box = o->box;
      const double dwell = in.time_s - v.since_s;
      if (dwell < settings_.min_seconds) continue;
      v.qualified = true;
      const int64_t key = per_zone_ ? 0 : o->track_id;
      const AlertBook::Situation s{{o->track_id}, std::floor(dwell), o->box, {}};
      if (book_.is_open(key)) book_.update(key, in, s);
      else if (book_.may_open(key, in.time_s)) book_.open(key, in, v.since_s, s);
    }
    forget_unseen(visits_, in, settings_.max_gap_seconds, book_, [](const Visit& v) { return v.last_in_s; },
                  /*close_alerts=*/!per_zone_);
    if (per_zone_ && book_.is_open(0) &&
        std::none_of(visits_.begin(), visits_.end(), [](const auto& v) { return v.second.qualified; }))
      book_.close(0, in);
  }

 private:
  struct Visit {
    double since_s, last_in_s;
    Box box;
    bool qualified = false;  // stayed min_seconds
  };

  // A track that appears inside the zone where another one just vanished is the same
  // person under a new id (the tracker lost and re-found them): it continues that visit,
  // and its alert, instead of starting afresh.
  Visit handover(const FrameInput& in, const Object& o, const std::set<int>& present) {
    for (auto it = visits_.begin(); it != visits_.end(); ++it) {
      const Visit& old = it->second;
      if (present.count(it->first) || in.time_s - old.last_in_s > settings_.max_gap_seconds) continue;
      const cv::Point2f d = old.box.foot() - o.box.foot();
      if (std::hypot(d.x, d.y) > 0.5 * std::max(old.box.h, o.box.h)) continue;
      Visit taken = old;
      if (!per_zone_ && book_.is_open(it->first)) book_.rekey(it->first, o.track_id);
      visits_.erase(it);
      return taken;
    }
    return {in.time_s, in.time_s, o.box};
  }

  const ZoneDwellRule& settings_;
  Polygon zone_;
  bool per_zone_;
  std::map<int, Visit> visits_;
};

class Crowd final : public Engine::Rule {
 public:
  Crowd(const std::string& cam, const CameraConfig& c, const RuleConfig& r, std::vector<AlertEvent>& out)
      : Rule(cam, r, out), settings_(config_.as<CrowdRule>()), zone_(c.zones.at(settings_.zone)) {}

  void update(const FrameInput& in) override {
    AlertBook::Situation s;
    std::vector<Box> boxes;
    for (const Object* o : selected(in))
      if (inside(zone_, o->box.foot())) s.track_ids.push_back(o->track_id), boxes.push_back(o->box);
    const int count = static_cast<int>(s.track_ids.size());
    s.peak = count;
    s.box = union_of(boxes);
    if (count >= settings_.min_count) {
      if (above_since_ < 0) above_since_ = in.time_s;
      last_above_s_ = in.time_s;
    } else if (count >= settings_.min_count - settings_.hysteresis) {
      last_above_s_ = in.time_s;  // inside the hysteresis band: an open alert holds
      if (!book_.is_open(0)) above_since_ = -1;
    } else {
      above_since_ = -1;
    }
    if (book_.is_open(0)) {
      if (in.time_s - last_above_s_ > settings_.max_gap_seconds) book_.close(0, in);
      else if (count > 0) book_.update(0, in, s);
    } else if (above_since_ >= 0 && in.time_s - above_since_ >= settings_.min_seconds &&
               book_.may_open(0, in.time_s)) {
      book_.open(0, in, above_since_, s);
    }
  }

 private:
  const CrowdRule& settings_;
  Polygon zone_;
  double above_since_ = -1, last_above_s_ = -1;
};

}  // namespace

std::unique_ptr<Engine::Rule> make_zone_dwell(const std::string& cam, const CameraConfig& c, const RuleConfig& r,
                                              std::vector<AlertEvent>& out) {
  return std::make_unique<ZoneDwell>(cam, c, r, out);
}

std::unique_ptr<Engine::Rule> make_crowd(const std::string& cam, const CameraConfig& c, const RuleConfig& r,
                                         std::vector<AlertEvent>& out) {
  return std::make_unique<Crowd>(cam, c, r, out);
}

}  // namespace vigie::rules
