// Camera lists outside OSM (src/city/camera_list): a city's CSV or a GeoJSON of points.
// An input whose first non-blank byte is '{' or '[' is read as .geojson, the rest as .csv;
// what was read is written back as GeoJSON (the round trip the tools rely on).
// The dump is nlohmann's strict one, as `vigie city … --geojson-dir` writes it
// (src/cli/city.cc write_json): bytes that are not UTF-8 must not reach it (a Latin-1
// city export: regressions/city_cameras/latin1_*).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "city/camera_list.h"
#include "fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto text = vigie::fuzz::as_text(data, size);
  const auto first = text.find_first_not_of(" \t\r\n");
  const bool json = first != std::string_view::npos && (text[first] == '{' || text[first] == '[');
  const auto path = vigie::fuzz::write_input(json ? "cameras.geojson" : "cameras.csv", data, size);
  static const vigie::CityConfig config;
  std::vector<std::string> warnings;
  auto cameras = vigie::city::read_camera_list(path, config, warnings);
  if (cameras) (void)vigie::city::cameras_geojson(*cameras).dump();
  return 0;
}
