// Video sources: a file, a MOTChallenge image folder, or a live RTSP/HTTP URL.
//
// A Source is used by one thread at a time. read() blocks until the next frame, the end
// of the stream, or an error; it never throws. Frames carry their index (from 0) and
// their timestamp in seconds.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "core/frame.h"
#include "core/result.h"

// libav's own types, for the packet tap (implemented by code that links libav: src/record).
struct AVCodecParameters;
struct AVPacket;

namespace vigie::video {

enum class ReadStatus { kFrame, kEnd, kError };

struct ReadResult {
  ReadStatus status = ReadStatus::kFrame;
  std::string error;  // set when status == kError
};

class Source {
 public:
  virtual ~Source() = default;
  virtual ReadResult read(Frame& out) = 0;
  virtual double nominal_fps() const = 0;       // container or folder frame rate
  virtual int64_t frame_count() const { return -1; }  // -1 when unknown (live)
  virtual bool is_live() const { return false; }
};

// Receives a file's or stream's compressed video as read, before it is decoded: what
// continuous recording writes unchanged (src/record). Called on the reading thread; it
// must not block for long (a slow disk would stall decoding, not analysis alone).
class PacketTap {
 public:
  virtual ~PacketTap() = default;
  // A stream opens (each reconnection opens a new one): its codec and the time base, as
  // num/den seconds, of the packets that follow.
  virtual void begin_stream(const AVCodecParameters& codec, int time_base_num, int time_base_den) = 0;
  virtual void packet(const AVPacket& packet) = 0;
  virtual void end_stream() = 0;  // the stream ends or is lost
};

struct SourceOptions {
  // Longest a live source may block on the network before read() reports an error.
  std::chrono::milliseconds io_timeout{5000};
  // Image folders without seqinfo.ini are played at this rate.
  double default_fps = 25;
  // Given every video packet of a file or stream (not of an image folder); outlives the
  // source. nullptr: none.
  PacketTap* tap = nullptr;
};

// True for rtsp://, rtsp(s)://, http(s):// and similar stream URLs.
bool is_stream_url(const std::string& input);

// Opens a file, image folder or URL. Errors name the input and the cause.
Result<std::unique_ptr<Source>> open_source(const std::string& input,
                                            const SourceOptions& options = {});

// How a caller opens an input (tests give a fake source); open_source by default.
using SourceOpener = std::function<Result<std::unique_ptr<Source>>(const std::string& input, const SourceOptions&)>;

// --- Reconnection -------------------------------------------------------------------

enum class LinkEvent { kLost, kRestored };

// The environment a ReconnectingSource needs, injectable so tests run without waiting.
struct ReconnectEnv {
  std::function<Result<std::unique_ptr<Source>>()> open;
  std::function<void(std::chrono::milliseconds)> sleep;
  std::function<void(LinkEvent, const std::string& detail)> report;
  std::function<bool()> stop_requested = [] { return false; };
};

struct BackoffPolicy {
  std::chrono::milliseconds initial{500};
  std::chrono::milliseconds max{30000};
  double factor = 2.0;
};

// A live source that survives failures: when reading fails or the stream ends, it reports
// kLost, reopens with exponential backoff until it succeeds (or stop is requested) and
// reports kRestored. Frame indices and times keep increasing across reconnections.
// read() returns kEnd only when stop was requested.
class ReconnectingSource : public Source {
 public:
  ReconnectingSource(ReconnectEnv env, BackoffPolicy policy = {});
  ReadResult read(Frame& out) override;
  double nominal_fps() const override;
  bool is_live() const override { return true; }
  int reconnections() const { return reconnections_; }

 private:
  bool connect();  // false only when stop was requested

  ReconnectEnv env_;
  BackoffPolicy policy_;
  std::unique_ptr<Source> inner_;
  int64_t next_index_ = 0;
  double time_offset_ = 0;     // added to the inner source's times
  double last_time_ = -1;
  bool need_rebase_ = false;   // first frame after a reconnection sets time_offset_
  int reconnections_ = 0;
  bool offline_ = false;       // a loss was reported and no restoration yet
};

// --- Frame-rate sampling --------------------------------------------------------------

// Decides which decoded frames are analysed so that `target_fps` of them per second of
// stream time go on, whatever the camera's own rate (analyse 5 of 25 fps). The decoder
// still reads every frame; only analysis is skipped. target_fps <= 0 takes every frame.
class FrameSampler {
 public:
  explicit FrameSampler(double target_fps) : period_(target_fps > 0 ? 1.0 / target_fps : 0) {}
  bool take(double time_s);

 private:
  double period_;
  double next_due_ = -1;
};

}  // namespace vigie::video
