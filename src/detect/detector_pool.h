// One COCO network for all the cameras of a process. Each camera asks for detections in
// a few crops of its frame; a worker packs the crops of the waiting cameras onto one
// network input (mosaic.h) and runs the network once for all of them. `detect.threads`
// workers run side by side, one core each; OpenCV's thread count is set once, when the
// pool is made. A live camera does not wait for a busy
// network past its deadline: its request leaves the queue unanswered (counted as
// dropped) and its tracker predicts that frame instead.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include <opencv2/core/mat.hpp>
#include <opencv2/dnn.hpp>

#include "config/config.h"
#include "core/result.h"
#include "detect/detector.h"

namespace vigie::detect {

struct PoolStats {
  int64_t requests = 0;  // answered or dropped
  int64_t dropped = 0;   // left the queue unanswered: a live camera's deadline passed
  int64_t answered = 0;  // requests that went through the network
  int64_t forward_passes = 0;
  int64_t failed = 0;    // forward passes that threw: their requests went unanswered
};

class DetectorPool {
 public:
  // The process's pool for this model (file, layout, input size), made on first use and
  // shared while a camera holds it. Fails naming the model file.
  static Result<std::shared_ptr<DetectorPool>> shared(const DetectConfig& config);
  ~DetectorPool();
  DetectorPool(const DetectorPool&) = delete;
  DetectorPool& operator=(const DetectorPool&) = delete;

  // What one camera asks on one frame. `image` must outlive the call (the call blocks).
  struct Request {
    const cv::Mat* image = nullptr;
    std::vector<cv::Rect> crops;  // not overlapping (crops_around)
    // Network pixels per image pixel: the scale at which the whole image would fill the
    // input, so that a crop is seen as the network sees the whole frame.
    double scale = 1;
    float min_score = 0;
    std::vector<int> keep_classes;  // empty: all
    float nms_iou = 0.45f;
    // How long the request may wait before the network takes it; nullopt: as long as it
    // takes (a file waits, nothing is lost).
    std::optional<std::chrono::milliseconds> max_wait;
  };
  // The detections in image pixels, or nothing when the request was dropped (or the
  // network failed on it).
  std::optional<std::vector<Detection>> detect(const Request& request);

  PoolStats stats() const;

 private:
  struct Job;
  DetectorPool(const DetectConfig& config, std::vector<cv::dnn::Net> nets);
  void work(cv::dnn::Net& net);
  std::vector<std::shared_ptr<Job>> take_batch();
  void run(std::vector<std::shared_ptr<Job>>& batch, cv::dnn::Net& net, cv::Mat& canvas, cv::Mat& blob);

  const std::string layout_;
  const int side_;

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::shared_ptr<Job>> queue_;
  PoolStats stats_;
  bool stopping_ = false;
  std::vector<std::thread> workers_;  // `threads` of them, each with its own copy of the network
};

}  // namespace vigie::detect
