#include "city/route.h"

#include <algorithm>
#include <cmath>
#include <queue>

namespace vigie::city {
namespace {

// (exposure, length): compared lexicographically when the weight is infinite, else
// folded into one number.
struct Cost {
  double first = 0, second = 0;
  bool operator<(const Cost& o) const { return first < o.first || (first == o.first && second < o.second); }
  bool operator>(const Cost& o) const { return o < *this; }
};

// A* with a straight-line lower bound on what is left (`remaining(metres)`); with the
// bound 0 it is Dijkstra. The bound is consistent (triangle inequality), so the first
// time `to` leaves the queue its cost is optimal.
template <typename EdgeCost, typename Remaining>
std::optional<Route> search(const WalkNetwork& net, std::uint32_t from, std::uint32_t to, bool underground,
                            EdgeCost edge_cost, Remaining remaining) {
  const size_t n = net.nodes().size();
  if (from >= n || to >= n) return std::nullopt;
  constexpr double kInf = std::numeric_limits<double>::infinity();
  std::vector<Cost> best(n, Cost{kInf, kInf});
  std::vector<std::uint32_t> via(n, UINT32_MAX);  // edge used to reach each node
  using Item = std::pair<Cost, std::uint32_t>;
  std::priority_queue<Item, std::vector<Item>, std::greater<>> open;
  const XY goal = net.nodes()[to].xy;
  auto priority = [&](const Cost& g, std::uint32_t v) {
    const Cost h = remaining(distance(net.nodes()[v].xy, goal));
    return Cost{g.first + h.first, g.second + h.second};
  };
  std::vector<bool> done(n, false);
  best[from] = {0, 0};
  open.push({priority(best[from], from), from});
  while (!open.empty()) {
    const std::uint32_t u = open.top().second;
    open.pop();
    if (done[u]) continue;
    done[u] = true;
    if (u == to) break;
    const Cost cost = best[u];
    for (const auto& [e, v] : net.adjacent(u)) {
      const auto& edge = net.edges()[e];
      if (edge.underground && !underground) continue;
      const Cost step = edge_cost(edge);
      const Cost next{cost.first + step.first, cost.second + step.second};
      if (next < best[v]) {
        best[v] = next;
        via[v] = e;
        open.push({priority(next, v), v});
      }
    }
  }
  if (from != to && via[to] == UINT32_MAX) return std::nullopt;
  Route r;
  for (std::uint32_t at = to; at != from;) {
    const auto& e = net.edges()[via[at]];
    r.edges.push_back(via[at]);
    r.nodes.push_back(at);
    at = e.a == at ? e.b : e.a;
  }
  r.nodes.push_back(from);
  std::reverse(r.nodes.begin(), r.nodes.end());
  std::reverse(r.edges.begin(), r.edges.end());
  for (const auto e : r.edges) {
    const auto& edge = net.edges()[e];
    r.length_m += edge.length_m;
    r.seen_m += edge.seen_m;
    r.cameras.insert(r.cameras.end(), edge.cameras.begin(), edge.cameras.end());
  }
  std::sort(r.cameras.begin(), r.cameras.end());
  r.cameras.erase(std::unique(r.cameras.begin(), r.cameras.end()), r.cameras.end());
  return r;
}

}  // namespace

std::optional<Route> shortest_route(const WalkNetwork& net, std::uint32_t from, std::uint32_t to,
                                    const RouteOptions& options) {
  return search(
      net, from, to, options.include_underground, [](const NetworkEdge& e) { return Cost{e.length_m, e.seen_m}; },
      [](double metres) { return Cost{metres, 0}; });
}

std::optional<Route> least_watched_route(const WalkNetwork& net, std::uint32_t from, std::uint32_t to,
                                         const RouteOptions& options) {
  const double w = options.exposure_weight;
  // Exposure has no useful lower bound (the rest of the way may be unseen); length does.
  if (std::isinf(w))
    return search(
        net, from, to, options.include_underground, [](const NetworkEdge& e) { return Cost{e.seen_m, e.length_m}; },
        [](double metres) { return Cost{0, metres}; });
  return search(
      net, from, to, options.include_underground,
      [w](const NetworkEdge& e) { return Cost{e.length_m + w * e.seen_m, e.seen_m}; },
      [](double metres) { return Cost{metres, 0}; });
}

UnseenAnswer unseen_route(const WalkNetwork& net, std::uint32_t from, std::uint32_t to, const RouteOptions& options) {
  RouteOptions lexicographic = options;
  lexicographic.exposure_weight = std::numeric_limits<double>::infinity();
  UnseenAnswer answer;
  answer.best = least_watched_route(net, from, to, lexicographic);
  answer.connected = answer.best.has_value();
  answer.unseen_exists = answer.connected && answer.best->seen_m == 0;
  return answer;
}

}  // namespace vigie::city
