#include "city/network.h"

#include <boost/geometry/index/rtree.hpp>

#include <algorithm>
#include <unordered_map>

namespace vigie::city {

namespace bgi = boost::geometry::index;

struct WalkNetwork::Index {
  bgi::rtree<std::pair<XY, std::uint32_t>, bgi::rstar<16>> surface, all;
};

std::uint32_t WalkNetwork::add_node(XY xy, std::int64_t osm_id) {
  nodes_.push_back({xy, osm_id});
  return static_cast<std::uint32_t>(nodes_.size() - 1);
}

void WalkNetwork::add_edge(std::uint32_t a, std::uint32_t b, const std::string& way_id, bool underground,
                           bool crossing) {
  if (a == b) return;
  if (way_ids_.empty() || way_ids_.back() != way_id) way_ids_.push_back(way_id);
  NetworkEdge e;
  e.a = a;
  e.b = b;
  e.length_m = distance(nodes_[a].xy, nodes_[b].xy);
  e.way = static_cast<std::uint32_t>(way_ids_.size() - 1);
  e.underground = underground;
  e.crossing = crossing;
  edges_.push_back(std::move(e));
}

void WalkNetwork::finish() {
  adjacency_.assign(nodes_.size(), {});
  std::vector<bool> on_surface(nodes_.size(), false), used(nodes_.size(), false);
  for (std::uint32_t i = 0; i < edges_.size(); ++i) {
    const auto& e = edges_[i];
    adjacency_[e.a].emplace_back(i, e.b);
    adjacency_[e.b].emplace_back(i, e.a);
    used[e.a] = used[e.b] = true;
    if (!e.underground) on_surface[e.a] = on_surface[e.b] = true;
  }
  std::vector<std::pair<XY, std::uint32_t>> surface, all;
  for (std::uint32_t i = 0; i < nodes_.size(); ++i) {
    if (used[i]) all.emplace_back(nodes_[i].xy, i);
    if (on_surface[i]) surface.emplace_back(nodes_[i].xy, i);
  }
  auto index = std::make_shared<Index>();
  index->surface = decltype(index->surface)(surface.begin(), surface.end());
  index->all = decltype(index->all)(all.begin(), all.end());
  index_ = std::move(index);
}

std::uint32_t WalkNetwork::nearest_node(XY p, bool include_underground) const {
  const auto& tree = include_underground ? index_->all : index_->surface;
  std::vector<std::pair<XY, std::uint32_t>> hit;
  tree.query(bgi::nearest(p, 1), std::back_inserter(hit));
  return hit.empty() ? 0 : hit.front().second;
}

namespace {

// A square's outline is walkable, and so is the straight line between any two of its
// entrances (outline nodes that a way reaches) that stays inside it.
void add_square(WalkNetwork& net, const Area& square, const LocalFrame& frame,
                std::unordered_map<std::int64_t, std::uint32_t>& by_osm_id) {
  const Polygon poly = to_local(square, frame);
  std::vector<std::uint32_t> ring, entrances;
  for (size_t i = 0; i < square.outer.points.size(); ++i) {
    const std::int64_t id = square.outer.nodes.empty() ? 0 : square.outer.nodes[i];
    const auto it = id ? by_osm_id.find(id) : by_osm_id.end();
    if (it != by_osm_id.end()) {
      ring.push_back(it->second);
      entrances.push_back(it->second);
    } else {
      ring.push_back(net.add_node(frame.to_xy(square.outer.points[i]), id));
      if (id) by_osm_id.emplace(id, ring.back());
    }
  }
  for (size_t i = 0; i + 1 < ring.size(); ++i) net.add_edge(ring[i], ring[i + 1], square.id, square.underground);
  std::sort(entrances.begin(), entrances.end());
  entrances.erase(std::unique(entrances.begin(), entrances.end()), entrances.end());
  for (size_t i = 0; i < entrances.size(); ++i)
    for (size_t j = i + 1; j < entrances.size(); ++j) {
      const Linestring walk{net.nodes()[entrances[i]].xy, net.nodes()[entrances[j]].xy};
      if (bg::covered_by(walk, poly)) net.add_edge(entrances[i], entrances[j], square.id, square.underground, true);
    }
}

}  // namespace

Polygon to_local(const Area& area, const LocalFrame& frame) {
  Polygon poly;
  for (const auto& ll : area.outer.points) poly.outer().push_back(frame.to_xy(ll));
  for (const auto& inner : area.inner) {
    poly.inners().emplace_back();
    for (const auto& ll : inner.points) poly.inners().back().push_back(frame.to_xy(ll));
  }
  bg::correct(poly);
  return poly;
}

WalkNetwork WalkNetwork::build(const CityData& data, const LocalFrame& frame) {
  WalkNetwork net;
  std::unordered_map<std::int64_t, std::uint32_t> by_osm_id;
  auto node_of = [&](std::int64_t id, LatLon p) {
    if (id == 0) return net.add_node(frame.to_xy(p));
    const auto [it, fresh] = by_osm_id.try_emplace(id, 0);
    if (fresh) it->second = net.add_node(frame.to_xy(p), id);
    return it->second;
  };
  for (const auto& w : data.ways) {
    std::uint32_t prev = node_of(w.nodes[0], w.points[0]);
    for (size_t i = 1; i < w.nodes.size(); ++i) {
      const std::uint32_t cur = node_of(w.nodes[i], w.points[i]);
      net.add_edge(prev, cur, w.id, w.underground);
      prev = cur;
    }
  }
  for (const auto& sq : data.squares) add_square(net, sq, frame, by_osm_id);
  net.finish();
  return net;
}

std::vector<Interval> inside_intervals(const Segment& segment, const Polygon& polygon) {
  const Linestring line{segment.first, segment.second};
  MultiLinestring pieces;
  bg::intersection(line, polygon, pieces);
  std::vector<Interval> out;
  const XY a = segment.first;
  for (const auto& piece : pieces) {
    if (piece.size() < 2) continue;
    const double s0 = distance(a, piece.front()), s1 = distance(a, piece.back());
    if (std::abs(s1 - s0) > 1e-9) out.emplace_back(std::min(s0, s1), std::max(s0, s1));
  }
  return out;
}

std::vector<Interval> merge_intervals(std::vector<Interval> in) {
  std::sort(in.begin(), in.end());
  std::vector<Interval> out;
  for (const auto& iv : in) {
    if (!out.empty() && iv.first <= out.back().second + 1e-9) out.back().second = std::max(out.back().second, iv.second);
    else out.push_back(iv);
  }
  return out;
}

void WalkNetwork::expose(const std::vector<Polygon>& viewsheds, const std::vector<bool>& underground) {
  std::vector<std::pair<BBox, std::uint32_t>> boxes;
  for (std::uint32_t c = 0; c < viewsheds.size(); ++c)
    if (!viewsheds[c].outer().empty()) boxes.emplace_back(bg::return_envelope<BBox>(viewsheds[c]), c);
  const bgi::rtree<std::pair<BBox, std::uint32_t>, bgi::rstar<16>> tree(boxes.begin(), boxes.end());
  std::vector<std::pair<BBox, std::uint32_t>> hits;
  for (auto& e : edges_) {
    e.seen.clear();
    e.cameras.clear();
    const Segment seg(nodes_[e.a].xy, nodes_[e.b].xy);
    hits.clear();
    tree.query(bgi::intersects(bg::return_envelope<BBox>(seg)), std::back_inserter(hits));
    for (const auto& [box, c] : hits) {
      if (underground[c] != e.underground) continue;
      auto pieces = inside_intervals(seg, viewsheds[c]);
      if (pieces.empty()) continue;
      e.cameras.push_back(c);
      e.seen.insert(e.seen.end(), pieces.begin(), pieces.end());
    }
    std::sort(e.cameras.begin(), e.cameras.end());
    e.seen = merge_intervals(std::move(e.seen));
    e.seen_m = 0;
    for (const auto& [s0, s1] : e.seen) e.seen_m += s1 - s0;
  }
}

}  // namespace vigie::city
