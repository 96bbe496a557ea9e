#include "server/auth.h"

#include <gtest/gtest.h>

#include "server/hub.h"

namespace vigie::server {
namespace {

TEST(Sessions, TokensAreRandomAndExpire) {
  Sessions sessions(3600);
  const Session a = sessions.create("ann", "operator", 1000);
  const Session b = sessions.create("ann", "operator", 1000);
  EXPECT_EQ(a.token.size(), 64u);  // 256 bits, hex
  EXPECT_NE(a.token, b.token);
  ASSERT_TRUE(sessions.find(a.token, 1000 + 3599));
  EXPECT_EQ(sessions.find(a.token, 1000 + 3599)->role, "operator");
  EXPECT_FALSE(sessions.find(a.token, 1000 + 3601));  // a shift is over
  EXPECT_FALSE(sessions.find("not-a-token", 1000));
}

TEST(LoginLimiter, RefusesAfterTheAttemptsUntilTheWindowPasses) {
  LoginLimiter limiter(3, 60);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(limiter.attempt("addr:1", 100 + i), 0);
  EXPECT_NEAR(limiter.attempt("addr:1", 103), 57, 1e-9);  // the first attempt leaves at 160
  EXPECT_EQ(limiter.attempt("addr:2", 103), 0);           // others are not affected
  EXPECT_EQ(limiter.attempt("addr:1", 161), 0);
  limiter.succeeded("addr:1");
  EXPECT_EQ(limiter.attempt("addr:1", 162), 0);
}

// Regression: 40 parallel wrong passwords were all checked, because a failure was only
// counted after its (slow) check. An attempt now counts before the check.
TEST(LoginLimiter, ParallelAttemptsCountBeforeTheirCheck) {
  LoginLimiter limiter(5, 60);
  int admitted = 0;
  for (int i = 0; i < 40; ++i) admitted += limiter.attempt("name:sup1", 100) == 0;  // none checked yet
  EXPECT_EQ(admitted, 5);
}

TEST(LoginLimiter, ARefundedAttemptFreesItsPlace) {
  LoginLimiter limiter(2, 60);
  EXPECT_EQ(limiter.attempt("addr:1", 100), 0);
  EXPECT_EQ(limiter.attempt("addr:1", 101), 0);
  limiter.refund("addr:1", 101);  // that one logged in
  EXPECT_EQ(limiter.attempt("addr:1", 102), 0);
  EXPECT_GT(limiter.attempt("addr:1", 103), 0);
}

TEST(Roles, EachRoleSeesOnlyWhatItNeeds) {
  EXPECT_TRUE(role_allows("operator", Permission::kAlerts));
  EXPECT_FALSE(role_allows("operator", Permission::kStats));
  EXPECT_TRUE(role_allows("supervisor", Permission::kStats));
  EXPECT_FALSE(role_allows("auditor", Permission::kLive));  // the auditor reads the log, not the cameras
  EXPECT_FALSE(role_allows("admin", Permission::kLive));
  EXPECT_FALSE(role_allows("nobody", Permission::kLive));
}

TEST(Cookies, ValueByName) {
  EXPECT_EQ(cookie_value("a=1; vigie_session=abc; b=2", "vigie_session"), "abc");
  EXPECT_EQ(cookie_value("vigie_session_old=x", "vigie_session"), "");
  EXPECT_EQ(cookie_value("", "vigie_session"), "");
}

TEST(EventHub, ASlowConsoleLosesItsOldestMessagesNotTheServersMemory) {
  EventHub hub(2);
  auto sub = hub.subscribe();
  for (int i = 0; i < 5; ++i) hub.publish("alert", std::to_string(i));
  EXPECT_EQ(sub->drops(), 3u);
  EXPECT_EQ(*sub->next(std::chrono::milliseconds(10)), "event: alert\ndata: 3\n\n");
  EXPECT_EQ(*sub->next(std::chrono::milliseconds(10)), "event: alert\ndata: 4\n\n");
  EXPECT_FALSE(sub->next(std::chrono::milliseconds(10)));
  hub.unsubscribe(sub);
  EXPECT_EQ(hub.subscribers(), 0u);
}

}  // namespace
}  // namespace vigie::server
