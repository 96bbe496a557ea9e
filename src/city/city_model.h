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

// The frame centred on the middle of the cameras' and streets' extent.
LocalFrame frame_for(const CityData& data);

// Building footprints on the street surface, in the frame, as obstacles to sight.
Obstacles surface_obstacles(const CityData& data, const LocalFrame& frame);

// Every camera's viewshed. Indoor cameras get none; cameras below ground see their own
// layer, where the surface buildings do not stand in the way.
std::vector<Polygon> compute_viewsheds(const std::vector<Camera>& cameras, const LocalFrame& frame,
                                       const Obstacles& obstacles, const CityConfig& config);

CityModel build_city_model(CityData data, const CityConfig& config);

}  // namespace vigie::city
