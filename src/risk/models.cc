#include "risk/models.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <limits>

#include "risk/evaluate.h"

namespace vigie::risk {

int Grid::index(double x, double y) const {
  const int cx = static_cast<int>(std::floor((x - x0) / cell)), cy = static_cast<int>(std::floor((y - y0) / cell));
  if (cx < 0 || cy < 0 || cx >= nx || cy >= ny) return -1;
  return cy * nx + cx;
}

Grid Grid::covering(const std::vector<Incident>& incidents, double cell) {
  Grid g;
  g.cell = cell;
  if (incidents.empty()) return g;
  double x0 = incidents[0].x, x1 = x0, y0 = incidents[0].y, y1 = y0;
  for (const auto& i : incidents) {
    x0 = std::min(x0, i.x), x1 = std::max(x1, i.x);
    y0 = std::min(y0, i.y), y1 = std::max(y1, i.y);
  }
  g.x0 = std::floor(x0 / cell) * cell, g.y0 = std::floor(y0 / cell) * cell;
  const double nx = std::floor((x1 - g.x0) / cell) + 1, ny = std::floor((y1 - g.y0) / cell) + 1;
  if (nx * ny > kMaxCells) return g;  // nx = ny = 0: the caller says the extent is too large
  g.nx = static_cast<int>(nx), g.ny = static_cast<int>(ny);
  return g;
}

void Model::fit(std::span<const Event>, const Grid&, Minute) {}

std::span<const Event> events_between(std::span<const Event> e, Minute from, Minute to) {
  auto lo = std::lower_bound(e.begin(), e.end(), from, [](const Event& a, Minute t) { return a.at < t; });
  auto hi = std::lower_bound(lo, e.end(), to, [](const Event& a, Minute t) { return a.at < t; });
  return {lo, hi};
}

namespace {

double days(Minute m) { return static_cast<double>(m) / kMinutesPerDay; }

std::vector<double> counts(std::span<const Event> e, int cells) {
  std::vector<double> c(cells, 0.0);
  for (const auto& x : e)
    if (x.cell >= 0) c[x.cell] += 1;
  return c;
}

class Naive : public Model {
 public:
  explicit Naive(int weeks) : weeks_(weeks) {}
  std::string name() const override { return "naive"; }
  std::vector<double> score(std::span<const Event> past, Minute from, Minute, const Grid& g) const override {
    return counts(events_between(past, from - Minute{weeks_} * 7 * kMinutesPerDay, from), g.cells());
  }
  nlohmann::json settings() const override { return {{"weeks", weeks_}}; }

 private:
  int weeks_;
};

class LongTerm : public Model {
 public:
  std::string name() const override { return "long_term"; }
  std::vector<double> score(std::span<const Event> past, Minute, Minute, const Grid& g) const override {
    return counts(past, g.cells());
  }
};

// Time-decayed counts smoothed by a Gaussian: the prospective hotspot surface.
std::vector<double> kde_surface(std::span<const Event> past, Minute from, const Grid& g, double sigma_cells,
                                double tau_days) {
  cv::Mat m(g.ny, g.nx, CV_64F, cv::Scalar(0));
  const bool decays = std::isfinite(tau_days);
  const auto recent = decays ? events_between(past, from - static_cast<Minute>(8 * tau_days * kMinutesPerDay), from) : past;
  for (const auto& e : recent) {
    if (e.cell < 0) continue;
    m.at<double>(e.cell / g.nx, e.cell % g.nx) += decays ? std::exp(-days(from - e.at) / tau_days) : 1.0;
  }
  if (sigma_cells >= 0.3) cv::GaussianBlur(m, m, cv::Size(0, 0), sigma_cells, sigma_cells, cv::BORDER_CONSTANT);
  return std::vector<double>(m.begin<double>(), m.end<double>());
}

class Kde : public Model {
 public:
  std::string name() const override { return "kde"; }

  // Each candidate forecasts the last weeks of the training period from the weeks before
  // it, period by period; the one with the most incidents in its top 5 % is kept.
  void fit(std::span<const Event> train, const Grid& g, Minute horizon) override {
    if (train.empty()) return;
    const Minute end = train.back().at + 1, span = end - train.front().at;
    const Minute held = std::min<Minute>(56 * kMinutesPerDay, span / 4);
    const auto area = study_area(train, g.cells(), train.front().at, end - held);
    // The held-out periods and their incidents per cell, the same for every candidate.
    std::vector<std::pair<Minute, std::vector<int>>> periods;
    for (Minute from = end - held; from + horizon <= end; from += horizon) {
      const auto next = counts(events_between(train, from, from + horizon), g.cells());
      periods.emplace_back(from, std::vector<int>(next.begin(), next.end()));
    }
    fitted_ = !periods.empty();
    double best = -1;
    for (double sigma_m : {0.0, 75.0, 150.0, 300.0, 500.0})
      for (double tau : {7.0, 30.0, 120.0, 365.0, std::numeric_limits<double>::infinity()}) {
        double hits = 0;
        for (const auto& [from, next] : periods)
          hits += hits_in_top(kde_surface(events_between(train, train.front().at, from), from, g, sigma_m / g.cell, tau),
                              area, next, 0.05);
        if (fitted_ && hits > best) best = hits, sigma_m_ = sigma_m, tau_days_ = tau;
      }
    if (!fitted_) sigma_m_ = kDefaultSigmaM, tau_days_ = kDefaultTauDays;  // too short a span to choose on
  }
  std::vector<double> score(std::span<const Event> past, Minute from, Minute, const Grid& g) const override {
    return kde_surface(past, from, g, sigma_m_ / g.cell, tau_days_);
  }
  nlohmann::json settings() const override {
    return {{"bandwidth_m", sigma_m_},
            {"decay_days", std::isfinite(tau_days_) ? nlohmann::json(tau_days_) : nlohmann::json("none")},
            {"chosen_on_training_weeks", fitted_}};
  }

 private:
  static constexpr double kDefaultSigmaM = 150, kDefaultTauDays = 30;
  double sigma_m_ = kDefaultSigmaM, tau_days_ = kDefaultTauDays;
  bool fitted_ = false;
};

class Sepp : public Model {
 public:
  std::string name() const override { return "sepp"; }
  void fit(std::span<const Event> train, const Grid& g, Minute) override {
    if (!train.empty()) fit_ = fit_sepp(train, g.cells(), train.front().at, train.back().at + 1);
  }
  // Expected incidents in [from, to): the background over the period plus what every past
  // incident of the cell still triggers in it.
  std::vector<double> score(std::span<const Event> past, Minute from, Minute to, const Grid& g) const override {
    std::vector<double> s(g.cells(), 0.0);
    if (fit_.mu.size() != static_cast<size_t>(g.cells())) return s;
    for (int c = 0; c < g.cells(); ++c) s[c] = fit_.mu[c] * days(to - from);
    const double w = fit_.omega;
    const auto recent = events_between(past, from - static_cast<Minute>(30 / w * kMinutesPerDay), from);
    for (const auto& e : recent)
      if (e.cell >= 0)
        s[e.cell] += fit_.theta * (std::exp(-w * days(from - e.at)) - std::exp(-w * days(to - e.at)));
    return s;
  }
  nlohmann::json settings() const override {
    return {{"theta", fit_.theta}, {"omega_per_day", fit_.omega}, {"em_iterations", fit_.iterations}};
  }

 private:
  SeppFit fit_;
};

}  // namespace

// EM for the grid ETAS model, with the exponential kernel's sums carried event to event
// within each cell (A: sum of exp(-omega dt) over earlier events; B: the same weighted by
// dt), so an iteration costs one pass over the events.
SeppFit fit_sepp(std::span<const Event> train, int cells, Minute from, Minute to) {
  std::vector<std::vector<double>> t(cells);
  for (const auto& e : train)
    if (e.cell >= 0 && e.at >= from && e.at < to) t[e.cell].push_back(days(e.at - from));
  const double T = days(to - from);
  SeppFit f;
  f.mu.assign(cells, 0.0);
  for (int c = 0; c < cells; ++c) f.mu[c] = 0.5 * t[c].size() / T;
  f.theta = 0.5, f.omega = 1.0;
  // Bounds: clock times are rounded to the hour or half-hour, and a kernel faster than an
  // hour would only fit that rounding; a year is the slowest a day-to-week forecast can use.
  constexpr double kOmegaMin = 1.0 / 365, kOmegaMax = 24, kThetaMax = 0.99;
  for (f.iterations = 1; f.iterations <= 200; ++f.iterations) {
    double triggered = 0, lag = 0, exposure = 0;
    std::vector<double> background(cells, 0.0);
    for (int c = 0; c < cells; ++c) {
      double A = 0, B = 0;
      for (size_t i = 0; i < t[c].size(); ++i) {
        if (i > 0) {
          const double d = t[c][i] - t[c][i - 1], e = std::exp(-f.omega * d);
          B = e * (B + d * (A + 1));
          A = e * (A + 1);
        }
        const double trig = f.theta * f.omega * A, lambda = f.mu[c] + trig;
        if (lambda <= 0) continue;
        background[c] += f.mu[c] / lambda;
        triggered += trig / lambda;
        lag += f.theta * f.omega * B / lambda;
        exposure += 1 - std::exp(-f.omega * (T - t[c][i]));  // offspring time left in the window
      }
    }
    const double theta = exposure > 0 ? std::min(kThetaMax, triggered / exposure) : 0;
    const double omega = lag > 0 ? std::clamp(triggered / lag, kOmegaMin, kOmegaMax) : f.omega;
    for (int c = 0; c < cells; ++c) f.mu[c] = background[c] / T;
    const bool settled = std::abs(theta - f.theta) < 1e-6 && std::abs(omega - f.omega) < 1e-6 * f.omega;
    f.theta = theta, f.omega = omega;
    if (settled) break;
  }
  f.iterations = std::min(f.iterations, 200);
  return f;
}

std::unique_ptr<Model> naive_model(int weeks) { return std::make_unique<Naive>(weeks); }
std::unique_ptr<Model> long_term_model() { return std::make_unique<LongTerm>(); }
std::unique_ptr<Model> kde_model() { return std::make_unique<Kde>(); }
std::unique_ptr<Model> sepp_model() { return std::make_unique<Sepp>(); }

std::vector<std::unique_ptr<Model>> standard_models(int naive_weeks) {
  std::vector<std::unique_ptr<Model>> m;
  m.push_back(naive_model(naive_weeks));
  m.push_back(long_term_model());
  m.push_back(kde_model());
  m.push_back(sepp_model());
  return m;
}

}  // namespace vigie::risk
