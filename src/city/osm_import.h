// Reading OpenStreetMap files (.osm, .osm.gz, .osm.bz2, .osm.pbf) with libosmium:
// surveillance cameras, walkable ways, building footprints and pedestrian squares.
#pragma once

#include <string>
#include <string_view>

#include "city/model.h"
#include "config/config.h"
#include "core/result.h"

namespace vigie::city {

// Cameras come out with their model applied (apply_camera_model). Problems in the data
// (a way with missing nodes, a nonsense tag) become warnings in the result; a file that
// cannot be read or is truncated is an Error naming the file.
Result<CityData> import_osm(const std::string& path, const CityConfig& config);

enum class OsmFormat { kXml, kPbf };

// The same from bytes in memory (data received rather than a file, and the fuzzer: no
// file system between it and the parser, ~3x faster per input).
Result<CityData> import_osm_buffer(std::string_view bytes, OsmFormat format, const CityConfig& config);

}  // namespace vigie::city
