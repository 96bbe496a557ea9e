// OpenStreetMap import (src/city/osm_import): libosmium's readers and vigie's handlers,
// from memory (import_osm_buffer: the same two passes as from a file, ~3x faster).
// Text is read as OSM XML; an input starting with a NUL byte (the high byte of a PBF
// BlobHeader length, which no XML file has) is read as .osm.pbf.
#include <cstddef>
#include <cstdint>

#include "city/osm_import.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using vigie::city::OsmFormat;
  const auto format = size > 0 && data[0] == 0 ? OsmFormat::kPbf : OsmFormat::kXml;
  static const vigie::CityConfig config;
  auto city = vigie::city::import_osm_buffer({reinterpret_cast<const char*>(data), size}, format, config);
  (void)city;
  return 0;
}
