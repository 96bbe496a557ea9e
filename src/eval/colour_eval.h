// Measured accuracy of the clothing colour names on a labelled set of person crops: a
// CSV `video,frame,x,y,w,h,upper,lower` (video: a name given a file on the command line;
// frame: from 1; the box in pixels; upper and lower: the accepted names, `|` between
// them when a person could fairly say either, e.g. `blue|black` for dark navy). A crop's
// region is right when the most likely name is one of its accepted names.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/box.h"
#include "core/result.h"
#include "describe/colours.h"

namespace vigie::eval {

struct ColourLabel {
  std::string video;
  int frame = 0;
  Box box;
  std::vector<describe::Colour> upper, lower;
  int line = 0;  // in the CSV, for reports
};

Result<std::vector<ColourLabel>> read_colour_labels(const std::string& csv_path);

// What was named for one labelled crop: each region's names, most likely first.
struct ColourGuess {
  describe::ColourNames upper, lower;
};

struct ColourMistake {
  int line = 0;
  std::string region;  // upper | lower
  std::string said;    // the most likely name, or "(none)"
  std::string wanted;  // the accepted names, `|` between them
};

struct ColourScore {
  int crops = 0;
  double upper_accuracy = 0, lower_accuracy = 0;
  std::vector<ColourMistake> mistakes;
  // wanted (first accepted name) → said → count, over both regions.
  std::map<std::string, std::map<std::string, int>> confusion;
};

// `guesses[i]` is for `labels[i]`.
ColourScore score_colours(const std::vector<ColourLabel>& labels, const std::vector<ColourGuess>& guesses);

}  // namespace vigie::eval
