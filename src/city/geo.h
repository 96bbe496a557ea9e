// Geographic points and the local metric frame every city computation works in.
// Distances and areas are computed in metres on a local tangent plane (x east, y north)
// centred on the data: over a city (a few kilometres) the equirectangular projection used
// here is off by less than 0.01 %; see docs/city.md for a country-sized network.
#pragma once

#include <boost/geometry.hpp>
#include <boost/geometry/geometries/point_xy.hpp>

#include <cmath>
#include <numbers>

namespace vigie::city {

namespace bg = boost::geometry;

using XY = bg::model::d2::point_xy<double>;
using Segment = bg::model::segment<XY>;
using Ring = bg::model::ring<XY>;                  // clockwise, closed (Boost's default)
using Polygon = bg::model::polygon<XY>;
using Linestring = bg::model::linestring<XY>;
using MultiLinestring = bg::model::multi_linestring<Linestring>;
using BBox = bg::model::box<XY>;

struct LatLon {
  double lat = 0, lon = 0;
};

constexpr double kEarthRadiusM = 6371008.8;  // mean radius (IUGG)

inline double deg2rad(double d) { return d * std::numbers::pi / 180.0; }
inline double rad2deg(double r) { return r * 180.0 / std::numbers::pi; }

// WGS84 degrees ↔ metres on the plane tangent at `origin`.
class LocalFrame {
 public:
  LocalFrame() = default;
  explicit LocalFrame(LatLon origin) : origin_(origin), cos_lat_(std::cos(deg2rad(origin.lat))) {}

  XY to_xy(LatLon p) const {
    return {deg2rad(p.lon - origin_.lon) * kEarthRadiusM * cos_lat_,
            deg2rad(p.lat - origin_.lat) * kEarthRadiusM};
  }
  LatLon to_latlon(XY p) const {
    return {origin_.lat + rad2deg(p.y() / kEarthRadiusM),
            origin_.lon + rad2deg(p.x() / (kEarthRadiusM * cos_lat_))};
  }
  LatLon origin() const { return origin_; }

 private:
  LatLon origin_{};
  double cos_lat_ = 1;
};

// Compass bearing (degrees clockwise from north) → unit vector in the local frame.
inline XY bearing_vector(double bearing_deg) {
  const double b = deg2rad(bearing_deg);
  return {std::sin(b), std::cos(b)};
}

inline double distance(XY a, XY b) { return std::hypot(a.x() - b.x(), a.y() - b.y()); }

}  // namespace vigie::city
