// Decoding with FFmpeg's libav*: files and network streams through one code path, with
// an interrupt callback so that no network call can block longer than io_timeout.
#include <fmt/format.h>

#include <opencv2/core.hpp>

#include "core/redact.h"
#include "video/internal.h"
#include "video/libav.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/dict.h>
#include <libavutil/error.h>
#include <libavutil/log.h>
#include <libavutil/mem.h>
#include <libswscale/swscale.h>
}

namespace vigie::video {
namespace {

using Clock = std::chrono::steady_clock;

class FfmpegSource final : public Source {
 public:
  ~FfmpegSource() override {
    if (tapped_) options_.tap->end_stream();
    sws_freeContext(sws_);
    av_frame_free(&frame_);
    av_packet_free(&packet_);
    avcodec_free_context(&codec_);
    avformat_close_input(&format_);
  }

  static Result<std::unique_ptr<Source>> open(const std::string& input, const SourceOptions& opt) {
    set_libav_defaults();
    auto self = std::unique_ptr<FfmpegSource>(new FfmpegSource(opt, is_stream_url(input)));
    if (auto err = self->open_input(input); !err.empty()) return Error{err};
    return std::unique_ptr<Source>(std::move(self));
  }

  ReadResult read(Frame& out) override {
    while (true) {
      const int got = avcodec_receive_frame(codec_, frame_);
      if (got == 0) return convert(out);
      if (got == AVERROR_EOF) return {ReadStatus::kEnd, {}};
      if (got != AVERROR(EAGAIN)) return error("decode", got);
      if (draining_) return {ReadStatus::kEnd, {}};
      arm_deadline();
      const int rd = av_read_frame(format_, packet_);
      if (rd == AVERROR_EOF || (rd < 0 && !live_ && avio_feof(format_->pb))) {
        draining_ = true;
        avcodec_send_packet(codec_, nullptr);  // flush frames still inside the decoder
        continue;
      }
      if (rd < 0) return error(timed_out() ? "read (timeout)" : "read", rd);
      if (packet_->stream_index == stream_) {
        if (options_.tap) options_.tap->packet(*packet_);
        const int sent = avcodec_send_packet(codec_, packet_);
        if (sent < 0 && sent != AVERROR(EAGAIN) && sent != AVERROR_INVALIDDATA) {
          av_packet_unref(packet_);
          return error("decode", sent);
        }
      }
      av_packet_unref(packet_);
    }
  }

  double nominal_fps() const override { return fps_; }
  int64_t frame_count() const override { return frame_count_; }
  bool is_live() const override { return live_; }

 private:
  FfmpegSource(const SourceOptions& opt, bool live) : options_(opt), live_(live) {}

  std::string open_input(const std::string& input) {
    format_ = avformat_alloc_context();
    format_->interrupt_callback = {&FfmpegSource::interrupt, this};
    AVDictionary* opts = nullptr;
    if (input.rfind("rtsp", 0) == 0) {
      av_dict_set(&opts, "rtsp_transport", "tcp", 0);
      // The SDP already says what the stream is; probing 5 s of it (the default) only
      // delays a camera coming back. Half a second is enough to see a key frame's size.
      av_dict_set(&opts, "analyzeduration", "500000", 0);
    }
    arm_deadline();
    int rc = avformat_open_input(&format_, input.c_str(), nullptr, &opts);
    av_dict_free(&opts);
    if (rc < 0) {
      // avformat_open_input frees the context on failure.
      return fmt::format("cannot open '{}': {}", without_password(input), timed_out() ? "timed out" : av_error_text(rc));
    }
    arm_deadline();
    if ((rc = avformat_find_stream_info(format_, nullptr)) < 0)
      return fmt::format("cannot read stream info of '{}': {}", without_password(input), av_error_text(rc));
    const AVCodec* decoder = nullptr;
    stream_ = av_find_best_stream(format_, AVMEDIA_TYPE_VIDEO, -1, -1, &decoder, 0);
    if (stream_ < 0 || !decoder) return fmt::format("'{}' has no decodable video stream", without_password(input));
    AVStream* st = format_->streams[stream_];
    codec_ = avcodec_alloc_context3(decoder);
    avcodec_parameters_to_context(codec_, st->codecpar);
    const AVRational rate = st->avg_frame_rate.num ? st->avg_frame_rate : st->r_frame_rate;
    const double stated = rate.num && rate.den ? av_q2d(rate) : 0;
    const bool usable = stated >= 1 && stated <= 240;
    // A rate not stated may be any: the decoder keeps its threads.
    codec_->thread_count = decoding_threads(live_, codec_->width, codec_->height, usable ? stated : 0);
    fps_ = usable ? stated : 25.0;  // streams that state no usable rate
    if ((rc = avcodec_open2(codec_, decoder, nullptr)) < 0)
      return fmt::format("cannot open decoder for '{}': {}", without_password(input), av_error_text(rc));
    time_base_ = av_q2d(st->time_base);
    start_ = st->start_time != AV_NOPTS_VALUE ? st->start_time : 0;
    frame_count_ = live_ ? -1 : (st->nb_frames > 0 ? st->nb_frames : -1);
    frame_ = av_frame_alloc();
    packet_ = av_packet_alloc();
    if (options_.tap) {
      options_.tap->begin_stream(*st->codecpar, st->time_base.num, st->time_base.den);
      tapped_ = true;
    }
    return {};
  }

  ReadResult convert(Frame& out) {
    const int w = frame_->width, h = frame_->height;
    sws_ = sws_getCachedContext(sws_, w, h, static_cast<AVPixelFormat>(frame_->format), w, h,
                                AV_PIX_FMT_BGR24, SWS_BILINEAR, nullptr, nullptr, nullptr);
    if (!sws_) return {ReadStatus::kError, "cannot convert decoded pixels to BGR"};
    out.image.create(h, w, CV_8UC3);  // reallocates only if the caller kept the last one
    uint8_t* dst[4] = {out.image.data, nullptr, nullptr, nullptr};
    int dst_stride[4] = {static_cast<int>(out.image.step), 0, 0, 0};
    sws_scale(sws_, frame_->data, frame_->linesize, 0, h, dst, dst_stride);
    const int64_t pts = frame_->best_effort_timestamp;
    out.index = index_++;
    out.time_s = pts != AV_NOPTS_VALUE ? (pts - start_) * time_base_ : out.index / fps_;
    // Streams repeat timestamps (RTP at start-up, broken files): downstream needs time to
    // move forward, so a clock that advanced less than half a frame moves on by one frame.
    if (out.index > 0 && out.time_s < last_time_s_ + 0.5 / fps_) out.time_s = last_time_s_ + 1.0 / fps_;
    last_time_s_ = out.time_s;
    av_frame_unref(frame_);
    return {ReadStatus::kFrame, {}};
  }

  ReadResult error(const char* what, int code) {
    return {ReadStatus::kError, fmt::format("{} failed: {}", what, av_error_text(code))};
  }

  void arm_deadline() { deadline_ = Clock::now() + options_.io_timeout; }
  bool timed_out() const { return Clock::now() > deadline_; }
  static int interrupt(void* self) {
    return static_cast<FfmpegSource*>(self)->timed_out() ? 1 : 0;
  }

  SourceOptions options_;
  bool live_;
  AVFormatContext* format_ = nullptr;
  AVCodecContext* codec_ = nullptr;
  AVFrame* frame_ = nullptr;
  AVPacket* packet_ = nullptr;
  SwsContext* sws_ = nullptr;
  int stream_ = -1;
  double time_base_ = 0;
  int64_t start_ = 0;
  double fps_ = 25;
  int64_t frame_count_ = -1;
  int64_t index_ = 0;
  double last_time_s_ = 0;
  bool draining_ = false;
  bool tapped_ = false;  // begin_stream was said: end_stream is owed
  Clock::time_point deadline_{};
};

}  // namespace

int decoding_threads(bool live, int width, int height, double fps) {
  constexpr double kOneThreadPixelRate = 1920.0 * 1080 * 30;
  const bool known = width > 0 && height > 0 && fps > 0;  // else it may be as large as any
  return live && known && static_cast<double>(width) * height * fps <= kOneThreadPixelRate ? 1 : 0;
}

Result<std::unique_ptr<Source>> open_ffmpeg_source(const std::string& input,
                                                   const SourceOptions& options) {
  return FfmpegSource::open(input, options);
}

}  // namespace vigie::video
