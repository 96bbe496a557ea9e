#include "transparency/transparency.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>

#include "core/test_data.h"
#include "drone/drone.h"

namespace vigie::transparency {
namespace {

namespace fs = std::filesystem;
constexpr double kJan = 1767225600;  // 2026-01-01T00:00Z
constexpr double kDay = 86400;

rules::AlertEvent start(const std::string& id, const std::string& camera, const std::string& rule, double epoch) {
  rules::AlertEvent e;
  e.phase = rules::Phase::kStart;
  e.alert_id = id, e.camera = camera, e.rule = rule, e.rule_type = "loitering", e.where = "yard";
  e.track_ids = {41, 42};
  e.epoch_s = epoch, e.peak = 1;
  return e;
}

Config site() {
  Config c;
  auto& gare = c.cameras["gare"];
  gare.name = "gare";
  gare.rules.resize(2);
  gare.rules[0].type = "loitering";
  gare.rules[1].type = "line_crossing";
  auto& port = c.cameras["port"];
  port.name = "port";
  port.rules.resize(1);
  port.rules[0].type = "loitering";
  c.store.retention_days = 30;
  c.city.install_eur_low = 20000, c.city.install_eur_high = 30000, c.city.upkeep_eur_per_year = 8766;
  c.city.camera_life_years = 5;
  return c;
}

// A store as a month and a half of a site leaves it: alerts decided and not, retention
// run once, two cameras analysed, searches and exports audited with names and reasons.
struct Site {
  // A folder per test: ctest runs the tests of this file side by side.
  fs::path dir = testing::fresh_temp_dir(std::string("transparency_") +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::unique_ptr<events::Store> store;
  Site() {
    store = std::move(events::Store::open((dir / "v.db").string()).value());
    EXPECT_TRUE(store->record(start("jan-1", "gare", "loitering:yard", kJan + 1 * kDay)));
    EXPECT_TRUE(store->record(start("jan-2", "gare", "loitering:yard", kJan + 2 * kDay)));
    EXPECT_TRUE(store->record(start("jan-3", "port", "loitering:yard", kJan + 3 * kDay)));
    EXPECT_TRUE(store->record(start("feb-1", "gare", "loitering:yard", kJan + 33 * kDay)));
    EXPECT_TRUE(store->record(start("feb-2", "gare", "door", kJan + 34 * kDay)));
    EXPECT_TRUE(store->record_action("jan-1", "dispatch", "team 4 to the platform", "alice", kJan + kDay));
    EXPECT_TRUE(store->record_action("jan-2", "false_alarm", "", "alice", kJan + 2 * kDay));
    EXPECT_TRUE(store->record_action("feb-1", "acknowledge", "", "bob", kJan + 33 * kDay));
    EXPECT_TRUE(store->record_action("feb-2", "false_alarm", "", "bob", kJan + 34 * kDay));
    EXPECT_TRUE(store->record_run("gare", "run-gare-1", kJan, kJan + 10 * 3600));
    EXPECT_TRUE(store->record_run("port", "run-port-2", kJan, kJan + 4 * 3600));
    EXPECT_TRUE(store->audit("alice", "track_search", R"({"reason":"case-2026-117 red jacket"})", kJan + kDay));
    EXPECT_TRUE(store->audit("bob", "tracks.search", R"({"reason":"case-2026-118"})", kJan + 33 * kDay));
    EXPECT_TRUE(store->audit("bob", "export", "{}", kJan + 34 * kDay));
    EXPECT_TRUE(store->audit("alice", "login", "{}", kJan + 34 * kDay));
    EXPECT_TRUE(store->audit("alice", drone::kOutsideAuthorisationAudit, R"({"reference":"PP-7"})", kJan + 34 * kDay));
    EXPECT_TRUE(store->audit("alice", drone::kFlightRegisteredAudit, R"({"reference":"PP-7"})", kJan + 34 * kDay));
    events::FlightRow flight;
    flight.camera = "drone-1", flight.reference = "PP-7", flight.purpose = "marché de Noël";
    flight.perimeter = "{}", flight.flagged = "[]", flight.geojson = "{}", flight.video = "/srv/flight-7.mp4";
    flight.authorised_start = kJan + 34 * kDay, flight.authorised_end = flight.authorised_start + 3600;
    flight.start_epoch = flight.authorised_start + 60, flight.end_epoch = flight.start_epoch + 1200;
    flight.minutes = 21, flight.flagged_minutes = 1, flight.distance_m = 2500, flight.swept_m2 = 125000;
    EXPECT_TRUE(store->record_flight(flight));
    // January's alerts go (40 days later).
    EXPECT_EQ(store->apply_retention(kJan + 40 * kDay, 30).alerts_deleted, 3);
    EXPECT_TRUE(store->audit(events::kRetentionAudit, events::kRetentionAudit, "{}", kJan + 40 * kDay));
  }
};

TEST(Transparency, CountsAlertsDecisionsHoursAndUsesOfTheStore) {
  Site s;
  const auto f = gather(*s.store, site(), "", kJan + 40 * kDay);
  ASSERT_TRUE(f) << f.error().message;
  // Alerts by rule and month, January's from the tallies retention left.
  ASSERT_EQ(f->alerts.size(), 3u);
  const auto& door = f->alerts[0];
  EXPECT_EQ(door.rule, "door");
  EXPECT_EQ(door.false_alarms, 1);
  const auto& jan = f->alerts[1];
  EXPECT_EQ(jan.month, "2026-01");
  EXPECT_EQ(jan.alerts, 3);
  EXPECT_EQ(jan.confirmed, 1);
  EXPECT_EQ(jan.false_alarms, 1);
  EXPECT_EQ(jan.open, 1);
  EXPECT_EQ(jan.deleted, 3);
  EXPECT_EQ(f->alerts[2].month, "2026-02");
  EXPECT_EQ(f->alerts[2].confirmed, 1);
  // False alarms per camera-hour: gare 2 in 10 h, port none in 4 h.
  ASSERT_EQ(f->cameras.size(), 2u);
  EXPECT_EQ(f->cameras[0].camera, "gare");
  EXPECT_DOUBLE_EQ(*f->cameras[0].false_alarms_per_hour, 0.2);
  EXPECT_DOUBLE_EQ(*f->cameras[1].false_alarms_per_hour, 0);
  // Uses by month and kind.
  ASSERT_EQ(f->access.size(), 2u);
  EXPECT_EQ(f->access[0].uses.at("searches"), 1);
  EXPECT_EQ(f->access[1].uses.at("searches"), 1);
  EXPECT_EQ(f->access[1].uses.at("exports"), 1);
  EXPECT_EQ(f->access[1].uses.at("other"), 1);  // the login
  EXPECT_EQ(f->retention.runs, 1);
  EXPECT_EQ(f->drone_minutes_flagged, 1);  // counted apart, not among the "other" uses
  ASSERT_EQ(f->flights.size(), 1u);          // nor is the flight's registration
  EXPECT_EQ(f->flights[0].reference, "PP-7");
  EXPECT_EQ(f->flights[0].minutes, 21);
  EXPECT_EQ(f->flights[0].flagged_minutes, 1);
  EXPECT_DOUBLE_EQ(f->flights[0].swept_m2, 125000);
  EXPECT_EQ(f->retention.alerts_deleted, 3);
  EXPECT_TRUE(f->audit.intact);
  EXPECT_TRUE(f->audit.authenticated);
  // Costs: 14 camera-hours at 1 €/h upkeep + 25,000 € over 5 years (0.5703… €/h); 2 confirmed.
  EXPECT_NEAR(f->costs.analysed_cost_eur, 14 * (1 + 25000 / (5 * 8766.0)), 1e-6);
  EXPECT_EQ(f->costs.confirmed, 2);
  EXPECT_NEAR(*f->costs.per_confirmed_alert_eur, f->costs.analysed_cost_eur / 2, 1e-9);
  EXPECT_EQ(f->costs.network_cameras, 2u);  // no city figures: the analysed cameras
  EXPECT_EQ(f->rules_by_type.at("loitering"), 2);
}

TEST(Transparency, RetentionIsShownHeldOrNot) {
  Site s;
  auto f = gather(*s.store, site(), "", kJan + 40 * kDay);
  ASSERT_TRUE(f);
  EXPECT_NEAR(*f->retention.oldest_alert_days, 40 - 33, 1e-9);
  EXPECT_TRUE(f->retention.held());
  // A store left alone for two months: what it keeps is older than the limit.
  f = gather(*s.store, site(), "", kJan + 100 * kDay);
  EXPECT_FALSE(f->retention.held());
  EXPECT_NE(to_html(*f).find("is not held"), std::string::npos);
}

TEST(Transparency, TheReportHoldsNoNameReasonNoteOrId) {
  Site s;
  Config c = site();
  const std::string evil = "<script>alert(1)</script>";
  c.cameras[evil].rules = c.cameras["port"].rules;
  ASSERT_TRUE(s.store->record_run(evil, "r3", kJan, kJan + 3600));
  const auto f = gather(*s.store, c, "", kJan + 40 * kDay);
  ASSERT_TRUE(f);
  const std::string html = to_html(*f), json = to_json(*f).dump();
  for (const char* personal : {"alice", "bob", "case-2026", "red jacket", "team 4", "feb-1", "jan-1", "run-gare-1",
                               "/srv/flight-7.mp4"}) {
    EXPECT_EQ(html.find(personal), std::string::npos) << personal;
    EXPECT_EQ(json.find(personal), std::string::npos) << personal;
  }
  EXPECT_EQ(html.find("<script>"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;"), std::string::npos);
  // The flight's order, a public act, is shown.
  EXPECT_NE(html.find("PP-7</td><td>marché de Noël"), std::string::npos);
}

TEST(Transparency, CityFiguresComeFromCoverageJsonAndABadOneIsNamed) {
  Site s;
  const auto dir = s.dir / "city";
  fs::create_directories(dir);
  std::ofstream(dir / "coverage.json") << R"({"street_m": 10000, "seen_m": 2500, "street_cameras": 12,
    "indoor_cameras": 3, "underground_cameras": 1,
    "by_kind": [{"kind": "fixed", "cameras": 10, "seen_m": 1500}, {"kind": "dome", "cameras": 2, "seen_m": 1200}]})";
  auto f = gather(*s.store, site(), dir.string(), kJan + 40 * kDay);
  ASSERT_TRUE(f);
  ASSERT_TRUE(f->city);
  EXPECT_DOUBLE_EQ(f->city->share(), 0.25);
  EXPECT_EQ(f->city->by_kind[1].kind, "dome");
  EXPECT_EQ(f->costs.network_cameras, 13u);  // street and underground, as `vigie city` prices them
  EXPECT_DOUBLE_EQ(f->costs.upkeep_eur_per_year, 13 * 8766.0);
  std::ofstream(dir / "coverage.json") << R"({"street_m": "far"})";
  f = gather(*s.store, site(), dir.string(), kJan + 40 * kDay);
  ASSERT_TRUE(f);
  EXPECT_FALSE(f->city);
  EXPECT_NE(f->city_problem.find("coverage.json"), std::string::npos) << f->city_problem;
}

// The command line's audit actions (src/cli); the server's routes are checked against
// the route table in server_test.
TEST(Transparency, AuditActionsFallInTheirKinds) {
  EXPECT_EQ(access_kind_of("track_search"), "searches");
  EXPECT_EQ(access_kind_of("tracks.search"), "searches");
  EXPECT_EQ(access_kind_of("alerts.list"), "alert_views");
  EXPECT_EQ(access_kind_of("export"), "exports");
  EXPECT_EQ(access_kind_of("recording.export"), "video_exports");
  EXPECT_EQ(access_kind_of("live_view_full"), "live_views");
  EXPECT_EQ(access_kind_of("track_thumbnail"), "search_views");
  for (const char* other : {"login", "stats.counts", "stats.heatmap", "user.add"})
    EXPECT_EQ(access_kind_of(other), "other") << other;
}

// A store upgraded to schema 8 has alerts from before any hour was recorded: rates put
// alerts over the hours of the same months only.
TEST(Transparency, RatesCountOnlyTheMonthsHoursWereRecordedIn) {
  const auto dir = testing::fresh_temp_dir("transparency_rates");
  auto store = std::move(events::Store::open((dir / "v.db").string()).value());
  ASSERT_TRUE(store->record(start("old", "gare", "loitering:yard", kJan - 40 * kDay)));  // November
  ASSERT_TRUE(store->record(start("new", "gare", "loitering:yard", kJan + 2 * kDay)));
  ASSERT_TRUE(store->record_action("old", "false_alarm", "", "op", kJan - 40 * kDay));
  ASSERT_TRUE(store->record_action("new", "false_alarm", "", "op", kJan + 2 * kDay));
  ASSERT_TRUE(store->record_run("gare", "run-1", kJan + kDay, kJan + kDay + 4 * 3600));
  const auto f = gather(*store, site(), "", kJan + 3 * kDay);
  ASSERT_TRUE(f);
  ASSERT_EQ(f->cameras.size(), 1u);
  EXPECT_EQ(f->cameras[0].false_alarms, 2);
  EXPECT_EQ(f->cameras[0].false_alarms_in_hours, 1);
  EXPECT_DOUBLE_EQ(*f->cameras[0].false_alarms_per_hour, 0.25);
  EXPECT_FALSE(f->costs.per_confirmed_alert_eur);  // nothing confirmed
  EXPECT_NE(to_html(*f).find("no confirmed alert yet"), std::string::npos);
}

}  // namespace
}  // namespace vigie::transparency
