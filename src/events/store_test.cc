#include "events/store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>  // the SQLite-only tests look at the file itself
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <atomic>
#include <fstream>
#include <map>
#include <thread>

#include "core/test_data.h"
#include "events/test_sql.h"

namespace vigie::events {
namespace {
namespace fs = std::filesystem;
using ::testing::HasSubstr;
using testing::exec_sql;
using testing::open_store;

TrackRow track(int id, double first, double last, std::vector<std::pair<float, float>> path = {},
                const std::string& run_id = "", const std::string& camera = "cam") {
  TrackRow t;
  t.camera = camera, t.run_id = run_id, t.track_id = id, t.label = "person";
  t.first_epoch = first, t.last_epoch = last, t.path = std::move(path);
  return t;
}

rules::AlertEvent event(rules::Phase phase, const std::string& id, double epoch, double peak = 1,
                        const std::string& rule = "loitering:yard", const std::string& camera = "cam") {
  rules::AlertEvent e;
  e.phase = phase;
  e.alert_id = id;
  e.camera = camera;
  e.rule = rule;
  e.rule_type = "loitering";
  e.where = "yard";
  e.track_ids = {3, 4};
  e.start_s = 10;
  e.time_s = 10 + (phase == rules::Phase::kStart ? 0 : 5);
  e.epoch_s = epoch;
  e.peak = peak;
  return e;
}

AlertFilter filter(const std::string& camera = "", const std::string& rule = "", double since = 0, int limit = 1000) {
  AlertFilter f;
  f.camera = camera, f.rule = rule, f.since_epoch = since, f.limit = limit;
  return f;
}

TEST(Store, CreatesTheSchemaInWalMode) {
  SQLITE_ONLY();
  const auto dir = testing::fresh_temp_dir("store_schema");
  auto store = open_store(dir / "v.db");
  EXPECT_EQ(store->schema_version(), Store::kSchemaVersion);
  store.reset();
  sqlite3* db = nullptr;
  sqlite3_open((dir / "v.db").c_str(), &db);
  sqlite3_stmt* s = nullptr;
  sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &s, nullptr);
  sqlite3_step(s);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(s, 0)), "wal");
  sqlite3_finalize(s);
  sqlite3_close(db);
}

TEST(Store, RefusesASchemaFromANewerVersion) {
  const auto dir = testing::fresh_temp_dir("store_newer");
  exec_sql(dir / "v.db", testing::testing_postgres()
                             ? "CREATE TABLE vigie_schema (version INTEGER NOT NULL); INSERT INTO vigie_schema VALUES (99)"
                             : "PRAGMA user_version = 99");
  auto s = Store::open(testing::store_location(dir / "v.db"), (dir / "k").string());
  ASSERT_FALSE(s);
  EXPECT_THAT(s.error().message, HasSubstr("schema version 99"));
}

TEST(Store, NotADatabaseIsAnErrorNamingTheFile) {
  SQLITE_ONLY();
  const auto dir = testing::fresh_temp_dir("store_garbage");
  std::ofstream(dir / "junk.db") << std::string(8192, 'x');
  auto s = Store::open((dir / "junk.db").string());
  ASSERT_FALSE(s);
  EXPECT_THAT(s.error().message, HasSubstr("junk.db"));
}

TEST(Store, LifecycleOfAnAlert) {
  const auto dir = testing::fresh_temp_dir("store_lifecycle");
  auto store = open_store(dir / "v.db");
  ASSERT_TRUE(store->record(event(rules::Phase::kStart, "cam/l/1", 1000)));
  auto rows = store->alerts(AlertFilter{});
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_FALSE((*rows)[0].end_epoch.has_value());
  EXPECT_DOUBLE_EQ((*rows)[0].start_epoch, 1000);
  ASSERT_TRUE(store->record(event(rules::Phase::kUpdate, "cam/l/1", 1005, 7)));
  ASSERT_TRUE(store->record(event(rules::Phase::kEnd, "cam/l/1", 1005, 7)));
  rows = store->alerts(AlertFilter{});
  ASSERT_EQ(rows->size(), 1u);
  const AlertRow& r = (*rows)[0];
  EXPECT_EQ(r.rule, "loitering:yard");
  EXPECT_EQ(r.track_ids, (std::vector<int>{3, 4}));
  EXPECT_DOUBLE_EQ(r.peak, 7);
  ASSERT_TRUE(r.end_epoch.has_value());
  EXPECT_DOUBLE_EQ(*r.end_epoch, 1005);
}

TEST(Store, FiltersByCameraRuleAndTime) {
  const auto dir = testing::fresh_temp_dir("store_filter");
  auto store = open_store(dir / "v.db");
  store->record(event(rules::Phase::kStart, "a/1", 100, 1, "loitering:yard", "a"));
  store->record(event(rules::Phase::kStart, "b/1", 200, 1, "loitering:yard", "b"));
  store->record(event(rules::Phase::kStart, "b/2", 300, 1, "group", "b"));
  EXPECT_EQ(store->alerts(filter("b", "", 0, 100))->size(), 2u);
  EXPECT_EQ(store->alerts(filter("", "group", 0, 100))->size(), 1u);
  EXPECT_EQ(store->alerts(filter("", "", 150, 100))->size(), 2u);
  EXPECT_EQ(store->alerts(filter("", "", 0, 100))->front().id, "b/2");  // newest first
}

TEST(Store, PagesAndOneAlertById) {
  const auto dir = testing::fresh_temp_dir("store_pages");
  auto store = open_store(dir / "v.db");
  for (int i = 0; i < 5; ++i) store->record(event(rules::Phase::kStart, fmt::format("a/{}", i), 100 + i));
  AlertFilter page = filter("", "", 0, 2);
  page.offset = 2;
  const auto rows = store->alerts(page);
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].id, "a/2");  // newest first: a/4, a/3 | a/2, a/1
  AlertFilter before = filter("", "", 0, 100);
  before.before_epoch = 102;
  EXPECT_EQ(store->alerts(before)->size(), 2u);
  AlertFilter one = filter("", "", 0, 100);
  one.id = "a/3";
  ASSERT_EQ(store->alerts(one)->size(), 1u);
}

TEST(Store, OperatorDecisionsMakeTheRuleStatistics) {
  const auto dir = testing::fresh_temp_dir("store_actions");
  auto store = open_store(dir / "v.db");
  for (const char* id : {"x/1", "x/2", "x/3"}) store->record(event(rules::Phase::kStart, id, 7200.5));
  store->record(event(rules::Phase::kStart, "g/1", 3600.5, 1, "group"));
  ASSERT_TRUE(store->record_action("x/1", "acknowledge", "", "ann", 7300));
  ASSERT_TRUE(store->record_action("x/2", "dispatch", "team 3 sent", "ann", 7301));
  ASSERT_TRUE(store->record_action("x/2", "false_alarm", "only a shadow", "bob", 7302));  // the latest counts
  EXPECT_THAT(store->record_action("x/9", "acknowledge", "", "ann", 0).error().message, HasSubstr("no alert 'x/9'"));
  EXPECT_THAT(store->record_action("x/1", "delete", "", "ann", 0).error().message, HasSubstr("unknown action"));
  const auto stats = store->rule_stats(0);
  ASSERT_EQ(stats->size(), 2u);
  const RuleStats& g = (*stats)[0];
  const RuleStats& x = (*stats)[1];
  EXPECT_EQ(g.rule, "group");
  EXPECT_EQ(g.open, 1);
  EXPECT_EQ(x.alerts, 3);
  EXPECT_EQ(x.confirmed, 1);
  EXPECT_EQ(x.false_alarms, 1);
  EXPECT_EQ(x.open, 1);
  ASSERT_EQ(x.per_hour.size(), 1u);
  EXPECT_EQ(x.per_hour[0], (std::pair<int64_t, int>{2, 3}));
  const auto actions = store->actions("x/2");
  ASSERT_EQ(actions->size(), 2u);
  EXPECT_EQ((*actions)[0].note, "team 3 sent");
  AlertFilter one = filter("", "", 0, 10);
  one.id = "x/2";
  EXPECT_EQ(store->alerts(one)->front().status, "false_alarm");
}

// The server's cameras write tracks and alerts through connections of their own while an
// operator decides on an alert: no decision may fail because a camera wrote at that moment
// (stop 36's CI: "database is locked" when a read left open met another connection's commit).
TEST(Store, AnOperatorsDecisionIsStoredWhileAnotherConnectionKeepsWriting) {
  const auto dir = testing::fresh_temp_dir("store_actions_busy");
  auto operator_store = open_store(dir / "v.db");
  auto camera_store = open_store(dir / "v.db");
  ASSERT_TRUE(operator_store && camera_store);
  ASSERT_TRUE(operator_store->record(event(rules::Phase::kStart, "x/1", 7200)));
  std::atomic<bool> stop = false;
  std::atomic<int> camera_writes = 0;
  std::thread camera([&] {
    for (int id = 1; !stop; ++id)
      if (camera_store->record_track(track(id, 1000 + id, 1001 + id))) ++camera_writes;
  });
  while (camera_writes == 0) std::this_thread::yield();  // the camera is writing
  std::vector<std::string> failures;
  for (int i = 0; i < 300; ++i)
    if (auto r = operator_store->record_action("x/1", "acknowledge", "", "ann", 7300 + i); !r)
      failures.push_back(r.error().message);
  stop = true;
  camera.join();
  EXPECT_THAT(failures, ::testing::IsEmpty());
  EXPECT_EQ(operator_store->actions("x/1")->size(), 300u - failures.size());
}

// The race above, made certain: a write while the same connection still reads an older
// snapshot is refused every time, not only when another connection commits in between.
TEST(Store, ASqliteWriteInsideAnOpenReadIsRefusedEveryTime) {
  SQLITE_ONLY();
  const auto dir = testing::fresh_temp_dir("store_read_then_write");
  auto db = connect_database((dir / "t.db").string());
  ASSERT_TRUE(db) << db.error().message;
  ASSERT_TRUE((*db)->exec("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1), (2)"));
  {
    auto read = (*db)->query("SELECT x FROM t");
    ASSERT_EQ(read->step(), Step::kRow);  // not finished: its snapshot stays
    auto write = (*db)->query("INSERT INTO t VALUES (3)");
    EXPECT_EQ(write->step(), Step::kError);
    EXPECT_THAT(write->error(), HasSubstr("a write began while this connection still held a read"));
  }
  ASSERT_TRUE((*db)->exec("BEGIN"));
  {
    auto read = (*db)->query("SELECT count(*) FROM t");
    ASSERT_EQ(read->step(), Step::kRow);
    ASSERT_EQ(read->step(), Step::kDone);  // finished, but the deferred transaction keeps its snapshot
  }
  EXPECT_EQ((*db)->query("UPDATE t SET x = 5")->step(), Step::kError);
  ASSERT_TRUE((*db)->exec("ROLLBACK"));
  EXPECT_EQ((*db)->query("INSERT INTO t VALUES (3)")->step(), Step::kDone);  // no read open: allowed
  auto n = (*db)->query("SELECT count(*) FROM t");
  ASSERT_EQ(n->step(), Step::kRow);
  EXPECT_EQ(n->integer(0), 3);
}

TEST(Store, RetentionDeletesOldAlertsAndTheirFiles) {
  const auto dir = testing::fresh_temp_dir("store_retention");
  auto store = open_store(dir / "v.db");
  const double day = 86400, now = 100 * day;
  store->record(event(rules::Phase::kStart, "old", now - 31 * day));
  store->record(event(rules::Phase::kStart, "recent", now - 29 * day));
  std::ofstream(dir / "old.jpg") << "jpeg";
  std::ofstream(dir / "recent.jpg") << "jpeg";
  std::ofstream(dir / "old.mp4") << "mp4";
  store->set_snapshot("old", (dir / "old.jpg").string());
  store->set_clip("old", (dir / "old.mp4").string());
  store->set_snapshot("recent", (dir / "recent.jpg").string());
  const auto removed = store->apply_retention(now, 30);
  ASSERT_FALSE(removed.error) << removed.error->message;
  EXPECT_EQ(removed.alerts_deleted, 1);
  const auto rows = store->alerts(AlertFilter{});
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].id, "recent");
  EXPECT_FALSE(fs::exists(dir / "old.jpg"));
  EXPECT_FALSE(fs::exists(dir / "old.mp4"));
  EXPECT_TRUE(fs::exists(dir / "recent.jpg"));
  // Of one camera only (several machines on one server): the others' alerts stay.
  store->record(event(rules::Phase::kStart, "other-camera", now - 40 * day, 1, "loitering:yard", "cam2"));
  EXPECT_EQ(store->apply_retention(now, 30, "cam").alerts_deleted, 0);
  EXPECT_EQ(store->alerts(AlertFilter{})->size(), 2u);
  // Time passes: the injected clock moves two days on, the other one goes too.
  EXPECT_EQ(store->apply_retention(now + 2 * day, 30).alerts_deleted, 2);
  EXPECT_TRUE(store->alerts(AlertFilter{})->empty());
}

// Retention deletes alerts; their counts stay, by month, camera, rule and decision, so
// that a year's transparency report outlives a month of data.
TEST(Store, AlertsRetentionDeletesAreStillCountedByMonthAndDecision) {
  const auto dir = testing::fresh_temp_dir("store_tallies");
  auto store = open_store(dir / "v.db");
  const double day = 86400, jan = 1767225600;  // 2026-01-01T00:00Z
  ASSERT_EQ(utc_month(jan), "2026-01");
  ASSERT_EQ(utc_month(jan - 1), "2025-12");
  ASSERT_TRUE(store->record(event(rules::Phase::kStart, "a", jan + 2 * day)));
  ASSERT_TRUE(store->record(event(rules::Phase::kStart, "b", jan + 3 * day)));
  ASSERT_TRUE(store->record(event(rules::Phase::kStart, "c", jan + 4 * day)));
  ASSERT_TRUE(store->record(event(rules::Phase::kStart, "d", jan + 40 * day)));  // February
  ASSERT_TRUE(store->record_action("a", "false_alarm", "", "op", jan + 2 * day));
  ASSERT_TRUE(store->record_action("b", "false_alarm", "", "op", jan + 3 * day));
  ASSERT_TRUE(store->record_action("b", "dispatch", "", "op", jan + 3 * day + 60));  // latest decides
  const auto before = store->alert_tallies();
  ASSERT_TRUE(before);
  ASSERT_EQ(before->size(), 2u);
  // January's three go; February's stays stored.
  ASSERT_EQ(store->apply_retention(jan + 36 * day, 30).alerts_deleted, 3);
  EXPECT_EQ(store->alerts(AlertFilter{})->size(), 1u);
  const auto after = store->alert_tallies();
  ASSERT_TRUE(after);
  ASSERT_EQ(after->size(), 2u);
  for (const auto* tallies : {&*before, &*after}) {
    const auto& j = (*tallies)[0];
    EXPECT_EQ(j.month, "2026-01");
    EXPECT_EQ(j.rule, "loitering:yard");
    EXPECT_EQ(j.alerts, 3);
    EXPECT_EQ(j.confirmed, 1);
    EXPECT_EQ(j.false_alarms, 1);
    EXPECT_EQ(j.open, 1);
    EXPECT_EQ(j.deleted, tallies == &*before ? 0 : 3);
    EXPECT_EQ((*tallies)[1].month, "2026-02");
    EXPECT_EQ((*tallies)[1].deleted, 0);
    EXPECT_EQ((*tallies)[1].open, 1);
  }
  // A second pass finds nothing more to delete or count.
  EXPECT_EQ(store->apply_retention(jan + 36 * day, 30).alerts_deleted, 0);
  EXPECT_EQ((*store->alert_tallies())[0].alerts, 3);
  const auto oldest = store->oldest_kept();
  ASSERT_TRUE(oldest);
  EXPECT_EQ(oldest->alert_epoch, jan + 40 * day);
  EXPECT_FALSE(oldest->track_epoch);
}

TEST(Store, CameraHoursCountEachCamerasRunsOnce) {
  const auto dir = testing::fresh_temp_dir("store_camera_hours");
  auto store = open_store(dir / "v.db");
  ASSERT_TRUE(store->record_run("cam", "r1", 0, 1800));
  ASSERT_TRUE(store->record_run("cam", "r1", 0, 3600));  // the run went on
  ASSERT_TRUE(store->record_run("cam", "r1", 0, 600));   // an older span changes nothing
  ASSERT_TRUE(store->record_run("cam", "r2", 1800, 5400));  // overlaps r1 by half an hour
  ASSERT_TRUE(store->record_run("cam", "r3", 7200, 9000));  // after a gap
  ASSERT_TRUE(store->record_run("cam2", "r1", 0, 36000));
  const auto hours = store->camera_hours();
  ASSERT_TRUE(hours);
  ASSERT_EQ(hours->size(), 2u);
  EXPECT_EQ((*hours)[0].camera, "cam");
  EXPECT_DOUBLE_EQ((*hours)[0].hours, 1.5 + 0.5);
  EXPECT_DOUBLE_EQ((*hours)[0].first_epoch, 0);
  EXPECT_DOUBLE_EQ((*hours)[0].last_epoch, 9000);
  EXPECT_DOUBLE_EQ((*hours)[1].hours, 10);
}

TEST(Store, AMovingCamerasAlertKeepsWhereItWasAndAFixedOnesHasNoPlace) {
  const auto dir = testing::fresh_temp_dir("store_alert_position");
  auto store = open_store(dir / "v.db");
  auto drone = event(rules::Phase::kStart, "drone/1", 1000, 1, "crowd", "drone");
  drone.position = rules::GeoPosition{48.1372512, 11.5754031};
  ASSERT_TRUE(store->record(drone));
  ASSERT_TRUE(store->record(event(rules::Phase::kStart, "cam/1", 1001)));
  auto end = event(rules::Phase::kEnd, "drone/1", 1010, 1, "crowd", "drone");
  end.position.reset();  // an end changes nothing of where it was raised
  ASSERT_TRUE(store->record(end));
  const auto rows = store->alerts(AlertFilter{});
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 2u);
  const AlertRow& fixed = (*rows)[0];
  const AlertRow& moving = (*rows)[1];
  EXPECT_FALSE(fixed.position.has_value());
  ASSERT_TRUE(moving.position.has_value());
  EXPECT_NEAR(moving.position->lat, 48.1372512, 1e-9);
  EXPECT_NEAR(moving.position->lon, 11.5754031, 1e-9);
}

FlightRow flight(const std::string& reference, double start) {
  FlightRow f;
  f.camera = "drone", f.reference = reference, f.purpose = "crowd monitoring";
  f.perimeter = R"({"type":"Polygon","coordinates":[[[11,48],[12,48],[12,49],[11,48]]]})";
  f.authorised_start = start - 60, f.authorised_end = start + 600;
  f.start_epoch = start, f.end_epoch = start + 700, f.minutes = 12, f.flagged_minutes = 2;
  f.flagged = R"([{"minute_epoch":1}])", f.distance_m = 1400, f.swept_m2 = 5e5, f.video = "flight.mp4";
  f.geojson = R"({"type":"FeatureCollection","features":[]})", f.registered_epoch = start + 800;
  return f;
}

TEST(Store, FlightsAreRegisteredOnceWithTheirOrder) {
  const auto dir = testing::fresh_temp_dir("store_flights");
  auto store = open_store(dir / "v.db");
  auto first = flight("PP-1", 1000);
  auto added = store->record_flight(first);
  ASSERT_TRUE(added) << added.error().message;
  EXPECT_TRUE(*added);
  EXPECT_FALSE(first.id.empty());
  auto second = flight("PP-2", 5000);
  ASSERT_TRUE(store->record_flight(second));
  EXPECT_FALSE(first.audited);
  auto again = flight("PP-1", 1000);  // the same flight checked once more, before its audit
  added = store->record_flight(again);
  ASSERT_TRUE(added);
  EXPECT_FALSE(*added);
  EXPECT_EQ(again.id, first.id);
  EXPECT_FALSE(again.audited);  // its audit failed: the check audits it now
  ASSERT_TRUE(store->set_flight_audited(first.id));
  ASSERT_TRUE(store->record_flight(again));
  EXPECT_TRUE(again.audited);
  // A camera and a video it was registered without are added when it is checked again.
  auto bare = flight("PP-3", 200);
  bare.camera = bare.video = "";
  ASSERT_TRUE(store->record_flight(bare));
  auto named = flight("PP-3", 200);
  named.camera = "drone-2";
  ASSERT_TRUE(store->record_flight(named));
  EXPECT_EQ((*store->flight(bare.id))->camera, "drone-2");
  EXPECT_EQ((*store->flight(bare.id))->video, "flight.mp4");
  auto other = flight("PP-3", 200);
  other.camera = "drone-9";  // a camera it has is kept
  ASSERT_TRUE(store->record_flight(other));
  EXPECT_EQ((*store->flight(bare.id))->camera, "drone-2");

  const auto all = store->flights();
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].reference, "PP-2");  // newest first
  EXPECT_EQ(store->flights(1)->size(), 1u);
  EXPECT_TRUE((*all)[0].geojson.empty());  // lists leave the GeoJSON out
  const auto one = store->flight(first.id);
  ASSERT_TRUE(one);
  ASSERT_TRUE(one->has_value());
  const FlightRow& f = **one;
  EXPECT_EQ(f.camera, "drone");
  EXPECT_EQ(f.purpose, "crowd monitoring");
  EXPECT_EQ(f.perimeter, first.perimeter);
  EXPECT_DOUBLE_EQ(f.authorised_start, 940);
  EXPECT_DOUBLE_EQ(f.authorised_end, 1600);
  EXPECT_DOUBLE_EQ(f.end_epoch, 1700);
  EXPECT_EQ(f.minutes, 12);
  EXPECT_EQ(f.flagged_minutes, 2);
  EXPECT_EQ(f.flagged, first.flagged);
  EXPECT_DOUBLE_EQ(f.distance_m, 1400);
  EXPECT_DOUBLE_EQ(f.swept_m2, 5e5);
  EXPECT_EQ(f.video, "flight.mp4");
  EXPECT_EQ(f.geojson, first.geojson);
  const auto none = store->flight("no-such-flight");
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value());
}

TEST(Store, AuditTalliesCountEntriesByMonthAndAction) {
  const auto dir = testing::fresh_temp_dir("store_audit_tallies");
  auto store = open_store(dir / "v.db");
  const double jan = 1767225600;
  ASSERT_TRUE(store->audit("alice", "track_search", "{}", jan + 10));
  ASSERT_TRUE(store->audit("bob", "track_search", "{}", jan + 20));
  ASSERT_TRUE(store->audit("bob", "export", "{}", jan + 32 * 86400.0));
  const auto t = store->audit_tallies();
  ASSERT_TRUE(t);
  ASSERT_EQ(t->size(), 2u);
  EXPECT_EQ((*t)[0].month, "2026-01");
  EXPECT_EQ((*t)[0].action, "track_search");
  EXPECT_EQ((*t)[0].entries, 2);
  EXPECT_EQ((*t)[1].month, "2026-02");
  EXPECT_EQ((*t)[1].action, "export");
}

TEST(Store, TrackSummariesAreKeptAndExpire) {
  const auto dir = testing::fresh_temp_dir("store_tracks");
  auto store = open_store(dir / "v.db");
  ASSERT_TRUE(store->record_track(track(7, 1000, 1060, {{10, 20}, {30, 40}})));
  ASSERT_TRUE(store->record_track(track(8, 90 * 86400.0, 90 * 86400.0 + 5)));
  EXPECT_EQ(*store->track_count("cam"), 2);
  ASSERT_FALSE(store->apply_retention(100 * 86400.0, 30).error);
  EXPECT_EQ(*store->track_count("cam"), 1);  // the one from day 0 went, day 90 stays
}

// How many alerts retention deleted, as the anonymous tallies count them.
int deleted_in_tallies(const Store& store) {
  int n = 0;
  for (const auto& t : *store.alert_tallies()) n += t.deleted;
  return n;
}

// A backlog of several retention batches (256 rows each; after downtime, or a shorter
// retention set): everything old goes, the batches between them, and nothing recent.
TEST(Store, RetentionOfABacklogDeletesItAllABatchAtATime) {
  const auto dir = testing::fresh_temp_dir("store_backlog");
  auto store = open_store(dir / "v.db");
  const double day = 86400, now = 100 * day;
  for (int id = 1; id <= 512; ++id) ASSERT_TRUE(store->record_track(track(id, day, day + 5)));  // two full batches
  std::vector<fs::path> thumbnails;
  for (int id = 701; id <= 1000; ++id) {  // one and a bit
    auto t = track(id, day, day + 5);
    thumbnails.push_back(dir / fmt::format("t{}.jpg", id));
    std::ofstream(thumbnails.back()) << "jpeg";
    t.thumbnail_path = thumbnails.back().string();
    ASSERT_TRUE(store->record_track(t));
  }
  ASSERT_TRUE(store->record_track(track(1001, now - day, now - day + 5)));  // recent: stays
  for (int i = 0; i < 600; ++i) ASSERT_TRUE(store->record(event(rules::Phase::kStart, fmt::format("old/{}", i), day)));
  ASSERT_TRUE(store->record(event(rules::Phase::kStart, "recent", now - day)));

  const auto pass = store->apply_retention(now, 30);
  ASSERT_FALSE(pass.error) << pass.error->message;
  EXPECT_EQ(pass.alerts_deleted, 600);
  EXPECT_EQ(*store->track_count("cam"), 1);
  EXPECT_TRUE(std::none_of(thumbnails.begin(), thumbnails.end(), [](const fs::path& p) { return fs::exists(p); }));
  const auto alerts = store->alerts(AlertFilter{});
  ASSERT_EQ(alerts->size(), 1u);
  EXPECT_EQ(alerts->front().id, "recent");
  EXPECT_EQ(deleted_in_tallies(*store), 600);
}

// A pass that stops partway keeps the batches it committed, says how many alerts went
// (the caller audits them) and why it stopped; the rest waits for the next pass.
TEST(Store, ARetentionPassStoppedPartwayKeepsAndCountsTheBatchesBefore) {
  SQLITE_ONLY();  // the failure is made with a SQLite trigger
  const auto dir = testing::fresh_temp_dir("store_backlog_stopped");
  auto store = open_store(dir / "v.db");
  const double day = 86400, now = 100 * day;
  for (int i = 0; i < 600; ++i)  // in start order, the order retention reads them
    ASSERT_TRUE(store->record(event(rules::Phase::kStart, fmt::format("old/{}", i), day + i)));
  exec_sql(dir / "v.db",
           "CREATE TRIGGER held BEFORE DELETE ON alerts WHEN old.id = 'old/300' BEGIN SELECT RAISE(ABORT, 'held "
           "for the test'); END");
  const auto pass = store->apply_retention(now, 30);
  ASSERT_TRUE(pass.error);
  EXPECT_THAT(pass.error->message, HasSubstr("held for the test"));
  EXPECT_EQ(pass.alerts_deleted, 256);  // the first batch; the second, holding old/300, rolled back
  EXPECT_EQ(store->alerts(AlertFilter{})->size(), 600u - 256u);
  EXPECT_EQ(deleted_in_tallies(*store), 256);
  exec_sql(dir / "v.db", "DROP TRIGGER held");
  EXPECT_EQ(store->apply_retention(now, 30).alerts_deleted, 600 - 256);
}

// Between batches another connection gets the lock: a camera writing during a long
// retention waits one batch, not the whole backlog (SQLite's lock is not fair; a waiter
// looks for it every 2 ms, and retention pauses 10 ms after each batch).
TEST(Store, ACameraWritesBetweenTheBatchesOfALongRetention) {
  SQLITE_ONLY();  // PostgreSQL locks rows: a camera's insert never waits for retention
  const auto dir = testing::fresh_temp_dir("store_backlog_fair");
  auto retention_store = open_store(dir / "v.db");
  auto camera_store = open_store(dir / "v.db");
  const double day = 86400, now = 100 * day;
  constexpr int kTracks = 40 * 256;
  exec_sql(dir / "v.db", fmt::format("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {}) "
                                     "INSERT INTO tracks (camera, run_id, track_id, label, first_epoch, last_epoch) "
                                     "SELECT 'cam', '', i, 'person', {}, {} FROM n",
                                     kTracks, day, day + 5));
  ASSERT_EQ(*camera_store->track_count("cam"), kTracks);
  std::atomic<bool> retention_done = false;
  std::thread retention([&] {
    EXPECT_FALSE(retention_store->apply_retention(now, 30).error);
    retention_done = true;
  });
  // Once retention has begun (its first batch committed), the camera writes.
  while (*camera_store->track_count("cam") == kTracks && !retention_done) std::this_thread::yield();
  const bool begun_before_the_end = !retention_done;
  ASSERT_TRUE(camera_store->record(event(rules::Phase::kStart, "live/1", now)));
  const bool stored_before_the_end = !retention_done;
  retention.join();
  ASSERT_TRUE(begun_before_the_end) << "retention ended before the camera could start (machine too fast?)";
  EXPECT_TRUE(stored_before_the_end) << "the camera's write waited for the whole backlog";
  EXPECT_EQ(*camera_store->track_count("cam"), 0);
}

std::unique_ptr<Store> store_with_audit(const fs::path& p) {
  auto store = open_store(p);
  for (int i = 1; i <= 5; ++i) EXPECT_TRUE(store->audit("alice", "alerts.list", "{\"rule\":\"r" + std::to_string(i) + "\"}", 1000 + i));
  return store;
}

TEST(Audit, AnIntactChainVerifies) {
  const auto dir = testing::fresh_temp_dir("audit_ok");
  auto store = store_with_audit(dir / "v.db");
  const auto check = store->verify_audit();
  ASSERT_TRUE(check);
  EXPECT_TRUE(check->ok);
  EXPECT_EQ(check->entries, 5);
  EXPECT_EQ(check->head_hash.size(), 64u);
}

TEST(Audit, AnEditedEntryIsFound) {
  const auto dir = testing::fresh_temp_dir("audit_edit");
  store_with_audit(dir / "v.db").reset();
  exec_sql(dir / "v.db", "UPDATE audit_log SET \"user\" = 'mallory' WHERE id = 3");
  const auto check = open_store(dir / "v.db")->verify_audit();
  ASSERT_TRUE(check);
  EXPECT_FALSE(check->ok);
  EXPECT_EQ(check->first_bad_id, 3);
  EXPECT_THAT(check->problem, HasSubstr("edited"));
}

TEST(Audit, ADeletedEntryIsFound) {
  const auto dir = testing::fresh_temp_dir("audit_delete");
  store_with_audit(dir / "v.db").reset();
  exec_sql(dir / "v.db", "DELETE FROM audit_log WHERE id = 2");
  auto check = open_store(dir / "v.db")->verify_audit();
  EXPECT_FALSE(check->ok);
  EXPECT_EQ(check->first_bad_id, 3);
  // Renumbering the rows to hide the gap breaks the links instead.
  exec_sql(dir / "v.db", "UPDATE audit_log SET id = id - 1 WHERE id > 2");
  check = open_store(dir / "v.db")->verify_audit();
  EXPECT_FALSE(check->ok);
  EXPECT_EQ(check->first_bad_id, 2);
}

// The schema as shipped in versions 1 to 3, copied here so that later edits to the
// migrations cannot change what these tests start from.
const char* const kShippedV1 = R"sql(
CREATE TABLE cameras (name TEXT PRIMARY KEY, first_seen REAL NOT NULL);
CREATE TABLE alerts (
  id TEXT PRIMARY KEY, camera TEXT NOT NULL, rule TEXT NOT NULL, rule_type TEXT NOT NULL,
  place TEXT NOT NULL DEFAULT '', detail TEXT NOT NULL DEFAULT '', track_ids TEXT NOT NULL DEFAULT '[]',
  start_epoch REAL NOT NULL, last_epoch REAL NOT NULL, end_epoch REAL, peak REAL NOT NULL DEFAULT 0,
  box TEXT NOT NULL DEFAULT '[]', snapshot_path TEXT NOT NULL DEFAULT '', clip_path TEXT NOT NULL DEFAULT '',
  stream_start_s REAL NOT NULL DEFAULT 0, stream_raised_s REAL NOT NULL DEFAULT 0);
CREATE INDEX alerts_by_time ON alerts (start_epoch);
CREATE INDEX alerts_by_camera_rule ON alerts (camera, rule, start_epoch);
CREATE TABLE tracks (
  camera TEXT NOT NULL, track_id INTEGER NOT NULL, label TEXT NOT NULL, first_epoch REAL NOT NULL,
  last_epoch REAL NOT NULL, path TEXT NOT NULL DEFAULT '[]', PRIMARY KEY (camera, track_id, first_epoch));
CREATE TABLE operator_actions (
  id INTEGER PRIMARY KEY AUTOINCREMENT, alert_id TEXT NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
  action TEXT NOT NULL, note TEXT NOT NULL DEFAULT '', user TEXT NOT NULL, at_epoch REAL NOT NULL);
PRAGMA user_version = 1;
)sql";
const char* const kShippedV2 = R"sql(
CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY, at_epoch REAL NOT NULL, user TEXT NOT NULL, action TEXT NOT NULL,
  detail TEXT NOT NULL DEFAULT '', prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
PRAGMA user_version = 2;
)sql";
const char* const kShippedV3 = R"sql(
CREATE TABLE users (
  name TEXT PRIMARY KEY, role TEXT NOT NULL CHECK (role IN ('operator', 'supervisor', 'auditor', 'admin')),
  password_hash TEXT NOT NULL, created_epoch REAL NOT NULL);
PRAGMA user_version = 3;
)sql";

TEST(Store, UpgradesASchemaOneStore) {
  SQLITE_ONLY();
  const auto dir = testing::fresh_temp_dir("store_upgrade");
  exec_sql(dir / "v.db", kShippedV1);  // as schema 1 left it: no audit log, no accounts
  auto store = open_store(dir / "v.db");
  ASSERT_TRUE(store);
  EXPECT_EQ(store->schema_version(), Store::kSchemaVersion);
  EXPECT_TRUE(store->audit("bob", "alerts.list", "", 1));
}

// The defect: every run numbered its alerts cam/rule/1, 2… so a second run on a store
// failed (UNIQUE constraint failed: alerts.id) and the server, after a restart, overwrote
// the previous run's rows. Stores from then are migrated, their rows kept as they were.
TEST(Store, MigratesAVersion3StoreKeepingItsOldStyleIds) {
  SQLITE_ONLY();
  const auto dir = testing::fresh_temp_dir("store_v3");
  exec_sql(dir / "v.db", std::string(kShippedV1) + kShippedV2 + kShippedV3 + R"sql(
INSERT INTO cameras VALUES ('cam', 1000);
INSERT INTO alerts (id, camera, rule, rule_type, track_ids, start_epoch, last_epoch, end_epoch, peak)
  VALUES ('cam/loitering:yard/1', 'cam', 'loitering:yard', 'loitering', '[3]', 1000, 1010, 1010, 10);
INSERT INTO tracks VALUES ('cam', 1, 'person', 1000, 1010, '[[1,2]]');
INSERT INTO operator_actions (alert_id, action, user, at_epoch) VALUES ('cam/loitering:yard/1', 'acknowledge', 'op', 1020);
)sql");
  auto store = open_store(dir / "v.db");
  ASSERT_TRUE(store);
  EXPECT_EQ(store->schema_version(), Store::kSchemaVersion);
  auto rows = store->alerts(AlertFilter{});
  ASSERT_EQ(rows->size(), 1u);
  const AlertRow old = (*rows)[0];
  EXPECT_EQ(old.id, "cam/loitering:yard/1");
  EXPECT_EQ(old.run_id, "");
  EXPECT_DOUBLE_EQ(old.start_epoch, 1000);
  EXPECT_DOUBLE_EQ(*old.end_epoch, 1010);
  EXPECT_EQ(old.track_ids, std::vector<int>{3});
  EXPECT_EQ(old.status, "acknowledge");
  EXPECT_EQ(*store->track_count("cam"), 1);
  // A new run's alert and its track 1 go in beside the old ones.
  auto e = event(rules::Phase::kStart, "0190f3c2-6a1b-7c3d-8e4f-0123456789ab", 2000);
  e.run_id = "0190f3c2-6a1b-7c3d-8e4f-000000000001";
  ASSERT_TRUE(store->record(e));
  ASSERT_TRUE(store->record_track(track(1, 1000, 1010, {{1, 2}}, e.run_id)));
  EXPECT_EQ(*store->track_count("cam"), 2);
  rows = store->alerts(AlertFilter{});
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].run_id, e.run_id);
  EXPECT_EQ((*rows)[1].id, old.id);
  EXPECT_DOUBLE_EQ(*(*rows)[1].end_epoch, 1010);
  EXPECT_TRUE(store->audit("bob", "alerts.list", "", 1));
}

TEST(Store, AnUpdateOrEndForAnAlertNotStoredIsAnError) {
  const auto dir = testing::fresh_temp_dir("store_lost_update");
  auto store = open_store(dir / "v.db");
  auto r = store->record(event(rules::Phase::kUpdate, "never-started", 1005, 7));
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().message, HasSubstr("never-started"));
  EXPECT_FALSE(store->record(event(rules::Phase::kEnd, "never-started", 1005, 7)));
  EXPECT_FALSE(store->set_snapshot("never-started", "x.jpg"));
  EXPECT_FALSE(store->set_clip("never-started", "x.mp4"));
  EXPECT_TRUE(store->alerts(AlertFilter{})->empty());
}

TEST(Store, AStartRetriedIsOkButAnotherAlertUnderTheSameIdIsAnError) {
  const auto dir = testing::fresh_temp_dir("store_same_id");
  auto store = open_store(dir / "v.db");
  ASSERT_TRUE(store->record(event(rules::Phase::kStart, "cam/l/1", 1000)));
  EXPECT_TRUE(store->record(event(rules::Phase::kStart, "cam/l/1", 1000)));  // the same alert, retried
  // What a restarted run did before ids were unique: its own alert 1, later, elsewhere.
  auto clash = store->record(event(rules::Phase::kStart, "cam/l/1", 5000));
  ASSERT_FALSE(clash);
  EXPECT_THAT(clash.error().message, HasSubstr("already stored for another alert"));
  EXPECT_FALSE(store->record(event(rules::Phase::kStart, "cam/l/1", 1000, 1, "other-rule")));
  const auto rows = store->alerts(AlertFilter{});
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_DOUBLE_EQ((*rows)[0].start_epoch, 1000);
}

// Forensic search: by class, time, camera, dwell and colour names (any of a region's
// names, not only the first); newest first; a track's colours go with it at retention.
TEST(Store, TracksAreFoundByTheirAttributes) {
  const auto dir = testing::fresh_temp_dir("store_search");
  auto store = open_store(dir / "v.db");
  TrackRow red_blue = track(1, 1000, 1030, {{1, 2}, {3, 4}});
  red_blue.upper = {{"red", 0.6f}, {"blue", 0.4f}}, red_blue.lower = {{"blue", 1}};
  TrackRow black = track(2, 2000, 2005, {}, "", "gate");
  black.upper = {{"black", 1}}, black.lower = {{"grey", 1}};
  TrackRow car = track(3, 3000, 3100);
  car.label = "car", car.colour = {{"red", 0.9f}};
  for (const auto& t : {red_blue, black, car}) ASSERT_TRUE(store->record_track(t));
  ASSERT_TRUE(store->record_track(red_blue));  // a retry stores nothing twice

  auto ids = [&](const TrackFilter& f) {
    std::vector<int> out;
    const auto rows = store->search_tracks(f);
    EXPECT_TRUE(rows) << rows.error().message;
    if (rows)
      for (const auto& r : *rows) out.push_back(r.track_id);
    return out;
  };
  EXPECT_EQ(ids({}), (std::vector<int>{3, 2, 1}));
  TrackFilter f;
  f.upper = "blue";  // the second name counts
  EXPECT_EQ(ids(f), std::vector<int>{1});
  f = {}, f.lower = "blue";
  EXPECT_EQ(ids(f), std::vector<int>{1});
  f = {}, f.colour = "red";  // any region: a jacket and a car
  EXPECT_EQ(ids(f), (std::vector<int>{3, 1}));
  f.label = "person";
  EXPECT_EQ(ids(f), std::vector<int>{1});
  f = {}, f.cameras = {"gate"};
  EXPECT_EQ(ids(f), std::vector<int>{2});
  f.cameras = {"gate", "cam"}, f.from_epoch = 1010, f.to_epoch = 2001;  // overlapping the span
  EXPECT_EQ(ids(f), (std::vector<int>{2, 1}));
  f = {}, f.min_dwell_s = 10;
  EXPECT_EQ(ids(f), (std::vector<int>{3, 1}));
  f = {}, f.limit = 1;
  EXPECT_EQ(ids(f), std::vector<int>{3});
  f = {}, f.upper = "green";
  EXPECT_TRUE(ids(f).empty());
  // A track seen for days (a parked car) is found by a window in its middle: the scan's
  // lower bound comes from the longest span stored.
  TrackRow parked = track(4, 10 * 86400.0, 15 * 86400.0);
  parked.label = "car";
  ASSERT_TRUE(store->record_track(parked));
  f = {}, f.from_epoch = 12 * 86400.0, f.to_epoch = 12 * 86400.0 + 3600;
  EXPECT_EQ(ids(f), std::vector<int>{4});
  f.from_epoch = 16 * 86400.0, f.to_epoch = 17 * 86400.0;
  EXPECT_TRUE(ids(f).empty());
  const auto rows = store->search_tracks({});
  EXPECT_EQ(rows->back().upper.at(0).name, "red");
  EXPECT_FLOAT_EQ(rows->back().upper.at(0).share, 0.6f);
  // Retention takes the colours with the track: a search by colour no longer finds it.
  ASSERT_FALSE(store->apply_retention(1500 + 30 * 86400.0, 30).error);
  f = {}, f.upper = "red";
  EXPECT_TRUE(ids(f).empty());
  EXPECT_EQ(ids({}), (std::vector<int>{4, 3, 2}));
  EXPECT_EQ(testing::query_text(dir / "v.db", "SELECT COUNT(*) FROM track_colours WHERE track_id = 1"), "0");
}

// Where a track went: found by a zone it entered or a line it crossed (either way or
// one way), counted by line direction and zone in the statistics, and its passages go
// with it at retention.
TEST(Store, TracksAreFoundByZonesEnteredAndLinesCrossed) {
  const auto dir = testing::fresh_temp_dir("store_passages");
  auto store = open_store(dir / "v.db");
  TrackRow in = track(1, 1000, 1030), out = track(2, 1000, 1030), both = track(3, 5000, 5030);
  in.crossed = {{"door", "a_to_b", 1010}}, in.zones = {{"hall", "", 1015}};
  out.crossed = {{"door", "b_to_a", 1020}};
  both.crossed = {{"door", "a_to_b", 5010}, {"door", "b_to_a", 5020}}, both.zones = {{"yard", "", 5001}};
  both.width = 0.6, both.height = 1.8, both.size_unit = "m";
  for (const auto& t : {in, out, both}) ASSERT_TRUE(store->record_track(t));
  auto ids = [&](const TrackFilter& f) {
    std::vector<int> found;
    const auto rows = store->search_tracks(f);
    EXPECT_TRUE(rows) << rows.error().message;
    if (rows)
      for (const auto& r : *rows) found.push_back(r.track_id);
    return found;
  };
  TrackFilter f;
  f.line = "door";
  EXPECT_EQ(ids(f), (std::vector<int>{3, 1, 2}));  // newest first, then by id
  f.direction = "a_to_b";
  EXPECT_EQ(ids(f), (std::vector<int>{3, 1}));
  f.zone = "hall";  // and entered the hall
  EXPECT_EQ(ids(f), std::vector<int>{1});
  f = {}, f.zone = "yard";
  EXPECT_EQ(ids(f), std::vector<int>{3});
  f.zone = "nowhere";
  EXPECT_TRUE(ids(f).empty());
  const auto rows = store->search_tracks({});
  const TrackRow& read = rows->front();
  ASSERT_EQ(read.crossed.size(), 2u);
  EXPECT_EQ(read.crossed[1].direction, "b_to_a");
  EXPECT_DOUBLE_EQ(read.crossed[1].at_epoch, 5020);
  EXPECT_DOUBLE_EQ(read.height, 1.8);
  EXPECT_EQ(read.size_unit, "m");

  // Statistics: crossings by line and direction, visits by zone, in the hour they happened.
  ActivityFilter a;
  std::map<std::string, int> counts;
  for (const auto& c : *store->activity(a))
    if (c.kind == "crossings" || c.kind == "visits")
      counts[fmt::format("{} {} {} {}", c.bucket_epoch, c.kind, c.what, c.direction)] += c.count;
  EXPECT_EQ(counts, (std::map<std::string, int>{{"0 crossings door a_to_b", 1},
                                                {"0 crossings door b_to_a", 1},
                                                {"0 visits hall ", 1},
                                                {"3600 crossings door a_to_b", 1},
                                                {"3600 crossings door b_to_a", 1},
                                                {"3600 visits yard ", 1}}));
  ASSERT_FALSE(store->apply_retention(2000 + 30 * 86400.0, 30).error);
  f = {}, f.line = "door";
  EXPECT_EQ(ids(f), std::vector<int>{3});
  EXPECT_EQ(testing::query_text(dir / "v.db", "SELECT COUNT(*) FROM track_passages WHERE track_id = 1"), "0");
}

// Thumbnails go with their tracks at retention; one that cannot be removed keeps its own
// track (to be tried again), not every other track.
TEST(Store, RetentionRemovesThumbnailsAndATrackWhoseFileStaysIsKept) {
  const auto dir = testing::fresh_temp_dir("store_thumbnails");
  auto store = open_store(dir / "v.db");
  std::ofstream(dir / "a.jpg") << "a";
  fs::create_directories(dir / "stuck.jpg" / "inside");  // a folder with content: remove() fails
  TrackRow a = track(1, 1000, 1010), stuck = track(2, 1000, 1010), plain = track(3, 1000, 1010);
  a.thumbnail_path = (dir / "a.jpg").string(), stuck.thumbnail_path = (dir / "stuck.jpg").string();
  TrackRow gone = track(4, 1000, 1010);
  gone.thumbnail_path = (dir / "already-gone.jpg").string();  // its file went by hand: the row goes
  for (const auto& t : {a, stuck, plain, gone}) ASSERT_TRUE(store->record_track(t));
  ASSERT_FALSE(store->apply_retention(1010 + 31 * 86400.0, 30).error);
  EXPECT_FALSE(fs::exists(dir / "a.jpg"));
  EXPECT_EQ(*store->track_count("cam"), 1);
  const auto left = store->search_tracks({});
  ASSERT_EQ(left->size(), 1u);
  EXPECT_EQ(left->front().track_id, 2);
  fs::remove_all(dir / "stuck.jpg" / "inside");  // the folder can go now
  ASSERT_FALSE(store->apply_retention(1010 + 31 * 86400.0, 30).error);
  EXPECT_EQ(*store->track_count("cam"), 0);
}

// Track ids restart with every tracker run: run A's track 1 and run B's track 1 are two
// people, and neither replaces the other; the same run storing its track twice is an error.
TEST(Store, TrackOneOfTwoRunsIsKeptTwiceAndNeverReplaced) {
  const auto dir = testing::fresh_temp_dir("store_track_runs");
  auto store = open_store(dir / "v.db");
  ASSERT_TRUE(store->record_track(track(1, 1000, 1060, {{10, 20}}, "run-a")));
  ASSERT_TRUE(store->record_track(track(1, 1000, 1070, {{30, 40}}, "run-b")));
  EXPECT_EQ(*store->track_count("cam"), 2);
  const auto a = store->track("cam", "run-a", 1);
  ASSERT_TRUE(a && *a);
  EXPECT_EQ((*a)->path, (std::vector<std::pair<float, float>>{{10, 20}}));
}

// A track still in view is stored as it goes on: each later snapshot updates the one row —
// its end, path, colours and passages — so a search finds what it has become; an older
// snapshot delivered late (an outbox) changes nothing.
TEST(Store, ATrackStoredWhileItLivesIsUpdatedNotDuplicated) {
  const auto dir = testing::fresh_temp_dir("store_track_living");
  auto store = open_store(dir / "v.db");
  TrackRow early = track(1, 1000, 1060, {{10, 20}}, "run-a");
  early.upper = {{"red", 1}}, early.zones = {{"yard", "", 1010}};
  TrackRow later = track(1, 1000, 1120, {{10, 20}, {30, 40}}, "run-a");
  later.upper = {{"black", 1}}, later.crossed = {{"door", "a_to_b", 1100}};
  ASSERT_TRUE(store->record_track(early));
  ASSERT_TRUE(store->record_track(later));
  ASSERT_TRUE(store->record_track(early));  // late, older: ignored
  EXPECT_EQ(*store->track_count("cam"), 1);
  // The store is still writable after the ignored write, and what it holds is on disk
  // (read through a connection of its own).
  TrackRow other = track(2, 2000, 2010, {}, "run-a");
  ASSERT_TRUE(store->record_track(other));
  EXPECT_EQ(testing::query_text(dir / "v.db", "SELECT CAST(last_epoch AS INTEGER) FROM tracks WHERE track_id = 1"), "1120");
  const auto row = store->track("cam", "run-a", 1);
  ASSERT_TRUE(row && *row);
  EXPECT_DOUBLE_EQ((*row)->last_epoch, 1120);
  EXPECT_EQ((*row)->path.size(), 2u);
  TrackFilter f;
  f.upper = "red";
  EXPECT_TRUE(store->search_tracks(f)->empty()) << "the colours were replaced";
  f = {}, f.upper = "black";
  EXPECT_EQ(store->search_tracks(f)->size(), 1u);
  f = {}, f.zone = "yard";
  EXPECT_TRUE(store->search_tracks(f)->empty()) << "the passages were replaced";
  f = {}, f.line = "door";
  EXPECT_EQ(store->search_tracks(f)->size(), 1u);
  f = {}, f.min_dwell_s = 100;  // 120 s now
  EXPECT_EQ(store->search_tracks(f)->size(), 1u);
}

// The defect: text was bound with length -1, so SQLite stopped at a NUL; a filter on
// camera "\0" was bound as "" and meant "every camera".
TEST(Store, ANulInAFilterMatchesNothingInsteadOfEverything) {
  const auto dir = testing::fresh_temp_dir("store_nul_filter");
  auto store = open_store(dir / "v.db");
  ASSERT_TRUE(store->record(event(rules::Phase::kStart, "cam/l/1", 1000)));
  AlertFilter f;
  f.camera = std::string("\0", 1);
  EXPECT_TRUE(store->alerts(f)->empty());
  f = AlertFilter{};
  f.id = std::string("\0", 1);
  EXPECT_TRUE(store->alerts(f)->empty());
  f.id = std::string("cam/l/1\0x", 9);
  EXPECT_TRUE(store->alerts(f)->empty());
  // Text with a NUL comes back whole, or is refused where it cannot be stored whole.
  auto e = event(rules::Phase::kStart, std::string("a\0b", 3), 1000);
  e.detail = std::string("x\0y", 3);
  if (testing::testing_postgres()) {
    const auto r = store->record(e);
    ASSERT_FALSE(r);
    EXPECT_THAT(r.error().message, HasSubstr("NUL"));
    return;
  }
  ASSERT_TRUE(store->record(e));
  f.id = e.alert_id;
  const auto rows = store->alerts(f);
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].detail, e.detail);
}

TEST(Store, AServerThatDoesNotAnswerIsNamedWithoutItsPassword) {
  const auto dir = testing::fresh_temp_dir("store_no_server");
  auto s = Store::open("postgresql://vigie:s3cret@127.0.0.1:1/vigie", (dir / "k").string());
  ASSERT_FALSE(s);
  EXPECT_THAT(s.error().message, HasSubstr("cannot open event store 'postgresql://vigie@127.0.0.1:1/vigie'"));
  EXPECT_THAT(s.error().message, ::testing::Not(HasSubstr("s3cret")));
  // A password with an '@', as a parameter, or one libpq quotes back in its own message.
  for (const char* url : {"postgresql://vigie:s3c@ret@127.0.0.1:1/vigie", "postgresql://vigie@127.0.0.1:1/v?password=s3cret",
                          "postgresql://vigie:s3cret%zz@127.0.0.1:1/vigie"}) {
    auto r = Store::open(url, (dir / "k").string());
    ASSERT_FALSE(r) << url;
    EXPECT_THAT(r.error().message, ::testing::Not(HasSubstr("s3c"))) << url;
    EXPECT_THAT(printable_location(url), ::testing::Not(HasSubstr("s3c"))) << url;
  }
}

TEST(Store, TheAuditLogOfAServerStoreNeedsItsKeyNamed) {
  if (!testing::testing_postgres()) GTEST_SKIP() << "needs the PostgreSQL run (VIGIE_TEST_STORE=postgresql)";
  const auto dir = testing::fresh_temp_dir("store_server_key");
  auto s = Store::open(testing::store_location(dir / "v.db"));
  ASSERT_TRUE(s) << s.error().message;  // alerts need no key
  ASSERT_TRUE((*s)->record(event(rules::Phase::kStart, "cam/l/1", 1000)));
  const auto r = (*s)->audit("alice", "alerts.list", "", 1);
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().message, HasSubstr("needs its key file named"));
  EXPECT_FALSE((*s)->verify_audit());
}

TEST(Store, AMissingFolderIsNamed) {
  SQLITE_ONLY();
  const auto dir = testing::fresh_temp_dir("store_no_folder");
  auto s = Store::open((dir / "nowhere" / "s.db").string());
  ASSERT_FALSE(s);
  EXPECT_THAT(s.error().message, HasSubstr((dir / "nowhere").string()));
  EXPECT_THAT(s.error().message, HasSubstr("does not exist"));
  EXPECT_FALSE(fs::exists(dir / "nowhere"));
}

TEST(Store, AStoredAlertSurvivesKillDashNine) {
  const auto dir = testing::fresh_temp_dir("store_kill");
  const std::string location = testing::store_location(dir / "v.db");  // created here, before the fork
  const std::string key = (dir / "v.db.audit-key").string();
  int pipefd[2];
  ASSERT_EQ(pipe(pipefd), 0);
  const pid_t child = fork();
  if (child == 0) {
    auto store = Store::open(location, key);
    const bool ok = store && store.value()->record(event(rules::Phase::kStart, "cam/l/1", 1000));
    const char c = ok ? 'y' : 'n';
    (void)!write(pipefd[1], &c, 1);  // "stored" is reported only after record() returned
    for (;;) pause();                // and the process never closes the store cleanly
  }
  char reply = 0;
  ASSERT_EQ(read(pipefd[0], &reply, 1), 1);
  EXPECT_EQ(reply, 'y');
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status));
  auto store = open_store(dir / "v.db");
  const auto rows = store->alerts(AlertFilter{});
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].id, "cam/l/1");
}

}  // namespace
}  // namespace vigie::events

namespace vigie::events {
namespace {

TEST(Accounts, PasswordsAreHashedAndChecked) {
  const auto dir = testing::fresh_temp_dir("accounts");
  auto store = open_store(dir / "v.db");
  ASSERT_TRUE(store);
  auto& s = *store;
  ASSERT_TRUE(s.add_user("alice", "operator", "correct horse battery", 1));
  EXPECT_EQ(*s.check_password("alice", "correct horse battery"), std::optional<std::string>("operator"));
  EXPECT_FALSE(s.check_password("alice", "wrong password here")->has_value());
  EXPECT_FALSE(s.check_password("nobody", "correct horse battery")->has_value());
  // The stored hash is Argon2id, never the password.
  const std::string hash = testing::query_text(dir / "v.db", "SELECT password_hash FROM users");
  EXPECT_EQ(hash.rfind("$argon2id$", 0), 0u) << hash;
  EXPECT_EQ(hash.find("correct horse"), std::string::npos);
}

TEST(Accounts, BadAccountsAreRefused) {
  const auto dir = testing::fresh_temp_dir("accounts_bad");
  auto store = open_store(dir / "v.db");
  ASSERT_TRUE(store);
  auto& s = *store;
  ASSERT_TRUE(s.add_user("bob", "auditor", "a long enough password", 1));
  EXPECT_THAT(s.add_user("bob", "admin", "another long password", 1).error().message, HasSubstr("already exists"));
  EXPECT_THAT(s.add_user("carol", "king", "a long enough password", 1).error().message, HasSubstr("role 'king'"));
  EXPECT_THAT(s.add_user("carol", "admin", "short", 1).error().message, HasSubstr("at least 12"));
  EXPECT_EQ(s.users()->size(), 1u);
}

// The defect: "evil\0admin" was stored as "evil" (text bound up to its first NUL).
TEST(Accounts, ANameWithANulOrAControlCharacterIsRefused) {
  const auto dir = testing::fresh_temp_dir("accounts_nul");
  auto store = open_store(dir / "v.db");
  ASSERT_TRUE(store);
  auto& s = *store;
  const std::string password = "a long enough password";
  auto r = s.add_user(std::string("evil\0admin", 10), "admin", password, 1);
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().message, HasSubstr("control characters"));
  EXPECT_EQ(r.error().message.find('\0'), std::string::npos);  // the message prints whole
  EXPECT_FALSE(s.add_user("tab\there", "admin", password, 1));
  EXPECT_FALSE(s.add_user("esc\x1b[31m", "admin", password, 1));
  EXPECT_FALSE(s.add_user("del\x7f", "admin", password, 1));
  EXPECT_FALSE(s.add_user("", "admin", password, 1));
  EXPECT_FALSE(s.add_user(std::string(65, 'a'), "admin", password, 1));
  EXPECT_TRUE(s.add_user(std::string(64, 'a'), "operator", password, 1));
  EXPECT_TRUE(s.add_user("élodie", "operator", password, 1));  // UTF-8 is no control character
  EXPECT_EQ(s.users()->size(), 2u);
  EXPECT_FALSE(s.check_password("evil", password)->has_value());
}

}  // namespace
}  // namespace vigie::events
