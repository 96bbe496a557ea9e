// abandoned_object: an object that stays still while no person is within
// owner_distance, for min_seconds (PETS 2006: 3 m and 30 s). The timer restarts when a
// person comes back within reach or the object moves; the alert ends when the object is
// gone (picked up) for longer than max_gap_seconds. Objects are tracked objects of the
// rule's classes, and the stationary blobs of the static-foreground detector, which find
// a dropped bag that no class-based detector sees.
#include <map>

#include "rules/internal.h"

namespace vigie::rules {
namespace {

class Abandoned final : public Engine::Rule {
 public:
  Abandoned(const std::string& cam, const CameraConfig& c, const RuleConfig& r, std::vector<AlertEvent>& out)
      : Rule(cam, r, out), settings_(config_.as<AbandonedObjectRule>()), ground_(c.homography) {}

  bool wants_static_objects() const override { return true; }

  void update(const FrameInput& in) override {
    // Who can be an owner: people, and with the class-free detector any moving thing.
    std::vector<const Object*> people;
    for (const auto& o : in.objects)
      if (o.label == "person" || o.label == "object") people.push_back(&o);
    for (const Object* o : selected(in)) observe(in, track_key(o->track_id), o->box, {o->track_id}, people);
    for (const auto& s : in.static_objects) observe(in, static_key(s.id), s.box, {}, people, s.since_s);
    forget_unseen(items_, in, settings_.max_gap_seconds, book_, [](const Item& i) { return i.seen_s; });
  }

 private:
  struct Item {
    cv::Point2f anchor;     // where it came to rest
    double unattended_since;  // first frame of the current unattended stillness; -1: none
    double seen_s;
  };

  // Keys: tracks and static blobs never collide.
  static int64_t track_key(int id) { return id; }
  static int64_t static_key(int id) { return -static_cast<int64_t>(id) - 1; }

  void observe(const FrameInput& in, int64_t key, const Box& box, std::vector<int> ids,
               const std::vector<const Object*>& people, double still_since = -1) {
    const cv::Point2f foot = box.foot();
    bool attended = false;
    for (const Object* p : people)
      if ((ids.empty() || p->track_id != ids[0]) && ground_.distance(p->box.foot(), foot) <= settings_.owner_distance)
        attended = true;
    auto it = items_.try_emplace(key, Item{foot, -1, in.time_s}).first;
    Item& item = it->second;
    item.seen_s = in.time_s;
    // Moving more than a fifth of its own height means it was carried, not left.
    const bool moved = std::hypot(foot.x - item.anchor.x, foot.y - item.anchor.y) > 0.2 * box.h;
    if (moved) item.anchor = foot;
    if (moved || attended) {
      item.unattended_since = -1;
      if (book_.is_open(key) && moved) book_.close(key, in);
      return;
    }
    if (item.unattended_since < 0) item.unattended_since = std::max(still_since, in.time_s);
    const double alone = in.time_s - item.unattended_since;
    const AlertBook::Situation s{ids, std::floor(alone), box, {}};
    if (book_.is_open(key)) book_.update(key, in, s);
    else if (alone >= settings_.min_seconds && book_.may_open(key, in.time_s)) book_.open(key, in, item.unattended_since, s);
  }

  const AbandonedObjectRule& settings_;
  Ground ground_;
  std::map<int64_t, Item> items_;
};

}  // namespace

std::unique_ptr<Engine::Rule> make_abandoned(const std::string& cam, const CameraConfig& c, const RuleConfig& r,
                                             std::vector<AlertEvent>& out) {
  return std::make_unique<Abandoned>(cam, c, r, out);
}

}  // namespace vigie::rules
