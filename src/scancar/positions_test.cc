// Where and when a round's photos were taken: EXIF GPS and times (written here with
// libexif into JPEGs made by OpenCV), and a GPX track of the car.
#include "scancar/positions.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <libexif/exif-data.h>

#include <cstring>
#include <fstream>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include "core/test_data.h"

namespace vigie::scancar {
namespace {
namespace fs = std::filesystem;
using ::testing::HasSubstr;

constexpr double kNoon = 1764676800;  // 2025-12-02T12:00:00Z

// What to write into a photo's EXIF ("" or empty vectors: left out).
struct Written {
  std::vector<std::pair<uint32_t, uint32_t>> lat, lon, gps_time;  // degrees/minutes/seconds; h/m/s
  std::string lat_ref = "N", lon_ref = "E", gps_date, original, offset;
};

void add_entry(ExifData* d, ExifIfd ifd, int tag, ExifFormat format, unsigned components, const void* bytes,
               unsigned size) {
  ExifMem* mem = exif_mem_new_default();
  ExifEntry* e = exif_entry_new_mem(mem);
  e->data = static_cast<unsigned char*>(exif_mem_alloc(mem, size));
  std::memcpy(e->data, bytes, size);
  e->size = size, e->components = components, e->format = format, e->tag = static_cast<ExifTag>(tag);
  exif_content_add_entry(d->ifd[ifd], e);
  exif_entry_unref(e);
  exif_mem_unref(mem);
}

void add_ascii(ExifData* d, ExifIfd ifd, int tag, const std::string& text) {
  if (!text.empty()) add_entry(d, ifd, tag, EXIF_FORMAT_ASCII, text.size() + 1, text.c_str(), text.size() + 1);
}

void add_rationals(ExifData* d, int tag, const std::vector<std::pair<uint32_t, uint32_t>>& values) {
  if (values.empty()) return;
  std::vector<unsigned char> bytes(8 * values.size());
  for (size_t i = 0; i < values.size(); ++i)
    exif_set_rational(bytes.data() + 8 * i, EXIF_BYTE_ORDER_INTEL, {values[i].first, values[i].second});
  add_entry(d, EXIF_IFD_GPS, tag, EXIF_FORMAT_RATIONAL, values.size(), bytes.data(), bytes.size());
}

// A small JPEG (OpenCV) with an APP1 EXIF block (libexif) after its start marker.
std::string photo_with(const Written& w) {
  std::vector<unsigned char> jpeg;
  cv::imencode(".jpg", cv::Mat(32, 48, CV_8UC3, cv::Scalar(90, 120, 150)), jpeg);
  ExifData* d = exif_data_new();
  exif_data_unset_option(d, EXIF_DATA_OPTION_FOLLOW_SPECIFICATION);
  exif_data_set_byte_order(d, EXIF_BYTE_ORDER_INTEL);
  add_rationals(d, EXIF_TAG_GPS_LATITUDE, w.lat);
  add_rationals(d, EXIF_TAG_GPS_LONGITUDE, w.lon);
  add_rationals(d, EXIF_TAG_GPS_TIME_STAMP, w.gps_time);
  if (!w.lat.empty()) add_ascii(d, EXIF_IFD_GPS, EXIF_TAG_GPS_LATITUDE_REF, w.lat_ref);
  if (!w.lon.empty()) add_ascii(d, EXIF_IFD_GPS, EXIF_TAG_GPS_LONGITUDE_REF, w.lon_ref);
  add_ascii(d, EXIF_IFD_GPS, EXIF_TAG_GPS_DATE_STAMP, w.gps_date);
  add_ascii(d, EXIF_IFD_EXIF, EXIF_TAG_DATE_TIME_ORIGINAL, w.original);
  add_ascii(d, EXIF_IFD_EXIF, 0x9011, w.offset);  // OffsetTimeOriginal
  unsigned char* block = nullptr;
  unsigned int size = 0;
  exif_data_save_data(d, &block, &size);
  exif_data_unref(d);
  std::string out = "\xFF\xD8\xFF\xE1";
  out += static_cast<char>((size + 2) >> 8), out += static_cast<char>((size + 2) & 0xFF);
  out.append(reinterpret_cast<const char*>(block), size);
  free(block);
  out.append(reinterpret_cast<const char*>(jpeg.data()) + 2, jpeg.size() - 2);
  return out;
}

// 43°17'47.4"N 5°22'11.3"E (Marseille), photographed at 12:00:00 + `seconds` UTC.
Written marseille(int seconds = 0) {
  Written w;
  w.lat = {{43, 1}, {17, 1}, {474, 10}}, w.lon = {{5, 1}, {22, 1}, {113, 10}};
  w.gps_date = "2025:12:02", w.gps_time = {{12, 1}, {static_cast<uint32_t>(seconds / 60), 1}, {static_cast<uint32_t>(seconds % 60), 1}};
  return w;
}

PhotoTags tags_of(const std::string& bytes) {
  return parse_exif(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
}

TEST(PhotoExif, GpsPositionAndUtcTime) {
  Written w = marseille(65);
  const auto t = tags_of(photo_with(w));
  ASSERT_TRUE(t.time && t.lat && t.lon);
  EXPECT_DOUBLE_EQ(*t.time, kNoon + 65);
  EXPECT_NEAR(*t.lat, 43 + 17 / 60.0 + 47.4 / 3600, 1e-9);
  EXPECT_NEAR(*t.lon, 5 + 22 / 60.0 + 11.3 / 3600, 1e-9);
  w.lat_ref = "S", w.lon_ref = "W";
  const auto south_west = tags_of(photo_with(w));
  ASSERT_TRUE(south_west.lat);
  EXPECT_LT(*south_west.lat, 0);
  EXPECT_LT(*south_west.lon, 0);
}

TEST(PhotoExif, TheCamerasOwnTimeCountsOnlyWithItsZone) {
  Written w;
  w.original = "2025:12:02 13:00:30";
  EXPECT_FALSE(tags_of(photo_with(w)).time);  // local time of no known zone
  w.offset = "+01:00";
  const auto t = tags_of(photo_with(w));
  ASSERT_TRUE(t.time);
  EXPECT_DOUBLE_EQ(*t.time, kNoon + 30);
  EXPECT_FALSE(t.lat);
  w.offset = "-02:30";
  EXPECT_DOUBLE_EQ(*tags_of(photo_with(w)).time, kNoon + 3600 + 30 + 2.5 * 3600);
}

TEST(PhotoExif, NoOrBrokenExifGivesNothing) {
  std::vector<unsigned char> jpeg;
  cv::imencode(".jpg", cv::Mat(8, 8, CV_8UC3), jpeg);
  const auto none = parse_exif(jpeg.data(), jpeg.size());
  EXPECT_FALSE(none.time || none.lat || none.lon);
  static const char kJunk[] = "\xFF\xD8\xFF\xE1\x00\x10" "Exif\0\0II*\0\xff\xff\xff\xff";
  const std::string junk(kJunk, sizeof kJunk - 1);
  const auto broken = tags_of(junk);
  EXPECT_FALSE(broken.time || broken.lat);
  Written no_denominator = marseille();
  no_denominator.lat = {{43, 0}, {17, 1}, {0, 1}};
  EXPECT_FALSE(tags_of(photo_with(no_denominator)).lat);
  Written bad_minutes = marseille();
  bad_minutes.lat = {{43, 1}, {75, 1}, {0, 1}};
  EXPECT_FALSE(tags_of(photo_with(bad_minutes)).lat);
  Written bad_ref = marseille();
  bad_ref.lat_ref = "Q";
  EXPECT_FALSE(tags_of(photo_with(bad_ref)).lat);
  Written signed_offset;
  signed_offset.original = "2025:12:02 13:00:30", signed_offset.offset = "+-1:00";
  EXPECT_FALSE(tags_of(photo_with(signed_offset)).time);
  EXPECT_FALSE(parse_exif(nullptr, 0).time);
}

struct Round {
  fs::path dir;
  explicit Round(const std::string& name) : dir(vigie::testing::fresh_temp_dir(name)) {}
  void photo(const std::string& name, const Written& w) const {
    std::ofstream(dir / name, std::ios::binary) << photo_with(w);
  }
};

TEST(RoundPositions, FromEachPhotosExifInTimeOrder) {
  Round r("scancar_exif");
  r.photo("b.jpg", marseille(10));
  r.photo("a.JPG", marseille(70));
  std::ofstream(r.dir / "notes.txt") << "not a photo";
  auto shots = shots_from_exif(r.dir.string());
  ASSERT_TRUE(shots) << shots.error().message;
  ASSERT_EQ(shots->size(), 2u);
  EXPECT_EQ((*shots)[0].photo, "b.jpg");
  EXPECT_DOUBLE_EQ((*shots)[0].time, kNoon + 10);
  EXPECT_EQ((*shots)[1].photo, "a.JPG");
  EXPECT_NEAR((*shots)[1].lat, 43.2965, 1e-3);
  Written no_gps;
  no_gps.original = "2025:12:02 13:00:30", no_gps.offset = "+01:00";
  r.photo("c.jpg", no_gps);
  auto refused = shots_from_exif(r.dir.string());
  ASSERT_FALSE(refused);
  EXPECT_THAT(refused.error().message, HasSubstr("c.jpg: no GPS position"));
  EXPECT_THAT(refused.error().message, HasSubstr("--track"));
  EXPECT_THAT(shots_from_exif((r.dir / "absent").string()).error().message, HasSubstr("cannot list"));
}

TEST(RoundPositions, FromAGpxTrackAtEachPhotosTime) {
  Round r("scancar_gpx");
  const auto gpx = r.dir / "car.gpx";
  std::ofstream(gpx) << R"(<?xml version="1.0"?><gpx version="1.1"><trk><trkseg>
<trkpt lat="43.2960" lon="5.3690"><time>2025-12-02T12:00:00Z</time></trkpt>
<trkpt lat="43.2970" lon="5.3700"><time>2025-12-02T12:00:30Z</time></trkpt>
<trkpt lat="43.2980" lon="5.3710"><time>2025-12-02T12:01:00Z</time></trkpt>
<trkpt lat="43.2990" lon="5.3720"><time>2025-12-02T12:05:00Z</time></trkpt>
</trkseg></trk></gpx>)";
  Written when;  // a time, no position: the track gives it
  when.gps_date = "2025:12:02", when.gps_time = {{12, 1}, {0, 1}, {15, 1}};
  r.photo("one.jpg", when);
  auto shots = shots_from_gpx(r.dir.string(), gpx.string());
  ASSERT_TRUE(shots) << shots.error().message;
  ASSERT_EQ(shots->size(), 1u);
  EXPECT_NEAR((*shots)[0].lat, 43.2965, 1e-6);
  EXPECT_NEAR((*shots)[0].lon, 5.3695, 1e-6);
  EXPECT_DOUBLE_EQ((*shots)[0].time, kNoon + 15);
  // Four minutes between two points: a stop in the recording, not a position.
  when.gps_time = {{12, 1}, {3, 1}, {0, 1}};
  r.photo("two.jpg", when);
  auto gap = shots_from_gpx(r.dir.string(), gpx.string());
  ASSERT_FALSE(gap);
  EXPECT_THAT(gap.error().message, HasSubstr("two.jpg: taken at"));
  EXPECT_THAT(gap.error().message, HasSubstr("within 60 s"));
  // On a track point exactly; before the track begins.
  when.gps_time = {{12, 1}, {1, 1}, {0, 1}};
  r.photo("two.jpg", when);
  shots = shots_from_gpx(r.dir.string(), gpx.string());
  ASSERT_TRUE(shots) << shots.error().message;
  EXPECT_DOUBLE_EQ((*shots)[1].lat, 43.2980);
  when.gps_time = {{11, 1}, {59, 1}, {59, 1}};
  r.photo("two.jpg", when);
  EXPECT_THAT(shots_from_gpx(r.dir.string(), gpx.string()).error().message, HasSubstr("two.jpg: taken at"));
  fs::remove(r.dir / "two.jpg");
  r.photo("three.jpg", Written{});
  EXPECT_THAT(shots_from_gpx(r.dir.string(), gpx.string()).error().message, HasSubstr("three.jpg: no time"));
  fs::remove(r.dir / "three.jpg");
  std::ofstream(gpx) << "<gpx><trk><trkpt lat='91' lon='5'><time>2025-12-02T12:00:00Z</time></trkpt></trk></gpx>";
  EXPECT_FALSE(shots_from_gpx(r.dir.string(), gpx.string()));  // the photo is fine; the track is not
}

TEST(RoundPositions, HiddenFilesAreNotPhotos) {
  Round r("scancar_hidden");
  r.photo("a.jpg", marseille(10));
  std::ofstream(r.dir / "._a.jpg") << "a Mac's resource fork";
  auto shots = shots_from_exif(r.dir.string());
  ASSERT_TRUE(shots) << shots.error().message;
  EXPECT_EQ(shots->size(), 1u);
}

}  // namespace
}  // namespace vigie::scancar
