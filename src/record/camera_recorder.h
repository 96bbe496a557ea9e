// A configured camera's recorder (`record: true`), built the same way wherever a camera
// runs: its key derived from the recordings' master key file (created on first use), its
// folder beside the store, and what a crash left open recovered first.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/result.h"
#include "record/recorder.h"
#include "record/retention.h"

namespace vigie::record {

struct CameraRecorder {
  std::unique_ptr<Recorder> recorder;
  std::vector<events::SegmentRow> recovered;  // to index, as finished segments are
  std::vector<std::string> warnings;          // open segments that could not be recovered
};

// Fails (naming the file) when the key file or the folder cannot be made.
Result<CameraRecorder> open_camera_recorder(const Config& config, const CameraConfig& camera,
                                            std::function<double()> clock,
                                            std::function<void(const events::SegmentRow&)> on_segment,
                                            std::function<void(const std::string&)> on_error);

// The recordings folder (recording.folder, beside the store) and the limits of the config.
std::filesystem::path recordings_root(const Config& config);
Limits recording_limits(const Config& config);

// The key that opens a camera's recordings (playback, export), read, never created.
Result<SecretKey> camera_key_for_reading(const Config& config, const std::string& camera);

}  // namespace vigie::record
