// Decoding an audio track with libav, downmixed and resampled to mono 16 kHz floats.
#include <fmt/format.h>

#include <chrono>
#include <memory>
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

void convert(SwrContext* swr, const AVFrame* in, std::vector<float>& out) {
  const int max_out = swr_get_out_samples(swr, in ? in->nb_samples : 0);
  if (max_out <= 0) return;
  const size_t at = out.size();
  out.resize(at + max_out);
  uint8_t* dst = reinterpret_cast<uint8_t*>(out.data() + at);
  const int got = swr_convert(swr, &dst, max_out, in ? const_cast<const uint8_t**>(in->extended_data) : nullptr,
                              in ? in->nb_samples : 0);
  out.resize(at + std::max(0, got));
}

}  // namespace

// Owns the libav objects of one decoding.
struct AudioDecoder::State {
  AVFormatContext* format = nullptr;
  AVCodecContext* codec = nullptr;
  SwrContext* swr = nullptr;
  AVPacket* packet = av_packet_alloc();
  AVFrame* frame = av_frame_alloc();
  int stream = -1;
  bool flushed = false;
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  std::chrono::milliseconds io_timeout{5000};
  ~State() {
    av_frame_free(&frame);
    av_packet_free(&packet);
    swr_free(&swr);
    avcodec_free_context(&codec);
    avformat_close_input(&format);
  }
  void arm() { deadline = std::chrono::steady_clock::now() + io_timeout; }
  static int interrupt(void* self) {
    return std::chrono::steady_clock::now() > static_cast<State*>(self)->deadline ? 1 : 0;
  }
};

AudioDecoder::AudioDecoder() : state_(std::make_unique<State>()) {}
AudioDecoder::~AudioDecoder() = default;

Result<std::unique_ptr<AudioDecoder>> AudioDecoder::open(const std::string& input, std::chrono::milliseconds io_timeout) {
  av_log_set_level(AV_LOG_FATAL);
  std::unique_ptr<AudioDecoder> self(new AudioDecoder());
  State& d = *self->state_;
  d.io_timeout = io_timeout;
  d.format = avformat_alloc_context();
  d.format->interrupt_callback = {&State::interrupt, &d};
  AVDictionary* opts = nullptr;
  if (input.rfind("rtsp", 0) == 0) av_dict_set(&opts, "rtsp_transport", "tcp", 0);
  d.arm();
  int rc = avformat_open_input(&d.format, input.c_str(), nullptr, &opts);
  av_dict_free(&opts);
  if (rc < 0) return Error{fmt::format("cannot open '{}': {}", input, av_error(rc))};
  d.arm();
  if ((rc = avformat_find_stream_info(d.format, nullptr)) < 0)
    return Error{fmt::format("cannot read '{}': {}", input, av_error(rc))};
  const AVCodec* decoder = nullptr;
  d.stream = av_find_best_stream(d.format, AVMEDIA_TYPE_AUDIO, -1, -1, &decoder, 0);
  if (d.stream < 0 || !decoder) return Error{fmt::format("'{}' has no audio stream", input)};
  // Only the sound is wanted from this connection.
  for (unsigned i = 0; i < d.format->nb_streams; ++i)
    if (static_cast<int>(i) != d.stream) d.format->streams[i]->discard = AVDISCARD_ALL;
  d.codec = avcodec_alloc_context3(decoder);
  avcodec_parameters_to_context(d.codec, d.format->streams[d.stream]->codecpar);
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
  return self;
}

bool AudioDecoder::read(std::vector<float>& out) {
  State& d = *state_;
  if (d.flushed) return false;
  auto drain = [&] {
    while (avcodec_receive_frame(d.codec, d.frame) == 0) {
      convert(d.swr, d.frame, out);
      av_frame_unref(d.frame);
    }
  };
  d.arm();
  if (av_read_frame(d.format, d.packet) >= 0) {
    if (d.packet->stream_index == d.stream && avcodec_send_packet(d.codec, d.packet) == 0) drain();
    av_packet_unref(d.packet);
    return true;
  }
  // The end (or a lost stream): what the decoder and the resampler still hold.
  avcodec_send_packet(d.codec, nullptr);
  drain();
  convert(d.swr, nullptr, out);
  d.flushed = true;
  return false;
}

Result<std::vector<float>> read_audio(const std::string& input) {
  auto decoder = AudioDecoder::open(input, std::chrono::hours(1));
  if (!decoder) return decoder.error();
  std::vector<float> out;
  while ((*decoder)->read(out)) {
  }
  return out;
}

}  // namespace vigie::audio
