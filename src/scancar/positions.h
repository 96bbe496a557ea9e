// Where and when a round's photos were taken, from what a scancar gives besides the CSV
// track of round.h: a GPX track of the car, each photo's time taken from its EXIF; or
// each photo's own EXIF GPS position and time. Times are UTC: an EXIF time without a zone
// is refused, since an hour's error would put a notice in another street.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "drone/drone.h"
#include "scancar/round.h"

namespace vigie::scancar {

// What a photo's EXIF says of where and when (each part empty when absent or malformed).
struct PhotoTags {
  std::optional<double> time;      // Unix seconds, UTC: GPS date and time, else the original time with its offset
  std::optional<double> lat, lon;  // WGS84 degrees from the GPS tags
};
// From a JPEG's bytes, or an EXIF block ("Exif\0\0…"); no EXIF at all: every part empty.
PhotoTags parse_exif(const unsigned char* data, size_t size);
Result<PhotoTags> read_exif(const std::string& photo_path);

// The position of the car at `time`: interpolated between the track's points around it,
// when they are at most `max_gap_s` apart (else a stop in the recording, not a position).
inline constexpr double kMaxTrackGapS = 60;
std::optional<city::LatLon> position_at(const drone::Telemetry& track, double time, double max_gap_s = kMaxTrackGapS);

// The photos of `folder` (.jpg, .jpeg, any case), in time order: with a GPX track, each at
// its EXIF time, placed on the track; without, each at its EXIF GPS position and time.
// Errors name the photo and what it lacks.
Result<std::vector<Shot>> shots_from_gpx(const std::string& folder, const std::string& gpx_path);
Result<std::vector<Shot>> shots_from_exif(const std::string& folder);

}  // namespace vigie::scancar
