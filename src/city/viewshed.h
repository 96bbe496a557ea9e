// What each camera sees on the ground plane: its field-of-view sector up to its range,
// cut by building walls (a 2-D visibility polygon), in the local metric frame.
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "city/geo.h"
#include "city/model.h"

namespace vigie::city {

// Building walls indexed for line-of-sight tests.
class Obstacles {
 public:
  explicit Obstacles(std::vector<Polygon> buildings);
  ~Obstacles();
  Obstacles(Obstacles&&) noexcept;
  Obstacles& operator=(Obstacles&&) noexcept;

  struct Wall {
    Segment segment;
    size_t building;
  };
  // Walls whose bounding box meets `box`.
  void walls_near(const BBox& box, std::vector<Wall>& out) const;
  // Buildings whose outline passes within `tolerance` metres of `p` (those a camera at p
  // is mounted on).
  std::vector<size_t> outlines_near(XY p, double tolerance) const;
  // The building whose footprint contains `p`, if any.
  std::optional<size_t> building_containing(XY p) const;
  // Distance from `p` to the outline of building `i` (0 on it, > 0 inside or outside).
  double distance_to_outline(XY p, size_t i) const;
  const Polygon& building(size_t i) const { return buildings_[i]; }
  size_t size() const { return buildings_.size(); }

 private:
  struct Index;
  std::vector<Polygon> buildings_;
  std::unique_ptr<Index> index_;
};

struct ViewshedOptions {
  double angular_step_deg = 1.0;  // rays between wall corners; the arc's chord error is r·(1−cos(step/2))
  double wall_tolerance_m = 1.5;  // a camera this close to a building is mounted on it
};

// The visibility polygon of a camera at `eye` (local frame) looking along `heading_deg`
// (compass; none = all around) with `fov_deg` up to `range_m`. Rays stop at the first wall;
// the wall a camera is mounted on blocks only the rays that go into that building.
Polygon compute_viewshed(XY eye, std::optional<double> heading_deg, double fov_deg, double range_m,
                         const Obstacles& obstacles, const ViewshedOptions& options = {});

}  // namespace vigie::city
