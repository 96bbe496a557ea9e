#include "events/outbox.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/test_data.h"
#include "events/test_sql.h"

namespace vigie::events {
namespace {
namespace fs = std::filesystem;
using ::testing::HasSubstr;
using testing::open_store;

StoreWrite alert(rules::Phase phase, const std::string& id, double epoch) {
  StoreWrite w;
  auto& e = w.alert;
  e.phase = phase, e.alert_id = id, e.run_id = "run-1", e.camera = "cam", e.rule = "loitering:yard";
  e.rule_type = "loitering", e.where = "yard", e.track_ids = {3, 4}, e.start_s = 10;
  e.time_s = phase == rules::Phase::kStart ? 10 : 15, e.epoch_s = epoch, e.peak = 2.5, e.box = {1, 2, 30, 40};
  // A moving camera's start carries its place through the file; its other events are
  // written without one, as lines from before places were.
  if (phase == rules::Phase::kStart) e.position = rules::GeoPosition{48.125, 11.5};
  return w;
}

StoreWrite track(int id) {
  StoreWrite w;
  w.kind = StoreWrite::Kind::kTrack;
  auto& t = w.track;
  t.camera = "cam", t.label = "person", t.run_id = "run-1", t.track_id = id;
  t.first_epoch = 1000, t.last_epoch = 1060, t.path = {{1.5f, 2.5f}, {3, 4}};
  t.upper = {{"red", 0.75f}, {"blue", 0.25f}}, t.lower = {{"black", 1}};
  t.speed = 1.25, t.speed_unit = "m/s", t.heading_deg = 90, t.appearance = {0.5f, 0.25f};
  t.width = 0.5, t.height = 1.75, t.size_unit = "m";
  t.zones = {{"yard", "", 1010}}, t.crossed = {{"door", "a_to_b", 1020}, {"door", "b_to_a", 1040}};
  return w;
}

StoreWrite media(StoreWrite::Kind kind, const std::string& alert_id, const std::string& file) {
  StoreWrite w;
  w.kind = kind, w.alert_id = alert_id, w.file = file;
  return w;
}

StoreWrite segment(const std::string& id) {
  StoreWrite w;
  w.kind = StoreWrite::Kind::kSegment;
  w.segment = {"cam/" + id + ".mp4.sealed", "cam", 990, 1050.5, int64_t{5} << 32, std::string(64, 'a'), "node-a"};
  return w;
}

// What one alert's life writes, in order, with the recording's segment that holds it.
std::vector<StoreWrite> one_alert(const std::string& id) {
  return {alert(rules::Phase::kStart, id, 1000), media(StoreWrite::Kind::kSnapshot, id, "/m/" + id + ".jpg"),
          alert(rules::Phase::kUpdate, id, 1003), alert(rules::Phase::kEnd, id, 1005),
          media(StoreWrite::Kind::kClip, id, "/m/" + id + ".mp4"), track(7), segment(id)};
}

void expect_stored_whole(Store& store, const std::string& id) {
  AlertFilter f;
  f.id = id;
  const auto rows = store.alerts(f);
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 1u);
  const AlertRow& r = rows->front();
  EXPECT_DOUBLE_EQ(r.start_epoch, 1000);
  ASSERT_TRUE(r.end_epoch);
  EXPECT_DOUBLE_EQ(*r.end_epoch, 1005);
  EXPECT_DOUBLE_EQ(r.peak, 2.5);
  EXPECT_EQ(r.track_ids, (std::vector<int>{3, 4}));
  EXPECT_EQ(r.run_id, "run-1");
  ASSERT_TRUE(r.position);
  EXPECT_DOUBLE_EQ(r.position->lat, 48.125);
  EXPECT_DOUBLE_EQ(r.position->lon, 11.5);
  EXPECT_EQ(r.snapshot_path, "/m/" + id + ".jpg");
  EXPECT_EQ(r.clip_path, "/m/" + id + ".mp4");
  EXPECT_EQ(*store.track_count("cam"), 1);
  // The segment went through the file whole (a size above 4 GiB included).
  const auto segments = store.segments("cam", 1000, 1005);
  ASSERT_TRUE(segments) << segments.error().message;
  ASSERT_EQ(segments->size(), 1u);
  EXPECT_EQ(segments->front(), segment(id).segment);
  // The track's attributes went through the outbox's file and into the store.
  const auto tracks = store.search_tracks({});
  ASSERT_TRUE(tracks) << tracks.error().message;
  ASSERT_EQ(tracks->size(), 1u);
  const TrackRow& t = tracks->front();
  ASSERT_EQ(t.upper.size(), 2u);
  EXPECT_EQ(t.upper[1].name, "blue");
  EXPECT_FLOAT_EQ(t.upper[1].share, 0.25f);
  EXPECT_EQ(t.lower.at(0).name, "black");
  EXPECT_TRUE(t.colour.empty());
  EXPECT_DOUBLE_EQ(t.speed, 1.25);
  EXPECT_EQ(t.speed_unit, "m/s");
  EXPECT_DOUBLE_EQ(t.heading_deg, 90);
  EXPECT_EQ(t.appearance, (std::vector<float>{0.5f, 0.25f}));
  EXPECT_EQ(t.path.size(), 2u);
  EXPECT_DOUBLE_EQ(t.height, 1.75);
  EXPECT_EQ(t.size_unit, "m");
  ASSERT_EQ(t.zones.size(), 1u);
  EXPECT_EQ(t.zones[0].name, "yard");
  EXPECT_DOUBLE_EQ(t.zones[0].at_epoch, 1010);
  ASSERT_EQ(t.crossed.size(), 2u);
  EXPECT_EQ(t.crossed[1].direction, "b_to_a");
  // …and into the store's index: the track is found by the line it crossed.
  TrackFilter crossed;
  crossed.line = "door", crossed.direction = "b_to_a";
  EXPECT_EQ(store.search_tracks(crossed)->size(), 1u);
}

TEST(Outbox, WritesKeptOnDiskAreDeliveredInOrderAndOnlyOnce) {
  const auto dir = vigie::testing::fresh_temp_dir("outbox_order");
  const auto path = (dir / "cam.outbox").string();
  {
    auto box = Outbox::open(path);
    ASSERT_TRUE(box) << box.error().message;
    for (const auto& w : one_alert("a-1")) ASSERT_TRUE((*box)->add(w));
  }
  auto box = Outbox::open(path);  // a new process: read back from the file
  ASSERT_TRUE(box);
  EXPECT_EQ((*box)->pending(), one_alert("a-1").size());
  fs::copy_file(path, dir / "before-delivery");
  auto store = open_store(dir / "v.db");
  auto d = (*box)->deliver(*store);
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->delivered, one_alert("a-1").size());
  EXPECT_EQ(d->refused, 0u);
  EXPECT_EQ((*box)->pending(), 0u);
  expect_stored_whole(*store, "a-1");
  // Killed after the store took them but before the outbox was rewritten: delivered again.
  fs::copy_file(dir / "before-delivery", path, fs::copy_options::overwrite_existing);
  box->reset();  // the process ends (and its lock goes)
  box = Outbox::open(path);
  d = (*box)->deliver(*store);
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->delivered, one_alert("a-1").size());
  EXPECT_EQ(store->alerts(AlertFilter{})->size(), 1u);
  expect_stored_whole(*store, "a-1");
  box->reset();
  EXPECT_EQ((*Outbox::open(path))->pending(), 0u);
}

// A track line from before attributes (no colours, speed or thumbnail) still reads, as a
// track with none.
TEST(Outbox, AnOldTrackLineWithoutAttributesIsDelivered) {
  const auto dir = vigie::testing::fresh_temp_dir("outbox_old_track");
  const auto path = (dir / "cam.outbox").string();
  std::ofstream(path) << R"({"v":1,"kind":"track","track":{"camera":"cam","id":3,"label":"person",)"
                      << R"("run_id":"r","first":1000.0,"last":1010.0,"path":[[1.0,2.0]]}})" << "\n";
  auto box = Outbox::open(path);
  ASSERT_TRUE(box) << box.error().message;
  auto store = open_store(dir / "v.db");
  auto d = (*box)->deliver(*store);
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->delivered, 1u);
  const auto rows = store->search_tracks({});
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->front().track_id, 3);
  EXPECT_TRUE(rows->front().upper.empty());
  EXPECT_EQ(rows->front().path.size(), 1u);
}

// A line from before schema 7: attributes beside the key, without size and passages.
TEST(Outbox, ATrackLineFromBeforeSizesAndPassagesKeepsItsColours) {
  const auto dir = vigie::testing::fresh_temp_dir("outbox_v6_track");
  const auto path = (dir / "cam.outbox").string();
  std::ofstream(path) << R"({"v":1,"kind":"track","track":{"camera":"cam","id":3,"label":"person",)"
                      << R"("run_id":"r","first":1000.0,"last":1010.0,"path":[[1.0,2.0]],)"
                      << R"("upper":[["red",0.75]],"lower":[],"colour":[],"speed":1.0,"speed_unit":"px/s",)"
                      << R"("heading_deg":0.0,"appearance":[0.5],"thumbnail":"","frame":[640,480]}})" << "\n";
  auto box = Outbox::open(path);
  ASSERT_TRUE(box) << box.error().message;
  auto store = open_store(dir / "v.db");
  ASSERT_TRUE((*box)->deliver(*store));
  const auto rows = store->search_tracks({});
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->front().upper.at(0).name, "red");
  EXPECT_EQ(rows->front().frame_width, 640);
  EXPECT_TRUE(rows->front().zones.empty());
  EXPECT_EQ(rows->front().size_unit, "");
}

TEST(Outbox, ALastLineCutShortIsSetAsideAndNamed) {
  const auto dir = vigie::testing::fresh_temp_dir("outbox_torn");
  const auto path = (dir / "cam.outbox").string();
  {
    auto box = Outbox::open(path);
    ASSERT_TRUE((*box)->add(alert(rules::Phase::kStart, "a-1", 1000)));
    ASSERT_TRUE((*box)->add(alert(rules::Phase::kEnd, "a-1", 1005)));
  }
  std::ofstream(path, std::ios::app) << R"({"v":1,"kind":"alert","alert":{"phase":"st)";
  auto box = Outbox::open(path);
  ASSERT_TRUE(box) << box.error().message;
  EXPECT_EQ((*box)->pending(), 2u);
  EXPECT_THAT((*box)->warning(), HasSubstr("line 3 was cut short"));
  EXPECT_TRUE(fs::exists(path + ".torn"));
  box->reset();
  EXPECT_EQ((*Outbox::open(path))->warning(), "");  // the file was repaired
}

TEST(Outbox, AnUnreadableLineIsAnErrorNamingFileAndLineAndNothingIsDropped) {
  const auto dir = vigie::testing::fresh_temp_dir("outbox_bad");
  const auto path = (dir / "cam.outbox").string();
  {
    auto box = Outbox::open(path);
    ASSERT_TRUE((*box)->add(alert(rules::Phase::kStart, "a-1", 1000)));
  }
  std::ofstream(path, std::ios::app) << "{\"v\":2,\"kind\":\"alert\"}\n";
  const auto size = fs::file_size(path);
  auto box = Outbox::open(path);
  ASSERT_FALSE(box);
  EXPECT_THAT(box.error().message, HasSubstr("cam.outbox' line 2: format version 2"));
  EXPECT_EQ(fs::file_size(path), size);
  // Numbers out of their type's range (found by fuzzing: converting them was undefined).
  std::ofstream(path, std::ios::trunc) << "{\"v\":11111111111111111111111111111,\"kind\":\"alert\"}\n";
  box = Outbox::open(path);
  ASSERT_FALSE(box);
  EXPECT_THAT(box.error().message, HasSubstr("line 1: expected an integer"));
}

TEST(Outbox, OneProcessAtATime) {
  const auto dir = vigie::testing::fresh_temp_dir("outbox_lock");
  const auto path = (dir / "cam.outbox").string();
  auto first = Outbox::open(path);
  ASSERT_TRUE(first);
  // flock is per open file: a second open in this process is refused like another process.
  auto second = Outbox::open(path);
  ASSERT_FALSE(second);
  EXPECT_THAT(second.error().message, HasSubstr("in use by another vigie process"));
  first->reset();
  EXPECT_TRUE(Outbox::open(path));
}

TEST(Outbox, AWriteTheStoreRefusesIsSetAsideAndTheRestDelivered) {
  const auto dir = vigie::testing::fresh_temp_dir("outbox_refused");
  const auto path = (dir / "cam.outbox").string();
  auto box = Outbox::open(path);
  ASSERT_TRUE((*box)->add(alert(rules::Phase::kEnd, "never-started", 1005)));  // no start: refused
  for (const auto& w : one_alert("a-1")) ASSERT_TRUE((*box)->add(w));
  auto store = open_store(dir / "v.db");
  auto d = (*box)->deliver(*store);
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->refused, 1u);
  EXPECT_EQ(d->delivered, one_alert("a-1").size());
  expect_stored_whole(*store, "a-1");
  std::ifstream refused(path + ".refused");
  std::string line;
  std::getline(refused, line);
  EXPECT_THAT(line, HasSubstr("never-started"));
  EXPECT_THAT(line, HasSubstr("is not stored"));
}

// Another connection holds the SQLite file's write lock past the busy wait (a long
// retention, a slow disk): the camera's write is put off to the outbox, not refused and
// lost, and is delivered once the lock is free.
TEST(Outbox, AWriteThatWaitedTooLongForTheSqliteLockWaitsInTheOutbox) {
  SQLITE_ONLY();
  const auto dir = vigie::testing::fresh_temp_dir("outbox_sqlite_locked");
  auto store = open_store(dir / "v.db");
  auto box = Outbox::open((dir / "cam.outbox").string());
  auto other = connect_database((dir / "v.db").string());
  ASSERT_TRUE(other) << other.error().message;
  ASSERT_TRUE((*other)->exec("BEGIN IMMEDIATE"));
  const auto writes = one_alert("a-1");
  const Attempt a = try_apply(*store, writes.front());  // waits out the busy timeout
  EXPECT_EQ(a.outcome, Attempt::Outcome::kAway) << a.error;
  EXPECT_THAT(a.error, HasSubstr("locked"));
  for (const auto& w : writes) ASSERT_TRUE((*box)->add(w));
  ASSERT_TRUE((*other)->exec("COMMIT"));
  EXPECT_TRUE(store->reachable());  // said once, for the failure it was about
  auto d = (*box)->deliver(*store);
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->delivered, writes.size());
  EXPECT_EQ(d->refused, 0u);
  expect_stored_whole(*store, "a-1");
  EXPECT_FALSE(fs::exists(dir / "cam.outbox.refused"));
}

// The server stopped while a camera goes on: its writes wait in the outbox, in order, and
// reach the server when it is back, through the same store (reconnected).
TEST(Outbox, WhileThePostgresqlServerIsDownWritesWaitAndAreDeliveredWhenItIsBack) {
  if (!vigie::testing::testing_postgres()) GTEST_SKIP() << "needs the PostgreSQL run (VIGIE_TEST_STORE=postgresql)";
  std::string why;
  auto* cluster = vigie::testing::PostgresCluster::get(&why);
  ASSERT_TRUE(cluster) << why;
  const auto dir = vigie::testing::fresh_temp_dir("outbox_server_down");
  auto store = open_store(dir / "v.db");
  ASSERT_TRUE(store->record(alert(rules::Phase::kStart, "before", 900).alert));
  auto box = Outbox::open((dir / "cam.outbox").string());

  // Whatever fails below, the shared cluster is up again for the tests after this one.
  struct Restart {
    vigie::testing::PostgresCluster* c;
    ~Restart() { c->start_again(); }
  } restart{cluster};
  ASSERT_TRUE(cluster->stop());
  for (const auto& w : one_alert("a-1")) {
    const auto r = apply(*store, w);
    EXPECT_FALSE(r);
    ASSERT_FALSE(store->reachable());
    ASSERT_TRUE((*box)->add(w));
  }
  auto d = (*box)->deliver(*store);
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->delivered, 0u);
  EXPECT_EQ((*box)->pending(), one_alert("a-1").size());

  ASSERT_TRUE(cluster->start_again());
  // The first statement after the restart reconnects by itself (a login, a list).
  EXPECT_TRUE(store->alerts(AlertFilter{}));
  EXPECT_TRUE(store->reachable());
  d = (*box)->deliver(*store);
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->delivered, one_alert("a-1").size());
  EXPECT_EQ((*box)->pending(), 0u);
  expect_stored_whole(*store, "a-1");
  EXPECT_EQ(store->alerts(AlertFilter{})->size(), 2u);
}

}  // namespace
}  // namespace vigie::events
