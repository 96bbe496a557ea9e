// Drones and other moving cameras: where the camera was, where it looked and what ground
// it saw, from a telemetry track (CSV, GPX or a DJI-style .SRT subtitle file), and whether
// a flight kept to its authorisation (a prefectoral order: a perimeter and a time span).
// Pure functions over values; the files are read by read_telemetry / read_authorisation.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "city/geo.h"
#include "core/result.h"

namespace vigie::drone {

// The camera at one instant. Heading: compass degrees; pitch: degrees above the horizon
// (-90 looks straight down); fov: the horizontal field of view; altitude above the ground
// it looks at (taken flat).
struct Pose {
  double epoch = 0;
  city::LatLon position;
  double alt_m = 0;
  double heading_deg = 0;
  double pitch_deg = -90;
  double fov_deg = 84;  // a DJI Mavic-class wide camera
};

struct Telemetry {
  std::vector<Pose> poses;  // in time order
  std::vector<std::string> warnings;  // rows skipped, values assumed
};

// The formats, by content:
//  - CSV with a header naming time, lat, lon and optionally alt, heading, pitch, fov
//    (time: Unix seconds or ISO 8601 UTC, or seconds from `start_epoch`);
//  - GPX track points (lat, lon, ele, time); heading from one point to the next;
//  - SRT subtitles as DJI drones write them: per frame, a time and [latitude: …]
//    [longitude: …] [rel_alt: …] (or GPS(lon,lat,alt)); a date line in the block, else
//    `start_epoch` plus the subtitle's time.
// Errors name the line and what is wrong; no pose at all is an error.
Result<Telemetry> parse_csv(std::string_view text, std::optional<double> start_epoch = std::nullopt);
Result<Telemetry> parse_gpx(std::string_view text);
Result<Telemetry> parse_srt(std::string_view text, std::optional<double> start_epoch = std::nullopt);
// By the file's extension (.csv, .gpx, .srt); the error names the file.
Result<Telemetry> read_telemetry(const std::string& path, std::optional<double> start_epoch = std::nullopt);

// The pose at `epoch`, interpolated between the poses either side (the heading the short
// way round); empty outside the track's time span.
std::optional<Pose> pose_at(const Telemetry& telemetry, double epoch);

// The ground the camera sees at `pose`, in `frame`'s metres: the four corners of the
// image (4:3) cast onto flat ground, the edges sampled so that a view reaching the
// horizon is cut at `max_range_m` from the camera.
city::Polygon footprint(const Pose& pose, const city::LocalFrame& frame, double max_range_m = 500);

// What a flight is allowed: the order's reference and purpose, the perimeter (WGS84
// ring) and the time span.
struct Authorisation {
  std::string reference, purpose;
  std::vector<city::LatLon> perimeter;
  double start_epoch = 0, end_epoch = 0;
};
// JSON: {"reference", "purpose", "start", "end" (ISO 8601 UTC or Unix seconds),
// "perimeter": GeoJSON Polygon coordinates or a Polygon geometry}.
Result<Authorisation> parse_authorisation(std::string_view json_text);
Result<Authorisation> read_authorisation(const std::string& path);

// The audit action of a flagged minute (`vigie drone check --store`); the transparency
// report counts them.
inline constexpr const char* kOutsideAuthorisationAudit = "drone_outside_authorisation";
// The audit action of a flight's registration in the store.
inline constexpr const char* kFlightRegisteredAudit = "drone_flight";

// One minute of flight (UTC minute) that left the authorisation.
struct FlaggedMinute {
  double minute_epoch = 0;
  bool outside_perimeter = false, outside_time = false;
};

struct FlightCheck {
  double start_epoch = 0, end_epoch = 0;
  int minutes = 0;              // minutes of flight (UTC minutes with a pose)
  double distance_m = 0;        // flown, along the track
  double swept_m2 = 0;          // ground seen at some time (union of the footprints)
  std::vector<FlaggedMinute> flagged;
};

// Every minute with a pose outside the perimeter or outside the time span is flagged.
FlightCheck check_flight(const Telemetry& telemetry, const Authorisation& authorisation);

// GeoJSON (WGS84): the track, a footprint every `every_s` seconds (with its time and the
// camera's place: epoch, lat, lon, alt_m, heading_deg, pitch_deg) and the swept area,
// for a map.
nlohmann::json flight_geojson(const Telemetry& telemetry, double every_s = 5);

}  // namespace vigie::drone
