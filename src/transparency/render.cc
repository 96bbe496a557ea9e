// The transparency report as JSON (for checks and other tools) and as one HTML page, each
// section with the method of its figures.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <ctime>
#include <sstream>

#include "core/html.h"
#include "core/time_text.h"
#include "transparency/transparency.h"

namespace vigie::transparency {

using nlohmann::json;

namespace {

json optional_number(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }

std::string utc_time(double epoch) { return utc_text(epoch, "%Y-%m-%d %H:%M UTC"); }

std::string number(double v, int decimals = 0) { return fmt::format("{:.{}f}", v, decimals); }
// Whole euros in groups of three digits (2 080 000 €); cents below 100 €.
std::string euros(double v) {
  if (std::abs(v) < 100) return fmt::format("{:.2f} €", v);
  std::string digits = fmt::format("{:.0f}", std::abs(v)), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += "\u202f";  // a narrow no-break space
    out += digits[i];
  }
  return (v < 0 ? "-" : "") + out + " €";
}
// Hours with the precision a short run needs.
std::string hours(double h) { return number(h, h < 10 ? 2 : 1); }
std::string maybe(const std::optional<double>& v, int decimals, const char* unit = "") {
  return v ? number(*v, decimals) + unit : "—";
}

}  // namespace

json to_json(const Figures& f) {
  json j = {{"generated_epoch", f.generated_epoch}, {"analysed_cameras", f.analysed_cameras},
            {"rules_by_type", f.rules_by_type}};
  if (f.city) {
    json kinds = json::array();
    for (const auto& k : f.city->by_kind) kinds.push_back({{"kind", k.kind}, {"cameras", k.cameras}, {"seen_km", k.seen_km}});
    j["city"] = {{"street_km", f.city->street_km}, {"seen_km", f.city->seen_km}, {"share", f.city->share()},
                 {"street_cameras", f.city->street_cameras}, {"indoor_cameras", f.city->indoor_cameras},
                 {"underground_cameras", f.city->underground_cameras}, {"by_kind", kinds}};
  } else {
    j["city"] = nullptr;
  }
  j["alerts"] = json::array();
  for (const auto& r : f.alerts)
    j["alerts"].push_back({{"rule", r.rule}, {"month", r.month}, {"alerts", r.alerts}, {"confirmed", r.confirmed},
                           {"false_alarms", r.false_alarms}, {"open", r.open}, {"deleted", r.deleted}});
  j["cameras"] = json::array();
  for (const auto& c : f.cameras)
    j["cameras"].push_back({{"camera", c.camera}, {"hours", c.hours}, {"alerts", c.alerts},
                            {"false_alarms", c.false_alarms}, {"since_epoch", optional_number(c.since_epoch)},
                            {"false_alarms_in_hours", c.false_alarms_in_hours},
                            {"false_alarms_per_hour", optional_number(c.false_alarms_per_hour)}});
  j["access"] = json::array();
  for (const auto& m : f.access) j["access"].push_back({{"month", m.month}, {"uses", m.uses}});
  j["audit"] = {{"entries", f.audit.entries}, {"intact", f.audit.intact}, {"authenticated", f.audit.authenticated},
                {"first_bad_entry", f.audit.first_bad_entry}};
  const auto& r = f.retention;
  j["retention"] = {{"limit_days", r.limit_days}, {"oldest_alert_days", optional_number(r.oldest_alert_days)},
                    {"oldest_track_days", optional_number(r.oldest_track_days)}, {"runs", r.runs},
                    {"alerts_deleted", r.alerts_deleted}, {"held", r.held()}};
  const auto& c = f.costs;
  j["costs"] = {{"network_cameras", c.network_cameras}, {"install_eur_low", c.install_low_eur},
                {"install_eur_high", c.install_high_eur}, {"upkeep_eur_per_year", c.upkeep_eur_per_year},
                {"camera_life_years", c.camera_life_years}, {"analysed_hours", c.analysed_hours},
                {"analysed_cost_eur", c.analysed_cost_eur}, {"confirmed_alerts", c.confirmed},
                {"per_confirmed_alert_eur", optional_number(c.per_confirmed_alert_eur)}};
  j["drone_flights"] = json::array();
  for (const auto& d : f.flights)
    j["drone_flights"].push_back({{"reference", d.reference}, {"purpose", d.purpose},
                                  {"authorised_start_epoch", d.authorised_start},
                                  {"authorised_end_epoch", d.authorised_end}, {"start_epoch", d.start_epoch},
                                  {"minutes", d.minutes}, {"minutes_outside_order", d.flagged_minutes},
                                  {"distance_m", d.distance_m}, {"ground_seen_m2", d.swept_m2}});
  j["drone_minutes_flagged"] = f.drone_minutes_flagged;
  j["declined"] = json::array();
  for (const auto& d : f.declined) j["declined"].push_back({{"feature", d.feature}, {"why", d.why}});
  return j;
}

// The page's only style sheet, inline (the server's Content-Security-Policy allows inline
// styles, not scripts).
const std::string& html_style() {
  static const std::string style =
      "body{font:15px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1000px;padding:0 1em;color:#1d1d1f}"
      "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:3px 9px;text-align:right}"
      "td:first-child,th:first-child{text-align:left}.method{color:#555;font-size:.9em;border-left:3px solid #ccc;"
      "padding-left:.8em}.bad{color:#b00020;font-weight:bold}";
  return style;
}

namespace {

void section_cameras(std::ostringstream& h, const Figures& f) {
  h << "<h2>The cameras</h2>\n";
  if (f.city) {
    const auto& c = *f.city;
    h << fmt::format("<p><b>{}</b> street cameras see <b>{:.1f} %</b> of the {:.1f} km of walkable street "
                     "({:.2f} km). {} indoor and {} underground cameras are not counted as street cameras.</p>\n",
                     c.street_cameras, 100 * c.share(), c.street_km, c.seen_km, c.indoor_cameras,
                     c.underground_cameras);
    h << "<table><tr><th>type</th><th>cameras</th><th>street seen by this type alone</th><th>share</th></tr>\n";
    for (const auto& k : c.by_kind)
      h << fmt::format("<tr><td>{}</td><td>{}</td><td>{:.2f} km</td><td>{:.1f} %</td></tr>\n", html_escape(k.kind),
                       k.cameras, k.seen_km, c.street_km > 0 ? 100 * k.seen_km / c.street_km : 0);
    h << "</table>\n";
  } else {
    h << "<p>No city figures: the coverage of the camera network has not been measured for this report.</p>\n";
  }
  h << fmt::format("<p>{} {} analysed by vigie, with these rules: ", f.analysed_cameras,
                   f.analysed_cameras == 1 ? "camera is" : "cameras are");
  bool first = true;
  for (const auto& [type, n] : f.rules_by_type) h << (first ? "" : ", ") << fmt::format("{} × {}", n, html_escape(type)), first = false;
  h << (first ? "none" : "") << ".</p>\n";
  h << "<p class=method>Method: cameras and streets from OpenStreetMap, each camera's view modelled from its tags "
       "or the documented defaults of its type, walls blocking the view; a street metre is seen when it lies in a "
       "view (<code>vigie city coverage</code>, docs/city.md). Analysed cameras and rules: the configuration.</p>\n";
}

void section_alerts(std::ostringstream& h, const Figures& f) {
  h << "<h2>Alerts and what operators decided</h2>\n<table><tr><th>rule</th><th>month</th><th>alerts</th>"
       "<th>confirmed</th><th>false alarms</th><th>undecided</th><th>share confirmed</th></tr>\n";
  for (const auto& r : f.alerts) {
    const int decided = r.confirmed + r.false_alarms;
    h << fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                     html_escape(r.rule), r.month, r.alerts, r.confirmed, r.false_alarms, r.open,
                     decided ? number(100.0 * r.confirmed / decided, 1) + " %" : "—");
  }
  if (f.alerts.empty()) h << "<tr><td colspan=7>no alert recorded</td></tr>\n";
  h << "</table>\n<table><tr><th>camera</th><th>alerts</th><th>false alarms</th><th>hours analysed</th>"
       "<th>since</th><th>false alarms in those months</th><th>per camera-hour</th></tr>\n";
  for (const auto& c : f.cameras)
    h << fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                     html_escape(c.camera), c.alerts, c.false_alarms, hours(c.hours),
                     c.since_epoch ? utc_time(*c.since_epoch).substr(0, 10) : "—", c.false_alarms_in_hours,
                     maybe(c.false_alarms_per_hour, 3));
  h << "</table>\n<p class=method>Method: every alert a rule raised, by the month (UTC) it began, counted by the "
       "operator's latest decision: acknowledged or dispatched is confirmed, false alarm is not, no decision is "
       "undecided; the share confirmed is of the decided ones. Alerts deleted by retention are still counted (their "
       "counts are kept, nothing else). Hours analysed: the time each camera's video was analysed, recorded every "
       "minute since the date shown (stores before schema 8 have none); false alarms per camera-hour counts the "
       "false alarms of the months from that date on, so that alerts and hours cover the same period.</p>\n";
}

void section_access(std::ostringstream& h, const Figures& f) {
  h << "<h2>Searches, exports and views</h2>\n<table><tr><th>month</th>";
  for (const auto& k : access_kinds()) h << "<th>" << k.label << "</th>";
  h << "<th>other audited uses</th></tr>\n";
  for (const auto& m : f.access) {
    h << "<tr><td>" << m.month << "</td>";
    auto count = [&](const std::string& key) {
      const auto it = m.uses.find(key);
      return it == m.uses.end() ? int64_t{0} : it->second;
    };
    for (const auto& k : access_kinds()) h << "<td>" << count(k.key) << "</td>";
    h << "<td>" << count("other") << "</td></tr>\n";
  }
  if (f.access.empty()) h << "<tr><td colspan=" << access_kinds().size() + 2 << ">nothing audited</td></tr>\n";
  h << "</table>\n";
  h << fmt::format("<p>The audit log holds {} entries; its chain {}.</p>\n", f.audit.entries,
                   !f.audit.intact ? fmt::format("<span class=bad>does not verify from entry {} on</span>",
                                                 f.audit.first_bad_entry)
                   : f.audit.authenticated ? "verifies with its key"
                                           : "is consistent (the key was not at hand to authenticate it)");
  h << "<p class=method>Method: entries of the hash-chained, signed audit log (docs/audit.md), counted by month "
       "and kind; nothing else of an entry is read. Unmasked views are 0 by construction while vigie stores only "
       "masked images. Other uses: logins, statistics, configuration and account changes. Retention passes are "
       "counted under Retention.</p>\n";
}

void section_retention(std::ostringstream& h, const Figures& f) {
  const auto& r = f.retention;
  h << "<h2>Retention</h2>\n";
  h << fmt::format("<p>Limit: {} days. Oldest alert kept: {} days; oldest track: {} days — the limit {}. "
                   "Retention passes that deleted alerts: {}; alerts deleted: {}.</p>\n",
                   number(r.limit_days), maybe(r.oldest_alert_days, 1), maybe(r.oldest_track_days, 1),
                   r.held() ? "is held" : "<span class=bad>is not held</span>", r.runs, r.alerts_deleted);
  h << "<p class=method>Method: the age, at the time of this report, of the oldest alert (by its start) and "
       "track summary (by its end) in the store, which is what retention goes by; it runs hourly: one day of grace. "
       "Each pass that deletes alerts is audited (one per camera on a store shared by several machines).</p>\n";
}

void section_costs(std::ostringstream& h, const Figures& f) {
  const auto& c = f.costs;
  h << "<h2>Costs</h2>\n";
  h << fmt::format("<p>{} cameras: {}–{} to install, {} a year to run.</p>\n", c.network_cameras,
                   euros(c.install_low_eur), euros(c.install_high_eur), euros(c.upkeep_eur_per_year));
  h << fmt::format("<p>The {} camera-hours analysed cost {}; {} alerts were confirmed in those months: <b>{}</b> "
                   "per confirmed alert.</p>\n",
                   hours(c.analysed_hours), euros(c.analysed_cost_eur), c.confirmed,
                   c.per_confirmed_alert_eur ? euros(*c.per_confirmed_alert_eur) : "no confirmed alert yet");
  h << fmt::format("<p class=method>Method: the configured public figures per camera (installation, upkeep a year); "
                   "a camera-hour costs the upkeep of an hour plus the mid installation cost written off over {} "
                   "years; cost per confirmed alert = cost of the hours analysed ÷ confirmed alerts.</p>\n",
                   number(c.camera_life_years));
}

void section_drones_and_declined(std::ostringstream& h, const Figures& f) {
  int minutes = 0;
  for (const auto& d : f.flights) minutes += d.minutes;
  h << fmt::format("<h2>Drone flights</h2>\n<p>{} flights registered with their authorisation, {} minutes flown; "
                   "minutes of flight found outside their authorisation: {}.</p>\n",
                   f.flights.size(), minutes, f.drone_minutes_flagged);
  if (!f.flights.empty()) {
    h << "<table><tr><th>Order</th><th>Purpose</th><th>Authorised</th><th>Flight began</th><th>Minutes</th>"
         "<th>Outside the order</th><th>Flown</th><th>Ground seen</th></tr>\n";
    for (const auto& d : f.flights)
      h << fmt::format("<tr><td>{}</td><td>{}</td><td>{} to {}</td><td>{}</td><td>{}</td><td>{}</td><td>{} m</td>"
                       "<td>{} ha</td></tr>\n",
                       html_escape(d.reference), html_escape(d.purpose), utc_time(d.authorised_start),
                       utc_time(d.authorised_end), utc_time(d.start_epoch), d.minutes, d.flagged_minutes,
                       number(d.distance_m), number(d.swept_m2 / 1e4, 1));
    h << "</table>\n";
  }
  h << "<p class=method>Method: each flight is registered by <code>vigie drone check --store</code> with its "
       "prefectoral order (reference, purpose, perimeter, time span), a public act; each minute of flight outside "
       "the order's perimeter or time span is written to the audit log, and those entries are counted here. The "
       "ground seen is the union of the camera's footprints on flat ground, one a second (docs/drones.md).</p>\n";
  h << "<h2>What vigie does not do</h2>\n<ul>\n";
  for (const auto& d : f.declined) h << "<li><b>" << html_escape(d.feature) << "</b>: " << html_escape(d.why) << "</li>\n";
  h << "</ul>\n";
}

}  // namespace

std::string to_html(const Figures& f) {
  std::ostringstream h;
  h << "<!doctype html>\n<html lang=en><head><meta charset=utf-8><meta name=viewport "
       "content='width=device-width,initial-scale=1'><title>vigie — transparency report</title><style>"
    << html_style() << "</style></head><body>\n";
  h << "<h1>Video protection: transparency report</h1>\n<p>As of " << utc_time(f.generated_epoch)
    << ". Counts only: no image, plate, name or search reason is in this report.</p>\n";
  section_cameras(h, f);
  section_alerts(h, f);
  section_access(h, f);
  section_retention(h, f);
  section_costs(h, f);
  section_drones_and_declined(h, f);
  h << "</body></html>\n";
  return h.str();
}

}  // namespace vigie::transparency
