// The per-camera person size model (detector.h).
#include <algorithm>
#include <cmath>

#include "detect/detector.h"

namespace vigie::detect {
namespace {

constexpr size_t kCapacity = 1000;   // the latest samples
constexpr size_t kRefitEvery = 25;
constexpr double kOutlierShare = 0.25;
constexpr double kMinHeight = 16;    // pixels: below, nothing is searched anyway

// A refit is only taken if the line it draws keeps at least this share of the samples:
// two populations of sizes on the same rows (people and their halves) give a line through
// neither, which would then exclude both.
constexpr double kMinInlierShare = 0.5;

struct Line {
  double a = 0, b = 0;
  size_t used = 0;  // samples the line was fitted on
  double at(double y) const { return a + b * y; }
};

// Least squares h = a + b·y over the samples `keep` accepts; flat (b = 0) when the feet
// span too few rows to give a slope.
template <class Keep>
Line fit(const std::vector<cv::Point2d>& s, Keep keep) {
  double n = 0, sy = 0, sh = 0, syy = 0, syh = 0;
  for (const auto& p : s) {
    if (!keep(p)) continue;
    n += 1, sy += p.x, sh += p.y, syy += p.x * p.x, syh += p.x * p.y;
  }
  if (n == 0) return {};
  const auto used = static_cast<size_t>(n);
  const double var = syy / n - (sy / n) * (sy / n);
  if (var < 100) return {sh / n, 0, used};  // feet within ~10 rows of each other
  const double b = (syh / n - (sy / n) * (sh / n)) / var;
  return {sh / n - b * sy / n, b, used};
}

}  // namespace

void PersonSizeModel::add(const Box& person) {
  const cv::Point2d p(person.bottom(), person.h);
  if (samples_.size() < kCapacity)
    samples_.push_back(p);
  else
    samples_[next_] = p;
  next_ = (next_ + 1) % kCapacity;
  if (++added_ >= kSamplesBeforeUse && added_ % kRefitEvery == 0) refit();
}

void PersonSizeModel::refit() {
  const Line first = fit(samples_, [](const cv::Point2d&) { return true; });
  const Line robust = fit(samples_, [&](const cv::Point2d& p) {
    const double h = first.at(p.x);
    return h > 0 && std::abs(p.y / h - 1) <= kOutlierShare;
  });
  // The line must explain most samples and give every sampled foot row a real height;
  // otherwise the last good fit (or none) stays.
  const auto [lowest, highest] = std::minmax_element(samples_.begin(), samples_.end(),
                                                     [](const auto& p, const auto& q) { return p.x < q.x; });
  if (robust.used < kMinInlierShare * samples_.size() || robust.at(lowest->x) < kMinHeight ||
      robust.at(highest->x) < kMinHeight)
    return;
  a_ = robust.a, b_ = robust.b;
  fitted_ = true;
}

double PersonSizeModel::height_at(double foot_y) const { return std::max(kMinHeight, a_ + b_ * foot_y); }

bool PersonSizeModel::plausible(const Box& person) const {
  return std::abs(person.h / height_at(person.bottom()) - 1) <= kOutlierShare;
}

}  // namespace vigie::detect
