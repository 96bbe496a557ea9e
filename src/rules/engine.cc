#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <opencv2/imgproc.hpp>

#include "core/ids.h"
#include "rules/internal.h"

namespace vigie::rules {

const char* phase_name(Phase p) {
  switch (p) {
    case Phase::kStart: return "start";
    case Phase::kUpdate: return "update";
    case Phase::kEnd: return "end";
  }
  return "?";
}

// --- geometry --------------------------------------------------------------------------

bool inside(const Polygon& zone, const cv::Point2f& p) {
  return cv::pointPolygonTest(zone, p, false) >= 0;
}

Box union_of(const std::vector<Box>& boxes) {
  if (boxes.empty()) return {};
  float x0 = boxes[0].x, y0 = boxes[0].y, x1 = boxes[0].right(), y1 = boxes[0].bottom();
  for (const auto& b : boxes) {
    x0 = std::min(x0, b.x), y0 = std::min(y0, b.y);
    x1 = std::max(x1, b.right()), y1 = std::max(y1, b.bottom());
  }
  return {x0, y0, x1 - x0, y1 - y0};
}

Ground::Ground(const std::vector<double>& h) : metric_(h.size() == 9) {
  for (int i = 0; i < 9; ++i) h_[i] = metric_ ? h[i] : (i % 4 == 0 ? 1 : 0);
}

cv::Point2d Ground::at(const cv::Point2f& p) const {
  const double w = h_[6] * p.x + h_[7] * p.y + h_[8];
  if (std::abs(w) < 1e-12) return {p.x, p.y};
  return {(h_[0] * p.x + h_[1] * p.y + h_[2]) / w, (h_[3] * p.x + h_[4] * p.y + h_[5]) / w};
}

double Ground::distance(const cv::Point2f& a, const cv::Point2f& b) const {
  const cv::Point2d d = at(a) - at(b);
  return std::hypot(d.x, d.y);
}

bool active_at(const RuleConfig& rule, double epoch_s) {
  if (rule.hours_from < 0) return true;
  const std::time_t t = static_cast<std::time_t>(epoch_s);
  std::tm local{};
  localtime_r(&t, &local);
  const int minute = local.tm_hour * 60 + local.tm_min;
  if (rule.hours_from <= rule.hours_to) return minute >= rule.hours_from && minute < rule.hours_to;
  return minute >= rule.hours_from || minute < rule.hours_to;  // wraps past midnight
}

// --- AlertBook -------------------------------------------------------------------------

AlertBook::AlertBook(std::string camera, const RuleConfig& rule, std::vector<AlertEvent>& out)
    : camera_(std::move(camera)),
      rule_(rule),
      where_(rule_place(rule)),
      cooldown_s_(std::visit(
          [](const auto& r) {
            if constexpr (requires { r.cooldown_seconds; }) return r.cooldown_seconds;
            else return 0.0;  // a type with no cooldown never asks may_open()
          },
          rule.settings)),
      out_(out) {}

bool AlertBook::may_open(int64_t key, double time_s) const {
  if (open_.count(key)) return false;
  auto it = cooling_until_.find(key);
  return it == cooling_until_.end() || time_s >= it->second;
}

AlertEvent AlertBook::event(Phase phase, const FrameInput& in, const std::string& id, double start_s,
                            const Situation& s) const {
  AlertEvent e;
  e.phase = phase;
  e.alert_id = id;
  e.camera = camera_;
  e.rule = rule_.name;
  e.rule_type = rule_.type;
  e.where = where_;
  e.detail = s.detail;
  e.track_ids = s.track_ids;
  e.start_s = start_s;
  e.time_s = in.time_s;
  e.epoch_s = in.epoch_s;
  e.frame_index = in.frame_index;
  e.peak = s.peak;
  e.box = s.box;
  return e;
}

void AlertBook::open(int64_t key, const FrameInput& in, double start_s, const Situation& s) {
  const std::string id = fmt::format("{}/{}/{}", camera_, rule_.name, ++sequence_);
  open_[key] = {id, start_s, s};
  out_.push_back(event(Phase::kStart, in, id, start_s, s));
}

void AlertBook::update(int64_t key, const FrameInput& in, const Situation& s) {
  auto it = open_.find(key);
  if (it == open_.end()) return;
  Situation merged = s;
  merged.peak = std::max(s.peak, it->second.last.peak);
  // The alert is about everyone involved at any time, not just the current members.
  std::set<int> ids(it->second.last.track_ids.begin(), it->second.last.track_ids.end());
  ids.insert(s.track_ids.begin(), s.track_ids.end());
  merged.track_ids.assign(ids.begin(), ids.end());
  const bool grew = merged.peak >= it->second.last.peak + 1;
  const bool new_tracks = merged.track_ids != it->second.last.track_ids;
  if (grew || new_tracks) {
    it->second.last = merged;
    out_.push_back(event(Phase::kUpdate, in, it->second.id, it->second.start_s, merged));
  } else {
    it->second.last.box = s.box;  // keep the latest position for the end event
  }
}

void AlertBook::close(int64_t key, const FrameInput& in) {
  auto it = open_.find(key);
  if (it == open_.end()) return;
  out_.push_back(event(Phase::kEnd, in, it->second.id, it->second.start_s, it->second.last));
  cooling_until_[key] = in.time_s + cooldown_s_;
  open_.erase(it);
}

void AlertBook::rekey(int64_t from, int64_t to) {
  auto it = open_.find(from);
  if (it == open_.end() || open_.count(to)) return;
  open_[to] = std::move(it->second);
  open_.erase(it);
}

void AlertBook::instant(const FrameInput& in, const Situation& s) {
  const std::string id = fmt::format("{}/{}/{}", camera_, rule_.name, ++sequence_);
  out_.push_back(event(Phase::kStart, in, id, in.time_s, s));
  out_.push_back(event(Phase::kEnd, in, id, in.time_s, s));
}

void AlertBook::close_all(const FrameInput& in) {
  for (int64_t key : open_keys()) close(key, in);
}

std::vector<int64_t> AlertBook::open_keys() const {
  std::vector<int64_t> keys;
  for (const auto& [k, v] : open_) keys.push_back(k);
  return keys;
}

// --- Rule ------------------------------------------------------------------------------

bool Engine::Rule::applies_to(const std::string& label) const {
  return std::find(config_.objects.begin(), config_.objects.end(), label) != config_.objects.end();
}

std::vector<const Object*> Engine::Rule::selected(const FrameInput& in) const {
  std::vector<const Object*> out;
  for (const auto& o : in.objects)
    if (applies_to(o.label)) out.push_back(&o);
  return out;
}

// --- Engine ----------------------------------------------------------------------------

Engine::Engine(const CameraConfig& camera, IdSource ids)
    : camera_(camera.name), pending_(std::make_unique<std::vector<AlertEvent>>()), ids_(std::move(ids)) {
  if (!ids_) ids_ = [gen = std::make_shared<UuidV7>()] { return gen->next(); };
  for (const auto& r : camera.rules) {
    auto& out = *pending_;
    if (r.type == "line_crossing") rules_.push_back(make_line_crossing(camera_, camera, r, out));
    else if (r.type == "zone_intrusion" || r.type == "loitering") rules_.push_back(make_zone_dwell(camera_, camera, r, out));
    else if (r.type == "crowd") rules_.push_back(make_crowd(camera_, camera, r, out));
    else if (r.type == "group") rules_.push_back(make_group(camera_, camera, r, out));
    else if (r.type == "abandoned_object") rules_.push_back(make_abandoned(camera_, camera, r, out));
    // Audio rule types are run by audio::detect on the sound track, not here.
  }
}

Engine::~Engine() = default;
Engine::Engine(Engine&&) noexcept = default;

bool Engine::wants_static_objects() const {
  return std::any_of(rules_.begin(), rules_.end(), [](const auto& r) { return r->wants_static_objects(); });
}

std::vector<AlertEvent> Engine::update(const FrameInput& frame) {
  seconds_.resize(rules_.size());
  for (size_t i = 0; i < rules_.size(); ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    if (active_at(rules_[i]->config(), frame.epoch_s)) rules_[i]->update(frame);
    else rules_[i]->finish(frame);  // outside its hours a rule holds no alert open
    seconds_[i] += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
  std::vector<AlertEvent> out;
  out.swap(*pending_);
  assign_ids(out);
  return out;
}

std::vector<std::pair<std::string, double>> Engine::costs() const {
  std::vector<std::pair<std::string, double>> out;
  for (size_t i = 0; i < rules_.size(); ++i) out.emplace_back(rules_[i]->config().name, i < seconds_.size() ? seconds_[i] : 0);
  return out;
}

std::vector<AlertEvent> Engine::finish(double time_s, double epoch_s) {
  FrameInput last;
  last.time_s = time_s;
  last.epoch_s = epoch_s;
  for (auto& rule : rules_) rule->finish(last);
  std::vector<AlertEvent> out;
  out.swap(*pending_);
  assign_ids(out);
  return out;
}

void Engine::assign_ids(std::vector<AlertEvent>& events) {
  for (auto& e : events) {
    if (e.phase == Phase::kStart) unique_ids_[e.alert_id] = ids_();
    auto it = unique_ids_.find(e.alert_id);
    if (it == unique_ids_.end()) continue;  // cannot happen: every alert starts before it changes
    const std::string local = e.alert_id;
    e.alert_id = it->second;
    if (e.phase == Phase::kEnd) unique_ids_.erase(local);
  }
}

}  // namespace vigie::rules
