#include "record/retention.h"

#include <fmt/format.h>

#include <chrono>
#include <set>

#include "record/recorder.h"

namespace vigie::record {
namespace {

// `<camera>/<finished segment's file name>`, nothing else: no absolute path, no "..", no
// segment still being written.
bool own_path(const events::SegmentRow& s) {
  const std::filesystem::path p = s.path;
  auto it = p.begin();
  if (p.is_absolute() || it == p.end() || it->string() != s.camera) return false;
  ++it;
  if (it == p.end() || !segment_start_of(it->string()) || !it->string().ends_with(".mp4.sealed")) return false;
  return ++it == p.end();
}

// Deletes the segment's file, then its row. A file that cannot be deleted keeps its row
// (it is still on disk) and is said in done.errors; a store error fails.
Result<bool> delete_segment(events::Store& store, const std::filesystem::path& root, const events::SegmentRow& s,
                            Enforced& done) {
  std::error_code ec;
  if (own_path(s)) std::filesystem::remove(root / s.path, ec);
  if (ec) {
    done.errors.push_back(fmt::format("cannot delete recording '{}': {}", (root / s.path).string(), ec.message()));
    return false;
  }
  if (auto r = store.forget_segment(s.path); !r) return r.error();
  ++done.segments_deleted;
  done.bytes_deleted += s.bytes;
  return true;
}

// Deletes the files of `folder` last written before `cutoff_epoch`.
void sweep_exports(const std::filesystem::path& folder, double cutoff_epoch, Enforced& out) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(folder, ec)) {
    if (!entry.is_regular_file(ec)) continue;
    const auto written = std::chrono::file_clock::to_sys(entry.last_write_time(ec));
    if (ec || std::chrono::duration<double>(written.time_since_epoch()).count() >= cutoff_epoch) continue;
    if (std::filesystem::remove(entry.path(), ec))
      ++out.exports_deleted;
    else if (ec)
      out.errors.push_back(fmt::format("{}: {}", entry.path().string(), ec.message()));
  }
}

}  // namespace

Result<Enforced> enforce_limits(events::Store& store, const std::filesystem::path& root, const std::string& camera,
                                const std::string& host, double now_epoch, const Limits& limits) {
  Enforced done;
  const double cutoff = now_epoch - limits.retention_days * 86400;
  constexpr int kBatch = 200;
  std::set<std::string> stuck;  // files that would not go: passed over, not retried in this pass
  // Past retention, then over the quota: oldest first, a batch at a time, until a batch
  // deletes nothing.
  auto total = store.recorded_bytes(camera, host);
  if (!total) return total.error();
  int64_t left = *total;
  for (bool more = true; more;) {
    auto oldest = store.oldest_segments(camera, host, kBatch + static_cast<int>(stuck.size()));
    if (!oldest) return oldest.error();
    more = false;
    for (const auto& s : *oldest) {
      const bool expired = s.end_epoch < cutoff;
      const bool over_quota = limits.quota_bytes > 0 && left > limits.quota_bytes;
      if (!expired && !over_quota) break;
      if (stuck.count(s.path)) continue;
      auto gone = delete_segment(store, root, s, done);
      if (!gone) return gone.error();
      if (!*gone) {
        stuck.insert(s.path);
        continue;
      }
      left -= s.bytes;
      more = true;
    }
  }
  return done;
}

Result<Enforced> enforce_all(events::Store& store, const std::filesystem::path& root, const std::string& host,
                             double now_epoch, const Limits& limits) {
  auto cameras = store.recorded_cameras(host);
  if (!cameras) return cameras.error();
  Enforced all;
  for (const auto& camera : *cameras) {
    auto done = enforce_limits(store, root, camera, host, now_epoch, limits);
    if (!done) return done.error();
    all.segments_deleted += done->segments_deleted, all.bytes_deleted += done->bytes_deleted;
    all.errors.insert(all.errors.end(), done->errors.begin(), done->errors.end());
  }
  sweep_exports(console_exports_folder(root), now_epoch - kExportsKeptDays * 86400, all);
  return all;
}

}  // namespace vigie::record
