#include "audio/audio.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <fstream>
#include <limits>
#include <opencv2/core.hpp>
#include <random>

#include "core/test_data.h"

namespace vigie::audio {
namespace {

std::vector<float> sine(double hz, double amplitude, double seconds) {
  std::vector<float> s(static_cast<size_t>(seconds * kRate));
  for (size_t i = 0; i < s.size(); ++i) s[i] = static_cast<float>(amplitude * std::sin(2 * M_PI * hz * i / kRate));
  return s;
}

std::vector<float> noise(double rms, double seconds, unsigned seed = 1) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> n(0, static_cast<float>(rms));
  std::vector<float> s(static_cast<size_t>(seconds * kRate));
  for (auto& v : s) v = n(rng);
  return s;
}

// IEC 61672 A-weighting, analytic, in dB.
double a_weight_db(double f) {
  const double f2 = f * f;
  const double ra = (12194.0 * 12194 * f2 * f2) /
                    ((f2 + 20.6 * 20.6) * std::sqrt((f2 + 107.7 * 107.7) * (f2 + 737.9 * 737.9)) * (f2 + 12194.0 * 12194));
  return 20 * std::log10(ra) + 2.0;
}

// A-weighted level computed in the frequency domain: an independent reference.
double reference_laeq(const std::vector<float>& s) {
  cv::Mat x(1, static_cast<int>(s.size()), CV_32F, const_cast<float*>(s.data())), spec;
  cv::dft(x, spec, cv::DFT_COMPLEX_OUTPUT);
  const int n = static_cast<int>(s.size());
  double sum = 0;
  for (int k = 1; k < n / 2; ++k) {
    const auto c = spec.at<cv::Vec2f>(k);
    const double p = (static_cast<double>(c[0]) * c[0] + static_cast<double>(c[1]) * c[1]) * 2 / (double(n) * n);
    sum += p * std::pow(10, a_weight_db(static_cast<double>(k) * kRate / n) / 10);
  }
  return 10 * std::log10(sum);
}

TEST(Meter, OneKilohertzSineReadsItsRmsLevel) {
  const auto s = sine(1000, 0.5, 3);
  const double expected = 20 * std::log10(0.5 / std::sqrt(2));  // -9.03 dBFS
  EXPECT_NEAR(rms_dbfs(s), expected, 0.01);
  EXPECT_NEAR(measure(s).laeq, expected, 0.5);
  for (double l : measure(s).laeq_1s) EXPECT_NEAR(l, expected, 0.5);
}

TEST(Meter, AWeightingAt100HzAnd4kHz) {
  for (double f : {100.0, 4000.0}) {
    const auto s = sine(f, 0.5, 3);
    EXPECT_NEAR(measure(s).laeq - rms_dbfs(s), a_weight_db(f), 0.5) << f << " Hz";
  }
}

TEST(Meter, NoiseMatchesTheFrequencyDomainReference) {
  const auto s = noise(0.05, 4);
  EXPECT_NEAR(measure(s).laeq, reference_laeq(s), 0.5);
}

TEST(Meter, FastMaximumFollowsABurst) {
  auto s = noise(0.001, 3);
  const auto burst = sine(1000, 0.5, 0.5);
  std::copy(burst.begin(), burst.end(), s.begin() + kRate);
  // A 0.5 s burst is four Fast time constants: LAFmax is within 0.5 dB of its level.
  EXPECT_NEAR(measure(s).lafmax, 20 * std::log10(0.5 / std::sqrt(2)), 0.5);
}

double sox_rms_db(const std::string& wav, const std::string& effects = "") {
  FILE* p = popen(("sox " + wav + " -n " + effects + " stats 2>&1 | grep 'RMS lev dB' | awk '{print $4}'").c_str(), "r");
  char buf[64] = {};
  const bool ok = fgets(buf, sizeof buf, p) != nullptr;
  pclose(p);
  return ok ? std::stod(buf) : -999;
}

TEST(Meter, AgreesWithSoxStats) {
  const auto dir = testing::fresh_temp_dir("audio_sox");
  const auto pink = (dir / "pink.wav").string(), tone = (dir / "tone.wav").string();
  if (std::system(("sox -n -r 16000 -c 1 " + pink + " synth 4 pinknoise vol 0.3 2>/dev/null").c_str()) != 0)
    GTEST_SKIP() << "skipped: sox is not installed";
  auto s = read_audio(pink);
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_NEAR(rms_dbfs(*s), sox_rms_db(pink), 0.1);
  EXPECT_NEAR(measure(*s).laeq, reference_laeq(*s), 0.5);  // pink noise, A-weighted

  // 44.1 kHz stereo, the same tone on both channels: resampled and mixed down, the level
  // is that of one channel.
  ASSERT_EQ(std::system(("sox -n -r 44100 -c 2 " + tone + " synth 3 sine 1000 vol 0.5 2>/dev/null").c_str()), 0);
  auto t = read_audio(tone);
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_NEAR(t->size(), 3.0 * kRate, 32);
  EXPECT_NEAR(rms_dbfs(*t), sox_rms_db(tone, "remix 1"), 0.1);
  EXPECT_NEAR(measure(*t).laeq, sox_rms_db(tone, "remix 1"), 0.5);
}

TEST(ReadAudio, MissingFileNamesIt) {
  auto s = read_audio("/nonexistent/street.wav");
  ASSERT_FALSE(s);
  EXPECT_THAT(s.error().message, ::testing::HasSubstr("/nonexistent/street.wav"));
}

// A header can claim any rate; resampling from 1 GHz would build a filter for seconds to
// minutes (found by fuzzing: fuzz/regressions/media_headers/wav_sample_rate_1ghz.wav).
TEST(ReadAudio, AnAbsurdSampleRateIsRefusedWithTheRate) {
  const auto dir = vigie::testing::fresh_temp_dir("audio_rate");
  const auto path = (dir / "1ghz.wav").string();
  auto le = [](std::string& s, uint32_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  };
  std::string wav = "RIFF";
  le(wav, 36 + 3200, 4);
  wav += "WAVEfmt ";
  le(wav, 16, 4);
  le(wav, 1, 2);                // PCM
  le(wav, 1, 2);                // mono
  le(wav, 1u << 30, 4);         // 1,073,741,824 Hz
  le(wav, 2u << 30, 4);         // bytes per second
  le(wav, 2, 2);
  le(wav, 16, 2);
  wav += "data";
  le(wav, 3200, 4);
  wav.append(3200, '\0');
  std::ofstream(path, std::ios::binary) << wav;
  auto s = read_audio(path);
  ASSERT_FALSE(s);
  EXPECT_THAT(s.error().message, ::testing::HasSubstr("1073741824 Hz"));
}

// MPEG audio carries its layout and rate in every frame: a stereo 44.1 kHz second (the
// tone on both channels, no upmix gain) then a mono 22.05 kHz one. The resampler set up
// for the first crashed on the second (it read a plane that is not there; found by
// fuzzing: fuzz/regressions/media_headers/*layout_change*).
TEST(ReadAudio, FramesThatChangeLayoutAndRateAreResampledAsDecoded) {
  if (std::system("ffmpeg -version >/dev/null 2>&1") != 0) GTEST_SKIP() << "skipped: ffmpeg is not installed";
  const auto dir = vigie::testing::fresh_temp_dir("audio_layout");
  const std::string sine = "ffmpeg -loglevel error -y -f lavfi -i sine=frequency=1000:duration=1:sample_rate=";
  const auto stereo = (dir / "stereo.mp2").string(), mono = (dir / "mono.mp2").string();
  ASSERT_EQ(std::system((sine + "44100 -af 'pan=stereo|c0=c0|c1=c0' -c:a mp2 -b:a 192k -f mp2 " + stereo).c_str()), 0);
  ASSERT_EQ(std::system((sine + "22050 -ac 1 -c:a mp2 -b:a 64k -f mp2 " + mono).c_str()), 0);
  const auto both = (dir / "both.mp2").string();
  ASSERT_EQ(std::system(("cat " + stereo + " " + mono + " > " + both).c_str()), 0);

  auto s = read_audio(both);
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_NEAR(s->size(), 2.0 * kRate, 0.1 * kRate);  // both seconds, each at its own rate
  const auto half = s->size() / 2;
  const std::vector<float> first(s->begin() + kRate / 4, s->begin() + half - kRate / 4);
  const std::vector<float> second(s->begin() + half + kRate / 4, s->end() - kRate / 4);
  EXPECT_NEAR(rms_dbfs(first), rms_dbfs(second), 1.0);  // the same tone, read at its level
}

RuleConfig rule(const std::string& type) {
  return parse_config("cameras: { a: { input: x, rules: [ { type: " + type + " } ] } }").cameras.at("a").rules[0];
}

TEST(Detectors, LoudNoiseForTwoSecondsIsASoundLevelAlert) {
  auto s = noise(0.003, 6);                        // quiet street: -50 dBFS
  const auto loud = noise(0.3, 2, 7);              // -10 dBFS = 90 dB SPL with the default offset
  std::copy(loud.begin(), loud.end(), s.begin() + 2 * kRate);
  const auto d = detect(s, {rule("sound_level")}, 100);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].type, "sound_level");
  EXPECT_GE(d[0].start_s, 2.0);
  EXPECT_LE(d[0].start_s, 2.6);
  EXPECT_TRUE(detect(noise(0.003, 6), {rule("sound_level")}, 100).empty());
}

TEST(Detectors, ABangIsAnImpulseAndASlowRiseIsNot) {
  auto s = noise(0.002, 4);
  const auto bang = noise(0.5, 0.03, 9);
  std::copy(bang.begin(), bang.end(), s.begin() + 2 * kRate);
  const auto d = detect(s, {rule("impulse")}, 100);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_NEAR(d[0].start_s, 2.0, 0.02);

  auto ramp = noise(0.5, 4, 3);  // the same loudness reached over 2 s
  for (size_t i = 0; i < ramp.size(); ++i) ramp[i] *= static_cast<float>(std::min(1.0, i / (2.0 * kRate)));
  EXPECT_TRUE(detect(ramp, {rule("impulse")}, 100).empty());
}

TEST(Detectors, AHighHarmonicCryIsAScreamAndALowHumIsNot) {
  auto s = noise(0.002, 3);
  std::vector<float> cry(static_cast<size_t>(kRate));  // 1 s at 700 Hz with harmonics
  for (size_t i = 0; i < cry.size(); ++i)
    for (int h = 1; h <= 5; ++h) cry[i] += static_cast<float>(0.3 / h * std::sin(2 * M_PI * 700 * h * i / kRate));
  std::copy(cry.begin(), cry.end(), s.begin() + kRate);
  const auto d = detect(s, {rule("scream")}, 100);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_NEAR(d[0].start_s, 1.0, 0.1);
  EXPECT_NEAR(d[0].end_s, 2.0, 0.1);

  auto hum = noise(0.002, 3);
  const auto low = sine(120, 0.5, 1);
  std::copy(low.begin(), low.end(), hum.begin() + kRate);
  EXPECT_TRUE(detect(hum, {rule("scream")}, 100).empty());
}

RuleConfig absolute(const std::string& type, double above_db) {
  return parse_config("cameras: { a: { input: x, rules: [ { type: " + type + ", level: absolute, above_db: " +
                      std::to_string(above_db) + " } ] } }")
      .cameras.at("a")
      .rules[0];
}

std::vector<float> scaled(std::vector<float> s, double gain) {
  for (auto& v : s) v = static_cast<float>(v * gain);
  return s;
}

// The same scene through a microphone 20 dB less sensitive: relative levels see the same
// sounds; an absolute threshold sees one of the two scenes only.
TEST(Detectors, RelativeLevelsNeedNoCalibration) {
  auto s = noise(0.003, 10);
  const auto loud = noise(0.1, 3, 7);  // 30 dB above the background
  std::copy(loud.begin(), loud.end(), s.begin() + 4 * kRate);
  for (double gain : {1.0, 0.1}) {
    const auto d = detect(scaled(s, gain), {rule("sound_level")}, 100);
    ASSERT_EQ(d.size(), 1u) << gain;
    EXPECT_NEAR(d[0].start_s, 4.0, 0.2);
    EXPECT_NEAR(d[0].end_s, 7.0, 0.3);
  }
  EXPECT_EQ(detect(scaled(s, 1.0), {absolute("sound_level", 75)}, 100).size(), 1u);
  EXPECT_TRUE(detect(scaled(s, 0.1), {absolute("sound_level", 75)}, 100).empty());
  // Quieter than the margin over the background: nothing, at any gain.
  auto mild = noise(0.003, 10);
  const auto talk = noise(0.02, 3, 8);  // 16.5 dB above
  std::copy(talk.begin(), talk.end(), mild.begin() + 4 * kRate);
  EXPECT_TRUE(detect(mild, {rule("sound_level")}, 100).empty());
}

TEST(Background, IsALowPercentileOfTheLastTwoMinutes) {
  BackgroundLevel bg;
  EXPECT_EQ(bg.value(), -200);
  for (int i = 0; i < 800; ++i) bg.add(-50);
  for (int i = 0; i < 200; ++i) bg.add(-10);  // 20 s of loud sound does not move it
  EXPECT_NEAR(bg.value(), -50, 0.25);
  for (int i = 0; i < 1200; ++i) bg.add(-30);  // two minutes later, the new normal
  EXPECT_NEAR(bg.value(), -30, 0.25);
}

// An explosion: a sharp onset and a rumble dying away over a second. A door slammed
// open on a loud machine: the same onset, and the sound goes on.
TEST(Detectors, ABlastThatDiesAwayIsAnImpulseAndAnAbruptDinIsNot) {
  auto s = noise(0.002, 8);
  auto blast = noise(0.3, 1.2, 4);
  for (size_t i = 0; i < blast.size(); ++i) blast[i] *= static_cast<float>(std::exp(-3.0 * i / kRate));
  std::copy(blast.begin(), blast.end(), s.begin() + 3 * kRate);
  const auto d = detect(s, {rule("impulse")}, 100);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_NEAR(d[0].start_s, 3.0, 0.02);

  auto din = noise(0.002, 8);
  const auto machine = noise(0.3, 4, 5);
  std::copy(machine.begin(), machine.end(), din.begin() + 3 * kRate);
  EXPECT_TRUE(detect(din, {rule("impulse")}, 100).empty());
}

// A loud held vowel at 180 Hz — a man calling out — is a voice but not a scream; the
// same cry an octave higher is.
TEST(Detectors, ScreamsArePitchedAboveSpeakingVoices) {
  auto cry = [](double f0) {
    auto s = noise(0.002, 4);
    for (size_t i = 0; i < kRate; ++i)
      for (int h = 1; h <= 6; ++h)
        s[kRate + i] += static_cast<float>(0.2 / h * std::sin(2 * M_PI * f0 * h * i / kRate));
    return s;
  };
  EXPECT_TRUE(detect(cry(180), {rule("scream")}, 100).empty());
  EXPECT_EQ(detect(cry(360), {rule("scream")}, 100).size(), 1u);
}

// Fed a tenth of a second at a time, the live detector reports what the whole-signal
// detectors find, once each, in stream time.
TEST(LiveDetector, MatchesTheWholeSignalDetectorsFedInPieces) {
  auto s = noise(0.002, 60);
  const auto loud = noise(0.3, 3, 7);  // a loud noise at 10 s
  std::copy(loud.begin(), loud.end(), s.begin() + 10 * kRate);
  const auto bang = noise(0.5, 0.03, 9);  // a bang at 31 s
  std::copy(bang.begin(), bang.end(), s.begin() + 31 * kRate);
  const auto long_noise = noise(0.3, 20, 5);  // a din of 20 s, longer than the window, from 38 s
  std::copy(long_noise.begin(), long_noise.end(), s.begin() + 38 * kRate);
  const std::vector<RuleConfig> rules = {rule("sound_level"), rule("impulse")};
  const auto whole = detect(s, rules, 100);

  LiveDetector live(rules, 100, 12, 1);
  std::vector<Detection> got;
  for (size_t at = 0; at < s.size(); at += kRate / 10) {
    const auto d = live.push(s.data() + at, std::min<size_t>(kRate / 10, s.size() - at));
    got.insert(got.end(), d.begin(), d.end());
  }
  auto count = [](const std::vector<Detection>& v, const std::string& type) {
    return std::count_if(v.begin(), v.end(), [&](const Detection& d) { return d.type == type; });
  };
  EXPECT_EQ(count(whole, "sound_level"), 2);
  EXPECT_EQ(count(got, "sound_level"), 2);  // the din once, not once a window
  EXPECT_EQ(count(got, "impulse"), count(whole, "impulse"));
  for (const auto& w : whole) {
    const auto match = std::find_if(got.begin(), got.end(), [&](const Detection& g) {
      return g.type == w.type && std::abs(g.start_s - w.start_s) < 0.2;
    });
    EXPECT_NE(match, got.end()) << w.type << " at " << w.start_s << " s";
  }
  // The din is reported while it lasts, not when it ends 20 s later.
  const auto din = std::find_if(got.begin(), got.end(), [](const Detection& d) { return d.start_s > 37; });
  ASSERT_NE(din, got.end());
  EXPECT_LT(din->end_s, 45);
  double clip_start = 0;
  EXPECT_EQ(live.clip(live.now_s() - 5, live.now_s(), clip_start).size(), static_cast<size_t>(5 * kRate));
}

// A window of a stream is judged against the stream's background, not its own: after a
// minute of quiet, 12 s of din (the whole window) is still loud.
TEST(LiveDetector, AWindowKnowsTheBackgroundBeforeIt) {
  auto s = noise(0.002, 75);
  const auto din = noise(0.2, 15, 6);
  std::copy(din.begin(), din.end(), s.begin() + 60 * kRate);
  const std::vector<float> window(s.begin() + 61 * kRate, s.begin() + 73 * kRate);
  EXPECT_TRUE(detect(window, {rule("sound_level")}, 100).empty());  // alone, the din is its own background
  LiveDetector live({rule("sound_level")}, 100, 12, 1);
  std::vector<Detection> got;
  for (size_t at = 0; at < s.size(); at += kRate / 10) {
    const auto d = live.push(s.data() + at, std::min<size_t>(kRate / 10, s.size() - at));
    got.insert(got.end(), d.begin(), d.end());
  }
  ASSERT_EQ(got.size(), 1u);
  EXPECT_NEAR(got[0].start_s, 60, 0.3);
}

// A stream that starts muted, or a decoder that hands over a NaN, must not leave the
// background at "silence" (every ordinary sound then loud) for minutes.
TEST(LiveDetector, SilenceAndBadSamplesAreNotBackground) {
  std::vector<float> s(static_cast<size_t>(60 * kRate), 0.0f);  // a minute of digital silence
  const auto street = noise(0.01, 100, 3);
  s.insert(s.end(), street.begin(), street.end());
  s[static_cast<size_t>(70 * kRate)] = std::numeric_limits<float>::quiet_NaN();
  s[static_cast<size_t>(75 * kRate)] = std::numeric_limits<float>::infinity();
  const auto loud = noise(0.3, 3, 9);  // a real din at 140 s
  std::copy(loud.begin(), loud.end(), s.begin() + 140 * kRate);
  LiveDetector live({rule("sound_level")}, 100, 12, 1);
  std::vector<Detection> got;
  for (size_t at = 0; at < s.size(); at += kRate / 10) {
    const auto d = live.push(s.data() + at, std::min<size_t>(kRate / 10, s.size() - at));
    got.insert(got.end(), d.begin(), d.end());
  }
  ASSERT_EQ(got.size(), 1u) << got[0].start_s;
  EXPECT_NEAR(got[0].start_s, 140, 0.3);
  EXPECT_EQ(detect(s, {rule("sound_level")}, 100).size(), 1u);  // the whole-signal path alike
}

TEST(Features, RoughnessIsHighForACryModulatedAt70HzAndLowForASteadyOne) {
  std::vector<float> rough(kRate / 2), steady(kRate / 2);
  for (size_t i = 0; i < rough.size(); ++i) {
    const double carrier = std::sin(2 * M_PI * 600 * i / kRate);
    steady[i] = static_cast<float>(0.3 * carrier);
    rough[i] = static_cast<float>(0.3 * carrier * (1 + 0.9 * std::sin(2 * M_PI * 70 * i / kRate)));
  }
  EXPECT_GT(features(rough)[10].roughness, 0.8);
  EXPECT_LT(features(steady)[10].roughness, 0.1);
}

TEST(Features, YinFindsThePitch) {
  const auto f = features(sine(440, 0.5, 0.5));
  ASSERT_FALSE(f.empty());
  EXPECT_NEAR(f[5].f0_hz, 440, 3);
  EXPECT_LT(f[5].aperiodicity, 0.05);
}

}  // namespace
}  // namespace vigie::audio

namespace vigie::audio {
namespace {

TEST(Wav, AClipReadsBackAsWritten) {
  const auto dir = testing::fresh_temp_dir("wav");
  const auto s = sine(1000, 0.5, 3);
  ASSERT_TRUE(write_wav((dir / "clip.wav").string(), s, 1.0, 2.5));
  auto back = read_audio((dir / "clip.wav").string());
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->size(), static_cast<size_t>(1.5 * kRate));
  EXPECT_NEAR(rms_dbfs(*back), rms_dbfs(s), 0.05);
  EXPECT_FALSE(write_wav((dir / "empty.wav").string(), s, 5, 6));  // past the end
}

}  // namespace
}  // namespace vigie::audio
