// Audio and video containers as vigie opens them: the bytes as a file given to the audio
// decoder (src/audio/read_audio: libav demux, decode, resample to mono) and to the video
// source (src/video: open_source → FFmpeg demux, decode, BGR conversion). Work per input
// is capped (packets, samples, frames) so each run stays fast; the audio is then metered.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "audio/audio.h"
#include "fuzz_common.h"
#include "video/source.h"

namespace {
constexpr int kMaxPackets = 64;
constexpr size_t kMaxSamples = 2 * vigie::audio::kRate;  // two seconds
constexpr int kMaxFrames = 3;
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto path = vigie::fuzz::write_input("media", data, size);

  if (auto audio = vigie::audio::AudioDecoder::open(path, std::chrono::seconds(2))) {
    std::vector<float> samples;
    for (int i = 0; i < kMaxPackets && samples.size() < kMaxSamples && (*audio)->read(samples); ++i) {
    }
    (void)vigie::audio::measure(samples);
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
