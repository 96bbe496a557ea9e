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
// Two bugs it found in src/audio/read_audio.cc are fixed; their reproducers are in
// fuzz/regressions/media_headers/ (fuzz/README.md).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

extern "C" {
#include <libavutil/cpu.h>
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
}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  av_cpu_force_count(1);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto path = vigie::fuzz::write_input("media", data, size);

  if (auto audio = vigie::audio::AudioDecoder::open(path, std::chrono::seconds(2))) {
    std::vector<float> samples;
    for (int i = 0; i < kMaxPackets && samples.size() < kMaxSamples && (*audio)->read(samples); ++i) {
    }
    if (samples.size() > kMaxSamples) samples.resize(kMaxSamples);  // one packet can hold seconds
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
