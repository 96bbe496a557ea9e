// The PostgreSQL server stops in the middle of `vigie analyze` and comes back: every alert
// of the run reaches it, none twice (issue 11: "no alert lost when the database is away").
// The run is compared with the same run on a server that stayed up.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <set>
#include <thread>

#include "core/test_data.h"
#include "events/database.h"
#include "events/store.h"
#include "events/test_postgres.h"
#include "run.h"

namespace vigie::testing {
namespace {

using namespace std::chrono_literals;

struct Counted {
  size_t alerts = 0, ended = 0, distinct_ids = 0;
};

Counted count_alerts(const std::string& url) {
  Counted c;
  auto store = events::Store::open(url);
  if (!store) return c;
  events::AlertFilter all;
  all.limit = 100000;
  auto rows = (*store)->alerts(all);
  if (!rows) return c;
  std::set<std::string> ids;
  for (const auto& r : *rows) ids.insert(r.id), c.ended += r.end_epoch.has_value();
  c.alerts = rows->size(), c.distinct_ids = ids.size();
  return c;
}

template <typename F>
bool wait_for(F done, std::chrono::seconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(200ms);
  }
  return true;
}

TEST(StoreOutage, AlertsRaisedWhileThePostgresqlServerIsDownReachItWhenItIsBack) {
  const std::string model = shared_file("models/yolox_nano.onnx");
  VIGIE_REQUIRE_FILE(model, "../shared/data/models (the YOLOX-Nano detector)");
  VIGIE_REQUIRE_FILE(vtest_avi(), "vtest.avi (Debian opencv-doc)");
  std::string why;
  auto* cluster = PostgresCluster::get(&why);
  ASSERT_TRUE(cluster) << why;
  {
    auto admin = events::connect_database(cluster->url("postgres"));
    ASSERT_TRUE(admin) << admin.error().message;
    for (const char* db : {"outage_steady", "outage_cut"}) {
      ASSERT_TRUE((*admin)->exec(std::string("DROP DATABASE IF EXISTS ") + db));
      ASSERT_TRUE((*admin)->exec(std::string("CREATE DATABASE ") + db));
    }
  }
  const auto dir = fresh_temp_dir("store_outage");
  auto analyze = [&](const std::string& db) {
    return run("cd " + dir.string() + " && " + vigie_bin() + " analyze --quiet --config " +
               std::string(VIGIE_SOURCE_DIR) + "/examples/pets09/site.yaml --detector onnx --model " + model +
               " --store " + cluster->url(db) + " " + vtest_avi());
  };

  const auto steady = analyze("outage_steady");
  ASSERT_EQ(steady.code, 0) << steady.err;
  const Counted expected = count_alerts(cluster->url("outage_steady"));
  ASSERT_GT(expected.alerts, 5u);

  RunResult cut;
  std::thread camera([&] { cut = analyze("outage_cut"); });
  const bool some_stored = wait_for([&] { return count_alerts(cluster->url("outage_cut")).alerts > 0; }, 120s);
  const bool stopped = some_stored && cluster->stop();
  const auto outbox = dir / "outbox" / "pets09-view1.outbox";
  const bool waiting = stopped && wait_for([&] {
    std::error_code ec;
    return std::filesystem::file_size(outbox, ec) > 0 && !ec;
  }, 120s);
  const bool back = cluster->start_again();
  camera.join();
  ASSERT_TRUE(some_stored && stopped && waiting && back)
      << some_stored << stopped << waiting << back << "\n" << cut.err;

  EXPECT_EQ(cut.code, 0) << cut.err;
  EXPECT_NE(cut.err.find("the event store is away"), std::string::npos) << cut.err;
  EXPECT_NE(cut.err.find("the event store is back"), std::string::npos) << cut.err;
  const Counted got = count_alerts(cluster->url("outage_cut"));
  EXPECT_EQ(got.alerts, expected.alerts);  // none lost
  EXPECT_EQ(got.distinct_ids, got.alerts);  // none twice
  EXPECT_EQ(got.ended, expected.ended);
  std::error_code ec;
  EXPECT_EQ(std::filesystem::file_size(outbox, ec), 0u);  // all delivered
}

}  // namespace
}  // namespace vigie::testing
