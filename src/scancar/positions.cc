#include "scancar/positions.h"

#include <fmt/format.h>
#include <libexif/exif-data.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>

namespace vigie::scancar {
namespace {

namespace fs = std::filesystem;

// A photo's EXIF, read from its first bytes (the APP1 block comes first in a JPEG).
constexpr std::streamsize kExifBytes = 256 * 1024;

using ExifPtr = std::unique_ptr<ExifData, decltype(&exif_data_unref)>;

std::optional<std::string> ascii(ExifData* d, ExifIfd ifd, int tag) {
  ExifEntry* e = exif_content_get_entry(d->ifd[ifd], static_cast<ExifTag>(tag));
  if (!e || e->format != EXIF_FORMAT_ASCII || !e->data || e->size == 0) return std::nullopt;
  return std::string(reinterpret_cast<const char*>(e->data), strnlen(reinterpret_cast<const char*>(e->data), e->size));
}

// The `n` unsigned rationals of a tag, or empty.
std::optional<std::vector<double>> rationals(ExifData* d, ExifIfd ifd, int tag, unsigned n) {
  ExifEntry* e = exif_content_get_entry(d->ifd[ifd], static_cast<ExifTag>(tag));
  if (!e || e->format != EXIF_FORMAT_RATIONAL || e->components != n || !e->data || e->size < 8 * n) return std::nullopt;
  std::vector<double> out;
  for (unsigned i = 0; i < n; ++i) {
    const ExifRational r = exif_get_rational(e->data + 8 * i, exif_data_get_byte_order(d));
    if (r.denominator == 0) return std::nullopt;
    out.push_back(static_cast<double>(r.numerator) / r.denominator);
  }
  return out;
}

// Degrees, minutes and seconds with their hemisphere ("N", "S", "E", "W").
std::optional<double> coordinate(ExifData* d, int value_tag, int ref_tag, double limit, char negative) {
  const auto dms = rationals(d, EXIF_IFD_GPS, value_tag, 3);
  const auto ref = ascii(d, EXIF_IFD_GPS, ref_tag);
  if (!dms || !ref || ref->empty()) return std::nullopt;
  if ((*dms)[1] >= 60 || (*dms)[2] >= 60) return std::nullopt;
  const double v = (*dms)[0] + (*dms)[1] / 60 + (*dms)[2] / 3600;
  const char hemisphere = static_cast<char>(std::toupper(static_cast<unsigned char>((*ref)[0])));
  const char positive = negative == 'S' ? 'N' : 'E';
  if (!std::isfinite(v) || v > limit || (hemisphere != negative && hemisphere != positive)) return std::nullopt;
  return hemisphere == negative ? -v : v;
}

// "YYYY:MM:DD" and seconds of the day, as Unix seconds (UTC).
std::optional<double> utc_epoch(const std::string& date, double seconds_of_day) {
  std::tm tm{};
  const char* end = strptime(date.c_str(), "%Y:%m:%d", &tm);
  if (!end || tm.tm_year < 70 || !std::isfinite(seconds_of_day) || seconds_of_day < 0 || seconds_of_day > 86401)
    return std::nullopt;
  return static_cast<double>(timegm(&tm)) + seconds_of_day;
}

std::optional<double> gps_time(ExifData* d) {
  const auto date = ascii(d, EXIF_IFD_GPS, EXIF_TAG_GPS_DATE_STAMP);
  const auto hms = rationals(d, EXIF_IFD_GPS, EXIF_TAG_GPS_TIME_STAMP, 3);
  if (!date || !hms) return std::nullopt;
  return utc_epoch(*date, (*hms)[0] * 3600 + (*hms)[1] * 60 + (*hms)[2]);
}

// DateTimeOriginal "YYYY:MM:DD HH:MM:SS" with OffsetTimeOriginal "+HH:MM" (EXIF 2.31).
std::optional<double> original_time(ExifData* d) {
  constexpr int kOffsetTimeOriginal = 0x9011;
  const auto when = ascii(d, EXIF_IFD_EXIF, EXIF_TAG_DATE_TIME_ORIGINAL);
  const auto offset = ascii(d, EXIF_IFD_EXIF, kOffsetTimeOriginal);
  if (!when || !offset || when->size() < 19 || offset->size() < 6) return std::nullopt;
  int h = 0, m = 0, s = 0, oh = 0, om = 0;
  char sign = 0;
  // Digits where the format has them ("YYYY:MM:DD HH:MM:SS", "+HH:MM"): sscanf alone
  // would take signs and spaces.
  const auto digits_at = [](const std::string& t, std::initializer_list<size_t> at) {
    return std::all_of(at.begin(), at.end(), [&](size_t i) { return std::isdigit(static_cast<unsigned char>(t[i])); });
  };
  if ((*when)[10] != ' ' || !digits_at(*when, {11, 12, 14, 15, 17, 18}) || !digits_at(*offset, {1, 2, 4, 5}))
    return std::nullopt;
  if (std::sscanf(when->c_str() + 11, "%2d:%2d:%2d", &h, &m, &s) != 3) return std::nullopt;
  if (std::sscanf(offset->c_str(), "%c%2d:%2d", &sign, &oh, &om) != 3 || (sign != '+' && sign != '-')) return std::nullopt;
  const auto local = utc_epoch(when->substr(0, 10), h * 3600.0 + m * 60 + s);
  if (!local || h > 23 || m > 59 || s > 60 || oh > 14 || om > 59) return std::nullopt;
  return *local - (sign == '-' ? -1 : 1) * (oh * 3600.0 + om * 60);
}

bool is_photo(const fs::path& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext == ".jpg" || ext == ".jpeg";
}

Result<std::vector<fs::path>> photos_in(const std::string& folder) {
  std::error_code ec;
  std::vector<fs::path> out;
  // Plain files only (a link's photo would stay when the link is deleted), and no hidden
  // ones (a Mac's "._IMG.jpg" beside each photo).
  for (const auto& e : fs::directory_iterator(folder, ec))
    if (e.is_regular_file() && !e.is_symlink() && is_photo(e.path()) && !e.path().filename().string().starts_with("."))
      out.push_back(e.path());
  if (ec) return Error{fmt::format("cannot list the photos of '{}': {}", folder, ec.message())};
  if (out.empty()) return Error{fmt::format("no photo (.jpg) in '{}'", folder)};
  std::sort(out.begin(), out.end());
  return out;
}

// What an EXIF time is read from.
constexpr const char* kTimeTags = "GPS date and time, or the original time with its offset";

// The photos of `folder` in time order, each placed by `place` from its EXIF tags.
template <typename Place>
Result<std::vector<Shot>> shots_of(const std::string& folder, Place place) {
  auto photos = photos_in(folder);
  if (!photos) return photos.error();
  std::vector<Shot> shots;
  for (const auto& photo : *photos) {
    auto tags = read_exif(photo.string());
    if (!tags) return tags.error();
    auto shot = place(photo, *tags);
    if (!shot) return shot.error();
    shots.push_back(std::move(*shot));
  }
  std::stable_sort(shots.begin(), shots.end(), [](const Shot& a, const Shot& b) { return a.time < b.time; });
  return shots;
}

}  // namespace

PhotoTags parse_exif(const unsigned char* data, size_t size) {
  PhotoTags tags;
  if (!data || size == 0) return tags;
  ExifPtr d(exif_data_new_from_data(data, static_cast<unsigned int>(std::min<size_t>(size, UINT32_MAX))),
            &exif_data_unref);
  if (!d) return tags;
  tags.time = gps_time(d.get());
  if (!tags.time) tags.time = original_time(d.get());
  tags.lat = coordinate(d.get(), EXIF_TAG_GPS_LATITUDE, EXIF_TAG_GPS_LATITUDE_REF, 90, 'S');
  tags.lon = coordinate(d.get(), EXIF_TAG_GPS_LONGITUDE, EXIF_TAG_GPS_LONGITUDE_REF, 180, 'W');
  if (!tags.lat || !tags.lon) tags.lat.reset(), tags.lon.reset();
  return tags;
}

Result<PhotoTags> read_exif(const std::string& photo_path) {
  std::ifstream in(photo_path, std::ios::binary);
  if (!in) return Error{fmt::format("cannot read the photo '{}'", photo_path)};
  std::vector<unsigned char> head(kExifBytes);
  in.read(reinterpret_cast<char*>(head.data()), kExifBytes);
  head.resize(static_cast<size_t>(in.gcount()));
  return parse_exif(head.data(), head.size());
}

std::optional<city::LatLon> position_at(const drone::Telemetry& track, double time, double max_gap_s) {
  const auto& p = track.poses;
  const auto after = std::lower_bound(p.begin(), p.end(), time, [](const drone::Pose& a, double t) { return a.epoch < t; });
  if (after != p.end() && after->epoch == time) return after->position;
  if (after == p.begin() || after == p.end() || after->epoch - std::prev(after)->epoch > max_gap_s) return std::nullopt;
  const auto pose = drone::pose_at(track, time);
  if (!pose) return std::nullopt;
  return pose->position;
}

Result<std::vector<Shot>> shots_from_gpx(const std::string& folder, const std::string& gpx_path) {
  auto track = drone::read_telemetry(gpx_path);
  if (!track) return track.error();
  return shots_of(folder, [&](const fs::path& photo, const PhotoTags& tags) -> Result<Shot> {
    if (!tags.time) return Error{fmt::format("{}: no time in its EXIF ({})", photo.string(), kTimeTags)};
    const auto at = position_at(*track, *tags.time);
    if (!at)
      return Error{fmt::format("{}: taken at {:.0f}, when the track {} has no position within {:.0f} s", photo.string(),
                               *tags.time, gpx_path, kMaxTrackGapS)};
    return Shot{photo.filename().string(), *tags.time, at->lat, at->lon, 0};
  });
}

Result<std::vector<Shot>> shots_from_exif(const std::string& folder) {
  return shots_of(folder, [](const fs::path& photo, const PhotoTags& tags) -> Result<Shot> {
    if (!tags.lat)
      return Error{fmt::format("{}: no GPS position in its EXIF: give the round's track (--track, CSV or GPX)",
                               photo.string())};
    if (!tags.time)
      return Error{fmt::format("{}: no time in its EXIF ({}): give the round's track (--track, CSV or GPX)",
                               photo.string(), kTimeTags)};
    return Shot{photo.filename().string(), *tags.time, *tags.lat, *tags.lon, 0};
  });
}

}  // namespace vigie::scancar
