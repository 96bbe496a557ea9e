// What a track looked like, for forensic search: the colours a person wears (upper and
// lower body) or a vehicle's colour, summed over many views while the track lives, with
// how it moved. Computed on masked frames only (the pipeline masks before anything).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <opencv2/core/mat.hpp>
#include <opencv2/core/types.hpp>

#include "core/box.h"
#include "describe/body.h"
#include "describe/colours.h"
#include "rules/passages.h"

namespace vigie::describe {

struct TrackAttributes {
  ColourNames upper, lower;  // people
  ColourNames colour;        // vehicles (car, bus, truck, motorcycle, bicycle)
  int views = 0;             // frames whose pixels were counted
  double speed = 0;          // mean speed over the path, in speed_unit
  std::string speed_unit;    // "m/s" with a homography, "px/s" without
  double heading_deg = 0;    // from the first to the last position: 0 east (image right), 90 south (down)
  double dwell_s = 0;        // from first to last seen
  // Width and height of its clearest view: metres with a homography (the ground scale at
  // its feet, describe_size), pixels without.
  double width = 0, height = 0;
  std::string size_unit;
  rules::TrackPassages passages;  // zones visited, lines crossed (rules/passages.h)
  cv::Mat thumbnail;         // the largest detected view, at most kThumbnailHeight high (masked pixels)
  cv::Size frame;            // the frame's size, which the path's pixels are of
};

inline constexpr int kThumbnailHeight = 128;

bool is_vehicle(std::string_view label);

// One confirmed track seen on a frame.
struct Sighting {
  int id = 0;
  Box box;
  std::string label;
  bool detected = false;  // matched a detection on this frame (the box is not a guess)
};

// The scene without its moving people: an approximate median (each pixel steps one level
// towards the frames it sees), cheap, and not dragged by one person walking through.
class Background {
 public:
  void update(const cv::Mat& frame);
  const cv::Mat& image() const { return image_; }

 private:
  cv::Mat image_;
};

// Collects every confirmed track's colour votes while it lives.
class TrackDescriber {
 public:
  // `every_n`: a track's pixels are counted on one of every n frames where it is
  // detected (neighbouring frames say the same; the cost stays a small share of the
  // pipeline's). The background steps on one frame in 3·`every_n`.
  explicit TrackDescriber(int every_n = 3) : every_n_(std::max(1, every_n)) {}

  void observe(const cv::Mat& frame, const std::vector<Sighting>& tracks);
  // The colours and thumbnail collected for a track (then forgotten); the motion fields
  // are left to describe_motion. peek(): the same for a track that goes on.
  TrackAttributes take(int id);
  TrackAttributes peek(int id) const;

 private:
  struct Votes {
    BodyVotes body;
    ColourVotes vehicle{};
    int detections = 0, views = 0;
    float thumbnail_area = 0;
    cv::Mat thumbnail;
  };
  int every_n_;
  int64_t frames_ = 0;
  cv::Size frame_;
  Background background_;
  std::map<int, Votes> votes_;
};

// Speed, heading and dwell from a track's foot points (image pixels) over its life.
// `homography`: 9 numbers, image → ground metres, or empty.
void describe_motion(TrackAttributes& a, const std::vector<cv::Point2f>& path, double first_s, double last_s,
                     const std::vector<double>& homography);

// The size of a view `box` (image pixels). With a homography (image → ground metres) the
// width is the box's bottom edge measured on the ground, and the height is its pixels at
// that same scale: exact for an upright object seen by a camera looking level, an
// under-estimate by cos(tilt) for one looking down. Without, or where the feet are not on
// the ground's side of the horizon (that of the bottom of `a.frame`): pixels.
void describe_size(TrackAttributes& a, const Box& box, const std::vector<double>& homography);

}  // namespace vigie::describe
