// MOTChallenge text (src/eval/mot): ground truth / tracks parsed and scored against
// themselves (IoU, Hungarian matching, identity metrics on whatever numbers came in), and
// the same bytes as a det.txt for the replay detector (src/detect/replay_detector).
// Every input reaches both (out-of-range frame/class numbers: regressions/mot/replay_*).
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "detect/detector.h"
#include "eval/mot.h"
#include "fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::istringstream in(text);
  auto rows = vigie::eval::parse_mot(in, "gt.txt");
  if (rows) {
    // Scoring is quadratic in the boxes of one frame; inputs are kept small (-max_len).
    (void)vigie::eval::evaluate_mot(*rows, *rows);
    std::ostringstream out;
    for (const auto& r : *rows) vigie::eval::write_mot_row(out, r);
  }

  vigie::DetectConfig config;
  config.type = "replay";
  config.detections = vigie::fuzz::write_input("det.txt", data, size);
  auto detector = vigie::detect::make_detector(config);
  if (detector) {
    vigie::Frame frame;
    const vigie::detect::Motion motion;
    for (frame.index = 0; frame.index < 3; ++frame.index) (void)(*detector)->detect(frame, motion);
  }
  return 0;
}
