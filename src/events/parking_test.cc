// The parking review queue in the store: nothing becomes a notice without a person's tick,
// a contest cancels and registers the card, photos go after the configured time. Run on
// SQLite and on PostgreSQL (Store.* in src/events/CMakeLists.txt).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "core/test_data.h"
#include "events/store.h"
#include "events/test_sql.h"

namespace vigie::events {
namespace {
namespace fs = std::filesystem;
using ::testing::HasSubstr;
using State = ParkingCandidate::State;
using testing::exec_sql;
using testing::open_store;

constexpr double kT0 = 1'760'000'000;
constexpr double kSure = 0.9;

struct Queue {
  fs::path dir;
  std::unique_ptr<Store> store;
  explicit Queue(const std::string& name) : dir(vigie::testing::fresh_temp_dir(name)), store(open_store(dir / "v.db")) {}

  // A queued candidate with its two photo files on disk.
  ParkingCandidate add(const std::string& plate, double confidence = 0.97, const std::string& format = "siv") {
    ParkingCandidate c;
    c.round = "round-1", c.plate = plate, c.format = format, c.confidence = confidence;
    c.taken_epoch = kT0, c.lat = 43.3, c.lon = 5.37, c.queued_epoch = kT0 + 60;
    c.photo_path = (dir / (plate + ".jpg")).string(), c.crop_path = (dir / (plate + "-plate.jpg")).string();
    std::ofstream(c.photo_path) << "wide";
    std::ofstream(c.crop_path) << "crop";
    EXPECT_TRUE(store->queue_parking_candidate(c));
    return c;
  }
};

// A decision taken as the console takes it: inside Store::audited(), with its entry.
template <typename DecisionStep>
Result<Ok> audited(Queue& q, DecisionStep step) {
  return q.store->audited("sup", kParkingNoticeAudit, kT0, [&]() -> Result<std::string> {
    auto d = step();
    if (!d) return d.error();
    return std::string("{\"candidate\":\"") + d->id + "\"}";
  });
}

// The same while the audit log cannot be written.
template <typename DecisionStep>
Result<Ok> unaudited(Queue& q, DecisionStep step) {
  exec_sql(q.dir / "v.db", "ALTER TABLE audit_log RENAME TO audit_log_away");
  auto r = audited(q, step);
  exec_sql(q.dir / "v.db", "ALTER TABLE audit_log_away RENAME TO audit_log");
  // Refused for the log, not by the step (SQLite: no such table; PostgreSQL: no relation).
  if (!r) {
    EXPECT_THAT(r.error().message, HasSubstr("audit_log"));
  }
  return r;
}

TEST(Store, ParkingNoticeNeedsThePersonsTickAndIsTakenOnce) {
  Queue q("parking-notice");
  const auto c = q.add("AB123CD");
  EXPECT_EQ(c.id.size(), 36u);
  auto refused = q.store->issue_parking_notice(c.id, "ana", false, "", kSure, kT0 + 100);
  ASSERT_FALSE(refused);
  EXPECT_THAT(refused.error().message, HasSubstr("no disability card visible"));
  auto issued = q.store->issue_parking_notice(c.id, "ana", true, "blue zone", kSure, kT0 + 100);
  ASSERT_TRUE(issued) << issued.error().message;
  EXPECT_EQ(issued->state, State::kNotice);
  EXPECT_EQ(issued->reviewed_by, "ana");
  EXPECT_TRUE(issued->no_card_visible);
  // A second reviewer (or a second click) finds it decided.
  auto again = q.store->issue_parking_notice(c.id, "ben", true, "", kSure, kT0 + 101);
  ASSERT_FALSE(again);
  EXPECT_THAT(again.error().message, HasSubstr("is notice (by ana)"));
  auto dismissed = q.store->dismiss_parking_candidate(c.id, "ben", "", kT0 + 102);
  EXPECT_FALSE(dismissed);
  auto unknown = q.store->issue_parking_notice("nope", "ana", true, "", kSure, kT0);
  ASSERT_FALSE(unknown);
  EXPECT_THAT(unknown.error().message, HasSubstr("no parking candidate"));
}

TEST(Store, ParkingLowConfidenceOrForeignPlateNeverBecomesANotice) {
  Queue q("parking-unsure");
  ParkingCandidate foreign;
  foreign.plate = "B1234567", foreign.format = "foreign", foreign.confidence = 0.99;
  auto r = q.store->queue_parking_candidate(foreign);
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().message, HasSubstr("not French"));
  ParkingCandidate other = foreign;
  other.format = "other";
  EXPECT_FALSE(q.store->queue_parking_candidate(other));
  // Queued below the confidence a notice needs (a round with another threshold): a
  // person's tick does not make it one.
  const auto unsure = q.add("EF456GH", 0.62);
  auto n = q.store->issue_parking_notice(unsure.id, "ana", true, "", kSure, kT0 + 100);
  ASSERT_FALSE(n);
  EXPECT_THAT(n.error().message, HasSubstr("no notice can come from candidate"));
  EXPECT_THAT(n.error().message, HasSubstr("confidence 0.62"));
  auto still = q.store->parking_candidate(unsure.id);
  ASSERT_TRUE(still && *still);
  EXPECT_EQ((*still)->state, State::kPending);
}

TEST(Store, ParkingContestCancelsTheNoticeAndRegistersTheCard) {
  Queue q("parking-contest");
  const auto c = q.add("AB123CD");
  // Only a notice can be contested.
  EXPECT_FALSE(q.store->contest_parking_notice(c.id, "sup", "CMI-1", {}, kT0, kT0 + 1e7, 3, kT0 + 200));
  ASSERT_TRUE(q.store->issue_parking_notice(c.id, "ana", true, "", kSure, kT0 + 100));
  EXPECT_FALSE(q.store->contest_parking_notice(c.id, "sup", "", {}, kT0, kT0 + 1e7, 3, kT0 + 200));
  EXPECT_FALSE(q.store->contest_parking_notice(c.id, "sup", "CMI-1", {}, kT0 + 1e7, kT0, 3, kT0 + 200));
  auto four = q.store->contest_parking_notice(c.id, "sup", "CMI-1", {"A1", "A2", "A3"}, kT0, kT0 + 1e7, 3, kT0 + 200);
  ASSERT_FALSE(four);
  EXPECT_THAT(four.error().message, HasSubstr("at most 3"));
  // The refused contest changed nothing (one transaction).
  auto still = q.store->parking_candidate(c.id);
  EXPECT_EQ((*still)->state, State::kNotice);
  EXPECT_TRUE(q.store->registered_card_plates()->empty());

  // A contest whose audit entry cannot be written is not made: the notice stands, no
  // plate is registered.
  auto contest = [&] { return q.store->contest_parking_notice(c.id, "sup", "CMI-1", {"XY987ZW"}, kT0, kT0 + 1e7, 3,
                                                              kT0 + 200); };
  ASSERT_FALSE(unaudited(q, contest));
  EXPECT_EQ((*q.store->parking_candidate(c.id))->state, State::kNotice);
  EXPECT_TRUE(q.store->registered_card_plates()->empty());

  // Made inside the audit's transaction: the cancellation, its plates and the entry.
  std::optional<ParkingCandidate> done;
  ASSERT_TRUE(audited(q, [&] {
    auto d = contest();
    if (d) done = *d;
    return d;
  }));
  EXPECT_EQ(q.store->audit_entries(10, 0)->size(), 1u);
  EXPECT_EQ(done->state, State::kCancelled);
  EXPECT_EQ(done->contest_card, "CMI-1");
  auto cards = q.store->registered_card_plates();
  ASSERT_TRUE(cards);
  ASSERT_EQ(cards->size(), 2u);
  EXPECT_EQ((*cards)[0].plate, "AB123CD");
  EXPECT_EQ((*cards)[0].card, "CMI-1");
  EXPECT_EQ((*cards)[0].candidate, c.id);
  EXPECT_EQ((*cards)[1].plate, "XY987ZW");
  EXPECT_FALSE(q.store->contest_parking_notice(c.id, "sup", "CMI-1", {}, kT0, kT0 + 1e7, 3, kT0 + 300));
  // A contest refused inside the audit's transaction (4 plates) leaves nothing either.
  const auto other = q.add("AB123CE");
  ASSERT_TRUE(q.store->issue_parking_notice(other.id, "ana", true, "", kSure, kT0 + 100));
  ASSERT_FALSE(audited(q, [&] {
    return q.store->contest_parking_notice(other.id, "sup", "CMI-1", {"A1", "A2"}, kT0, kT0 + 1e7, 3, kT0 + 400);
  }));
  EXPECT_EQ((*q.store->parking_candidate(other.id))->state, State::kNotice);
  EXPECT_EQ(q.store->registered_card_plates()->size(), 2u);
  EXPECT_EQ(q.store->audit_entries(10, 0)->size(), 1u);
}

TEST(Store, ParkingAContestNotAuditedLeavesAnEarlierRegistrationOfTheSameCard) {
  Queue q("parking-contest-twice");
  const auto first = q.add("AB123CD"), second = q.add("AB123CE");
  for (const auto& c : {first, second}) ASSERT_TRUE(q.store->issue_parking_notice(c.id, "ana", true, "", kSure, kT0 + 100));
  ASSERT_TRUE(q.store->contest_parking_notice(first.id, "sup", "CMI-1", {"XY987ZW"}, kT0, kT0 + 1e7, 3, kT0 + 200));
  // The same card again, with a plate it has: allowed, but its entry cannot be written.
  ASSERT_FALSE(unaudited(q, [&] {
    return q.store->contest_parking_notice(second.id, "sup", "CMI-1", {"AB123CD"}, kT0, kT0 + 2e7, 3, kT0 + 300);
  }));
  EXPECT_EQ((*q.store->parking_candidate(second.id))->state, State::kNotice);
  const auto left = q.store->registered_card_plates();
  ASSERT_EQ(left->size(), 2u);
  for (const auto& row : *left) {
    EXPECT_EQ(row.candidate, first.id);
    EXPECT_EQ(row.valid_until, kT0 + 1e7);  // as the first contest registered it
  }
  // A fourth plate for the card is refused.
  const auto third = q.add("GH456IJ");
  ASSERT_TRUE(q.store->issue_parking_notice(third.id, "ana", true, "", kSure, kT0 + 100));
  auto fourth = q.store->contest_parking_notice(third.id, "sup", "CMI-1", {"KL789MN"}, kT0, kT0 + 1e7, 3, kT0 + 400);
  ASSERT_FALSE(fourth);
  EXPECT_THAT(fourth.error().message, HasSubstr("would have 4 plates"));
}

TEST(Store, ParkingTheSameCarAtTheSameTimeIsQueuedOnce) {
  Queue q("parking-twice");
  q.add("AB123CD");
  ParkingCandidate again;
  again.plate = "AB123CD", again.format = "siv", again.confidence = 0.95, again.taken_epoch = kT0;
  auto r = q.store->queue_parking_candidate(again);
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().message, HasSubstr("queued already"));
  again.taken_epoch = kT0 + 3600;  // the same car an hour later: another observation
  EXPECT_TRUE(q.store->queue_parking_candidate(again));
}

TEST(Store, ParkingADecisionNotAuditedLeavesTheCandidatePending) {
  Queue q("parking-unaudited");
  const auto c = q.add("AB123CD");
  ASSERT_FALSE(unaudited(q, [&] { return q.store->dismiss_parking_candidate(c.id, "ana", "card seen", kT0 + 100); }));
  ASSERT_FALSE(unaudited(q, [&] { return q.store->issue_parking_notice(c.id, "ana", true, "", kSure, kT0 + 100); }));
  auto back = q.store->parking_candidate(c.id);
  EXPECT_EQ((*back)->state, State::kPending);
  EXPECT_EQ((*back)->reviewed_by, "");
  auto list = q.store->parking_candidates("pending");
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ(list->front().plate, "AB123CD");
  EXPECT_TRUE(q.store->parking_candidates("notice")->empty());
  EXPECT_TRUE(q.store->audit_entries(10, 0)->empty());
  // Audited, it is taken.
  ASSERT_TRUE(audited(q, [&] { return q.store->dismiss_parking_candidate(c.id, "ana", "card seen", kT0 + 200); }));
  EXPECT_EQ((*q.store->parking_candidate(c.id))->state, State::kDismissed);
}

TEST(Store, ParkingPhotosWithoutANoticeGoAfterTheConfiguredTime) {
  Queue q("parking-photos");
  const auto pending = q.add("AA111AA");
  const auto notice = q.add("BB222BB");
  const auto dismissed = q.add("CC333CC");
  ASSERT_TRUE(q.store->issue_parking_notice(notice.id, "ana", true, "", kSure, kT0 + 100));
  ASSERT_TRUE(q.store->dismiss_parking_candidate(dismissed.id, "ana", "", kT0 + 3600));
  const double hours = 24;
  // Before the delay: nothing goes.
  auto none = q.store->delete_parking_photos(kT0 + 60 + hours * 3600 - 1, hours, "vigie");
  ASSERT_TRUE(none) << none.error().message;
  EXPECT_EQ(*none, 0);
  EXPECT_TRUE(fs::exists(pending.photo_path));
  // The pending one's delay ran out (from its queueing); the dismissed one's not yet.
  auto first = q.store->delete_parking_photos(kT0 + 61 + hours * 3600, hours, "vigie");
  ASSERT_TRUE(first);
  EXPECT_EQ(*first, 1);
  EXPECT_FALSE(fs::exists(pending.photo_path));
  EXPECT_FALSE(fs::exists(pending.crop_path));
  EXPECT_TRUE(fs::exists(dismissed.photo_path));
  auto expired = q.store->parking_candidate(pending.id);
  EXPECT_EQ((*expired)->state, State::kExpired);
  EXPECT_GT((*expired)->photos_deleted_epoch, 0);
  // An expired candidate cannot be decided any more.
  EXPECT_FALSE(q.store->issue_parking_notice(pending.id, "ana", true, "", kSure, kT0 + 1e6));
  // A week on: the dismissed one's photos go; the notice keeps its evidence.
  auto later = q.store->delete_parking_photos(kT0 + 7 * 86400, hours, "vigie");
  ASSERT_TRUE(later);
  EXPECT_EQ(*later, 1);
  EXPECT_FALSE(fs::exists(dismissed.photo_path));
  EXPECT_TRUE(fs::exists(notice.photo_path));
  EXPECT_TRUE(fs::exists(notice.crop_path));
  // Each run that deleted something is in the audit log.
  auto entries = q.store->audit_entries(10, 0);
  ASSERT_TRUE(entries);
  int photo_entries = 0;
  for (const auto& e : *entries) photo_entries += e.action == kParkingPhotosAudit ? 1 : 0;
  EXPECT_EQ(photo_entries, 2);
  EXPECT_TRUE(q.store->verify_audit()->ok);
  // Photos in a folder this machine does not have (another node's disk) are left to it.
  ParkingCandidate elsewhere;
  elsewhere.plate = "DD444DD", elsewhere.format = "siv", elsewhere.confidence = 0.97, elsewhere.taken_epoch = kT0;
  elsewhere.queued_epoch = kT0, elsewhere.photo_path = "/nonexistent-node-disk/DD444DD.jpg";
  ASSERT_TRUE(q.store->queue_parking_candidate(elsewhere));
  EXPECT_EQ(*q.store->delete_parking_photos(kT0 + 30 * 86400, hours, "vigie"), 0);
  const auto left = *q.store->parking_candidate(elsewhere.id);
  EXPECT_EQ(left->state, State::kExpired);  // nobody decides past the delay, photos or not
  EXPECT_EQ(left->photos_deleted_epoch, 0);  // the machine with the files deletes them
  EXPECT_FALSE(q.store->issue_parking_notice(elsewhere.id, "ana", true, "", kSure, kT0 + 31 * 86400));
}

// Paid sessions from parking meters: checked as recorded, found by a round's span, gone
// once ended before the deletion time.
TEST(Store, PaidSessionsAreCheckedFoundByTheRoundsSpanAndDeleted) {
  Queue q("parking-paid");
  PaidParkingSession s{"", "AB123CD", kT0, kT0 + 3600, "meter-12", 0};
  ASSERT_TRUE(q.store->record_paid_session(s, kT0 + 10));
  EXPECT_EQ(s.id.size(), 36u);
  PaidParkingSession later{"", "XY987ZT", kT0 + 7200, kT0 + 9000, "app", 0};
  ASSERT_TRUE(q.store->record_paid_session(later, kT0 + 7000));
  const auto refused = [&](PaidParkingSession bad, const std::string& why) {
    auto r = q.store->record_paid_session(bad, kT0);
    ASSERT_FALSE(r) << bad.plate;
    EXPECT_THAT(r.error().message, HasSubstr(why));
  };
  refused({"", "ab-123-cd", kT0, kT0 + 60, "m", 0}, "capital letters and digits");
  refused({"", "AB1", kT0, kT0 + 60, "m", 0}, "4 to 10");
  refused({"", "AB123CD", kT0, kT0, "m", 0}, "ends after it starts");
  refused({"", "AB123CD", kT0, kT0 + 2 * 86400, "m", 0}, "a day at most");
  refused({"", "AB123CD", kT0 - 9000, kT0 - 7200, "m", 0}, "recorded while it runs");
  refused({"", "AB123CD", kT0 + 3 * 86400, kT0 + 3 * 86400 + 60, "m", 0}, "recorded while it runs");
  refused({"", "AB123CD", kT0 - 20 * 3600, kT0 + 60, "m", 0}, "recorded while it runs");  // backdated

  // A car queued before its session reached the store can no longer be given a notice.
  const auto c = q.add("AB123CD");
  auto notice = q.store->issue_parking_notice(c.id, "ana", true, "", kSure, kT0 + 100);
  ASSERT_FALSE(notice);
  EXPECT_THAT(notice.error().message, HasSubstr("a paid session covering its time"));
  const auto unpaid = q.add("ZZ999ZZ");
  EXPECT_TRUE(q.store->issue_parking_notice(unpaid.id, "ana", true, "", kSure, kT0 + 100));

  auto during = q.store->paid_sessions(kT0 + 1800, kT0 + 2000);
  ASSERT_TRUE(during);
  ASSERT_EQ(during->size(), 1u);
  EXPECT_EQ((*during)[0].plate, "AB123CD");
  EXPECT_EQ((*during)[0].recorded_by, "meter-12");
  EXPECT_EQ(q.store->paid_sessions(kT0, kT0 + 8000)->size(), 2u);
  EXPECT_TRUE(q.store->paid_sessions(kT0 + 9500, kT0 + 9900)->empty());
  auto deleted = q.store->delete_paid_sessions(kT0 + 5000);
  ASSERT_TRUE(deleted);
  EXPECT_EQ(*deleted, 1);
  EXPECT_EQ(q.store->paid_sessions(0, kT0 + 1e6)->size(), 1u);
}

}  // namespace
}  // namespace vigie::events
