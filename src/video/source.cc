#include "video/source.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "video/internal.h"

namespace vigie::video {

bool is_stream_url(const std::string& input) {
  for (const char* scheme : {"rtsp://", "rtsps://", "rtmp://", "http://", "https://", "udp://", "tcp://"})
    if (input.rfind(scheme, 0) == 0) return true;
  return false;
}

Result<std::unique_ptr<Source>> open_source(const std::string& input, const SourceOptions& options) {
  if (input.empty()) return Error{"no input given"};
  if (is_stream_url(input)) return open_ffmpeg_source(input, options);
  std::error_code ec;
  if (std::filesystem::is_directory(input, ec)) return open_image_folder(input, options);
  if (!std::filesystem::exists(input, ec))
    return Error{fmt::format("cannot open '{}': no such file or directory", input)};
  return open_ffmpeg_source(input, options);
}

// --- ReconnectingSource ---------------------------------------------------------------

ReconnectingSource::ReconnectingSource(ReconnectEnv env, BackoffPolicy policy)
    : env_(std::move(env)), policy_(policy) {}

double ReconnectingSource::nominal_fps() const { return inner_ ? inner_->nominal_fps() : 25.0; }

bool ReconnectingSource::connect() {
  auto delay = policy_.initial;
  while (!env_.stop_requested()) {
    auto opened = env_.open();
    if (opened) {
      inner_ = std::move(opened.value());
      need_rebase_ = true;
      if (offline_) {
        ++reconnections_;
        offline_ = false;
        env_.report(LinkEvent::kRestored, "stream reopened");
      }
      return true;
    }
    if (!offline_) {  // report the loss once, not at every attempt
      offline_ = true;
      env_.report(LinkEvent::kLost, opened.error().message);
    }
    env_.sleep(delay);
    delay = std::min(policy_.max,
                     std::chrono::duration_cast<std::chrono::milliseconds>(delay * policy_.factor));
  }
  return false;
}

ReadResult ReconnectingSource::read(Frame& out) {
  while (!env_.stop_requested()) {
    if (!inner_ && !connect()) break;
    const ReadResult r = inner_->read(out);
    if (r.status == ReadStatus::kFrame) {
      if (need_rebase_) {
        // Times restart at each reconnection: continue from the last one seen.
        const double step = 1.0 / std::max(1.0, inner_->nominal_fps());
        time_offset_ = last_time_ < 0 ? 0 : last_time_ + step - out.time_s;
        need_rebase_ = false;
      }
      out.index = next_index_++;
      out.time_s += time_offset_;
      last_time_ = out.time_s;
      return r;
    }
    inner_.reset();
    offline_ = true;
    env_.report(LinkEvent::kLost, r.status == ReadStatus::kEnd ? "stream ended" : r.error);
    env_.sleep(policy_.initial);  // a stream that ends at once must not make us spin
  }
  return {ReadStatus::kEnd, {}};
}

bool FrameSampler::take(double time_s) {
  if (period_ <= 0) return true;
  // Half a millisecond of slack absorbs rounding in container timestamps.
  if (next_due_ >= 0 && time_s + 5e-4 < next_due_) return false;
  next_due_ = next_due_ < 0 ? time_s + period_ : next_due_ + period_;
  if (next_due_ <= time_s) next_due_ = time_s + period_;  // after a gap, start afresh
  return true;
}

}  // namespace vigie::video
