#include "record/camera_recorder.h"

#include <fmt/format.h>

#include "record/sealed_file.h"

namespace vigie::record {

std::filesystem::path recordings_root(const Config& config) {
  return beside_store(config.store, config.recording.folder);
}

Limits recording_limits(const Config& config) {
  return Limits{config.recording.retention_days, static_cast<int64_t>(config.recording.quota_gb * 1e9)};
}

Result<CameraRecorder> open_camera_recorder(const Config& config, const CameraConfig& camera,
                                            std::function<double()> clock,
                                            std::function<void(const events::SegmentRow&)> on_segment,
                                            std::function<void(const std::string&)> on_error) {
  auto master = key_file_for_writing(recording_key_path(config), "recording key");
  if (!master) return master.error();
  const auto root = recordings_root(config);
  std::error_code ec;
  std::filesystem::create_directories(root / camera.name, ec);
  if (ec) return Error{fmt::format("cannot create recordings folder '{}': {}", (root / camera.name).string(), ec.message())};
  CameraRecorder out;
  const SecretKey key = camera_key(*master, camera.name);
  Recovery recovery = recover_open_segments(root, camera.name, key);
  out.recovered = std::move(recovery.segments);
  out.warnings = std::move(recovery.errors);
  RecorderOptions o;
  o.camera = camera.name, o.root = root, o.segment_seconds = config.recording.segment_seconds, o.key = key;
  o.clock = std::move(clock), o.on_segment = std::move(on_segment), o.on_error = std::move(on_error);
  out.recorder = std::make_unique<Recorder>(std::move(o));
  return out;
}

Result<SecretKey> camera_key_for_reading(const Config& config, const std::string& camera) {
  const std::string path = recording_key_path(config);
  auto master = read_key_file(path, "recording key");
  if (!master) return master.error();
  if (!*master) return Error{fmt::format("no recording key '{}': nothing was recorded with this config", path)};
  return camera_key(**master, camera);
}

}  // namespace vigie::record
