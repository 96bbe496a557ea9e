#include "drone/drone.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include <cmath>

namespace vigie::drone {
namespace {

namespace bg = boost::geometry;
using ::testing::HasSubstr;

constexpr double kT0 = 1796119200;  // 2026-12-01T10:00:00Z
const city::LatLon kMarienplatz{48.13725, 11.57540};

Pose looking_down(double alt, double fov = 90) {
  Pose p;
  p.position = kMarienplatz, p.alt_m = alt, p.pitch_deg = -90, p.fov_deg = fov;
  return p;
}

TEST(Footprint, StraightDownIsTheImageOnTheGround) {
  const city::LocalFrame frame(kMarienplatz);
  // 100 m up, 90° wide: 200 m across, 150 m deep (4:3).
  const auto f = footprint(looking_down(100), frame);
  EXPECT_NEAR(bg::area(f), 200 * 150, 1);
  city::BBox box;
  bg::envelope(f, box);
  EXPECT_NEAR(box.max_corner().x() - box.min_corner().x(), 200, 1e-6);
  EXPECT_NEAR(box.max_corner().y() - box.min_corner().y(), 150, 1e-6);
  EXPECT_TRUE(bg::covered_by(city::XY(0, 0), f));  // the point below the drone
}

TEST(Footprint, TiltedForwardItLiesAheadAlongTheHeading) {
  const city::LocalFrame frame(kMarienplatz);
  Pose p = looking_down(50);
  p.pitch_deg = -45, p.heading_deg = 90;  // looking east, half-way down
  const auto f = footprint(p, frame);
  city::BBox box;
  bg::envelope(f, box);
  EXPECT_GT(box.min_corner().x(), 0);  // all of it east of the drone…
  EXPECT_FALSE(bg::covered_by(city::XY(0, 0), f));
  EXPECT_TRUE(bg::covered_by(city::XY(50, 0), f));  // … the centre ray meets the ground 50 m ahead
}

TEST(Footprint, AViewReachingTheHorizonIsCutAtTheRange) {
  const city::LocalFrame frame(kMarienplatz);
  Pose p = looking_down(30);
  p.pitch_deg = -10;  // the upper half of the image sees the sky
  const auto f = footprint(p, frame, 400);
  city::BBox box;
  bg::envelope(f, box);
  EXPECT_NEAR(box.max_corner().y(), 400, 1e-6);
  EXPECT_TRUE(bg::is_valid(f));
}

TEST(Telemetry, CsvWithEpochsIsoTimesOrSecondsFromAStart) {
  auto t = parse_csv("time,lat,lon,alt,heading,pitch,fov\n"
                     "1796119200,48.1372,11.5754,60,90,-45,80\n"
                     "2026-12-01T10:00:01.5Z,48.1373,11.5755,61,91,-44,80\n");
  ASSERT_TRUE(t) << t.error().message;
  ASSERT_EQ(t->poses.size(), 2u);
  EXPECT_DOUBLE_EQ(t->poses[1].epoch, kT0 + 1.5);
  EXPECT_DOUBLE_EQ(t->poses[0].pitch_deg, -45);
  t = parse_csv("time,lat,lon\n0,48.1372,11.5754\n2,48.1372,11.5764\n", kT0);
  ASSERT_TRUE(t);
  EXPECT_DOUBLE_EQ(t->poses[1].epoch, kT0 + 2);
  EXPECT_NEAR(t->poses[0].heading_deg, 90, 0.01);  // no heading: along the track (east)
  EXPECT_FALSE(t->warnings.empty());
}

TEST(Telemetry, BadCsvSaysWhichLineAndWhy) {
  EXPECT_THAT(parse_csv("").error().message, HasSubstr("header"));
  EXPECT_THAT(parse_csv("when,lat,lon\n").error().message, HasSubstr("'time'"));
  EXPECT_THAT(parse_csv("time,lat,lon\n1796119200,91,11\n").error().message, HasSubstr("line 2"));
  EXPECT_THAT(parse_csv("time,lat,lon,alt\n1796119200,48,11,high\n").error().message, HasSubstr("alt 'high'"));
  EXPECT_THAT(parse_csv("time,lat,lon,pitch\n1796119200,48,11,-120\n").error().message, HasSubstr("pitch"));
  EXPECT_THAT(parse_csv("time,lat,lon\n").error().message, HasSubstr("no position"));
}

TEST(Telemetry, GpxTrackPoints) {
  const auto t = parse_gpx(R"(<?xml version="1.0"?><gpx><trk><trkseg>
    <trkpt lat="48.1372" lon="11.5754"><ele>80</ele><time>2026-12-01T10:00:00Z</time></trkpt>
    <trkpt lon='11.5754' lat='48.1382'><ele>82</ele><time>2026-12-01T10:00:10Z</time></trkpt>
  </trkseg></trk></gpx>)");
  ASSERT_TRUE(t) << t.error().message;
  ASSERT_EQ(t->poses.size(), 2u);
  EXPECT_DOUBLE_EQ(t->poses[1].alt_m, 82);
  EXPECT_NEAR(t->poses[0].heading_deg, 0, 0.01);  // due north
  EXPECT_THAT(parse_gpx("<gpx><trkpt lat=\"48\" lon=\"11\"></trkpt></gpx>").error().message, HasSubstr("<time>"));
  EXPECT_THAT(parse_gpx("<gpx></gpx>").error().message, HasSubstr("no position"));
}

TEST(Telemetry, DjiSubtitlesOldAndNew) {
  const auto t = parse_srt(
      "1\n00:00:00,000 --> 00:00:00,033\n<font size=\"28\">FrameCnt: 1, DiffTime: 33ms\n2026-12-01 10:00:00.000\n"
      "[iso: 100] [latitude: 48.137250] [longitude: 11.575400] [rel_alt: 55.000 abs_alt: 570.0] "
      "[gb_yaw: -90.0 gb_pitch: -30.0 gb_roll: 0.0]</font>\n\n"
      "2\n00:00:01,000 --> 00:00:01,033\n2026-12-01 10:00:01.000\n[latitude: 48.137300] [longitude: 11.575400] "
      "[rel_alt: 56.000 abs_alt: 571.0] [gb_yaw: -90.0 gb_pitch: -30.0 gb_roll: 0.0]\n");
  ASSERT_TRUE(t) << t.error().message;
  ASSERT_EQ(t->poses.size(), 2u);
  EXPECT_DOUBLE_EQ(t->poses[0].epoch, kT0);
  EXPECT_DOUBLE_EQ(t->poses[0].alt_m, 55);
  EXPECT_DOUBLE_EQ(t->poses[0].heading_deg, 270);
  EXPECT_DOUBLE_EQ(t->poses[0].pitch_deg, -30);
  // The older format: GPS(lon, lat, alt), times from the subtitles and a given start.
  const auto old = parse_srt("1\n00:00:02,500 --> 00:00:03,000\nGPS(11.5754,48.1372,40) BAROMETER:40\n", kT0);
  ASSERT_TRUE(old) << old.error().message;
  EXPECT_DOUBLE_EQ(old->poses[0].epoch, kT0 + 2.5);
  EXPECT_DOUBLE_EQ(old->poses[0].position.lat, 48.1372);
  EXPECT_THAT(parse_srt("1\n00:00:02,500 --> 00:00:03,000\nGPS(11.5754,48.1372,40)\n").error().message,
              HasSubstr("start time"));
  EXPECT_THAT(parse_srt("1\n00:00:00,000 --> 00:00:01,000\nhello\n", kT0).error().message, HasSubstr("subtitle 1"));
  // Hours beyond any flight are no time (they once reached std::stoi and threw), nor is
  // a time beyond year 5000 (it once became a minute beyond int64).
  EXPECT_THAT(parse_csv("time,lat,lon\n2.9e204,48.1,11.5\n").error().message, HasSubstr("out of range"));
  EXPECT_THAT(parse_srt("1\n111111111111111111111:00:01,000 --> 0\nGPS(11.5754,48.1372,40)\n", kT0).error().message,
              HasSubstr("start time"));
}

TEST(Authorisation, ReadAndRefused) {
  const auto a = parse_authorisation(R"({"reference": "PP-2026-1187", "purpose": "demonstration",
    "start": "2026-12-01T10:00:00Z", "end": "2026-12-01T10:10:00Z",
    "perimeter": {"type": "Polygon", "coordinates": [[[11.574, 48.136], [11.577, 48.136], [11.577, 48.139],
                                                       [11.574, 48.139], [11.574, 48.136]]]}})");
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->perimeter.size(), 5u);
  EXPECT_DOUBLE_EQ(a->end_epoch - a->start_epoch, 600);
  EXPECT_THAT(parse_authorisation("[]").error().message, HasSubstr("object"));
  EXPECT_THAT(parse_authorisation(R"({"start": 1, "end": 2})").error().message, HasSubstr("reference"));
  EXPECT_THAT(parse_authorisation(R"({"reference": "x", "start": 5, "end": 2})").error().message, HasSubstr("end after start"));
  EXPECT_THAT(parse_authorisation(R"({"reference": "x", "start": 1, "end": 2, "perimeter": [[[1, 2]]]})").error().message,
              HasSubstr("closed ring"));
  // Values of the wrong kind are refused, not thrown (the purpose is shown in public).
  EXPECT_THAT(parse_authorisation(R"({"reference": "x", "purpose": 7, "start": 1, "end": 2})").error().message,
              HasSubstr("'purpose'"));
  EXPECT_FALSE(parse_authorisation(R"({"reference": "x", "start": 1, "end": 2, "perimeter": {"type": 5}})"));
}

// A flight made here: 12 minutes eastwards from the middle of a 300 m square, leaving it
// after about 5 minutes, authorised for 10 minutes.
TEST(Flight, MinutesOutsideThePerimeterOrTheTimeAreFlagged) {
  std::string csv = "time,lat,lon,alt,heading,pitch,fov\n";
  const city::LocalFrame frame(kMarienplatz);
  for (int s = 0; s <= 12 * 60; s += 2) {
    const auto p = frame.to_latlon({s * 0.5, 0});  // 0.5 m/s east
    csv += fmt::format("{},{:.7f},{:.7f},60,90,-60,80\n", kT0 + s, p.lat, p.lon);
  }
  const auto t = parse_csv(csv);
  ASSERT_TRUE(t);
  Authorisation a;
  a.reference = "PP-1";
  for (auto [x, y] : {std::pair{-150.0, -150.0}, {150.0, -150.0}, {150.0, 150.0}, {-150.0, 150.0}, {-150.0, -150.0}})
    a.perimeter.push_back(frame.to_latlon({x, y}));
  a.start_epoch = kT0, a.end_epoch = kT0 + 600;
  const auto c = check_flight(*t, a);
  EXPECT_EQ(c.minutes, 13);  // minutes 0 to 12
  EXPECT_NEAR(c.distance_m, 360, 0.5);
  // Out of the square from 300 s (150 m) on: minute 5 (300 s is on its edge, 302 s out).
  ASSERT_FALSE(c.flagged.empty());
  EXPECT_DOUBLE_EQ(c.flagged.front().minute_epoch, kT0 + 5 * 60);
  EXPECT_TRUE(c.flagged.front().outside_perimeter);
  EXPECT_FALSE(c.flagged.front().outside_time);
  EXPECT_EQ(c.flagged.size(), 8u);  // minutes 5 to 12
  EXPECT_TRUE(c.flagged.back().outside_time);
  // The swept ground: a band along the 360 m track, wider than one footprint.
  EXPECT_GT(c.swept_m2, bg::area(footprint(t->poses.front(), frame)) * 2);
  const auto g = flight_geojson(*t, 60);
  int footprints = 0;
  for (const auto& f : g["features"]) footprints += f["properties"]["kind"] == "footprint";
  EXPECT_EQ(footprints, 13);
  EXPECT_EQ(g["features"].back()["properties"]["kind"], "swept");
  // Each footprint says where the camera was: the one of minute 2 is 60 m east.
  const auto& f2 = g["features"][2]["properties"];
  EXPECT_DOUBLE_EQ(f2["epoch"].get<double>(), kT0 + 120);
  EXPECT_NEAR(frame.to_xy({f2["lat"].get<double>(), f2["lon"].get<double>()}).x(), 60, 0.1);
}

TEST(Flight, ThePoseBetweenTwoFixesIsInterpolatedAndNoneOutsideTheTrack) {
  const city::LocalFrame frame(kMarienplatz);
  const auto east = frame.to_latlon({100, 0});
  const auto t = parse_csv(fmt::format("time,lat,lon,alt,heading,pitch,fov\n{},{},{},20,350,-90,80\n"
                                       "{},{:.8f},{:.8f},60,10,-30,80\n",
                                       kT0, kMarienplatz.lat, kMarienplatz.lon, kT0 + 10, east.lat, east.lon));
  ASSERT_TRUE(t) << t.error().message;
  const auto mid = pose_at(*t, kT0 + 2.5);
  ASSERT_TRUE(mid);
  EXPECT_NEAR(frame.to_xy(mid->position).x(), 25, 0.05);
  EXPECT_NEAR(mid->alt_m, 30, 1e-9);
  EXPECT_NEAR(mid->pitch_deg, -75, 1e-9);
  EXPECT_NEAR(mid->heading_deg, 355, 1e-9);  // 350 to 10 turns through north, not through south
  EXPECT_DOUBLE_EQ(pose_at(*t, kT0)->alt_m, 20);
  EXPECT_DOUBLE_EQ(pose_at(*t, kT0 + 10)->alt_m, 60);
  EXPECT_FALSE(pose_at(*t, kT0 - 0.1));
  EXPECT_FALSE(pose_at(*t, kT0 + 10.1));
  EXPECT_FALSE(pose_at(*t, std::nan("")));
}

}  // namespace
}  // namespace vigie::drone
