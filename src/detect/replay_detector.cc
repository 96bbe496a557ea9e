// Detections read from a MOTChallenge det.txt file instead of computed: the tracker and
// everything downstream can be measured on a detector's saved output, or on public
// detections, in seconds.
#include <fmt/format.h>

#include <fstream>
#include <map>
#include <sstream>

#include "detect/internal.h"

namespace vigie::detect {
namespace {

class ReplayDetector final : public Detector {
 public:
  explicit ReplayDetector(std::map<int64_t, std::vector<Detection>> by_frame)
      : by_frame_(std::move(by_frame)) {}

  std::vector<Detection> detect(const Frame& frame, const Motion&) override {
    auto it = by_frame_.find(frame.index + 1);  // det.txt counts frames from 1
    return it == by_frame_.end() ? std::vector<Detection>{} : it->second;
  }

 private:
  std::map<int64_t, std::vector<Detection>> by_frame_;
};

}  // namespace

Result<std::unique_ptr<Detector>> make_replay_detector(const DetectConfig& config) {
  std::ifstream in(config.detections);
  if (!in) return Error{fmt::format("cannot read detections file '{}'", config.detections)};
  std::map<int64_t, std::vector<Detection>> by_frame;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    std::replace(line.begin(), line.end(), ',', ' ');
    std::istringstream f(line);
    double v[8] = {0, 0, 0, 0, 0, 0, 1, -1};
    int got = 0;
    while (got < 8 && f >> v[got]) ++got;
    if (got < 7) return Error{fmt::format("{}:{}: expected frame,id,x,y,w,h,score[,class]", config.detections, n)};
    // Frame and class become integers: out of range (or not finite) is a bad row, not
    // undefined behaviour (found by fuzz_mot).
    if (!(v[0] >= 1 && v[0] <= 1e12) || !(v[7] >= -1 && v[7] <= 1e6))
      return Error{fmt::format("{}:{}: frame must be 1..1e12 and class -1..1e6", config.detections, n)};
    Detection d;
    d.box = {static_cast<float>(v[2]), static_cast<float>(v[3]), static_cast<float>(v[4]), static_cast<float>(v[5])};
    d.score = static_cast<float>(v[6]);
    d.class_id = static_cast<int>(v[7]);
    d.label = coco_class_name(d.class_id);
    if (d.score >= config.score_threshold) by_frame[static_cast<int64_t>(v[0])].push_back(d);
  }
  return std::unique_ptr<Detector>(new ReplayDetector(std::move(by_frame)));
}

}  // namespace vigie::detect
