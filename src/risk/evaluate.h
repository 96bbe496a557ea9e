// Forecasts scored on held-out time (docs/risk.md): the test period cut into forecast
// periods (a day or a week); before each, every model scores the cells from the incidents
// before it — never one from the period — and the top 1, 5 and 10 % of the study area are
// flagged. Hit rate: the share of the period's incidents in flagged cells; PAI (predictive
// accuracy index, Chainey et al. 2008): hit rate ÷ share of the area flagged.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "risk/models.h"

namespace vigie::risk {

// The incidents of `score`'s top `coverage` share of `area` (the study area's cells) among
// `counts` (incidents per cell). Cells tied at the cut count for the fraction of them the
// cut takes: the expected hits of a random tie-break, so a flat score earns no luck.
double hits_in_top(const std::vector<double>& score, const std::vector<int>& area, const std::vector<int>& counts,
                   double coverage);

struct EvalPlan {
  Minute train_from = 0, train_to = 0;  // [from, to): what fit() learns from
  Minute test_from = 0, test_to = 0;    // forecast periods tile [from, to)
  Minute horizon = kMinutesPerDay;      // one period
  std::vector<double> coverages{0.01, 0.05, 0.10};
};

struct ModelScore {
  std::string name;
  std::map<double, double> hit, pai;      // coverage → pooled over every period
  std::map<double, double> hit_sd;        // coverage → spread of the periods' hit rates
  // Against each baseline (naive, long_term) at 5 % of the area: the mean per-period
  // difference in hit rate and its 95 % interval (paired, periods as the replicates).
  struct Difference {
    double mean = 0, low = 0, high = 0;
  };
  std::map<std::string, Difference> vs_baseline_5;
  nlohmann::json settings;
};

struct Evaluation {
  std::vector<ModelScore> models;
  size_t train_incidents = 0, test_incidents = 0;
  int periods = 0;
  int area_cells = 0;  // the study area: cells with a training incident
  Grid grid;
  double seconds = 0;  // fitting and forecasting, every model
};

// Cells of the events of `incidents` on `grid` (time order kept).
std::vector<Event> events_on(const std::vector<Incident>& incidents, const Grid& grid);

// Fits every model on the training period, then forecasts the test period by periods.
Evaluation evaluate(const std::vector<Event>& events, const Grid& grid, std::vector<std::unique_ptr<Model>>& models,
                    const EvalPlan& plan);

// The index of the first of time-ordered `events` at or after `t` (events.size() if none).
size_t first_event_at(const std::vector<Event>& events, Minute t);

// The study area: cells with at least one of `events` in [from, to).
std::vector<int> study_area(std::span<const Event> events, int cells, Minute from, Minute to);

}  // namespace vigie::risk
