#include "scancar/round.h"

#include <fmt/format.h>

#include <cmath>
#include <fstream>
#include <map>

#include "core/csv.h"

namespace vigie::scancar {

std::string_view outcome_name(Outcome outcome) {
  switch (outcome) {
    case Outcome::kDroppedRight: return "right";
    case Outcome::kDroppedUnread: return "unread";
    case Outcome::kCandidate: return "candidate";
  }
  return "unread";
}

Result<std::vector<Shot>> read_track(const std::string& csv_path) {
  std::ifstream in(csv_path);
  if (!in) return Error{fmt::format("cannot read the track '{}'", csv_path)};
  std::string line;
  if (!std::getline(in, line) || split_csv(line) != std::vector<std::string>{"time", "lat", "lon", "photo"})
    return Error{fmt::format("{}:1: the header is time,lat,lon,photo", csv_path)};
  std::vector<Shot> shots;
  std::map<std::string, int> line_of;  // each photo's line
  for (int n = 2; std::getline(in, line); ++n) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    const std::string where = fmt::format("{}:{}", csv_path, n);
    const auto f = split_csv(line);
    if (f.size() != 4) return Error{fmt::format("{}: expected time,lat,lon,photo", where)};
    const auto time = parse_number(f[0]), lat = parse_number(f[1]), lon = parse_number(f[2]);
    if (!time || *time < 0 || *time > 1e12) return Error{fmt::format("{}: the time is Unix seconds", where)};
    if (!lat || !lon || std::abs(*lat) > 90 || std::abs(*lon) > 180)
      return Error{fmt::format("{}: lat and lon are WGS84 degrees", where)};
    const std::string& photo = f[3];
    if (photo.empty() || photo.find('/') != std::string::npos || photo == "." || photo == "..")
      return Error{fmt::format("{}: the photo is a file name in the round's folder", where)};
    if (const auto [earlier, fresh] = line_of.emplace(photo, n); !fresh)
      return Error{fmt::format("{}: photo '{}' is named on line {} already", where, photo, earlier->second)};
    shots.push_back({photo, *time, *lat, *lon, n});
  }
  if (shots.empty()) return Error{fmt::format("{}: the track has no photo", csv_path)};
  return shots;
}

Decision decide(const std::optional<plates::PlateText>& plate, const Registers& registers, double time,
                double min_confidence) {
  if (!plate) return {Outcome::kDroppedUnread, {}, "no plate read"};
  const RightFound right = right_at(registers, plate->text, time);
  if (right.right != Right::kNone) {
    const std::string how = right.near_match ? " (one character from a declared plate)" : "";
    return {Outcome::kDroppedRight, right, fmt::format("{}{}", right_name(right.right), how)};
  }
  if (plate->format != plates::PlateFormat::kSiv && plate->format != plates::PlateFormat::kFni)
    return {Outcome::kDroppedUnread, right, fmt::format("{} plate: no notice by machine", plates::format_name(plate->format))};
  if (plate->confidence < min_confidence)
    return {Outcome::kDroppedUnread, right, fmt::format("read with confidence {:.3f} < {:.3f}", plate->confidence, min_confidence)};
  return {Outcome::kCandidate, right, "no right found: for a person to review"};
}

RoundSummary summarise(const std::vector<Decision>& decisions) {
  RoundSummary s;
  s.cars = static_cast<int>(decisions.size());
  for (const auto& d : decisions) {
    if (d.outcome == Outcome::kCandidate) ++s.candidates;
    if (d.outcome == Outcome::kDroppedUnread) ++s.unread;
    if (d.outcome == Outcome::kDroppedRight) ++s.dropped_by_right[std::string(right_name(d.right.right))];
  }
  s.candidates_per_100_cars = s.cars > 0 ? 100.0 * s.candidates / s.cars : 0;
  return s;
}

}  // namespace vigie::scancar
