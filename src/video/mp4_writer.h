// H.264 in MP4, written with libav: what browsers play (the console shows alert clips in
// a <video>). x264 runs at its `veryfast` preset on one thread: OpenCV's VideoWriter gave
// no way to choose, and its default spent two thirds of a camera's CPU on a minute of
// alert clips (docs/BENCHMARKS.md, the motion daemon comparison).
#pragma once

#include <opencv2/core.hpp>

#include <memory>
#include <string>

#include "core/result.h"

namespace vigie::video {

class Mp4Writer {
 public:
  // Frames of `size` (BGR) at `fps`; of an odd width or height the last column or row is
  // left out (the encoder's 4:2:0 needs even sizes). Fails, naming the file, without an H.264 encoder or when
  // the file cannot be written.
  static Result<std::unique_ptr<Mp4Writer>> open(const std::string& path, cv::Size size, double fps);
  ~Mp4Writer();
  Result<Ok> write(const cv::Mat& bgr);  // of the size given to open
  Result<Ok> finish();                    // flushes the encoder, writes the index

  struct Impl;

 private:
  explicit Mp4Writer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigie::video
