// `vigie drone check`: a drone flight's telemetry against its authorisation — minutes
// outside the perimeter or the time span flagged, the ground the camera saw as GeoJSON
// for a map; with --store, the flight registered and the flagged minutes audited.
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "cli/commands.h"
#include "core/time_text.h"
#include "drone/drone.h"
#include "events/store.h"

namespace vigie::cli {
namespace {

struct DroneOptions {
  std::string telemetry, authorisation, start, geojson, store_path, audit_key_path, camera, video;
  bool json = false;
};

// The order's perimeter as a GeoJSON Polygon geometry.
nlohmann::json perimeter_geojson(const drone::Authorisation& a) {
  nlohmann::json ring = nlohmann::json::array();
  for (const auto& p : a.perimeter) ring.push_back({p.lon, p.lat});
  return {{"type", "Polygon"}, {"coordinates", nlohmann::json::array({ring})}};
}

nlohmann::json flagged_json(const drone::FlightCheck& c) {
  nlohmann::json flagged = nlohmann::json::array();
  for (const auto& m : c.flagged)
    flagged.push_back({{"minute", utc_text(m.minute_epoch)}, {"minute_epoch", m.minute_epoch},
                       {"outside_perimeter", m.outside_perimeter}, {"outside_time", m.outside_time}});
  return flagged;
}

// Registers the flight in the store with its order, its recording and what it flew, and
// audits the registration and each flagged minute (who, which order, which minute) once:
// a flight checked again whose audit was written is not audited again. Returns its id.
std::string register_flight(const DroneOptions& o, const drone::Telemetry& t, const drone::Authorisation& a,
                            const drone::FlightCheck& c) {
  auto store = events::Store::open(o.store_path, o.audit_key_path);
  if (!store) throw UsageError(store.error().message);
  const double now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  events::FlightRow f;
  f.camera = o.camera, f.reference = a.reference, f.purpose = a.purpose, f.perimeter = perimeter_geojson(a).dump();
  f.authorised_start = a.start_epoch, f.authorised_end = a.end_epoch;
  f.start_epoch = c.start_epoch, f.end_epoch = c.end_epoch, f.minutes = c.minutes;
  f.flagged = flagged_json(c).dump(), f.flagged_minutes = static_cast<int>(c.flagged.size());
  f.distance_m = c.distance_m, f.swept_m2 = c.swept_m2;
  f.video = o.video.empty() ? "" : std::filesystem::absolute(o.video).lexically_normal().string();
  f.geojson = drone::flight_geojson(t).dump(), f.registered_epoch = now;
  auto added = (*store)->record_flight(f);
  if (!added) throw std::runtime_error(added.error().message);
  if (f.audited) return f.id;  // registered and audited before
  auto audit = [&](const char* action, const nlohmann::json& what) {
    if (auto r = (*store)->audit(local_user(), action, what.dump(), now); !r) throw std::runtime_error(r.error().message);
  };
  audit(drone::kFlightRegisteredAudit, {{"flight", f.id}, {"reference", a.reference}, {"start", utc_text(c.start_epoch)},
                                         {"minutes", c.minutes}, {"flagged_minutes", c.flagged.size()}});
  for (const auto& m : c.flagged)
    audit(drone::kOutsideAuthorisationAudit, {{"flight", f.id}, {"reference", a.reference},
                                              {"minute", utc_text(m.minute_epoch)},
                                              {"outside_perimeter", m.outside_perimeter},
                                              {"outside_time", m.outside_time}});
  if (auto r = (*store)->set_flight_audited(f.id); !r) throw std::runtime_error(r.error().message);
  return f.id;
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
  const std::string flight = o.store_path.empty() ? "" : register_flight(o, *telemetry, *authorisation, check);
  if (o.json) {
    nlohmann::json out{{"reference", authorisation->reference}, {"start", utc_text(check.start_epoch)},
                       {"end", utc_text(check.end_epoch)}, {"minutes", check.minutes},
                       {"distance_m", check.distance_m}, {"swept_m2", check.swept_m2}, {"flagged", flagged_json(check)}};
    if (!flight.empty()) out["flight"] = flight;
    fmt::print("{}\n", out.dump(2));
  } else {
    fmt::print("flight {} → {}: {} minutes, {:.0f} m flown, {:.0f} m² of ground seen; authorisation {}\n",
               utc_text(check.start_epoch), utc_text(check.end_epoch), check.minutes, check.distance_m, check.swept_m2,
               authorisation->reference);
    for (const auto& m : check.flagged)
      fmt::print("  {} outside the authorisation:{}{}\n", utc_text(m.minute_epoch), m.outside_perimeter ? " perimeter" : "",
                 m.outside_time ? " time" : "");
    if (check.flagged.empty()) fmt::print("  every minute within the perimeter and the time span\n");
    if (!flight.empty()) fmt::print("registered as flight {} in {}\n", flight, events::printable_location(o.store_path));
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
  check->add_option("--store", o->store_path,
                    "Register the flight in this event store (its map, the transparency report); the registration "
                    "and each flagged minute are audited");
  check->add_option("--camera", o->camera, "The drone's camera in the configuration (its alerts are the flight's)");
  check->add_option("--video", o->video, "The flight's recording");
  check->add_option("--audit-key", o->audit_key_path, "The audit log's HMAC key file (default: <store>.audit-key)");
  check->add_flag("--json", o->json, "Print the check as JSON");
  return [o, check]() -> int { return *check ? drone_check(*o) : -1; };
}

}  // namespace vigie::cli
