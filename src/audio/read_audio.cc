// Decoding an audio track with libav, downmixed and resampled to mono 16 kHz floats.
#include <fmt/format.h>

#include <chrono>
#include <memory>
#include <vector>

#include "core/redact.h"
#include "audio/audio.h"
#include "video/libav.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/channel_layout.h>
#include <libavutil/mem.h>
#include <libavutil/opt.h>
#include <libswresample/swresample.h>
}

namespace vigie::audio {
namespace {

// Above any real audio (768 kHz is the highest rate converters sell); the cost of
// swr_init's filter grows with the rate, so a header claiming 1 GHz would stall for
// seconds to minutes.
constexpr int kMaxInputRate = 768000;
constexpr int kMaxChannels = 64;  // libswresample's own limit (SWR_CH_MAX, not public)

// What a resampler was set up for: a decoder may change it between frames (a Matroska
// track said stereo and decoded mono), and swr_convert reading a plane that is not
// there crashes.
struct InputFormat {
  AVChannelLayout layout{};
  int sample_format = AV_SAMPLE_FMT_NONE;
  int rate = 0;
  ~InputFormat() { av_channel_layout_uninit(&layout); }
  bool matches(const AVFrame& frame) const {
    return frame.format == sample_format && frame.sample_rate == rate &&
           av_channel_layout_compare(&frame.ch_layout, &layout) == 0;
  }
};

bool plausible(int rate, const AVChannelLayout& layout) {
  return rate > 0 && rate <= kMaxInputRate && layout.nb_channels > 0 && layout.nb_channels <= kMaxChannels;
}

// A resampler to mono kRate floats. Mono is the mean of the channels: a microphone
// duplicated on two channels reads its own level (the default ITU downmix adds 3 dB).
SwrContext* make_resampler(const AVChannelLayout& layout, AVSampleFormat format, int rate) {
  if (!plausible(rate, layout)) return nullptr;
  SwrContext* swr = nullptr;
  AVChannelLayout mono = AV_CHANNEL_LAYOUT_MONO;
  // swr_alloc_set_opts2 only reads the layouts; its parameters are not const.
  if (swr_alloc_set_opts2(&swr, &mono, AV_SAMPLE_FMT_FLT, kRate, const_cast<AVChannelLayout*>(&layout), format,
                          rate, 0, nullptr) < 0)
    return nullptr;
  const int channels = layout.nb_channels;
  const std::vector<double> mean(channels, 1.0 / channels);
  if (swr_set_matrix(swr, mean.data(), channels) < 0 || swr_init(swr) < 0) swr_free(&swr);
  return swr;
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
  InputFormat swr_input;  // what swr was set up for
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
  // Sets the resampler up for this input format (what it still holds is flushed first).
  bool resample_as(const AVChannelLayout& layout, int format, int rate, std::vector<float>* flush_to = nullptr) {
    if (swr && flush_to) convert(swr, nullptr, *flush_to);
    swr_free(&swr);
    swr = make_resampler(layout, static_cast<AVSampleFormat>(format), rate);
    av_channel_layout_uninit(&swr_input.layout);
    av_channel_layout_copy(&swr_input.layout, &layout);
    swr_input.sample_format = format;
    swr_input.rate = rate;
    return swr != nullptr;
  }
  // One decoded frame into out; a frame in a format no resampler can take is dropped.
  void take(const AVFrame& frame, std::vector<float>& out) {
    if (!swr_input.matches(frame)) resample_as(frame.ch_layout, frame.format, frame.sample_rate, &out);
    if (swr) convert(swr, &frame, out);
  }
  void arm() { deadline = std::chrono::steady_clock::now() + io_timeout; }
  static int interrupt(void* self) {
    return std::chrono::steady_clock::now() > static_cast<State*>(self)->deadline ? 1 : 0;
  }
};

AudioDecoder::AudioDecoder() : state_(std::make_unique<State>()) {}
AudioDecoder::~AudioDecoder() = default;

Result<std::unique_ptr<AudioDecoder>> AudioDecoder::open(const std::string& input, std::chrono::milliseconds io_timeout) {
  video::set_libav_defaults();
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
  if (rc < 0) return Error{fmt::format("cannot open '{}': {}", without_password(input), video::av_error_text(rc))};
  d.arm();
  if ((rc = avformat_find_stream_info(d.format, nullptr)) < 0)
    return Error{fmt::format("cannot read '{}': {}", without_password(input), video::av_error_text(rc))};
  const AVCodec* decoder = nullptr;
  d.stream = av_find_best_stream(d.format, AVMEDIA_TYPE_AUDIO, -1, -1, &decoder, 0);
  if (d.stream < 0 || !decoder) return Error{fmt::format("'{}' has no audio stream", without_password(input))};
  // Only the sound is wanted from this connection.
  for (unsigned i = 0; i < d.format->nb_streams; ++i)
    if (static_cast<int>(i) != d.stream) d.format->streams[i]->discard = AVDISCARD_ALL;
  d.codec = avcodec_alloc_context3(decoder);
  avcodec_parameters_to_context(d.codec, d.format->streams[d.stream]->codecpar);
  if ((rc = avcodec_open2(d.codec, decoder, nullptr)) < 0)
    return Error{fmt::format("cannot decode the audio of '{}': {}", without_password(input), video::av_error_text(rc))};
  if (!plausible(d.codec->sample_rate, d.codec->ch_layout))
    return Error{fmt::format("the audio of '{}' says {} Hz and {} channels: not a sound vigie can read", without_password(input),
                             d.codec->sample_rate, d.codec->ch_layout.nb_channels)};
  if (!d.resample_as(d.codec->ch_layout, d.codec->sample_fmt, d.codec->sample_rate))
    return Error{fmt::format("cannot resample the audio of '{}'", input)};
  return self;
}

bool AudioDecoder::read(std::vector<float>& out) {
  State& d = *state_;
  if (d.flushed) return false;
  auto drain = [&] {
    while (avcodec_receive_frame(d.codec, d.frame) == 0) {
      d.take(*d.frame, out);
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
  if (d.swr) convert(d.swr, nullptr, out);
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
