// The audio detectors. Each is a small state machine over a stream of levels or frame
// features; thresholds come from the rule (dB SPL through the camera's offset).
#include <algorithm>
#include <cmath>
#include <opencv2/core.hpp>

#include "audio/audio.h"

namespace vigie::audio {
namespace {

constexpr int kBlock = kRate / 100;      // 10 ms level blocks
constexpr int kFrame = 512, kHop = 256;  // 32 ms analysis frames every 16 ms
constexpr int kMinLag = kRate / 2000, kMaxLag = kRate / 150;  // pitch 150..2000 Hz

double to_db(double power) { return power > 1e-20 ? 10 * std::log10(power) : -200; }

// A-weighted level of every 10 ms block, dBFS.
std::vector<double> block_levels(const std::vector<float>& samples) {
  AWeighting a;
  std::vector<double> out;
  double sum = 0;
  int n = 0;
  for (float x : samples) {
    const double y = a.process(x);
    sum += y * y;
    if (++n == kBlock) out.push_back(to_db(sum / kBlock)), sum = 0, n = 0;
  }
  return out;
}

// YIN (de Cheveigné & Kawahara 2002): f0 and the aperiodicity at it (0 = perfectly
// periodic, 1 = noise).
std::pair<double, double> yin(const float* x) {
  const int n = kFrame - kMaxLag;
  double d[kMaxLag + 1];
  d[0] = 0;
  for (int tau = 1; tau <= kMaxLag; ++tau) {
    double s = 0;
    for (int j = 0; j < n; ++j) {
      const double v = x[j] - x[j + tau];
      s += v * v;
    }
    d[tau] = s;
  }
  // Cumulative mean normalised difference.
  double running = 0;
  double dn[kMaxLag + 1];
  dn[0] = 1;
  for (int tau = 1; tau <= kMaxLag; ++tau) {
    running += d[tau];
    dn[tau] = running > 0 ? d[tau] * tau / running : 1;
  }
  int best = -1;
  for (int tau = kMinLag; tau <= kMaxLag; ++tau)
    if (dn[tau] < 0.15) {
      while (tau + 1 <= kMaxLag && dn[tau + 1] < dn[tau]) ++tau;
      best = tau;
      break;
    }
  if (best < 0) best = static_cast<int>(std::min_element(dn + kMinLag, dn + kMaxLag + 1) - dn);
  double shift = 0;  // parabolic interpolation around the minimum
  if (best > kMinLag && best < kMaxLag) {
    const double a = dn[best - 1], b = dn[best], c = dn[best + 1];
    const double den = a - 2 * b + c;
    if (std::abs(den) > 1e-12) shift = 0.5 * (a - c) / den;
  }
  return {kRate / (best + shift), dn[best]};
}

// Spectral centroid (Hz) and flatness (geometric / arithmetic mean of the power spectrum).
std::pair<double, double> spectrum_shape(const float* x) {
  cv::Mat frame(1, kFrame, CV_32F);
  for (int i = 0; i < kFrame; ++i)
    frame.at<float>(i) = x[i] * static_cast<float>(0.5 - 0.5 * std::cos(2 * M_PI * i / (kFrame - 1)));
  cv::Mat spec;
  cv::dft(frame, spec, cv::DFT_COMPLEX_OUTPUT);
  double sum = 0, weighted = 0, log_sum = 0;
  const int bins = kFrame / 2;
  for (int k = 1; k <= bins; ++k) {
    const auto c = spec.at<cv::Vec2f>(k);
    const double p = static_cast<double>(c[0]) * c[0] + static_cast<double>(c[1]) * c[1] + 1e-12;
    sum += p, weighted += p * k * kRate / kFrame, log_sum += std::log(p);
  }
  return {weighted / sum, std::exp(log_sum / bins) / (sum / bins)};
}

// Intervals where `on[i]` holds, with gaps up to `max_gap` steps bridged.
std::vector<std::pair<size_t, size_t>> runs(const std::vector<bool>& on, size_t max_gap) {
  std::vector<std::pair<size_t, size_t>> out;
  size_t i = 0;
  while (i < on.size()) {
    if (!on[i]) {
      ++i;
      continue;
    }
    size_t end = i, gap = 0;
    for (size_t j = i + 1; j < on.size() && gap <= max_gap; ++j) {
      if (on[j]) end = j, gap = 0;
      else ++gap;
    }
    out.emplace_back(i, end);
    i = end + 1;
  }
  return out;
}

// sound_level: the A-weighted level over the last second above the threshold for
// min_seconds. Starts where the one-second level first crossed.
void sound_level(const std::vector<double>& blocks, const RuleConfig& r, double threshold, std::vector<Detection>& out) {
  std::vector<bool> loud(blocks.size(), false);
  std::vector<double> laeq(blocks.size(), -200);
  double power = 0;
  for (size_t i = 0; i < blocks.size(); ++i) {
    power += std::pow(10, blocks[i] / 10);
    if (i >= 100) power -= std::pow(10, blocks[i - 100] / 10);
    laeq[i] = to_db(std::max(0.0, power) / std::min<size_t>(i + 1, 100));
    loud[i] = laeq[i] >= threshold;
  }
  for (auto [a, b] : runs(loud, 0)) {
    if ((b - a + 1) / 100.0 < r.min_seconds) continue;
    out.push_back({"sound_level", "", a / 100.0, (b + 1) / 100.0, *std::max_element(laeq.begin() + a, laeq.begin() + b + 1)});
  }
}

// impulse: the block level rises by rise_db within 50 ms to at least the threshold, and
// falls back by half that within 300 ms (the mean level 100-300 ms later: single 10 ms
// blocks of noise fluctuate too much) — a bang, not the start of a loud sound.
void impulse(const std::vector<double>& blocks, const RuleConfig& r, double threshold, std::vector<Detection>& out) {
  double last = -1e9;
  for (size_t i = 5; i + 30 < blocks.size(); ++i) {
    const double before = *std::min_element(blocks.begin() + (i - 5), blocks.begin() + i);
    if (blocks[i] < threshold || blocks[i] - before < r.rise_db) continue;
    const double peak = *std::max_element(blocks.begin() + i, blocks.begin() + i + 5);
    double after_power = 0;
    for (size_t j = i + 10; j < i + 30; ++j) after_power += std::pow(10, blocks[j] / 10);
    const double after = to_db(after_power / 20);
    if (peak - after < r.rise_db / 2) continue;
    const double t = i / 100.0;
    if (t - last < std::max(0.05, r.cooldown_seconds)) continue;
    last = t;
    out.push_back({"impulse", "", t, t + 0.01, blocks[i]});
  }
}

// scream: loud, strongly harmonic, high-pitched frames, for 0.3 to 3 s.
void scream(const std::vector<FrameFeatures>& f, const RuleConfig& r, double threshold, std::vector<Detection>& out) {
  std::vector<bool> on(f.size());
  for (size_t i = 0; i < f.size(); ++i)
    on[i] = f[i].level_db >= threshold && f[i].aperiodicity <= 0.4 && f[i].f0_hz >= 250 && f[i].centroid_hz >= 700;
  const double hop = static_cast<double>(kHop) / kRate;
  for (auto [a, b] : runs(on, 6)) {  // bridge up to 0.1 s
    const double len = (b - a + 1) * hop;
    if (len < r.min_seconds || len > 3.0) continue;
    double peak = -200;
    for (size_t i = a; i <= b; ++i) peak = std::max(peak, f[i].level_db);
    out.push_back({"scream", "", f[a].time_s, f[b].time_s + hop, peak});
  }
}

// clamour: loud for min_seconds, and over each second no single clear voice (most
// frames aperiodic, as many voices at once are), speech-like rather than a hiss (low
// spectral flatness), and fluctuating as voices do (frame levels vary by 2 dB or more,
// where steady noise varies by less).
void clamour(const std::vector<FrameFeatures>& f, const RuleConfig& r, double threshold, std::vector<Detection>& out) {
  const size_t per_second = kRate / kHop;
  std::vector<bool> on;
  std::vector<double> level;
  for (size_t s = 0; s + per_second <= f.size(); s += per_second) {
    double power = 0, flat = 0, sum = 0, sq = 0;
    std::vector<double> ap;
    for (size_t i = s; i < s + per_second; ++i) {
      power += std::pow(10, f[i].level_db / 10), ap.push_back(f[i].aperiodicity), flat += f[i].flatness;
      sum += f[i].level_db, sq += f[i].level_db * f[i].level_db;
    }
    std::nth_element(ap.begin(), ap.begin() + ap.size() / 2, ap.end());
    const double l = to_db(power / per_second);
    const double mean = sum / per_second, spread = std::sqrt(std::max(0.0, sq / per_second - mean * mean));
    level.push_back(l);
    on.push_back(l >= threshold && ap[ap.size() / 2] >= 0.25 && flat / per_second <= 0.3 && spread >= 2.0);
  }
  for (auto [a, b] : runs(on, 0)) {
    if (static_cast<double>(b - a + 1) < r.min_seconds) continue;
    out.push_back({"clamour", "", static_cast<double>(a), static_cast<double>(b + 1),
                   *std::max_element(level.begin() + a, level.begin() + b + 1)});
  }
}

}  // namespace

std::vector<FrameFeatures> features(const std::vector<float>& samples) {
  std::vector<float> weighted(samples.size());
  AWeighting a;
  for (size_t i = 0; i < samples.size(); ++i) weighted[i] = a.process(samples[i]);
  std::vector<FrameFeatures> out;
  for (size_t at = 0; at + kFrame <= samples.size(); at += kHop) {
    double p = 0;
    for (int i = 0; i < kFrame; ++i) p += static_cast<double>(weighted[at + i]) * weighted[at + i];
    auto [f0, aperiodicity] = yin(samples.data() + at);
    auto [centroid, flatness] = spectrum_shape(samples.data() + at);
    out.push_back({static_cast<double>(at) / kRate, to_db(p / kFrame), f0, aperiodicity, centroid, flatness});
  }
  return out;
}

bool is_audio_rule(const RuleConfig& r) {
  return r.type == "sound_level" || r.type == "impulse" || r.type == "scream" || r.type == "clamour";
}

std::vector<RuleConfig> audio_rules(const std::vector<RuleConfig>& rules) {
  std::vector<RuleConfig> out;
  std::copy_if(rules.begin(), rules.end(), std::back_inserter(out), is_audio_rule);
  return out;
}

std::vector<Detection> detect(const std::vector<float>& samples, const std::vector<RuleConfig>& rules,
                              double offset_db) {
  std::vector<Detection> out;
  std::vector<double> blocks;
  std::vector<FrameFeatures> frames;
  for (const auto& r : rules) {
    const size_t before = out.size();
    const double threshold = r.above_db - offset_db;  // dB SPL → dBFS
    if (r.type == "sound_level" || r.type == "impulse") {
      if (blocks.empty()) blocks = block_levels(samples);
      (r.type == "sound_level" ? sound_level : impulse)(blocks, r, threshold, out);
    } else if (r.type == "scream" || r.type == "clamour") {
      if (frames.empty()) frames = features(samples);
      (r.type == "scream" ? scream : clamour)(frames, r, threshold, out);
    }
    for (size_t i = before; i < out.size(); ++i) out[i].rule = r.name;
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.start_s < b.start_s; });
  return out;
}

}  // namespace vigie::audio
