// The plate reader measured on labelled photos (`vigie plates eval`): a CSV with a header
// naming at least image, plate, xmin, ymin, xmax, ymax (and optionally split), as the
// data sets of ../shared/data/plates have it. Pure: the CLI reads the photos.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/box.h"
#include "core/result.h"
#include "plates/characters.h"  // comparable(): how texts are compared

namespace vigie::plates {

struct PlateLabel {
  std::string image;  // relative to the CSV's folder
  std::string plate;  // letters and digits
  Box box;            // the plate in the photo, pixels
  std::string split;  // "" when the CSV has no split column
  int line = 0;       // in the CSV, for reports
};

Result<std::vector<PlateLabel>> read_plate_labels(const std::string& csv_path);

// What the reader said of one photo: its most confident plate, if any.
struct PlateGuess {
  std::optional<std::string> text;
  Box box;
  double milliseconds = 0;
  double confidence = 0;
  bool french = false;  // SIV or FNI: the formats a notice can be proposed for
};

struct PlateMiss {
  int line = 0;
  std::string wanted, read;  // read: "" when nothing was read
};

struct PlateScore {
  int images = 0, exact = 0, located = 0;
  double exact_rate = 0;
  double character_error_rate = 0;  // edits (insert, delete, substitute) / label characters
  double detection_recall = 0;      // the read plate's box overlaps the label's, IoU ≥ 0.5
  double ms_per_image = 0;
  // French readings at or above the candidate confidence that are wrong (each would be a
  // candidate for the wrong car), and right ones below it (cars left unread).
  int wrong_candidates = 0, right_below_threshold = 0;
  std::vector<PlateMiss> misses;
};

// Precondition: guesses.size() == labels.size(). candidate_confidence: see scancar::decide.
PlateScore score_plates(const std::vector<PlateLabel>& labels, const std::vector<PlateGuess>& guesses,
                        double candidate_confidence);

}  // namespace vigie::plates
