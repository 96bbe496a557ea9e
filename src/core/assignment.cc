#include "core/assignment.h"

#include <algorithm>
#include <limits>

namespace vigie {
namespace {

// Shortest augmenting path Hungarian method on an n x m matrix with n <= m, 1-based
// potentials. Returns for each row the column assigned.
std::vector<int> hungarian(const std::vector<std::vector<double>>& a, int n, int m) {
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<double> u(n + 1), v(m + 1);
  std::vector<int> p(m + 1), way(m + 1);
  for (int i = 1; i <= n; ++i) {
    p[0] = i;
    int j0 = 0;
    std::vector<double> minv(m + 1, inf);
    std::vector<char> used(m + 1, false);
    do {
      used[j0] = true;
      const int i0 = p[j0];
      double delta = inf;
      int j1 = 0;
      for (int j = 1; j <= m; ++j) {
        if (used[j]) continue;
        const double cur = a[i0 - 1][j - 1] - u[i0] - v[j];
        if (cur < minv[j]) minv[j] = cur, way[j] = j0;
        if (minv[j] < delta) delta = minv[j], j1 = j;
      }
      for (int j = 0; j <= m; ++j) {
        if (used[j]) u[p[j]] += delta, v[j] -= delta;
        else minv[j] -= delta;
      }
      j0 = j1;
    } while (p[j0] != 0);
    do {
      const int j1 = way[j0];
      p[j0] = p[j1];
      j0 = j1;
    } while (j0);
  }
  std::vector<int> col_of_row(n, -1);
  for (int j = 1; j <= m; ++j)
    if (p[j]) col_of_row[p[j] - 1] = j - 1;
  return col_of_row;
}

}  // namespace

std::vector<std::pair<int, int>> solve_assignment(const std::vector<std::vector<double>>& cost,
                                                  double max_cost) {
  const int rows = static_cast<int>(cost.size());
  const int cols = rows ? static_cast<int>(cost[0].size()) : 0;
  if (!rows || !cols) return {};
  // Forbidden pairs get a cost larger than any sum of allowed ones, so the method only
  // takes one when nothing else is possible, and we discard it.
  double big = 1;
  for (const auto& row : cost)
    for (double c : row)
      if (c <= max_cost) big += std::abs(c);
  const bool transpose = rows > cols;
  const int n = transpose ? cols : rows, m = transpose ? rows : cols;
  std::vector<std::vector<double>> a(n, std::vector<double>(m));
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < m; ++j) {
      const double c = transpose ? cost[j][i] : cost[i][j];
      a[i][j] = c <= max_cost ? c : big;
    }
  std::vector<std::pair<int, int>> pairs;
  const auto col_of_row = hungarian(a, n, m);
  for (int i = 0; i < n; ++i) {
    const int j = col_of_row[i];
    if (j < 0 || a[i][j] >= big) continue;
    pairs.push_back(transpose ? std::make_pair(j, i) : std::make_pair(i, j));
  }
  std::sort(pairs.begin(), pairs.end());
  return pairs;
}

}  // namespace vigie
