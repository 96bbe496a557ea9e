#include "config/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace vigie {
using ::testing::HasSubstr;

std::string error_of(const std::string& yaml) {
  try {
    parse_config(yaml, "site.yaml");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(Config, EmptyFileGivesDefaults) {
  const Config c = parse_config("", "x");
  EXPECT_EQ(c.detect.type, "people");
  EXPECT_EQ(c.detect.classes, std::vector<std::string>{"person"});
  EXPECT_TRUE(c.cameras.empty());
}

TEST(Config, ReadsCamerasAndMasks) {
  const Config c = parse_config(R"(
detect: { type: onnx, model: m.onnx, every_n_frames: 2 }
cameras:
  gate-1:
    input: rtsp://127.0.0.1:8554/gate
    analyze_fps: 5
    privacy_masks: [ [[0,0],[200,0],[200,120]] ]
)");
  ASSERT_EQ(c.cameras.size(), 1u);
  const auto& cam = c.cameras.at("gate-1");
  EXPECT_EQ(cam.input, "rtsp://127.0.0.1:8554/gate");
  EXPECT_EQ(cam.analyze_fps, 5);
  ASSERT_EQ(cam.privacy_masks.size(), 1u);
  EXPECT_EQ(cam.privacy_masks[0][1], cv::Point2f(200, 0));
  EXPECT_EQ(c.detect.every_n_frames, 2);
}

TEST(Config, TheNetworkLooksAtWhatTracksDoNotExplainWhenAsked) {
  const Config c = parse_config("detect: { type: onnx, model: m.onnx, regions: unexplained, refresh_s: 0.5 }", "x");
  EXPECT_EQ(c.detect.regions, "unexplained");
  EXPECT_DOUBLE_EQ(c.detect.refresh_s, 0.5);
  EXPECT_EQ(parse_config("", "x").detect.regions, "full");
  EXPECT_THAT(error_of("detect: { regions: tracks }"), HasSubstr("detect.regions: must be full, motion or unexplained"));
  EXPECT_THAT(error_of("detect: { refresh_s: -1 }"), HasSubstr("detect.refresh_s: must be >= 0"));
  EXPECT_THAT(error_of("motion_gate: { enabled: false }\ndetect: { type: onnx, model: m.onnx, regions: unexplained }"),
              HasSubstr("detect.regions: unexplained looks where the motion gate sees motion; it needs motion_gate.enabled"));
}

TEST(Config, UnknownKeyNamesKeyAndLine) {
  const auto e = error_of("detect:\n  type: motion\n  treshold: 3\n");
  EXPECT_THAT(e, HasSubstr("site.yaml:3: detect.treshold: unknown key"));
}

TEST(Config, WrongTypeIsAnError) {
  EXPECT_THAT(error_of("detect: { every_n_frames: many }"),
              HasSubstr("detect.every_n_frames: expected an integer"));
}

TEST(Config, AudioLevelsAreRelativeUnlessSaidAbsolute) {
  const auto rules = parse_config("cameras: { a: { input: x, rules: [ {type: impulse}, "
                                  "{type: sound_level, level: absolute, above_db: 90}, "
                                  "{type: scream, above_background_db: 12} ] } }")
                         .cameras.at("a")
                         .rules;
  EXPECT_FALSE(audio_level(rules[0]).absolute);
  EXPECT_EQ(audio_level(rules[0]).above_background_db, 20);
  EXPECT_TRUE(audio_level(rules[1]).absolute);
  EXPECT_EQ(audio_level(rules[1]).above_db, 90);
  EXPECT_EQ(audio_level(rules[2]).above_background_db, 12);
  // A threshold of the other mode is named, not ignored.
  EXPECT_THAT(error_of("cameras:\n  a:\n    input: x\n    rules:\n      - { type: impulse, above_db: 90 }\n"),
              HasSubstr("site.yaml:5: cameras.a.rules[0].above_db: applies to level: absolute"));
  EXPECT_THAT(error_of("cameras: { a: { input: x, rules: [ {type: clamour, level: absolute, above_background_db: 9} ] } }"),
              HasSubstr("above_background_db: applies to level: relative"));
  EXPECT_THAT(error_of("cameras: { a: { input: x, rules: [ {type: clamour, level: loud} ] } }"),
              HasSubstr("must be relative or absolute"));
  EXPECT_THAT(error_of("cameras: { a: { input: x, rules: [ {type: scream, above_background_db: -3} ] } }"),
              HasSubstr("must be > 0"));
  EXPECT_THAT(error_of("cameras: { a: { input: x, rules: [ {type: group, radius: 5, above_db: 80} ] } }"),
              HasSubstr("rules[0].above_db: is not a setting of group rules"));
}

// A setting another rule type reads is refused on a type that would ignore it, named with
// what the type does take; a key no type reads is unknown.
TEST(Config, ASettingTheRuleTypeDoesNotUseIsRefusedByName) {
  const auto rule = [](const std::string& r) {
    return error_of("cameras:\n  a:\n    input: x\n    zones: {z: [[0, 0], [9, 0], [9, 9]]}\n"
                    "    lines: {l: {points: [[0, 0], [9, 9]]}}\n    rules:\n      - " + r + "\n");
  };
  EXPECT_THAT(rule("{type: line_crossing, line: l, cooldown_seconds: 30}"),
              HasSubstr("site.yaml:7: cameras.a.rules[0].cooldown_seconds: is not a setting of line_crossing rules "
                        "(they take: name, direction, hours, line, objects)"));
  EXPECT_THAT(rule("{type: scream, hours: '22:00-06:00'}"), HasSubstr("rules[0].hours: is not a setting of scream"));
  EXPECT_THAT(rule("{type: clamour, objects: [person]}"), HasSubstr("rules[0].objects: is not a setting of clamour"));
  EXPECT_THAT(rule("{type: zone_intrusion, zone: z, min_count: 3}"),
              HasSubstr("rules[0].min_count: is not a setting of zone_intrusion"));
  EXPECT_THAT(rule("{type: group, radius: 5, cooldown_seconds: 3}"),
              HasSubstr("rules[0].cooldown_seconds: is not a setting of group"));
  EXPECT_THAT(rule("{type: impulse, min_seconds: 1}"), HasSubstr("rules[0].min_seconds: is not a setting of impulse"));
  EXPECT_THAT(rule("{type: loitering, zone: z, min_secnds: 60}"), HasSubstr("rules[0].min_secnds: unknown key"));
  // What each type does take is accepted.
  EXPECT_EQ(rule("{type: crowd, zone: z, min_count: 3, hysteresis: 1, min_seconds: 2, max_gap_seconds: 1, "
                 "cooldown_seconds: 5, objects: [person], hours: '08:00-20:00', name: c}"),
            "");
  EXPECT_EQ(rule("{type: impulse, rise_db: 12, cooldown_seconds: 1, level: absolute, above_db: 90}"), "");
}

// Each rule holds its type's own settings, with the type's defaults: loitering and
// zone_intrusion share a mechanism but not a default stay; a distance defaults only in metres.
TEST(Config, EachRuleHoldsItsTypesOwnSettings) {
  const auto cams = parse_config(
                        "cameras:\n"
                        "  a:\n    input: x\n    zones: {z: [[0, 0], [9, 0], [9, 9]]}\n"
                        "    rules: [{type: loitering, zone: z}, {type: zone_intrusion, zone: z, name: in},\n"
                        "            {type: group, radius: 40}, {type: scream}]\n"
                        "  b:\n    input: x\n    homography: [[1, 0, 0], [0, 1, 0], [0, 0, 1]]\n"
                        "    rules: [{type: group}, {type: abandoned_object}]\n")
                        .cameras;
  const auto& a = cams.at("a").rules;
  EXPECT_EQ(a[0].as<ZoneDwellRule>().min_seconds, 60);
  EXPECT_EQ(a[0].name, "loitering:z");
  EXPECT_EQ(a[1].as<ZoneDwellRule>().min_seconds, 0);
  EXPECT_EQ(rule_place(a[1]), "z");
  EXPECT_EQ(a[2].as<GroupRule>().radius, 40);
  EXPECT_EQ(a[2].as<GroupRule>().min_count, 3);
  EXPECT_THROW(a[2].as<ZoneDwellRule>(), std::bad_variant_access);
  EXPECT_EQ(a[3].as<SustainedSoundRule>().min_seconds, 0.3);
  EXPECT_TRUE(a[3].objects.empty()) << "an audio rule has no classes";
  EXPECT_EQ(a[0].objects, std::vector<std::string>{"person"});
  const auto& b = cams.at("b").rules;
  EXPECT_EQ(b[0].as<GroupRule>().radius, 1.5);
  EXPECT_EQ(b[1].as<AbandonedObjectRule>().owner_distance, 3);
  EXPECT_EQ(b[1].objects, (std::vector<std::string>{"backpack", "handbag", "suitcase"}));
  // The list of types in the error comes from the same table the reader uses.
  const auto bad = error_of("cameras: { a: { input: x, rules: [ {type: loitring} ] } }");
  for (const auto& [type, settings] : rule_types()) EXPECT_THAT(bad, HasSubstr(type));
}

// Detector, gate and tracker settings are per camera: the site's sections, changed by the
// camera's own; checked per camera, and named with the camera's path.
TEST(Config, ACameraChangesTheSitesDetectorSettingsForItselfOnly) {
  const auto c = parse_config(
      "detect: { type: motion, every_n_frames: 2 }\ntrack: { max_lost_s: 5 }\n"
      "cameras:\n"
      "  square: { input: x, detect: { type: onnx, model: m.onnx }, motion_gate: { width: 320 } }\n"
      "  street: { input: y, track: { max_lost_s: 1 } }\n");
  const auto& square = c.cameras.at("square");
  const auto& street = c.cameras.at("street");
  EXPECT_EQ(square.detect.type, "onnx");
  EXPECT_EQ(square.detect.every_n_frames, 2) << "what the camera does not say is the site's";
  EXPECT_EQ(square.motion_gate.width, 320);
  EXPECT_EQ(square.track.max_lost_s, 5);
  EXPECT_EQ(street.detect.type, "motion");
  EXPECT_EQ(street.motion_gate.width, 160);
  EXPECT_EQ(street.track.max_lost_s, 1);
  EXPECT_EQ(c.detect.type, "motion");
  EXPECT_THAT(error_of("cameras:\n  a:\n    input: x\n    detect:\n      treshold: 3\n"),
              HasSubstr("site.yaml:5: cameras.a.detect.treshold: unknown key"));
  EXPECT_THAT(error_of("cameras: { a: { input: x, detect: { type: onnx } } }"),
              HasSubstr("cameras.a: detect.model: required when detect.type is onnx"));
  EXPECT_THAT(error_of("cameras: { a: { input: x, track: { high_score: 0.7 } } }"),
              HasSubstr("cameras.a: track.new_track_score (0.6) must be >= track.high_score (0.7)"));
}

// Reading plates is a camera's choice, and such a camera is a scancar's and nothing else.
TEST(Config, OnlyAScancarsCameraReadsPlates) {
  const auto c = parse_config(
      "cameras:\n  scancar-1: { plates: { read: true, max_lines: 2, min_confidence: 0.95 } }\n"
      "  street: { input: y }\n");
  const auto& scancar = c.cameras.at("scancar-1");
  EXPECT_TRUE(scancar.plates.read);
  EXPECT_FALSE(scancar.streams());
  EXPECT_EQ(scancar.plates.max_lines, 2);
  EXPECT_EQ(scancar.plates.min_confidence, 0.95);
  EXPECT_FALSE(c.cameras.at("street").plates.read);
  EXPECT_TRUE(c.cameras.at("street").streams());
  EXPECT_THAT(error_of("cameras:\n  s:\n    plates: { read: true }\n    input: rtsp://cam/1\n"),
              HasSubstr("site.yaml:4: cameras.s.input: a camera that reads plates is a scancar's"));
  EXPECT_THAT(error_of("cameras: { s: { plates: { read: true }, rules: [ {type: scream} ] } }"),
              HasSubstr("cameras.s.rules: a camera that reads plates"));
  EXPECT_THAT(error_of("cameras: { s: { plates: { read: true, min_confidence: 0.6 } } }"),
              HasSubstr("cameras.s.plates.min_confidence: must be from 0.9"));
  EXPECT_THAT(error_of("cameras: { s: { input: x, plates: { max_lines: 2 } } }"),
              HasSubstr("cameras.s.plates.max_lines: applies only to a camera with plates: {read: true}"));
  EXPECT_EQ(error_of("cameras: { s: { input: x, plates: { read: false } } }"), "") << "the default, said";
}

TEST(Config, OutOfRangeIsNotClamped) {
  EXPECT_THAT(error_of("cameras:\n  a:\n    input: x.avi\n    analyze_fps: -5\n"),
              HasSubstr("site.yaml:4: cameras.a.analyze_fps: must be >= 0"));
}

TEST(Config, BadEnumListsChoices) {
  EXPECT_THAT(error_of("detect: { type: magic }"), HasSubstr("must be people, motion, onnx or replay"));
}

TEST(Config, OnnxWithoutModelIsRefused) {
  EXPECT_THAT(error_of("detect: { type: onnx }"), HasSubstr("detect.model: required"));
}

TEST(Config, MalformedPolygonIsRefused) {
  EXPECT_THAT(error_of("cameras: { a: { input: x, privacy_masks: [ [[0,0],[1,1]] ] } }"),
              HasSubstr("cameras.a.privacy_masks[0]: a polygon is a list of at least 3"));
}

// Regression: `listen: 127.0.0.1:99999` listened on another port and printed 99999.
TEST(Config, ListenPortOutOfRangeIsRefused) {
  EXPECT_THAT(error_of("server: { listen: '127.0.0.1:99999' }"),
              HasSubstr("server.listen: must be host:port with a port from 0 to 65535"));
  EXPECT_THAT(error_of("server: { listen: '127.0.0.1:80x' }"), HasSubstr("server.listen"));
  EXPECT_THAT(error_of("server: { listen: ':8080' }"), HasSubstr("server.listen"));
  EXPECT_EQ(split_listen("[::1]:8443"), (std::pair<std::string, int>{"::1", 8443}));
  EXPECT_THROW(split_listen("127.0.0.1:65536"), ConfigError);  // --listen is checked too
}

// Regression: `input: notaurl://x` was retried for ever without a word.
TEST(Config, CameraInputWithAnUnknownSchemeIsRefused) {
  EXPECT_THAT(error_of("cameras: { a: { input: 'notaurl://x' } }"),
              HasSubstr("cameras.a.input: must be a file, an image folder or a stream URL"));
  EXPECT_THAT(error_of("cameras: { a: { input: 'rtsp://' } }"), HasSubstr("cameras.a.input"));
}

TEST(Config, AMovingCamerasTrackIsASubtitleGpxOrCsvFile) {
  EXPECT_THAT(error_of("cameras: { d: { input: x.mp4, telemetry: flight.kml } }"),
              HasSubstr("cameras.d.telemetry: must be a .srt, .gpx or .csv track"));
  const auto c = parse_config("cameras: { d: { input: x.mp4, telemetry: DJI_0001.SRT } }", "site.yaml");
  EXPECT_EQ(c.cameras.at("d").telemetry, "DJI_0001.SRT");
  EXPECT_EQ(error_of("cameras: { d: { input: x.mp4, telemetry: track.GPX } }"), "");
}

// Like the video beside it, the track is found beside the config file, wherever vigie runs.
TEST(Config, FilesTheConfigNamesAreRelativeToIt) {
  const auto dir = std::filesystem::temp_directory_path() / ("vigie_config_relative_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "site.yaml") << "detect: { type: onnx, model: site.onnx }\n"
                                    << "cameras: { d: { input: DJI_0001.MP4, telemetry: DJI_0001.SRT },\n"
                                    << "  e: { input: e.mp4, detect: { model: own.onnx } },\n"
                                    << "  s: { plates: { read: true, models: plate-models } } }\n";
  const auto c = load_config((dir / "site.yaml").string());
  EXPECT_EQ(c.cameras.at("d").input, (dir / "DJI_0001.MP4").string());
  EXPECT_EQ(c.cameras.at("d").telemetry, (dir / "DJI_0001.SRT").string());
  // A camera's own files, and those it takes from the site, once each.
  EXPECT_EQ(c.detect.model, (dir / "site.onnx").string());
  EXPECT_EQ(c.cameras.at("d").detect.model, (dir / "site.onnx").string());
  EXPECT_EQ(c.cameras.at("e").detect.model, (dir / "own.onnx").string());
  EXPECT_EQ(c.cameras.at("s").plates.models, (dir / "plate-models").string());
  std::filesystem::remove_all(dir);
}

// Regression (fuzz/regressions/config): yaml-cpp's conversion errors escaped parse_config,
// so a caller catching ConfigError terminated.
TEST(Config, AValueOfTheWrongShapeAnywhereIsAConfigError) {
  for (const char* yaml : {"cameras: {[1]: {input: x}}", "server: {[1]: 2}",
                           "cameras: {c: {input: x, homography: [[1, 0, 0], [0, 1, 0], [0, 0, z]]}}",
                           "cameras: {c: {input: x, lines: {l: {points: [[0, 0], [1, z]]}}}}"})
    EXPECT_THAT(error_of(yaml), HasSubstr("site.yaml:1:")) << yaml;
}

TEST(Config, TlsNeedsBothCertificateAndKey) {
  EXPECT_THAT(error_of("server: { tls: { cert: c.pem } }"), HasSubstr("server.tls: needs both cert and key"));
  EXPECT_THAT(error_of("server: { tls: { cert: c.pem, key: k.pem, pass: x } }"), HasSubstr("server.tls.pass: unknown key"));
}

TEST(Config, AStoreUrlIsPostgresqlAndNeedsTheAuditKey) {
  EXPECT_THAT(error_of("store: { url: mysql://x/y, audit_key: k }"), HasSubstr("store.url: must be a PostgreSQL URL"));
  EXPECT_THAT(error_of("store: { url: 'postgresql://vigie@db:5432/vigie' }"),
              HasSubstr("store.audit_key: required with store.url"));
  const Config c = parse_config("store: { url: 'postgresql://vigie@db:5432/vigie', audit_key: /etc/vigie/audit.key }");
  EXPECT_EQ(c.store.location(), "postgresql://vigie@db:5432/vigie");
  EXPECT_EQ(parse_config("store: { path: a.db }").store.location(), "a.db");
}

TEST(Config, RecordingKeepsAtMostThirtyDaysAndAServerStoreNamesItsKey) {
  const Config d = parse_config("cameras: { a: { input: x.avi } }");
  EXPECT_FALSE(d.cameras.at("a").record);
  EXPECT_EQ(d.recording.segment_seconds, 60);
  EXPECT_EQ(d.recording.retention_days, 30);
  EXPECT_EQ(recording_key_path(d), "vigie.db.recording-key");
  const Config c = parse_config("recording: { folder: /srv/rec, segment_seconds: 30, retention_days: 7, quota_gb: 50, "
                                "key: /etc/vigie/rec.key }\ncameras: { a: { input: x.avi, record: true } }");
  EXPECT_TRUE(c.cameras.at("a").record);
  EXPECT_EQ(c.recording.quota_gb, 50);
  EXPECT_EQ(recording_key_path(c), "/etc/vigie/rec.key");
  EXPECT_EQ(beside_store(c.store, c.recording.folder), "/srv/rec");
  EXPECT_THAT(error_of("recording:\n  retention_days: 31\n"),
              HasSubstr("site.yaml:2: recording.retention_days: must be > 0 and at most 30"));
  EXPECT_THAT(error_of("recording: { segment_seconds: 1 }"), HasSubstr("recording.segment_seconds: must be from 2"));
  EXPECT_THAT(error_of("recording: { quota_gb: -1 }"), HasSubstr("recording.quota_gb: must be >= 0"));
  EXPECT_THAT(error_of("recording: { keep: 3 }"), HasSubstr("recording.keep: unknown key"));
  EXPECT_THAT(error_of("store: { parking_photo_hours: 0 }"), HasSubstr("store.parking_photo_hours: must be > 0"));
  EXPECT_THAT(error_of("cameras: { a: { input: x.avi, record: maybe } }"), HasSubstr("cameras.a.record"));
  EXPECT_THAT(error_of("store: { url: 'postgresql://vigie@db/vigie', audit_key: k }\n"
                       "cameras: { a: { input: x.avi, record: true } }"),
              HasSubstr("recording.key: required with store.url"));
  EXPECT_EQ(error_of("store: { url: 'postgresql://vigie@db/vigie', audit_key: k }\n"
                     "recording: { key: /etc/vigie/rec.key }\ncameras: { a: { input: x.avi, record: true } }"),
            "");
}

TEST(Config, ACamerasNameIsAFileNameNeverAPath) {
  for (const char* bad : {"'../up'", "'a/b'", "'/srv'", "'.hidden'", "'two words'", "''"})
    EXPECT_THAT(error_of(std::string("cameras:\n  ") + bad + ": { input: x.avi }\n"), HasSubstr("a camera's name is"))
        << bad;
  EXPECT_EQ(error_of("cameras: { gate-1.north_B: { input: x.avi } }"), "");
}

TEST(Config, ClusterSettingsAreCheckedAndARoleNeedsPostgresql) {
  const std::string pg = "store: { url: 'postgresql://vigie@db/vigie', audit_key: k }\n";
  EXPECT_THAT(error_of(pg + "cluster: { role: master }"), HasSubstr("cluster.role"));
  EXPECT_THAT(error_of(pg + "cluster: { role: worker, lease_s: 1 }"), HasSubstr("lease_s"));
  EXPECT_THAT(error_of(pg + "cluster: { role: worker, claim_grace_s: -1 }"), HasSubstr("claim_grace_s"));
  EXPECT_THAT(error_of(pg + "cluster: { role: worker, advertise: 'w1:8080' }"), HasSubstr("advertise"));
  EXPECT_THAT(error_of(pg + "cluster: { role: worker, node: '' }"), HasSubstr("node"));
  EXPECT_THAT(error_of(pg + "cluster: { role: worker, leases: 3 }"), HasSubstr("leases"));  // unknown key named
  EXPECT_THAT(error_of("cluster: { role: api }"), HasSubstr("needs a PostgreSQL store"));
  const Config c = parse_config(pg + "cluster: { role: worker, node: w1, advertise: 'http://w1:8080', lease_s: 20 }");
  EXPECT_EQ(c.cluster.role, "worker");
  EXPECT_EQ(c.cluster.advertise, "http://w1:8080");
  EXPECT_EQ(c.cluster.lease_s, 20);
}

TEST(Config, InvalidYamlGivesLine) {
  EXPECT_THAT(error_of("detect: {type: onnx\n"), HasSubstr("invalid YAML"));
}

TEST(Config, AbsentOptionalSectionsKeepTheirDefaults) {
  const Config c = parse_config("store: { path: x.db }", "x");
  EXPECT_TRUE(c.mqtt.host.empty());  // no broker: no publishing
  EXPECT_THAT(error_of("mqtt: { host: '' }"), HasSubstr("mqtt.host: must not be empty"));
  EXPECT_THAT(error_of("mqtt: { host: h, topic_prefix: 'a/#' }"), HasSubstr("without wildcards"));
}

TEST(Config, MissingFileIsAnError) {
  EXPECT_THROW(load_config("/nonexistent/site.yaml"), ConfigError);
}

}  // namespace vigie

namespace vigie {
TEST(Config, CitySectionOverridesCameraDefaultsAndCosts) {
  const Config c = parse_config(
      "city:\n  camera_defaults:\n    fixed: { fov_deg: 60, range_m: 20 }\n  upkeep_eur_per_year: 5000\n", "x");
  EXPECT_EQ(c.city.fixed.fov_deg, 60);
  EXPECT_EQ(c.city.fixed.range_m, 20);
  EXPECT_EQ(c.city.fixed.height_m, 4);  // untouched default
  EXPECT_EQ(c.city.dome.fov_deg, 360);
  EXPECT_EQ(c.city.upkeep_eur_per_year, 5000);
  EXPECT_THAT(error_of("city: { camera_defaults: { dome: { fov_deg: 400 } } }"),
              HasSubstr("city.camera_defaults.dome.fov_deg: must be in (0, 360]"));
  EXPECT_THAT(error_of("city: { install_eur_low: 30000 }"), HasSubstr("install_eur_high"));
  EXPECT_THAT(error_of("city: { camera_defaults: { bullet: {} } }"), HasSubstr("unknown key"));
}
}  // namespace vigie

namespace vigie {
TEST(Config, ServerSectionAndCameraGeo) {
  const Config c = parse_config(
      "server: { listen: '0.0.0.0:9000', login_attempts: 3 }\n"
      "cameras:\n  gate:\n    input: rtsp://x/1\n    geo: { lat: 43.30, lon: 5.38, heading: 180, fov: 70 }\n",
      "x");
  EXPECT_EQ(c.server.listen, "0.0.0.0:9000");
  EXPECT_EQ(c.server.login_attempts, 3);
  EXPECT_EQ(c.server.session_hours, 12);
  const auto& g = c.cameras.at("gate").geo;
  EXPECT_TRUE(g.set);
  EXPECT_DOUBLE_EQ(g.lat, 43.30);
  EXPECT_DOUBLE_EQ(g.heading_deg, 180);
  EXPECT_DOUBLE_EQ(g.range_m, 30);
  EXPECT_THAT(error_of("cameras: { a: { input: x, geo: { lat: 91, lon: 0 } } }"), HasSubstr("geo.lat: must be in [-90, 90]"));
  EXPECT_THAT(error_of("server: { listen: '8080' }"), HasSubstr("server.listen: must be host:port"));
}
}  // namespace vigie
