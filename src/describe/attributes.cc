#include "describe/attributes.h"

#include <algorithm>
#include <cmath>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

namespace vigie::describe {
namespace {

// The background steps on one frame in kBackgroundStepEvery · every_n.
constexpr int kBackgroundStepEvery = 3;

// A vehicle's colour: the middle of its box, away from wheels, road and windows' edges.
cv::Rect vehicle_body(const Box& box) {
  return {cvRound(box.x + 0.2f * box.w), cvRound(box.y + 0.3f * box.h), cvRound(0.6f * box.w), cvRound(0.4f * box.h)};
}

ColourVotes normalised_votes(const cv::Mat& frame, const cv::Rect& wanted) {
  const cv::Rect r = wanted & cv::Rect(0, 0, frame.cols, frame.rows);
  ColourVotes v{};
  if (r.area() < 24) return v;
  v = vote_region(frame(r));
  float total = 0;
  for (float x : v) total += x;
  if (total > 0)
    for (float& x : v) x /= total;
  return v;
}

// The box (on the frame) shrunk to kThumbnailHeight high at most: a copy, so that the
// frame can go.
cv::Mat thumbnail_of(const cv::Mat& frame, const Box& box) {
  const cv::Rect r = box.rect() & cv::Rect(0, 0, frame.cols, frame.rows);
  if (r.width < 2 || r.height < 2) return {};
  if (r.height <= kThumbnailHeight) return frame(r).clone();
  cv::Mat out;
  const double scale = double(kThumbnailHeight) / r.height;
  cv::resize(frame(r), out, cv::Size(std::max(1, cvRound(r.width * scale)), kThumbnailHeight), 0, 0, cv::INTER_AREA);
  return out;
}

}  // namespace

bool is_vehicle(std::string_view label) {
  return label == "car" || label == "bus" || label == "truck" || label == "motorcycle" || label == "bicycle";
}

void Background::update(const cv::Mat& frame) {
  if (frame.empty()) return;
  if (image_.size() != frame.size() || image_.type() != frame.type()) {
    image_ = frame.clone();
    return;
  }
  // One channel per column, so that the comparisons are masks for add and subtract.
  cv::Mat bg = image_.reshape(1), now = frame.reshape(1), brighter, darker;
  cv::compare(now, bg, brighter, cv::CMP_GT);
  cv::compare(now, bg, darker, cv::CMP_LT);
  cv::add(bg, cv::Scalar(1), bg, brighter);
  cv::subtract(bg, cv::Scalar(1), bg, darker);
}

void TrackDescriber::observe(const cv::Mat& frame, const std::vector<Sighting>& tracks) {
  // The background moves one level per step: a step every few frames follows the light
  // of a day and costs a third of what the colour votes do (1 ms per 768×576 step).
  if (frames_++ % (kBackgroundStepEvery * every_n_) == 0) background_.update(frame);
  frame_ = frame.size();
  for (const auto& t : tracks) {
    if (!t.detected) continue;
    Votes& v = votes_[t.id];
    if (v.detections++ % every_n_ != 0) continue;
    if (is_vehicle(t.label)) {
      const auto view = normalised_votes(frame, vehicle_body(t.box));
      for (int i = 0; i < kColourCount; ++i) v.vehicle[i] += view[i];
    } else if (t.label == "person") {
      add(v.body, vote_body(frame, t.box, background_.image()));
    } else {
      continue;
    }
    ++v.views;
    // The largest view inside the frame is the clearest one to show.
    const float area = static_cast<float>((t.box.rect() & cv::Rect(0, 0, frame.cols, frame.rows)).area());
    if (area > v.thumbnail_area)
      if (cv::Mat view = thumbnail_of(frame, t.box); !view.empty()) v.thumbnail_area = area, v.thumbnail = view;
  }
}

TrackAttributes TrackDescriber::peek(int id) const {
  TrackAttributes a;
  a.frame = frame_;
  const auto it = votes_.find(id);
  if (it == votes_.end()) return a;
  a.upper = names_from_votes(it->second.body.upper);
  a.lower = names_from_votes(it->second.body.lower);
  a.colour = names_from_votes(it->second.vehicle);
  a.views = it->second.views;
  a.thumbnail = it->second.thumbnail;
  return a;
}

TrackAttributes TrackDescriber::take(int id) {
  TrackAttributes a = peek(id);
  votes_.erase(id);
  return a;
}

void describe_motion(TrackAttributes& a, const std::vector<cv::Point2f>& path, double first_s, double last_s,
                     const std::vector<double>& homography) {
  a.dwell_s = std::max(0.0, last_s - first_s);
  a.speed_unit = homography.size() == 9 ? "m/s" : "px/s";
  if (path.size() < 2) return;
  std::vector<cv::Point2f> points = path;
  if (homography.size() == 9) cv::perspectiveTransform(path, points, cv::Matx33d(homography.data()));
  double length = 0;
  for (size_t i = 1; i < points.size(); ++i) length += cv::norm(points[i] - points[i - 1]);
  if (a.dwell_s > 0) a.speed = length / a.dwell_s;
  // The heading is an image direction: on the ground it depends on where the camera looks.
  const cv::Point2f d = path.back() - path.front();
  if (d.x != 0 || d.y != 0) {
    a.heading_deg = std::atan2(d.y, d.x) * 180 / M_PI;
    if (a.heading_deg < 0) a.heading_deg += 360;
  }
}

void describe_size(TrackAttributes& a, const Box& box, const std::vector<double>& homography) {
  a.width = box.w, a.height = box.h, a.size_unit = "px";
  if (homography.size() != 9 || box.w <= 0) return;
  const double* h = homography.data();
  auto w = [h](double x, double y) { return h[6] * x + h[7] * y + h[8]; };
  auto ground = [&](double x, double y) {
    return cv::Point2d{(h[0] * x + h[1] * y + h[2]) / w(x, y), (h[3] * x + h[4] * y + h[5]) / w(x, y)};
  };
  // Both feet must be on the ground's side of the horizon — that of the frame's bottom
  // centre, which is ground — else there is no scale there (w changes sign at the horizon).
  const double y = box.bottom();
  const bool ground_side = a.frame.area() > 0 ? w(a.frame.width / 2.0, a.frame.height - 1.0) > 0 : w(box.x, y) > 0;
  for (const double x : {box.x, box.right()})
    if (std::abs(w(x, y)) < 1e-12 || (w(x, y) > 0) != ground_side) return;
  const double metres_per_pixel = cv::norm(ground(box.right(), y) - ground(box.x, y)) / box.w;
  if (!(metres_per_pixel > 0) || !std::isfinite(metres_per_pixel)) return;
  a.width = box.w * metres_per_pixel, a.height = box.h * metres_per_pixel, a.size_unit = "m";
}

}  // namespace vigie::describe
