// A COCO detector through OpenCV's dnn module: the crops a camera looks at, answered by
// the process's shared network (detector_pool.h); the decoding of each output layout and
// class-wise NMS.
#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <opencv2/dnn.hpp>
#include <opencv2/imgproc.hpp>

#include "detect/detector_pool.h"
#include "detect/internal.h"
#include "detect/mosaic.h"

namespace vigie::detect {
namespace {

Detection make_detection(float cx, float cy, float w, float h, int cls, float score,
                         const Letterbox& lb) {
  Detection d;
  const float s = static_cast<float>(lb.scale);
  d.box = {(cx - w / 2 - lb.offset.x) / s, (cy - h / 2 - lb.offset.y) / s, w / s, h / s};
  d.class_id = cls;
  d.label = coco_class_name(cls);
  d.score = score;
  return d;
}

// Best class among `keep` (or all when empty) for one row of class scores.
std::pair<int, float> best_class(const float* scores, int num_classes, const std::vector<int>& keep) {
  int best = -1;
  float best_score = 0;
  if (keep.empty()) {
    for (int c = 0; c < num_classes; ++c)
      if (scores[c] > best_score) best = c, best_score = scores[c];
  } else {
    for (int c : keep)
      if (c < num_classes && scores[c] > best_score) best = c, best_score = scores[c];
  }
  return {best, best_score};
}

// One camera's client of the shared network: which crops of its frame to look at.
class OnnxDetector final : public Detector {
 public:
  OnnxDetector(const DetectConfig& c, std::shared_ptr<DetectorPool> pool, const DetectorUse& use)
      : config_(c), pool_(std::move(pool)), use_(use) {
    for (const auto& name : c.classes) keep_.push_back(coco_class_id(name));
  }

  std::vector<Detection> detect(const Frame& frame, const Motion& motion) override {
    const cv::Mat& bgr = frame.image;
    const cv::Rect whole(0, 0, bgr.cols, bgr.rows);
    std::vector<cv::Rect> crops;
    if (config_.regions == "full") crops = {whole};
    else if (!motion.any()) crops = {};
    else if (config_.regions == "motion") crops = {motion_crop(motion, bgr.size())};
    else crops = crops_around(motion.regions, bgr.size(), kMinPad);  // unexplained

    looked_.reset();
    if (crops.size() != 1 || crops.front() != whole) {
      looked_.emplace();
      for (const auto& c : crops) looked_->push_back(Box::from(c));
    }
    const double scale = static_cast<double>(config_.input_size) / std::max(bgr.cols, bgr.rows);
    DetectorPool::Request request{&bgr, crops, scale, config_.score_threshold, keep_, config_.nms_iou, max_wait(frame)};
    auto found = pool_->detect(request);
    if (found) return std::move(*found);
    ++dropped_;
    looked_ = std::vector<Box>{};
    return {};
  }

  std::optional<std::vector<Box>> looked() const override { return looked_; }
  int64_t dropped() const override { return dropped_; }

 private:
  static constexpr int kMinPad = 16;  // pixels around a region: a person's edges in the crop

  // What is left of the frame's allowed age; a little at least, so that an idle network
  // still takes a late frame rather than none.
  std::optional<std::chrono::milliseconds> max_wait(const Frame& frame) const {
    if (!use_.max_age_s) return std::nullopt;
    const double age = frame.wall_epoch > 0 ? use_.now() - frame.wall_epoch : 0;
    const double left_ms = std::clamp((*use_.max_age_s - age) * 1000, 10.0, *use_.max_age_s * 1000 + 10);
    return std::chrono::milliseconds(static_cast<int64_t>(left_ms));
  }

  // The bounding box of all moving regions, padded, and at least one network input wide
  // so that the crop is not magnified past the model's native scale.
  cv::Rect motion_crop(const Motion& motion, cv::Size frame) const {
    cv::Rect box = motion.regions.front().rect();
    for (const auto& r : motion.regions) box |= r.rect();
    const int pad = std::max(box.width, box.height) / 5;
    box.x -= pad, box.y -= pad, box.width += 2 * pad, box.height += 2 * pad;
    const int side = std::min({config_.input_size, frame.width, frame.height});
    if (box.width < side) box.x -= (side - box.width) / 2, box.width = side;
    if (box.height < side) box.y -= (side - box.height) / 2, box.height = side;
    box.x = std::clamp(box.x, 0, frame.width - std::min(box.width, frame.width));
    box.y = std::clamp(box.y, 0, frame.height - std::min(box.height, frame.height));
    return box & cv::Rect(0, 0, frame.width, frame.height);
  }

  DetectConfig config_;
  std::shared_ptr<DetectorPool> pool_;
  DetectorUse use_;
  std::vector<int> keep_;
  std::optional<std::vector<Box>> looked_;
  int64_t dropped_ = 0;
};

}  // namespace

std::vector<Detection> decode_output(const cv::Mat& output, const std::string& layout,
                                     int input_size, const Letterbox& lb, float min_score,
                                     const std::vector<int>& keep) {
  std::vector<Detection> out;
  if (output.dims != 3) return out;
  if (layout == "yolov8") {
    // [1, 4 + C, N]: one column per candidate.
    const int rows = output.size[1], n = output.size[2], classes = rows - 4;
    cv::Mat m(rows, n, CV_32F, const_cast<float*>(output.ptr<float>()));
    cv::Mat t = m.t();  // row per candidate, contiguous
    for (int i = 0; i < n; ++i) {
      const float* r = t.ptr<float>(i);
      auto [cls, score] = best_class(r + 4, classes, keep);
      if (cls >= 0 && score >= min_score) out.push_back(make_detection(r[0], r[1], r[2], r[3], cls, score, lb));
    }
    return out;
  }
  const int n = output.size[1], cols = output.size[2], classes = cols - 5;
  const float* data = output.ptr<float>();
  if (layout == "yolov5") {
    for (int i = 0; i < n; ++i) {
      const float* r = data + static_cast<size_t>(i) * cols;
      if (r[4] < min_score) continue;
      auto [cls, cls_score] = best_class(r + 5, classes, keep);
      const float score = r[4] * cls_score;
      if (cls >= 0 && score >= min_score) out.push_back(make_detection(r[0], r[1], r[2], r[3], cls, score, lb));
    }
    return out;
  }
  // yolox: rows follow the grids of strides 8, 16, 32, each row-major.
  int row = 0;
  for (int stride : {8, 16, 32}) {
    const int g = input_size / stride;
    for (int k = 0; k < g * g && row < n; ++k, ++row) {
      const float* r = data + static_cast<size_t>(row) * cols;
      if (r[4] < min_score) continue;
      auto [cls, cls_score] = best_class(r + 5, classes, keep);
      const float score = r[4] * cls_score;
      if (cls < 0 || score < min_score) continue;
      const float cx = (r[0] + k % g) * stride, cy = (r[1] + k / g) * stride;
      const float w = std::exp(r[2]) * stride, h = std::exp(r[3]) * stride;
      out.push_back(make_detection(cx, cy, w, h, cls, score, lb));
    }
  }
  return out;
}

std::vector<Detection> nms(const std::vector<Detection>& dets, float iou_threshold) {
  // One NMSBoxes call with boxes of different classes shifted apart (OpenCV 4.6 has no
  // NMSBoxesBatched).
  std::vector<cv::Rect2d> boxes;
  std::vector<float> scores;
  for (const auto& d : dets) {
    const double shift = (d.class_id + 1) * 100000.0;
    boxes.emplace_back(d.box.x + shift, d.box.y, d.box.w, d.box.h);
    scores.push_back(d.score);
  }
  std::vector<int> kept;
  cv::dnn::NMSBoxes(boxes, scores, 0.f, iou_threshold, kept);
  std::vector<Detection> out;
  for (int i : kept) out.push_back(dets[i]);
  return out;
}

Result<std::unique_ptr<Detector>> make_onnx_detector(const DetectConfig& config, const DetectorUse& use) {
  for (const auto& name : config.classes)
    if (coco_class_id(name) < 0) return Error{fmt::format("detect.classes: '{}' is not a COCO class", name)};
  auto pool = DetectorPool::shared(config);
  if (!pool) return pool.error();
  return std::unique_ptr<Detector>(new OnnxDetector(config, std::move(pool.value()), use));
}

Result<std::unique_ptr<Detector>> make_detector(const DetectConfig& config, const DetectorUse& use) {
  if (config.type == "onnx") return make_onnx_detector(config, use);
  if (config.type == "motion") return make_motion_detector(config);
  if (config.type == "people") return make_people_detector(config);
  if (config.type == "replay") return make_replay_detector(config);
  return Error{fmt::format("unknown detector type '{}' (people, motion, onnx or replay)", config.type)};
}

}  // namespace vigie::detect
