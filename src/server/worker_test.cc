// A worker node's one route of its own: the live view an API node fetches, admitted only
// with the site's derived secret (no session, no cookie: node to node).
#include <gtest/gtest.h>
#include <httplib.h>

#include "core/test_data.h"
#include "events/database.h"
#include "events/store.h"
#include "events/test_postgres.h"
#include "server/server.h"

namespace vigie::server {
namespace {

TEST(WorkerNode, TheInternalFrameRouteWantsTheSitesSecret) {
  std::string why;
  auto* cluster = testing::PostgresCluster::get(&why);
  if (!cluster) GTEST_SKIP() << "skipped: " << why;
  auto admin = events::connect_database(cluster->url("postgres"));
  ASSERT_TRUE(admin) << admin.error().message;
  (*admin)->exec("DROP DATABASE IF EXISTS worker_route");
  ASSERT_TRUE((*admin)->exec("CREATE DATABASE worker_route"));
  const auto dir = vigie::testing::fresh_temp_dir("worker_route");

  Config config;
  config.store.url = cluster->url("worker_route");
  config.store.audit_key = (dir / "audit.key").string();
  config.store.media = (dir / "media").string();
  config.store.outbox = (dir / "outbox").string();
  config.server.listen = "127.0.0.1:0";
  config.cluster.role = "worker";
  config.cluster.node = "w1";
  std::string secret;
  {
    auto store = events::Store::open(config.store.url, config.store.audit_key);
    ASSERT_TRUE(store) << store.error().message;
    ASSERT_TRUE((*store)->audit("test", "user.add", "{}", 0));  // the first entry makes the site's key
    auto s = (*store)->derived_secret("worker live views");
    ASSERT_TRUE(s) << s.error().message;
    secret = *s;
  }
  Server server(config);
  std::string error;
  ASSERT_TRUE(server.start(error)) << error;
  httplib::Client c("127.0.0.1", server.port());
  const std::string path = "/internal/v1/cameras/nowhere/frame.jpg";
  EXPECT_EQ(c.Get(path)->status, 401);
  EXPECT_EQ(c.Get(path, {{"Authorization", "Bearer " + std::string(secret.size(), '0')}})->status, 401);
  EXPECT_EQ(c.Get(path, {{"Authorization", "Bearer " + secret + "0"}})->status, 401);
  EXPECT_EQ(c.Get(path, {{"Authorization", secret}})->status, 401);
  // The right secret passes; the camera is unknown here.
  EXPECT_EQ(c.Get(path, {{"Authorization", "Bearer " + secret}})->status, 404);
  // The console's routes are not a worker's.
  EXPECT_EQ(c.Get("/api/v1/alerts")->status, 404);
  server.stop();
}

}  // namespace
}  // namespace vigie::server
