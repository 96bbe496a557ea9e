// The transparency report on the demo's store (vtest.avi analysed with
// examples/pets09/site.yaml, as `make demo` does, and the Munich coverage), every figure
// checked against a count written here in SQL, independently of vigie's code, and the
// report checked for the absence of names, reasons and notes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cmath>
#include <map>
#include <iostream>
#include <sstream>

#include "core/test_data.h"
#include "run.h"

namespace vigie::testing {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

// Rows of an SQL query on the SQLite store, each split at '|'.
std::vector<std::vector<std::string>> sql(const fs::path& db, const std::string& query) {
  const auto r = run("sqlite3 " + db.string() + " \"" + query + "\"");
  EXPECT_EQ(r.code, 0) << r.err;
  std::vector<std::vector<std::string>> rows;
  std::stringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) {
    std::vector<std::string> cells;
    std::stringstream parts(line);
    for (std::string cell; std::getline(parts, cell, '|');) cells.push_back(cell);
    rows.push_back(cells);
  }
  return rows;
}

double number(const std::string& text) { return std::stod(text); }

class DemoStore : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!fs::exists(vtest_avi())) return;
    dir_ = fresh_temp_dir("transparency_demo");
    // The demo's second run: the PETS09 camera with one rule of each kind.
    const std::string user = "USER=inspector-zoe ";
    const auto a = run("cd " + dir_.string() + " && " + user + vigie_bin() + " analyze --quiet --config " +
                       std::string(VIGIE_SOURCE_DIR) + "/examples/pets09/site.yaml --store vigie.db");
    ASSERT_EQ(a.code, 0) << a.err;
    db_ = dir_ / "vigie.db";
    // Operators decide three alerts; one first called a false alarm is acknowledged later
    // (the latest decision counts).
    const auto ids = sql(db_, "SELECT id FROM alerts ORDER BY start_epoch LIMIT 3");
    ASSERT_EQ(ids.size(), 3u);
    const char* decisions[][2] = {{"false_alarm", "a shadow"}, {"dispatch", "team 7 sent"}, {"false_alarm", ""}};
    for (size_t i = 0; i < 3; ++i)
      sql(db_, "INSERT INTO operator_actions (alert_id, action, note, user, at_epoch) VALUES ('" + ids[i][0] + "', '" +
                   decisions[i][0] + "', '" + decisions[i][1] + "', 'operator-yann', 1796170000)");
    sql(db_, "INSERT INTO operator_actions (alert_id, action, note, user, at_epoch) VALUES ('" + ids[0][0] +
                 "', 'acknowledge', 'on second look', 'operator-yann', 1796170100)");
    // Audited uses: a forensic search with its case reference, alert lists, statistics.
    const std::string store = " --store " + db_.string();
    ASSERT_EQ(run(user + vigie_bin() + " search --reason case-2026-0042 --upper red" + store).code, 0);
    ASSERT_EQ(run(user + vigie_bin() + " alerts list" + store).code, 0);
    ASSERT_EQ(run(user + vigie_bin() + " alerts list --limit 2" + store).code, 0);
    ASSERT_EQ(run(user + vigie_bin() + " stats counts" + store).code, 0);
    // A drone flight registered as `make demo` does (it leaves its order: exit 1).
    const auto flight = dir_ / "flight";
    ASSERT_EQ(run(std::string(VIGIE_SOURCE_DIR) + "/scripts/make-flight " + flight.string()).code, 0);
    const auto d = run(user + vigie_bin() + " drone check --telemetry " + (flight / "flight.csv").string() +
                       " --authorisation " + (flight / "authorisation.json").string() + " --camera drone-1" + store);
    ASSERT_EQ(d.code, 1) << d.err;
    const std::string munich = shared_file("osm/munich/munchen_altstadt_2020-07-20.osm.pbf");
    if (fs::exists(munich)) {
      const auto c = run(vigie_bin() + " city coverage --quiet --json --osm " + munich + " --geojson-dir " +
                         (dir_ / "city").string());
      ASSERT_EQ(c.code, 0) << c.err;
      coverage_ = json::parse(c.out);
    }
    const auto t = run(vigie_bin() + " transparency --config " + std::string(VIGIE_SOURCE_DIR) +
                       "/examples/pets09/site.yaml" + store + " --out " + (dir_ / "report.html").string() +
                       " --json " + (dir_ / "report.json").string() +
                       (coverage_.is_null() ? "" : " --city " + (dir_ / "city").string()));
    ASSERT_EQ(t.code, 0) << t.err;
    report_ = json::parse(slurp(dir_ / "report.json"));
    html_ = slurp(dir_ / "report.html");
  }

  void SetUp() override {
    VIGIE_REQUIRE_FILE(vtest_avi(), "vtest.avi (Debian package opencv-doc)");
    ASSERT_FALSE(report_.is_null()) << "the demo store or its report could not be made (see above)";
  }

  void alertsByRuleAndMonthMatchACountInSql();
  void cameraHoursAndFalseAlarmsPerHourMatchSql();
  void usesByMonthAndKindMatchTheAuditLogInSql();
  void retentionAndCityFiguresMatchTheirSources();
  void theReportHoldsNoNameReasonOrNote();
  void droneFlightsMatchSql();
  static inline fs::path dir_, db_;
  static inline json report_, coverage_;
  static inline std::string html_;
};

void DemoStore::alertsByRuleAndMonthMatchACountInSql() {
  const auto rows = sql(db_,
                        "SELECT rule, strftime('%Y-%m', start_epoch, 'unixepoch'), COUNT(*), "
                        "COALESCE(SUM(last IN ('acknowledge', 'dispatch')), 0), COALESCE(SUM(last = 'false_alarm'), 0), "
                        "SUM(last IS NULL) "
                        "FROM (SELECT rule, start_epoch, (SELECT action FROM operator_actions o WHERE o.alert_id = "
                        "a.id ORDER BY o.id DESC LIMIT 1) AS last FROM alerts a) GROUP BY 1, 2 ORDER BY 1, 2");
  ASSERT_GE(rows.size(), 3u);  // the demo raises alerts of several rules
  ASSERT_EQ(report_["alerts"].size(), rows.size());
  int confirmed = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    const auto& r = report_["alerts"][i];
    EXPECT_EQ(r["rule"], rows[i][0]);
    EXPECT_EQ(r["month"], rows[i][1]);
    EXPECT_EQ(r["alerts"], std::stoi(rows[i][2])) << rows[i][0];
    EXPECT_EQ(r["confirmed"], std::stoi(rows[i][3])) << rows[i][0];
    EXPECT_EQ(r["false_alarms"], std::stoi(rows[i][4])) << rows[i][0];
    EXPECT_EQ(r["open"], std::stoi(rows[i][5])) << rows[i][0];
    EXPECT_THAT(html_, HasSubstr("<td>" + rows[i][0] + "</td><td>" + rows[i][1] + "</td><td>" + rows[i][2] + "</td>"));
    confirmed += std::stoi(rows[i][3]);
  }
  EXPECT_EQ(confirmed, 2);  // acknowledged after a false alarm, and dispatched
  EXPECT_EQ(report_["costs"]["confirmed_alerts"], confirmed);
}

void DemoStore::cameraHoursAndFalseAlarmsPerHourMatchSql() {
  const auto rows = sql(db_,
                        "SELECT r.camera, SUM(r.last_epoch - r.start_epoch) / 3600.0, (SELECT COUNT(*) FROM alerts a "
                        "WHERE a.camera = r.camera AND (SELECT action FROM operator_actions o WHERE o.alert_id = a.id "
                        "ORDER BY o.id DESC LIMIT 1) = 'false_alarm') FROM camera_runs r GROUP BY r.camera");
  ASSERT_EQ(rows.size(), 1u);
  ASSERT_EQ(report_["cameras"].size(), 1u);
  const auto& c = report_["cameras"][0];
  EXPECT_EQ(c["camera"], rows[0][0]);
  const double hours = number(rows[0][1]);
  EXPECT_NEAR(hours * 3600, 79.4, 1.0);  // vtest.avi: 795 frames at 10 fps, first to last
  EXPECT_NEAR(c["hours"].get<double>(), hours, 1e-9);
  EXPECT_EQ(c["false_alarms"], std::stoi(rows[0][2]));
  EXPECT_EQ(c["false_alarms"], 1);
  EXPECT_NEAR(c["false_alarms_per_hour"].get<double>(), std::stoi(rows[0][2]) / hours, 1e-6);
  // Cost of those hours at the default figures: 4,600 € a year, 22,500 € over 8 years.
  const double cost = hours * (4600 / 8766.0 + 22500 / (8 * 8766.0));
  EXPECT_NEAR(report_["costs"]["analysed_cost_eur"].get<double>(), cost, 1e-6);
  EXPECT_NEAR(report_["costs"]["per_confirmed_alert_eur"].get<double>(), cost / 2, 1e-6);
}

void DemoStore::usesByMonthAndKindMatchTheAuditLogInSql() {
  const auto rows = sql(db_,
                        "SELECT strftime('%Y-%m', at_epoch, 'unixepoch'), CASE "
                        "WHEN action IN ('track_search', 'tracks.search') THEN 'searches' "
                        "WHEN action = 'export' THEN 'exports' "
                        "WHEN action = 'track_thumbnail' THEN 'search_views' "
                        "WHEN action IN ('alert_list', 'alert_view', 'snapshot_view', 'clip_play', 'live_feed', "
                        "'alerts.list', 'action') THEN 'alert_views' "
                        "ELSE 'other' END, COUNT(*) FROM audit_log "
                        // counted apart: retention passes, and drone flights with their minutes flagged
                        "WHERE action NOT IN ('retention', 'drone_flight', 'drone_outside_authorisation') "
                        "GROUP BY 1, 2");
  std::map<std::pair<std::string, std::string>, int> expected, got;
  for (const auto& r : rows) expected[{r[0], r[1]}] = std::stoi(r[2]);
  for (const auto& m : report_["access"])
    for (const auto& [kind, n] : m["uses"].items()) got[{m["month"], kind}] = n.get<int>();
  EXPECT_EQ(got, expected);
  int searches = 0, alert_views = 0;
  for (const auto& [key, n] : got) searches += key.second == "searches" ? n : 0, alert_views += key.second == "alert_views" ? n : 0;
  EXPECT_EQ(searches, 1);
  EXPECT_EQ(alert_views, 2);
  EXPECT_EQ(report_["audit"]["entries"], std::stoi(sql(db_, "SELECT COUNT(*) FROM audit_log")[0][0]));
  EXPECT_TRUE(report_["audit"]["intact"].get<bool>());
}

void DemoStore::retentionAndCityFiguresMatchTheirSources() {
  const double oldest = number(sql(db_, "SELECT MIN(start_epoch) FROM alerts")[0][0]);
  EXPECT_NEAR(report_["retention"]["oldest_alert_days"].get<double>(),
              (report_["generated_epoch"].get<double>() - oldest) / 86400, 1e-6);
  EXPECT_EQ(report_["retention"]["limit_days"], 30);
  EXPECT_TRUE(report_["retention"]["held"].get<bool>());
  if (coverage_.is_null()) {
    std::cout << "skipped the city part: ../shared/data/osm/munich is absent\n";
    return;
  }
  const auto& city = report_["city"];
  EXPECT_NEAR(city["street_km"].get<double>(), coverage_["street_m"].get<double>() / 1000, 1e-9);
  EXPECT_NEAR(city["share"].get<double>(), coverage_["share"].get<double>(), 1e-9);
  EXPECT_EQ(city["street_cameras"], coverage_["street_cameras"]);
  size_t by_kind = 0;
  for (const auto& k : city["by_kind"]) by_kind += k["cameras"].get<size_t>();
  EXPECT_EQ(by_kind, coverage_["street_cameras"].get<size_t>());  // every street camera has a type
  EXPECT_EQ(report_["costs"]["network_cameras"],
            coverage_["street_cameras"].get<size_t>() + coverage_["underground_cameras"].get<size_t>());
}

void DemoStore::droneFlightsMatchSql() {
  const auto rows = sql(db_, "SELECT reference, purpose, start_epoch, minutes, flagged_minutes, swept_m2 FROM drone_flights");
  ASSERT_EQ(report_["drone_flights"].size(), rows.size());
  ASSERT_EQ(rows.size(), 1u);
  const auto& f = report_["drone_flights"][0];
  EXPECT_EQ(f["reference"], rows[0][0]);
  EXPECT_EQ(f["purpose"], rows[0][1]);
  EXPECT_NEAR(f["start_epoch"].get<double>(), number(rows[0][2]), 1e-6);
  EXPECT_EQ(f["minutes"], std::stoi(rows[0][3]));
  EXPECT_EQ(f["minutes_outside_order"], std::stoi(rows[0][4]));
  EXPECT_NEAR(f["ground_seen_m2"].get<double>(), number(rows[0][5]), 1e-3);
  EXPECT_EQ(report_["drone_minutes_flagged"],
            std::stoi(sql(db_, "SELECT COUNT(*) FROM audit_log WHERE action = 'drone_outside_authorisation'")[0][0]));
  EXPECT_EQ(report_["drone_minutes_flagged"], 2);
}

void DemoStore::theReportHoldsNoNameReasonOrNote() {
  const std::string figures = report_.dump();
  for (const char* personal : {"inspector-zoe", "operator-yann", "case-2026-0042", "a shadow", "team 7", "second look"}) {
    EXPECT_THAT(html_, Not(HasSubstr(personal))) << personal;
    EXPECT_THAT(figures, Not(HasSubstr(personal))) << personal;
  }
  // Nor a track's or an alert's identity: no run id, no image.
  const auto run_id = sql(db_, "SELECT run_id FROM camera_runs")[0][0];
  EXPECT_THAT(html_, Not(HasSubstr(run_id)));
  EXPECT_THAT(html_, Not(HasSubstr("<img")));
  EXPECT_THAT(html_, Not(HasSubstr(".jpg")));
}

// One test, one analysis of the demo footage (ctest runs each test in a process of its own).
TEST_F(DemoStore, TheReportMatchesSqlFigureByFigure) {
  {
    SCOPED_TRACE("AlertsByRuleAndMonthMatchACountInSql");
    alertsByRuleAndMonthMatchACountInSql();
  }
  {
    SCOPED_TRACE("CameraHoursAndFalseAlarmsPerHourMatchSql");
    cameraHoursAndFalseAlarmsPerHourMatchSql();
  }
  {
    SCOPED_TRACE("UsesByMonthAndKindMatchTheAuditLogInSql");
    usesByMonthAndKindMatchTheAuditLogInSql();
  }
  {
    SCOPED_TRACE("DroneFlightsMatchSql");
    droneFlightsMatchSql();
  }
  {
    SCOPED_TRACE("RetentionAndCityFiguresMatchTheirSources");
    retentionAndCityFiguresMatchTheirSources();
  }
  {
    SCOPED_TRACE("TheReportHoldsNoNameReasonOrNote");
    theReportHoldsNoNameReasonOrNote();
  }
}






TEST(Transparency, BadInputIsExit2WithTheCause) {
  const auto dir = fresh_temp_dir("transparency_bad");
  std::ofstream(dir / "site.yaml") << "store: { path: " << (dir / "absent.db").string() << " }\n";
  auto r = run(vigie_bin() + " transparency --config " + (dir / "site.yaml").string() + " --out " +
               (dir / "r.html").string());
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("no event store at"));
  ASSERT_EQ(run(vigie_bin() + " user list --store " + (dir / "s.db").string()).code, 0);  // creates the store
  std::ofstream(dir / "coverage.json") << "{\"street_m\": ";
  r = run(vigie_bin() + " transparency --config " + (dir / "site.yaml").string() + " --store " +
          (dir / "s.db").string() + " --city " + dir.string() + " --out " + (dir / "r.html").string());
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("coverage.json"));
  r = run(vigie_bin() + " transparency --config " + (dir / "site.yaml").string() + " --store " +
          (dir / "s.db").string() + " --out " + (dir / "no-such-folder" / "r.html").string());
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("cannot be written"));
}

}  // namespace
}  // namespace vigie::testing
