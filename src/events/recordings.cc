// The index of continuous recording (schema 10): what src/record writes when a segment is
// finished, what playback, export, retention and the quota read.
#include "events/database.h"
#include "events/store.h"

namespace vigie::events {
namespace {

constexpr const char* kSegmentColumns = "path, camera, start_epoch, end_epoch, bytes, sha256, host";

SegmentRow segment_of(const Query& q) {
  return SegmentRow{q.text(0), q.text(1), q.real(2), q.real(3), q.integer(4), q.text(5), q.text(6)};
}

}  // namespace

Result<std::vector<SegmentRow>> Store::segments_of(Query& q) const {
  std::vector<SegmentRow> out;
  Step st;
  while ((st = q.step()) == Step::kRow) out.push_back(segment_of(q));
  if (st == Step::kError) return sql_error(q);
  return out;
}

Result<Ok> Store::record_segment(const SegmentRow& s) {
  auto q = db_->query(
      "INSERT INTO recordings (path, camera, start_epoch, end_epoch, bytes, sha256, host) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (path) DO NOTHING");
  q->bind(1, s.path).bind(2, s.camera).bind(3, s.start_epoch).bind(4, s.end_epoch).bind(5, s.bytes).bind(6, s.sha256);
  q->bind(7, s.host);
  if (q->step() != Step::kDone) return sql_error(*q);
  return Ok{};
}

Result<std::vector<SegmentRow>> Store::segments(const std::string& camera, double from_epoch, double to_epoch) const {
  auto q = db_->query(std::string("SELECT ") + kSegmentColumns +
                      " FROM recordings WHERE camera = ?1 AND end_epoch >= ?2 AND start_epoch <= ?3 "
                      "ORDER BY start_epoch");
  q->bind(1, camera).bind(2, from_epoch).bind(3, to_epoch);
  return segments_of(*q);
}

Result<std::vector<SegmentRow>> Store::oldest_segments(const std::string& camera, const std::string& host,
                                                       int limit) const {
  auto q = db_->query(std::string("SELECT ") + kSegmentColumns +
                      " FROM recordings WHERE camera = ?1 AND host = ?2 ORDER BY end_epoch, path LIMIT ?3");
  q->bind(1, camera).bind(2, host).bind(3, limit);
  return segments_of(*q);
}

Result<int64_t> Store::recorded_bytes(const std::string& camera, const std::string& host) const {
  auto q = db_->query("SELECT CAST(COALESCE(SUM(bytes), 0) AS BIGINT) FROM recordings WHERE camera = ?1 AND host = ?2");
  q->bind(1, camera).bind(2, host);
  if (q->step() != Step::kRow) return sql_error(*q);
  return q->integer(0);
}

Result<std::vector<std::string>> Store::recorded_cameras(const std::string& host) const {
  auto q = db_->query("SELECT DISTINCT camera FROM recordings WHERE host = ?1 ORDER BY camera");
  q->bind(1, host);
  std::vector<std::string> out;
  Step st;
  while ((st = q->step()) == Step::kRow) out.push_back(q->text(0));
  if (st == Step::kError) return sql_error(*q);
  return out;
}

Result<std::set<std::string>> Store::segment_paths(const std::string& camera, const std::string& host) const {
  auto q = db_->query("SELECT path FROM recordings WHERE camera = ?1 AND host = ?2");
  q->bind(1, camera).bind(2, host);
  std::set<std::string> out;
  Step st;
  while ((st = q->step()) == Step::kRow) out.insert(q->text(0));
  if (st == Step::kError) return sql_error(*q);
  return out;
}

Result<Ok> Store::forget_segment(const std::string& path) {
  auto q = db_->query("DELETE FROM recordings WHERE path = ?1");
  q->bind(1, path);
  if (q->step() != Step::kDone) return sql_error(*q);
  return Ok{};
}

}  // namespace vigie::events
