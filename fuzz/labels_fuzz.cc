// Label CSVs: the audio set's `file,start,end,label` (src/eval/audio_eval), read and then
// scored against no detections (every label a miss, every number used); the same bytes
// as the colour set's `video,frame,x,y,w,h,upper,lower` (src/eval/colour_eval), scored
// against guesses naming every crop's first accepted colour; and as the plate sets'
// `image,plate,xmin,ymin,xmax,ymax[,split]` (src/plates/eval), scored against guesses
// reading every plate backwards.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "eval/audio_eval.h"
#include "eval/colour_eval.h"
#include "fuzz_common.h"
#include "plates/eval.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto path = vigie::fuzz::write_input("labels.csv", data, size);
  auto labels = vigie::eval::read_audio_labels(path);
  if (labels) {
    std::map<std::string, double> durations;
    for (const auto& l : *labels) durations[l.file] = l.end;
    (void)vigie::eval::score_audio(*labels, {}, durations, {"sound_level", "impulse", "scream", "clamour"});
  }
  auto crops = vigie::eval::read_colour_labels(path);
  if (crops) {
    std::vector<vigie::eval::ColourGuess> guesses;
    for (const auto& c : *crops) guesses.push_back({{{c.upper.at(0), 1.f}}, {}});
    (void)vigie::eval::score_colours(*crops, guesses);
  }
  auto plates = vigie::plates::read_plate_labels(path);
  if (plates) {
    std::vector<vigie::plates::PlateGuess> guesses;
    for (const auto& p : *plates) guesses.push_back({std::string(p.plate.rbegin(), p.plate.rend()), p.box, 1, 0.95, true});
    (void)vigie::plates::score_plates(*plates, guesses, 0.9);
  }
  return 0;
}
