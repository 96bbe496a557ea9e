#include "eval/mot.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "core/assignment.h"

namespace vigie::eval {

Result<std::vector<MotRow>> parse_mot(std::istream& in, const std::string& name) {
  std::vector<MotRow> rows;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    std::replace(line.begin(), line.end(), ',', ' ');
    std::istringstream fields(line);
    double v[9] = {0, 0, 0, 0, 0, 0, 1, -1, -1};
    int got = 0;
    while (got < 9 && fields >> v[got]) ++got;
    if (got < 6) return Error{fmt::format("{}:{}: expected frame,id,x,y,w,h[,conf,...]", name, n)};
    if (v[0] < 1) return Error{fmt::format("{}:{}: frame numbers start at 1 (got {})", name, n, v[0])};
    // Frame and id become integers: out of their range (or NaN) the conversion is undefined.
    if (!(v[0] <= 1e15) || !(std::abs(v[1]) <= 2e9)) return Error{fmt::format("{}:{}: frame or id out of range", name, n)};
    rows.push_back({static_cast<int64_t>(v[0]), static_cast<int>(v[1]),
                    {static_cast<float>(v[2]), static_cast<float>(v[3]), static_cast<float>(v[4]),
                     static_cast<float>(v[5])},
                    static_cast<float>(v[6])});
    // Columns 8-9 are world coordinates in MOT15 ground truth, -1 elsewhere.
    if (got >= 9 && !(v[7] == -1 && v[8] == -1)) rows.back().has_world = true, rows.back().world_x = v[7], rows.back().world_y = v[8];
  }
  return rows;
}

Result<std::vector<MotRow>> read_mot(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Error{fmt::format("cannot read '{}'", path)};
  return parse_mot(in, path);
}

void write_mot_row(std::ostream& out, const MotRow& r) {
  out << fmt::format("{},{},{:.2f},{:.2f},{:.2f},{:.2f},{:.3f},-1,-1,-1\n", r.frame, r.id, r.box.x,
                     r.box.y, r.box.w, r.box.h, r.conf);
}

namespace {

using Frames = std::map<int64_t, std::vector<const MotRow*>>;

std::vector<std::vector<double>> iou_cost(const std::vector<const MotRow*>& a,
                                          const std::vector<const MotRow*>& b) {
  std::vector<std::vector<double>> c(a.size(), std::vector<double>(b.size()));
  for (size_t i = 0; i < a.size(); ++i)
    for (size_t j = 0; j < b.size(); ++j) c[i][j] = 1.0 - iou(a[i]->box, b[j]->box);
  return c;
}

// Removes from `hyps` those that the optimal matching against all GT rows of the frame
// assigns to an ignored row.
void drop_ignored(const std::vector<const MotRow*>& all_gt, std::vector<const MotRow*>& hyps,
                  double min_iou) {
  if (std::none_of(all_gt.begin(), all_gt.end(), [](auto* g) { return g->conf == 0; })) return;
  std::set<size_t> drop;
  for (auto [g, h] : solve_assignment(iou_cost(all_gt, hyps), 1.0 - min_iou))
    if (all_gt[g]->conf == 0) drop.insert(h);
  std::vector<const MotRow*> kept;
  for (size_t j = 0; j < hyps.size(); ++j)
    if (!drop.count(j)) kept.push_back(hyps[j]);
  hyps.swap(kept);
}

}  // namespace

MotMetrics evaluate_mot(const std::vector<MotRow>& gt_rows, const std::vector<MotRow>& hyp_rows,
                        double min_iou) {
  Frames gt_frames, hyp_frames;
  std::set<int64_t> frames;
  for (const auto& r : gt_rows) gt_frames[r.frame].push_back(&r), frames.insert(r.frame);
  for (const auto& r : hyp_rows) hyp_frames[r.frame].push_back(&r), frames.insert(r.frame);

  MotMetrics m;
  double iou_sum = 0;
  std::map<int, int> last_match;                 // gt id -> hyp id at its last match
  std::map<std::pair<int, int>, int64_t> overlap;  // (gt id, hyp id) -> frames with IoU >= min
  std::map<int, int64_t> gt_len, hyp_len, gt_matched;
  const double max_cost = 1.0 - min_iou;

  for (int64_t f : frames) {
    const auto& all_gt = gt_frames[f];
    std::vector<const MotRow*> hyps = hyp_frames[f];
    drop_ignored(all_gt, hyps, min_iou);
    std::vector<const MotRow*> gts;
    for (auto* g : all_gt)
      if (g->conf != 0) gts.push_back(g);
    for (auto* g : gts) ++gt_len[g->id];
    for (auto* h : hyps) ++hyp_len[h->id];
    const auto cost = iou_cost(gts, hyps);
    for (size_t i = 0; i < gts.size(); ++i)
      for (size_t j = 0; j < hyps.size(); ++j)
        if (cost[i][j] <= max_cost) ++overlap[{gts[i]->id, hyps[j]->id}];

    // Keep last frame's correspondences that still hold, then match the rest optimally.
    std::vector<int> hyp_of_gt(gts.size(), -1);
    std::vector<bool> hyp_taken(hyps.size(), false);
    for (size_t i = 0; i < gts.size(); ++i) {
      auto it = last_match.find(gts[i]->id);
      if (it == last_match.end()) continue;
      for (size_t j = 0; j < hyps.size(); ++j)
        if (!hyp_taken[j] && hyps[j]->id == it->second && cost[i][j] <= max_cost) {
          hyp_of_gt[i] = static_cast<int>(j), hyp_taken[j] = true;
          break;
        }
    }
    std::vector<int> free_gt, free_hyp;
    for (size_t i = 0; i < gts.size(); ++i)
      if (hyp_of_gt[i] < 0) free_gt.push_back(static_cast<int>(i));
    for (size_t j = 0; j < hyps.size(); ++j)
      if (!hyp_taken[j]) free_hyp.push_back(static_cast<int>(j));
    std::vector<std::vector<double>> sub(free_gt.size(), std::vector<double>(free_hyp.size()));
    for (size_t a = 0; a < free_gt.size(); ++a)
      for (size_t b = 0; b < free_hyp.size(); ++b) sub[a][b] = cost[free_gt[a]][free_hyp[b]];
    for (auto [a, b] : solve_assignment(sub, max_cost)) {
      const int i = free_gt[a], j = free_hyp[b];
      auto it = last_match.find(gts[i]->id);
      if (it != last_match.end() && it->second != hyps[j]->id) ++m.id_switches;
      hyp_of_gt[i] = j;
    }

    int matched = 0;
    for (size_t i = 0; i < gts.size(); ++i) {
      if (hyp_of_gt[i] < 0) continue;
      ++matched;
      ++gt_matched[gts[i]->id];
      last_match[gts[i]->id] = hyps[hyp_of_gt[i]]->id;
      iou_sum += 1.0 - cost[i][hyp_of_gt[i]];
    }
    m.gt += static_cast<int64_t>(gts.size());
    m.hyp += static_cast<int64_t>(hyps.size());
    m.tp += matched;
    m.fn += static_cast<int64_t>(gts.size()) - matched;
    m.fp += static_cast<int64_t>(hyps.size()) - matched;
  }

  auto ratio = [](double a, double b) { return b > 0 ? a / b : 0.0; };
  m.mota = m.gt > 0 ? 1.0 - static_cast<double>(m.fn + m.fp + m.id_switches) / m.gt : 0.0;
  m.motp = ratio(iou_sum, static_cast<double>(m.tp));
  m.precision = ratio(m.tp, m.hyp);
  m.recall = ratio(m.tp, m.gt);
  m.gt_ids = static_cast<int>(gt_len.size());
  m.hyp_ids = static_cast<int>(hyp_len.size());
  for (const auto& [id, len] : gt_len) {
    const double share = ratio(gt_matched[id], len);
    if (share >= 0.8) ++m.mostly_tracked;
    if (share < 0.2) ++m.mostly_lost;
  }

  // Identity: the one-to-one id mapping with the most overlapping frames.
  std::vector<int> gids, hids;
  for (const auto& [id, n] : gt_len) gids.push_back(id);
  for (const auto& [id, n] : hyp_len) hids.push_back(id);
  std::vector<std::vector<double>> neg(gids.size(), std::vector<double>(hids.size(), 0));
  for (size_t a = 0; a < gids.size(); ++a)
    for (size_t b = 0; b < hids.size(); ++b) {
      auto it = overlap.find({gids[a], hids[b]});
      if (it != overlap.end()) neg[a][b] = -static_cast<double>(it->second);
    }
  double idtp = 0;
  for (auto [a, b] : solve_assignment(neg, 0.0)) idtp -= neg[a][b];
  m.idp = ratio(idtp, static_cast<double>(m.hyp));
  m.idr = ratio(idtp, static_cast<double>(m.gt));
  m.idf1 = ratio(2 * idtp, static_cast<double>(m.gt + m.hyp));
  return m;
}

}  // namespace vigie::eval
