// Which OSM ways a pedestrian may use, and which lie below the street surface. Tags are
// looked up through `get(key)`, which gives nullptr when the key is absent.
#pragma once

#include <cstring>
#include <string_view>

#include "city/camera.h"

namespace vigie::city {

namespace detail {
inline bool is_any(const char* v, std::initializer_list<std::string_view> set) {
  if (!v) return false;
  for (auto s : set)
    if (s == v) return true;
  return false;
}
}  // namespace detail

// highway=* on foot: footways, paths, steps, squares and streets with sidewalks; not
// motorways or trunk roads, cycleways only when foot is allowed, nothing foot=no or
// private, nothing proposed or under construction.
template <typename Get>
bool walkable_highway(Get get) {
  using detail::is_any;
  const char* hw = get("highway");
  if (!hw) return false;
  const char* foot = get("foot");
  if (is_any(foot, {"no", "private", "use_sidepath"})) return false;
  const bool foot_allowed = is_any(foot, {"yes", "designated", "permissive"});
  if (is_any(get("access"), {"private", "no"}) && !foot_allowed) return false;
  if (is_any(hw, {"cycleway", "trunk", "trunk_link", "bridleway"})) return foot_allowed;
  return is_any(hw, {"footway", "pedestrian", "path", "steps", "living_street", "residential", "service",
                     "unclassified", "tertiary", "tertiary_link", "secondary", "secondary_link", "primary",
                     "primary_link", "track", "road", "corridor", "platform", "elevator"});
}

// Tunnels (but not a passage through a building at street level), negative levels, and
// indoor corridors are kept apart from the street surface.
template <typename Get>
bool underground_way(Get get) {
  using detail::is_any;
  const char* tunnel = get("tunnel");
  if (tunnel && !is_any(tunnel, {"no", "building_passage"})) return true;
  if (const char* level = get("level")) {
    const auto lowest = lowest_level(level);
    if (lowest && *lowest < 0) return true;
  }
  if (is_any(get("location"), {"underground"})) return true;
  return is_any(get("indoor"), {"yes", "corridor"}) || is_any(get("highway"), {"corridor"});
}

}  // namespace vigie::city
