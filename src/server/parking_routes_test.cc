// The scancars' review queue over HTTP: a notice only from a person who ticked "no
// disability card visible", a contest only from a supervisor, every decision audited, the
// photos shown only while they are kept.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "server/test_server.h"

namespace vigie::server {
namespace {
using namespace testing_support;
using ::testing::HasSubstr;
using nlohmann::json;

class ParkingRoutesTest : public ServerTest {
 protected:
  // A candidate queued as `vigie scancar ingest --store` does, with its two photos.
  std::string queue(const std::string& plate, double confidence = 0.97) {
    auto store = events::Store::open(config_.store.path);
    EXPECT_TRUE(store);
    events::ParkingCandidate c;
    c.round = "round.csv", c.plate = plate, c.format = "siv", c.confidence = confidence;
    c.taken_epoch = now() - 600, c.lat = 43.2965, c.lon = 5.3698, c.queued_epoch = now() - 300;
    c.photo_path = (dir_ / (plate + ".jpg")).string(), c.crop_path = (dir_ / (plate + "-plate.jpg")).string();
    std::ofstream(c.photo_path) << "\xff\xd8wide photo";
    std::ofstream(c.crop_path) << "\xff\xd8plate crop";
    EXPECT_TRUE((*store)->queue_parking_candidate(c));
    return c.id;
  }

  httplib::Result post(const std::string& path, const std::string& cookie, const json& body) {
    auto c = client();
    return c.Post(path.c_str(), httplib::Headers{{"Cookie", cookie}}, body.dump(), "application/json");
  }

  // The details of the audit entries of `action`: JSON for the decisions, the path for views.
  json audit_of(const std::string& action) {
    auto c = client();
    const auto log = json::parse(c.Get("/api/v1/audit", httplib::Headers{{"Cookie", login("auditor1")}})->body);
    json found = json::array();
    for (const auto& e : log["entries"])
      if (e["action"] == action) found.push_back(json::parse(e["detail"].get<std::string>(), nullptr, false, true));
    return found;
  }
};

TEST_F(ParkingRoutesTest, OnlyAPersonWhoTickedIssuesANoticeAndOnlyASupervisorCancelsIt) {
  const std::string id = queue("AB123CD");
  const std::string op = login("operator1"), sup = login("supervisor1");
  const std::string base = "/api/v1/parking/candidates/" + id;
  auto c = client();
  const auto list = c.Get("/api/v1/parking/candidates?state=pending", httplib::Headers{{"Cookie", op}});
  ASSERT_EQ(list->status, 200);
  const auto candidates = json::parse(list->body)["candidates"];
  ASSERT_EQ(candidates.size(), 1u);
  EXPECT_EQ(candidates[0]["plate"], "AB123CD");
  EXPECT_FALSE(candidates[0].contains("photo_path"));  // no file path leaves the server
  EXPECT_EQ(c.Get("/api/v1/parking/candidates?state=paid", httplib::Headers{{"Cookie", op}})->status, 400);
  const auto photo = c.Get((base + "/photo.jpg").c_str(), httplib::Headers{{"Cookie", op}});
  ASSERT_EQ(photo->status, 200);
  EXPECT_EQ(photo->body, "\xff\xd8wide photo");
  EXPECT_EQ(c.Get((base + "/plate.jpg").c_str(), httplib::Headers{{"Cookie", op}})->body, "\xff\xd8plate crop");

  // Without the tick, or with a body that is not one, nothing happens.
  auto r = post(base + "/notice", op, {{"no_card_visible", false}});
  ASSERT_EQ(r->status, 400);
  EXPECT_THAT(r->body, HasSubstr("no disability card visible"));
  EXPECT_EQ(post(base + "/notice", op, {{"no_card_visible", "yes"}})->status, 400);
  EXPECT_EQ(post(base + "/notice", op, {{"no_card_visible", true}, {"note", std::string("a\x01")}})->status, 400);
  r = post(base + "/notice", op, {{"no_card_visible", true}, {"note", "rue de la République"}});
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(json::parse(r->body)["state"], "notice");
  EXPECT_EQ(json::parse(r->body)["reviewed_by"], "operator1");
  EXPECT_EQ(post(base + "/notice", sup, {{"no_card_visible", true}})->status, 409);  // decided already
  EXPECT_EQ(post(base + "/dismiss", sup, json::object())->status, 409);

  // The contest: a supervisor's, with a card and its validity.
  const json contest = {{"card", "CMI-75-0001"}, {"valid_from", now() - 86400}, {"valid_until", now() + 86400 * 365},
                        {"plates", {"EF-456-GH"}}};
  EXPECT_EQ(post(base + "/contest", op, contest)->status, 403);
  EXPECT_EQ(post(base + "/contest", sup, {{"card", "CMI-75-0001"}})->status, 400);
  json bad_plates = contest;
  bad_plates["plates"] = {"A"};
  EXPECT_EQ(post(base + "/contest", sup, bad_plates)->status, 400);
  r = post(base + "/contest", sup, contest);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(json::parse(r->body)["state"], "cancelled");
  auto store = events::Store::open(config_.store.path);
  const auto cards = (*store)->registered_card_plates();
  ASSERT_TRUE(cards);
  ASSERT_EQ(cards->size(), 2u);
  EXPECT_EQ((*cards)[0].plate, "AB123CD");
  EXPECT_EQ((*cards)[1].plate, "EF456GH");

  // Both decisions are in the audit log, with who took them.
  const auto notices = audit_of(events::kParkingNoticeAudit), contests = audit_of(events::kParkingContestAudit);
  ASSERT_EQ(notices.size(), 1u);
  EXPECT_EQ(notices[0]["id"], id);
  EXPECT_EQ(notices[0]["no_card_visible"], true);
  ASSERT_EQ(contests.size(), 1u);
  EXPECT_EQ(contests[0]["contest_card"], "CMI-75-0001");
  EXPECT_EQ(contests[0]["registered_plates"], json({"AB123CD", "EF456GH"}));  // what the card now exempts
  EXPECT_TRUE(contests[0].contains("valid_until"));
  EXPECT_EQ(audit_of("parking_queue_view").size(), 1u);
  EXPECT_EQ(audit_of("parking_photo_view").size(), 2u);  // once per photo and session
}

TEST_F(ParkingRoutesTest, AnUnsureReadingIsNeverANoticeAndDeletedPhotosAreNotShown) {
  const std::string unsure = queue("GH789IJ", 0.5), dismissed = queue("KL012MN");
  const std::string op = login("operator1");
  auto r = post("/api/v1/parking/candidates/" + unsure + "/notice", op, {{"no_card_visible", true}});
  ASSERT_EQ(r->status, 400);
  EXPECT_THAT(r->body, HasSubstr("no notice can come from candidate"));
  ASSERT_EQ(post("/api/v1/parking/candidates/" + dismissed + "/dismiss", op, {{"note", "card on the dashboard"}})->status,
            200);
  EXPECT_EQ(audit_of(events::kParkingDismissAudit).size(), 1u);
  EXPECT_EQ(post("/api/v1/parking/candidates/nope/notice", op, {{"no_card_visible", true}})->status, 404);
  // The deletion delay passed: the photos go and the console no longer shows them.
  auto store = events::Store::open(config_.store.path);
  ASSERT_TRUE((*store)->delete_parking_photos(now() + 86400 * 30, config_.store.parking_photo_hours, "test"));
  auto c = client();
  EXPECT_EQ(c.Get(("/api/v1/parking/candidates/" + dismissed + "/photo.jpg").c_str(),
                  httplib::Headers{{"Cookie", op}})->status,
            404);
  const auto list = json::parse(c.Get("/api/v1/parking/candidates", httplib::Headers{{"Cookie", op}})->body);
  ASSERT_EQ(list["candidates"].size(), 2u);
  for (const auto& cand : list["candidates"]) EXPECT_EQ(cand["photos"], false) << cand["plate"];
}

// A parking meter's account records paid sessions, and does nothing else; the session is
// in the store for the next round, its plate in comparable form.
TEST_F(ParkingRoutesTest, AParkingMeterRecordsPaidSessionsAndNothingElse) {
  const std::string meter = login("parking_meter1"), op = login("operator1");
  const double t = now();
  auto r = post("/api/v1/parking/sessions", meter, {{"plate", "ab-123-cd"}, {"start", t - 60}, {"end", t + 3600}});
  ASSERT_EQ(r->status, 201) << r->body;
  EXPECT_EQ(json::parse(r->body)["plate"], "AB123CD");
  for (const auto& [body, why] : std::vector<std::pair<json, std::string>>{
           {{{"plate", "AB-123-CD"}, {"start", t}}, "expected"},
           {{{"plate", 12}, {"start", t}, {"end", t + 60}}, "expected"},
           {{{"plate", "A-1"}, {"start", t}, {"end", t + 60}}, "4 to 10"},
           {{{"plate", "AB-123-CD"}, {"start", t + 60}, {"end", t}}, "ends after it starts"},
           {{{"plate", "AB-123-CD"}, {"start", t}, {"end", t + 3 * 86400}}, "a day at most"},
           {{{"plate", "AB-123-CD"}, {"start", t - 9000}, {"end", t - 7200}}, "while it runs"},
           {{{"plate", "AB-123-CD"}, {"start", t - 20 * 3600}, {"end", t + 60}}, "while it runs"}}) {
    const auto bad = post("/api/v1/parking/sessions", meter, body);
    EXPECT_EQ(bad->status, 400) << body.dump();
    EXPECT_THAT(bad->body, HasSubstr(why)) << body.dump();
  }
  EXPECT_EQ(post("/api/v1/parking/sessions", op, {{"plate", "AB123CD"}, {"start", t}, {"end", t + 60}})->status, 403);
  auto c = client();
  EXPECT_EQ(c.Get("/api/v1/parking/candidates", httplib::Headers{{"Cookie", meter}})->status, 403);
  EXPECT_EQ(c.Get("/api/v1/cameras", httplib::Headers{{"Cookie", meter}})->status, 403);
  auto store = events::Store::open(config_.store.path);
  ASSERT_TRUE(store);
  const auto sessions = (*store)->paid_sessions(t, t + 10);
  ASSERT_TRUE(sessions);
  ASSERT_EQ(sessions->size(), 1u);
  EXPECT_EQ((*sessions)[0].plate, "AB123CD");
  EXPECT_EQ((*sessions)[0].recorded_by, "parking_meter1");
}

}  // namespace
}  // namespace vigie::server
