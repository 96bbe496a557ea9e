#include "track/tracker.h"

#include <algorithm>

#include "core/assignment.h"
#include "track/appearance.h"
#include "track/kalman_box.h"

namespace vigie::track {

namespace {

// The filter's unit of time is a frame at 10 frames/s, the rate its noises were set at: a
// camera analysed at another rate predicts by its own time step, so that at 5 frames/s a
// walker's track expects him twice as far and twice as uncertain (PETS09 at half rate,
// YOLOX-Nano: MOTA 0.774 → 0.831). Bounded so that a stalled or duplicated timestamp
// cannot freeze or fling the filter.
constexpr double kFrameUnitS = 0.1;
float frame_units(double seconds) { return static_cast<float>(std::clamp(seconds / kFrameUnitS, 0.25, 10.0)); }

void thin_path(std::vector<cv::Point2f>& path, size_t max_points) {
  max_points = std::max<size_t>(max_points, 2);
  // Halving keeps the shape of a long path while bounding memory per track.
  while (path.size() > max_points) {
    size_t j = 0;
    for (size_t i = 0; i < path.size(); i += 2) path[j++] = path[i];
    if (path.size() % 2 == 0) path[j - 1] = path.back();  // keep the last position
    path.resize(j);
  }
}

}  // namespace

enum class Phase { kTentative, kTracked, kLost };

struct Tracker::Track {
  Track(const detect::Detection& d, int64_t frame, double time, size_t max_path, int64_t step)
      : kalman(d.box), at_last_observation(d.box), last_observed_box(d.box),
        last_observed_step(step), score(d.score), max_path_points(max_path) {
    record.first_frame = frame;
    record.first_time_s = time;
    observe(d, frame, time);
  }

  void observe(const detect::Detection& d, int64_t frame, double time) {
    ++label_votes[d.label];
    if (!d.appearance.empty()) {
      // A slowly moving average: one odd frame (an occluder) does not rewrite the track.
      if (appearance.size() != d.appearance.size()) appearance = d.appearance;
      else
        for (size_t i = 0; i < appearance.size(); ++i)
          appearance[i] = 0.9f * appearance[i] + 0.1f * d.appearance[i];
    }
    score = d.score;
    last_seen_s = time;
    record.last_frame = frame;
    record.last_time_s = time;
    ++record.detections;
    recent_scores.push_back(d.score);
    if (recent_scores.size() > kScoreWindow) recent_scores.erase(recent_scores.begin());
    record.path.push_back(d.box.foot());
    if (record.path.size() > max_path_points) thin_path(record.path, max_path_points / 2);
    // The best view: the most confident detection, for the snapshot.
    if (d.score > record.best_score) record.best_score = d.score, record.best_frame = frame, record.best_box = d.box;
  }

  std::string label() const {
    return std::max_element(label_votes.begin(), label_votes.end(),
                            [](const auto& a, const auto& b) { return a.second < b.second; })
        ->first;
  }

  // Corrects the filter with a matched detection. After a gap (the track was lost), the
  // filter is replayed from its last observation along a straight line to the new one
  // (OC-SORT's observation-centric re-update), so that the velocity that made it drift
  // while unseen does not survive the reunion.
  void correct(const detect::Detection& d, int64_t frame, double time, int64_t step) {
    const int64_t gap = step - last_observed_step;
    if (gap > 1) {
      kalman = at_last_observation;
      const float dt = frame_units((time - last_seen_s) / gap);
      for (int64_t k = 1; k < gap; ++k) {
        const float a = static_cast<float>(k) / gap;
        const Box& p = last_observed_box;
        kalman.predict(dt);
        kalman.update({p.x + a * (d.box.x - p.x), p.y + a * (d.box.y - p.y), p.w + a * (d.box.w - p.w),
                       p.h + a * (d.box.h - p.h)});
      }
      kalman.predict(dt);
    }
    kalman.update(d.box);
    at_last_observation = kalman;
    last_observed_box = d.box;
    last_observed_step = step;
    matched_now = true;
    observe(d, frame, time);
  }

  float median_score() const {
    std::vector<float> s = recent_scores;
    std::nth_element(s.begin(), s.begin() + s.size() / 2, s.end());
    return s[s.size() / 2];
  }

  bool reported() const { return record.id > 0; }

  // The record with what is only settled at the end: the class seen most, the appearance.
  TrackRecord final_record() const& {
    TrackRecord r = record;
    r.label = label();
    r.appearance = appearance;
    return r;
  }
  // The same for a track that ends: its record moves out, no copy of its path.
  TrackRecord final_record() && {
    record.label = label();
    record.appearance = std::move(appearance);
    return std::move(record);
  }

  TrackState state() const { return {record.id, kalman.box(), label(), score, matched_now}; }

  KalmanBox kalman;
  KalmanBox at_last_observation;  // the filter right after its last correction
  Box last_observed_box;
  int64_t last_observed_step;
  Phase phase = Phase::kTentative;
  int hits = 1;  // consecutive matches while tentative
  float score;
  double last_seen_s = 0;
  bool matched_now = true;
  bool in_view = true;  // inside what the detector looked at on this frame
  size_t max_path_points;
  static constexpr size_t kScoreWindow = 10;
  std::vector<float> recent_scores;
  std::vector<float> appearance;
  std::map<std::string, int> label_votes;
  TrackRecord record;
};

namespace {

using Detections = std::vector<detect::Detection>;

// Optimal matching of tracks to detections. Pairs overlapping less than min_iou are
// forbidden; among the others the cost is 1 - IoU, blended with the appearance distance
// when both sides have one and appearance_weight > 0.
template <typename TrackPtr>
std::vector<std::pair<int, int>> associate(const std::vector<TrackPtr>& tracks,
                                           const std::vector<const detect::Detection*>& dets,
                                           float min_iou, float appearance_weight) {
  constexpr double kForbidden = 1e9;
  std::vector<std::vector<double>> cost(tracks.size(), std::vector<double>(dets.size()));
  for (size_t t = 0; t < tracks.size(); ++t) {
    const Box box = tracks[t]->kalman.box();
    for (size_t d = 0; d < dets.size(); ++d) {
      const double overlap = iou(box, dets[d]->box);
      double c = overlap >= min_iou ? 1.0 - overlap : kForbidden;
      if (c < kForbidden && appearance_weight > 0 && !tracks[t]->appearance.empty() &&
          !dets[d]->appearance.empty())
        c = (1 - appearance_weight) * c +
            appearance_weight * appearance_distance(tracks[t]->appearance, dets[d]->appearance);
      cost[t][d] = c;
    }
  }
  return solve_assignment(cost, kForbidden / 2);
}

}  // namespace

std::vector<std::pair<int, int>> Tracker::reidentify(const std::vector<Track*>& lost,
                                                     const std::vector<const detect::Detection*>& dets,
                                                     double time_s) const {
  constexpr double kForbidden = 1e9;
  std::vector<std::vector<double>> cost(lost.size(), std::vector<double>(dets.size(), kForbidden));
  for (size_t t = 0; t < lost.size(); ++t) {
    const Box& last = lost[t]->last_observed_box;
    const double unseen_s = std::max(0.0, time_s - lost[t]->last_seen_s);
    // How far a walker can have gone, in body heights: half a height of slack plus
    // walking speed (about 0.8 heights per second) with margin.
    const double reach = last.h * (0.5 + 1.0 * unseen_s);
    for (size_t d = 0; d < dets.size(); ++d) {
      const Box& b = dets[d]->box;
      const cv::Point2f step = b.foot() - last.foot();
      const double size_ratio = b.h / std::max(1.f, last.h);
      if (std::hypot(step.x, step.y) > reach || size_ratio < 0.67 || size_ratio > 1.5) continue;
      const double app = appearance_distance(lost[t]->appearance, dets[d]->appearance);
      if (app <= config_.reid_max_distance) cost[t][d] = app;
    }
  }
  return solve_assignment(cost, kForbidden / 2);
}

Tracker::Tracker(const TrackConfig& config) : config_(config) {}
Tracker::~Tracker() = default;
Tracker::Tracker(Tracker&&) noexcept = default;

void Tracker::step(double time_s) {
  ++steps_;
  const float dt = steps_ > 1 ? frame_units(time_s - last_step_s_) : 1.f;
  last_step_s_ = time_s;
  for (auto& t : tracks_) {
    if (t->phase == Phase::kLost) t->kalman.freeze_height_velocity();
    t->kalman.predict(dt);
    t->matched_now = false;
  }
}

namespace {

// Its centre inside one of the regions the detector looked at (each is padded around what
// it was asked to see, so a track asked about is inside whole). Nothing looked at: the
// whole frame was.
bool seen_by_detector(const Box& box, const std::optional<std::vector<Box>>& looked) {
  if (!looked) return true;
  const cv::Point2f c = box.center();
  for (const auto& r : *looked)
    if (c.x >= r.x && c.x < r.right() && c.y >= r.y && c.y < r.bottom()) return true;
  return false;
}

}  // namespace

std::vector<TrackState> Tracker::update(const Detections& detections, int64_t frame, double time_s,
                                        const std::optional<std::vector<Box>>& looked) {
  step(time_s);
  // A track out of the detector's view is neither matched nor missed: it is predicted.
  for (auto& t : tracks_) t->in_view = seen_by_detector(t->kalman.box(), looked);
  lose_unseen(time_s);
  std::vector<const detect::Detection*> high, low;
  for (const auto& d : detections) (d.score >= config_.high_score ? high : low).push_back(&d);

  // Stage 1: confirmed tracks (followed or lost) against high-score detections.
  std::vector<Track*> pool;
  for (auto& t : tracks_)
    if (t->phase != Phase::kTentative && t->in_view) pool.push_back(t.get());
  std::vector<bool> high_used(high.size(), false), pool_matched(pool.size(), false);
  for (auto [t, d] : associate(pool, high, config_.match_iou, config_.appearance_weight)) {
    pool[t]->correct(*high[d], frame, time_s, steps_);
    pool[t]->phase = Phase::kTracked;
    pool_matched[t] = high_used[d] = true;
  }

  // Stage 1b: lost tracks whose prediction went astray (the person turned, stopped or
  // was hidden), found again by clothing colour near where they were last seen.
  if (config_.reid_max_distance > 0) {
    std::vector<Track*> lost;
    for (size_t i = 0; i < pool.size(); ++i)
      if (!pool_matched[i] && pool[i]->phase == Phase::kLost) lost.push_back(pool[i]);
    std::vector<const detect::Detection*> free;
    std::vector<size_t> free_index;
    for (size_t i = 0; i < high.size(); ++i)
      if (!high_used[i]) free.push_back(high[i]), free_index.push_back(i);
    for (auto [t, d] : reidentify(lost, free, time_s)) {
      lost[t]->correct(*free[d], frame, time_s, steps_);
      lost[t]->phase = Phase::kTracked;
      high_used[free_index[d]] = true;
    }
  }

  // Stage 2: tracks followed until now but unmatched, against low-score detections.
  std::vector<Track*> rest;
  for (size_t i = 0; i < pool.size(); ++i)
    if (!pool_matched[i] && pool[i]->phase == Phase::kTracked) rest.push_back(pool[i]);
  std::vector<bool> rest_matched(rest.size(), false);
  for (auto [t, d] : associate(rest, low, config_.low_match_iou, 0.f)) {
    rest[t]->correct(*low[d], frame, time_s, steps_);
    rest_matched[t] = true;
  }
  for (size_t i = 0; i < rest.size(); ++i)
    if (!rest_matched[i]) rest[i]->phase = Phase::kLost;

  // Stage 3: tentative tracks against the high detections left; unmatched ones die.
  std::vector<Track*> tentative;
  for (auto& t : tracks_)
    if (t->phase == Phase::kTentative && t->in_view) tentative.push_back(t.get());
  std::vector<const detect::Detection*> high_left;
  std::vector<int> high_left_index;
  for (size_t i = 0; i < high.size(); ++i)
    if (!high_used[i]) high_left.push_back(high[i]), high_left_index.push_back(static_cast<int>(i));
  std::vector<bool> tentative_matched(tentative.size(), false);
  for (auto [t, d] : associate(tentative, high_left, config_.tentative_match_iou, 0.f)) {
    Track* tr = tentative[t];
    tr->correct(*high_left[d], frame, time_s, steps_);
    if (++tr->hits >= config_.min_hits) tr->phase = Phase::kTracked;
    tentative_matched[t] = true;
    high_used[high_left_index[d]] = true;
  }
  for (size_t i = 0; i < tentative.size(); ++i)
    if (!tentative_matched[i]) tentative[i]->phase = Phase::kLost, tentative[i]->last_seen_s = -1e300;

  // Births: confident detections that no track explains.
  for (size_t i = 0; i < high.size(); ++i) {
    if (high_used[i] || high[i]->score < config_.new_track_score) continue;
    auto t = std::make_unique<Track>(*high[i], frame, time_s, config_.max_path_points, steps_);
    if (config_.min_hits <= 1) t->phase = Phase::kTracked;
    tracks_.push_back(std::move(t));
  }
  // Ids go to followed tracks whose recent detections are confident enough.
  for (auto& t : tracks_)
    if (t->phase == Phase::kTracked && !t->reported() && t->median_score() >= config_.confirm_score)
      t->record.id = next_id_++;
  expire(time_s);
  return visible(true);
}

std::vector<TrackState> Tracker::predict(int64_t /*frame*/, double time_s) {
  step(time_s);
  for (auto& t : tracks_) t->in_view = false;
  lose_unseen(time_s);
  expire(time_s);
  return visible(false);
}

void Tracker::lose_unseen(double time_s) {
  // Out of the detector's view longer than a lost track is kept (walked off the frame's
  // edge, where no crop reaches; the detector not run for that long): lost, so that it
  // ends rather than drifts on by prediction. A new track not yet confirmed just ends.
  for (auto& t : tracks_) {
    if (t->in_view || t->phase == Phase::kLost || time_s - t->last_seen_s <= config_.max_lost_s) continue;
    if (t->phase == Phase::kTentative) t->last_seen_s = -1e300;
    t->phase = Phase::kLost;
  }
}

void Tracker::expire(double time_s) {
  auto gone = [&](const std::unique_ptr<Track>& t) {
    if (t->phase != Phase::kLost || time_s - t->last_seen_s <= config_.max_lost_s) return false;
    if (t->record.id > 0) finished_.push_back(std::move(*t).final_record());  // a failed birth leaves none
    return true;
  };
  tracks_.erase(std::remove_if(tracks_.begin(), tracks_.end(), gone), tracks_.end());
}

std::vector<TrackState> Tracker::visible(bool only_detected) const {
  std::vector<TrackState> out;
  for (const auto& t : tracks_) {
    if (t->phase != Phase::kTracked || !t->reported()) continue;
    if (only_detected && !t->matched_now && t->in_view) continue;
    out.push_back(t->state());
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  return out;
}

std::vector<Box> Tracker::boxes() const {
  std::vector<Box> out;
  for (const auto& t : tracks_) out.push_back(t->kalman.box());
  return out;
}

std::vector<TrackRecord> Tracker::take_finished() {
  std::vector<TrackRecord> out;
  out.swap(finished_);
  return out;
}

std::vector<TrackRecord> Tracker::living(double min_span_s) const {
  std::vector<TrackRecord> out;
  for (const auto& t : tracks_)
    if (t->reported() && t->record.last_time_s - t->record.first_time_s >= min_span_s) out.push_back(t->final_record());
  return out;
}

std::vector<TrackRecord> Tracker::finish() {
  for (auto& t : tracks_) t->phase = Phase::kLost, t->last_seen_s = -1e300;
  expire(0);
  return take_finished();
}

}  // namespace vigie::track
