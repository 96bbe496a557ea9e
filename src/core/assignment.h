// Minimum-cost assignment between two sets (the Hungarian method), used by the tracker to
// associate tracks with detections and by the evaluator to match hypotheses to ground truth.
#pragma once

#include <utility>
#include <vector>

namespace vigie {

// cost[r][c] for r < rows, c < cols (a rectangular matrix, either side may be larger).
// Returns the pairs (row, col) of an optimal one-to-one assignment, keeping only pairs
// whose cost is <= max_cost; pairs above it are treated as forbidden, not just dropped
// afterwards, so they never displace an allowed pair. O(n² m).
std::vector<std::pair<int, int>> solve_assignment(const std::vector<std::vector<double>>& cost,
                                                  double max_cost);

}  // namespace vigie
