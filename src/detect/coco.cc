#include <array>
#include <string>

#include "detect/detector.h"

namespace vigie::detect {
namespace {
const std::array<std::string, 80> kCoco = {
    "person", "bicycle", "car", "motorcycle", "airplane", "bus", "train", "truck", "boat",
    "traffic light", "fire hydrant", "stop sign", "parking meter", "bench", "bird", "cat", "dog",
    "horse", "sheep", "cow", "elephant", "bear", "zebra", "giraffe", "backpack", "umbrella",
    "handbag", "tie", "suitcase", "frisbee", "skis", "snowboard", "sports ball", "kite",
    "baseball bat", "baseball glove", "skateboard", "surfboard", "tennis racket", "bottle",
    "wine glass", "cup", "fork", "knife", "spoon", "bowl", "banana", "apple", "sandwich",
    "orange", "broccoli", "carrot", "hot dog", "pizza", "donut", "cake", "chair", "couch",
    "potted plant", "bed", "dining table", "toilet", "tv", "laptop", "mouse", "remote",
    "keyboard", "cell phone", "microwave", "oven", "toaster", "sink", "refrigerator", "book",
    "clock", "vase", "scissors", "teddy bear", "hair drier", "toothbrush"};
const std::string kObject = "object";
}  // namespace

int coco_class_id(const std::string& name) {
  for (size_t i = 0; i < kCoco.size(); ++i)
    if (kCoco[i] == name) return static_cast<int>(i);
  return -1;
}

const std::string& coco_class_name(int id) {
  return id >= 0 && id < static_cast<int>(kCoco.size()) ? kCoco[id] : kObject;
}

}  // namespace vigie::detect
