#include "record/camera_recorder.h"

#include <fmt/format.h>
#include <unistd.h>

#include <fstream>

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
                                            std::function<void(const std::string&)> on_error,
                                            const std::function<std::optional<std::set<std::string>>(const std::string&)>& indexed) {
  const std::string key_path = recording_key_path(config);
  Result<SecretKey> master = Error{""};
  if (config.store.url.empty()) {
    master = key_file_for_writing(key_path, "recording key");
  } else {
    auto read = read_key_file(key_path, "recording key");
    if (!read) return read.error();
    if (!*read)
      return Error{fmt::format("no recording key '{}': with a server store, make it once (head -c 32 /dev/urandom "
                               "> {}; chmod 600) and give every machine of the site the same file",
                               key_path, key_path)};
    master = **read;
  }
  if (!master) return master.error();
  const auto root = recordings_root(config);
  std::error_code ec;
  std::filesystem::create_directories(root / camera.name, ec);
  if (ec) return Error{fmt::format("cannot create recordings folder '{}': {}", (root / camera.name).string(), ec.message())};
  auto host = recordings_host(root);
  if (!host) return host.error();
  CameraRecorder out;
  auto lock = FolderLock::take(root / camera.name);
  if (!lock) return lock.error();
  out.lock = std::move(lock.value());
  const SecretKey key = camera_key(*master, camera.name);
  const auto known = indexed(*host);
  Recovery recovery = recover_segments(root, camera.name, *host, key, known ? &*known : nullptr);
  out.recovered = std::move(recovery.segments);
  out.warnings = std::move(recovery.errors);
  RecorderOptions o;
  o.camera = camera.name, o.host = *host, o.root = root, o.segment_seconds = config.recording.segment_seconds, o.key = key;
  o.live = camera.input.find("://") != std::string::npos;
  o.clock = std::move(clock), o.on_segment = std::move(on_segment), o.on_error = std::move(on_error);
  out.recorder = std::make_unique<Recorder>(std::move(o));
  return out;
}

RetentionLoop::RetentionLoop(Config config, std::function<void(const std::string&)> log, std::chrono::seconds period,
                             EpochClock clock)
    : config_(std::move(config)),
      log_(std::move(log)),
      period_(period),
      clock_(clock ? std::move(clock) : system_epoch),
      thread_([this] { run(); }) {}

RetentionLoop::~RetentionLoop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void RetentionLoop::run() {
  std::unique_ptr<events::Store> store;
  std::string last_problem;
  for (std::unique_lock lock(mu_); !stop_; wake_.wait_for(lock, period_, [this] { return stop_; })) {
    lock.unlock();
    if (!store) {
      auto opened = events::Store::open(config_.store.location(), config_.store.audit_key);
      if (opened) store = std::move(opened.value());
      else if (opened.error().message != last_problem) log_(last_problem = opened.error().message);
    }
    try {
      const auto root = recordings_root(config_);
      auto host = recordings_host(root);
      if (store && host) {
        auto done = enforce_all(*store, root, *host, clock_(), recording_limits(config_));
        if (!done && done.error().message != last_problem) log_(last_problem = done.error().message);
        if (done && done->segments_deleted > 0)
          log_(fmt::format("{} segments ({:.1f} MB) past retention ({} days) or quota deleted", done->segments_deleted,
                           done->bytes_deleted / 1e6, config_.recording.retention_days));
        if (done && done->exports_deleted > 0)
          log_(fmt::format("{} console export files older than {:.0f} days deleted", done->exports_deleted,
                           kExportsKeptDays));
        if (done)
          for (const auto& e : done->errors) log_(e);
        if (done) last_problem.clear();
      } else if (!host && host.error().message != last_problem) {
        log_(last_problem = host.error().message);
      }
    } catch (const std::exception& e) {  // a pass that failed is tried at the next
      log_(e.what());
    }
    lock.lock();
  }
}

Result<std::string> recordings_host(const std::filesystem::path& root) {
  const auto path = root / ".host";
  std::string name;
  if (std::ifstream in(path); in && std::getline(in, name) && !name.empty()) return name;
  char host[256] = {};
  name = gethostname(host, sizeof host - 1) == 0 && host[0] ? host : "localhost";
  std::error_code ec;
  std::filesystem::create_directories(root, ec);
  const auto tmp = path.string() + ".tmp." + std::to_string(getpid());
  std::ofstream(tmp) << name << "\n";
  // link(): a name another process wrote first is kept, and read back.
  const bool linked = ::link(tmp.c_str(), path.c_str()) == 0;
  std::filesystem::remove(tmp, ec);
  if (!linked) {
    std::ifstream in(path);
    if (!in || !std::getline(in, name) || name.empty())
      return Error{fmt::format("cannot write the recordings' host name '{}'", path.string())};
  }
  return name;
}

Result<SecretKey> camera_key_for_reading(const Config& config, const std::string& camera) {
  const std::string path = recording_key_path(config);
  auto master = read_key_file(path, "recording key");
  if (!master) return master.error();
  if (!*master) return Error{fmt::format("no recording key '{}': nothing was recorded with this config", path)};
  return camera_key(**master, camera);
}

}  // namespace vigie::record
