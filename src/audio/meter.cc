// The sound level meter: A-weighting, LAeq over whole seconds, LAFmax (Fast, 125 ms).
#include <cmath>
#include <complex>
#include <opencv2/core.hpp>

#include "audio/audio.h"

namespace vigie::audio {
namespace {

// IEC 61672 A-weighting pole frequencies (Hz).
constexpr double kF1 = 20.598997, kF2 = 107.65265, kF3 = 737.86223, kF4 = 12194.217;

}  // namespace

AWeighting::AWeighting() {
  const double k = 2.0 * kRate;  // bilinear transform s = k (1 - z^-1) / (1 + z^-1)
  auto w = [](double f) { return 2 * M_PI * f; };
  // s / (s + w): a zero at DC and a pole.
  auto high = [&](double f) { return Section{k / (k + w(f)), -k / (k + w(f)), -(k - w(f)) / (k + w(f))}; };
  sections_ = {high(kF1), high(kF1), high(kF2), high(kF3)};
  // The double pole at 12.2 kHz lies above Nyquist (8 kHz), where the bilinear transform
  // would put a zero and cut the top octave. A short linear-phase FIR fitted (least
  // squares) to |1 / (1 + j f / f4)|^2 over 0..8 kHz stands in for it.
  cv::Mat a(64, 3, CV_64F), b(64, 1, CV_64F), c;
  for (int i = 0; i < 64; ++i) {
    const double f = 8000.0 * i / 63, w = 2 * M_PI * f / kRate;
    a.at<double>(i, 0) = 1, a.at<double>(i, 1) = 2 * std::cos(w), a.at<double>(i, 2) = 2 * std::cos(2 * w);
    b.at<double>(i) = 1 / (1 + (f / kF4) * (f / kF4));
  }
  cv::solve(a, b, c, cv::DECOMP_SVD);
  fir_ = {c.at<double>(2), c.at<double>(1), c.at<double>(0), c.at<double>(1), c.at<double>(2)};
  // Normalise to 0 dB at 1 kHz.
  const std::complex<double> z = std::polar(1.0, -2 * M_PI * 1000.0 / kRate);  // z^-1
  std::complex<double> h = 1, fir = 0, zk = 1;
  for (const auto& s : sections_) h *= (s.b0 + s.b1 * z) / (1.0 + s.a1 * z);
  for (double t : fir_) fir += t * zk, zk *= z;
  gain_ = 1 / std::abs(h * fir);
}

float AWeighting::process(float x) {
  double v = x * gain_;
  for (auto& s : sections_) {
    const double y = s.b0 * v + s.b1 * s.x1 - s.a1 * s.y1;
    s.x1 = v, s.y1 = y, v = y;
  }
  for (int i = 4; i > 0; --i) history_[i] = history_[i - 1];
  history_[0] = v;
  double y = 0;
  for (int i = 0; i < 5; ++i) y += fir_[i] * history_[i];
  return static_cast<float>(y);
}

void AWeighting::reset() {
  for (auto& s : sections_) s.x1 = s.y1 = 0;
  history_.fill(0);
}

Levels measure(const std::vector<float>& samples) {
  Levels levels;
  AWeighting a;
  const double fast = 1 - std::exp(-1.0 / (0.125 * kRate));  // exponential, tau = 125 ms
  double total = 0, second = 0, weighted = 0;
  size_t in_second = 0;
  for (size_t i = 0; i < samples.size(); ++i) {
    const double y = a.process(samples[i]);
    const double p = y * y;
    total += p, second += p;
    weighted += fast * (p - weighted);
    // The time weighting needs a few time constants to settle: skip its start.
    if (i > static_cast<size_t>(kRate) / 2) levels.lafmax = std::max(levels.lafmax, power_db(weighted));
    if (++in_second == static_cast<size_t>(kRate)) {
      levels.laeq_1s.push_back(power_db(second / kRate));
      second = 0, in_second = 0;
    }
  }
  if (!samples.empty()) levels.laeq = power_db(total / samples.size());
  return levels;
}

double rms_dbfs(const std::vector<float>& samples) {
  double sum = 0;
  for (float v : samples) sum += static_cast<double>(v) * v;
  return samples.empty() ? -200 : power_db(sum / samples.size());
}

}  // namespace vigie::audio
