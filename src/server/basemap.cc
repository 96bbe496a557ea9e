#include "server/basemap.h"

#include <fmt/format.h>
#include <sqlite3.h>

#include <sstream>

namespace vigie::server {
namespace {

std::vector<double> numbers(const std::string& csv) {
  std::vector<double> out;
  std::stringstream in(csv);
  for (std::string part; std::getline(in, part, ',');) {
    try {
      out.push_back(std::stod(part));
    } catch (const std::exception&) {
      return {};
    }
  }
  return out;
}

}  // namespace

Result<std::unique_ptr<Basemap>> Basemap::open(const std::string& path) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    const std::string why = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return Error{fmt::format("basemap '{}': {}", path, why)};
  }
  std::unique_ptr<Basemap> map(new Basemap(db, path));
  auto meta = map->read_metadata();
  if (!meta) return meta.error();
  map->metadata_ = std::move(*meta);
  return map;
}

Basemap::~Basemap() { sqlite3_close(db_); }

Result<nlohmann::json> Basemap::read_metadata() {
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db_, "SELECT name, value FROM metadata", -1, &s, nullptr) != SQLITE_OK)
    return Error{fmt::format("basemap '{}' is not an MBTiles file (write it with tilemaker, docs/server.md): {}", path_,
                             sqlite3_errmsg(db_))};
  nlohmann::json m = {{"minzoom", 0}, {"maxzoom", 14}, {"attribution", "© OpenStreetMap contributors"}};
  while (sqlite3_step(s) == SQLITE_ROW) {
    const auto* n = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
    const auto* v = reinterpret_cast<const char*>(sqlite3_column_text(s, 1));
    if (!n || !v) continue;
    const std::string name = n, value = v;
    if (name == "bounds" || name == "center") {
      if (auto xs = numbers(value); xs.size() >= (name == "bounds" ? 4u : 2u)) m[name] = xs;
    } else if (name == "minzoom" || name == "maxzoom") {
      if (auto xs = numbers(value); xs.size() == 1) m[name] = static_cast<int>(xs[0]);
    } else if (name == "attribution") {
      m[name] = value;
    } else if (name == "format" && value != "pbf") {
      sqlite3_finalize(s);
      return Error{fmt::format("basemap '{}' holds {} tiles, not vector tiles (pbf)", path_, value)};
    }
  }
  sqlite3_finalize(s);
  if (!m.contains("bounds")) return Error{fmt::format("basemap '{}' has no bounds in its metadata", path_)};
  sqlite3_stmt* tiles = nullptr;
  const bool has_tiles =
      sqlite3_prepare_v2(db_, "SELECT tile_data FROM tiles LIMIT 0", -1, &tiles, nullptr) == SQLITE_OK;
  sqlite3_finalize(tiles);
  if (!has_tiles) return Error{fmt::format("basemap '{}' has no tiles table: {}", path_, sqlite3_errmsg(db_))};
  return m;
}

std::optional<std::string> Basemap::tile(int z, int x, int y) const {
  if (z < 0 || z > 24 || x < 0 || y < 0 || x >= (1 << z) || y >= (1 << z)) return std::nullopt;
  std::lock_guard lock(mu_);
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db_, "SELECT tile_data FROM tiles WHERE zoom_level = ?1 AND tile_column = ?2 AND tile_row = ?3",
                         -1, &s, nullptr) != SQLITE_OK)
    return std::nullopt;
  // MBTiles count rows from the south (TMS).
  sqlite3_bind_int(s, 1, z), sqlite3_bind_int(s, 2, x), sqlite3_bind_int(s, 3, (1 << z) - 1 - y);
  std::optional<std::string> out;
  if (sqlite3_step(s) == SQLITE_ROW) {
    const auto* data = static_cast<const char*>(sqlite3_column_blob(s, 0));
    out = std::string(data ? data : "", static_cast<size_t>(sqlite3_column_bytes(s, 0)));
  }
  sqlite3_finalize(s);
  return out;
}

}  // namespace vigie::server
