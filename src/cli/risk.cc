// `vigie risk …`: incident risk forecasting (docs/risk.md) — models scored on held-out time.
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>

#include "cli/commands.h"
#include "risk/evaluate.h"
#include "risk/factors.h"
#include "risk/report.h"
#include "risk/incidents.h"
#include "risk/map.h"

namespace vigie::cli {
namespace {

using namespace vigie::risk;
using nlohmann::json;

struct RiskOptions {
  std::string incidents, train, test, type, weather, span, out, geojson, png;
  std::string model = "kde";
  double top = 5;
  double cell = 150;
  std::string horizon = "day";
  int naive_weeks = 4;
  bool json = false;
  bool by_type = false;
};

// YYYY, YYYY-MM or YYYY-MM-DD as the first minute of that span, or (end) the first minute after it.
Minute span_edge(const std::string& text, bool end) {
  int y = 0, m = 0, d = 0;
  const int n = std::sscanf(text.c_str(), "%4d-%2d-%2d", &y, &m, &d);
  const bool shape = (n == 1 && text.size() == 4) || (n == 2 && text.size() == 7) || (n == 3 && text.size() == 10);
  const auto day = shape ? parse_time(fmt::format("{:04}-{:02}-{:02}", y, n >= 2 ? m : 1, n == 3 ? d : 1)) : Error{""};
  if (!day) throw UsageError(fmt::format("'{}' is not a date (YYYY, YYYY-MM or YYYY-MM-DD)", text));
  if (!end) return *day;
  if (n == 3) return *day + kMinutesPerDay;
  if (n == 2) return m == 12 ? civil_minute(y + 1, 1, 1) : civil_minute(y, m + 1, 1);
  return civil_minute(y + 1, 1, 1);
}

// FROM:TO, both ends included ("2020:2022" is the three years).
std::pair<Minute, Minute> span_of(const std::string& text, const char* what) {
  const auto colon = text.find(':');
  if (colon == std::string::npos)
    throw UsageError(fmt::format("--{} '{}': expected FROM:TO, e.g. 2020-01-01:2022-12-31 or 2020:2022", what, text));
  const Minute from = span_edge(text.substr(0, colon), false), to = span_edge(text.substr(colon + 1), true);
  if (to <= from) throw UsageError(fmt::format("--{} '{}': the end comes before the start", what, text));
  return {from, to};
}

std::vector<Incident> of_type(std::vector<Incident> all, const std::string& type) {
  if (type.empty()) return all;
  std::set<std::string> types;
  std::vector<Incident> kept;
  for (auto& i : all) {
    types.insert(i.type);
    if (i.type == type) kept.push_back(std::move(i));
  }
  if (kept.empty()) {
    std::string list;
    for (const auto& t : types) list += "\n  " + t;
    throw UsageError(fmt::format("--type '{}': no incident of that type; the types are:{}", type, list));
  }
  return kept;
}

// What a command reads: the incidents (of --type, if given), how to map them, and the days
// the records cover (all types: a type with no incident on the last day still had that day).
struct Records {
  std::vector<Incident> incidents;
  Unprojection unprojection;
  Minute first_day = 0, end_day = 0;  // [first, end): whole days
};

// [from, to) cut to the days the records cover, said on stderr when it is.
std::pair<Minute, Minute> within_records(const Records& r, Minute from, Minute to, const char* what) {
  if (from < r.first_day) {
    fmt::print(stderr, "vigie risk: the records start on {}: {} starts there\n", format_day(r.first_day), what);
    from = r.first_day;
  }
  if (to > r.end_day) {
    fmt::print(stderr, "vigie risk: the records end on {}: {} stops there\n", format_day(r.end_day - 1), what);
    to = r.end_day;
  }
  return {from, to};
}

// The records, with what was set aside said on stderr, of --type if given.
Records load(const RiskOptions& o) {
  auto set = read_incidents(o.incidents);
  if (!set) throw UsageError(set.error().message);
  const auto& rep = set->report;
  for (const auto& f : rep.files) fmt::print(stderr, "vigie risk: read {}\n", f);
  fmt::print(stderr, "vigie risk: {} rows read, {} kept; positions: {}\n", rep.rows, rep.kept, rep.projection);
  for (const auto& [why, n] : rep.skipped) fmt::print(stderr, "vigie risk:   {} set aside: {}\n", n, why);
  Records r;
  r.first_day = set->incidents.front().at / kMinutesPerDay * kMinutesPerDay;
  r.end_day = (set->incidents.back().at / kMinutesPerDay + 1) * kMinutesPerDay;
  r.unprojection = set->unprojection;
  r.incidents = of_type(std::move(set->incidents), o.type);
  return r;
}

// The grid over the records, or a usage error when --cell makes too many cells.
Grid grid_of(const std::vector<Incident>& incidents, double cell) {
  const Grid g = Grid::covering(incidents, cell);
  if (g.cells() == 0)
    throw UsageError(fmt::format("the records span too large an area for cells of {:g} m (over {:g} cells): use a "
                                 "larger --cell, or check for stray positions", cell, Grid::kMaxCells));
  return g;
}

int risk_factors(const RiskOptions& o) {
  const auto records = load(o);
  const auto weather = read_weather(o.weather);
  if (!weather) throw UsageError(weather.error().message);
  if (weather->incomplete) fmt::print(stderr, "vigie risk: {} weather rows without a date, temperature or precipitation\n", weather->incomplete);
  const auto [from, to] = span_of(o.span, "span");
  const auto [first, end] = within_records(records, from, to, "the span");
  const auto m = fit_factors(records.incidents, *weather, first, end);
  if (!m) throw UsageError(m.error().message);
  fmt::print(stderr,
             "vigie risk: {} incidents over {} hours; {} left out (time unknown: 00:00 or a date only); {} days without "
             "weather; dispersion {:.2f}\n",
             m->incidents, m->hours, m->left_out_unknown_clock, m->days_without_weather, m->dispersion);
  if (o.json) {
    json out{{"reference", m->reference}, {"incidents", m->incidents}, {"hours", m->hours},
             {"left_out_unknown_clock", m->left_out_unknown_clock}, {"dispersion", m->dispersion},
             {"factors", json::array()}};
    for (const auto& f : m->factors)
      out["factors"].push_back({{"factor", f.name}, {"rate_ratio", f.rate_ratio}, {"ci95", {f.low, f.high}}});
    fmt::print("{}\n", out.dump(2));
    return 0;
  }
  fmt::print("Incidents per hour against {} (95 % confidence intervals):\n", m->reference);
  for (const auto& f : m->factors)
    fmt::print("  {:<24} {:>6.3f}  [{:.3f}, {:.3f}]\n", f.name, f.rate_ratio, f.low, f.high);
  fmt::print("An association in police-recorded incidents, not a cause (docs/risk.md).\n");
  return 0;
}

EvalPlan plan_of(const RiskOptions& o, const Records& records) {
  EvalPlan plan;
  std::tie(plan.train_from, plan.train_to) = span_of(o.train, "train");
  std::tie(plan.test_from, plan.test_to) = span_of(o.test, "test");
  if (plan.test_from < plan.train_to)
    throw UsageError("--test must start after --train ends: a forecast cannot be scored on what it learnt from");
  plan.horizon = (o.horizon == "week" ? 7 : 1) * kMinutesPerDay;
  std::tie(plan.test_from, plan.test_to) = within_records(records, plan.test_from, plan.test_to, "the test period");
  return plan;
}

Evaluation evaluate_set(const RiskOptions& o, const std::vector<Incident>& incidents, const EvalPlan& plan) {
  const Grid grid = grid_of(incidents, o.cell);
  auto models = standard_models(o.naive_weeks);
  return evaluate(events_on(incidents, grid), grid, models, plan);
}

json scores_json(const Evaluation& r) {
  json out = json::object();
  for (const auto& m : r.models) {
    json j;
    j["pai_1"] = m.pai.at(0.01), j["pai_5"] = m.pai.at(0.05), j["pai_10"] = m.pai.at(0.10);
    j["hit_1"] = m.hit.at(0.01), j["hit_5"] = m.hit.at(0.05), j["hit_10"] = m.hit.at(0.10);
    j["hit_5_sd_across_periods"] = m.hit_sd.at(0.05);
    for (const auto& [base, d] : m.vs_baseline_5)
      j["hit_5_minus_" + base] = {{"mean", d.mean}, {"ci95", {d.low, d.high}}};
    j["periods"] = r.periods, j["test_incidents"] = r.test_incidents, j["area_cells"] = r.area_cells;
    j["settings"] = m.settings;
    out[m.name] = j;
  }
  return out;
}

void print_scores(const Evaluation& r) {
  fmt::print("{:<10} {:>6} {:>6} {:>7} {:>6} {:>6} {:>7}  {:<24} {:<24} {}\n", "model", "pai_1", "pai_5", "pai_10",
             "hit_1", "hit_5", "hit_10", "hit_5 - naive [95 %]", "hit_5 - long_term", "settings");
  auto diff = [](const ModelScore& m, const char* base) {
    const auto it = m.vs_baseline_5.find(base);
    return it == m.vs_baseline_5.end() ? std::string("-")
                                       : fmt::format("{:+.3f} [{:+.3f}, {:+.3f}]", it->second.mean, it->second.low,
                                                     it->second.high);
  };
  for (const auto& m : r.models)
    fmt::print("{:<10} {:>6.2f} {:>6.2f} {:>7.2f} {:>6.3f} {:>6.3f} {:>7.3f}  {:<24} {:<24} {}\n", m.name,
               m.pai.at(0.01), m.pai.at(0.05), m.pai.at(0.10), m.hit.at(0.01), m.hit.at(0.05), m.hit.at(0.10),
               diff(m, "naive"), diff(m, "long_term"), m.settings.dump());
}

// Every type with enough training incidents to rank cells (kMinTrain), one table each.
int risk_eval_by_type(const RiskOptions& o, const std::vector<Incident>& incidents, const EvalPlan& plan) {
  constexpr size_t kMinTrain = 300;
  std::map<std::string, std::vector<Incident>> by_type;
  for (const auto& i : incidents) by_type[i.type].push_back(i);
  json out = json::object();
  for (const auto& [type, list] : by_type) {
    const auto r = evaluate_set(o, list, plan);
    if (r.train_incidents < kMinTrain || r.test_incidents == 0) {
      fmt::print(stderr, "vigie risk: {}: skipped, {}\n", type,
                 r.train_incidents < kMinTrain
                     ? fmt::format("{} training incidents, too few to rank cells (< {})", r.train_incidents, kMinTrain)
                     : std::string("no incident in the test span"));
      continue;
    }
    if (o.json) {
      out[type] = scores_json(r);
    } else {
      fmt::print("\n{} ({} training, {} test incidents)\n", type, r.train_incidents, r.test_incidents);
      print_scores(r);
    }
  }
  if (o.json) fmt::print("{}\n", out.dump(2));
  return 0;
}

int risk_report(const RiskOptions& o) {
  const auto records = load(o);
  const auto& incidents = records.incidents;
  const EvalPlan plan = plan_of(o, records);
  const Grid grid = grid_of(incidents, o.cell);
  const auto events = events_on(incidents, grid);
  auto models = standard_models(o.naive_weeks);
  fmt::print(stderr, "vigie risk: scoring the models\n");
  const auto ev = evaluate(events, grid, models, plan);
  if (ev.train_incidents == 0 || ev.test_incidents == 0) throw UsageError("nothing to score in these spans");
  ReportInputs in;
  in.title = o.type.empty() ? "Incident risk maps: accuracy, targets, feedback" : "Incident risk maps: " + o.type;
  in.evaluation = &ev;
  in.train = o.train, in.test = o.test;
  in.import_summary = fmt::format("{} incidents read.", incidents.size());
  fmt::print(stderr, "vigie risk: where each model's flagged cells fall\n");
  for (auto& m : models) in.flags.push_back(study_flags(*m, incidents, grid, plan, 0.05));
  fmt::print(stderr, "vigie risk: simulating the feedback loop (2 x {} days)\n", in.feedback.days);
  const auto worlds = feedback_worlds(events_between(events, plan.train_from, plan.train_to), grid.cells(),
                                      static_cast<double>(plan.train_to - plan.train_from) / kMinutesPerDay,
                                      in.feedback, {0, 30, 90, 180, 365});
  in.feedback_data_truth = worlds.data_truth;
  in.feedback_flat_truth = worlds.flat_truth;
  std::ofstream out(o.out);
  out << report_html(in);
  if (!out) throw std::runtime_error(fmt::format("cannot write '{}'", o.out));
  fmt::print("report written to {}\n", o.out);
  return 0;
}

int risk_eval(const RiskOptions& o) {
  const auto records = load(o);
  const auto& incidents = records.incidents;
  const EvalPlan plan = plan_of(o, records);
  if (o.by_type) return risk_eval_by_type(o, incidents, plan);
  const auto r = evaluate_set(o, incidents, plan);
  if (r.train_incidents == 0 || r.periods == 0 || r.test_incidents == 0)
    throw UsageError(fmt::format("nothing to score: {} training incidents, {} forecast periods, {} test incidents",
                                 r.train_incidents, r.periods, r.test_incidents));
  fmt::print(stderr,
             "vigie risk: {} training incidents, {} test incidents in {} {} forecasts; study area {} cells of {:g} m "
             "(those with a training incident); {:.1f} s\n",
             r.train_incidents, r.test_incidents, r.periods, o.horizon == "week" ? "weekly" : "daily", r.area_cells,
             o.cell, r.seconds);
  if (o.json) fmt::print("{}\n", scores_json(r).dump(2));
  else print_scores(r);
  return 0;
}

int risk_map(const RiskOptions& o) {
  if (o.geojson.empty() && o.png.empty()) throw UsageError("risk map: give --geojson FILE, --png FILE or both");
  const auto set = load(o);
  const auto& incidents = set.incidents;
  if (!o.geojson.empty() && set.unprojection.kind == Unprojection::Kind::kUnknown)
    throw UsageError("these positions are metres of an unknown projection: no GeoJSON can be made (use lat/lon "
                     "columns, or --png alone)");
  const auto [train_from, train_to] = span_of(o.train, "train");
  const Grid grid = grid_of(incidents, o.cell);
  const auto events = events_on(incidents, grid);
  std::vector<std::unique_ptr<Model>> models;
  for (auto& m : standard_models(o.naive_weeks))
    if (m->name() == o.model) models.push_back(std::move(m));
  json props{{"model", o.model}, {"cell_m", o.cell}, {"flagged_share_of_area", o.top / 100}};
  Minute day = within_records(set, train_from, train_to, "the training period").second;
  if (!o.test.empty()) {
    const EvalPlan plan = plan_of(o, set);
    const auto r = evaluate(events, grid, models, plan);
    if (r.periods == 0 || r.test_incidents == 0)
      throw UsageError(fmt::format("--test {}: no incident to measure the model on", o.test));
    const auto& m = r.models.at(0);
    props["measured_on"] = o.test;
    props["pai_5_measured"] = m.pai.at(0.05), props["hit_5_measured"] = m.hit.at(0.05);
    fmt::print(stderr, "vigie risk: {} measured on {}: PAI {:.2f} at 5 % of the area\n", o.model, o.test, m.pai.at(0.05));
    day = plan.test_to;
  } else {
    models[0]->fit(events_between(events, train_from, train_to), grid, kMinutesPerDay);
  }
  const auto area = study_area(events, grid.cells(), train_from, train_to);
  const auto score = models[0]->score(events_between(events, train_from, day), day, day + kMinutesPerDay, grid);
  props["forecast_day"] = format_day(day);
  props["settings"] = models[0]->settings();
  if (!o.geojson.empty()) {
    std::ofstream out(o.geojson);
    out << risk_geojson(score, area, grid, set.unprojection, o.top / 100, props).dump() << "\n";
    if (!out) throw std::runtime_error(fmt::format("cannot write '{}'", o.geojson));
    fmt::print("risk cells of {} (top {:g} %) written to {}\n", format_day(day), o.top, o.geojson);
  }
  if (!o.png.empty()) {
    if (!cv::imwrite(o.png, risk_picture(score, area, grid))) throw std::runtime_error(fmt::format("cannot write '{}'", o.png));
    fmt::print("risk surface of {} written to {}\n", format_day(day), o.png);
  }
  return 0;
}

// The options every `vigie risk` command shares: the records, a type, and (gridded ones) the cell.
void add_records(CLI::App* cmd, RiskOptions& o, bool gridded) {
  cmd->add_option("--incidents", o.incidents, "Incident CSV file or folder (Vancouver, Chicago or generic layout)")
      ->required();
  cmd->add_option("--type", o.type, "Only incidents of this type (as written in the records)");
  if (gridded) cmd->add_option("--cell", o.cell, "Cell size in metres")->check(CLI::Range(25.0, 5000.0));
}

// --train and --test; test_required false: --test is optional (risk map).
void add_spans(CLI::App* cmd, RiskOptions& o, bool test_required) {
  cmd->add_option("--train", o.train, "Training span FROM:TO, ends included (2020:2022, 2020-01-01:2022-12-31)")
      ->required();
  auto* test = cmd->add_option("--test", o.test, test_required ? "Test span FROM:TO, after the training span"
                                                               : "Also measure on this span FROM:TO (the map is then of the day after it)");
  if (test_required) test->required();
}

}  // namespace

std::function<int()> add_risk_commands(CLI::App& app) {
  auto o = std::make_shared<RiskOptions>();
  auto* risk = app.add_subcommand("risk", "Incident risk forecasting from police records, measured on held-out time");
  risk->require_subcommand(1);
  auto* eval = risk->add_subcommand("eval", "Fit every model on --train, forecast --test period by period, score PAI");
  add_records(eval, *o, true);
  add_spans(eval, *o, true);
  eval->add_option("--horizon", o->horizon, "Forecast period")->check(CLI::IsMember({"day", "week"}));
  eval->add_option("--naive-weeks", o->naive_weeks, "Weeks counted by the naive baseline")->check(CLI::Range(1, 520));
  eval->add_flag("--json", o->json, "Print the scores as JSON, keyed by model");
  eval->add_flag("--by-type", o->by_type, "One evaluation per incident type (JSON: keyed by type, then model)");
  auto* factors = risk->add_subcommand("factors", "Hour, weekday, weather and year against incidents per hour (rate ratios)");
  add_records(factors, *o, false);
  factors->add_option("--weather", o->weather, "Daily weather CSV file or folder (date, max_temperature, precipitation)")
      ->required();
  factors->add_option("--span", o->span, "Days FROM:TO, ends included (2020:2023)")->required();
  factors->add_flag("--json", o->json, "Print the factors as JSON");
  auto* report = risk->add_subcommand("report", "Accuracy, the neighbourhoods flagged, stability and the feedback loop (HTML)");
  add_records(report, *o, true);
  add_spans(report, *o, true);
  report->add_option("--out", o->out, "HTML file to write")->required();
  auto* map = risk->add_subcommand("map", "The next day's risk surface: flagged cells as GeoJSON, the surface as PNG");
  add_records(map, *o, true);
  add_spans(map, *o, false);
  map->add_option("--model", o->model, "Model")->check(CLI::IsMember({"naive", "long_term", "kde", "sepp"}));
  map->add_option("--top", o->top, "Percent of the study area flagged in the GeoJSON")->check(CLI::Range(0.1, 100.0));
  map->add_option("--geojson", o->geojson, "GeoJSON file to write (WGS84)");
  map->add_option("--png", o->png, "PNG picture of the surface to write");
  return [o, eval, factors, report, map]() -> int {
    if (*map) return risk_map(*o);
    if (*eval) return risk_eval(*o);
    if (*report) return risk_report(*o);
    if (*factors) return risk_factors(*o);
    return -1;
  };
}

}  // namespace vigie::cli
