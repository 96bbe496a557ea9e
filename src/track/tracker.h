// Multi-object tracking: detections in, stable identities out.
//
// Kalman constant-velocity boxes and ByteTrack's two-stage association: high-score
// detections first to every live track, then low-score ones to the tracks still
// unmatched (a partly hidden person scores low but is still there). IoU costs, solved
// as an assignment problem, blended with a clothing-colour cue; lost tracks can be found
// again by colour within walking reach. A track is followed after `min_hits` consecutive
// matches, reported (given an id) once the median score of its recent detections reaches
// `confirm_score`, and forgotten `max_lost_s` after it was last seen.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <opencv2/core/types.hpp>

#include "config/config.h"
#include "core/box.h"
#include "describe/attributes.h"
#include "detect/detector.h"

namespace vigie::track {

// A confirmed track as seen on the current frame.
struct TrackState {
  int id = 0;          // stable, from 1, never reused within one Tracker
  Box box;             // the filtered box (the Kalman estimate)
  std::string label;   // the class seen most often
  float score = 0;     // score of the last matched detection
  bool detected = false;  // matched a detection on this frame (false: predicted only)
};

// Everything kept about one track, for rules, the store and search.
struct TrackRecord {
  int id = 0;
  std::string label;
  int64_t first_frame = 0, last_frame = 0;  // frame indices (from 0) of first/last match
  double first_time_s = 0, last_time_s = 0;
  std::vector<cv::Point2f> path;  // foot points of matched frames (thinned when long)
  int64_t best_frame = 0;         // the frame where it was seen best: for the snapshot
  Box best_box;
  float best_score = 0;
  int detections = 0;             // frames with a matched detection
  std::vector<float> appearance;  // the clothing-colour descriptor at the end (appearance.h)
  describe::TrackAttributes attributes;  // filled in by the pipeline, which sees the pixels
  bool ongoing = false;           // a snapshot of a track still followed (CameraPipeline::take_records)
};

class Tracker {
 public:
  explicit Tracker(const TrackConfig& config);
  ~Tracker();
  Tracker(Tracker&&) noexcept;

  // One analysed frame with the detector's output. `looked`: the regions the detector
  // looked at (Detector::looked(); nothing: the whole frame); a track out of them is
  // predicted, not missed. Returns the confirmed tracks matched on this frame, and those
  // out of the detector's view.
  std::vector<TrackState> update(const std::vector<detect::Detection>& detections,
                                 int64_t frame_index, double time_s,
                                 const std::optional<std::vector<Box>>& looked = std::nullopt);

  // One analysed frame on which the detector did not run: tracks move by prediction.
  // Returns the confirmed tracks that were being followed (not lost).
  std::vector<TrackState> predict(int64_t frame_index, double time_s);

  // Records of tracks that ended since the last call (lost for longer than max_lost_s).
  std::vector<TrackRecord> take_finished();
  // Ends every track (end of stream) and returns all records not yet taken.
  std::vector<TrackRecord> finish();
  // Copies of the records of the confirmed tracks still followed for at least
  // `min_span_s` (from first to last seen), as they stand now.
  std::vector<TrackRecord> living(double min_span_s) const;

  int confirmed_count() const { return next_id_ - 1; }
  // The boxes of every track not yet forgotten, followed or not (a new one not yet
  // confirmed, one lost a moment ago): where a detector that looks at parts of the frame
  // must look on the next frame.
  std::vector<Box> boxes() const;

 private:
  struct Track;
  void step(double time_s);  // one Kalman prediction for every track
  void lose_unseen(double time_s);
  void expire(double time_s);
  std::vector<TrackState> visible(bool only_detected) const;
  std::vector<std::pair<int, int>> reidentify(const std::vector<Track*>& lost,
                                              const std::vector<const detect::Detection*>& dets,
                                              double time_s) const;

  TrackConfig config_;
  std::vector<std::unique_ptr<Track>> tracks_;
  std::vector<TrackRecord> finished_;
  int next_id_ = 1;
  double last_step_s_ = -1e18;
  int64_t steps_ = 0;  // analysed frames so far: the filter's unit of time
};

}  // namespace vigie::track
