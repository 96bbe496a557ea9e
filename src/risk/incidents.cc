#include "risk/incidents.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <numbers>
#include <optional>

#include "city/geo.h"
#include "core/csv.h"

namespace vigie::risk {
namespace {

namespace fs = std::filesystem;

// Days from 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool valid_date(int y, int m, int d) {
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return y >= 1900 && y <= 2200 && m >= 1 && m <= 12 && d >= 1 && d <= kDays[m - 1] &&
         !(m == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)));
}

// A whole number of a calendar or clock field (any sane one fits an int; 1e70 does not).
std::optional<int> integer(const std::string& s) {
  const auto v = parse_number(s);
  if (!v || *v != std::floor(*v) || std::abs(*v) > 1e6) return std::nullopt;
  return static_cast<int>(*v);
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

enum class Layout { kVancouver, kChicago, kDated, kGenericDegrees, kGenericMetres };

const char* layout_name(Layout l) {
  switch (l) {
    case Layout::kVancouver: return "vancouver (UTM zone 10N metres)";
    case Layout::kChicago: return "chicago (degrees)";
    case Layout::kDated: return "dated time,lat,long (degrees, date only)";
    case Layout::kGenericDegrees: return "generic time,lat,lon,type (degrees)";
    case Layout::kGenericMetres: return "generic time,x,y,type (metres)";
  }
  return "";
}

std::optional<Layout> layout_of(const std::vector<std::string>& h) {
  std::vector<std::string> l;
  for (const auto& c : h) l.push_back(lower(c));
  auto starts = [&](std::initializer_list<const char*> cols) {
    if (l.size() < cols.size()) return false;
    size_t i = 0;
    for (const char* c : cols)
      if (l[i++] != c) return false;
    return true;
  };
  if (starts({"type", "year", "month", "day", "hour", "minute", "hundred_block", "neighbourhood", "x", "y"}))
    return Layout::kVancouver;
  if (starts({"case number", "date", "block", "primary type", "latitude", "longitude"})) return Layout::kChicago;
  if (starts({"time", "lat", "lon", "type"})) return Layout::kGenericDegrees;
  if (starts({"time", "x", "y", "type"})) return Layout::kGenericMetres;
  if (starts({"time", "lat", "long"})) return Layout::kDated;
  return std::nullopt;
}

// One row as read, before projection: degrees (lat, lon) or metres (x, y).
struct Row {
  Incident incident;
  bool degrees = false;
};

// "MM/DD/YYYY hh:mm:ss AM" (Chicago's portal).
std::optional<Minute> chicago_time(const std::string& s) {
  int mo, d, y, h, mi, sec;
  char ampm[3] = {};
  if (std::sscanf(s.c_str(), "%2d/%2d/%4d %2d:%2d:%2d %2s", &mo, &d, &y, &h, &mi, &sec, ampm) != 7) return std::nullopt;
  const std::string p = ampm;
  if (!valid_date(y, mo, d) || h < 1 || h > 12 || mi < 0 || mi > 59 || (p != "AM" && p != "PM")) return std::nullopt;
  h = h % 12 + (p == "PM" ? 12 : 0);
  return civil_minute(y, mo, d, h, mi);
}

// A row in degrees, or why not: out of range, or 0,0 (how a missing position is written).
std::variant<Row, std::string> checked_degrees(const Row& r) {
  const auto& in = r.incident;
  if (std::abs(in.y) > 90 || std::abs(in.x) > 180) return std::string("position out of range");
  if (in.y == 0 && in.x == 0) return std::string("no position (0,0: offset to protect privacy, or unknown)");
  return r;
}

// Reads one row of `layout`, or returns why it cannot be kept.
std::variant<Row, std::string> read_row(Layout layout, const std::vector<std::string>& f) {
  Row r;
  auto& in = r.incident;
  switch (layout) {
    case Layout::kVancouver: {
      const auto y = integer(f[1]), mo = integer(f[2]), d = integer(f[3]), h = integer(f[4]), mi = integer(f[5]);
      if (!y || !mo || !d || !h || !mi || !valid_date(*y, *mo, *d) || *h < 0 || *h > 23 || *mi < 0 || *mi > 59)
        return std::string("bad date or time");
      const auto x = parse_number(f[8]), yy = parse_number(f[9]);
      if (!x || !yy) return std::string("no position");
      // Violent offences are published at 0,0 ("offset to protect privacy").
      if (*x == 0 || *yy == 0) return std::string("no position (0,0: offset to protect privacy, or unknown)");
      in.at = civil_minute(*y, *mo, *d, *h, *mi);
      in.clock_known = !(*h == 0 && *mi == 0);  // 00:00 is how an unknown time is written
      in.x = *x, in.y = *yy;
      in.type = f[0], in.area = f[7];
      return r;
    }
    case Layout::kChicago: {
      const auto t = chicago_time(f[1]);
      if (!t) return std::string("bad date or time");
      const auto lat = parse_number(f[4]), lon = parse_number(f[5]);
      if (!lat || !lon) return std::string("no position");
      in.at = *t, in.type = f[3], in.y = *lat, in.x = *lon;
      r.degrees = true;
      return checked_degrees(r);
    }
    case Layout::kDated:
    case Layout::kGenericDegrees:
    case Layout::kGenericMetres: {
      const auto t = parse_time(f[0]);
      if (!t) return std::string("bad date or time");
      const auto a = parse_number(f[1]), b = parse_number(f[2]);
      if (!a || !b) return std::string("no position");
      in.at = *t;
      in.clock_known = f[0].size() > 10;
      in.type = layout == Layout::kDated ? "incident" : f[3];
      if (layout == Layout::kGenericMetres) {
        in.x = *a, in.y = *b;
      } else {
        in.y = *a, in.x = *b;
        r.degrees = true;
      }
      return r.degrees ? checked_degrees(r) : std::variant<Row, std::string>(r);
    }
  }
  return std::string("unknown layout");
}

Result<Layout> read_file(const fs::path& path, std::vector<Row>& rows, ImportReport& report) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{fmt::format("cannot open '{}'", path.string())};
  std::string line;
  if (!std::getline(in, line)) return Error{fmt::format("'{}' is empty: no header", path.string())};
  if (line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);  // a UTF-8 byte-order mark
  bool latin1 = false;  // types and neighbourhoods end in JSON and HTML: UTF-8 only
  line = as_utf8(line, latin1);
  const auto header = split_csv(line);
  const auto layout = layout_of(header);
  if (!layout)
    return Error{fmt::format("'{}': unknown layout (header '{}'); expected the Vancouver, Chicago or generic "
                             "time,lat,lon,type / time,x,y,type columns (docs/risk.md)",
                             path.string(), line.substr(0, 120))};
  while (std::getline(in, line)) {
    if (line.empty() || line == "\r") continue;
    ++report.rows;
    const auto f = split_csv(as_utf8(line, latin1));
    if (f.size() < header.size()) {
      ++report.skipped["too few columns"];
      continue;
    }
    auto row = read_row(*layout, f);
    if (auto* why = std::get_if<std::string>(&row)) {
      ++report.skipped[*why];
      continue;
    }
    rows.push_back(std::get<Row>(std::move(row)));
  }
  report.files.push_back(fmt::format("{}: {}{}", path.string(), layout_name(*layout),
                                     latin1 ? " (not UTF-8: lines read as Latin-1)" : ""));
  return *layout;
}

}  // namespace

Minute civil_minute(int year, int month, int day, int hour, int minute) {
  return days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) * kMinutesPerDay +
         hour * 60 + minute;
}

Result<Minute> parse_time(const std::string& text) {
  int y, mo, d, h = 0, mi = 0, s = 0;
  char sep = ' ';
  const int n = std::sscanf(text.c_str(), "%4d-%2d-%2d%c%2d:%2d:%2d", &y, &mo, &d, &sep, &h, &mi, &s);
  const bool shape = n == 3 ? text.size() == 10 : (n >= 6 && (sep == ' ' || sep == 'T'));
  if (!shape || !valid_date(y, mo, d) || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 60)
    return Error{fmt::format("'{}' is not a time (YYYY-MM-DD or YYYY-MM-DD HH:MM[:SS])", text)};
  return civil_minute(y, mo, d, h, mi);
}

std::string format_day(Minute m) {
  // civil_from_days (H. Hinnant), on the day part.
  int64_t z = (m >= 0 ? m : m - kMinutesPerDay + 1) / kMinutesPerDay + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned mo = mp < 10 ? mp + 3 : mp - 9;
  const int64_t y = static_cast<int64_t>(yoe) + era * 400 + (mo <= 2);
  return fmt::format("{:04}-{:02}-{:02}", y, mo, d);
}

LatLonDeg utm_to_latlon(double easting, double northing, int zone, bool north) {
  constexpr double a = 6378137.0, f = 1 / 298.257222101, k0 = 0.9996;
  const double e2 = f * (2 - f), ep2 = e2 / (1 - e2);
  const double x = easting - 500000.0, y = north ? northing : northing - 10000000.0;
  const double mu = y / k0 / (a * (1 - e2 / 4 - 3 * e2 * e2 / 64 - 5 * e2 * e2 * e2 / 256));
  const double e1 = (1 - std::sqrt(1 - e2)) / (1 + std::sqrt(1 - e2));
  const double phi1 = mu + (3 * e1 / 2 - 27 * std::pow(e1, 3) / 32) * std::sin(2 * mu) +
                      (21 * e1 * e1 / 16 - 55 * std::pow(e1, 4) / 32) * std::sin(4 * mu) +
                      (151 * std::pow(e1, 3) / 96) * std::sin(6 * mu) + (1097 * std::pow(e1, 4) / 512) * std::sin(8 * mu);
  const double s = std::sin(phi1), c = std::cos(phi1), t = std::tan(phi1);
  const double N1 = a / std::sqrt(1 - e2 * s * s), T1 = t * t, C1 = ep2 * c * c;
  const double R1 = a * (1 - e2) / std::pow(1 - e2 * s * s, 1.5), D = x / (N1 * k0);
  const double lat = phi1 - (N1 * t / R1) * (D * D / 2 - (5 + 3 * T1 + 10 * C1 - 4 * C1 * C1 - 9 * ep2) * std::pow(D, 4) / 24 +
                                             (61 + 90 * T1 + 298 * C1 + 45 * T1 * T1 - 252 * ep2 - 3 * C1 * C1) *
                                                 std::pow(D, 6) / 720);
  const double lon = (D - (1 + 2 * T1 + C1) * std::pow(D, 3) / 6 +
                      (5 - 2 * C1 + 28 * T1 - 3 * C1 * C1 + 8 * ep2 + 24 * T1 * T1) * std::pow(D, 5) / 120) / c;
  constexpr double deg = 180 / std::numbers::pi;
  return {lat * deg, zone * 6.0 - 183.0 + lon * deg};
}

std::optional<LatLonDeg> Unprojection::to_latlon(double x, double y) const {
  switch (kind) {
    case Kind::kUtm: return utm_to_latlon(x, y, zone);
    case Kind::kTangent: {
      const auto p = city::LocalFrame({lat0, lon0}).to_latlon({x, y});
      return LatLonDeg{p.lat, p.lon};
    }
    case Kind::kUnknown: return std::nullopt;
  }
  return std::nullopt;
}

Result<std::vector<std::filesystem::path>> csv_files(const std::string& path) {
  std::vector<fs::path> files;
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    for (const auto& e : fs::directory_iterator(path, ec))
      if (e.is_regular_file() && lower(e.path().extension().string()) == ".csv") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    if (files.empty()) return Error{fmt::format("'{}' holds no .csv file", path)};
  } else if (fs::is_regular_file(path, ec)) {
    files.push_back(path);
  } else {
    return Error{fmt::format("'{}' is neither a file nor a folder", path)};
  }
  return files;
}

Result<IncidentSet> read_incidents(const std::string& path) {
  auto listed = csv_files(path);
  if (!listed) return listed.error();
  const auto& files = *listed;
  IncidentSet set;
  std::vector<Row> rows;
  bool only_vancouver = true;
  for (const auto& f : files) {
    auto layout = read_file(f, rows, set.report);
    if (!layout) return layout.error();
    only_vancouver = only_vancouver && *layout == Layout::kVancouver;
  }
  const auto degrees = std::count_if(rows.begin(), rows.end(), [](const Row& r) { return r.degrees; });
  if (degrees > 0 && degrees < static_cast<long>(rows.size()))
    return Error{"the files mix degrees and metres: read them as separate sets"};
  if (degrees > 0) {
    double lat = 0, lon = 0;
    for (const auto& r : rows) lat += r.incident.y, lon += r.incident.x;
    const city::LatLon origin{lat / rows.size(), lon / rows.size()};
    const city::LocalFrame frame(origin);
    for (auto& r : rows) {
      const auto xy = frame.to_xy({r.incident.y, r.incident.x});
      r.incident.x = xy.x(), r.incident.y = xy.y();
    }
    set.report.projection = fmt::format("degrees on the plane tangent at {:.5f}, {:.5f} (metres)", origin.lat, origin.lon);
    set.unprojection = {Unprojection::Kind::kTangent, 0, origin.lat, origin.lon};
  } else {
    set.report.projection = "metres as given";
    if (only_vancouver) set.unprojection = {Unprojection::Kind::kUtm, 10, 0, 0};  // EPSG:26910
  }
  set.incidents.reserve(rows.size());
  for (auto& r : rows) set.incidents.push_back(std::move(r.incident));
  std::stable_sort(set.incidents.begin(), set.incidents.end(),
                   [](const Incident& a, const Incident& b) { return a.at < b.at; });
  set.report.kept = set.incidents.size();
  if (set.incidents.empty()) return Error{fmt::format("'{}': no row with a usable time and position", path)};
  return set;
}

}  // namespace vigie::risk
