// Unmasked exports (schema 11): the original pixels of a recording leave only when one
// person asked, with a requisition and a reason, and another approved; and only once.
// Every transition is one conditional UPDATE, so that two nodes, or two exports, cannot
// both pass the same check.
#include <fmt/format.h>

#include "core/ids.h"
#include "events/database.h"
#include "events/store.h"

namespace vigie::events {
namespace {

using State = UnmaskedRequest::State;

constexpr const char* kColumns =
    "id, camera, from_epoch, to_epoch, case_reference, requester, reason, requested_by, requested_epoch, state, "
    "decided_by, decided_epoch, decision_reason, used_epoch";

State state_of(const std::string& text) {
  if (text == "approved") return State::kApproved;
  if (text == "refused") return State::kRefused;
  if (text == "used") return State::kUsed;
  return State::kPending;
}

UnmaskedRequest request_of(const Query& q) {
  UnmaskedRequest r;
  r.id = q.text(0), r.camera = q.text(1), r.from_epoch = q.real(2), r.to_epoch = q.real(3);
  r.case_reference = q.text(4), r.requester = q.text(5), r.reason = q.text(6), r.requested_by = q.text(7);
  r.requested_epoch = q.real(8), r.state = state_of(q.text(9)), r.decided_by = q.text(10);
  r.decided_epoch = q.real(11), r.decision_reason = q.text(12), r.used_epoch = q.real(13);
  return r;
}

}  // namespace

const char* state_name(State s) {
  switch (s) {
    case State::kPending: return "pending";
    case State::kApproved: return "approved";
    case State::kRefused: return "refused";
    case State::kUsed: return "used";
  }
  return "pending";
}

Result<Ok> Store::request_unmasked(UnmaskedRequest& r) {
  if (r.camera.empty()) return Error{"an unmasked export request needs its camera"};
  if (r.case_reference.empty()) return Error{"an unmasked export request needs the requisition's case reference"};
  if (r.requester.empty()) return Error{"an unmasked export request needs the requester (who asked for it)"};
  if (r.reason.empty()) return Error{"an unmasked export request needs a reason"};
  if (r.requested_by.empty()) return Error{"an unmasked export request needs the account that makes it"};
  if (!(r.to_epoch > r.from_epoch)) return Error{"an unmasked export request needs a range whose end is after its start"};
  r.id = UuidV7().next();
  r.state = State::kPending, r.decided_by.clear(), r.decided_epoch = 0, r.decision_reason.clear(), r.used_epoch = 0;
  auto s = db_->query(fmt::format(
      "INSERT INTO unmasked_requests ({}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'pending', '', 0, '', 0)",
      kColumns));
  s->bind(1, r.id).bind(2, r.camera).bind(3, r.from_epoch).bind(4, r.to_epoch).bind(5, r.case_reference);
  s->bind(6, r.requester).bind(7, r.reason).bind(8, r.requested_by).bind(9, r.requested_epoch);
  if (s->step() != Step::kDone) return sql_error(*s);
  return Ok{};
}

Result<std::vector<UnmaskedRequest>> Store::unmasked_requests(int limit, const std::string& requested_by) const {
  auto q = db_->query(fmt::format("SELECT {} FROM unmasked_requests WHERE ?2 = '' OR requested_by = ?2 "
                                  "ORDER BY requested_epoch DESC, id DESC LIMIT ?1",
                                  kColumns));
  q->bind(1, limit).bind(2, requested_by);
  std::vector<UnmaskedRequest> out;
  Step st;
  while ((st = q->step()) == Step::kRow) out.push_back(request_of(*q));
  if (st == Step::kError) return sql_error(*q);
  return out;
}

Result<std::optional<UnmaskedRequest>> Store::unmasked_request(const std::string& id) const {
  auto q = db_->query(fmt::format("SELECT {} FROM unmasked_requests WHERE id = ?1", kColumns));
  q->bind(1, id);
  const Step st = q->step();
  if (st == Step::kError) return sql_error(*q);
  if (st != Step::kRow) return std::optional<UnmaskedRequest>{};
  return std::optional<UnmaskedRequest>{request_of(*q)};
}

Result<UnmaskedRequest> Store::decide_unmasked(const std::string& id, bool approve, const std::string& by,
                                               const std::string& reason, double at_epoch) {
  if (by.empty()) return Error{"a decision on an unmasked export needs the account that takes it"};
  auto u = db_->query(
      "UPDATE unmasked_requests SET state = ?2, decided_by = ?3, decided_epoch = ?4, decision_reason = ?5 "
      "WHERE id = ?1 AND state = 'pending' AND requested_by <> ?3");
  u->bind(1, id).bind(2, std::string(approve ? "approved" : "refused")).bind(3, by).bind(4, at_epoch).bind(5, reason);
  if (u->step() != Step::kDone) return sql_error(*u);
  auto now = unmasked_request(id);
  if (!now) return now.error();
  if (!*now) return Error{fmt::format("no unmasked export request '{}'", id)};
  if (u->changes() > 0) return **now;
  if ((*now)->requested_by == by)
    return Error{fmt::format("request {} was made by {}: another person must decide on it", id, by)};
  return Error{fmt::format("request {} is {} already (by {})", id, state_name((*now)->state), (*now)->decided_by)};
}

Result<UnmaskedRequest> Store::use_unmasked(const std::string& id, double at_epoch) {
  auto u = db_->query("UPDATE unmasked_requests SET state = 'used', used_epoch = ?2 WHERE id = ?1 AND state = 'approved'");
  u->bind(1, id).bind(2, at_epoch);
  if (u->step() != Step::kDone) return sql_error(*u);
  auto now = unmasked_request(id);
  if (!now) return now.error();
  if (!*now) return Error{fmt::format("no unmasked export request '{}'", id)};
  if (u->changes() > 0) return **now;
  switch ((*now)->state) {
    case State::kPending:
      return Error{fmt::format("request {} is not approved yet: an auditor must approve it first", id)};
    case State::kRefused:
      return Error{fmt::format("request {} was refused by {}", id, (*now)->decided_by)};
    default:
      return Error{fmt::format("request {} was used already: an approval allows one export", id)};
  }
}

Result<Ok> Store::release_unmasked(const std::string& id) {
  auto u = db_->query("UPDATE unmasked_requests SET state = 'approved', used_epoch = 0 WHERE id = ?1 AND state = 'used'");
  u->bind(1, id);
  if (u->step() != Step::kDone) return sql_error(*u);
  return Ok{};
}

}  // namespace vigie::events
