// The audio rules on a stream that never ends: the whole-signal detectors re-run on a
// sliding window, each detection reported once when it is over.
#include <algorithm>
#include <cmath>

#include "audio/audio.h"

namespace vigie::audio {

namespace {
constexpr double kHoldS = 1.0;     // a detection this close to "now" may still grow: wait
constexpr double kOverlapS = 0.25; // a detection starting this soon after a reported one is that one again
}  // namespace

LiveDetector::LiveDetector(std::vector<RuleConfig> rules, double offset_db, double window_s, double step_s,
                           double keep_s)
    : rules_(std::move(rules)), offset_db_(offset_db), window_(static_cast<int64_t>(window_s * kRate)),
      step_(static_cast<int64_t>(step_s * kRate)),
      keep_(std::max(window_, static_cast<int64_t>(keep_s * kRate))), next_run_(step_) {}

std::vector<Detection> LiveDetector::push(const float* samples, size_t n) {
  const size_t from = buffer_.size();
  buffer_.insert(buffer_.end(), samples, samples + n);
  // A decoder's NaN or infinity would poison the level filters for the rest of the stream.
  for (size_t i = from; i < buffer_.size(); ++i)
    if (!std::isfinite(buffer_[i])) buffer_[i] = 0;
  keep_tenths(buffer_.data() + from, n);
  total_ += static_cast<int64_t>(n);
  // Trim in big steps so that the copy is rare.
  if (static_cast<int64_t>(buffer_.size()) > 2 * keep_) {
    const int64_t drop = static_cast<int64_t>(buffer_.size()) - keep_;
    buffer_.erase(buffer_.begin(), buffer_.begin() + drop);
    buffer_start_ += drop;
  }
  std::vector<Detection> out;
  while (total_ >= next_run_) {
    run(out);
    next_run_ += step_;
  }
  return out;
}

// The 100 ms levels of the stream, as tenth_levels() computes them for a whole signal,
// kept for the last kBackgroundWindowS: what each window's background is made of.
void LiveDetector::keep_tenths(const float* samples, size_t n) {
  constexpr int64_t kTenth = static_cast<int64_t>(kTenthS * kRate);
  for (size_t i = 0; i < n; ++i) {
    const double a = weighting_.process(samples[i]), hp = high_pass_.process(samples[i]);
    tenth_a_ += a * a, tenth_hp_ += hp * hp;
    if (++tenth_fill_ < kTenth) continue;
    tenths_.a_db.push_back(power_db(tenth_a_ / kTenth)), tenths_.hp_db.push_back(power_db(tenth_hp_ / kTenth));
    tenth_a_ = tenth_hp_ = 0, tenth_fill_ = 0;
  }
  const size_t keep = static_cast<size_t>(std::ceil((kBackgroundWindowS + static_cast<double>(window_) / kRate) / kTenthS)) + 1;
  if (tenths_.a_db.size() > 2 * keep) {  // trim in big steps
    const auto drop = static_cast<std::ptrdiff_t>(tenths_.a_db.size() - keep);
    tenths_.a_db.erase(tenths_.a_db.begin(), tenths_.a_db.begin() + drop);
    tenths_.hp_db.erase(tenths_.hp_db.begin(), tenths_.hp_db.begin() + drop);
    tenths_dropped_ += static_cast<int64_t>(drop);
  }
}

// The kept 100 ms levels that end before stream sample `before`.
Tenths LiveDetector::tenths_before(int64_t before) const {
  const int64_t whole = before / static_cast<int64_t>(kTenthS * kRate) - tenths_dropped_;
  const auto end = static_cast<std::ptrdiff_t>(std::clamp<int64_t>(whole, 0, static_cast<int64_t>(tenths_.a_db.size())));
  const auto begin = std::max<std::ptrdiff_t>(0, end - static_cast<std::ptrdiff_t>(kBackgroundWindowS / kTenthS));
  return {{tenths_.a_db.begin() + begin, tenths_.a_db.begin() + end},
          {tenths_.hp_db.begin() + begin, tenths_.hp_db.begin() + end}};
}

void LiveDetector::run(std::vector<Detection>& out) {
  const int64_t end = total_, begin = std::max(buffer_start_, end - window_);
  const std::vector<float> window(buffer_.begin() + (begin - buffer_start_), buffer_.end());
  const double window_start_s = static_cast<double>(begin) / kRate, now_s = static_cast<double>(end) / kRate;
  for (Detection d : detect(window, rules_, offset_db_, tenths_before(begin))) {
    d.start_s += window_start_s;
    d.end_s += window_start_s;
    const bool over = d.end_s < now_s - kHoldS;
    // "Loud for at least N seconds" stays true as a sound goes on: report it at once (its
    // end is then "now"). A scream or an impulse is judged on its whole shape: wait until
    // it is over (a cry that goes on past 3 s is not a scream).
    const bool sustained = d.type == "sound_level" || d.type == "clamour";
    if (!over && !sustained) continue;
    double& until = reported_until_[d.rule];
    if (d.start_s < until + kOverlapS) {
      until = std::max(until, d.end_s);  // the same sound, seen again (or still going on)
      continue;
    }
    until = d.end_s;
    out.push_back(d);
  }
}

std::vector<float> LiveDetector::clip(double from_s, double to_s, double& clip_start_s) const {
  const int64_t a = std::clamp(static_cast<int64_t>(from_s * kRate), buffer_start_, total_);
  const int64_t b = std::clamp(static_cast<int64_t>(to_s * kRate), a, total_);
  clip_start_s = static_cast<double>(a) / kRate;
  return {buffer_.begin() + (a - buffer_start_), buffer_.begin() + (b - buffer_start_)};
}

}  // namespace vigie::audio
