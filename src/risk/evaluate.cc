#include "risk/evaluate.h"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace vigie::risk {

double hits_in_top(const std::vector<double>& score, const std::vector<int>& area, const std::vector<int>& counts,
                   double coverage) {
  if (area.empty()) return 0;
  std::vector<int> order = area;
  std::sort(order.begin(), order.end(), [&](int a, int b) { return score[a] > score[b]; });
  const double take = coverage * static_cast<double>(area.size());
  const size_t whole = static_cast<size_t>(std::floor(take));
  if (whole >= order.size()) {
    double all = 0;
    for (int c : order) all += counts[c];
    return all;
  }
  const double cut = score[order[whole]];  // the score at the cut; cells that share it are tied
  double hits = 0, tied_hits = 0;
  size_t above = 0, tied = 0;
  for (int c : order) {
    if (score[c] > cut) {
      hits += counts[c];
      ++above;
    } else if (score[c] == cut) {
      tied_hits += counts[c];
      ++tied;
    }
  }
  // `take` cells in all: those above the cut, then a share of the tied ones.
  if (tied > 0) hits += tied_hits * std::clamp((take - static_cast<double>(above)) / static_cast<double>(tied), 0.0, 1.0);
  return hits;
}

std::vector<Event> events_on(const std::vector<Incident>& incidents, const Grid& grid) {
  std::vector<Event> e;
  e.reserve(incidents.size());
  for (const auto& i : incidents) e.push_back({i.at, grid.index(i.x, i.y)});
  return e;
}

namespace {

// Mean and sample standard deviation (0 with fewer than two values).
std::pair<double, double> mean_sd(const std::vector<double>& v) {
  double mean = 0, var = 0;
  for (double x : v) mean += x / static_cast<double>(v.size());
  for (double x : v) var += (x - mean) * (x - mean);
  return {mean, v.size() > 1 ? std::sqrt(var / static_cast<double>(v.size() - 1)) : 0.0};
}

}  // namespace

size_t first_event_at(const std::vector<Event>& e, Minute t) {
  return std::lower_bound(e.begin(), e.end(), t, [](const Event& a, Minute m) { return a.at < m; }) - e.begin();
}

std::vector<int> study_area(std::span<const Event> events, int cells, Minute from, Minute to) {
  std::vector<char> seen(cells, 0);
  for (const auto& e : events)
    if (e.cell >= 0 && e.at >= from && e.at < to) seen[e.cell] = 1;
  std::vector<int> area;
  for (int c = 0; c < cells; ++c)
    if (seen[c]) area.push_back(c);
  return area;
}

Evaluation evaluate(const std::vector<Event>& events, const Grid& grid, std::vector<std::unique_ptr<Model>>& models,
                    const EvalPlan& plan) {
  const auto started = std::chrono::steady_clock::now();
  Evaluation r;
  r.grid = grid;
  const size_t train_lo = first_event_at(events, plan.train_from), train_hi = first_event_at(events, plan.train_to);
  const std::span<const Event> train(events.data() + train_lo, train_hi - train_lo);
  r.train_incidents = train.size();
  const auto area = study_area(train, grid.cells(), plan.train_from, plan.train_to);
  r.area_cells = static_cast<int>(area.size());
  for (auto& m : models) m->fit(train, grid, plan.horizon);

  struct Tally {
    std::map<double, double> hits;
    std::map<double, std::vector<double>> rates;
  };
  std::vector<Tally> tally(models.size());
  for (Minute from = plan.test_from; from + plan.horizon <= plan.test_to; from += plan.horizon) {
    const Minute to = from + plan.horizon;
    // What the models may see: the training period's start up to this period, nothing later.
    const std::span<const Event> past(events.data() + train_lo, first_event_at(events, from) - train_lo);
    const size_t lo = first_event_at(events, from), hi = first_event_at(events, to);
    std::vector<int> next(grid.cells(), 0);
    for (size_t i = lo; i < hi; ++i)
      if (events[i].cell >= 0) ++next[events[i].cell];
    const double n = static_cast<double>(hi - lo);
    r.test_incidents += hi - lo;
    ++r.periods;
    for (size_t k = 0; k < models.size(); ++k) {
      const auto s = models[k]->score(past, from, to, grid);
      for (double cov : plan.coverages) {
        const double h = hits_in_top(s, area, next, cov);
        tally[k].hits[cov] += h;
        if (n > 0) tally[k].rates[cov].push_back(h / n);
      }
    }
  }
  for (size_t k = 0; k < models.size(); ++k) {
    ModelScore s;
    s.name = models[k]->name();
    s.settings = models[k]->settings();
    for (double cov : plan.coverages) {
      const double hit = r.test_incidents ? tally[k].hits[cov] / static_cast<double>(r.test_incidents) : 0;
      s.hit[cov] = hit;
      s.pai[cov] = hit / cov;
      s.hit_sd[cov] = mean_sd(tally[k].rates[cov]).second;
    }
    r.models.push_back(std::move(s));
  }
  for (size_t b = 0; b < models.size(); ++b) {
    if (r.models[b].name != "naive" && r.models[b].name != "long_term") continue;
    for (size_t k = 0; k < models.size(); ++k) {
      if (k == b) continue;
      // Both hold one rate per period with incidents, in period order: paired.
      const auto& x = tally[k].rates[0.05];
      const auto& y = tally[b].rates[0.05];
      if (x.size() < 2) continue;
      std::vector<double> d(x.size());
      for (size_t i = 0; i < x.size(); ++i) d[i] = x[i] - y[i];
      const auto [mean, sd] = mean_sd(d);
      const double half = 1.96 * sd / std::sqrt(static_cast<double>(d.size()));
      r.models[k].vs_baseline_5[r.models[b].name] = {mean, mean - half, mean + half};
    }
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return r;
}

}  // namespace vigie::risk
