// The city's camera network and walking streets as imported: plain values in WGS84,
// with the OSM ids that let a user find each object again.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "city/geo.h"

namespace vigie::city {

enum class CameraKind { fixed, dome, panning, unknown };
const char* kind_name(CameraKind kind);

struct Camera {
  std::string id;                           // "node/123" for OSM, "<list>#<row>" for lists
  LatLon position;
  std::map<std::string, std::string> tags;  // as imported, kept for the round trip
  // What the coverage uses, from the tags or the documented defaults:
  CameraKind kind = CameraKind::unknown;
  std::optional<double> heading_deg;        // compass bearing; none: sees all around
  double fov_deg = 360;
  double range_m = 30;
  double height_m = 4;
  bool indoor = false;                      // surveillance=indoor: not a street camera
  bool underground = false;                 // level < 0 or location=underground
  std::vector<std::string> defaulted;       // which of heading/fov/range/height were assumed
};

// One walkable OSM way: its node ids (to join ways into a graph) and their positions.
struct WalkWay {
  std::string id;  // "way/123"
  std::string highway;
  std::vector<std::int64_t> nodes;
  std::vector<LatLon> points;
  bool underground = false;
};

struct RingLL {
  std::vector<std::int64_t> nodes;  // 0 where unknown (plain lists, assembled rings)
  std::vector<LatLon> points;       // closed: first == last
};

// A building footprint or a pedestrian square: one outer ring and its holes.
struct Area {
  std::string id;  // "way/1" or "relation/2"
  RingLL outer;
  std::vector<RingLL> inner;
  bool underground = false;
};

struct LatLonBox {
  LatLon min, max;
  bool contains(LatLon p) const {
    return p.lat >= min.lat && p.lat <= max.lat && p.lon >= min.lon && p.lon <= max.lon;
  }
};

struct ImportStats {
  std::uint64_t nodes = 0, ways = 0, relations = 0;
  double seconds = 0;
  // The extract's own bounds from its header (osmium extract keeps crossing ways whole,
  // so the data reaches beyond them).
  std::optional<LatLonBox> bounds;
};

struct CityData {
  std::vector<Camera> cameras;
  std::vector<WalkWay> ways;
  std::vector<Area> buildings;
  std::vector<Area> squares;  // highway=pedestrian areas, crossable on foot
  std::vector<std::string> warnings;
  ImportStats stats;
};

}  // namespace vigie::city
