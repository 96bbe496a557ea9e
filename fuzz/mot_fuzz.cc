// MOTChallenge text (src/eval/mot): ground truth / tracks parsed and scored against
// themselves (IoU, Hungarian matching, identity metrics on whatever numbers came in), and
// the same bytes as a det.txt for the replay detector (src/detect/replay_detector).
//
// Known open bug (fuzz/known/mot/, fuzz/README.md): the replay detector converts the frame
// and class columns to integers unchecked (1e300 → undefined behaviour). Until
// src/detect checks them, inputs with such numbers skip the replay detector; set
// VIGIE_FUZZ_STRICT=1 to give it every input (what `make fuzz-known` does).
#include <cstddef>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>

#include "detect/detector.h"
#include "eval/mot.h"
#include "fuzz_common.h"

namespace {

// True when every line's first 8 numbers fit the integers the replay detector makes of them.
bool replay_numbers_in_range(std::string text) {
  std::replace(text.begin(), text.end(), ',', ' ');
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream f(line);
    for (int i = 0; i < 8; ++i) {
      double v = 0;
      const bool read = static_cast<bool>(f >> v);  // an overflowing number fails but stores ±max
      if (!(std::abs(v) < 2e9)) return false;
      if (!read) break;
    }
  }
  return true;
}

}  // namespace

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

  static const bool strict = std::getenv("VIGIE_FUZZ_STRICT") != nullptr;
  if (!strict && !replay_numbers_in_range(text)) return 0;
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
