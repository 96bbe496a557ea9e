// MOTChallenge text files and the CLEAR-MOT / identity metrics computed on them.
//
// Rules (as the MOTChallenge devkit): a match needs IoU >= 0.5; each frame, ground-truth
// objects keep last frame's hypothesis while it still overlaps enough, the rest are
// matched optimally (Hungarian); a GT object matched to a different hypothesis than at
// its last match is an identity switch. Hypotheses matched to a GT row flagged 0 are
// neither true nor false positives, and flagged rows are not counted. Identity metrics
// (IDF1, IDP, IDR) come from the one-to-one assignment of GT ids to hypothesis ids that
// maximises the number of frames where they overlap (Ristani et al. 2016).
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "core/box.h"
#include "core/result.h"

namespace vigie::eval {

struct MotRow {
  int64_t frame = 0;  // counted from 1
  int id = 0;
  Box box;
  float conf = 1;     // ground truth: 0 = ignore, otherwise evaluate
  // MOT15 3-D ground truth: the person's position on the ground plane, in metres.
  bool has_world = false;
  double world_x = 0, world_y = 0;
};

// Reads `frame,id,x,y,w,h,conf,...`; errors name the file and the line.
Result<std::vector<MotRow>> read_mot(const std::string& path);
Result<std::vector<MotRow>> parse_mot(std::istream& in, const std::string& name);
// Writes one row as `frame,id,x,y,w,h,conf,-1,-1,-1`.
void write_mot_row(std::ostream& out, const MotRow& row);

struct MotMetrics {
  double mota = 0, motp = 0;  // MOTP: mean IoU of the matches (higher is better)
  double idf1 = 0, idp = 0, idr = 0;
  double precision = 0, recall = 0;
  int64_t gt = 0, hyp = 0;  // counted boxes (ignored ones excluded)
  int64_t tp = 0, fp = 0, fn = 0, id_switches = 0;
  int gt_ids = 0, hyp_ids = 0;
  int mostly_tracked = 0, mostly_lost = 0;  // GT ids matched >= 80% / < 20% of their frames
};

MotMetrics evaluate_mot(const std::vector<MotRow>& gt, const std::vector<MotRow>& hyp,
                        double min_iou = 0.5);

}  // namespace vigie::eval
