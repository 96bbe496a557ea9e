// Walking routes on the network: the shortest, the least watched, and the exact answer to
// "can one walk from A to B without any camera seeing the route?".
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <vector>

#include "city/network.h"

namespace vigie::city {

struct Route {
  std::vector<std::uint32_t> nodes;  // from start to end
  std::vector<std::uint32_t> edges;
  double length_m = 0;
  double seen_m = 0;                    // metres inside at least one camera's view
  std::vector<std::uint32_t> cameras;   // cameras that see some of the route
};

struct RouteOptions {
  // Least-watched cost = length + weight × metres seen. Infinite (the default): minimise
  // metres seen first, then length.
  double exposure_weight = std::numeric_limits<double>::infinity();
  bool include_underground = false;  // walk through tunnels and passages below the street too
};

// Dijkstra from `from` to `to` (node indices). nullopt: not connected.
std::optional<Route> shortest_route(const WalkNetwork& net, std::uint32_t from, std::uint32_t to,
                                    const RouteOptions& options = {});
std::optional<Route> least_watched_route(const WalkNetwork& net, std::uint32_t from, std::uint32_t to,
                                         const RouteOptions& options = {});

struct UnseenAnswer {
  bool connected = false;      // any route at all
  bool unseen_exists = false;  // a route whose every metre is out of every camera's view
  // The witness (seen_m == 0) when one exists, else the route with the least exposure.
  std::optional<Route> best;
};

// Exact: with exposure minimised first, the least-watched route has 0 m seen iff the
// unseen part of the network connects the two nodes.
UnseenAnswer unseen_route(const WalkNetwork& net, std::uint32_t from, std::uint32_t to,
                          const RouteOptions& options = {});

}  // namespace vigie::city
