// Label CSVs: the audio set's `file,start,end,label` (src/eval/audio_eval), read and then
// scored against no detections (every label a miss, every number used).
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "eval/audio_eval.h"
#include "fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto path = vigie::fuzz::write_input("labels.csv", data, size);
  auto labels = vigie::eval::read_audio_labels(path);
  if (labels) {
    std::map<std::string, double> durations;
    for (const auto& l : *labels) durations[l.file] = l.end;
    (void)vigie::eval::score_audio(*labels, {}, durations, {"sound_level", "impulse", "scream", "clamour"});
  }
  return 0;
}
