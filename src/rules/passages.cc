#include "rules/passages.h"

#include <algorithm>

#include "rules/internal.h"

namespace vigie::rules {
namespace {

bool has(const std::vector<Passage>& list, const std::string& name, const std::string& direction) {
  return std::any_of(list.begin(), list.end(),
                     [&](const Passage& p) { return p.name == name && p.direction == direction; });
}

}  // namespace

PassageLog::PassageLog(const CameraConfig& camera) : zones_(camera.zones) {
  for (const auto& [name, line] : camera.lines) lines_.emplace_back(name, std::make_unique<LineSides>(line.points));
}

PassageLog::~PassageLog() = default;
PassageLog::PassageLog(PassageLog&&) noexcept = default;

void PassageLog::update(const std::vector<Object>& objects, double time_s) {
  if (empty()) return;
  for (const Object& o : objects) {
    for (const auto& [name, zone] : zones_)
      if (inside(zone, o.box.foot())) {
        auto& zones = passages_[o.track_id].zones;
        if (!has(zones, name, "")) zones.push_back({name, "", time_s});
      }
    for (auto& [name, sides] : lines_)
      if (const auto a_to_b = sides->observe(o.track_id, o.box, time_s)) {
        auto& crossed = passages_[o.track_id].crossed;
        const std::string direction = crossing_direction(*a_to_b);
        if (!has(crossed, name, direction)) crossed.push_back({name, direction, time_s});
      }
  }
}

TrackPassages PassageLog::peek(int track_id) const {
  const auto it = passages_.find(track_id);
  return it == passages_.end() ? TrackPassages{} : it->second;
}

TrackPassages PassageLog::take(int track_id) {
  for (auto& [name, sides] : lines_) sides->forget(track_id);
  const auto it = passages_.find(track_id);
  if (it == passages_.end()) return {};
  TrackPassages out = std::move(it->second);
  passages_.erase(it);
  return out;
}

}  // namespace vigie::rules
