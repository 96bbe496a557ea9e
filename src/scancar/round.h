// A scancar's round: each photo of a parked car, its plate as read, and what becomes of
// it. Pure: the CLI reads photos and files; decide() and summarise() are plain functions.
//
// Nobody is fined by a machine: the best a photo can become here is a *candidate* for a
// person to review in the console's queue (events::ParkingCandidate). A car with a right is dropped and
// its photo deleted; a photo whose plate is not read, not French, or read without enough
// confidence is dropped too: no notice can come from it.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/result.h"
#include "plates/characters.h"
#include "scancar/rights.h"

namespace vigie::scancar {

// Where and when a photo was taken: the round's track, a CSV time,lat,lon,photo (Unix
// seconds, WGS84 degrees, the photo's file name in the round's folder).
struct Shot {
  std::string photo;
  double time = 0, lat = 0, lon = 0;
  int line = 0;
};
Result<std::vector<Shot>> read_track(const std::string& csv_path);

enum class Outcome { kDroppedRight, kDroppedUnread, kCandidate };
std::string_view outcome_name(Outcome outcome);  // "right" | "unread" | "candidate"

struct Decision {
  Outcome outcome = Outcome::kDroppedUnread;
  RightFound right;
  std::string why;  // one line for the round's report
};

// The plate's least sure character must be this likely for a candidate: a policy that
// prefers an unread car to a wrong candidate (a card holder misread by two characters is
// out of the card register's reach; decision 83). What it costs and prevents is measured
// by `vigie plates eval` (wrong_candidates, below_threshold). A plate-reading camera may
// raise it (plates.min_confidence), never lower it.
inline constexpr double kCandidateConfidence = kPlateCandidateFloor;

Decision decide(const std::optional<plates::PlateText>& plate, const Registers& registers, double time,
                double min_confidence = kCandidateConfidence);

struct RoundSummary {
  int cars = 0, candidates = 0, unread = 0;
  std::map<std::string, int> dropped_by_right;  // right_name → cars
  double candidates_per_100_cars = 0;
};
RoundSummary summarise(const std::vector<Decision>& decisions);

}  // namespace vigie::scancar
