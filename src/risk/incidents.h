// Police incident records for the risk models (docs/risk.md): read from the CSV layouts we
// know, each row either kept with a position in metres and a civil time, or counted under
// the reason it was not — never dropped silently.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace vigie::risk {

// Minutes since 1970-01-01 00:00 in the records' own civil time (no time zone: a day is the
// calendar day the police wrote down).
using Minute = int64_t;
constexpr Minute kMinutesPerDay = 1440;

struct Incident {
  Minute at = 0;
  double x = 0, y = 0;     // metres, east and north, in the set's projection
  std::string type;
  std::string area;        // neighbourhood, when the layout has one
  bool clock_known = true; // false: date only, or the 00:00 that means "time unknown"
};

// What an import read and what it set aside, by reason.
struct ImportReport {
  size_t rows = 0, kept = 0;
  std::map<std::string, size_t> skipped;  // reason → rows
  std::vector<std::string> files;         // "path: layout"
  std::string projection;                 // how positions became metres
};

// UTM metres (GRS80/WGS84 ellipsoid; NAD83 and WGS84 agree within a metre or two) to
// degrees; Snyder's series (USGS Professional Paper 1395), centimetre-level in a zone.
struct LatLonDeg {
  double lat = 0, lon = 0;
};
LatLonDeg utm_to_latlon(double easting, double northing, int zone, bool north = true);

// How a set's metres go back to degrees.
struct Unprojection {
  enum class Kind { kUtm, kTangent, kUnknown } kind = Kind::kUnknown;
  int zone = 0;                 // kUtm (northern hemisphere)
  double lat0 = 0, lon0 = 0;    // kTangent: the plane's origin
  std::optional<LatLonDeg> to_latlon(double x, double y) const;
};

struct IncidentSet {
  std::vector<Incident> incidents;  // sorted by time
  ImportReport report;
  Unprojection unprojection;  // back to degrees, for maps
};

// Reads one CSV file, or every .csv of a folder (sorted by name), of these layouts (found
// by their header):
//   vancouver  TYPE,YEAR,MONTH,DAY,HOUR,MINUTE,HUNDRED_BLOCK,NEIGHBOURHOOD,X,Y (UTM 10N m)
//   chicago    Case Number,Date,Block,Primary Type,Latitude,Longitude
//   dated      time,lat,long,…   (a date per row, one type: "incident")
//   generic    time,lat,lon,type  or  time,x,y,type  (time: YYYY-MM-DD[ HH:MM[:SS]])
// Degrees are projected on the plane tangent at the set's mean position (equirectangular,
// off by < 0.01 % over a city); metre layouts are kept as they are. A set mixes metre and
// degree files only if they agree, so mixing them is an error.
Result<IncidentSet> read_incidents(const std::string& path);

// `path` itself if it is a file, else the .csv files of the folder `path`, by name; an
// Error when there is none, or nothing at `path`.
Result<std::vector<std::filesystem::path>> csv_files(const std::string& path);

// "YYYY-MM-DD", "YYYY-MM-DD HH:MM" or "YYYY-MM-DDTHH:MM:SS" as a Minute; an Error naming
// the text otherwise. format_day gives back the YYYY-MM-DD of a Minute.
Result<Minute> parse_time(const std::string& text);
Minute civil_minute(int year, int month, int day, int hour = 0, int minute = 0);
std::string format_day(Minute m);

}  // namespace vigie::risk
