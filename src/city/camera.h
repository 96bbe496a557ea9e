// The camera model: what a camera sees, from its OSM tags or the documented defaults.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "city/model.h"
#include "config/config.h"

namespace vigie::city {

// camera:direction as a compass bearing in [0, 360): degrees ("90", "272.5") or compass
// points ("N", "NE", "SSW"). A list ("90;270") gives its first value. Nonsense: nullopt.
std::optional<double> parse_direction(std::string_view text);

// A camera:direction that may also be a range the camera turns through, clockwise
// ("90-270", "W-E"): the middle bearing and the span in degrees (0 for one bearing).
struct Bearing {
  double heading_deg = 0, span_deg = 0;
};
std::optional<Bearing> parse_bearing(std::string_view text);

// A length in metres: "4", "4.5 m", "4m". Nonsense or negative: nullopt.
std::optional<double> parse_metres(std::string_view text);

// The lowest number in an OSM level tag ("-1", "0;1", "-2;-1"); nullopt if none.
std::optional<double> lowest_level(std::string_view text);

// Sets kind, heading, fov, range, height, indoor and underground of `camera` from its tags,
// falling back on `defaults` per camera:type (and listing what was assumed in
// `camera.defaulted`). Unusable tags are reported in `warnings`, never fatal.
void apply_camera_model(Camera& camera, const CityConfig& defaults, std::vector<std::string>& warnings);

}  // namespace vigie::city
