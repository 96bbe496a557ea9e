// A city loaded and analysed: cameras with their viewsheds, and the walking network
// with what each street segment's cameras see. The one object the commands work on.
#pragma once

#include <vector>

#include "city/model.h"
#include "city/network.h"
#include "city/viewshed.h"
#include "config/config.h"

namespace vigie::city {

struct BuildTimings {
  double viewsheds_s = 0, network_s = 0, exposure_s = 0;
};

struct CityModel {
  CityData data;
  LocalFrame frame;
  std::vector<Polygon> viewsheds;  // one per camera; empty for indoor cameras
  WalkNetwork network;
  BuildTimings timings;
};

// Keeps what lies in `box`: cameras inside it, the runs of each way's nodes inside it (a
// segment with an end outside is dropped), buildings and squares with a corner inside.
CityData clip_to(CityData data, const LatLonBox& box);

// The frame centred on the middle of the cameras' and streets' extent.
LocalFrame frame_for(const CityData& data);

// Building footprints on the street surface, in the frame, as obstacles to sight.
Obstacles surface_obstacles(const CityData& data, const LocalFrame& frame);

// Every camera's viewshed. Indoor cameras get none; cameras below ground see their own
// layer, where the surface buildings do not stand in the way.
std::vector<Polygon> compute_viewsheds(const std::vector<Camera>& cameras, const LocalFrame& frame,
                                       const Obstacles& obstacles, const CityConfig& config);

// Warnings for cameras that stand inside a building footprint deeper than
// `wall_tolerance_m`: in 2-D they see only that footprint (an arcade, a passage), not the street.
std::vector<std::string> placement_warnings(const std::vector<Camera>& cameras, const LocalFrame& frame,
                                            const Obstacles& obstacles, double wall_tolerance_m);

CityModel build_city_model(CityData data, const CityConfig& config);

}  // namespace vigie::city
