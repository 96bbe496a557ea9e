#include "city/osm_import.h"

#include <fmt/format.h>
#include <osmium/area/assembler.hpp>
#include <osmium/area/multipolygon_manager.hpp>
#include <osmium/handler.hpp>
#include <osmium/handler/node_locations_for_ways.hpp>
#include <osmium/index/map/flex_mem.hpp>
#include <osmium/io/any_input.hpp>
#include <osmium/relations/relations_manager.hpp>
#include <osmium/visitor.hpp>

#include <chrono>
#include <filesystem>

#include "city/camera.h"
#include "city/osm_tags.h"

namespace vigie::city {
namespace {

// A warning per problem object would bury the summary on a real extract: after this many,
// only the count goes on.
constexpr size_t kMaxWarningsPerKind = 10;

class WarningList {
 public:
  explicit WarningList(std::vector<std::string>& out) : out_(out) {}
  void add(const std::string& kind, std::string text) {
    if (++counts_[kind] <= kMaxWarningsPerKind) out_.push_back(std::move(text));
  }
  void summarise() {
    for (const auto& [kind, n] : counts_)
      if (n > kMaxWarningsPerKind) out_.push_back(fmt::format("{} more: {} ({} in all)", n - kMaxWarningsPerKind, kind, n));
  }

 private:
  std::vector<std::string>& out_;
  std::map<std::string, size_t> counts_;
};

auto getter(const osmium::TagList& tags) {
  return [&tags](const char* key) { return tags.get_value_by_key(key); };
}

std::map<std::string, std::string> tag_map(const osmium::TagList& tags) {
  std::map<std::string, std::string> m;
  for (const auto& t : tags) m.emplace(t.key(), t.value());
  return m;
}

RingLL ring_of(const osmium::NodeRefList& ring) {
  RingLL r;
  for (const auto& nr : ring) {
    r.nodes.push_back(nr.ref());
    r.points.push_back({nr.location().lat(), nr.location().lon()});
  }
  return r;
}

class CityHandler : public osmium::handler::Handler {
 public:
  CityHandler(CityData& data, const CityConfig& config, WarningList& warnings)
      : data_(data), config_(config), warnings_(warnings) {}

  void node(const osmium::Node& node) {
    ++data_.stats.nodes;
    if (!node.tags().has_tag("man_made", "surveillance")) return;
    if (!node.location().valid()) {
      warnings_.add("camera without a position", fmt::format("node/{}: camera without a valid position; skipped", node.id()));
      return;
    }
    Camera cam;
    cam.id = fmt::format("node/{}", node.id());
    cam.position = {node.location().lat(), node.location().lon()};
    cam.tags = tag_map(node.tags());
    std::vector<std::string> notes;
    apply_camera_model(cam, config_, notes);
    for (auto& n : notes) warnings_.add("camera tag", std::move(n));
    data_.cameras.push_back(std::move(cam));
  }

  void way(const osmium::Way& way) {
    ++data_.stats.ways;
    const auto get = getter(way.tags());
    if (!walkable_highway(get)) return;
    // A closed pedestrian way tagged area=yes is a square: it comes back as an area.
    if (way.tags().has_tag("area", "yes")) return;
    WalkWay w;
    w.id = fmt::format("way/{}", way.id());
    w.highway = get("highway");
    w.underground = underground_way(get);
    size_t missing = 0;
    for (const auto& nr : way.nodes()) {
      if (!nr.location().valid()) {
        ++missing;
        continue;
      }
      w.nodes.push_back(nr.ref());
      w.points.push_back({nr.location().lat(), nr.location().lon()});
    }
    if (missing)
      warnings_.add("way with missing nodes",
                    fmt::format("{}: {} of its {} nodes are not in the file; the rest is kept", w.id, missing,
                                way.nodes().size()));
    if (w.nodes.size() >= 2) data_.ways.push_back(std::move(w));
  }

  void relation(const osmium::Relation&) { ++data_.stats.relations; }

  void area(const osmium::Area& area) {
    const auto get = getter(area.tags());
    const bool building = get("building") && std::string_view(get("building")) != "no";
    const bool square = detail::is_any(get("highway"), {"pedestrian"}) && walkable_highway(get) &&
                        (!area.from_way() || area.tags().has_tag("area", "yes"));
    if (!building && !square) return;
    const std::string id = fmt::format("{}/{}", area.from_way() ? "way" : "relation", area.orig_id());
    for (const auto& outer : area.outer_rings()) {
      Area a;
      a.id = id;
      a.outer = ring_of(outer);
      for (const auto& inner : area.inner_rings(outer)) a.inner.push_back(ring_of(inner));
      a.underground = underground_way(get) || detail::is_any(get("building"), {"underground"});
      (building ? data_.buildings : data_.squares).push_back(std::move(a));
    }
  }

 private:
  CityData& data_;
  const CityConfig& config_;
  WarningList& warnings_;
};

// Closed ways that may be areas: buildings, and pedestrian squares.
osmium::TagsFilter area_filter() {
  osmium::TagsFilter filter{false};
  filter.add_rule(true, osmium::TagMatcher{"building"});
  filter.add_rule(true, osmium::TagMatcher{"highway", "pedestrian"});
  return filter;
}

}  // namespace

namespace {

// Both passes (relations, then everything) over one osmium::io::File, a path or bytes;
// `name` is what errors call it.
Result<CityData> import_file(const osmium::io::File& file, const std::string& name, const CityConfig& config) {
  const auto start = std::chrono::steady_clock::now();
  CityData data;
  WarningList warnings(data.warnings);
  try {
    osmium::area::Assembler::config_type assembler_config;
    osmium::area::MultipolygonManager<osmium::area::Assembler> multipolygons{assembler_config, area_filter()};
    osmium::relations::read_relations(file, multipolygons);

    using Index = osmium::index::map::FlexMem<osmium::unsigned_object_id_type, osmium::Location>;
    Index index;
    osmium::handler::NodeLocationsForWays<Index> locations{index};
    locations.ignore_errors();  // a way with missing nodes is reported, not fatal

    CityHandler handler(data, config, warnings);
    osmium::io::Reader reader{file};
    const osmium::io::Header header = reader.header();
    for (const auto& box : header.boxes())
      if (box.valid())
        data.stats.bounds = LatLonBox{{box.bottom_left().lat(), box.bottom_left().lon()},
                                      {box.top_right().lat(), box.top_right().lon()}};
    osmium::apply(reader, locations, handler, multipolygons.handler([&handler](osmium::memory::Buffer&& buffer) {
      osmium::apply(buffer, handler);
    }));
    reader.close();
    const size_t incomplete = multipolygons.relations_database().count_relations();
    if (incomplete)
      warnings.add("incomplete multipolygon",
                   fmt::format("{} multipolygon relations miss members in the file; their areas are left out",
                               incomplete));
  } catch (const std::exception& e) {
    return Error{fmt::format("cannot read '{}' as OpenStreetMap data (truncated or corrupt?): {}", name, e.what())};
  }
  warnings.summarise();
  data.stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return data;
}

}  // namespace

Result<CityData> import_osm(const std::string& path, const CityConfig& config) {
  if (!std::filesystem::is_regular_file(path)) return Error{fmt::format("cannot read '{}': no such file", path)};
  try {
    return import_file(osmium::io::File{path}, path, config);
  } catch (const std::exception& e) {  // a suffix libosmium does not know
    return Error{fmt::format("cannot read '{}': {}", path, e.what())};
  }
}

Result<CityData> import_osm_buffer(std::string_view bytes, OsmFormat format, const CityConfig& config) {
  const char* name = format == OsmFormat::kPbf ? "pbf" : "osm";
  const osmium::io::File file{bytes.data(), bytes.size(), name};
  return import_file(file, fmt::format("<{} bytes of .{}>", bytes.size(), name), config);
}

}  // namespace vigie::city
