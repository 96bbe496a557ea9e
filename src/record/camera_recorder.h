// A configured camera's recorder (`record: true`), built the same way wherever a camera
// runs: its key derived from the recordings' master key file (created on first use), its
// folder beside the store, and what a crash left open recovered first.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <memory>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/clock.h"
#include "core/result.h"
#include "record/recorder.h"
#include "record/retention.h"

namespace vigie::record {

struct CameraRecorder {
  std::unique_ptr<FolderLock> lock;  // held while recording (before the recorder: outlives it)
  std::unique_ptr<Recorder> recorder;
  std::vector<events::SegmentRow> recovered;  // to index, as finished segments are
  std::vector<std::string> warnings;          // open segments that could not be recovered
};

// Fails (naming the file) when the key file or the folder cannot be made. The master key
// is created on first use beside an SQLite store; a server store's (recording.key) must
// exist: every machine of a site needs the same one, so none may make its own.
// `indexed(host)`: the index's segment paths of this camera on that host, nullopt when the
// store is away (see recover_segments). Fails while another runner holds the folder.
Result<CameraRecorder> open_camera_recorder(
    const Config& config, const CameraConfig& camera, std::function<double()> clock,
    std::function<void(const events::SegmentRow&)> on_segment, std::function<void(const std::string&)> on_error,
    const std::function<std::optional<std::set<std::string>>(const std::string&)>& indexed);

// This machine's name for its recordings, stored with its segments (retention deletes
// only what is on its disk): kept in <root>/.host, written once with the host name, so
// that renaming the machine or re-creating its container does not orphan them.
Result<std::string> recordings_host(const std::filesystem::path& root);

// The recordings folder (recording.folder, beside the store) and the limits of the config.
std::filesystem::path recordings_root(const Config& config);
Limits recording_limits(const Config& config);

// Applies the recording limits at start and then every `period`, on a thread of its own
// with its own store connection, to every camera with segments on this machine: a camera
// offline for a month, or no longer configured, still has its recordings deleted.
class RetentionLoop {
 public:
  // `clock`: the "now" that retention counts days back from.
  RetentionLoop(Config config, std::function<void(const std::string&)> log,
                std::chrono::seconds period = std::chrono::hours(1), EpochClock clock = system_epoch);
  ~RetentionLoop();  // stops and joins
  RetentionLoop(const RetentionLoop&) = delete;
  RetentionLoop& operator=(const RetentionLoop&) = delete;

 private:
  void run();
  Config config_;
  std::function<void(const std::string&)> log_;
  std::chrono::seconds period_;
  EpochClock clock_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

// The key that opens a camera's recordings (playback, export), read, never created.
Result<SecretKey> camera_key_for_reading(const Config& config, const std::string& camera);

}  // namespace vigie::record
