// A parked car's rights to park, from three registers: paid sessions (parking meters and
// apps), resident permits, and the disability cards their holders declared (carte mobilité
// inclusion – stationnement: free parking on any space, by law). Pure: the registers are
// values, read from CSV files by read_registers().
//
// The plate register does not say who carries a card, so a holder's car looks like any
// other to a plate reader: the card register is checked first, and a read plate one
// character away from a declared plate counts as the card's (a reader's error must not
// fine a holder; a paying driver's near-miss only costs a person's look in the review).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace vigie::scancar {

struct PaidSession {
  std::string plate;
  double start = 0, end = 0;  // Unix seconds
};

struct ResidentPermit {
  std::string plate;
  double valid_from = 0, valid_until = 0;
};

// A holder registers once: the card's number and up to kMaxPlatesPerCard plates.
struct DisabilityCard {
  std::string card;
  std::vector<std::string> plates;
  double valid_from = 0, valid_until = 0;
};
inline constexpr size_t kMaxPlatesPerCard = 3;

struct Registers {
  std::vector<PaidSession> paid;
  std::vector<ResidentPermit> residents;
  std::vector<DisabilityCard> cards;
};

// paid.csv (plate,start,end), residents.csv (plate,valid_from,valid_until) and cards.csv
// (card,plates,valid_from,valid_until; plates separated by |), each with that header,
// times as Unix seconds. A missing file is an empty register; a malformed one an error
// naming file:line.
Result<Registers> read_registers(const std::string& folder);

enum class Right { kNone, kDisabilityCard, kResident, kPaid };
std::string_view right_name(Right right);  // "none" | "disability_card" | "resident" | "paid"

struct RightFound {
  Right right = Right::kNone;
  std::string reference;  // the card's number, or the plate of the session or permit
  bool near_match = false;  // a card matched a plate one character away
};

// The first right `plate` (letters and digits) holds at `time`: a disability card first
// (exactly or one character away), then a resident permit, then a paid session.
RightFound right_at(const Registers& registers, const std::string& plate, double time);

}  // namespace vigie::scancar
