// The server's rules as a client meets them: every route refuses without a session (401)
// and with the wrong role (403); logins are rate-limited; actions are audited and change
// the statistics.
#include "core/key_file.h"
#include "events/database.h"
#include "server/test_server.h"
#include "transparency/transparency.h"

#include <fmt/format.h>

#include <fstream>
#include <set>
#include <thread>

#include <opencv2/imgcodecs.hpp>

namespace vigie::server {
namespace {

using namespace testing_support;
using ::testing::HasSubstr;
using nlohmann::json;

TEST_F(ServerTest, EveryRouteButLoginHealthAndMetricsRefusesWithoutASession) {
  for (const auto& route : Server::routes()) {
    const int status = status_of(route, "");
    if (route.public_route && route.method == "GET") EXPECT_EQ(status, 200) << route.example;
    else if (route.public_route) EXPECT_NE(status, 403) << route.example;  // login: 401 is a wrong password
    else EXPECT_EQ(status, 401) << route.method << " " << route.example;
  }
  // A made-up token is no session either.
  EXPECT_EQ(status_of(route("GET", "/api/v1/alerts"), "vigie_session=00ff"), 401);
}

TEST_F(ServerTest, EveryRouteRefusesTheWrongRoleAndAdmitsTheRightOne) {
  std::map<std::string, std::string> cookies;
  for (const auto& role : kRoles) {
    cookies[role] = login(role + "1");
    ASSERT_FALSE(cookies[role].empty()) << role;
  }
  for (const auto& route : Server::routes()) {
    if (route.public_route || !route.needs) continue;
    for (const auto& role : kRoles) {
      const int status = status_of(route, cookies[role]);
      if (role_allows(role, *route.needs))
        EXPECT_TRUE(status != 401 && status != 403) << role << " " << route.method << " " << route.example << " → " << status;
      else
        EXPECT_EQ(status, 403) << role << " " << route.method << " " << route.example;
    }
  }
}

TEST_F(ServerTest, SessionCookieIsHttpOnlyAndLogoutEndsIt) {
  auto c = client();
  const auto r = c.Post("/api/v1/login", json{{"name", "operator1"}, {"password", kPassword}}.dump(), "application/json");
  ASSERT_EQ(r->status, 200);
  const std::string set = r->get_header_value("Set-Cookie");
  EXPECT_THAT(set, HasSubstr("HttpOnly"));
  EXPECT_THAT(set, HasSubstr("SameSite=Strict"));
  const std::string cookie = set.substr(0, set.find(';'));
  EXPECT_EQ(status_of(route("GET", "/api/v1/session"), cookie), 200);
  EXPECT_EQ(status_of(route("POST", "/api/v1/logout"), cookie), 200);
  EXPECT_EQ(status_of(route("GET", "/api/v1/session"), cookie), 401);
}

TEST_F(ServerTest, FailedLoginsAreRateLimited) {
  int status = 0;
  for (int i = 0; i < config_.server.login_attempts; ++i) {
    login("operator1", "wrong-password-123", &status);
    EXPECT_EQ(status, 401);
  }
  // Now even the right password waits: a guesser cannot tell.
  auto c = client();
  const auto r = c.Post("/api/v1/login", json{{"name", "operator1"}, {"password", kPassword}}.dump(), "application/json");
  EXPECT_EQ(r->status, 429);
  EXPECT_FALSE(r->get_header_value("Retry-After").empty());
  // Another account from the same address is refused too (the address is counted).
  login("supervisor1", kPassword, &status);
  EXPECT_EQ(status, 429);
}

TEST_F(ServerTest, OperatorDecisionIsAuditedAndChangesTheStatistics) {
  const std::string op = login("operator1"), sup = login("supervisor1"), aud = login("auditor1");
  auto c = client();
  const httplib::Headers as_op = {{"Cookie", op}}, as_sup = {{"Cookie", sup}}, as_aud = {{"Cookie", aud}};
  EXPECT_EQ(c.Get("/api/v1/alerts?limit=many", as_op)->status, 400);
  EXPECT_EQ(c.Get("/api/v1/export/alerts.csv?since=yesterday", as_sup)->status, 400);
  auto stats = json::parse(c.Get("/api/v1/stats", as_sup)->body);
  ASSERT_EQ(stats["rules"].size(), 1u);
  EXPECT_EQ(stats["rules"][0]["open"], 1);

  const auto r = c.Post("/api/v1/alerts/cam%2Fr%2F1/actions", as_op,
                        json{{"action", "false_alarm"}, {"note", "a shadow"}}.dump(), "application/json");
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(json::parse(r->body)["alert"]["status"], "false_alarm");
  EXPECT_EQ(c.Post("/api/v1/alerts/cam%2Fr%2F1/actions", as_op, json{{"action", "erase"}}.dump(), "application/json")->status,
            400);
  EXPECT_EQ(c.Post("/api/v1/alerts/nope/actions", as_op, json{{"action", "acknowledge"}}.dump(), "application/json")->status,
            404);

  stats = json::parse(c.Get("/api/v1/stats", as_sup)->body);
  EXPECT_EQ(stats["rules"][0]["false_alarms"], 1);
  EXPECT_EQ(stats["rules"][0]["precision"], 0.0);

  const auto one = json::parse(c.Get("/api/v1/alerts/cam%2Fr%2F1", as_op)->body);
  ASSERT_EQ(one["actions"].size(), 1u);
  EXPECT_EQ(one["actions"][0]["user"], "operator1");

  const auto audit = json::parse(c.Get("/api/v1/audit", as_aud)->body);
  EXPECT_TRUE(audit["chain_ok"].get<bool>());
  std::vector<std::string> seen;
  for (const auto& e : audit["entries"]) seen.push_back(e["user"].get<std::string>() + " " + e["action"].get<std::string>());
  EXPECT_THAT(seen, ::testing::Contains("operator1 login"));
  EXPECT_THAT(seen, ::testing::Contains("operator1 action"));
  EXPECT_THAT(seen, ::testing::Contains("operator1 alert_view"));
  // An export is audited too.
  ASSERT_EQ(c.Get("/api/v1/export/alerts.csv", as_sup)->status, 200);
  const auto audit2 = json::parse(c.Get("/api/v1/audit?limit=1", as_aud)->body);
  EXPECT_EQ(audit2["entries"][0]["action"], "export");
}

// The public report: no login; counts of what the operators did, never who or why.
TEST_F(ServerTest, TheTransparencyReportIsPublicAndCountsWithoutNames) {
  const std::string op = login("operator1"), sup = login("supervisor1");
  auto c = client();
  ASSERT_EQ(c.Post("/api/v1/alerts/cam%2Fr%2F1/actions", httplib::Headers{{"Cookie", op}},
                   json{{"action", "dispatch"}, {"note", "team 7 to the door"}}.dump(), "application/json")
                ->status,
            200);
  ASSERT_EQ(c.Get("/api/v1/search?reason=case-991&upper=red", httplib::Headers{{"Cookie", sup}})->status, 200);
  const auto page = c.Get("/transparency");
  ASSERT_EQ(page->status, 200);
  EXPECT_THAT(page->get_header_value("Content-Type"), HasSubstr("text/html"));
  const auto figures = json::parse(c.Get("/transparency.json")->body);
  ASSERT_EQ(figures["alerts"].size(), 1u);
  EXPECT_EQ(figures["alerts"][0]["confirmed"], 1);
  EXPECT_EQ(figures["costs"]["confirmed_alerts"], 0);  // no camera-hour recorded: no cost per alert
  int searches = 0;
  for (const auto& m : figures["access"]) searches += m["uses"].value("searches", 0);
  EXPECT_EQ(searches, 1);
  EXPECT_TRUE(figures["audit"]["intact"].get<bool>());
  for (const std::string& text : {page->body, figures.dump()})
    for (const char* personal : {"operator1", "supervisor1", "case-991", "team 7"})
      EXPECT_THAT(text, ::testing::Not(HasSubstr(personal))) << personal;
}

TEST_F(ServerTest, AFlightIsListedAndGivenWithItsGroundButNotItsFilePath) {
  events::FlightRow f;
  f.camera = "drone-1", f.reference = "PP-2026-0417", f.purpose = "crowd monitoring";
  f.perimeter = R"({"type":"Polygon","coordinates":[[[11.57,48.13],[11.58,48.13],[11.58,48.14],[11.57,48.13]]]})";
  f.start_epoch = now() - 600, f.end_epoch = now() - 60, f.minutes = 10, f.flagged_minutes = 1;
  f.flagged = R"([{"minute_epoch":1,"outside_perimeter":true,"outside_time":false}])";
  f.video = "/srv/private/flight-0417.mp4";
  f.geojson = R"({"type":"FeatureCollection","features":[{"type":"Feature","geometry":null,"properties":{"kind":"track"}}]})";
  {
    auto store = events::Store::open(config_.store.path);
    ASSERT_TRUE(store);
    ASSERT_TRUE((*store)->record_flight(f));
  }
  const std::string op = login("operator1");
  auto c = client();
  const auto list = c.Get("/api/v1/flights", httplib::Headers{{"Cookie", op}});
  ASSERT_EQ(list->status, 200);
  const auto flights = json::parse(list->body)["flights"];
  ASSERT_EQ(flights.size(), 1u);
  EXPECT_EQ(flights[0]["id"], f.id);
  EXPECT_EQ(flights[0]["reference"], "PP-2026-0417");
  EXPECT_EQ(flights[0]["perimeter"]["type"], "Polygon");
  EXPECT_FALSE(flights[0].contains("geojson"));
  const auto one = c.Get("/api/v1/flights/" + f.id, httplib::Headers{{"Cookie", op}});
  ASSERT_EQ(one->status, 200);
  const auto flight = json::parse(one->body);
  EXPECT_EQ(flight["geojson"]["features"][0]["properties"]["kind"], "track");
  EXPECT_TRUE(flight["flagged"][0]["outside_perimeter"].get<bool>());
  EXPECT_TRUE(flight["video"].get<bool>());
  EXPECT_THAT(one->body + list->body, ::testing::Not(HasSubstr("/srv/private")));
  EXPECT_EQ(c.Get("/api/v1/flights/no-such-flight", httplib::Headers{{"Cookie", op}})->status, 404);
  EXPECT_EQ(c.Get("/api/v1/flights")->status, 401);
}

// Every audited route's action is counted by the report in a kind, or deliberately in
// "other": a new route must be placed.
TEST(TransparencyKinds, EveryAuditedRouteIsPlaced) {
  const std::set<std::string> other = {"login",        "logout",        "stats_view",  "activity_view",
                                       "heatmap_view", "config_view",   "audit_view",  "user_list",
                                       "user_add",     "risk_map_view", "recording_list",
                                       "unmasked_request_list"};
  for (const auto& route : Server::routes()) {
    if (!route.audited) continue;
    const std::string kind = transparency::access_kind_of(route.audit_action);
    EXPECT_TRUE(kind != "other" || other.count(route.audit_action)) << route.audit_action << " is in no kind";
    EXPECT_FALSE(kind != "other" && other.count(route.audit_action)) << route.audit_action << " is in two";
  }
}

// A camera whose recording is indexed (its input is absent: the camera itself fails and
// retries, the server goes on).
class ServerWithRecordingTest : public ServerTest {
  void configure(Config& c) override {
    CameraConfig cam;
    cam.name = "cam", cam.input = (dir_ / "absent.mp4").string(), cam.record = true;
    c.cameras["cam"] = cam;
    // The recording key as the camera's first segment would make it (the camera never
    // starts here: its input is absent).
    ASSERT_TRUE(key_file_for_writing(recording_key_path(c), "recording key"));
    auto store = events::Store::open(c.store.path);
    const double t = now() - 3600;
    for (int i = 0; i < 3; ++i)
      ASSERT_TRUE((*store)->record_segment({"cam/" + std::to_string(i) + ".mp4.sealed", "cam", t + 60 * i,
                                            t + 60 * (i + 1), 1000 + i, "ab", "csu-1"}));
  }
};

// The recording's timeline: supervisors only, ranges checked, no file path, audited.
TEST_F(ServerWithRecordingTest, ARecordingsTimelineIsForSupervisorsAndAudited) {
  const std::string op = login("operator1"), sup = login("supervisor1"), aud = login("auditor1");
  auto c = client();
  const httplib::Headers as_op = {{"Cookie", op}}, as_sup = {{"Cookie", sup}}, as_aud = {{"Cookie", aud}};
  const double t = now() - 3600;
  const std::string range = fmt::format("&from={:.0f}&to={:.0f}", t + 90, t + 200);
  EXPECT_EQ(c.Get("/api/v1/recordings?camera=cam" + range, as_op)->status, 403);
  EXPECT_EQ(c.Get("/api/v1/recordings?camera=other" + range, as_sup)->status, 404);
  EXPECT_EQ(c.Get(fmt::format("/api/v1/recordings?camera=cam&from={:.0f}&to={:.0f}", t, t - 1), as_sup)->status, 400);
  EXPECT_EQ(c.Get(fmt::format("/api/v1/recordings?camera=cam&from=0&to={:.0f}", t), as_sup)->status, 400);
  EXPECT_EQ(c.Get("/api/v1/recordings?camera=cam&from=many", as_sup)->status, 400);
  const auto r = c.Get("/api/v1/recordings?camera=cam" + range, as_sup);
  ASSERT_EQ(r->status, 200) << r->body;
  const auto body = json::parse(r->body);
  ASSERT_EQ(body["segments"].size(), 2u);  // 60-120 and 120-180 s overlap 90-200
  EXPECT_EQ(body["segments"][0]["bytes"], 1001);
  EXPECT_EQ(body["segments"][1]["host"], "csu-1");
  EXPECT_EQ(r->body.find(".mp4.sealed"), std::string::npos) << "a file's path was shown";
  // The last 24 h by default: all three.
  EXPECT_EQ(json::parse(c.Get("/api/v1/recordings?camera=cam", as_sup)->body)["segments"].size(), 3u);
  const auto audit = json::parse(c.Get("/api/v1/audit", as_aud)->body);
  bool seen = false;
  for (const auto& e : audit["entries"])
    seen |= e["action"] == "recording_list" && e["user"] == "supervisor1" &&
            e["detail"].get<std::string>().find("cam ") == 0;
  EXPECT_TRUE(seen);
}

// The unmasked export's two people, through the console's routes: a supervisor asks (an
// operator cannot), an auditor decides (the supervisor cannot), once; both audited.
TEST_F(ServerWithRecordingTest, AnUnmaskedRequestIsMadeByASupervisorAndDecidedOnceByAnAuditor) {
  const std::string op = login("operator1"), sup = login("supervisor1"), aud = login("auditor1");
  auto c = client();
  const httplib::Headers as_op = {{"Cookie", op}}, as_sup = {{"Cookie", sup}}, as_aud = {{"Cookie", aud}};
  const double t = now() - 3600;
  json ask = {{"camera", "cam"},        {"from", t},       {"to", t + 120},
              {"case_reference", "PV-7"}, {"requester", "OPJ Martin"}, {"reason", "the mask hides the plate"}};
  const auto post = [&](const std::string& path, const json& body, const httplib::Headers& who) {
    return c.Post(path, who, body.dump(), "application/json");
  };
  EXPECT_EQ(post("/api/v1/recordings/unmasked", ask, as_op)->status, 403);
  EXPECT_EQ(post("/api/v1/recordings/unmasked", ask, as_aud)->status, 403);
  json no_reason = ask;
  no_reason["reason"] = "";
  EXPECT_EQ(post("/api/v1/recordings/unmasked", no_reason, as_sup)->status, 400);
  json backwards = ask;
  backwards["to"] = t - 1;
  EXPECT_EQ(post("/api/v1/recordings/unmasked", backwards, as_sup)->status, 400);
  json before_1970 = ask;
  before_1970["from"] = -5;
  EXPECT_EQ(post("/api/v1/recordings/unmasked", before_1970, as_sup)->status, 400);
  json two_lines = ask;
  two_lines["reason"] = "plate\nforged audit line";
  EXPECT_EQ(post("/api/v1/recordings/unmasked", two_lines, as_sup)->status, 400);
  EXPECT_EQ(c.Post("/api/v1/recordings/unmasked", as_sup, R"({"camera":"cam","from":1e999,"to":2})", "application/json")
                ->status,
            400);
  json elsewhere = ask;
  elsewhere["camera"] = "other";
  EXPECT_EQ(post("/api/v1/recordings/unmasked", elsewhere, as_sup)->status, 404);
  const auto made = post("/api/v1/recordings/unmasked", ask, as_sup);
  ASSERT_EQ(made->status, 201) << made->body;
  const auto request = json::parse(made->body);
  EXPECT_EQ(request["state"], "pending");
  EXPECT_EQ(request["requested_by"], "supervisor1");
  const std::string decide = "/api/v1/recordings/unmasked/" + request["id"].get<std::string>() + "/decision";

  EXPECT_EQ(c.Get("/api/v1/recordings/unmasked", as_sup)->status, 403);
  const auto list = json::parse(c.Get("/api/v1/recordings/unmasked", as_aud)->body)["requests"];
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["reason"], "the mask hides the plate");
  EXPECT_EQ(post(decide, {{"approve", true}, {"reason", "mine"}}, as_sup)->status, 403);
  EXPECT_EQ(post(decide, {{"approve", "yes"}, {"reason", "x"}}, as_aud)->status, 400);
  EXPECT_EQ(post(decide, {{"approve", true}}, as_aud)->status, 400);
  EXPECT_EQ(post("/api/v1/recordings/unmasked/no-such/decision", {{"approve", true}, {"reason", "x"}}, as_aud)->status,
            404);
  const auto approved = post(decide, {{"approve", true}, {"reason", "order seen"}}, as_aud);
  ASSERT_EQ(approved->status, 200) << approved->body;
  EXPECT_EQ(json::parse(approved->body)["state"], "approved");
  EXPECT_EQ(json::parse(approved->body)["decided_by"], "auditor1");
  EXPECT_EQ(post(decide, {{"approve", false}, {"reason", "again"}}, as_aud)->status, 409);

  // The export, for the one who asked, on the machine with the files: these are on csu-1,
  // so it is refused there and the approval still stands.
  const std::string made_here = "/api/v1/recordings/unmasked/" + request["id"].get<std::string>() + "/export";
  EXPECT_EQ(post(made_here, json::object(), as_op)->status, 403);
  EXPECT_EQ(post(made_here, json::object(), as_aud)->status, 403);
  EXPECT_EQ(post("/api/v1/recordings/unmasked/no-such/export", json::object(), as_sup)->status, 404);
  const auto elsewhere_files = post(made_here, json::object(), as_sup);
  EXPECT_EQ(elsewhere_files->status, 409);
  EXPECT_THAT(elsewhere_files->body, HasSubstr("csu-1"));
  const auto mine = json::parse(c.Get("/api/v1/recordings/unmasked/mine", as_sup)->body)["requests"];
  ASSERT_EQ(mine.size(), 1u);
  EXPECT_EQ(mine[0]["state"], "approved");
  EXPECT_EQ(c.Get("/api/v1/recordings/unmasked/mine", as_op)->status, 403);
  // Longer than the console's 15 min: approved, but made with the command.
  json long_one = ask;
  long_one["to"] = t + 1200;
  const auto long_made = post("/api/v1/recordings/unmasked", long_one, as_sup);
  ASSERT_EQ(long_made->status, 201);
  const std::string long_id = json::parse(long_made->body)["id"];
  ASSERT_EQ(post("/api/v1/recordings/unmasked/" + long_id + "/decision", {{"approve", true}, {"reason", "ok"}}, as_aud)
                ->status,
            200);
  const auto too_long = post("/api/v1/recordings/unmasked/" + long_id + "/export", json::object(), as_sup);
  EXPECT_EQ(too_long->status, 400);
  EXPECT_THAT(too_long->body, HasSubstr("vigie record export --unmasked " + long_id));

  // While the audit log cannot be written, no request is made and no decision taken: each
  // is stored with its entry or not at all.
  const auto waiting = post("/api/v1/recordings/unmasked", ask, as_sup);
  ASSERT_EQ(waiting->status, 201);
  const std::string waiting_id = json::parse(waiting->body)["id"];
  auto db = events::connect_database(config_.store.path);
  ASSERT_TRUE(db) << db.error().message;
  ASSERT_TRUE((*db)->exec("ALTER TABLE audit_log RENAME TO audit_log_away"));
  EXPECT_EQ(post("/api/v1/recordings/unmasked", ask, as_sup)->status, 503);
  EXPECT_EQ(post("/api/v1/recordings/unmasked/" + waiting_id + "/decision", {{"approve", true}, {"reason", "ok"}}, as_aud)
                ->status,
            503);
  ASSERT_TRUE((*db)->exec("ALTER TABLE audit_log_away RENAME TO audit_log"));
  const auto after = json::parse(c.Get("/api/v1/recordings/unmasked", as_aud)->body)["requests"];
  ASSERT_EQ(after.size(), 3u);  // the first, the long one and the one waiting; not the unaudited one
  EXPECT_EQ(after[0]["id"], waiting_id);
  EXPECT_EQ(after[0]["state"], "pending");

  const auto audit = json::parse(c.Get("/api/v1/audit", as_aud)->body);
  std::set<std::string> seen;
  for (const auto& e : audit["entries"]) seen.insert(e["user"].get<std::string>() + " " + e["action"].get<std::string>());
  EXPECT_TRUE(seen.count("supervisor1 recording.unmasked_request"));
  EXPECT_TRUE(seen.count("auditor1 recording.unmasked_decision"));
}

// A camera that records a short H.264 file when the server starts: real segments on
// this machine.
class ServerRecordingAFileTest : public ServerTest {
  void configure(Config& c) override {
    const std::string video = (dir_ / "street.mp4").string();
    const std::string make = "ffmpeg -v error -y -f lavfi -i testsrc=size=320x240:rate=10 -t 4 -c:v libx264 "
                             "-pix_fmt yuv420p -g 10 " + video;
    have_ffmpeg_ = std::system(make.c_str()) == 0;
    CameraConfig cam;
    cam.name = "street", cam.input = video, cam.record = true, cam.detect.type = "motion";
    cam.privacy_masks = {{{0, 0}, {160, 0}, {160, 240}, {0, 240}}};
    c.cameras["street"] = cam;
    auto store = events::Store::open(c.store.path);
    ASSERT_TRUE((*store)->add_user("supervisor2", "supervisor", kPassword, 0));
  }

 protected:
  bool have_ffmpeg_ = false;
};

// The unmasked export made from the console: only for the supervisor who asked, once,
// after an auditor's approval; downloadable, and audited naming the request.
TEST_F(ServerRecordingAFileTest, TheUnmaskedExportIsMadeOnceForTheSupervisorWhoAsked) {
  if (!have_ffmpeg_) GTEST_SKIP() << "skipped: ffmpeg cannot encode H.264 here";
  const std::string sup = login("supervisor1"), other = login("supervisor2"), aud = login("auditor1");
  auto c = client();
  const httplib::Headers as_sup = {{"Cookie", sup}}, as_other = {{"Cookie", other}}, as_aud = {{"Cookie", aud}};
  json segments;
  for (int i = 0; i < 300 && segments.empty(); ++i) {  // the file is read and its segments indexed
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    segments = json::parse(c.Get("/api/v1/recordings?camera=street", as_sup)->body)["segments"];
  }
  ASSERT_FALSE(segments.empty()) << "the camera recorded nothing";
  const double from = segments.front()["start_epoch"], to = segments.back()["end_epoch"];
  const auto post = [&](const std::string& path, const json& body, const httplib::Headers& who) {
    return c.Post(path, who, body.dump(), "application/json");
  };
  const auto made = post("/api/v1/recordings/unmasked",
                         {{"camera", "street"}, {"from", from}, {"to", to}, {"case_reference", "PV-12"},
                          {"requester", "OPJ Durand"}, {"reason", "the mask hides the suspect's car"}},
                         as_sup);
  ASSERT_EQ(made->status, 201) << made->body;
  const std::string id = json::parse(made->body)["id"];
  const std::string path = "/api/v1/recordings/unmasked/" + id + "/export";
  EXPECT_EQ(post(path, json::object(), as_sup)->status, 409);  // pending
  ASSERT_EQ(post("/api/v1/recordings/unmasked/" + id + "/decision", {{"approve", true}, {"reason", "order seen"}}, as_aud)
                ->status,
            200);
  // Another supervisor is not told the request exists.
  const auto not_theirs = post(path, json::object(), as_other);
  EXPECT_EQ(not_theirs->status, 404);
  EXPECT_THAT(not_theirs->body, ::testing::Not(HasSubstr("supervisor1")));
  c.set_read_timeout(60, 0);
  const auto done = post(path, json::object(), as_sup);
  ASSERT_EQ(done->status, 201) << done->body;
  const auto file = json::parse(done->body);
  EXPECT_TRUE(file["unmasked"].get<bool>());
  EXPECT_GT(file["frames"].get<int>(), 0);
  const std::string download = "/api/v1/recordings/exports/" + file["file"].get<std::string>();
  const auto video = c.Get(download, as_sup);
  ASSERT_EQ(video->status, 200);
  EXPECT_EQ(static_cast<int64_t>(video->body.size()), file["bytes"].get<int64_t>());
  EXPECT_EQ(c.Get(download, as_other)->status, 404);  // the pixels are the asker's only
  EXPECT_EQ(c.Get(download + ".manifest.json", as_other)->status, 404);
  EXPECT_EQ(post(path, json::object(), as_sup)->status, 409);  // an approval allows one export
  const auto mine = json::parse(c.Get("/api/v1/recordings/unmasked/mine", as_sup)->body)["requests"];
  EXPECT_EQ(mine[0]["state"], "used");
  EXPECT_EQ(mine[0]["file"], file["file"]);  // found again if the answer was lost
  EXPECT_TRUE(json::parse(c.Get("/api/v1/recordings/unmasked/mine", as_other)->body)["requests"].empty());
  bool audited = false, attempt_audited = false, reuse_audited = false;
  const auto audit = json::parse(c.Get("/api/v1/audit", as_aud)->body);
  for (const auto& e : audit["entries"]) {
    const std::string detail = e["detail"];
    audited |= e["action"] == "recording.export" && e["user"] == "supervisor1" && detail.find(id) != std::string::npos;
    // Refused attempts at the original pixels are kept too: another supervisor's, a reuse.
    attempt_audited |= e["action"] == "denied" && e["user"] == "supervisor2" && detail.find(path) != std::string::npos &&
                       detail.find("no unmasked export request") != std::string::npos;
    reuse_audited |= e["action"] == "denied" && e["user"] == "supervisor1" && detail.find("is used") != std::string::npos;
  }
  EXPECT_TRUE(audited);
  EXPECT_TRUE(attempt_audited);
  EXPECT_TRUE(reuse_audited);
}

// Playback of the recording: supervisors only, short stretches, from the machine holding
// the files (these segments name another host), audited when it plays (the masked
// playback itself: console_e2e).
TEST_F(ServerWithRecordingTest, PlaybackIsForSupervisorsInShortStretchesFromTheMachineWithTheFiles) {
  const std::string op = login("operator1"), sup = login("supervisor1");
  auto c = client();
  const httplib::Headers as_op = {{"Cookie", op}}, as_sup = {{"Cookie", sup}};
  const double t = now() - 3600;
  const auto play = [&](double from, double to, const httplib::Headers& who, const std::string& camera = "cam") {
    return c.Get(fmt::format("/api/v1/recordings/video?camera={}&from={:.0f}&to={:.0f}", camera, from, to), who);
  };
  EXPECT_EQ(play(t, t + 60, as_op)->status, 403);
  EXPECT_EQ(play(t, t + 60, as_sup, "other")->status, 404);
  EXPECT_EQ(play(t, t + 600, as_sup)->status, 400);
  EXPECT_EQ(play(t + 60, t, as_sup)->status, 400);
  const auto elsewhere = play(t, t + 60, as_sup);
  EXPECT_EQ(elsewhere->status, 409);
  EXPECT_THAT(elsewhere->body, HasSubstr("csu-1"));
  EXPECT_EQ(play(t - 7200, t - 7100, as_sup)->status, 404);  // nothing recorded then

  // An alert of a recording camera has its clip cut from the recording around it: this
  // one is newer than the recording, so there is none to cut (not a file that is missing).
  {
    auto store = events::Store::open(config_.store.path);
    ASSERT_TRUE((*store)->set_clip("cam/r/1", events::kClipInRecording));
  }
  const auto alert = json::parse(c.Get("/api/v1/alerts/cam%2Fr%2F1", as_op)->body);
  EXPECT_EQ(alert["clip"], "video");
  const auto clip = c.Get("/api/v1/alerts/cam%2Fr%2F1/clip", as_op);
  EXPECT_EQ(clip->status, 404);
  EXPECT_THAT(clip->body, HasSubstr("has no recording between"));

  // Exports from the console: the same checks, a case and a requester, 15 min at most.
  const auto export_of = [&](json body, const httplib::Headers& who) {
    return c.Post("/api/v1/recordings/exports", who, body.dump(), "application/json");
  };
  const json ask = {{"camera", "cam"}, {"from", t}, {"to", t + 60}, {"case_reference", "PV-3"}, {"requester", "OPJ"}};
  EXPECT_EQ(export_of(ask, as_op)->status, 403);
  json no_case = ask;
  no_case.erase("case_reference");
  EXPECT_EQ(export_of(no_case, as_sup)->status, 400);
  json long_one = ask;
  long_one["to"] = t + 3600;
  EXPECT_EQ(export_of(long_one, as_sup)->status, 400);
  EXPECT_EQ(export_of(ask, as_sup)->status, 409);
  EXPECT_EQ(c.Get("/api/v1/recordings/exports/export-0190f3c2-6a1b-7c3d-8e4f-0123456789ab.mp4", as_sup)->status, 404);
  EXPECT_EQ(c.Get("/api/v1/recordings/exports/..%2Fv.db", as_sup)->status, 404);
}

// Forensic search: supervisors only, a reason always, filters checked, each search in the
// audit log with its reason and how many tracks it found.
TEST_F(ServerTest, SearchNeedsAReasonAndIsAuditedWithItsCount) {
  {
    auto store = events::Store::open(config_.store.path);
    events::TrackRow t;
    t.camera = "cam", t.track_id = 4, t.label = "person";
    t.first_epoch = now() - 30, t.last_epoch = now() - 10;
    t.upper = {{"red", 0.7f}, {"blue", 0.3f}}, t.lower = {{"black", 1}};
    t.run_id = "run 1";  // a run id that needs encoding in a URL
    std::ofstream(dir_ / "thumb.jpg") << "jpeg";
    t.thumbnail_path = (dir_ / "thumb.jpg").string();
    ASSERT_TRUE((*store)->record_track(t));
    t.track_id = 5, t.upper = {{"white", 1}}, t.thumbnail_path.clear();
    ASSERT_TRUE((*store)->record_track(t));
  }
  const std::string op = login("operator1"), sup = login("supervisor1"), aud = login("auditor1");
  auto c = client();
  const httplib::Headers as_op = {{"Cookie", op}}, as_sup = {{"Cookie", sup}}, as_aud = {{"Cookie", aud}};
  EXPECT_EQ(c.Get("/api/v1/search?reason=x&upper=red", as_op)->status, 403);
  EXPECT_EQ(c.Get("/api/v1/search?upper=red", as_sup)->status, 400);
  EXPECT_EQ(c.Get("/api/v1/search?reason=%20&upper=red", as_sup)->status, 400);
  const auto beige = c.Get("/api/v1/search?reason=x&upper=beige", as_sup);
  EXPECT_EQ(beige->status, 400);
  EXPECT_NE(beige->body.find("upper 'beige' is not a colour name"), std::string::npos) << beige->body;
  EXPECT_EQ(c.Get("/api/v1/search?reason=x&from=2000&to=1000", as_sup)->status, 400);
  EXPECT_EQ(c.Get("/api/v1/search?reason=x&limit=many", as_sup)->status, 400);
  EXPECT_EQ(json::parse(c.Get("/api/v1/search?reason=x&limit=0", as_sup)->body)["tracks"].size(), 1u);  // at least 1

  const auto r = c.Get("/api/v1/search?reason=case%2042&upper=Red&camera=cam&camera=other", as_sup);
  ASSERT_EQ(r->status, 200) << r->body;
  const auto found = json::parse(r->body)["tracks"];
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0]["track_id"], 4);
  EXPECT_EQ(found[0]["upper"], json::array({"red", "blue"}));
  // Its thumbnail: for supervisors, audited.
  ASSERT_EQ(found[0]["thumbnail"], "/api/v1/tracks/cam/run%201/4/thumbnail.jpg");
  const auto thumb = c.Get(found[0]["thumbnail"].get<std::string>(), as_sup);
  ASSERT_EQ(thumb->status, 200);
  EXPECT_EQ(thumb->body, "jpeg");
  EXPECT_EQ(thumb->get_header_value("Content-Type"), "image/jpeg");
  EXPECT_EQ(c.Get(found[0]["thumbnail"].get<std::string>(), as_op)->status, 403);
  EXPECT_EQ(c.Get("/api/v1/tracks/cam/run%201/5/thumbnail.jpg", as_sup)->status, 404);  // stored, no thumbnail
  EXPECT_EQ(c.Get("/api/v1/tracks/cam/run%201/99/thumbnail.jpg", as_sup)->status, 404);  // not stored
  EXPECT_EQ(c.Get("/api/v1/tracks/cam/run%202/4/thumbnail.jpg", as_sup)->status, 404);   // another run
  EXPECT_EQ(json::parse(c.Get("/api/v1/search?reason=x", as_sup)->body)["tracks"].size(), 2u);
  EXPECT_TRUE(json::parse(c.Get("/api/v1/search?reason=x&camera=other", as_sup)->body)["tracks"].empty());

  const auto audit = json::parse(c.Get("/api/v1/audit", as_aud)->body);
  bool seen = false;
  for (const auto& e : audit["entries"])
    if (e["action"] == "track_search" && e["user"] == "supervisor1") {
      const auto d = e["detail"].get<std::string>();
      if (d.find("case 42") != std::string::npos) {
        seen = true;
        EXPECT_NE(d.find("\"upper\":\"red\""), std::string::npos) << d;
        EXPECT_NE(d.find("\"results\":1"), std::string::npos) << d;
      }
    }
  EXPECT_TRUE(seen) << audit.dump();
  EXPECT_NE(audit.dump().find("track_thumbnail"), std::string::npos);
}

// A street camera and a scancar's plate-reading camera: only the street camera is a
// stream the centre analyses and lists; the configuration says which reads plates.
class ScancarCameraTest : public ServerTest {
  void configure(Config& c) override {
    CameraConfig street = site_camera(c, "street");
    street.input = "rtsp://127.0.0.1:1/nothing-listens-here";
    street.detect.type = "motion";
    c.cameras[street.name] = street;
    CameraConfig scancar = site_camera(c, "scancar-1");
    scancar.plates.read = true;
    c.cameras[scancar.name] = scancar;
  }
};

TEST_F(ScancarCameraTest, OnlyStreamsAreAnalysedAndEachCameraShowsItsOwnDetector) {
  const httplib::Headers as_sup = {{"Cookie", login("supervisor1")}};
  auto c = client();
  const auto cameras = json::parse(c.Get("/api/v1/cameras", as_sup)->body);
  std::vector<std::string> names;
  for (const auto& cam : cameras) names.push_back(cam["name"]);
  EXPECT_EQ(names, std::vector<std::string>{"street"}) << cameras.dump();
  const auto config = json::parse(c.Get("/api/v1/config", as_sup)->body);
  EXPECT_EQ(config["cameras"]["street"]["detector"], "motion");
  EXPECT_EQ(config["cameras"]["street"]["reads_plates"], false);
  EXPECT_EQ(config["cameras"]["scancar-1"]["reads_plates"], true);
  EXPECT_EQ(config["cameras"]["scancar-1"]["detector"], "");
}

// A camera with a zone and a line (its input never answers: only its config matters).
class SearchPlacesTest : public ServerTest {
  void configure(Config& c) override {
    CameraConfig cam;
    cam.name = "cam", cam.input = "rtsp://127.0.0.1:1/nothing-listens-here";
    cam.zones["yard"] = {{0, 0}, {10, 0}, {10, 10}};
    cam.lines["door"].points = {{0, 5}, {10, 5}};
    c.cameras[cam.name] = cam;
  }
};

// Where tracks went and who looks alike: by zone, by line (one way or both), ranked by
// appearance; names no camera has and tracks not stored are refused with the cause.
TEST_F(SearchPlacesTest, FindsByZoneLineAndLikenessAndRefusesWhatIsNotThere) {
  {
    auto store = events::Store::open(config_.store.path);
    events::TrackRow t;
    t.camera = "cam", t.run_id = "r", t.label = "person";
    t.first_epoch = now() - 30, t.last_epoch = now() - 10;
    t.track_id = 4, t.appearance = {1, 0, 0}, t.zones = {{"yard", "", now() - 20}};
    t.crossed = {{"door", "a_to_b", now() - 15}};
    ASSERT_TRUE((*store)->record_track(t));
    t.track_id = 5, t.appearance = {0.9f, 0.1f, 0}, t.zones.clear(), t.crossed = {{"door", "b_to_a", now() - 15}};
    ASSERT_TRUE((*store)->record_track(t));
    t.track_id = 6, t.appearance = {0, 0, 1}, t.crossed.clear();
    t.zones = {{"kiosk", "", now() - 20}};  // a zone the camera's config no longer has
    ASSERT_TRUE((*store)->record_track(t));
    t.track_id = 7, t.label = "car", t.appearance = {1, 0, 0}, t.zones.clear();  // alike, but not a person
    ASSERT_TRUE((*store)->record_track(t));
  }
  const httplib::Headers as_sup = {{"Cookie", login("supervisor1")}};
  auto c = client();
  auto ids = [&](const std::string& query) {
    const auto r = c.Get("/api/v1/search?reason=case%207&" + query, as_sup);
    std::vector<int> out;
    EXPECT_EQ(r->status, 200) << query << ": " << r->body;
    const json found = r->status == 200 ? json::parse(r->body)["tracks"] : json::array();
    for (const auto& t : found) out.push_back(t["track_id"].get<int>());
    return out;
  };
  EXPECT_EQ(ids(""), (std::vector<int>{4, 5, 6, 7}));
  EXPECT_EQ(ids("crossed=door"), (std::vector<int>{4, 5}));
  EXPECT_EQ(ids("crossed=door:b_to_a"), std::vector<int>{5});
  EXPECT_EQ(ids("zone=yard"), std::vector<int>{4});
  EXPECT_EQ(ids("zone=kiosk"), std::vector<int>{6});  // known from the tracks stored
  EXPECT_EQ(ids("similar=cam/r/4"), (std::vector<int>{5, 6}));  // nearest first, itself left out
  EXPECT_EQ(ids("similar=4&class=car"), std::vector<int>{7});
  const auto ranked = json::parse(c.Get("/api/v1/search?reason=x&similar=4", as_sup)->body)["tracks"];
  ASSERT_EQ(ranked.size(), 2u);
  EXPECT_LT(ranked[0]["distance"].get<double>(), ranked[1]["distance"].get<double>());
  EXPECT_EQ(ranked[0]["crossed"][0][1], "b_to_a");
  for (const auto& [query, cause] : std::vector<std::pair<std::string, std::string>>{
           {"zone=nowhere", "zone 'nowhere' is not a zone of these cameras, and no stored track entered"},
           {"crossed=gate", "'gate' is not a line"},
           {"crossed=door:up", "'door:up' is not a line"},  // a line's name may hold a ':'
           {"similar=99", "no stored track is '99'"},
           {"similar=cam/r", "is not a track"},
           {"similar=cam/r/x", "is not a track"}}) {
    const auto r = c.Get("/api/v1/search?reason=x&" + query, as_sup);
    EXPECT_EQ(r->status, 400) << query;
    EXPECT_NE(r->body.find(cause), std::string::npos) << query << ": " << r->body;
  }
  const auto audit = c.Get("/api/v1/audit", {{"Cookie", login("auditor1")}});
  EXPECT_NE(audit->body.find(R"(\"similar\":\"cam/r/4\")"), std::string::npos) << audit->body;
}

// Statistics for supervisors: tracks per class and hour, a heat map the size of the
// camera's frame, the counts as CSV (an audited export).
TEST_F(ServerTest, StatisticsCountTracksAndDrawWhereTheyWent) {
  {
    auto store = events::Store::open(config_.store.path);
    events::TrackRow t;
    t.camera = "cam", t.run_id = "r", t.label = "person", t.frame_width = 320, t.frame_height = 240;
    t.path = {{10, 200}, {100, 200}, {200, 210}};
    for (int id = 1; id <= 3; ++id) {
      t.track_id = id, t.first_epoch = now() - 600 + id, t.last_epoch = now() - 500;
      ASSERT_TRUE((*store)->record_track(t));
    }
  }
  const std::string op = login("operator1"), sup = login("supervisor1");
  auto c = client();
  const httplib::Headers as_op = {{"Cookie", op}}, as_sup = {{"Cookie", sup}};
  EXPECT_EQ(c.Get("/api/v1/stats/activity", as_op)->status, 403);
  EXPECT_EQ(c.Get("/api/v1/stats/activity?by=week", as_sup)->status, 400);
  const auto a = json::parse(c.Get("/api/v1/stats/activity?by=day", as_sup)->body);
  int persons = 0;
  for (const auto& r : a["counts"])
    if (r["kind"] == "tracks" && r["what"] == "person" && r["camera"] == "cam") persons += r["count"].get<int>();
  EXPECT_EQ(persons, 3);
  EXPECT_EQ(a["bucket_s"], 86400);

  const auto png = c.Get("/api/v1/stats/heatmap/cam.png", as_sup);
  ASSERT_EQ(png->status, 200) << png->body;
  const cv::Mat heat = cv::imdecode(std::vector<uchar>(png->body.begin(), png->body.end()), cv::IMREAD_UNCHANGED);
  ASSERT_EQ(heat.size(), cv::Size(320, 240));
  EXPECT_EQ(heat.channels(), 4);
  EXPECT_GT(heat.at<cv::Vec4b>(200, 100)[3], 0);  // on the path: coloured
  EXPECT_EQ(heat.at<cv::Vec4b>(20, 300)[3], 0);   // where nobody went: clear
  EXPECT_EQ(c.Get("/api/v1/stats/heatmap/elsewhere.png", as_sup)->status, 404);
  const httplib::Headers as_aud = {{"Cookie", login("auditor1")}};
  const auto audit = c.Get("/api/v1/audit", as_aud);
  ASSERT_EQ(audit->status, 200) << audit->body;
  const auto entries = json::parse(audit->body)["entries"];  // (a temporary in a range-for would dangle)
  std::vector<std::string> seen;
  for (const auto& e : entries)
    seen.push_back(e["user"].get<std::string>() + " " + e["action"].get<std::string>());
  EXPECT_THAT(seen, ::testing::Contains("supervisor1 heatmap_view"));
  EXPECT_THAT(seen, ::testing::Contains("supervisor1 activity_view"));

  const auto csv = c.Get("/api/v1/export/activity.csv", as_sup);
  ASSERT_EQ(csv->status, 200);
  EXPECT_NE(csv->body.find("\"cam\",tracks,\"person\",,3"), std::string::npos) << csv->body;
}

TEST_F(ServerTest, AudioAlertsComeWithTheirSoundClip) {
  {
    auto store = events::Store::open(config_.store.path);
    ASSERT_TRUE((*store)->record(started("mic/scream/a1", "mic", "scream", "scream", now() - 5)));
    std::ofstream(dir_ / "a1.wav") << "RIFF....WAVE";  // the bytes are passed through as they are
    ASSERT_TRUE((*store)->set_clip("mic/scream/a1", (dir_ / "a1.wav").string()));
  }
  const std::string op = login("operator1"), aud = login("auditor1");
  auto c = client();
  const auto one = json::parse(c.Get("/api/v1/alerts/mic%2Fscream%2Fa1", {{"Cookie", op}})->body);
  EXPECT_EQ(one["clip"], "audio");
  EXPECT_EQ(one["snapshot"], false);
  const auto clip = c.Get("/api/v1/alerts/mic%2Fscream%2Fa1/clip", {{"Cookie", op}});
  ASSERT_EQ(clip->status, 200);
  EXPECT_EQ(clip->get_header_value("Content-Type"), "audio/wav");
  EXPECT_EQ(clip->body, "RIFF....WAVE");
  const auto audit = json::parse(c.Get("/api/v1/audit?limit=1", {{"Cookie", aud}})->body);
  EXPECT_EQ(audit["entries"][0]["action"], "clip_play");
  EXPECT_THAT(audit["entries"][0]["detail"].get<std::string>(), HasSubstr("mic/scream/a1"));
}

TEST_F(ServerTest, MetricsArePrometheusText) {
  auto c = client();
  const auto r = c.Get("/metrics");
  ASSERT_EQ(r->status, 200);
  EXPECT_THAT(r->body, HasSubstr("# TYPE vigie_sse_clients gauge"));
  EXPECT_THAT(r->get_header_value("Content-Type"), HasSubstr("text/plain"));
}

// The basemap's tiles from an MBTiles file (as tilemaker writes one): rows counted from
// the south, gzip tiles said to be so, none where the city has none, and for logged-in users only.
class BasemapTest : public ServerTest {
 protected:
  void configure(Config& c) override {
    c.server.basemap = (dir_ / "city.mbtiles").string();
    const std::string tile = (dir_ / "tile.gz").string();
    ASSERT_EQ(std::system(("printf 'a vector tile' | gzip -c > " + tile).c_str()), 0);
    const std::string sql =
        "CREATE TABLE metadata (name TEXT, value TEXT); CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, "
        "tile_row INTEGER, tile_data BLOB); INSERT INTO metadata VALUES ('format', 'pbf'), ('bounds', "
        "'11.56,48.13,11.58,48.14'), ('minzoom', '12'), ('maxzoom', '15'); INSERT INTO tiles VALUES (14, 8718, " +
        std::to_string((1 << 14) - 1 - 5685) + ", readfile('" + tile + "')), (14, 8719, " +
        std::to_string((1 << 14) - 1 - 5685) + ", X'1a0361');";
    ASSERT_EQ(std::system(("sqlite3 " + c.server.basemap + " \"" + sql + "\"").c_str()), 0);
  }
};

TEST_F(BasemapTest, TilesAreServedAsStoredToLoggedInUsers) {
  auto c = client();
  const httplib::Headers op = {{"Cookie", login("operator1")}};
  const auto meta = json::parse(c.Get("/api/v1/basemap.json", op)->body);
  EXPECT_EQ(meta["bounds"], json({11.56, 48.13, 11.58, 48.14}));
  EXPECT_EQ(meta["maxzoom"], 15);
  const auto gz = c.Get("/api/v1/basemap/14/8718/5685.pbf", op);
  ASSERT_EQ(gz->status, 200);
  EXPECT_EQ(gz->get_header_value("Content-Encoding"), "gzip");
  EXPECT_EQ(gz->get_header_value("Content-Type"), "application/vnd.mapbox-vector-tile");
  const auto plain = c.Get("/api/v1/basemap/14/8719/5685.pbf", op);
  ASSERT_EQ(plain->status, 200);
  EXPECT_EQ(plain->get_header_value("Content-Encoding"), "");
  EXPECT_EQ(plain->body, std::string("\x1a\x03\x61", 3));
  EXPECT_EQ(c.Get("/api/v1/basemap/14/8718/5686.pbf", op)->status, 204);  // none there
  EXPECT_EQ(c.Get("/api/v1/basemap/30/1/1.pbf", op)->status, 204);        // beyond any zoom
  EXPECT_EQ(c.Get("/api/v1/basemap/14/8718/5685.pbf")->status, 401);
}

TEST(Basemap, AFileThatIsNotMBTilesStopsTheServerWithItsName) {
  const auto dir = testing::fresh_temp_dir("basemap_bad");
  Config c;
  c.store.path = (dir / "v.db").string();
  c.server.basemap = (dir / "notes.txt").string();
  std::ofstream(c.server.basemap) << "not a database";
  try {
    Server server(c);
    FAIL() << "the server started";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("notes.txt"));
  }
}

// The risk map `vigie risk map` wrote: supervisors see it (audited once a session),
// operators do not, and without one the console is told there is none.
class RiskLayerTest : public ServerTest {
 protected:
  void configure(Config& c) override {
    c.server.risk_layer = (dir_ / "risk.geojson").string();
    std::ofstream(c.server.risk_layer) << R"({"type":"FeatureCollection","properties":{"pai_5_measured":11.3},"features":[]})";
  }
};

TEST_F(RiskLayerTest, SupervisorsSeeTheRiskMapOperatorsDoNot) {
  auto c = client();
  const auto sup = c.Get("/api/v1/risk.geojson", {{"Cookie", login("supervisor1")}});
  ASSERT_EQ(sup->status, 200);
  EXPECT_EQ(json::parse(sup->body)["properties"]["pai_5_measured"], 11.3);
  EXPECT_EQ(c.Get("/api/v1/risk.geojson", {{"Cookie", login("operator1")}})->status, 403);
  std::filesystem::remove(dir_ / "risk.geojson");
  EXPECT_EQ(c.Get("/api/v1/risk.geojson", {{"Cookie", login("supervisor1")}})->status, 404);
}

}  // namespace
}  // namespace vigie::server
