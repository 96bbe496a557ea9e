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

// A-weighted and high-passed level of every 10 ms block, dBFS.
Tenths block_levels(const std::vector<float>& samples) {
  AWeighting a;
  HighPass h(kImpulseHighPassHz);
  Tenths out;
  double sum_a = 0, sum_hp = 0;
  int n = 0;
  for (float x : samples) {
    const double y = a.process(x), hp = h.process(x);
    sum_a += y * y, sum_hp += hp * hp;
    if (++n == kBlock) {
      out.a_db.push_back(power_db(sum_a / kBlock)), out.hp_db.push_back(power_db(sum_hp / kBlock));
      sum_a = sum_hp = 0, n = 0;
    }
  }
  return out;
}

// Levels of groups of `per` consecutive blocks (power means), whole groups only.
std::vector<double> grouped(const std::vector<double>& blocks, size_t per) {
  std::vector<double> out;
  for (size_t t = 0; (t + 1) * per <= blocks.size(); ++t) {
    double power = 0;
    for (size_t i = t * per; i < (t + 1) * per; ++i) power += std::pow(10, blocks[i] / 10);
    out.push_back(power_db(power / static_cast<double>(per)));
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

// Roughness of the 64 ms around frame sample `at` (docs/audio.md): the amplitude envelope
// in 1 ms steps, and the share of its power modulated at 30-150 Hz.
double roughness(const std::vector<float>& x, size_t at) {
  constexpr int kSteps = 64, kStepLen = kRate / 1000;
  const int64_t from = static_cast<int64_t>(at) + kFrame / 2 - kSteps * kStepLen / 2;
  if (from < 0 || from + kSteps * kStepLen > static_cast<int64_t>(x.size())) return 0;
  cv::Mat env(1, kSteps, CV_32F);
  double mean = 0;
  for (int k = 0; k < kSteps; ++k) {
    double p = 0;
    for (int j = 0; j < kStepLen; ++j) p += static_cast<double>(x[from + k * kStepLen + j]) * x[from + k * kStepLen + j];
    env.at<float>(k) = static_cast<float>(std::sqrt(p / kStepLen));
    mean += env.at<float>(k);
  }
  mean /= kSteps;
  if (mean <= 1e-9) return 0;
  for (int k = 0; k < kSteps; ++k)
    env.at<float>(k) = static_cast<float>((env.at<float>(k) - mean) * (0.5 - 0.5 * std::cos(2 * M_PI * k / (kSteps - 1))));
  cv::Mat spec;
  cv::dft(env, spec, cv::DFT_COMPLEX_OUTPUT);
  double band = 0, total = 0;
  for (int k = 1; k <= kSteps / 2; ++k) {
    const auto c = spec.at<cv::Vec2f>(k);
    const double p = static_cast<double>(c[0]) * c[0] + static_cast<double>(c[1]) * c[1];
    total += p;
    if (k * 1000.0 / kSteps >= 30 && k * 1000.0 / kSteps <= 150) band += p;
  }
  return total > 0 ? band / total : 0;
}

// Where each rule's level gate stands, per 10 ms block: an absolute level, or the running
// background plus a margin.
struct Gate {
  const AudioLevel& level;
  double offset_db;
  const std::vector<double>& background;  // per block
  double at_block(size_t i) const {
    if (level.absolute) return level.above_db - offset_db;  // dB SPL → dBFS
    return background[std::min(i, background.size() - 1)] + level.above_background_db;
  }
  double at_time(double t) const { return at_block(static_cast<size_t>(std::max(0.0, t) * 100)); }
};

// The background under each 10 ms block: the running percentile of 100 ms levels, those
// before the signal first, then the signal's own up to and including the current 100 ms.
std::vector<double> background_per_block(const std::vector<double>& blocks, const std::vector<double>& prior) {
  BackgroundLevel bg;
  for (double l : prior) bg.add(l);
  std::vector<double> out(blocks.size());
  constexpr size_t kPer = 10;  // blocks per 100 ms
  for (size_t t = 0; t * kPer < blocks.size(); ++t) {
    const size_t end = std::min(blocks.size(), (t + 1) * kPer);
    double power = 0;
    for (size_t i = t * kPer; i < end; ++i) power += std::pow(10, blocks[i] / 10);
    bg.add(power_db(power / static_cast<double>(end - t * kPer)));
    for (size_t i = t * kPer; i < end; ++i) out[i] = bg.value();
  }
  return out;
}

// sound_level: the A-weighted Fast level (125 ms exponential time weighting, what a sound
// level meter shows) at the gate for min_seconds, dips of up to 0.25 s bridged. A bang
// is over in a fraction of a second; a din holds.
void sound_level(const std::vector<double>& blocks, const SustainedSoundRule& r, const Gate& gate, std::vector<Detection>& out) {
  const double keep = std::exp(-0.01 / 0.125);
  std::vector<bool> loud(blocks.size(), false);
  std::vector<double> fast(blocks.size(), -200);
  double power = blocks.empty() ? 0 : std::pow(10, blocks[0] / 10);
  for (size_t i = 0; i < blocks.size(); ++i) {
    power = keep * power + (1 - keep) * std::pow(10, blocks[i] / 10);
    fast[i] = power_db(power);
    loud[i] = fast[i] >= gate.at_block(i);
  }
  for (auto [a, b] : runs(loud, 25)) {
    if ((b - a + 1) / 100.0 < r.min_seconds) continue;
    out.push_back({"sound_level", "", a / 100.0, (b + 1) / 100.0, *std::max_element(fast.begin() + a, fast.begin() + b + 1)});
  }
}

// The onset of a sound at `t`: the median aperiodicity and the power-weighted mean
// spectral centroid of the analysis frames that start within [t, t + span) (weighted, so
// that the quiet frames after a 20 ms crack do not pull its centroid down), computed for
// those frames only (an impulse rule alone need not analyse every frame).
struct Onset {
  double aperiodicity = 1, centroid_hz = 0;
};
Onset onset(const std::vector<float>& samples, double t, double span) {
  const auto first = static_cast<size_t>(std::max(0.0, std::ceil(t * kRate / kHop - 1e-6)));
  const auto last = static_cast<size_t>(std::max(0.0, std::ceil((t + span) * kRate / kHop - 1e-6)));
  std::vector<double> ap;
  double centroid = 0, power = 0;
  for (size_t k = first; k < last && k * kHop + kFrame <= samples.size(); ++k) {
    const float* x = samples.data() + k * kHop;
    ap.push_back(yin(x).second);
    double p = 1e-20;
    for (int j = 0; j < kFrame; ++j) p += static_cast<double>(x[j]) * x[j];
    centroid += spectrum_shape(x).first * p, power += p;
  }
  if (ap.empty()) return {};
  std::nth_element(ap.begin(), ap.begin() + ap.size() / 2, ap.end());
  return {ap[ap.size() / 2], centroid / power};
}

// impulse: a bang or a blast, on the high-passed 10 ms levels `hp` (`a`: the A-weighted
// ones). The level rises by rise_db within 50 ms to at least the gate; the sound dies
// away — within 1.5 s some 100 ms is rise_db/2 below the peak (a shot decays in tens of
// ms, an explosion's rumble in about a second; a loud sound that starts abruptly and goes
// on is not an impulse); and its onset is not a voice: mostly noise (the first 50 ms
// aperiodic) with its energy outside a voice's band — low (at the peak, the high-passed
// level 4 dB or more above the A-weighted one, which discounts what lies below 500 Hz:
// a blast, a muzzle report) or high (spectral centroid of the first 50 ms >= 3 kHz: a
// crack). A syllable's attack has its energy in between, where A-weighting keeps it.
void impulse(const Tenths& blocks, const std::vector<float>& samples, const ImpulseRule& r, const Gate& gate,
             std::vector<Detection>& out) {
  const auto& hp = blocks.hp_db;
  double last = -1e9;
  for (size_t i = 10; i + 10 < hp.size(); ++i) {
    // The level before: the median of the last 100 ms (a single quiet 10 ms of a noisy
    // street would make any syllable a sharp rise).
    std::array<double, 10> prior;
    std::copy(hp.begin() + (i - 10), hp.begin() + i, prior.begin());
    std::nth_element(prior.begin(), prior.begin() + 5, prior.end());
    const double before = prior[5];
    if (hp[i] < gate.at_block(i) || hp[i] - before < r.rise_db) continue;
    const double peak = *std::max_element(hp.begin() + i, hp.begin() + i + 5);
    bool decays = false;
    for (size_t j = i + 5; j + 10 <= std::min(hp.size(), i + 150) && !decays; ++j) {
      double power = 0;
      for (size_t k = j; k < j + 10; ++k) power += std::pow(10, hp[k] / 10);
      decays = power_db(power / 10) <= peak - r.rise_db / 2;
    }
    if (!decays) continue;
    double low_share = -200;  // dB of high-passed over A-weighted level, at the peak
    for (size_t k = i; k < i + 5; ++k) low_share = std::max(low_share, hp[k] - blocks.a_db[k]);
    const double t = i / 100.0;
    const Onset o = onset(samples, t - 0.01, 0.05);
    if ((low_share < 4 && o.centroid_hz < 3000) || o.aperiodicity < 0.6) continue;
    if (t - last < std::max(0.05, r.cooldown_seconds)) continue;
    last = t;
    out.push_back({"impulse", "", t, t + 0.01, peak});
  }
}

// scream: a loud cry, 0.3 to 3 s long, of frames at the gate that are either voice
// (harmonic, pitch >= 200 Hz) or rough (partly periodic, amplitude-modulated at 30-150 Hz,
// not a hiss); at least 30 % voice, since the envelope of noise is "rough" too; and the
// voice pitched above the speaking range of men and women (median >= 250 Hz: talk at
// 200-250 Hz is voice by the first test, not a scream by this one).
void scream(const std::vector<FrameFeatures>& f, const SustainedSoundRule& r, const Gate& gate, std::vector<Detection>& out) {
  std::vector<bool> on(f.size()), voice(f.size());
  for (size_t i = 0; i < f.size(); ++i) {
    const bool loud = f[i].level_db >= gate.at_time(f[i].time_s);
    const bool voiced = f[i].aperiodicity <= 0.4 && f[i].f0_hz >= 200;
    const bool rough = f[i].roughness >= 0.3 && f[i].aperiodicity > 0.4 && f[i].aperiodicity <= 0.9 && f[i].flatness <= 0.3;
    on[i] = loud && (voiced || rough);
    voice[i] = loud && voiced;
  }
  const double hop = static_cast<double>(kHop) / kRate;
  for (auto [a, b] : runs(on, 6)) {  // bridge up to 0.1 s
    const double len = (b - a + 1) * hop;
    if (len < r.min_seconds || len > 3.0) continue;
    std::vector<double> pitch;
    for (size_t i = a; i <= b; ++i)
      if (voice[i]) pitch.push_back(f[i].f0_hz);
    if (pitch.size() < 0.3 * static_cast<double>(b - a + 1)) continue;
    std::nth_element(pitch.begin(), pitch.begin() + pitch.size() / 2, pitch.end());
    if (pitch[pitch.size() / 2] < 250) continue;
    double peak = -200;
    for (size_t i = a; i <= b; ++i) peak = std::max(peak, f[i].level_db);
    out.push_back({"scream", "", f[a].time_s, f[b].time_s + hop, peak});
  }
}

// clamour: many voices at once for min_seconds. Judged on windows of about 1 s (62
// frames) every quarter second (15 frames):
// loud throughout (even its quieter frames at the gate — one person talking leaves gaps
// between words, a crowd fills them), no single clear voice (the median frame aperiodic,
// as overlapping voices are), voices rather than hiss (low spectral flatness) and rather
// than the rumble of traffic (energy centred in the speech band, >= 500 Hz).
void clamour(const std::vector<FrameFeatures>& f, const SustainedSoundRule& r, const Gate& gate, std::vector<Detection>& out) {
  const size_t per_second = kRate / kHop, step = per_second / 4;
  std::vector<bool> on;
  std::vector<double> level, start;
  for (size_t s = 0; s + per_second <= f.size(); s += step) {
    double power = 0, flat = 0, centroid = 0;
    std::vector<double> ap, levels;
    for (size_t i = s; i < s + per_second; ++i) {
      const double p = std::pow(10, f[i].level_db / 10);
      power += p, flat += f[i].flatness, centroid += f[i].centroid_hz * p;
      ap.push_back(f[i].aperiodicity), levels.push_back(f[i].level_db);
    }
    std::nth_element(ap.begin(), ap.begin() + ap.size() / 2, ap.end());
    std::nth_element(levels.begin(), levels.begin() + levels.size() / 10, levels.end());
    level.push_back(power_db(power / per_second)), start.push_back(f[s].time_s);
    const double median_ap = ap[ap.size() / 2];
    on.push_back(levels[levels.size() / 10] >= gate.at_time(f[s].time_s + 0.5) && median_ap >= 0.25 &&
                 median_ap <= 0.8 && flat / per_second <= 0.35);
  }
  const double window = static_cast<double>(per_second * kHop) / kRate;
  for (auto [a, b] : runs(on, 2)) {  // a crowd draws breath: bridge up to 0.5 s
    const double from = start[a], to = start[b] + window;
    if (to - from < r.min_seconds) continue;
    out.push_back({"clamour", "", from, to, *std::max_element(level.begin() + a, level.begin() + b + 1)});
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
    out.push_back({static_cast<double>(at) / kRate, power_db(p / kFrame), f0, aperiodicity, centroid, flatness,
                   roughness(samples, at)});
  }
  return out;
}

bool is_audio_rule(const RuleConfig& r) { return is_audio_rule_type(r.type); }

std::vector<RuleConfig> audio_rules(const std::vector<RuleConfig>& rules) {
  std::vector<RuleConfig> out;
  std::copy_if(rules.begin(), rules.end(), std::back_inserter(out), is_audio_rule);
  return out;
}

HighPass::HighPass(double cutoff_hz) {
  const double w = 2 * M_PI * cutoff_hz / kRate, alpha = std::sin(w) / std::sqrt(2.0), c = std::cos(w);
  const double a0 = 1 + alpha;
  b0_ = (1 + c) / 2 / a0, b1_ = -(1 + c) / a0, b2_ = b0_, a1_ = -2 * c / a0, a2_ = (1 - alpha) / a0;
}

double HighPass::process(double x) {
  const double y = b0_ * x + b1_ * x1_ + b2_ * x2_ - a1_ * y1_ - a2_ * y2_;
  x2_ = x1_, x1_ = x, y2_ = y1_, y1_ = y;
  return y;
}

Tenths tenth_levels(const std::vector<float>& samples) {
  const auto blocks = block_levels(samples);
  return {grouped(blocks.a_db, 10), grouped(blocks.hp_db, 10)};
}

void BackgroundLevel::add(double level_db) {
  // Digital silence (a muted input, a stream not yet sounding) is no background: below
  // any microphone's own noise, it would put every gate 100 dB too low.
  if (!std::isfinite(level_db) || level_db < kSilenceDb) return;
  const int bin = std::clamp(static_cast<int>((level_db - kLow) / kStep), 0, kBins - 1);
  const size_t capacity = static_cast<size_t>(kBackgroundWindowS / kTenthS);
  if (ring_.size() < capacity) {
    ring_.push_back(bin);
  } else {
    --counts_[ring_[next_]];
    ring_[next_] = bin;
    next_ = (next_ + 1) % capacity;
  }
  ++counts_[bin];
  n_ = static_cast<int>(ring_.size());
}

double BackgroundLevel::value() const {
  if (n_ == 0) return -200;
  const int rank = static_cast<int>(kBackgroundPercentile * (n_ - 1));
  int seen = 0;
  for (int b = 0; b < kBins; ++b)
    if ((seen += counts_[b]) > rank) return kLow + (b + 0.5) * kStep;
  return kLow + kBins * kStep;
}

std::vector<Detection> detect(const std::vector<float>& samples, const std::vector<RuleConfig>& rules,
                              double offset_db, const Tenths& prior) {
  if (!std::all_of(samples.begin(), samples.end(), [](float x) { return std::isfinite(x); })) {
    std::vector<float> clean(samples);  // a decoder's NaN or infinity would poison every filter
    for (auto& x : clean) x = std::isfinite(x) ? x : 0.0f;
    return detect(clean, rules, offset_db, prior);
  }
  std::vector<Detection> out;
  const Tenths blocks = block_levels(samples);
  const std::vector<double> background_a = background_per_block(blocks.a_db, prior.a_db);
  const std::vector<double> background_hp = background_per_block(blocks.hp_db, prior.hp_db);
  std::vector<FrameFeatures> frames;
  for (const auto& r : rules) {
    if (!is_audio_rule(r) || blocks.a_db.empty()) continue;
    const size_t before = out.size();
    // Impulses are judged on the high-passed level, not A-weighted: a shot's or a blast's
    // energy is low as much as high, a voice's is not; the rest A-weighted.
    const Gate gate{audio_level(r), offset_db, r.type == "impulse" ? background_hp : background_a};
    if ((r.type == "scream" || r.type == "clamour") && frames.empty()) frames = features(samples);
    if (r.type == "sound_level") sound_level(blocks.a_db, r.as<SustainedSoundRule>(), gate, out);
    if (r.type == "impulse") impulse(blocks, samples, r.as<ImpulseRule>(), gate, out);
    if (r.type == "scream") scream(frames, r.as<SustainedSoundRule>(), gate, out);
    if (r.type == "clamour") clamour(frames, r.as<SustainedSoundRule>(), gate, out);
    for (size_t i = before; i < out.size(); ++i) out[i].rule = r.name;
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.start_s < b.start_s; });
  return out;
}

}  // namespace vigie::audio
