#include "events/alert_schema.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

namespace vigie::events {
namespace {
using ::testing::HasSubstr;
using nlohmann::json;

AlertRow closed_alert() {
  AlertRow a;
  a.id = "0190-a", a.camera = "gate", a.rule = "line_crossing:mid", a.rule_type = "line_crossing";
  a.where = "mid", a.detail = "a_to_b", a.run_id = "run-1", a.track_ids = {3, 4};
  a.start_epoch = 1000, a.last_epoch = 1010, a.end_epoch = 1012, a.peak = 2;
  a.snapshot_path = "media/a.jpg", a.clip_path = "media/a.mp4", a.box = {1, 2, 30, 40};
  a.stream_start_s = 10, a.stream_raised_s = 11, a.status = "acknowledge";
  return a;
}

std::set<std::string> keys(const json& j) {
  std::set<std::string> out;
  for (const auto& [k, v] : j.items()) out.insert(k);
  return out;
}

std::set<std::string> names(Audience audience) {
  std::set<std::string> out;
  for (const auto& f : alert_fields())
    if (f.audience == Audience::kNetwork || audience == Audience::kLocal) out.insert(std::string(f.name));
  return out;
}

TEST(AlertSchema, EveryFieldIsThereWithItsDeclaredType) {
  for (const AlertRow& a : {closed_alert(), AlertRow{}}) {  // all set, and all empty (open, no media)
    EXPECT_EQ(check_alert_json(alert_to_json(a)), "");
    EXPECT_EQ(check_alert_json(alert_to_json(a, Audience::kLocal), Audience::kLocal), "");
    EXPECT_EQ(keys(alert_to_json(a)), names(Audience::kNetwork));
    EXPECT_EQ(keys(alert_to_json(a, Audience::kLocal)), names(Audience::kLocal));
  }
}

// The fields and values of server.cc's alert_json before the schema: the console reads them.
TEST(AlertSchema, TheNetworkAlertIsWhatTheApiGaveBefore) {
  const json j = alert_to_json(closed_alert());
  EXPECT_EQ(j, json::parse(R"({"id": "0190-a", "camera": "gate", "rule": "line_crossing:mid",
    "rule_type": "line_crossing", "where": "mid", "detail": "a_to_b", "tracks": [3, 4], "start_epoch": 1000,
    "last_epoch": 1010, "end_epoch": 1012, "peak": 2, "status": "acknowledge", "snapshot": true, "clip": "video",
    "box": [1, 2, 30, 40], "lat": null, "lon": null})"));
  AlertRow open;
  open.clip_path = "media/b.wav";
  EXPECT_TRUE(alert_to_json(open)["end_epoch"].is_null());
  EXPECT_EQ(alert_to_json(open)["clip"], "audio");
  EXPECT_EQ(alert_to_json(open)["snapshot"], false);
}

// A drone's alert carries where it was; an alert from a vigie before lat and lon (same
// version) is still a valid alert.
TEST(AlertSchema, APlaceIsOptionalWithinTheVersion) {
  AlertRow drone = closed_alert();
  drone.position = rules::GeoPosition{48.137, 11.575};
  const json j = alert_to_json(drone);
  EXPECT_EQ(j["lat"], 48.137);
  EXPECT_EQ(j["lon"], 11.575);
  EXPECT_EQ(check_alert_json(j), "");
  json older = alert_to_json(closed_alert());
  older.erase("lat");
  older.erase("lon");
  EXPECT_EQ(check_alert_json(older), "");
  older["lat"] = "48.1";
  EXPECT_THAT(check_alert_json(older), HasSubstr("'lat'"));
  EXPECT_THAT(alert_typescript(), HasSubstr("  lat?: number | null;\n"));
}

TEST(AlertSchema, LocalOutputAddsPathsAndStreamTimes) {
  const json j = alert_to_json(closed_alert(), Audience::kLocal);
  EXPECT_EQ(j["snapshot_path"], "media/a.jpg");
  EXPECT_EQ(j["clip_path"], "media/a.mp4");
  EXPECT_EQ(j["stream_raised_s"], 11);
  EXPECT_EQ(j["run_id"], "run-1");
}

TEST(AlertSchema, ChecksNameTheFirstDifference) {
  json j = alert_to_json(closed_alert());
  EXPECT_THAT(check_alert_json(j, Audience::kLocal), HasSubstr("'run_id' is missing"));
  j["snapshot_path"] = "/srv/media/a.jpg";  // a server path must not go over the network
  EXPECT_THAT(check_alert_json(j), HasSubstr("'snapshot_path' is not declared for this audience"));
  j.erase("snapshot_path");
  j["peak"] = "2";
  EXPECT_THAT(check_alert_json(j), HasSubstr("'peak' is \"2\", not number"));
  j["peak"] = 2;
  j["tracks"] = {1.5};
  EXPECT_THAT(check_alert_json(j), HasSubstr("'tracks'"));
}

TEST(AlertSchema, AMessageNamesItsVersion) {
  AlertMessage m;
  m.type = AlertChange::kAction, m.alert = closed_alert(), m.sent_epoch = 1020, m.by = "operator1";
  const json j = alert_message(m);
  EXPECT_EQ(j["schema"], "vigie.alert/1");
  EXPECT_EQ(j["type"], "action");
  EXPECT_EQ(j["by"], "operator1");
  EXPECT_EQ(j["alert"], alert_to_json(closed_alert()));
  EXPECT_FALSE(j.contains("frame_epoch"));
  EXPECT_FALSE(j.contains("before"));
  EXPECT_EQ(check_alert_message(j), "");
}

TEST(AlertSchema, BeforeIsNullOnTheFirstMqttMessage) {
  AlertMessage m;
  m.with_before = true;
  EXPECT_TRUE(alert_message(m)["before"].is_null());
  m.before = closed_alert();
  EXPECT_EQ(alert_message(m)["before"]["id"], "0190-a");
  EXPECT_EQ(check_alert_message(alert_message(m)), "");
  json bad = alert_message(m);
  bad["before"].erase("camera");
  EXPECT_EQ(check_alert_message(bad), "field 'before': field 'camera' is missing");
}

TEST(AlertSchema, AnEventGivesTheAlertTheStoreWouldHold) {
  rules::AlertEvent e;
  e.alert_id = "x", e.camera = "gate", e.rule = "r", e.rule_type = "loitering", e.track_ids = {7};
  e.start_s = 10, e.time_s = 15, e.epoch_s = 2015, e.peak = 5, e.box = {1, 2, 3, 4};
  AlertRow r = alert_row_of(e);
  EXPECT_EQ(r.start_epoch, 2010);
  EXPECT_EQ(r.last_epoch, 2015);
  EXPECT_FALSE(r.end_epoch);
  EXPECT_EQ(r.stream_raised_s, 15);
  e.phase = rules::Phase::kEnd, e.time_s = 20, e.epoch_s = 2020;
  r = alert_row_of(e);
  EXPECT_EQ(r.end_epoch, 2020);
  EXPECT_EQ(r.start_epoch, 2010);
  EXPECT_EQ(change_of(e.phase), AlertChange::kEnd);
  EXPECT_EQ(check_alert_json(alert_to_json(r)), "");
}

TEST(AlertSchema, TypescriptDeclaresEveryField) {
  const std::string ts = alert_typescript();
  EXPECT_THAT(ts, HasSubstr("export const ALERT_SCHEMA_VERSION = 1;\n"));
  EXPECT_THAT(ts, HasSubstr("export const ALERT_SCHEMA = 'vigie.alert/1';\n"));
  EXPECT_THAT(ts, HasSubstr("  end_epoch: number | null;\n"));
  EXPECT_THAT(ts, HasSubstr("  clip: 'audio' | 'video' | null;\n"));
  EXPECT_THAT(ts, HasSubstr("  snapshot_path?: string;\n"));
  EXPECT_THAT(ts, HasSubstr("  before?: Alert | null;\n"));
  for (const auto& f : alert_fields()) EXPECT_THAT(ts, HasSubstr(" " + std::string(f.name))) << f.name;
}

TEST(AlertSchema, JsonSchemaRequiresWhatTheNetworkGets) {
  const json s = alert_json_schema();
  EXPECT_EQ(s["properties"]["schema"]["const"], "vigie.alert/1");
  const json& alert = s["$defs"]["Alert"];
  EXPECT_EQ(alert["properties"].size(), alert_fields().size());
  std::set<std::string> required(alert["required"].begin(), alert["required"].end());
  std::set<std::string> expected = names(Audience::kNetwork);
  for (const auto& f : alert_fields())
    if (f.optional) expected.erase(std::string(f.name));
  EXPECT_EQ(required, expected);
  EXPECT_FALSE(required.count("lat"));
}

}  // namespace
}  // namespace vigie::events
