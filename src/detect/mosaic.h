// Several crops on one network input. A network's input is a fixed square; a person
// seen where motion is not yet explained fills a small part of it. Packing the crops of
// one frame, or of several cameras, side by side lets one forward pass answer them all.
#pragma once

#include <optional>
#include <vector>

#include <opencv2/core/types.hpp>

#include "detect/detector.h"

namespace vigie::detect {

// Where one crop lies on a canvas.
struct Tile {
  cv::Rect source;   // in its image's pixels
  double scale = 1;  // canvas pixels per image pixel
  cv::Rect place;    // on the canvas
};

// Shelf packing on one square canvas: crops go left to right in rows, a row as tall as
// its tallest crop, `gap` pixels of grey between neighbours so that one box does not
// straddle two crops. Each crop is drawn at the scale asked, or smaller when it would not
// fit on an empty canvas.
class CanvasPacker {
 public:
  CanvasPacker(int side, int gap) : side_(side), gap_(gap) {}
  // The tile for a crop of `source`, or nothing when the canvas has no room left.
  std::optional<Tile> place(const cv::Rect& source, double scale);

 private:
  int side_, gap_;
  int x_ = 0, y_ = 0, row_height_ = 0;
};

// The detections of one tile, in its image's pixels: a box is kept when its centre lies
// on the tile, is clipped to it, and is dropped when it touches an edge of the tile that
// is not an edge of the image (the object is cut by the crop; a crop around it will
// see it whole). `image` is the size of the tile's image.
std::vector<Detection> detections_on_tile(const std::vector<Detection>& on_canvas, const Tile& tile,
                                          cv::Size image);

// The crops to look at for these regions of one image: each region padded by a quarter of
// its larger side (and at least `min_pad` pixels), overlapping crops merged, clipped to
// the image.
std::vector<cv::Rect> crops_around(const std::vector<Box>& regions, cv::Size image, int min_pad);

}  // namespace vigie::detect
