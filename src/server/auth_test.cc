#include "server/auth.h"

#include <gtest/gtest.h>

#include "server/hub.h"

#include <filesystem>
#include <unistd.h>

#include "events/store.h"

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

// Two API nodes on one store: a session made on one is known to the other, a logout on
// one ends it on the other (once its short recheck delay has passed), and the store holds
// no token that would log anyone in.
TEST(Sessions, KeptInTheStoreTheyAreSharedByTheNodes) {
  const auto dir = std::filesystem::temp_directory_path() / ("vigie_sessions_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  auto store_a = events::Store::open((dir / "v.db").string());
  auto store_b = events::Store::open((dir / "v.db").string());
  ASSERT_TRUE(store_a && store_b);
  std::mutex mu_a, mu_b;
  Sessions a(3600), b(3600);
  a.keep_in(store_a->get(), &mu_a);
  b.keep_in(store_b->get(), &mu_b);
  const Session s = a.create("ann", "supervisor", 1000);
  const auto seen = b.find(s.token, 1001);
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->user, "ann");
  EXPECT_EQ(seen->role, "supervisor");
  EXPECT_DOUBLE_EQ(seen->expires_epoch, 1000 + 3600);
  EXPECT_FALSE(b.find(s.token, 1000 + 3601));  // expired on every node
  a.remove(s.token);                              // logged out on node a …
  EXPECT_FALSE(b.find(s.token, 1001 + 3));        // … and so on node b
  EXPECT_FALSE(a.find(s.token, 1001 + 3));
  // Restarting a node loses nothing: a new Sessions on the same store knows the sessions.
  const Session t = a.create("bob", "operator", 2000);
  Sessions restarted(3600);
  restarted.keep_in(store_b->get(), &mu_b);
  EXPECT_TRUE(restarted.find(t.token, 2001));
  std::filesystem::remove_all(dir);
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
