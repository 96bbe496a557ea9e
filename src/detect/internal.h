#pragma once

#include "detect/detector.h"

namespace vigie::detect {

std::unique_ptr<Detector> make_motion_detector(const DetectConfig& config);
std::unique_ptr<Detector> make_people_detector(const DetectConfig& config);
Result<std::unique_ptr<Detector>> make_onnx_detector(const DetectConfig& config, const DetectorUse& use);
Result<std::unique_ptr<Detector>> make_replay_detector(const DetectConfig& config);

}  // namespace vigie::detect
