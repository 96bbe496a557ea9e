// Continuous recording: a camera's compressed video written as it arrives, unchanged (no
// decoding, no encoding), into sealed fragmented-MP4 segments of about a minute.
//
// A segment begins at a key frame once `segment_seconds` of stream time have passed in
// the one before. Its fragments are each whole MP4 (moof + mdat) and reach the file as
// soon as they are made (one sealed chunk each), so a process killed mid-segment leaves
// everything before the fragment being written playable. While written, a segment is
// named `<start>.mp4.sealed.open`; finished, it is renamed and reported (on_segment), for
// the store's index. recover_segments() finishes the ones a crash left.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/key_file.h"
#include "core/result.h"
#include "events/store.h"
#include "video/source.h"

namespace vigie::record {

struct RecorderOptions {
  std::string camera;             // a safe file name (the config reader checks camera names)
  std::string host;               // this machine's name, stored with each segment
  std::filesystem::path root;     // the recordings folder; this camera's go in root/<camera>
  double segment_seconds = 60;
  SecretKey key{};                // this camera's (camera_key)
  // Wall time, epoch seconds: read at a stream's first packet, and (`live`) again at a
  // segment's start when the stream's own clock has drifted from it by more than 2 s.
  std::function<double()> clock;
  bool live = false;  // a camera's stream, read as it comes (a file is read faster)
  // A finished segment, its path relative to `root`. Called on the reading thread.
  std::function<void(const events::SegmentRow&)> on_segment;
  // A segment could not be written (disk full, a codec MP4 cannot hold): said once per
  // distinct cause; the recorder tries again at the next key frame.
  std::function<void(const std::string&)> on_error;
};

class Recorder final : public video::PacketTap {
 public:
  explicit Recorder(RecorderOptions options);
  ~Recorder() override;  // finishes the segment being written

  void begin_stream(const AVCodecParameters& codec, int time_base_num, int time_base_den) override;
  void packet(const AVPacket& packet) override;
  void end_stream() override;

  int64_t packets_written() const { return packets_written_; }
  int64_t packet_bytes() const { return packet_bytes_; }  // of the packets written, as received

  struct Segment;

 private:
  void open_segment(int64_t ts);
  void anchor(int64_t ts);  // stream time ts is the clock's now
  // `next_ts`: the first timestamp of the segment after (its end); INT64_MIN: the last
  // packet's end.
  void close_segment(int64_t next_ts = INT64_MIN);
  double epoch_of(int64_t ts) const;
  void fail(const std::string& why);

  RecorderOptions options_;
  AVCodecParameters* codec_ = nullptr;
  int tb_num_ = 1, tb_den_ = 1;
  double anchor_epoch_ = 0;       // wall time of the stream's first timestamp
  int64_t first_ts_ = INT64_MIN;  // the stream's first timestamp (its time base)
  int64_t last_dts_ = INT64_MIN;  // last written, to keep timestamps increasing
  int64_t last_duration_ = 0;
  std::unique_ptr<Segment> segment_;
  std::string last_error_;
  int64_t packets_written_ = 0, packet_bytes_ = 0;
};

// The file name of a segment starting at `start_epoch` (UTC, to the millisecond; sorts
// in time order) and the start read back from one; nullopt for another name.
std::string segment_file_name(double start_epoch);
std::optional<double> segment_start_of(const std::string& file_name);

// What a killed or failed run left in root/<camera> (call it before recording that camera
// again, never while it records), returned for the index:
// - segments left open: each is cut after its last whole chunk, read to find where it
//   ends, renamed as finished. One that held no frame yet is deleted.
// - finished segments that are not in `indexed` (the index's paths of this camera and
//   host; their row was still in memory when the process died). nullptr: the index could
//   not be read (the store away), and finished segments are left for the next start.
// A file that cannot be read is left as it is and named in `errors`. Nothing is renamed
// over an existing file. The caller holds the camera's folder lock (lock_camera_folder).
struct Recovery {
  std::vector<events::SegmentRow> segments;
  std::vector<std::string> errors;
};
Recovery recover_segments(const std::filesystem::path& root, const std::string& camera, const std::string& host,
                          const SecretKey& key, const std::set<std::string>* indexed);

// An exclusive lock on root/<camera> (a `.lock` file, flock): one recorder or recovery of
// a camera at a time on a machine (a camera handed from one runner to the next, a second
// process on the same folder). Released when destroyed.
class FolderLock {
 public:
  static Result<std::unique_ptr<FolderLock>> take(const std::filesystem::path& folder);
  ~FolderLock();

 private:
  explicit FolderLock(int fd) : fd_(fd) {}
  int fd_;
};

// A sealed segment opened for reading: its MP4 bytes and what libav reads in them.
struct SegmentInfo {
  int64_t packets = 0;
  double first_s = 0;              // earliest presentation time, seconds
  double end_s = 0;                // the end of the latest packet shown
  double duration_s = 0;           // end_s - first_s: the time it shows
};
// Reads an MP4 held in memory (an unsealed segment) packet by packet, without decoding.
Result<SegmentInfo> probe_mp4(const std::string& bytes);

}  // namespace vigie::record
