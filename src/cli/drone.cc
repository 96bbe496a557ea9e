// `vigie drone check`: a drone flight's telemetry against its authorisation — minutes
// outside the perimeter or the time span flagged (and audited with --store), the ground
// the camera saw as GeoJSON for a map.
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <fstream>

#include "cli/commands.h"
#include "core/time_text.h"
#include "drone/drone.h"
#include "events/store.h"

namespace vigie::cli {
namespace {

struct DroneOptions {
  std::string telemetry, authorisation, start, geojson, store_path, audit_key_path;
  bool json = false;
};

// Each flagged minute is written to the audit log: who checked, which order, which minute.
void audit_flagged(const DroneOptions& o, const drone::Authorisation& a, const drone::FlightCheck& c) {
  auto store = events::Store::open(o.store_path, o.audit_key_path);
  if (!store) throw UsageError(store.error().message);
  const double now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  for (const auto& m : c.flagged) {
    const nlohmann::json what = {{"reference", a.reference}, {"minute", utc_text(m.minute_epoch)},
                                 {"outside_perimeter", m.outside_perimeter}, {"outside_time", m.outside_time}};
    if (auto r = (*store)->audit(local_user(), drone::kOutsideAuthorisationAudit, what.dump(), now); !r)
      throw std::runtime_error(r.error().message);
  }
}

int drone_check(const DroneOptions& o) {
  const std::optional<double> start =
      o.start.empty() ? std::nullopt : std::optional<double>(parse_epoch_option(o.start, "--start"));
  const auto telemetry = drone::read_telemetry(o.telemetry, start);
  if (!telemetry) throw UsageError(telemetry.error().message);
  const auto authorisation = drone::read_authorisation(o.authorisation);
  if (!authorisation) throw UsageError(authorisation.error().message);
  for (const auto& w : telemetry->warnings) fmt::print(stderr, "note: {}\n", w);
  const auto check = drone::check_flight(*telemetry, *authorisation);
  if (!o.geojson.empty()) {
    std::ofstream out(o.geojson);
    if (!(out << drone::flight_geojson(*telemetry).dump() << "\n"))
      throw std::runtime_error(fmt::format("{}: cannot be written", o.geojson));
  }
  if (!o.store_path.empty() && !check.flagged.empty()) audit_flagged(o, *authorisation, check);
  if (o.json) {
    nlohmann::json flagged = nlohmann::json::array();
    for (const auto& m : check.flagged)
      flagged.push_back({{"minute", utc_text(m.minute_epoch)}, {"minute_epoch", m.minute_epoch},
                         {"outside_perimeter", m.outside_perimeter}, {"outside_time", m.outside_time}});
    fmt::print("{}\n", nlohmann::json{{"reference", authorisation->reference}, {"start", utc_text(check.start_epoch)},
                                      {"end", utc_text(check.end_epoch)}, {"minutes", check.minutes},
                                      {"distance_m", check.distance_m}, {"swept_m2", check.swept_m2},
                                      {"flagged", flagged}}
                           .dump(2));
  } else {
    fmt::print("flight {} → {}: {} minutes, {:.0f} m flown, {:.0f} m² of ground seen; authorisation {}\n",
               utc_text(check.start_epoch), utc_text(check.end_epoch), check.minutes, check.distance_m, check.swept_m2,
               authorisation->reference);
    for (const auto& m : check.flagged)
      fmt::print("  {} outside the authorisation:{}{}\n", utc_text(m.minute_epoch), m.outside_perimeter ? " perimeter" : "",
                 m.outside_time ? " time" : "");
    if (check.flagged.empty()) fmt::print("  every minute within the perimeter and the time span\n");
  }
  return check.flagged.empty() ? 0 : 1;
}

}  // namespace

std::function<int()> add_drone_commands(CLI::App& app) {
  auto o = std::make_shared<DroneOptions>();
  auto* drone = app.add_subcommand("drone", "Drones and other moving cameras");
  drone->require_subcommand(1);
  auto* check = drone->add_subcommand(
      "check", "A flight against its authorisation: minutes outside the perimeter or time flagged (exit 1 if any)");
  check->add_option("--telemetry", o->telemetry, "The flight's track: .csv (time,lat,lon,alt,heading,pitch,fov), .gpx or DJI .srt")
      ->required();
  check->add_option("--authorisation", o->authorisation, "The order: JSON {reference, purpose, start, end, perimeter}")
      ->required();
  check->add_option("--start", o->start, "When the flight began, for times counted from it (.srt without dates, .csv seconds)");
  check->add_option("--geojson", o->geojson, "Write the track, footprints and swept ground as GeoJSON");
  check->add_option("--store", o->store_path, "Event store whose audit log gets each flagged minute");
  check->add_option("--audit-key", o->audit_key_path, "The audit log's HMAC key file (default: <store>.audit-key)");
  check->add_flag("--json", o->json, "Print the check as JSON");
  return [o, check]() -> int { return *check ? drone_check(*o) : -1; };
}

}  // namespace vigie::cli
