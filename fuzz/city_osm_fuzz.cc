// OpenStreetMap import (src/city/osm_import): libosmium's readers and vigie's handlers.
// Text is read as OSM XML; an input starting with a NUL byte (the high byte of a PBF
// BlobHeader length, which no XML file has) is read as .osm.pbf.
#include <cstddef>
#include <cstdint>

#include "city/osm_import.h"
#include "fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const bool pbf = size > 0 && data[0] == 0;
  const auto path = vigie::fuzz::write_input(pbf ? "input.osm.pbf" : "input.osm", data, size);
  static const vigie::CityConfig config;
  auto city = vigie::city::import_osm(path, config);
  (void)city;
  return 0;
}
