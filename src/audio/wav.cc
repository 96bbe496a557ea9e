// A minimal 16-bit PCM WAV writer for alert clips (RIFF header and samples, nothing else).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fstream>

#include "audio/audio.h"

namespace vigie::audio {
namespace {

void put32(std::ofstream& f, uint32_t v) { f.write(reinterpret_cast<const char*>(&v), 4); }
void put16(std::ofstream& f, uint16_t v) { f.write(reinterpret_cast<const char*>(&v), 2); }

}  // namespace

bool write_wav(const std::string& path, const std::vector<float>& samples, double from_s, double to_s) {
  const auto clamp_index = [&](double t) {
    return static_cast<size_t>(std::clamp(t * kRate, 0.0, static_cast<double>(samples.size())));
  };
  const size_t a = clamp_index(from_s), b = clamp_index(to_s);
  if (b <= a) return false;
  std::ofstream f(path, std::ios::binary);
  if (!f) return false;
  const uint32_t bytes = static_cast<uint32_t>((b - a) * 2);
  f.write("RIFF", 4), put32(f, 36 + bytes), f.write("WAVE", 4);
  f.write("fmt ", 4), put32(f, 16), put16(f, 1), put16(f, 1), put32(f, kRate), put32(f, kRate * 2), put16(f, 2),
      put16(f, 16);
  f.write("data", 4), put32(f, bytes);
  for (size_t i = a; i < b; ++i) {
    const auto v = static_cast<int16_t>(std::lround(std::clamp(samples[i], -1.f, 1.f) * 32767));
    f.write(reinterpret_cast<const char*>(&v), 2);
  }
  return static_cast<bool>(f);
}

}  // namespace vigie::audio
