#include "pipeline/draw.h"

#include <fmt/format.h>

#include <opencv2/imgproc.hpp>

namespace vigie::pipeline {

static cv::Scalar colour_of(int id) {
  // Golden-ratio hue steps keep neighbouring ids apart in colour.
  const double hue = std::fmod(id * 0.618033988749895, 1.0) * 180;
  cv::Mat hsv(1, 1, CV_8UC3, cv::Scalar(hue, 200, 255)), bgr;
  cv::cvtColor(hsv, bgr, cv::COLOR_HSV2BGR);
  const auto c = bgr.at<cv::Vec3b>(0, 0);
  return {static_cast<double>(c[0]), static_cast<double>(c[1]), static_cast<double>(c[2])};
}

void draw_tracks(cv::Mat& bgr, const std::vector<track::TrackState>& tracks) {
  for (const auto& t : tracks) {
    const cv::Scalar colour = colour_of(t.id);
    const cv::Rect r = t.box.rect();
    cv::rectangle(bgr, r, colour, 2);
    const std::string text = fmt::format("{} {}", t.id, t.label);
    int base = 0;
    const cv::Size size = cv::getTextSize(text, cv::FONT_HERSHEY_SIMPLEX, 0.45, 1, &base);
    const cv::Point at(r.x, std::max(size.height + 2, r.y - 2));
    cv::rectangle(bgr, at + cv::Point(0, base), at + cv::Point(size.width, -size.height - 2), colour,
                  cv::FILLED);
    cv::putText(bgr, text, at, cv::FONT_HERSHEY_SIMPLEX, 0.45, cv::Scalar(0, 0, 0), 1, cv::LINE_AA);
  }
}

}  // namespace vigie::pipeline

namespace vigie::pipeline {

void draw_places(cv::Mat& bgr, const CameraConfig& camera, const std::string& highlight) {
  auto pts = [](const std::vector<cv::Point2f>& p) {
    std::vector<cv::Point> out;
    for (const auto& q : p) out.emplace_back(cvRound(q.x), cvRound(q.y));
    return out;
  };
  for (const auto& [name, zone] : camera.zones) {
    const bool hot = name == highlight;
    cv::polylines(bgr, std::vector<std::vector<cv::Point>>{pts(zone)}, true,
                  hot ? cv::Scalar(0, 0, 255) : cv::Scalar(0, 200, 255), hot ? 3 : 1);
  }
  for (const auto& [name, line] : camera.lines) {
    const bool hot = name == highlight;
    cv::polylines(bgr, std::vector<std::vector<cv::Point>>{pts(line.points)}, false,
                  hot ? cv::Scalar(0, 0, 255) : cv::Scalar(255, 200, 0), hot ? 3 : 1);
  }
}

}  // namespace vigie::pipeline
