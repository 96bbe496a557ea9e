// Police incident records for the risk models (docs/risk.md): read from the CSV layouts we
// know, each row either kept with a position in metres and a civil time, or counted under
// the reason it was not — never dropped silently.
#pragma once

#include <cstdint>
#include <map>
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

struct IncidentSet {
  std::vector<Incident> incidents;  // sorted by time
  ImportReport report;
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

// "YYYY-MM-DD", "YYYY-MM-DD HH:MM" or "YYYY-MM-DDTHH:MM:SS" as a Minute; an Error naming
// the text otherwise. format_day gives back the YYYY-MM-DD of a Minute.
Result<Minute> parse_time(const std::string& text);
Minute civil_minute(int year, int month, int day, int hour = 0, int minute = 0);
std::string format_day(Minute m);

}  // namespace vigie::risk
