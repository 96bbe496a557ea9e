// The console map's background: vector tiles that tilemaker made offline from the city's
// OpenStreetMap extract (an MBTiles file, `server.basemap`), served by vigie itself — no
// tile server on the internet sees where operators look.
#pragma once

#include <nlohmann/json.hpp>

#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "core/result.h"

struct sqlite3;

namespace vigie::server {

class Basemap {
 public:
  // Opens the file read-only; an error names it when it is not an MBTiles file.
  static Result<std::unique_ptr<Basemap>> open(const std::string& path);
  ~Basemap();
  Basemap(const Basemap&) = delete;
  Basemap& operator=(const Basemap&) = delete;

  // The tile at zoom z, column x, row y (XYZ, y down as web maps count) as stored: a
  // Mapbox vector tile, gzip-compressed as tilemaker writes them (is_gzip says); empty
  // when there is none.
  std::optional<std::string> tile(int z, int x, int y) const;
  static bool is_gzip(const std::string& data) { return data.size() > 2 && data[0] == '\x1f' && data[1] == '\x8b'; }
  // bounds [w, s, e, n], center [lon, lat, zoom], minzoom, maxzoom, attribution.
  const nlohmann::json& metadata() const { return metadata_; }

 private:
  Basemap(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  Result<nlohmann::json> read_metadata();
  sqlite3* db_;
  std::string path_;
  nlohmann::json metadata_;
  mutable std::mutex mu_;  // one connection, many HTTP threads
};

}  // namespace vigie::server
