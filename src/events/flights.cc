// Drone flights as registered with their authorisation (schema 9): what `vigie drone
// check --store` writes, what the console's map and the transparency report read.
#include <fmt/format.h>

#include "core/ids.h"
#include "events/database.h"
#include "events/store.h"

namespace vigie::events {
namespace {

// The columns every read takes, in FlightRow's order; the GeoJSON last (lists leave it).
constexpr const char* kFlightColumns =
    "id, camera, reference, purpose, perimeter, authorised_start, authorised_end, start_epoch, end_epoch, minutes, "
    "flagged, flagged_minutes, distance_m, swept_m2, video, registered_epoch, audited";

FlightRow flight_of(const Query& q, bool with_geojson) {
  FlightRow f;
  f.id = q.text(0), f.camera = q.text(1), f.reference = q.text(2), f.purpose = q.text(3), f.perimeter = q.text(4);
  f.authorised_start = q.real(5), f.authorised_end = q.real(6), f.start_epoch = q.real(7), f.end_epoch = q.real(8);
  f.minutes = static_cast<int>(q.integer(9)), f.flagged = q.text(10);
  f.flagged_minutes = static_cast<int>(q.integer(11));
  f.distance_m = q.real(12), f.swept_m2 = q.real(13), f.video = q.text(14), f.registered_epoch = q.real(15);
  f.audited = q.integer(16) != 0;
  if (with_geojson) f.geojson = q.text(17);
  return f;
}

}  // namespace

Result<bool> Store::record_flight(FlightRow& f) {
  f.id = UuidV7().next();
  auto s = db_->query(fmt::format(
      "INSERT INTO drone_flights ({}, geojson) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
      "?15, ?16, 0, ?17) ON CONFLICT (reference, start_epoch) DO NOTHING",
      kFlightColumns));
  s->bind(1, f.id).bind(2, f.camera).bind(3, f.reference).bind(4, f.purpose).bind(5, f.perimeter);
  s->bind(6, f.authorised_start).bind(7, f.authorised_end).bind(8, f.start_epoch).bind(9, f.end_epoch);
  s->bind(10, f.minutes).bind(11, f.flagged).bind(12, f.flagged_minutes).bind(13, f.distance_m);
  s->bind(14, f.swept_m2).bind(15, f.video).bind(16, f.registered_epoch).bind(17, f.geojson);
  if (s->step() != Step::kDone) return sql_error(*s);
  f.audited = false;
  if (s->changes() > 0) return true;
  // Checked again: what it lacked (its camera, its video) may be given now.
  auto fill = db_->query(
      "UPDATE drone_flights SET camera = CASE WHEN camera = '' THEN ?3 ELSE camera END, "
      "video = CASE WHEN video = '' THEN ?4 ELSE video END WHERE reference = ?1 AND start_epoch = ?2");
  fill->bind(1, f.reference).bind(2, f.start_epoch).bind(3, f.camera).bind(4, f.video);
  if (fill->step() != Step::kDone) return sql_error(*fill);
  auto same = db_->query("SELECT id, audited FROM drone_flights WHERE reference = ?1 AND start_epoch = ?2");
  same->bind(1, f.reference).bind(2, f.start_epoch);
  if (same->step() != Step::kRow) return sql_error(*same);
  f.id = same->text(0);
  f.audited = same->integer(1) != 0;
  return false;
}

Result<Ok> Store::set_flight_audited(const std::string& id) {
  auto s = db_->query("UPDATE drone_flights SET audited = 1 WHERE id = ?1");
  s->bind(1, id);
  if (s->step() != Step::kDone) return sql_error(*s);
  return Ok{};
}

Result<std::vector<FlightRow>> Store::flights(int limit) const {
  auto s = db_->query(
      fmt::format("SELECT {} FROM drone_flights ORDER BY start_epoch DESC, id LIMIT ?1", kFlightColumns));
  s->bind(1, limit);
  std::vector<FlightRow> rows;
  Step step;
  while ((step = s->step()) == Step::kRow) rows.push_back(flight_of(*s, false));
  if (step == Step::kError) return sql_error(*s);
  return rows;
}

Result<std::optional<FlightRow>> Store::flight(const std::string& id) const {
  if (!db_->text_holds_nul() && id.find('\0') != std::string::npos) return std::optional<FlightRow>{};
  auto s = db_->query(fmt::format("SELECT {}, geojson FROM drone_flights WHERE id = ?1", kFlightColumns));
  s->bind(1, id);
  switch (s->step()) {
    case Step::kRow: return std::optional<FlightRow>(flight_of(*s, true));
    case Step::kDone: return std::optional<FlightRow>{};
    case Step::kError: break;
  }
  return sql_error(*s);
}

}  // namespace vigie::events
