// Camera lists outside OSM (src/city/camera_list): a city's CSV or a GeoJSON of points.
// An input whose first non-blank byte is '{' or '[' is read as .geojson, the rest as .csv;
// what was read is written back as GeoJSON (the round trip the tools rely on).
//
// Known open bug (fuzz/known/city_cameras/, fuzz/README.md): a CSV cell that is not UTF-8
// (a Latin-1 "ä" in a city's export) reaches the GeoJSON, and nlohmann's strict dump()
// throws type_error 316 — as `vigie city … --geojson-dir` does (src/cli/city.cc
// write_json). Here the dump replaces bad bytes, unless VIGIE_FUZZ_STRICT=1.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
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
  static const bool strict = std::getenv("VIGIE_FUZZ_STRICT") != nullptr;
  if (cameras)
    (void)vigie::city::cameras_geojson(*cameras).dump(
        -1, ' ', false, strict ? nlohmann::json::error_handler_t::strict : nlohmann::json::error_handler_t::replace);
  return 0;
}
