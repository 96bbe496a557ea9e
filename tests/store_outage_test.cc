// The PostgreSQL server stops in the middle of `vigie analyze` and comes back: every alert
// of the run reaches it, none twice (issue 11: "no alert lost when the database is away").
// The run is compared with the same run on a server that stayed up.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <cmath>
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
  size_t alerts = 0, ended = 0, with_snapshot = 0;
  int tracks = 0;
  std::multiset<std::pair<std::string, long>> by_rule_and_start;  // (rule, start time in ms)
};

Counted count_alerts(const std::string& url) {
  Counted c;
  auto store = events::Store::open(url);
  if (!store) return c;
  events::AlertFilter all;
  all.limit = 100000;
  auto rows = (*store)->alerts(all);
  if (!rows) return c;
  for (const auto& r : *rows) {
    c.ended += r.end_epoch.has_value();
    c.with_snapshot += !r.snapshot_path.empty();
    // Stream times, not wall-clock ones: the two runs started at different moments.
    c.by_rule_and_start.emplace(r.rule, std::lround(r.stream_start_s * 1000));
  }
  c.alerts = rows->size();
  const auto tracks = (*store)->track_count("pets09-view1");
  c.tracks = tracks ? *tracks : -1;
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
  EXPECT_EQ(got.alerts, expected.alerts);  // none lost, none twice
  EXPECT_EQ(got.by_rule_and_start, expected.by_rule_and_start);  // the same alerts
  EXPECT_EQ(got.ended, expected.ended);
  EXPECT_EQ(got.with_snapshot, expected.with_snapshot);
  EXPECT_EQ(got.tracks, expected.tracks);
  std::error_code ec;
  EXPECT_EQ(std::filesystem::file_size(outbox, ec), 0u);  // all delivered
}

}  // namespace
}  // namespace vigie::testing
