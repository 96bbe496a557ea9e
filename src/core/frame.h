// A decoded frame as it travels between stages.
#pragma once

#include <cstdint>
#include <opencv2/core/mat.hpp>

namespace vigie {

struct Frame {
  // Position in the decoded stream, counted from 0 (MOTChallenge files count from 1).
  int64_t index = 0;
  // Presentation time in seconds from the start of the stream, from the container's
  // timestamps when it has them, else index / nominal fps.
  double time_s = 0;
  // 8-bit BGR pixels. Shared (cv::Mat reference counting): stages that keep a frame must
  // clone() it before the source reuses the buffer.
  cv::Mat image;
  // Live sources: when the frame left the decoder (Unix seconds), to measure latency.
  double wall_epoch = 0;
};

}  // namespace vigie
