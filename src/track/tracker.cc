#include "track/tracker.h"

#include <algorithm>

#include "core/assignment.h"
#include "track/kalman_box.h"

namespace vigie::track {

namespace {

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
  Track(const detect::Detection& d, int64_t frame, double time, size_t max_path)
      : kalman(d.box), score(d.score), max_path_points(max_path) {
    record.first_frame = frame;
    record.first_time_s = time;
    observe(d, frame, time);
  }

  void observe(const detect::Detection& d, int64_t frame, double time) {
    ++label_votes[d.label];
    score = d.score;
    last_seen_s = time;
    record.last_frame = frame;
    record.last_time_s = time;
    ++record.detections;
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

  TrackState state() const { return {record.id, kalman.box(), label(), score, matched_now}; }

  KalmanBox kalman;
  Phase phase = Phase::kTentative;
  int hits = 1;  // consecutive matches while tentative
  float score;
  double last_seen_s = 0;
  bool matched_now = true;
  size_t max_path_points;
  std::map<std::string, int> label_votes;
  TrackRecord record;
};

namespace {

using Detections = std::vector<detect::Detection>;

// Matches tracks[ti] to dets[di] on IoU >= min_iou; returns matched pairs and marks the
// matched entries used.
std::vector<std::pair<int, int>> associate(const std::vector<Box>& track_boxes,
                                           const std::vector<const detect::Detection*>& dets,
                                           float min_iou) {
  std::vector<std::vector<double>> cost(track_boxes.size(), std::vector<double>(dets.size()));
  for (size_t t = 0; t < track_boxes.size(); ++t)
    for (size_t d = 0; d < dets.size(); ++d) cost[t][d] = 1.0 - iou(track_boxes[t], dets[d]->box);
  return solve_assignment(cost, 1.0 - min_iou);
}

}  // namespace

Tracker::Tracker(const TrackConfig& config) : config_(config) {}
Tracker::~Tracker() = default;
Tracker::Tracker(Tracker&&) noexcept = default;

void Tracker::step(double /*time_s*/) {
  for (auto& t : tracks_) {
    if (t->phase == Phase::kLost) t->kalman.freeze_height_velocity();
    t->kalman.predict();
    t->matched_now = false;
  }
}

std::vector<TrackState> Tracker::update(const Detections& detections, int64_t frame, double time_s) {
  step(time_s);
  std::vector<const detect::Detection*> high, low;
  for (const auto& d : detections) (d.score >= config_.high_score ? high : low).push_back(&d);

  // Stage 1: confirmed tracks (followed or lost) against high-score detections.
  std::vector<Track*> pool;
  for (auto& t : tracks_)
    if (t->phase != Phase::kTentative) pool.push_back(t.get());
  auto boxes_of = [](const std::vector<Track*>& ts) {
    std::vector<Box> b;
    for (auto* t : ts) b.push_back(t->kalman.box());
    return b;
  };
  std::vector<bool> high_used(high.size(), false), pool_matched(pool.size(), false);
  for (auto [t, d] : associate(boxes_of(pool), high, config_.match_iou)) {
    pool[t]->kalman.update(high[d]->box);
    pool[t]->observe(*high[d], frame, time_s);
    pool[t]->phase = Phase::kTracked;
    pool[t]->matched_now = true;
    pool_matched[t] = high_used[d] = true;
  }

  // Stage 2: tracks followed until now but unmatched, against low-score detections.
  std::vector<Track*> rest;
  for (size_t i = 0; i < pool.size(); ++i)
    if (!pool_matched[i] && pool[i]->phase == Phase::kTracked) rest.push_back(pool[i]);
  std::vector<bool> rest_matched(rest.size(), false);
  for (auto [t, d] : associate(boxes_of(rest), low, config_.low_match_iou)) {
    rest[t]->kalman.update(low[d]->box);
    rest[t]->observe(*low[d], frame, time_s);
    rest[t]->matched_now = true;
    rest_matched[t] = true;
  }
  for (size_t i = 0; i < rest.size(); ++i)
    if (!rest_matched[i]) rest[i]->phase = Phase::kLost;

  // Stage 3: tentative tracks against the high detections left; unmatched ones die.
  std::vector<Track*> tentative;
  for (auto& t : tracks_)
    if (t->phase == Phase::kTentative) tentative.push_back(t.get());
  std::vector<const detect::Detection*> high_left;
  std::vector<int> high_left_index;
  for (size_t i = 0; i < high.size(); ++i)
    if (!high_used[i]) high_left.push_back(high[i]), high_left_index.push_back(static_cast<int>(i));
  std::vector<bool> tentative_matched(tentative.size(), false);
  for (auto [t, d] : associate(boxes_of(tentative), high_left, config_.tentative_match_iou)) {
    Track* tr = tentative[t];
    tr->kalman.update(high_left[d]->box);
    tr->observe(*high_left[d], frame, time_s);
    tr->matched_now = true;
    if (++tr->hits >= config_.min_hits) {
      tr->phase = Phase::kTracked;
      tr->record.id = next_id_++;
    }
    tentative_matched[t] = true;
    high_used[high_left_index[d]] = true;
  }
  for (size_t i = 0; i < tentative.size(); ++i)
    if (!tentative_matched[i]) tentative[i]->phase = Phase::kLost, tentative[i]->last_seen_s = -1e300;

  // Births: confident detections that no track explains.
  for (size_t i = 0; i < high.size(); ++i) {
    if (high_used[i] || high[i]->score < config_.new_track_score) continue;
    auto t = std::make_unique<Track>(*high[i], frame, time_s, config_.max_path_points);
    if (config_.min_hits <= 1) t->phase = Phase::kTracked, t->record.id = next_id_++;
    tracks_.push_back(std::move(t));
  }
  expire(time_s);
  return visible(true);
}

std::vector<TrackState> Tracker::predict(int64_t /*frame*/, double time_s) {
  step(time_s);
  expire(time_s);
  return visible(false);
}

void Tracker::expire(double time_s) {
  auto gone = [&](const std::unique_ptr<Track>& t) {
    if (t->phase != Phase::kLost || time_s - t->last_seen_s <= config_.max_lost_s) return false;
    if (t->record.id > 0) {  // a confirmed track leaves a record; a failed birth does not
      t->record.label = t->label();
      finished_.push_back(std::move(t->record));
    }
    return true;
  };
  tracks_.erase(std::remove_if(tracks_.begin(), tracks_.end(), gone), tracks_.end());
}

std::vector<TrackState> Tracker::visible(bool only_detected) const {
  std::vector<TrackState> out;
  for (const auto& t : tracks_) {
    if (t->phase != Phase::kTracked) continue;
    if (only_detected && !t->matched_now) continue;
    out.push_back(t->state());
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  return out;
}

std::vector<TrackRecord> Tracker::take_finished() {
  std::vector<TrackRecord> out;
  out.swap(finished_);
  return out;
}

std::vector<TrackRecord> Tracker::finish() {
  for (auto& t : tracks_) t->phase = Phase::kLost, t->last_seen_s = -1e300;
  expire(0);
  return take_finished();
}

}  // namespace vigie::track
