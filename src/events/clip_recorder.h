// Short alert clips: the last `pre_s` seconds of (masked) frames are kept in a ring of
// JPEGs — a few MB whatever the resolution — and when an alert starts they are written,
// with the next `post_s` seconds, to an H.264 MP4 (video/mp4_writer.h).
// Encoding runs on a worker thread behind a bounded queue, so a burst of alerts never
// stalls a live camera's analysis: a clip that finds the queue full is dropped and
// counted. For a file, where nothing is real time, `wait_when_full` waits instead.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <string>
#include <vector>

#include <opencv2/core/mat.hpp>

namespace vigie::events {

// push/start/finish/take_written from one thread (the camera's analysis thread).
class ClipRecorder {
 public:
  ClipRecorder(double pre_s, double post_s, size_t max_queued = 8, bool wait_when_full = false);
  ~ClipRecorder();  // writes what clips have, so that nothing is lost at the end of a run

  void push(const cv::Mat& bgr, double time_s);
  // Starts a clip around `time_s` for the alert; it is written to `path` once post_s
  // seconds of frames have come (or at finish()).
  void start(const std::string& alert_id, const std::string& path, double time_s);
  // Writes the clips still collecting and waits for the worker.
  void finish();
  // Clips written since the last call: (alert id, path); path empty if writing failed.
  std::vector<std::pair<std::string, std::string>> take_written();

  size_t ring_bytes() const;
  uint64_t dropped() const;

 private:
  struct Jpeg {
    double time_s;
    std::vector<uchar> bytes;
  };
  struct Clip {
    std::string alert_id, path;
    double until_s;
    std::vector<Jpeg> frames;
  };
  void enqueue(Clip&& clip);
  void work();
  static std::string encode(const Clip& clip);

  double pre_s_, post_s_;
  size_t max_queued_;
  bool wait_when_full_;
  std::deque<Jpeg> ring_;
  std::vector<Clip> open_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Clip> queue_;
  std::vector<std::pair<std::string, std::string>> written_;
  uint64_t dropped_ = 0;
  bool stopping_ = false;
  bool busy_ = false;  // the worker is encoding a clip it took off the queue
  std::thread worker_;
};

}  // namespace vigie::events
