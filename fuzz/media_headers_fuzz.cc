// Audio and video containers as vigie opens them: the bytes as a file given to the audio
// decoder (src/audio/read_audio: libav demux, decode, resample to mono) and to the video
// source (src/video: open_source → FFmpeg demux, decode, BGR conversion). Work per input
// is capped (packets, samples, frames) so each run stays fast; the audio is then metered.
//
// Speed: libav is told this process has one CPU (av_cpu_force_count(1)), so the video
// decoder vigie opens with thread_count = 0 ("as many as the CPUs") starts no frame or
// slice threads: a thread pool per input was most of an execution's cost, and the code
// under test is the same with one decoder thread.
//
// Known open bugs (fuzz/known/media_headers/, fuzz/README.md), tolerated so the fuzzer
// can look past them (found within seconds otherwise); VIGIE_FUZZ_STRICT=1 gives every
// input to the audio decoder (what `make fuzz-known` does):
//  - a decoded audio frame whose channels, sample format or rate differ from the stream's
//    parameters (a Matroska/MP2 track said stereo, decoded mono) reaches swr_convert with
//    the resampler set up for the stream's: it reads a missing plane (SEGV in
//    libswresample, from src/audio/read_audio.cc convert());
//  - an absurd sample rate in a header (a WAV saying 544 MHz) makes swr_init build a
//    resampling filter for seconds to minutes (a timeout, and a stall in vigie).
// The harness checks for both with libav itself (the same demux and decode vigie does,
// without the resampler) and then skips the audio decoder for that input only.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/cpu.h>
#include <libavutil/log.h>
}

#include "audio/audio.h"
#include "fuzz_common.h"
#include "video/source.h"

namespace {
constexpr int kMaxPackets = 64;
// 1.25 s: enough for every branch of the meter (LAFmax after 0.5 s, one whole LAeq second
// and a rest); metering was a quarter of an execution with 2 s.
constexpr size_t kMaxSamples = vigie::audio::kRate + vigie::audio::kRate / 4;
constexpr int kMaxFrames = 3;
constexpr int kMaxSampleRate = 768000;  // above any real audio; swr_init cost grows with it

// True when AudioDecoder would hit one of the known open bugs above on this file.
bool audio_hits_known_bug(const std::string& path) {
  AVFormatContext* format = nullptr;
  if (avformat_open_input(&format, path.c_str(), nullptr, nullptr) < 0) return false;
  bool hit = false;
  AVCodecContext* codec = nullptr;
  AVPacket* packet = av_packet_alloc();
  AVFrame* frame = av_frame_alloc();
  const AVCodec* decoder = nullptr;
  int stream = -1;
  if (avformat_find_stream_info(format, nullptr) >= 0 &&
      (stream = av_find_best_stream(format, AVMEDIA_TYPE_AUDIO, -1, -1, &decoder, 0)) >= 0 && decoder) {
    codec = avcodec_alloc_context3(decoder);
    avcodec_parameters_to_context(codec, format->streams[stream]->codecpar);
    if (avcodec_open2(codec, decoder, nullptr) >= 0) {
      hit = codec->sample_rate > kMaxSampleRate;
      // What vigie sets the resampler up with (the decoder updates its context as it goes).
      const int rate = codec->sample_rate;
      const int sample_fmt = codec->sample_fmt;
      AVChannelLayout layout{};
      av_channel_layout_copy(&layout, &codec->ch_layout);
      auto differs = [&] {
        return frame->sample_rate != rate || frame->format != sample_fmt ||
               av_channel_layout_compare(&frame->ch_layout, &layout) != 0;
      };
      for (int i = 0; !hit && i <= kMaxPackets; ++i) {
        const bool more = i < kMaxPackets && av_read_frame(format, packet) >= 0;
        if (more && packet->stream_index != stream) {
          av_packet_unref(packet);
          continue;
        }
        if (avcodec_send_packet(codec, more ? packet : nullptr) == 0 || !more)
          while (!hit && avcodec_receive_frame(codec, frame) == 0) {
            hit = differs();
            av_frame_unref(frame);
          }
        if (more) av_packet_unref(packet);
        if (!more) break;
      }
      av_channel_layout_uninit(&layout);
    }
  }
  av_frame_free(&frame);
  av_packet_free(&packet);
  avcodec_free_context(&codec);
  avformat_close_input(&format);
  return hit;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bool strict = [] {
    av_cpu_force_count(1);
    av_log_set_level(AV_LOG_FATAL);  // as vigie sets it; the check below runs first
    return std::getenv("VIGIE_FUZZ_STRICT") != nullptr;
  }();
  const auto path = vigie::fuzz::write_input("media", data, size);

  if (strict || !audio_hits_known_bug(path)) {
    if (auto audio = vigie::audio::AudioDecoder::open(path, std::chrono::seconds(2))) {
      std::vector<float> samples;
      for (int i = 0; i < kMaxPackets && samples.size() < kMaxSamples && (*audio)->read(samples); ++i) {
      }
      if (samples.size() > kMaxSamples) samples.resize(kMaxSamples);  // one packet can hold seconds
      (void)vigie::audio::measure(samples);
    }
  }

  vigie::video::SourceOptions options;
  options.io_timeout = std::chrono::seconds(2);
  if (auto video = vigie::video::open_source(path, options)) {
    vigie::Frame frame;
    for (int i = 0; i < kMaxFrames; ++i)
      if ((*video)->read(frame).status != vigie::video::ReadStatus::kFrame) break;
  }
  return 0;
}
