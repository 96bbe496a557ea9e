// Small synthetic scenes written as video files for the end-to-end tests.
#pragma once

#include <filesystem>

#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

namespace vigie::testing {

// A person-sized yellow block walking left to right across a grey street: 60 frames,
// 320x240, 10 fps, x = 10 + 4 i on frame i (counted from 0).
inline void write_walking_clip(const std::filesystem::path& file) {
  cv::VideoWriter w(file.string(), cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), 10, {320, 240});
  for (int i = 0; i < 60; ++i) {
    cv::Mat img(240, 320, CV_8UC3, cv::Scalar(100, 100, 100));
    cv::rectangle(img, cv::Rect(10 + 4 * i, 90, 24, 60), cv::Scalar(30, 200, 240), cv::FILLED);
    w.write(img);
  }
}

}  // namespace vigie::testing
