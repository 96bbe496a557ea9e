// Gathering the transparency report's figures: counts from the store, the config's costs
// and rules, the city figures of `vigie city coverage`.
#include "transparency/transparency.h"

#include "drone/drone.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>

namespace vigie::transparency {

namespace {

constexpr double kHoursPerYear = 8766;  // 365.25 days

}  // namespace

const std::vector<AccessKind>& access_kinds() {
  // The server's route actions (server.cc) and the command line's (src/cli); tests check
  // that every audited route and command is placed here or deliberately left in "other".
  // Retention passes (events::kRetentionAudit), drone minutes flagged
  // (drone::kOutsideAuthorisationAudit) and flights registered (drone::kFlightRegisteredAudit)
  // are counted apart, in their own figures.
  static const std::vector<AccessKind> kinds = {
      {"searches", "Forensic searches of recorded tracks", {"track_search", "tracks.search"}},
      {"exports", "Exports of data (CSV)", {"export"}},
      {"video_exports", "Exports of recorded video for a requisition (masked, or unmasked on an approved request)",
       {events::kRecordingExportAudit}},
      {"recording_views", "Views and downloads of recorded video in the console (masked)",
       {"recording_play", "recording_download"}},
      {"unmasked_requests", "Requests for recorded video without its privacy masks (by supervisors)",
       {events::kUnmaskedRequestAudit}},
      {"unmasked_decisions", "Decisions on those requests (by auditors: approved or refused)",
       {events::kUnmaskedDecisionAudit}},
      {"unmasked_views", "Views of unmasked images", {"unmasked_view"}},
      {"live_views", "Live camera views (once per operator session)", {"live_view", "live_view_full"}},
      {"search_views", "Views of search results (thumbnails)", {"track_thumbnail"}},
      {"alert_views", "Alert reviews and decisions (lists, snapshots, clips)",
       {"alert_list", "alert_view", "snapshot_view", "clip_play", "live_feed", "alerts.list", "action"}},
      {"parking_rounds", "Scancar rounds read (plates checked against the rights registers)", {events::kScancarRoundAudit}},
      {"parking_reviews", "Scancar candidates looked at by a person (queue, photos) or dismissed",
       {"parking_queue_view", "parking_photo_view", events::kParkingDismissAudit}},
      {"parking_notices", "Parking notices issued, each by a person who ticked 'no disability card visible'",
       {events::kParkingNoticeAudit}},
      {"parking_contests", "Parking notices cancelled on a contest (a disability card shown, then registered)",
       {events::kParkingContestAudit}},
      {"parking_photo_deletions", "Passes deleting candidates' photos with no notice (data minimisation)",
       {events::kParkingPhotosAudit}},
  };
  return kinds;
}

std::string access_kind_of(const std::string& action) {
  for (const auto& k : access_kinds())
    if (std::find(k.actions.begin(), k.actions.end(), action) != k.actions.end()) return k.key;
  return "other";
}

bool RetentionFigures::held() const {
  const double limit = limit_days + 1;
  return (!oldest_alert_days || *oldest_alert_days <= limit) && (!oldest_track_days || *oldest_track_days <= limit);
}

Result<CityFigures> read_city_figures(const std::string& dir) {
  const auto path = std::filesystem::path(dir) / "coverage.json";
  std::ifstream in(path);
  if (!in) return Error{fmt::format("{}: cannot be read (write it with vigie city coverage --geojson-dir {})",
                                    path.string(), dir)};
  try {
    const auto j = nlohmann::json::parse(in);
    CityFigures c;
    c.street_km = j.at("street_m").get<double>() / 1000, c.seen_km = j.at("seen_m").get<double>() / 1000;
    c.street_cameras = j.at("street_cameras").get<std::size_t>();
    c.indoor_cameras = j.at("indoor_cameras").get<std::size_t>();
    c.underground_cameras = j.at("underground_cameras").get<std::size_t>();
    for (const auto& k : j.at("by_kind"))
      c.by_kind.push_back({k.at("kind").get<std::string>(), k.at("cameras").get<std::size_t>(),
                           k.at("seen_m").get<double>() / 1000});
    return c;
  } catch (const std::exception& e) {
    return Error{fmt::format("{}: {}", path.string(), e.what())};
  }
}

namespace {

void add_alerts(Figures& f, const std::vector<events::AlertTally>& tallies) {
  std::map<std::pair<std::string, std::string>, RuleMonth> by_rule;
  std::map<std::string, CameraFigures> by_camera;
  for (const auto& t : tallies) {
    auto& r = by_rule[{t.rule, t.month}];
    r.rule = t.rule, r.month = t.month;
    r.alerts += t.alerts, r.confirmed += t.confirmed, r.false_alarms += t.false_alarms, r.open += t.open;
    r.deleted += t.deleted;
    auto& c = by_camera[t.camera];
    c.camera = t.camera;
    c.alerts += t.alerts, c.false_alarms += t.false_alarms;
  }
  for (auto& [key, r] : by_rule) f.alerts.push_back(r);
  for (auto& [name, c] : by_camera) f.cameras.push_back(c);
}

// Rates put alerts over hours of the same period: a store upgraded to schema 8 has alerts
// from before any hour was recorded, and those are left out of them.
void add_hours(Figures& f, const std::vector<events::CameraHours>& hours,
               const std::vector<events::AlertTally>& tallies) {
  for (const auto& h : hours) {
    auto it = std::find_if(f.cameras.begin(), f.cameras.end(), [&](const auto& c) { return c.camera == h.camera; });
    if (it == f.cameras.end()) {
      it = f.cameras.insert(f.cameras.end(), CameraFigures{});
      it->camera = h.camera;
    }
    it->hours = h.hours, it->since_epoch = h.first_epoch;
    const std::string since_month = events::utc_month(h.first_epoch);
    for (const auto& t : tallies)
      if (t.camera == h.camera && t.month >= since_month)
        it->false_alarms_in_hours += t.false_alarms, it->confirmed_in_hours += t.confirmed;
    if (h.hours > 0) it->false_alarms_per_hour = it->false_alarms_in_hours / h.hours;
    f.costs.analysed_hours += h.hours;
    f.costs.confirmed += it->confirmed_in_hours;
  }
  std::sort(f.cameras.begin(), f.cameras.end(), [](const auto& a, const auto& b) { return a.camera < b.camera; });
}

void add_access(Figures& f, const std::vector<events::AuditTally>& tallies) {
  std::map<std::string, AccessMonth> by_month;
  for (const auto& t : tallies) {
    auto& m = by_month[t.month];
    m.month = t.month;
    if (t.action == events::kRetentionAudit) {
      f.retention.runs += t.entries;
      continue;
    }
    if (t.action == drone::kOutsideAuthorisationAudit) {
      f.drone_minutes_flagged += t.entries;
      continue;
    }
    if (t.action == drone::kFlightRegisteredAudit) continue;  // the flights are listed
    m.uses[access_kind_of(t.action)] += t.entries;
  }
  for (auto& [month, m] : by_month) f.access.push_back(std::move(m));
}

void add_costs(Figures& f, const CityConfig& city) {
  auto& c = f.costs;
  c.network_cameras = f.city ? f.city->street_cameras + f.city->underground_cameras : f.analysed_cameras;
  c.install_low_eur = c.network_cameras * city.install_eur_low;
  c.install_high_eur = c.network_cameras * city.install_eur_high;
  c.upkeep_eur_per_year = c.network_cameras * city.upkeep_eur_per_year;
  c.camera_life_years = city.camera_life_years;
  const double install_mid = (city.install_eur_low + city.install_eur_high) / 2;
  const double per_hour = city.upkeep_eur_per_year / kHoursPerYear + install_mid / (city.camera_life_years * kHoursPerYear);
  c.analysed_cost_eur = c.analysed_hours * per_hour;
  if (c.confirmed > 0) c.per_confirmed_alert_eur = c.analysed_cost_eur / c.confirmed;
}

std::vector<Declined> declined_features() {
  return {
      {"Face recognition",
       "Identifying people by their face is biometric identification: not built, and no model for it is shipped."},
      {"Biometric identification of any kind (gait, voice)",
       "Tracks are anonymous: a track id lives for one run of one camera, and searches describe clothing, not people."},
      {"Profiling people from social networks", "vigie reads no social network and links no track to a person."},
  };
}

}  // namespace

Result<Figures> gather(const events::Store& store, const Config& config, const std::string& city_dir,
                       double now_epoch) {
  Figures f;
  f.generated_epoch = now_epoch;
  if (city_dir.empty()) f.city_problem = "no city layers were given (server.city_layers or --city)";
  else if (auto city = read_city_figures(city_dir)) f.city = *city;
  else f.city_problem = city.error().message;
  f.analysed_cameras = streaming_cameras(config);
  for (const auto& [name, cam] : config.cameras)
    for (const auto& r : cam.rules) ++f.rules_by_type[r.type];

  auto alerts = store.alert_tallies();
  if (!alerts) return alerts.error();
  add_alerts(f, *alerts);
  auto hours = store.camera_hours();
  if (!hours) return hours.error();
  add_hours(f, *hours, *alerts);
  auto audit = store.audit_tallies();
  if (!audit) return audit.error();
  add_access(f, *audit);
  auto check = store.verify_audit();
  if (!check) return check.error();
  f.audit = {check->entries, check->ok, check->authenticated, check->ok ? 0 : check->first_bad_id};

  f.retention.limit_days = config.store.retention_days;
  for (const auto& r : f.alerts) f.retention.alerts_deleted += r.deleted;
  auto oldest = store.oldest_kept();
  if (!oldest) return oldest.error();
  if (oldest->alert_epoch) f.retention.oldest_alert_days = (now_epoch - *oldest->alert_epoch) / 86400;
  if (oldest->track_epoch) f.retention.oldest_track_days = (now_epoch - *oldest->track_epoch) / 86400;
  add_costs(f, config.city);
  auto flights = store.flights();
  if (!flights) return flights.error();
  for (const auto& x : *flights)
    f.flights.push_back({x.reference, x.purpose, x.authorised_start, x.authorised_end, x.start_epoch, x.minutes,
                         x.flagged_minutes, x.distance_m, x.swept_m2});
  f.declined = declined_features();
  return f;
}

}  // namespace vigie::transparency
