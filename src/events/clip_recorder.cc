#include "events/clip_recorder.h"

#include <fmt/format.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/videoio.hpp>

#include <filesystem>
#include <mutex>

#include "video/mp4_writer.h"

namespace vigie::events {

ClipRecorder::ClipRecorder(double pre_s, double post_s, size_t max_queued, bool wait_when_full)
    : pre_s_(pre_s), post_s_(post_s), max_queued_(max_queued), wait_when_full_(wait_when_full),
      worker_([this] { work(); }) {}

ClipRecorder::~ClipRecorder() {
  finish();
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  worker_.join();
}

void ClipRecorder::push(const cv::Mat& bgr, double time_s) {
  Jpeg j{time_s, {}};
  cv::imencode(".jpg", bgr, j.bytes, {cv::IMWRITE_JPEG_QUALITY, 80});
  for (auto& c : open_) c.frames.push_back(j);
  ring_.push_back(std::move(j));
  while (!ring_.empty() && ring_.front().time_s < time_s - pre_s_) ring_.pop_front();
  for (auto it = open_.begin(); it != open_.end();) {
    if (time_s < it->until_s) {
      ++it;
      continue;
    }
    enqueue(std::move(*it));
    it = open_.erase(it);
  }
}

void ClipRecorder::start(const std::string& alert_id, const std::string& path, double time_s) {
  Clip c{alert_id, path, time_s + post_s_, {ring_.begin(), ring_.end()}};
  open_.push_back(std::move(c));
}

void ClipRecorder::finish() {
  for (auto& c : open_) enqueue(std::move(c));
  open_.clear();
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return queue_.empty() && !busy_; });
}

void ClipRecorder::enqueue(Clip&& clip) {
  std::unique_lock lock(mu_);
  if (wait_when_full_) cv_.wait(lock, [&] { return queue_.size() < max_queued_; });
  if (queue_.size() >= max_queued_) {
    ++dropped_;
    written_.emplace_back(clip.alert_id, "");
    return;
  }
  queue_.push_back(std::move(clip));
  cv_.notify_all();
}

void ClipRecorder::work() {
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping
    Clip clip = std::move(queue_.front());
    queue_.pop_front();
    busy_ = true;
    cv_.notify_all();  // room in the queue
    lock.unlock();
    std::string path = encode(clip);
    lock.lock();
    busy_ = false;
    written_.emplace_back(clip.alert_id, std::move(path));
    cv_.notify_all();
  }
}

std::vector<std::pair<std::string, std::string>> ClipRecorder::take_written() {
  std::lock_guard lock(mu_);
  std::vector<std::pair<std::string, std::string>> out;
  out.swap(written_);
  return out;
}

uint64_t ClipRecorder::dropped() const {
  std::lock_guard lock(mu_);
  return dropped_;
}

size_t ClipRecorder::ring_bytes() const {
  size_t n = 0;
  for (const auto& j : ring_) n += j.bytes.size();
  return n;
}

std::string ClipRecorder::encode(const Clip& clip) {
  if (clip.frames.empty()) return "";
  const cv::Mat first = cv::imdecode(clip.frames.front().bytes, cv::IMREAD_COLOR);
  const double span = clip.frames.back().time_s - clip.frames.front().time_s;
  // Played at the rate the frames came in, so that a clip lasts as long as what it shows.
  const double fps = clip.frames.size() > 1 && span > 0 ? (clip.frames.size() - 1) / span : 10.0;
  // H.264, which browsers play (the console shows clips in a <video>), at a preset that
  // costs a fraction of OpenCV's default (video/mp4_writer.h); MPEG-4 part 2, which they do
  // not play, only where libav has no H.264 encoder.
  // Written beside its name and renamed when whole: a clip that fails (a full disk) leaves
  // no file that no alert names, which retention would never delete.
  const std::string part = clip.path + ".part";
  auto h264 = video::Mp4Writer::open(part, first.size(), fps);
  if (h264) {
    bool whole = true;
    for (const auto& j : clip.frames) {
      const cv::Mat frame = cv::imdecode(j.bytes, cv::IMREAD_COLOR);
      if (frame.size() != first.size()) continue;  // the stream changed size mid-clip
      if (!(whole = bool((*h264)->write(frame)))) break;
    }
    whole = whole && (*h264)->finish();
    h264->reset();
    std::error_code ec;
    if (whole) std::filesystem::rename(part, clip.path, ec);
    if (!whole || ec) std::filesystem::remove(part, ec);
    return whole && !ec ? clip.path : "";
  }
  std::error_code ec;
  std::filesystem::remove(part, ec);
  static std::once_flag said;  // the console cannot play what follows: said once
  std::call_once(said, [&] {
    fmt::print(stderr, "vigie: warning: clips fall back to MPEG-4 part 2, which browsers do not play: {}\n",
               h264.error().message);
  });
  cv::VideoWriter w(clip.path, cv::CAP_FFMPEG, cv::VideoWriter::fourcc('m', 'p', '4', 'v'), fps, first.size());
  if (!w.isOpened()) return "";
  for (const auto& j : clip.frames) w.write(cv::imdecode(j.bytes, cv::IMREAD_COLOR));
  w.release();
  return clip.path;
}

}  // namespace vigie::events
