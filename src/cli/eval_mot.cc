#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "eval/mot.h"

namespace vigie::cli {

int eval_mot(const EvalMotOptions& o) {
  auto gt = eval::read_mot(o.gt_path);
  if (!gt) throw UsageError(gt.error().message);
  auto hyp = eval::read_mot(o.tracks_path);
  if (!hyp) throw UsageError(hyp.error().message);
  const eval::MotMetrics m = eval::evaluate_mot(gt.value(), hyp.value(), o.iou);
  if (o.json) {
    const nlohmann::json j = {
        {"mota", m.mota}, {"motp", m.motp}, {"idf1", m.idf1}, {"idp", m.idp}, {"idr", m.idr},
        {"precision", m.precision}, {"recall", m.recall}, {"tp", m.tp}, {"fp", m.fp},
        {"fn", m.fn}, {"id_switches", m.id_switches}, {"gt", m.gt}, {"hyp", m.hyp},
        {"gt_ids", m.gt_ids}, {"hyp_ids", m.hyp_ids}, {"mostly_tracked", m.mostly_tracked},
        {"mostly_lost", m.mostly_lost}, {"iou", o.iou}};
    fmt::print("{}\n", j.dump(2));
    return 0;
  }
  fmt::print("MOTA {:.3f}  MOTP {:.3f}  IDF1 {:.3f}  IDP {:.3f}  IDR {:.3f}\n", m.mota, m.motp, m.idf1,
             m.idp, m.idr);
  fmt::print("precision {:.3f}  recall {:.3f}  TP {}  FP {}  FN {}  ID switches {}\n", m.precision,
             m.recall, m.tp, m.fp, m.fn, m.id_switches);
  fmt::print("GT boxes {} in {} ids; hypotheses {} in {} ids; mostly tracked {}, mostly lost {} (IoU >= {})\n",
             m.gt, m.gt_ids, m.hyp, m.hyp_ids, m.mostly_tracked, m.mostly_lost, o.iou);
  return 0;
}

}  // namespace vigie::cli
