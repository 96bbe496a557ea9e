// Writes to the event store that could not reach it, kept on local disk, in order, until
// it is back (a PostgreSQL server restarting, a network cut): no alert is lost while the
// store is away.
//
// One JSON line per write (format version 1), appended and fsync'd before add() returns.
// One process at a time: open() takes an exclusive lock on `<path>.lock`.
// Delivery replays them oldest first and then rewrites the file without them (atomically).
// A crash between the two delivers some writes twice, which changes nothing: a start
// stored again, a track stored again and a media link set again are no-ops (store.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"
#include "events/store.h"
#include "rules/rules.h"

namespace vigie::events {

// One write the pipeline makes to the store.
struct StoreWrite {
  enum class Kind { kAlert, kTrack, kSnapshot, kClip, kSegment };
  Kind kind = Kind::kAlert;
  rules::AlertEvent alert;  // kAlert
  TrackRow track;           // kTrack
  SegmentRow segment;       // kSegment: a finished segment of continuous recording
  // kSnapshot, kClip: the alert and the file
  std::string alert_id, file;
};

// Applies one write to the store.
Result<Ok> apply(Store& store, const StoreWrite& write);

// apply(), telling a store that is away (a server that does not answer, a SQLite file
// whose lock stayed taken past the busy wait) from one that refuses the write. A failure
// while the store answers is tried once more: the connection may have been lost by that
// very write and made again by the check.
struct Attempt {
  enum class Outcome { kStored, kAway, kRefused };
  Outcome outcome = Outcome::kStored;
  std::string error;  // when not stored
};
Attempt try_apply(Store& store, const StoreWrite& write);

class Outbox {
 public:
  // Opens (creating) the outbox at `path` and reads back what it holds. A last line cut
  // short (the process died while appending) is moved to `<path>.torn` and said in
  // warning(); a line that cannot be read anywhere else is an error naming the file and
  // line, and the file is left as it is.
  static Result<std::unique_ptr<Outbox>> open(const std::string& path);

  // Appends the write, on disk when this returns ok.
  Result<Ok> add(const StoreWrite& write);
  size_t pending() const { return pending_.size(); }
  const std::string& path() const { return path_; }
  const std::string& warning() const { return warning_; }

  struct Delivery {
    size_t delivered = 0;  // stored (or already there)
    size_t refused = 0;    // the store was up and refused them: moved to `<path>.refused`
  };
  // Delivers pending writes, oldest first, at most `at_most` of them (a camera thread
  // delivers a long backlog in slices), until one fails while the store is unreachable
  // (it stays, with everything after it). A write the store refuses while reachable (bad
  // data, not a lost connection) would block the rest for ever: it goes to
  // `<path>.refused` with the reason, and delivery goes on.
  Result<Delivery> deliver(Store& store, size_t at_most = SIZE_MAX);
  ~Outbox();
  Outbox(const Outbox&) = delete;
  Outbox& operator=(const Outbox&) = delete;

 private:
  explicit Outbox(std::string path) : path_(std::move(path)) {}
  Result<Ok> rewrite();  // the file holds exactly pending_ (temp file, fsync, rename)

  std::string path_, warning_;
  int lock_fd_ = -1;  // holds an exclusive flock on <path>.lock while open
  std::vector<std::string> pending_;  // the lines, as written
};

}  // namespace vigie::events
