// The model-free people detector: OpenCV's built-in HOG pedestrian detector (Dalal and
// Triggs; its weights are compiled into the library, so nothing is downloaded), run only
// where it can pay:
//   - inside the moving regions that background subtraction finds, and around the people
//     it found on the last frame (so that someone who stops is not lost to the
//     background model);
//   - at the person heights the scene allows: until the camera's size model has learnt
//     how tall a person is at each image row, at heights around the moving region's own;
//     then only at the height predicted for each foot row the region spans.
//   - and, every kSweepSeconds, over the whole frame (spread over a few frames): people
//     who stood still from the start are the background model's background and make no
//     moving region.
// A moving region that no person explains is kept as a low-score `person` box: it cannot
// start a track, but it carries a track through frames the HOG misses (ByteTrack's second
// stage in the tracker).
#include <algorithm>
#include <cmath>
#include <deque>

#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect.hpp>

#include "detect/internal.h"

namespace vigie::detect {
namespace {

// The default detector's 64×128 window holds a person about 96 pixels tall (INRIA set).
constexpr double kBodyShareOfWindow = 0.75;
// Person boxes as wide as MOTChallenge's pedestrians (width ≈ 0.41 × height).
constexpr double kBoxAspect = 0.41;
// HOG scores are SVM margins; a logistic maps them to 0..1 so that margin 0 is 0.5 and the
// tracker's thresholds read as for the other detectors (margin 0.5 → 0.73, 1 → 0.88).
constexpr double kMarginGain = 2.0;
// Detections at least this sure teach the size model and are looked for again next frame.
constexpr float kSureScore = 0.8f;
// Heights tried around a moving region's height before the size model is ready: a region
// is often a little taller (shadow, two people one behind the other) or shorter (legs
// lost to the background) than the person in it.
constexpr double kRegionHeightFactors[] = {0.85, 1.0, 1.2};
// Where the size model is ready, a region is searched at the height predicted for each
// foot row it spans, in steps of this share of a person's height.
constexpr double kFootStep = 0.1;
constexpr int kMaxHeightsPerRegion = 5;
// A person held without any motion under them for this long is let go: a HOG false
// positive on a still object (a post, a bin) must not live for ever. As long as the
// loitering rule's default dwell, so that someone waiting is not let go before it.
constexpr double kHoldSeconds = 60;
// A held person the HOG misses on a frame is still searched for this long.
constexpr double kHoldGraceSeconds = 2;
// Motion "under" a person: a moving region covers this share of their box (a gesture is
// enough; a post never moves).
constexpr float kMotionUnderShare = 0.1f;
constexpr size_t kMaxStillPlaces = 256;  // the latest; a busy scene clears them anyway
// Heights are searched between these (pixels; below, the HOG window cannot see a person).
constexpr double kMinPersonHeight = 16, kMaxPersonHeightShare = 2.0;
// A sweep job upscaled to more than this many pixels is cut into overlapping tiles, so
// that no frame costs much more than another (~30 ms of HOG on one core).
constexpr double kSweepJobPixels = 400'000;
// The whole-frame sweep: how often (or as soon as the last one is done), and the person
// heights tried before the size model is ready (shares of the frame height, 1.25 apart).
constexpr double kSweepSeconds = 10;
constexpr double kSweepMinHeightShare = 0.08, kSweepMaxHeightShare = 0.5, kSweepHeightStep = 1.25;
// The score of a moving region kept as a person where no detection explains it; below
// track.high_score so that it only extends tracks.
constexpr float kUnexplainedBlobScore = 0.3f;

class PeopleDetector final : public Detector {
 public:
  explicit PeopleDetector(const DetectConfig& c) : blobs_(make_motion_detector(c)) {
    hog_.setSVMDetector(cv::HOGDescriptor::getDefaultPeopleDetector());
  }

  std::vector<Detection> detect(const Frame& frame, const Motion& motion) override {
    const std::vector<Detection> blobs = blobs_->detect(frame, motion);
    cv::cvtColor(frame.image, grey_, cv::COLOR_BGR2GRAY);
    if (grey_.size() != frame_size_) forget_the_scene();
    std::vector<Detection> people;
    for (const auto& b : blobs) search(b.box, heights_for(b.box), people);
    // A held person is searched at their own height until the size model can say better.
    for (const auto& h : held_)
      search(h.box, size_.ready() ? heights_for(h.box) : std::vector{static_cast<double>(h.box.h)}, people);
    // The sweep is cut into jobs (one height, or one band of rows, in tiles), one per
    // frame, so that no frame costs much more than the others (a whole sweep is ~0.5 s).
    if (sweep_jobs_.empty() && frame.time_s >= next_sweep_s_) {
      plan_sweep();
      next_sweep_s_ = frame.time_s + kSweepSeconds;
    }
    if (!sweep_jobs_.empty()) {
      const SweepJob job = sweep_jobs_.front();
      sweep_jobs_.pop_front();
      search(job.region, {job.height}, people);
    }
    if (size_.ready())
      std::erase_if(people, [&](const Detection& d) { return !size_.plausible(d.box); });
    people = nms(people, 0.4f);
    for (const auto& d : people)
      if (d.score >= kSureScore) size_.add(d.box);
    hold(people, blobs, frame.time_s);
    add_unexplained(blobs, people);
    return people;
  }

 private:
  struct Held {
    Box box;
    double motion_time_s = 0;  // when motion last lay under this person
    double seen_time_s = 0;    // when the HOG last found them
  };

  // A new frame size (another camera resolution after a reconnection): what was learnt of
  // person sizes and places no longer holds.
  void forget_the_scene() {
    frame_size_ = grey_.size();
    size_ = PersonSizeModel{};
    held_.clear();
    still_.clear();
    sweep_jobs_.clear();
    next_sweep_s_ = -1e18;
  }

  double clamp_height(double h) const {
    return std::clamp(h, kMinPersonHeight, std::max(kMinPersonHeight, kMaxPersonHeightShare * grey_.rows));
  }

  struct SweepJob {
    Box region;
    double height = 0;
  };

  // The whole frame, in horizontal bands searched each at the height the size model
  // predicts for its foot rows (one band per 10 % change of height); before the model is
  // ready, at every height from kSweepMinHeightShare to kSweepMaxHeightShare of the frame.
  void plan_sweep() {
    const Box whole{0, 0, static_cast<float>(grey_.cols), static_cast<float>(grey_.rows)};
    if (!size_.ready()) {
      for (double h = kSweepMinHeightShare * whole.h; h <= kSweepMaxHeightShare * whole.h; h *= kSweepHeightStep)
        add_sweep_job(whole, h);
      return;
    }
    // Every foot row, bottom to top; bands where a person would be too small are skipped
    // (a slope of either sign: a camera may look up a slope).
    for (double foot = whole.h; foot > 0;) {
      const double h = size_.height_at(foot);
      const double rows = std::max(8.0, 0.1 * h / std::max(1e-3, std::abs(size_.slope())));
      if (h > kMinPersonHeight)
        add_sweep_job({0, static_cast<float>(foot - rows - h), whole.w, static_cast<float>(rows + h)}, h);
      foot -= rows;
    }
  }

  // Cuts a job whose upscaled image would exceed kSweepJobPixels into columns that overlap
  // by one window, so that a person on a seam is whole in one of them.
  void add_sweep_job(const Box& region, double height) {
    height = clamp_height(height);
    const double f = hog_.winSize.height * kBodyShareOfWindow / height;
    const double pixels = region.w * region.h * f * f;
    const int columns = std::max(1, static_cast<int>(std::ceil(pixels / kSweepJobPixels)));
    const double overlap = hog_.winSize.width / f;
    const double width = region.w / columns;
    for (int i = 0; i < columns; ++i) {
      const double x0 = std::max<double>(region.x, region.x + i * width - overlap);
      const double x1 = std::min<double>(region.right(), region.x + (i + 1) * width + overlap);
      sweep_jobs_.push_back({{static_cast<float>(x0), region.y, static_cast<float>(x1 - x0), region.h}, height});
    }
  }

  std::vector<double> heights_for(const Box& region) const {
    std::vector<double> heights;
    auto add = [&](double h) {
      h = clamp_height(h);
      // Heights within 5 % of one already listed would find the same people again.
      if (std::none_of(heights.begin(), heights.end(), [&](double o) { return std::abs(o / h - 1) < 0.05; }))
        heights.push_back(h);
    };
    if (!size_.ready()) {
      for (double k : kRegionHeightFactors) add(region.h * k);
      return heights;
    }
    // Feet from the region's bottom upwards, while a person standing there would still
    // have most of their body inside the region.
    double foot = region.bottom();
    for (int tries = 0; tries < kMaxHeightsPerRegion; ++tries) {
      const double h = size_.height_at(foot);
      add(h);
      foot -= kFootStep * h;
      if (foot - 0.8 * size_.height_at(foot) < region.y) break;
    }
    return heights;
  }

  // Runs the HOG window over `region` (with a margin) at each person height.
  void search(const Box& region, const std::vector<double>& heights, std::vector<Detection>& out) {
    const cv::Rect frame_rect(0, 0, grey_.cols, grey_.rows);
    const cv::Size win = hog_.winSize;
    const double win_person_h = win.height * kBodyShareOfWindow;
    for (double person_h : heights) {
      const double f = win_person_h / clamp_height(person_h);  // image → window scale
      const double margin = 0.25 * win.height / f;
      cv::Rect roi(cvRound(region.x - margin), cvRound(region.y - margin), cvRound(region.w + 2 * margin),
                   cvRound(region.h + 2 * margin));
      roi &= frame_rect;
      if (roi.empty() || cvRound(roi.width * f) < 1 || cvRound(roi.height * f) < 1) continue;
      cv::resize(grey_(roi), scaled_, cv::Size(), f, f, cv::INTER_LINEAR);
      if (scaled_.cols < win.width || scaled_.rows < win.height)
        cv::copyMakeBorder(scaled_, scaled_, 0, std::max(0, win.height - scaled_.rows), 0,
                           std::max(0, win.width - scaled_.cols), cv::BORDER_REPLICATE);
      found_.clear();
      margins_.clear();
      hog_.detect(scaled_, found_, margins_, 0.0, cv::Size(8, 8), cv::Size(0, 0));
      for (size_t i = 0; i < found_.size(); ++i) {
        const double h = win_person_h / f, w = kBoxAspect * h;
        const double cx = roi.x + (found_[i].x + win.width / 2.0) / f;
        const double cy = roi.y + (found_[i].y + win.height / 2.0) / f;
        Detection d;
        d.box = {static_cast<float>(cx - w / 2), static_cast<float>(cy - h / 2), static_cast<float>(w),
                 static_cast<float>(h)};
        d.class_id = 0;
        d.label = "person";
        d.score = static_cast<float>(1.0 / (1.0 + std::exp(-kMarginGain * margins_[i])));
        out.push_back(std::move(d));
      }
    }
  }

  // The sure detections are searched again on the next frames, moving or not, for
  // kHoldSeconds after motion was last under them (and kHoldGraceSeconds after the HOG last
  // found them). A hold that ran out without motion leaves its place in `still_`: a still
  // thing the HOG takes for a person (a post, a bin) is not held again from there until
  // something moves at that place.
  void hold(const std::vector<Detection>& people, const std::vector<Detection>& blobs, double now_s) {
    auto moving = [&](const Box& box) {
      return std::any_of(blobs.begin(), blobs.end(),
                         [&](const Detection& b) { return coverage(box, b.box) > kMotionUnderShare; });
    };
    auto at_still_place = [&](const Box& box) {
      return std::any_of(still_.begin(), still_.end(), [&](const Box& b) { return iou(box, b) > 0.3f; });
    };
    std::erase_if(still_, moving);
    std::vector<Held> next;
    std::vector<bool> refreshed(held_.size(), false);
    for (const auto& p : people) {
      int old = -1;
      for (size_t i = 0; i < held_.size(); ++i)
        if (iou(p.box, held_[i].box) > 0.3f && (old < 0 || held_[i].motion_time_s > held_[old].motion_time_s))
          old = static_cast<int>(i);
      // A new hold needs a sure detection, not at a still place; a held person stays held
      // on any detection.
      if (p.score < (old >= 0 ? 0.5f : kSureScore)) continue;
      if (old < 0 && at_still_place(p.box)) continue;
      if (old >= 0) refreshed[old] = true;
      next.push_back({p.box, old >= 0 ? held_[old].motion_time_s : now_s, now_s});
    }
    for (size_t i = 0; i < held_.size(); ++i)
      if (!refreshed[i] && now_s - held_[i].seen_time_s <= kHoldGraceSeconds) next.push_back(held_[i]);
    held_.clear();
    for (auto& h : next) {
      if (moving(h.box)) h.motion_time_s = now_s;
      if (now_s - h.motion_time_s <= kHoldSeconds)
        held_.push_back(h);
      else
        still_.push_back(h.box);
    }
    if (still_.size() > kMaxStillPlaces) still_.erase(still_.begin(), still_.end() - kMaxStillPlaces);
  }

  static void add_unexplained(const std::vector<Detection>& blobs, std::vector<Detection>& people) {
    const size_t found = people.size();
    for (const auto& b : blobs) {
      bool explained = false;
      for (size_t i = 0; i < found && !explained; ++i) explained = iou(b.box, people[i].box) > 0.1f;
      if (explained) continue;
      Detection d = b;
      d.class_id = 0;
      d.label = "person";
      d.score = kUnexplainedBlobScore;
      people.push_back(std::move(d));
    }
  }

  std::unique_ptr<Detector> blobs_;
  cv::HOGDescriptor hog_;
  PersonSizeModel size_;
  cv::Size frame_size_;
  std::vector<Held> held_;
  std::vector<Box> still_;
  double next_sweep_s_ = -1e18;
  std::deque<SweepJob> sweep_jobs_;
  cv::Mat grey_, scaled_;
  std::vector<cv::Point> found_;
  std::vector<double> margins_;
};

}  // namespace

std::unique_ptr<Detector> make_people_detector(const DetectConfig& config) {
  return std::make_unique<PeopleDetector>(config);
}

}  // namespace vigie::detect
