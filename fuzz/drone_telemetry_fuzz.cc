// A drone's telemetry and its authorisation (src/drone): the same bytes read as CSV, GPX
// and DJI SRT (with and without a start time) and as an authorisation; what is read is
// checked as a flight, placed between its fixes and drawn as GeoJSON (footprints, their
// union), then dumped with nlohmann's strict writer.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

#include "drone/drone.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  vigie::drone::Authorisation a;
  a.reference = "fuzz", a.start_epoch = 0, a.end_epoch = 1e10;
  a.perimeter = {{48, 11}, {48, 12}, {49, 12}, {49, 11}, {48, 11}};
  if (auto parsed = vigie::drone::parse_authorisation(text)) a = *parsed;
  for (auto t : {vigie::drone::parse_csv(text), vigie::drone::parse_csv(text, 1.8e9), vigie::drone::parse_gpx(text),
                 vigie::drone::parse_srt(text), vigie::drone::parse_srt(text, 1.8e9)}) {
    if (!t || t->poses.size() > 200) continue;  // the geometry is quadratic in poses: bounded here
    (void)vigie::drone::check_flight(*t, a);
    for (double f : {0.0, 0.37, 1.0})  // a moving camera's place between fixes
      (void)vigie::drone::pose_at(*t, t->poses.front().epoch + f * (t->poses.back().epoch - t->poses.front().epoch));
    (void)vigie::drone::flight_geojson(*t).dump();
  }
  return 0;
}
