// Decoding an audio track with libav, downmixed and resampled to mono 16 kHz floats.
#include <fmt/format.h>

#include <vector>

#include "audio/audio.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/channel_layout.h>
#include <libavutil/opt.h>
#include <libswresample/swresample.h>
}

namespace vigie::audio {
namespace {

std::string av_error(int code) {
  char buf[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(code, buf, sizeof buf);
  return buf;
}

// Owns the libav objects of one decoding.
struct Decoding {
  AVFormatContext* format = nullptr;
  AVCodecContext* codec = nullptr;
  SwrContext* swr = nullptr;
  AVPacket* packet = av_packet_alloc();
  AVFrame* frame = av_frame_alloc();
  ~Decoding() {
    av_frame_free(&frame);
    av_packet_free(&packet);
    swr_free(&swr);
    avcodec_free_context(&codec);
    avformat_close_input(&format);
  }
};

void convert(Decoding& d, const AVFrame* in, std::vector<float>& out) {
  const int max_out = swr_get_out_samples(d.swr, in ? in->nb_samples : 0);
  if (max_out <= 0) return;
  const size_t at = out.size();
  out.resize(at + max_out);
  uint8_t* dst = reinterpret_cast<uint8_t*>(out.data() + at);
  const int got = swr_convert(d.swr, &dst, max_out, in ? const_cast<const uint8_t**>(in->extended_data) : nullptr,
                              in ? in->nb_samples : 0);
  out.resize(at + std::max(0, got));
}

}  // namespace

Result<std::vector<float>> read_audio(const std::string& input) {
  av_log_set_level(AV_LOG_FATAL);
  Decoding d;
  int rc = avformat_open_input(&d.format, input.c_str(), nullptr, nullptr);
  if (rc < 0) return Error{fmt::format("cannot open '{}': {}", input, av_error(rc))};
  if ((rc = avformat_find_stream_info(d.format, nullptr)) < 0)
    return Error{fmt::format("cannot read '{}': {}", input, av_error(rc))};
  const AVCodec* decoder = nullptr;
  const int stream = av_find_best_stream(d.format, AVMEDIA_TYPE_AUDIO, -1, -1, &decoder, 0);
  if (stream < 0 || !decoder) return Error{fmt::format("'{}' has no audio stream", input)};
  d.codec = avcodec_alloc_context3(decoder);
  avcodec_parameters_to_context(d.codec, d.format->streams[stream]->codecpar);
  if ((rc = avcodec_open2(d.codec, decoder, nullptr)) < 0)
    return Error{fmt::format("cannot decode the audio of '{}': {}", input, av_error(rc))};
  AVChannelLayout mono = AV_CHANNEL_LAYOUT_MONO;
  if (swr_alloc_set_opts2(&d.swr, &mono, AV_SAMPLE_FMT_FLT, kRate, &d.codec->ch_layout, d.codec->sample_fmt,
                          d.codec->sample_rate, 0, nullptr) < 0)
    return Error{fmt::format("cannot resample the audio of '{}'", input)};
  // Mono as the mean of the channels: a microphone duplicated on two channels reads its
  // own level (the default ITU downmix would add 3 dB).
  const int channels = std::max(1, d.codec->ch_layout.nb_channels);
  const std::vector<double> mean(channels, 1.0 / channels);
  if (swr_set_matrix(d.swr, mean.data(), channels) < 0 || swr_init(d.swr) < 0)
    return Error{fmt::format("cannot resample the audio of '{}'", input)};

  std::vector<float> out;
  auto drain = [&]() -> int {
    while ((rc = avcodec_receive_frame(d.codec, d.frame)) == 0) {
      convert(d, d.frame, out);
      av_frame_unref(d.frame);
    }
    return rc;
  };
  while (av_read_frame(d.format, d.packet) >= 0) {
    if (d.packet->stream_index == stream && avcodec_send_packet(d.codec, d.packet) == 0) drain();
    av_packet_unref(d.packet);
  }
  avcodec_send_packet(d.codec, nullptr);
  drain();
  convert(d, nullptr, out);  // what the resampler still holds
  return out;
}

}  // namespace vigie::audio
