// Whom a risk map targets and what it does over time (docs/risk.md): the neighbourhoods
// its flagged cells fall in against their share of incidents and of area, how stable the
// flagged cells are from one period to the next, and a simulation of the feedback loop
// (Lum & Isaac 2016; Ensign et al. 2018): patrols sent to flagged cells record more of
// what happens there, and the next fit learns from those records.
#pragma once

#include <string>
#include <vector>

#include "risk/evaluate.h"

namespace vigie::risk {

// The top `coverage` share of `area` by score, among cells scoring above 0 (ties: lower
// cell index first).
std::vector<int> top_cells(const std::vector<double>& score, const std::vector<int>& area, double coverage);

struct AreaShare {
  std::string area;
  double flagged = 0;    // share of the flagged cell-periods
  double incidents = 0;  // share of the test period's incidents
  double cells = 0;      // share of the study area's cells
};

struct FlagStudy {
  std::string model;
  std::vector<AreaShare> by_area;  // largest flagged share first
  double stability = -1;           // mean Jaccard overlap of consecutive periods' flagged cells (-1: < 2 periods)
};

// Runs `model` (fitted here on the plan's training period) over the test periods.
FlagStudy study_flags(Model& model, const std::vector<Incident>& incidents, const Grid& grid, const EvalPlan& plan,
                      double coverage);

struct FeedbackPoint {
  int day = 0;
  double top_share = 0;            // share of the records in the top `coverage` of cells
  double top_share_corrected = 0;  // the same when records are weighted by 1 / chance of being recorded
  double truth_top_share = 0;      // share of the true rate in its own top cells
  double flagged_kept = 0;         // share of day 0's flagged cells still flagged (uncorrected)
};

struct FeedbackSettings {
  int days = 365;
  double coverage = 0.05;
  double p_record = 0.5;  // chance an incident is recorded where no patrol was sent
  double p_patrol = 0.9;  // … and in a flagged, patrolled cell
  unsigned seed = 1;
};

// Each day the long-term model flags the top cells of the records so far; true incidents
// happen at `true_rate` (per cell per day); each is recorded with p_patrol in flagged
// cells, p_record elsewhere; records feed the next day's fit. Reported at `report_days`.
std::vector<FeedbackPoint> simulate_feedback(const std::vector<double>& true_rate, const std::vector<double>& history,
                                             const FeedbackSettings& s, const std::vector<int>& report_days);

// The report's two worlds over the study area of `train` (the training span's events):
// true rates and history from its counts per cell; then one true rate everywhere (their
// mean) with 90 days of history drawn from it, where any concentration is the loop's.
struct FeedbackWorlds {
  std::vector<FeedbackPoint> data_truth, flat_truth;
};
FeedbackWorlds feedback_worlds(std::span<const Event> train, int cells, double train_days, const FeedbackSettings& s,
                               const std::vector<int>& report_days);

struct ReportInputs {
  std::string title;
  const Evaluation* evaluation = nullptr;
  std::vector<FlagStudy> flags;
  std::vector<FeedbackPoint> feedback_data_truth, feedback_flat_truth;
  FeedbackSettings feedback;
  std::string train, test, import_summary;
};

// A self-contained HTML page: the scores, the neighbourhoods, stability, the feedback
// simulation, and what the figures mean and do not.
std::string report_html(const ReportInputs& in);

}  // namespace vigie::risk
