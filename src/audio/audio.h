// Audio analytics: a sound level meter (A-weighted, dBFS) and detectors of loud sound,
// impulses, screams and crowd clamour, each an explicit rule with measured accuracy.
//
// Everything works on mono 16 kHz float samples in [-1, 1]. Levels are dBFS as
// 20·log10(RMS) — the convention of `sox stats` ("RMS lev dB"): a full-scale sine is
// -3.01 dBFS. A camera's `audio_offset_db` turns them into dB SPL.
#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <map>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/result.h"

namespace vigie::audio {

constexpr int kRate = 16000;

// Decodes the first audio stream of a file (or URL) with libav, mixed to mono and
// resampled to 16 kHz. Errors name the input.
Result<std::vector<float>> read_audio(const std::string& input);

// The same, a packet at a time, for live streams: every network call is bounded by
// `io_timeout` (an interrupt callback), so a dead stream returns instead of hanging.
class AudioDecoder {
 public:
  static Result<std::unique_ptr<AudioDecoder>> open(const std::string& input,
                                                    std::chrono::milliseconds io_timeout = std::chrono::seconds(5));
  ~AudioDecoder();
  // Appends what one more packet decodes to (often nothing); false at the end or when
  // the stream is lost (after the last samples were appended).
  bool read(std::vector<float>& out);

 private:
  AudioDecoder();
  struct State;
  std::unique_ptr<State> state_;
};

// A second-order Butterworth high-pass (RBJ biquad): impulses are measured above
// kImpulseHighPassHz, without the rumble of traffic and wind that dominates street noise.
constexpr double kImpulseHighPassHz = 100;
class HighPass {
 public:
  explicit HighPass(double cutoff_hz);
  double process(double x);

 private:
  double b0_, b1_, b2_, a1_, a2_, x1_ = 0, x2_ = 0, y1_ = 0, y2_ = 0;
};

// A-weighting as a cascade of first-order sections from the bilinear transform of the
// IEC 61672 analogue filter, normalised to 0 dB at 1 kHz. Stateful: feed it in order.
class AWeighting {
 public:
  AWeighting();
  float process(float x);
  void reset();

 private:
  struct Section {
    double b0, b1, a1, x1 = 0, y1 = 0;
  };
  std::vector<Section> sections_;
  std::array<double, 5> fir_{}, history_{};
  double gain_ = 1;
};

struct Levels {
  std::vector<double> laeq_1s;  // A-weighted equivalent level of each whole second, dBFS
  double laeq = -200;           // over the whole signal
  double lafmax = -200;         // maximum of the Fast (125 ms) time-weighted level
};
Levels measure(const std::vector<float>& samples);

// Unweighted RMS level of the whole signal, dBFS (what `sox stats` calls RMS lev dB).
double rms_dbfs(const std::vector<float>& samples);

// A detection: the detector (rule type) and when the sound started and ended (seconds).
struct Detection {
  std::string type;  // sound_level | impulse | scream | clamour
  std::string rule;  // the rule's name
  double start_s = 0, end_s = 0;
  double peak_db = 0;
};

// True for the rule types audio::detect runs (sound_level, impulse, scream, clamour).
bool is_audio_rule(const RuleConfig& rule);
// The audio rules among a camera's rules.
std::vector<RuleConfig> audio_rules(const std::vector<RuleConfig>& rules);

// A mean power as a level, dB (-200 for silence).
inline double power_db(double power) { return power > 1e-20 ? 10 * std::log10(power) : -200; }

// A camera's background level, the reference of relative levels (rules with `level:
// relative`, the default): the 20th percentile of its A-weighted 100 ms levels over the
// last two minutes — the quieter moments, which the sounds to detect do not move.
constexpr double kTenthS = 0.1;           // one level per 100 ms
constexpr double kBackgroundWindowS = 120;
constexpr double kBackgroundPercentile = 0.2;
constexpr double kSilenceDb = -100;  // levels below are digital silence, not background

// The A-weighted and the high-passed (impulse) level of every whole 100 ms of a signal, dBFS.
struct Tenths {
  std::vector<double> a_db, hp_db;
};
Tenths tenth_levels(const std::vector<float>& samples);

// The running background: add levels in time order, read the percentile of the window.
class BackgroundLevel {
 public:
  void add(double level_db);
  double value() const;  // -200 before the first level
 private:
  static constexpr double kLow = -150, kStep = 0.25;
  static constexpr int kBins = 640;  // -150 .. +10 dBFS
  std::array<int, kBins> counts_{};
  std::vector<int> ring_;  // bins of the last levels
  size_t next_ = 0;
  int n_ = 0;
};

// Runs the audio rules of a camera (types sound_level, impulse, scream, clamour) over a
// whole signal. `offset_db` turns dBFS into dB SPL for `level: absolute` rules
// (CameraConfig::audio_offset_db); `prior` are the tenth_levels of what came before the
// signal (oldest first), so that a window of a stream knows its background.
std::vector<Detection> detect(const std::vector<float>& samples, const std::vector<RuleConfig>& rules,
                              double offset_db, const Tenths& prior = {});

// The audio rules on a live stream, fed in pieces of any size. The detectors above run
// every `step_s` on the last `window_s` seconds; a detection is reported once, in stream
// seconds from the first sample: sound_level and clamour as soon as they hold (the end is
// then the present), impulse and scream once they are over (their shape decides). The
// last `keep_s` seconds stay available for clips.
class LiveDetector {
 public:
  LiveDetector(std::vector<RuleConfig> rules, double offset_db, double window_s = 12, double step_s = 1,
               double keep_s = 20);
  std::vector<Detection> push(const float* samples, size_t n);
  // The samples of [from_s, to_s) still kept, and (in `clip_start_s`) where they begin.
  std::vector<float> clip(double from_s, double to_s, double& clip_start_s) const;
  double now_s() const { return static_cast<double>(total_) / kRate; }

 private:
  void run(std::vector<Detection>& out);
  std::vector<RuleConfig> rules_;
  double offset_db_;
  int64_t window_, step_, keep_;
  std::vector<float> buffer_;
  int64_t buffer_start_ = 0, total_ = 0, next_run_;
  std::map<std::string, double> reported_until_;  // by rule: end of the last reported detection
  // 100 ms levels of the stream, for the background of each window.
  void keep_tenths(const float* samples, size_t n);
  Tenths tenths_before(int64_t sample) const;
  AWeighting weighting_;
  HighPass high_pass_{kImpulseHighPassHz};
  double tenth_a_ = 0, tenth_hp_ = 0;
  int64_t tenth_fill_ = 0;
  Tenths tenths_;                // oldest first
  int64_t tenths_dropped_ = 0;  // how many were trimmed from the front
};

// Writes samples [from_s, to_s) as a 16-bit PCM WAV file (an alert's audio clip).
bool write_wav(const std::string& path, const std::vector<float>& samples, double from_s, double to_s);

// Per-frame features, exposed for tests and tuning.
// roughness: the share of the amplitude envelope's power (64 ms around the frame) that is
// modulated at 30-150 Hz — the rough, "grating" quality of screams (Arnal et al. 2015).
struct FrameFeatures {
  double time_s, level_db, f0_hz, aperiodicity, centroid_hz, flatness, roughness;
};
std::vector<FrameFeatures> features(const std::vector<float>& samples);

}  // namespace vigie::audio
