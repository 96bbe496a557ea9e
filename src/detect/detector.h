// Detection: where the objects are in one frame.
//
// MotionGate is the cheap stage (a running background on a small grey frame) that says
// where and whether something moves; a Detector finds objects, either by background
// subtraction (`motion`, no model needed) or with a COCO network (`onnx`).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <opencv2/core/mat.hpp>

#include "config/config.h"
#include "core/box.h"
#include "core/clock.h"
#include "core/frame.h"
#include "core/result.h"

namespace vigie::detect {

struct Detection {
  Box box;            // full-frame pixels
  int class_id = -1;  // COCO id for onnx; -1 for the class-free `object`
  std::string label;  // "person", "car", … or "object"
  float score = 0;    // 0..1
  // A colour description of the object (see track/appearance.h); empty when not computed.
  std::vector<float> appearance;
};

// Moving regions of one frame, in full-frame pixels.
struct Motion {
  std::vector<Box> regions;
  double moving_share = 0;  // share of the frame's pixels that changed
  bool any() const { return !regions.empty(); }
};

// Not thread-safe: one per camera.
class MotionGate {
 public:
  explicit MotionGate(const MotionGateConfig& config);
  Motion update(const cv::Mat& bgr);
  // The moving regions of the last update() left once the `explained` boxes (full-frame
  // pixels) are taken out of its moving pixels: motion that no followed object accounts for.
  std::vector<Box> unexplained(const std::vector<Box>& explained) const;

 private:
  std::vector<Box> regions_of(const cv::Mat& mask) const;

  MotionGateConfig config_;
  double scale_ = 1;  // work pixels per frame pixel
  cv::Mat background_;  // CV_32F running average at the work resolution
  cv::Mat small_, grey_, diff_, mask_;
};

// Not thread-safe: one per camera. detect() never throws on image content.
class Detector {
 public:
  virtual ~Detector() = default;
  // `motion` is what the gate saw on this frame; detectors may restrict their search to it.
  virtual std::vector<Detection> detect(const Frame& frame, const Motion& motion) = 0;
  // Where the last detect() looked, in full-frame pixels: nothing when at the whole frame;
  // an empty list when nowhere (a live camera's request dropped by a busy shared network).
  // What a detector did not look at, it cannot have missed: the tracker predicts it.
  virtual std::optional<std::vector<Box>> looked() const { return std::nullopt; }
  // Requests the shared network dropped for this camera (onnx only).
  virtual int64_t dropped() const { return 0; }
};

// How the camera that owns a detector uses it.
struct DetectorUse {
  // A live camera: how old (seconds since it was decoded, Frame::wall_epoch) a frame may
  // be when the shared network takes it; older, its tracker predicts it instead, so that
  // a busy network delays no alert by more than this. Nothing: a file's frame waits as
  // long as it takes (nothing is lost).
  std::optional<double> max_age_s;
  EpochClock now = system_epoch;  // the clock of Frame::wall_epoch
};

// Builds the detector named by config.type. Fails with a message naming the missing or
// unreadable model (or detections) file. An `onnx` detector is a client of the process's
// shared network (detector_pool.h).
Result<std::unique_ptr<Detector>> make_detector(const DetectConfig& config, const DetectorUse& use = {});

// --- Pieces exposed for tests --------------------------------------------------------

// COCO class names by id (80 entries); -1 if `name` is not one.
int coco_class_id(const std::string& name);
const std::string& coco_class_name(int id);

struct Letterbox {
  double scale = 1;  // network pixels per image pixel
  cv::Point2f offset;  // image origin inside the network input (top-left padding: 0,0)
};

// Decodes one output tensor into detections in image pixels (before NMS).
// yolox: [1,N,5+C] raw grid outputs (strides 8,16,32); yolov5: [1,N,5+C] decoded boxes;
// yolov8: [1,4+C,N] decoded boxes without objectness.
std::vector<Detection> decode_output(const cv::Mat& output, const std::string& layout,
                                     int input_size, const Letterbox& lb, float min_score,
                                     const std::vector<int>& keep_classes);

// How tall a person is at each image row of one camera, learnt from sure detections: a
// straight line h = a + b·foot_y (a flat ground seen in perspective), fitted by least
// squares over the last samples, refitted without the samples 25 % off the first fit (a
// refit that keeps fewer than half of them is not taken).
class PersonSizeModel {
 public:
  void add(const Box& person);
  // Enough samples (and a fit made): until then height_at() is not to be trusted.
  bool ready() const { return fitted_; }
  double height_at(double foot_y) const;
  double slope() const { return b_; }  // pixels of height per row of foot
  // Within 25 % of the height predicted at the box's foot row.
  bool plausible(const Box& person) const;

  static constexpr size_t kSamplesBeforeUse = 300;

 private:
  void refit();
  std::vector<cv::Point2d> samples_;  // (foot_y, height), a ring of the latest
  size_t next_ = 0, added_ = 0;
  bool fitted_ = false;
  double a_ = 0, b_ = 0;
};

// Class-wise non-maximum suppression.
std::vector<Detection> nms(const std::vector<Detection>& dets, float iou_threshold);

}  // namespace vigie::detect
