#include "record/retention.h"

#include <fmt/format.h>

#include "record/recorder.h"

namespace vigie::record {
namespace {

// `<camera>/<segment file name>`, nothing else: no absolute path, no "..".
bool own_path(const events::SegmentRow& s) {
  const std::filesystem::path p = s.path;
  auto it = p.begin();
  if (p.is_absolute() || it == p.end() || it->string() != s.camera) return false;
  ++it;
  if (it == p.end() || !segment_start_of(it->string())) return false;
  return ++it == p.end();
}

Result<Ok> delete_segment(events::Store& store, const std::filesystem::path& root, const events::SegmentRow& s,
                          Enforced& done) {
  std::error_code ec;
  if (own_path(s)) std::filesystem::remove(root / s.path, ec);
  if (ec) return Error{fmt::format("cannot delete recording '{}': {}", (root / s.path).string(), ec.message())};
  if (auto r = store.forget_segment(s.path); !r) return r;
  ++done.segments_deleted;
  done.bytes_deleted += s.bytes;
  return Ok{};
}

}  // namespace

Result<Enforced> enforce_limits(events::Store& store, const std::filesystem::path& root, const std::string& camera,
                                const std::string& host, double now_epoch, const Limits& limits) {
  Enforced done;
  const double cutoff = now_epoch - limits.retention_days * 86400;
  constexpr int kBatch = 200;
  // Past retention: those ending before the cutoff, oldest first, a batch at a time.
  for (bool more = true; more;) {
    auto oldest = store.oldest_segments(camera, host, kBatch);
    if (!oldest) return oldest.error();
    more = false;
    for (const auto& s : *oldest) {
      if (s.end_epoch >= cutoff) break;
      if (auto r = delete_segment(store, root, s, done); !r) return r.error();
      more = true;
    }
  }
  if (limits.quota_bytes <= 0) return done;
  auto total = store.recorded_bytes(camera, host);
  if (!total) return total.error();
  int64_t left = *total;
  while (left > limits.quota_bytes) {
    auto oldest = store.oldest_segments(camera, host, kBatch);
    if (!oldest) return oldest.error();
    if (oldest->empty()) break;
    for (const auto& s : *oldest) {
      if (left <= limits.quota_bytes) break;
      if (auto r = delete_segment(store, root, s, done); !r) return r.error();
      left -= s.bytes;
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
  }
  return all;
}

}  // namespace vigie::record
