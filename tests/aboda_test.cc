// abandoned_object on real footage: ABODA video4, a man sets a bag down by a cabinet,
// stands by it, and walks out of view (events.txt: walks away at frame 600 = 20.0 s,
// leaves the view at 690 = 23.0 s; bag box 450,367,53,46). The model-free pipeline and the
// static-foreground finder must raise one alert, on the bag, once he has gone and the
// 5 s timer of examples/aboda/site.yaml has run — and not before.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/box.h"
#include "core/test_data.h"
#include "events/test_postgres.h"
#include "run.h"

namespace vigie::testing {
namespace {

TEST(Aboda, TheBagIsReportedAfterItsOwnerLeft) {
  VIGIE_REQUIRE_FILE(shared_file("abandoned/ABODA-video4/video4.avi"), "../shared/data/abandoned/ABODA-video4");
  const auto dir = fresh_temp_dir("aboda");
  const std::string store = (dir / "aboda.db").string();
  const auto a = run("cd " + dir.string() + " && " + vigie_bin() + " analyze --quiet --config " +
                     std::string(VIGIE_SOURCE_DIR) + "/examples/aboda/site.yaml --store " + store);
  ASSERT_EQ(a.code, 0) << a.err;
  const auto l = run(vigie_bin() + " alerts list --json --store " + store);
  ASSERT_EQ(l.code, 0) << l.err;
  const auto alerts = nlohmann::json::parse(l.out)["alerts"];
  ASSERT_EQ(alerts.size(), 1u) << l.out;
  const auto& alert = alerts[0];
  EXPECT_EQ(alert["rule_type"], "abandoned_object");
  const double owner_walked_away_s = 600 / 29.97, timer_s = 5;
  EXPECT_GE(alert["stream_raised_s"].get<double>(), owner_walked_away_s + timer_s) << l.out;
  const auto& b = alert["box"];
  const Box box{b[0].get<float>(), b[1].get<float>(), b[2].get<float>(), b[3].get<float>()};
  const Box bag{450, 367, 53, 46};
  EXPECT_GT(coverage(box, bag), 0.8) << "the alert box lies on the bag: " << b.dump();
  EXPECT_GT(iou(box, bag), 0.2) << b.dump();
  // The snapshot exists and is a JPEG.
  const std::string snapshot = alert["snapshot_path"];
  ASSERT_FALSE(snapshot.empty());
  EXPECT_EQ(slurp(snapshot.front() == '/' ? snapshot : (dir / snapshot).string()).substr(0, 2), "\xFF\xD8");
}

// The defect from issue 10, as a new user met it: the second run on the same store failed
// with "UNIQUE constraint failed: alerts.id" and lost its alert, exit 1.
TEST(Aboda, TwoRunsOnTheSameStoreKeepBothAlerts) {
  VIGIE_REQUIRE_FILE(shared_file("abandoned/ABODA-video4/video4.avi"), "../shared/data/abandoned/ABODA-video4");
  const auto dir = fresh_temp_dir("aboda_twice");
  for (int i = 0; i < 2; ++i) {
    const auto a = run("cd " + dir.string() + " && " + vigie_bin() + " analyze --quiet --config " +
                       std::string(VIGIE_SOURCE_DIR) + "/examples/aboda/site.yaml --store dup.db " +
                       shared_file("abandoned/ABODA-video4/video4.avi"));
    ASSERT_EQ(a.code, 0) << "run " << i + 1 << ": " << a.err;
  }
  const auto l = run(vigie_bin() + " alerts list --json --store " + (dir / "dup.db").string());
  ASSERT_EQ(l.code, 0) << l.err;
  const auto alerts = nlohmann::json::parse(l.out)["alerts"];
  ASSERT_EQ(alerts.size(), 2u) << l.out;
  EXPECT_NE(alerts[0]["id"], alerts[1]["id"]);
  EXPECT_NE(alerts[0]["snapshot_path"], alerts[1]["snapshot_path"]);  // each run's own picture
}

// The same two runs on a PostgreSQL server (a throwaway cluster on loopback): the alerts
// and their audited listing go to the server, the key and head stay in files.
TEST(Aboda, TwoRunsOnAPostgresqlStoreKeepBothAlerts) {
  VIGIE_REQUIRE_FILE(shared_file("abandoned/ABODA-video4/video4.avi"), "../shared/data/abandoned/ABODA-video4");
  std::string why;
  auto* cluster = PostgresCluster::get(&why);
  ASSERT_TRUE(cluster) << why;  // scripts/install-deps installs postgresql-15
  const auto dir = fresh_temp_dir("aboda_postgresql");
  const std::string url = cluster->url("postgres");
  for (int i = 0; i < 2; ++i) {
    const auto a = run("cd " + dir.string() + " && " + vigie_bin() + " analyze --quiet --config " +
                       std::string(VIGIE_SOURCE_DIR) + "/examples/aboda/site.yaml --store " + url + " " +
                       shared_file("abandoned/ABODA-video4/video4.avi"));
    ASSERT_EQ(a.code, 0) << "run " << i + 1 << ": " << a.err;
  }
  const auto key = (dir / "audit.key").string();
  const auto l = run(vigie_bin() + " alerts list --json --store " + url + " --audit-key " + key);
  ASSERT_EQ(l.code, 0) << l.err;
  const auto alerts = nlohmann::json::parse(l.out)["alerts"];
  ASSERT_EQ(alerts.size(), 2u) << l.out;
  EXPECT_NE(alerts[0]["id"], alerts[1]["id"]);
  const auto v = run(vigie_bin() + " audit verify --store " + url + " --audit-key " + key);
  EXPECT_EQ(v.code, 0) << v.out << v.err;
  EXPECT_NE(v.out.find("authenticated"), std::string::npos) << v.out;
}

}  // namespace
}  // namespace vigie::testing
