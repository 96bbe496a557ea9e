#include "risk/report.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <numeric>
#include <random>
#include <set>

namespace vigie::risk {

std::vector<int> top_cells(const std::vector<double>& score, const std::vector<int>& area, double coverage) {
  std::vector<int> order;
  for (int c : area)
    if (score[c] > 0) order.push_back(c);  // a cell nothing points at is not flagged to fill a quota
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return score[a] > score[b]; });
  order.resize(std::min(order.size(), static_cast<size_t>(std::lround(coverage * static_cast<double>(area.size())))));
  return order;
}

namespace {

double jaccard(std::vector<int> a, std::vector<int> b) {
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  std::vector<int> both;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(both));
  const size_t either = a.size() + b.size() - both.size();
  return either ? static_cast<double>(both.size()) / either : 1.0;
}

std::string label(const std::string& area) { return area.empty() ? "(not given)" : area; }

}  // namespace

FlagStudy study_flags(Model& model, const std::vector<Incident>& incidents, const Grid& grid, const EvalPlan& plan,
                      double coverage) {
  const auto events = events_on(incidents, grid);
  const size_t lo = first_event_at(events, plan.train_from), hi = first_event_at(events, plan.train_to);
  const std::span<const Event> train(events.data() + lo, hi - lo);
  model.fit(train, grid, plan.horizon);
  const auto area = study_area(train, grid.cells(), plan.train_from, plan.train_to);
  // Each cell's neighbourhood: the one most of its training incidents name.
  std::vector<std::map<std::string, int>> votes(grid.cells());
  for (size_t i = lo; i < hi; ++i)
    if (events[i].cell >= 0) ++votes[events[i].cell][label(incidents[i].area)];
  std::vector<std::string> cell_area(grid.cells());
  for (int c : area)
    cell_area[c] = std::max_element(votes[c].begin(), votes[c].end(), [](auto& a, auto& b) { return a.second < b.second; })->first;

  std::map<std::string, AreaShare> shares;
  for (int c : area) shares[cell_area[c]].cells += 1.0 / area.size();
  size_t flagged_total = 0, test_total = 0;
  std::map<std::string, double> flagged, tested;
  std::vector<int> previous;
  double overlap = 0;
  int pairs = 0;
  for (Minute from = plan.test_from; from + plan.horizon <= plan.test_to; from += plan.horizon) {
    const std::span<const Event> past(events.data() + lo, first_event_at(events, from) - lo);
    const auto top = top_cells(model.score(past, from, from + plan.horizon, grid), area, coverage);
    for (int c : top) flagged[cell_area[c]] += 1;
    flagged_total += top.size();
    for (size_t i = first_event_at(events, from), end = first_event_at(events, from + plan.horizon); i < end; ++i) {
      tested[label(incidents[i].area)] += 1;
      ++test_total;
    }
    if (!previous.empty()) overlap += jaccard(previous, top), ++pairs;
    previous = top;
  }
  for (auto& [a, n] : flagged) shares[a].flagged = n / std::max<size_t>(1, flagged_total);
  for (auto& [a, n] : tested) shares[a].incidents = n / std::max<size_t>(1, test_total);
  FlagStudy study;
  study.model = model.name();
  for (auto& [a, s] : shares) {
    s.area = a;
    study.by_area.push_back(s);
  }
  std::sort(study.by_area.begin(), study.by_area.end(), [](auto& a, auto& b) { return a.flagged > b.flagged; });
  study.stability = pairs ? overlap / pairs : -1;
  return study;
}

std::vector<FeedbackPoint> simulate_feedback(const std::vector<double>& true_rate, const std::vector<double>& history,
                                             const FeedbackSettings& s, const std::vector<int>& report_days) {
  const int n = static_cast<int>(true_rate.size());
  std::vector<int> all(n);
  std::iota(all.begin(), all.end(), 0);
  auto top_share = [&](const std::vector<double>& v) {
    const double total = std::accumulate(v.begin(), v.end(), 0.0);
    double top = 0;
    for (int c : top_cells(v, all, s.coverage)) top += v[c];
    return total > 0 ? top / total : 0;
  };
  std::mt19937 rng(s.seed);
  std::vector<double> plain = history, corrected = history;
  const auto first = top_cells(plain, all, s.coverage);
  const double truth = top_share(true_rate);
  std::vector<FeedbackPoint> out;
  for (int day = 0; day <= s.days; ++day) {
    const auto flagged = top_cells(plain, all, s.coverage), flagged_c = top_cells(corrected, all, s.coverage);
    if (std::find(report_days.begin(), report_days.end(), day) != report_days.end()) {
      FeedbackPoint p;
      p.day = day, p.top_share = top_share(plain), p.top_share_corrected = top_share(corrected);
      p.truth_top_share = truth;
      const std::set<int> now(flagged.begin(), flagged.end());
      p.flagged_kept = static_cast<double>(std::count_if(first.begin(), first.end(), [&](int c) { return now.count(c); })) /
                       static_cast<double>(std::max<size_t>(1, first.size()));
      out.push_back(p);
    }
    std::vector<char> patrolled(n, 0), patrolled_c(n, 0);
    for (int c : flagged) patrolled[c] = 1;
    for (int c : flagged_c) patrolled_c[c] = 1;
    // The same true incidents for both worlds; each records them through its own patrols.
    for (int c = 0; c < n; ++c) {
      const int happened = std::poisson_distribution<int>(true_rate[c])(rng);
      if (happened == 0) continue;
      const double p = patrolled[c] ? s.p_patrol : s.p_record, pc = patrolled_c[c] ? s.p_patrol : s.p_record;
      plain[c] += std::binomial_distribution<int>(happened, p)(rng);
      corrected[c] += std::binomial_distribution<int>(happened, pc)(rng) * (s.p_record / pc);
    }
  }
  return out;
}

FeedbackWorlds feedback_worlds(std::span<const Event> train, int cells, double train_days, const FeedbackSettings& s,
                               const std::vector<int>& report_days) {
  std::vector<double> counts(cells, 0);
  for (const auto& e : train)
    if (e.cell >= 0) counts[e.cell] += 1;
  std::vector<double> rate, history;
  double mean = 0;
  for (int c = 0; c < cells; ++c)
    if (counts[c] > 0) rate.push_back(counts[c] / train_days), history.push_back(counts[c]), mean += counts[c];
  mean /= std::max<size_t>(1, rate.size()) * train_days;
  std::mt19937 rng(2);
  std::vector<double> flat(rate.size(), mean), flat_history;
  for (size_t i = 0; i < rate.size(); ++i) flat_history.push_back(std::poisson_distribution<int>(mean * 90)(rng));
  return {simulate_feedback(rate, history, s, report_days), simulate_feedback(flat, flat_history, s, report_days)};
}

namespace {

std::string esc(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '<') o += "&lt;";
    else if (c == '>') o += "&gt;";
    else if (c == '&') o += "&amp;";
    else o += c;
  }
  return o;
}

std::string pct(double x) { return fmt::format("{:.1f} %", 100 * x); }

}  // namespace

std::string report_html(const ReportInputs& in) {
  const auto& ev = *in.evaluation;
  std::string h = fmt::format(
      "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{0}</title><style>"
      "body{{font:15px/1.45 system-ui,sans-serif;max-width:60em;margin:2em auto;padding:0 1em;color:#222}}"
      "table{{border-collapse:collapse;margin:1em 0}}td,th{{border:1px solid #ccc;padding:.25em .6em;text-align:right}}"
      "td:first-child,th:first-child{{text-align:left}}.bar{{background:#c44;height:.8em;display:inline-block}}"
      ".note{{background:#f6f3e8;padding:.6em 1em;border-left:4px solid #b90}}</style></head><body><h1>{0}</h1>",
      esc(in.title));
  h += fmt::format("<p>Trained on {}, forecast {} day by day: {} training incidents, {} test incidents in {} "
                   "forecasts; study area {} cells of {:g} m (cells with a training incident). {}</p>",
                   esc(in.train), esc(in.test), ev.train_incidents, ev.test_incidents, ev.periods, ev.area_cells,
                   ev.grid.cell, esc(in.import_summary));

  h += "<h2>How well each model forecasts</h2><p>Hit rate: the share of the next day's incidents in the cells a "
       "model flags. PAI: hit rate ÷ share of the area flagged (1 is chance).</p><table><tr><th>model</th><th>PAI "
       "1 %</th><th>PAI 5 %</th><th>PAI 10 %</th><th>hit 5 %</th><th>hit 5 % − long-term counts [95 %]</th></tr>";
  const ModelScore* best = nullptr;
  const ModelScore* baseline = nullptr;
  for (const auto& m : ev.models) {
    const auto d = m.vs_baseline_5.find("long_term");
    h += fmt::format("<tr><td>{}</td><td>{:.2f}</td><td>{:.2f}</td><td>{:.2f}</td><td>{}</td><td>{}</td></tr>", m.name,
                     m.pai.at(0.01), m.pai.at(0.05), m.pai.at(0.10), pct(m.hit.at(0.05)),
                     d == m.vs_baseline_5.end() ? "—"
                                                : fmt::format("{:+.1f} [{:+.1f}, {:+.1f}] points", 100 * d->second.mean,
                                                              100 * d->second.low, 100 * d->second.high));
    if (m.name == "long_term") baseline = &m;
    if (m.name != "naive" && m.name != "long_term" && (!best || m.pai.at(0.05) > best->pai.at(0.05))) best = &m;
  }
  h += "</table>";
  if (best && baseline && !best->vs_baseline_5.count("long_term")) {
    h += "<p class=\"note\">Too few forecast periods with incidents to compare the models with the baselines.</p>";
  } else if (best && baseline) {
    const auto d = best->vs_baseline_5.at("long_term");
    const bool beats = d.low > 0;
    h += fmt::format("<p class=\"note\">Best model: <b>{}</b>, PAI {:.2f} at 5 % of the area, against {:.2f} for "
                     "plain long-term counts. {}</p>",
                     best->name, best->pai.at(0.05), baseline->pai.at(0.05),
                     beats ? fmt::format("It beats them: {:+.1f} points of hit rate a day, the 95 % interval above zero.",
                                         100 * d.mean)
                           : "No model beats plain counts of past incidents per cell with confidence: on records "
                             "offset to the hundred block, where incidents were is most of what can be said of "
                             "where they will be.");
  }

  h += "<h2>Where the flagged cells are</h2><p>The share of flagged cell-days in each neighbourhood, against its "
       "share of the test period's incidents and of the study area. A neighbourhood flagged far beyond its share of "
       "incidents would be over-patrolled by a map that follows this model.</p>";
  for (const auto& f : in.flags) {
    const std::string overlap = f.stability < 0 ? "too few days to tell how stable the flagged cells are"
                                                 : fmt::format("flagged cells overlap {:.0f} % from one day to the next",
                                                               100 * f.stability);
    h += fmt::format("<h3>{} (top 5 %; {})</h3><table><tr>"
                     "<th>neighbourhood</th><th>flagged</th><th></th><th>incidents</th><th>area</th><th>flagged ÷ "
                     "incidents</th></tr>",
                     f.model, overlap);
    for (const auto& a : f.by_area)
      h += fmt::format("<tr><td>{}</td><td>{}</td><td style=\"text-align:left\"><span class=\"bar\" "
                       "style=\"width:{:.1f}em\"></span></td><td>{}</td><td>{}</td><td>{}</td></tr>",
                       esc(a.area), pct(a.flagged), 10 * a.flagged, pct(a.incidents), pct(a.cells),
                       a.incidents > 0 ? fmt::format("{:.2f}", a.flagged / a.incidents) : "—");
    h += "</table>";
  }

  h += fmt::format(
      "<h2>The feedback loop</h2><p>A simulation, not a measurement. Each day the long-term model flags the top {} of "
      "cells by the records so far; patrols there record {} of incidents, {} elsewhere; the records feed the next "
      "day's map. <i>Corrected</i>: each record weighted by the inverse of its chance of being recorded (Ensign et "
      "al. 2018), which removes what the patrols added.</p>",
      pct(in.feedback.coverage), pct(in.feedback.p_patrol), pct(in.feedback.p_record));
  auto table = [&](const char* title, const std::vector<FeedbackPoint>& pts) {
    std::string t = fmt::format("<h3>{}</h3><table><tr><th>day</th><th>records in the top cells</th><th>corrected"
                                "</th><th>truth in its top cells</th><th>day-0 flagged cells still flagged</th></tr>",
                                title);
    for (const auto& p : pts)
      t += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", p.day, pct(p.top_share),
                       pct(p.top_share_corrected), pct(p.truth_top_share), pct(p.flagged_kept));
    return t + "</table>";
  };
  h += table("True rates as recorded in the training period", in.feedback_data_truth);
  h += table("The same true rate in every cell (any concentration is made by the loop)", in.feedback_flat_truth);

  h += "<h2>What these figures mean, and what they do not</h2><ul>"
       "<li>They measure how well past police records forecast next-day police records. Records are not crime: they "
       "follow where people report and where officers look.</li>"
       "<li>A high PAI says incidents concentrate and stay put; it does not say patrolling the flagged cells prevents "
       "anything. No field trial was run.</li>"
       "<li>Violent offences are published without position or time and are absent from the maps.</li>"
       "<li>The feedback simulation shows a mechanism under stated assumptions; its size in a real city is unknown.</li>"
       "<li>No model here uses people, social networks or speech; cells are " +
       fmt::format("{:g}", ev.grid.cell) + " m squares, never persons.</li></ul></body></html>\n";
  return h;
}

}  // namespace vigie::risk
