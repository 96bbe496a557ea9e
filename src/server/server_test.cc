// The server's rules as a client meets them: every route refuses without a session (401)
// and with the wrong role (403); logins are rate-limited; actions are audited and change
// the statistics.
#include "server/server.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <fstream>

#include "core/test_data.h"
#include "events/store.h"

namespace vigie::server {
namespace {

using ::testing::HasSubstr;
using nlohmann::json;

const char* kPassword = "correct-horse-battery";
const std::vector<std::string> kRoles = {"operator", "supervisor", "auditor", "admin"};

rules::AlertEvent started(const std::string& id, const std::string& camera, const std::string& rule,
                          const std::string& type, double epoch) {
  rules::AlertEvent e;
  e.phase = rules::Phase::kStart;
  e.alert_id = id;
  e.camera = camera, e.rule = rule, e.rule_type = type;
  e.epoch_s = epoch;
  return e;
}

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = vigie::testing::fresh_temp_dir(std::string("server_") +
                                          ::testing::UnitTest::GetInstance()->current_test_info()->name());
    config_.store.path = (dir_ / "vigie.db").string();
    config_.store.media = (dir_ / "media").string();
    config_.server.listen = "127.0.0.1:0";
    config_.server.web_root = (dir_ / "web").string();  // absent: the server says the console is not built
    {
      auto store = events::Store::open(config_.store.path);
      ASSERT_TRUE(store) << store.error().message;
      for (const auto& role : kRoles) ASSERT_TRUE((*store)->add_user(role + "1", role, kPassword, 0));
      ASSERT_TRUE((*store)->record(started("cam/r/1", "cam", "zone_intrusion:door", "zone_intrusion", now() - 60)));
    }
    server_ = std::make_unique<Server>(config_);
    std::string error;
    ASSERT_TRUE(server_->start(error)) << error;
  }
  void TearDown() override { server_->stop(); }

  static double now() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  }

  httplib::Client client() {
    httplib::Client c("127.0.0.1", server_->port());
    c.set_read_timeout(2, 0);
    return c;
  }

  // The session cookie of a login as `name`, or "" (the status in `status`).
  std::string login(const std::string& name, const std::string& password = kPassword, int* status = nullptr) {
    auto c = client();
    const auto r = c.Post("/api/v1/login", json{{"name", name}, {"password", password}}.dump(), "application/json");
    if (status) *status = r ? r->status : -1;
    if (!r || r->status != 200) return "";
    const std::string set = r->get_header_value("Set-Cookie");
    return set.substr(0, set.find(';'));
  }

  // Status of `route` with `cookie` ("" for none). Streams are cut after their first bytes.
  int status_of(const RouteInfo& route, const std::string& cookie) {
    auto c = client();
    httplib::Headers h;
    if (!cookie.empty()) h.emplace("Cookie", cookie);
    if (route.method == "POST") {
      const auto r = c.Post(route.example.c_str(), h, "{}", "application/json");
      return r ? r->status : -1;
    }
    int status = -1;
    const auto r = c.Get(
        route.example.c_str(), h,
        [&](const httplib::Response& res) {
          status = res.status;
          return res.status == 200 && res.get_header_value("Content-Type").find("event-stream") == std::string::npos
                     ? true
                     : false;  // stop reading an event stream after its headers
        },
        [&](const char*, size_t) { return true; });
    (void)r;
    return status;
  }

  std::filesystem::path dir_;
  Config config_;
  std::unique_ptr<Server> server_;
};

TEST_F(ServerTest, EveryRouteButLoginHealthAndMetricsRefusesWithoutASession) {
  for (const auto& route : Server::routes()) {
    const int status = status_of(route, "");
    if (route.public_route) EXPECT_EQ(status, 200) << route.method << " " << route.example;
    else EXPECT_EQ(status, 401) << route.method << " " << route.example;
  }
  // A made-up token is no session either.
  EXPECT_EQ(status_of({"GET", "/api/v1/alerts", Permission::kAlerts, false}, "vigie_session=00ff"), 401);
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
  EXPECT_EQ(status_of({"GET", "/api/v1/session", std::nullopt, false}, cookie), 200);
  EXPECT_EQ(status_of({"POST", "/api/v1/logout", std::nullopt, false}, cookie), 200);
  EXPECT_EQ(status_of({"GET", "/api/v1/session", std::nullopt, false}, cookie), 401);
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
  EXPECT_EQ(audit["entries"][0]["detail"], "mic/scream/a1");
}

TEST_F(ServerTest, MetricsArePrometheusText) {
  auto c = client();
  const auto r = c.Get("/metrics");
  ASSERT_EQ(r->status, 200);
  EXPECT_THAT(r->body, HasSubstr("# TYPE vigie_sse_clients gauge"));
  EXPECT_THAT(r->get_header_value("Content-Type"), HasSubstr("text/plain"));
}

}  // namespace
}  // namespace vigie::server
