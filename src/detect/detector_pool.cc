#include "detect/detector_pool.h"

#include <fmt/format.h>

#include <filesystem>
#include <map>
#include <opencv2/core/utility.hpp>
#include <opencv2/imgproc.hpp>

#include "detect/mosaic.h"

namespace vigie::detect {

struct DetectorPool::Job {
  Request request;
  enum class State { kQueued, kTaken, kDone } state = State::kQueued;
  std::vector<Detection> found;
  bool failed = false;  // the network threw on this batch: no answer
};

namespace {

constexpr int kGap = 8;  // grey pixels between two crops on a canvas

// A job's crops placed on canvases: several when they do not fit on one.
struct Placed {
  size_t job;
  size_t canvas;
  Tile tile;
};

}  // namespace

Result<std::shared_ptr<DetectorPool>> DetectorPool::shared(const DetectConfig& config) {
  static std::mutex registry_mutex;
  static std::map<std::string, std::weak_ptr<DetectorPool>> registry;
  const std::string key = fmt::format("{}|{}|{}", config.model, config.layout, config.input_size);
  std::lock_guard lock(registry_mutex);
  if (auto pool = registry[key].lock()) return pool;
  if (config.model.empty()) return Error{"detect.model is not set: the onnx detector needs a model file"};
  if (!std::filesystem::is_regular_file(config.model))
    return Error{fmt::format("model file '{}' not found", config.model)};
  try {
    // One copy of the network per worker (a Net runs one forward pass at a time).
    std::vector<cv::dnn::Net> nets;
    for (int i = 0; i < config.threads; ++i) {
      cv::dnn::Net net = cv::dnn::readNetFromONNX(config.model);
      if (net.empty()) return Error{fmt::format("cannot load model '{}'", config.model)};
      net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
      net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
      nets.push_back(std::move(net));
    }
    // Process-wide in OpenCV: set here, once, rather than by each camera. One core per
    // forward pass: workers side by side answer more cameras than one forward pass split
    // over the cores (10 cameras on 2 cores: 0–17 % of frames dropped against 41 %,
    // docs/BENCHMARKS.md).
    cv::setNumThreads(1);
    std::shared_ptr<DetectorPool> pool(new DetectorPool(config, std::move(nets)));
    registry[key] = pool;
    return pool;
  } catch (const cv::Exception& e) {
    return Error{fmt::format("cannot load model '{}': {}", config.model, e.msg)};
  }
}

DetectorPool::DetectorPool(const DetectConfig& config, std::vector<cv::dnn::Net> nets)
    : layout_(config.layout), side_(config.input_size) {
  for (auto& net : nets) workers_.emplace_back([this, net = std::move(net)]() mutable { work(net); });
}

DetectorPool::~DetectorPool() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  for (auto& w : workers_) w.join();
}

PoolStats DetectorPool::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

std::optional<std::vector<Detection>> DetectorPool::detect(const Request& request) {
  if (request.crops.empty()) return std::vector<Detection>{};  // nothing asked
  auto job = std::make_shared<Job>();
  job->request = request;
  std::unique_lock lock(mutex_);
  ++stats_.requests;
  queue_.push_back(job);
  changed_.notify_all();
  if (request.max_wait) {
    const auto deadline = std::chrono::steady_clock::now() + *request.max_wait;
    changed_.wait_until(lock, deadline, [&] { return job->state != Job::State::kQueued; });
    if (job->state == Job::State::kQueued) {
      queue_.erase(std::find(queue_.begin(), queue_.end(), job));
      ++stats_.dropped;
      return std::nullopt;
    }
  }
  changed_.wait(lock, [&] { return job->state == Job::State::kDone; });
  if (job->failed) return std::nullopt;
  return std::move(job->found);
}

void DetectorPool::work(cv::dnn::Net& net) {
  cv::Mat canvas, blob;
  for (;;) {
    auto batch = take_batch();
    if (batch.empty()) return;  // stopping
    try {
      run(batch, net, canvas, blob);
    } catch (const std::exception& e) {
      // A model whose output does not decode, memory: these cameras' frames go unanswered
      // (predicted by their trackers), the worker and the other cameras go on. The first
      // failure is said: unanswered frames alone would look like a busy network.
      std::lock_guard lock(mutex_);
      if (stats_.failed++ == 0) fmt::print(stderr, "vigie: the shared network failed (said once): {}\n", e.what());
      for (auto& job : batch) job->failed = true;
    }
    {
      std::lock_guard lock(mutex_);
      for (auto& job : batch) job->state = Job::State::kDone;
    }
    changed_.notify_all();
  }
}

// The oldest waiting job, and after it every waiting job whose crops all still fit on the
// first canvas: one forward pass answers them together.
std::vector<std::shared_ptr<DetectorPool::Job>> DetectorPool::take_batch() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
  std::vector<std::shared_ptr<Job>> batch;
  if (stopping_) return batch;
  CanvasPacker packer(side_, kGap);
  while (!queue_.empty()) {
    const auto& job = queue_.front();
    CanvasPacker trial = packer;
    bool fits = true;
    for (const auto& crop : job->request.crops) fits = fits && trial.place(crop, job->request.scale).has_value();
    if (!fits && !batch.empty()) break;
    packer = trial;
    job->state = Job::State::kTaken;
    batch.push_back(job);
    queue_.pop_front();
    if (!fits) break;  // a job too big for one canvas goes alone, on as many as it needs
  }
  changed_.notify_all();  // the taken jobs' cameras now wait for the answer, not the deadline
  return batch;
}

void DetectorPool::run(std::vector<std::shared_ptr<Job>>& batch, cv::dnn::Net& net, cv::Mat& canvas,
                       cv::Mat& blob) {
  std::vector<Placed> placed;
  size_t canvases = 1;
  CanvasPacker packer(side_, kGap);
  for (size_t j = 0; j < batch.size(); ++j)
    for (const auto& crop : batch[j]->request.crops) {
      const double scale = batch[j]->request.scale;
      auto tile = packer.place(crop, scale);
      if (!tile) {
        packer = CanvasPacker(side_, kGap);
        ++canvases;
        tile = packer.place(crop, scale);
      }
      placed.push_back({j, canvases - 1, *tile});
    }
  const Letterbox identity;  // decoded boxes stay in canvas pixels
  for (size_t c = 0; c < canvases; ++c) {
    canvas.create(side_, side_, CV_8UC3);
    canvas.setTo(cv::Scalar(114, 114, 114));
    for (const auto& p : placed)
      if (p.canvas == c) {
        const cv::Mat& image = *batch[p.job]->request.image;
        cv::resize(image(p.tile.source), canvas(p.tile.place), p.tile.place.size(), 0, 0, cv::INTER_LINEAR);
      }
    // YOLOX takes BGR in 0..255; the Ultralytics exports take RGB in 0..1.
    const bool yolox = layout_ == "yolox";
    cv::dnn::blobFromImage(canvas, blob, yolox ? 1.0 : 1.0 / 255, cv::Size(), cv::Scalar(),
                           /*swapRB=*/!yolox, /*crop=*/false, CV_32F);
    net.setInput(blob);
    const cv::Mat out = net.forward();
    // Decoded once per job on this canvas: each camera keeps its own classes and score.
    for (size_t j = 0; j < batch.size(); ++j) {
      const auto& r = batch[j]->request;
      std::optional<std::vector<Detection>> decoded;
      for (const auto& p : placed) {
        if (p.job != j || p.canvas != c) continue;
        if (!decoded) decoded = decode_output(out, layout_, side_, identity, r.min_score, r.keep_classes);
        for (auto& d : detections_on_tile(*decoded, p.tile, r.image->size())) batch[j]->found.push_back(std::move(d));
      }
    }
  }
  for (auto& job : batch) job->found = nms(job->found, job->request.nms_iou);
  std::lock_guard lock(mutex_);
  stats_.forward_passes += static_cast<int64_t>(canvases);
  stats_.answered += static_cast<int64_t>(batch.size());
}

}  // namespace vigie::detect
