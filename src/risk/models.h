// Where incidents are likely next: each model scores the cells of a grid for a coming
// period from the incidents before it (docs/risk.md). Models learn their settings in fit()
// from the training period alone; score() sees only what happened before `from`.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "risk/incidents.h"

namespace vigie::risk {

// Square cells over a box, row by row from the south-west corner.
struct Grid {
  double x0 = 0, y0 = 0, cell = 150;
  int nx = 0, ny = 0;
  int cells() const { return nx * ny; }
  int index(double x, double y) const;  // -1 outside
  // The smallest grid of `cell`-metre squares holding every incident; no cells at all
  // (cells() == 0) if that would take more than kMaxCells.
  static Grid covering(const std::vector<Incident>& incidents, double cell);
  static constexpr double kMaxCells = 2e7;
};

// An incident as the models see it: when, and in which cell.
struct Event {
  Minute at;
  int cell;
};

// The events of a time-ordered span in [from, to).
std::span<const Event> events_between(std::span<const Event> events, Minute from, Minute to);

class Model {
 public:
  virtual ~Model() = default;
  virtual std::string name() const = 0;
  // Learns settings from `train` (time-ordered, all before any forecast); `horizon` is the
  // length of the periods it will forecast.
  virtual void fit(std::span<const Event> train, const Grid& grid, Minute horizon);
  // Expected incidents (or a score ordered like them) per cell over [from, to); `past`
  // holds only events before `from`, in time order.
  virtual std::vector<double> score(std::span<const Event> past, Minute from, Minute to, const Grid& grid) const = 0;
  // What fit() chose, for the report.
  virtual nlohmann::json settings() const { return nlohmann::json::object(); }
};

// Counts per cell over the `weeks` weeks before the period.
std::unique_ptr<Model> naive_model(int weeks = 4);
// Counts per cell over all the history given.
std::unique_ptr<Model> long_term_model();
// Prospective hotspot map: a Gaussian kernel in space (bandwidth `sigma_m`) times an
// exponential decay in time (`tau_days`), both chosen in fit() by hit rate on the last
// weeks of the training period, forecasting them from the weeks before.
std::unique_ptr<Model> kde_model();
// Self-exciting point process on the grid (Mohler et al. 2015, the ETAS model behind
// PredPol): each cell has a constant background rate mu_c, and every incident raises its
// cell's rate by theta * omega * exp(-omega * dt). mu, theta and omega are fitted by EM.
std::unique_ptr<Model> sepp_model();

// naive, long_term, kde, sepp: the models `vigie risk eval` compares.
std::vector<std::unique_ptr<Model>> standard_models(int naive_weeks = 4);

// The fitted parameters of the grid ETAS model, exposed for its tests.
struct SeppFit {
  std::vector<double> mu;  // background incidents per day, per cell
  double theta = 0;        // expected offspring per incident
  double omega = 0;        // decay per day (1/omega: mean delay of an offspring)
  int iterations = 0;
};
SeppFit fit_sepp(std::span<const Event> train, int cells, Minute from, Minute to);

}  // namespace vigie::risk
