// Incident records and daily weather for `vigie risk` (src/risk/incidents, factors): the
// same bytes read as an incident CSV (every layout, found by its header) and as a weather
// CSV; the types and neighbourhoods read are dumped with nlohmann's strict JSON writer, as
// `vigie risk eval --by-type --json` and the report do (text that is not UTF-8 must be
// converted before it gets there).
#include <cstddef>
#include <cstdint>

#include <nlohmann/json.hpp>

#include "fuzz_common.h"
#include "risk/factors.h"
#include "risk/incidents.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto path = vigie::fuzz::write_input("records.csv", data, size);
  if (auto set = vigie::risk::read_incidents(path)) {
    nlohmann::json j = nlohmann::json::array();
    for (const auto& i : set->incidents) j.push_back({i.type, i.area, vigie::risk::format_day(i.at)});
    (void)j.dump();
    for (const auto& i : set->incidents)
      if (set->unprojection.kind != vigie::risk::Unprojection::Kind::kUnknown) (void)set->unprojection.to_latlon(i.x, i.y);
  }
  (void)vigie::risk::read_weather(path);
  return 0;
}
