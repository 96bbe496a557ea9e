// The walking network: street segments as graph edges, each knowing which metres of it
// the cameras see. Built once per city; coverage and routes read it.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "city/geo.h"
#include "city/model.h"

namespace vigie::city {

struct NetworkNode {
  XY xy;
  std::int64_t osm_id = 0;
};

// [from, to] metres along an edge, from its node `a`.
using Interval = std::pair<double, double>;

struct NetworkEdge {
  std::uint32_t a = 0, b = 0;
  double length_m = 0;
  std::vector<Interval> seen;          // merged, sorted: the metres some camera sees
  double seen_m = 0;
  std::vector<std::uint32_t> cameras;  // cameras that see some of it
  std::uint32_t way = 0;               // index into WalkNetwork::way_ids
  bool underground = false;
  bool crossing = false;               // a straight walk across a pedestrian square, not a street
};

class WalkNetwork {
 public:
  // Nodes shared by ways (same OSM node id) join them; each pedestrian square adds its
  // outline and straight crossings between its entrances (ways that reach its outline)
  // that stay inside it.
  static WalkNetwork build(const CityData& data, const LocalFrame& frame);

  // Fills seen/seen_m/cameras of every edge from the cameras' viewsheds (empty polygon:
  // camera ignored). `underground[i]` says which layer camera i watches: surface cameras
  // see surface edges only, underground cameras underground edges only.
  void expose(const std::vector<Polygon>& viewsheds, const std::vector<bool>& underground);

  const std::vector<NetworkNode>& nodes() const { return nodes_; }
  const std::vector<NetworkEdge>& edges() const { return edges_; }
  const std::vector<std::string>& way_ids() const { return way_ids_; }
  // Edges at each node: (edge index, the node at its other end).
  const std::vector<std::pair<std::uint32_t, std::uint32_t>>& adjacent(std::uint32_t node) const {
    return adjacency_[node];
  }
  // The nearest node to `p` that has an edge on the chosen layer (surface, or both).
  std::uint32_t nearest_node(XY p, bool include_underground) const;

  // Builds the network from explicit parts (tests, synthetic cities).
  std::uint32_t add_node(XY xy, std::int64_t osm_id = 0);
  void add_edge(std::uint32_t a, std::uint32_t b, const std::string& way_id, bool underground = false,
                bool crossing = false);
  void finish();  // adjacency and the node index; call after the last add_edge

 private:
  struct Index;
  std::vector<NetworkNode> nodes_;
  std::vector<NetworkEdge> edges_;
  std::vector<std::string> way_ids_;
  std::vector<std::vector<std::pair<std::uint32_t, std::uint32_t>>> adjacency_;
  std::shared_ptr<const Index> index_;
};

// Calls f(s0, s1, seen) for the seen and unseen stretches of `edge` in order, in metres
// from its node `a`; empty stretches are skipped.
template <typename F>
void for_each_stretch(const NetworkEdge& edge, F f) {
  double at = 0;
  for (const auto& [s0, s1] : edge.seen) {
    if (s0 > at) f(at, s0, false);
    if (s1 > s0) f(s0, s1, true);
    at = s1;
  }
  if (edge.length_m > at) f(at, edge.length_m, false);
}

// An area's rings in the local frame, oriented and closed as Boost.Geometry expects.
Polygon to_local(const Area& area, const LocalFrame& frame);

// The part of [a, b] inside `polygon`, as intervals of metres from a (unsorted).
std::vector<Interval> inside_intervals(const Segment& segment, const Polygon& polygon);

// Sorts and merges overlapping intervals.
std::vector<Interval> merge_intervals(std::vector<Interval> intervals);

}  // namespace vigie::city
