// The parking review queue (schema 12): a scancar's cars with no right found wait here for
// a person; and the paid sessions parking meters record (schema 13). Every transition is one conditional UPDATE, so that two reviewers, or two
// nodes, cannot both decide on the same car.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/ids.h"
#include "events/database.h"
#include "events/store.h"

namespace vigie::events {
namespace {

namespace fs = std::filesystem;
using State = ParkingCandidate::State;

constexpr const char* kColumns =
    "id, round, plate, format, confidence, taken_epoch, lat, lon, photo_path, crop_path, queued_epoch, state, "
    "reviewed_by, reviewed_epoch, no_card_visible, review_note, contested_by, contested_epoch, contest_card, "
    "photos_deleted_epoch";


ParkingCandidate candidate_of(const Query& q) {
  ParkingCandidate c;
  c.id = q.text(0), c.round = q.text(1), c.plate = q.text(2), c.format = q.text(3), c.confidence = q.real(4);
  c.taken_epoch = q.real(5), c.lat = q.real(6), c.lon = q.real(7), c.photo_path = q.text(8), c.crop_path = q.text(9);
  c.queued_epoch = q.real(10), c.state = parking_state(q.text(11)).value_or(State::kPending), c.reviewed_by = q.text(12);
  c.reviewed_epoch = q.real(13), c.no_card_visible = q.integer(14) != 0, c.review_note = q.text(15);
  c.contested_by = q.text(16), c.contested_epoch = q.real(17), c.contest_card = q.text(18);
  c.photos_deleted_epoch = q.real(19);
  return c;
}

bool is_french(const std::string& format) { return format == "siv" || format == "fni"; }

}  // namespace

const char* state_name(State s) {
  switch (s) {
    case State::kPending: return "pending";
    case State::kNotice: return "notice";
    case State::kDismissed: return "dismissed";
    case State::kCancelled: return "cancelled";
    case State::kExpired: return "expired";
  }
  return "pending";
}

std::optional<State> parking_state(const std::string& name) {
  for (State s : {State::kPending, State::kNotice, State::kDismissed, State::kCancelled, State::kExpired})
    if (name == state_name(s)) return s;
  return std::nullopt;
}

Result<Ok> Store::queue_parking_candidate(ParkingCandidate& c) {
  if (c.plate.empty()) return Error{"a parking candidate needs its plate"};
  if (!is_french(c.format))
    return Error{fmt::format("plate '{}' is {}, not French (siv, fni): it cannot become a notice", c.plate,
                             c.format.empty() ? "of no known format" : c.format)};
  c.id = UuidV7().next();
  c.state = State::kPending, c.reviewed_by.clear(), c.reviewed_epoch = 0, c.no_card_visible = false;
  c.review_note.clear(), c.contested_by.clear(), c.contested_epoch = 0, c.contest_card.clear();
  c.photos_deleted_epoch = 0;
  auto s = db_->query(fmt::format(
      "INSERT INTO parking_candidates ({}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 'pending', '', 0, 0, "
      "'', '', 0, '', 0)",
      kColumns));
  s->bind(1, c.id).bind(2, c.round).bind(3, c.plate).bind(4, c.format).bind(5, c.confidence);
  s->bind(6, c.taken_epoch).bind(7, c.lat).bind(8, c.lon).bind(9, c.photo_path).bind(10, c.crop_path);
  s->bind(11, c.queued_epoch);
  if (s->step() != Step::kDone) {
    if (s->unique_violation())
      return Error{fmt::format("plate {} photographed at {:.0f} is queued already (a round read twice?)", c.plate,
                               c.taken_epoch)};
    return sql_error(*s);
  }
  return Ok{};
}

Result<std::vector<ParkingCandidate>> Store::parking_candidates(const std::string& state, int limit) const {
  // The queue oldest first (first come, first reviewed); decided ones newest first.
  auto q = db_->query(fmt::format(
      "SELECT {} FROM parking_candidates WHERE (?1 = '' OR state = ?1) ORDER BY CASE WHEN state = 'pending' THEN "
      "taken_epoch ELSE -taken_epoch END, id LIMIT ?2",
      kColumns));
  q->bind(1, state).bind(2, limit);
  std::vector<ParkingCandidate> out;
  Step st;
  while ((st = q->step()) == Step::kRow) out.push_back(candidate_of(*q));
  if (st == Step::kError) return sql_error(*q);
  return out;
}

Result<std::optional<ParkingCandidate>> Store::parking_candidate(const std::string& id) const {
  auto q = db_->query(fmt::format("SELECT {} FROM parking_candidates WHERE id = ?1", kColumns));
  q->bind(1, id);
  const Step st = q->step();
  if (st == Step::kError) return sql_error(*q);
  if (st != Step::kRow) return std::optional<ParkingCandidate>{};
  return std::optional<ParkingCandidate>{candidate_of(*q)};
}

// The candidate as it is after a conditional update: the update's result when it changed
// the row, else why it did not (no such candidate, or not in the state it needed).
static Result<ParkingCandidate> after_update(const Store& store, const Query& update, const std::string& id,
                                             State needed) {
  auto now = store.parking_candidate(id);
  if (!now) return now.error();
  if (!*now) return Error{fmt::format("no parking candidate '{}'", id)};
  if (update.changes() > 0) return **now;
  const auto& c = **now;
  const std::string who = c.reviewed_by.empty() ? "" : fmt::format(" (by {})", c.reviewed_by);
  return Error{fmt::format("candidate {} is {}{}, not {}", id, state_name(c.state), who, state_name(needed))};
}

Result<ParkingCandidate> Store::issue_parking_notice(const std::string& id, const std::string& by,
                                                     bool no_card_visible, const std::string& note,
                                                     double min_confidence, double at_epoch) {
  if (by.empty()) return Error{"a parking notice needs the account of the person who issues it"};
  if (!no_card_visible)
    return Error{"a notice needs the tick 'no disability card visible': look at the wide photo's dashboard first"};
  auto current = parking_candidate(id);
  if (!current) return current.error();
  if (*current && (!is_french((*current)->format) || (*current)->confidence < min_confidence))
    return Error{fmt::format("no notice can come from candidate {}: read with confidence {:.2f} as {}", id,
                             (*current)->confidence, (*current)->format)};
  // A meter may record a session after the round was read (within its hour's grace): the
  // car paid, and no notice can come of it.
  constexpr const char* kPaid =
      "EXISTS (SELECT 1 FROM paid_parking_sessions p WHERE p.plate = parking_candidates.plate AND p.start_epoch <= "
      "parking_candidates.taken_epoch AND p.end_epoch >= parking_candidates.taken_epoch)";
  auto paid = db_->query(fmt::format("SELECT 1 FROM parking_candidates WHERE id = ?1 AND {}", kPaid));
  paid->bind(1, id);
  const Step paid_step = paid->step();
  if (paid_step == Step::kError) return sql_error(*paid);
  if (paid_step == Step::kRow)
    return Error{fmt::format("no notice can come from candidate {}: a paid session covering its time was recorded "
                             "since the round; dismiss it", id)};
  auto u = db_->query(fmt::format(
      "UPDATE parking_candidates SET state = 'notice', reviewed_by = ?2, reviewed_epoch = ?3, no_card_visible = 1, "
      "review_note = ?4 WHERE id = ?1 AND state = 'pending' AND confidence >= ?5 AND format IN ('siv', 'fni') AND "
      "NOT {}",
      kPaid));
  u->bind(1, id).bind(2, by).bind(3, at_epoch).bind(4, note).bind(5, min_confidence);
  if (u->step() != Step::kDone) return sql_error(*u);
  return after_update(*this, *u, id, State::kPending);
}

Result<ParkingCandidate> Store::dismiss_parking_candidate(const std::string& id, const std::string& by,
                                                          const std::string& note, double at_epoch) {
  if (by.empty()) return Error{"dismissing a parking candidate needs the account of the person who does it"};
  auto u = db_->query(
      "UPDATE parking_candidates SET state = 'dismissed', reviewed_by = ?2, reviewed_epoch = ?3, review_note = ?4 "
      "WHERE id = ?1 AND state = 'pending'");
  u->bind(1, id).bind(2, by).bind(3, at_epoch).bind(4, note);
  if (u->step() != Step::kDone) return sql_error(*u);
  return after_update(*this, *u, id, State::kPending);
}

Result<ParkingCandidate> Store::contest_parking_notice(const std::string& id, const std::string& by,
                                                       const std::string& card,
                                                       const std::vector<std::string>& more_plates, double valid_from,
                                                       double valid_until, size_t max_plates, double at_epoch) {
  if (by.empty()) return Error{"a contest needs the account of the person who records it"};
  if (card.empty()) return Error{"a contest needs the number of the disability card shown"};
  if (!(valid_until > valid_from)) return Error{"the card's validity must end after it begins"};
  // The cancellation and its plates together: in a transaction of its own, or in the one
  // audited() holds, which its audit entry then joins.
  const bool own = !in_audited_change_;
  if (own)
    if (auto r = exec("BEGIN"); !r) return r.error();
  auto fail = [this, own](Error e) -> Result<ParkingCandidate> {
    if (own) exec("ROLLBACK");
    return e;
  };
  auto u = db_->query(
      "UPDATE parking_candidates SET state = 'cancelled', contested_by = ?2, contested_epoch = ?3, contest_card = ?4 "
      "WHERE id = ?1 AND state = 'notice'");
  u->bind(1, id).bind(2, by).bind(3, at_epoch).bind(4, card);
  if (u->step() != Step::kDone) return fail(sql_error(*u));
  auto after = after_update(*this, *u, id, State::kNotice);
  if (!after) return fail(after.error());
  std::vector<std::string> plates{after->plate};
  for (const auto& p : more_plates)
    if (!p.empty() && std::find(plates.begin(), plates.end(), p) == plates.end()) plates.push_back(p);
  auto known = db_->query("SELECT DISTINCT plate FROM registered_card_plates WHERE card = ?1");
  known->bind(1, card);
  std::vector<std::string> all;
  Step st;
  while ((st = known->step()) == Step::kRow) all.push_back(known->text(0));
  if (st == Step::kError) return fail(sql_error(*known));
  for (const auto& p : plates)
    if (std::find(all.begin(), all.end(), p) == all.end()) all.push_back(p);
  if (all.size() > max_plates)
    return fail(Error{fmt::format("card {} would have {} plates: at most {} may be registered", card, all.size(),
                                  max_plates)});
  // Rows of this contest's own: an earlier registration of the same card and plate stays
  // as it was, and each row names the notice it came from.
  for (const auto& p : plates) {
    auto ins = db_->query(
        "INSERT INTO registered_card_plates (card, plate, valid_from, valid_until, registered_by, registered_epoch, "
        "candidate) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    ins->bind(1, card).bind(2, p).bind(3, valid_from).bind(4, valid_until).bind(5, by).bind(6, at_epoch).bind(7, id);
    if (ins->step() != Step::kDone) return fail(sql_error(*ins));
  }
  if (own)
    if (auto r = exec("COMMIT"); !r) return fail(r.error());
  return after;
}

std::optional<std::string> paid_session_error(const PaidParkingSession& s, double at_epoch) {
  const bool plate_ok = s.plate.size() >= 4 && s.plate.size() <= 10 &&
                        std::all_of(s.plate.begin(), s.plate.end(), [](char c) {
                          return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
                        });
  if (!plate_ok) return fmt::format("plate '{}' is not 4 to 10 capital letters and digits", s.plate);
  if (!(s.start_epoch < s.end_epoch)) return "a paid session ends after it starts";
  if (s.end_epoch - s.start_epoch > kMaxPaidSessionSeconds)
    return "a paid session lasts a day at most (a longer right is a resident permit)";
  if (s.start_epoch < at_epoch - 3600 || s.end_epoch < at_epoch || s.start_epoch > at_epoch + 86400)
    return "a paid session is recorded while it runs: it starts within the last hour or the next day, and has "
           "not ended";
  return std::nullopt;
}

Result<Ok> Store::record_paid_session(PaidParkingSession& s, double at_epoch) {
  if (auto why = paid_session_error(s, at_epoch)) return Error{*why};
  s.id = UuidV7().next();
  s.recorded_epoch = at_epoch;
  auto q = db_->query(
      "INSERT INTO paid_parking_sessions (id, plate, start_epoch, end_epoch, recorded_by, recorded_epoch) VALUES "
      "(?1, ?2, ?3, ?4, ?5, ?6)");
  q->bind(1, s.id).bind(2, s.plate).bind(3, s.start_epoch).bind(4, s.end_epoch).bind(5, s.recorded_by);
  q->bind(6, s.recorded_epoch);
  if (q->step() != Step::kDone) return sql_error(*q);
  return Ok{};
}

Result<std::vector<PaidParkingSession>> Store::paid_sessions(double from_epoch, double to_epoch) const {
  auto q = db_->query(
      "SELECT id, plate, start_epoch, end_epoch, recorded_by, recorded_epoch FROM paid_parking_sessions WHERE "
      "end_epoch >= ?1 AND start_epoch <= ?2 ORDER BY plate, start_epoch");
  q->bind(1, from_epoch).bind(2, to_epoch);
  std::vector<PaidParkingSession> out;
  Step st;
  while ((st = q->step()) == Step::kRow)
    out.push_back({q->text(0), q->text(1), q->real(2), q->real(3), q->text(4), q->real(5)});
  if (st == Step::kError) return sql_error(*q);
  return out;
}

Result<int> Store::delete_paid_sessions(double before_epoch) {
  auto q = db_->query("DELETE FROM paid_parking_sessions WHERE end_epoch < ?1");
  q->bind(1, before_epoch);
  if (q->step() != Step::kDone) return sql_error(*q);
  return static_cast<int>(q->changes());
}

Result<std::vector<RegisteredCardPlate>> Store::registered_card_plates() const {
  auto q = db_->query(
      "SELECT card, plate, valid_from, valid_until, registered_by, registered_epoch, candidate FROM "
      "registered_card_plates ORDER BY card, plate");
  std::vector<RegisteredCardPlate> out;
  Step st;
  while ((st = q->step()) == Step::kRow)
    out.push_back({q->text(0), q->text(1), q->real(2), q->real(3), q->text(4), q->real(5), q->text(6)});
  if (st == Step::kError) return sql_error(*q);
  return out;
}

Result<int> Store::delete_parking_photos(double now_epoch, double hours, const std::string& by) {
  const double cutoff = now_epoch - hours * 3600.0;
  auto q = db_->query(fmt::format(
      "SELECT {} FROM parking_candidates WHERE photos_deleted_epoch = 0 AND ((state IN ('pending', 'expired') AND "
      "queued_epoch < ?1) OR (state = 'dismissed' AND reviewed_epoch < ?1) OR (state = 'cancelled' AND "
      "contested_epoch < ?1))",
      kColumns));
  q->bind(1, cutoff);
  // A file this machine cannot see (its folder is not here: another node's disk) is left
  // for that machine, its row saying nothing went; a pending one still expires here, so
  // that nobody decides on a car past the delay.
  auto here = [](const ParkingCandidate& c) {
    std::error_code ec;
    for (const auto& p : {c.photo_path, c.crop_path})
      if (!p.empty() && !fs::exists(fs::path(p).parent_path(), ec)) return false;
    return true;
  };
  std::vector<ParkingCandidate> due;
  std::vector<std::string> expiring_elsewhere;
  Step st;
  while ((st = q->step()) == Step::kRow) {
    auto c = candidate_of(*q);
    if (here(c)) due.push_back(std::move(c));
    else if (c.state == State::kPending) expiring_elsewhere.push_back(c.id);
  }
  if (st == Step::kError) return sql_error(*q);
  if (due.empty() && expiring_elsewhere.empty()) return 0;
  // On the record before anything goes: a pass that fails half-way is tried again, and
  // audited again, by the next one.
  nlohmann::json ids = nlohmann::json::array();
  for (const auto& c : due) ids.push_back(c.id);
  const nlohmann::json detail = {
      {"candidates", ids}, {"expired_with_photos_elsewhere", expiring_elsewhere}, {"hours", hours}};
  if (auto r = audit(by, kParkingPhotosAudit, detail.dump(), now_epoch); !r) return r.error();
  for (const auto& id : expiring_elsewhere) {
    auto expire = db_->query("UPDATE parking_candidates SET state = 'expired' WHERE id = ?1 AND state = 'pending'");
    expire->bind(1, id);
    if (expire->step() != Step::kDone) return sql_error(*expire);
  }
  int deleted = 0;
  for (const auto& c : due) {
    std::error_code ec;
    // Marked first, in the state it was read in: a reviewer issuing the notice meanwhile
    // keeps its photos; once marked, a pending candidate is expired and nobody can decide.
    auto mark = db_->query(
        "UPDATE parking_candidates SET photos_deleted_epoch = ?2, state = CASE WHEN state = 'pending' THEN "
        "'expired' ELSE state END WHERE id = ?1 AND state = ?3 AND photos_deleted_epoch = 0");
    mark->bind(1, c.id).bind(2, now_epoch).bind(3, std::string(state_name(c.state)));
    if (mark->step() != Step::kDone) return sql_error(*mark);
    if (mark->changes() == 0) continue;
    bool removed = true;
    for (const auto& p : {c.photo_path, c.crop_path})
      if (!p.empty() && fs::exists(p, ec) && !fs::remove(p, ec)) removed = false;
    if (removed) {
      ++deleted;
      continue;
    }
    // A file that could not be removed: tried again next time.
    auto retry = db_->query("UPDATE parking_candidates SET photos_deleted_epoch = 0 WHERE id = ?1");
    retry->bind(1, c.id);
    if (retry->step() != Step::kDone) return sql_error(*retry);
  }
  return deleted;
}

}  // namespace vigie::events
