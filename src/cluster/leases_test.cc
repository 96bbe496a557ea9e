#include "cluster/leases.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

#include "cluster/listener.h"
#include "events/database.h"
#include "events/store.h"
#include "events/test_postgres.h"

namespace vigie::cluster {
namespace {

using testing::PostgresCluster;

// A fresh database with the store's schema on the test's cluster; "" (test skipped or
// failed) when PostgreSQL cannot run here.
std::string fresh_database(const std::string& name) {
  std::string why;
  auto* cluster = PostgresCluster::get(&why);
  if (!cluster) {
    ADD_FAILURE() << why;
    return {};
  }
  auto admin = events::connect_database(cluster->url("postgres"));
  if (!admin) {
    ADD_FAILURE() << admin.error().message;
    return {};
  }
  (*admin)->exec("DROP DATABASE IF EXISTS " + name);
  EXPECT_TRUE((*admin)->exec("CREATE DATABASE " + name));
  auto store = events::Store::open(cluster->url(name), "/tmp/vigie-leases-test.key");
  EXPECT_TRUE(store) << (store ? "" : store.error().message);
  return cluster->url(name);
}

NodeSettings worker(const std::string& url, const std::string& name) {
  NodeSettings s;
  s.url = url, s.node = name, s.role = "worker", s.view_url = "http://" + name;
  s.lease_s = 10, s.claim_grace_s = 5;
  return s;
}

const std::vector<std::string> kCameras = {"c1", "c2", "c3", "c4", "c5", "c6"};

bool disjoint(const std::set<std::string>& a, const std::set<std::string>& b) {
  return std::none_of(a.begin(), a.end(), [&](const auto& x) { return b.count(x); });
}

TEST(Leases, WorkersStartingTogetherSplitTheCamerasAfterTheGrace) {
  const auto url = fresh_database("split");
  if (url.empty()) return;
  Leases a(worker(url, "a")), b(worker(url, "b"));
  EXPECT_TRUE(a.round(kCameras, {}, 0).held.empty());  // registered, waiting out the grace
  EXPECT_TRUE(b.round(kCameras, {}, 0).held.empty());
  EXPECT_TRUE(a.round(kCameras, {}, 4.9).held.empty());
  const auto ra = a.round(kCameras, {}, 5), rb = b.round(kCameras, {}, 5);
  EXPECT_TRUE(ra.connected);
  EXPECT_EQ(ra.held.size(), 3u);  // the fair share of 6 cameras between 2 workers
  EXPECT_EQ(rb.held.size(), 3u);
  EXPECT_TRUE(disjoint(ra.held, rb.held));
  // The API's view: every camera held, by the worker that says so, with its view URL.
  auto table = a.leases();
  ASSERT_TRUE(table);
  ASSERT_EQ(table->size(), 6u);
  for (const auto& l : *table) {
    EXPECT_TRUE(l.held) << l.camera;
    EXPECT_EQ(l.view_url, "http://" + l.worker);
    EXPECT_TRUE(ra.held.count(l.camera) ? l.worker == "a" : l.worker == "b") << l.camera;
  }
}

TEST(Leases, AKilledWorkersCamerasAreTakenAtTheNextRound) {
  const auto url = fresh_database("takeover");
  if (url.empty()) return;
  auto a = std::make_unique<Leases>(worker(url, "a"));
  Leases b(worker(url, "b"));
  a->round(kCameras, {}, 0), b.round(kCameras, {}, 0);
  const auto held_by_a = a->round(kCameras, {}, 5).held;
  b.round(kCameras, {}, 5);
  ASSERT_EQ(held_by_a.size(), 3u);
  a.reset();  // its session closes as a killed process's does: no release, no goodbye
  std::set<std::string> now_b;
  for (int i = 0; i < 20 && now_b.size() < 6; ++i) {  // the server needs a moment to see the session gone
    now_b = b.round(kCameras, {}, 6 + i).held;
    if (now_b.size() < 6) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(now_b.size(), 6u);
}

TEST(Leases, ACameraIsNeverHeldTwiceWhateverTheRounds) {
  const auto url = fresh_database("never_twice");
  if (url.empty()) return;
  std::vector<std::unique_ptr<Leases>> nodes;
  for (const char* n : {"a", "b", "c"}) nodes.push_back(std::make_unique<Leases>(worker(url, n)));
  for (auto& n : nodes) n->round(kCameras, {}, 0);
  std::atomic<int> overlaps{0};
  std::vector<std::set<std::string>> held(3);
  std::vector<std::thread> threads;
  for (int k = 0; k < 3; ++k)
    threads.emplace_back([&, k] {
      for (int i = 0; i < 20; ++i) held[k] = nodes[k]->round(kCameras, {}, 5 + i).held;
    });
  for (auto& t : threads) t.join();
  size_t total = 0;
  for (int k = 0; k < 3; ++k) {
    total += held[k].size();
    for (int j = k + 1; j < 3; ++j) overlaps += !disjoint(held[k], held[j]);
  }
  EXPECT_EQ(overlaps, 0);
  EXPECT_EQ(total, 6u);
}

// The database stopped and started again: the holder keeps its cameras while it is away
// (nobody can take them), and takes its locks back before the grace lets anyone claim.
// `claimant_grace_s`: the other worker's grace (0 shows what the grace prevents).
std::pair<std::set<std::string>, std::set<std::string>> restart_with_a_holder_and_a_claimant(
    const std::string& db, double claimant_grace_s) {
  const auto url = fresh_database(db);
  if (url.empty()) return {};
  auto claimant_settings = worker(url, "b");
  claimant_settings.claim_grace_s = claimant_grace_s;
  Leases a(worker(url, "a")), b(claimant_settings);
  a.round(kCameras, {}, 0);
  EXPECT_EQ(a.round(kCameras, {}, 5).held.size(), 6u);  // alone: all of them
  b.round(kCameras, {}, 5);                              // b joins: the share is now 3
  auto* cluster = PostgresCluster::get(nullptr);
  EXPECT_TRUE(cluster->stop());
  const auto away = a.round(kCameras, {}, 6);
  EXPECT_FALSE(away.connected);
  EXPECT_NE(away.problem.find("away"), std::string::npos) << away.problem;
  EXPECT_EQ(away.held.size(), 6u);  // still analysed: nobody can take them now
  EXPECT_TRUE(cluster->start_again());
  b.round(kCameras, {}, 11);    // b's first statement finds its session gone …
  b.round(kCameras, {}, 11.5);  // … and it is back before a: a's locks are free now
  a.round(kCameras, {}, 12);
  b.round(kCameras, {}, 17);
  return {a.round(kCameras, {}, 17).held, b.round(kCameras, {}, 18).held};
}

TEST(Leases, AHolderKeepsItsCamerasThroughADatabaseRestart) {
  const auto [a, b] = restart_with_a_holder_and_a_claimant("restart", 5);
  EXPECT_EQ(a.size(), 6u);
  EXPECT_TRUE(b.empty());
}

// The control: without the grace the claimant takes every camera from under the holder
// (whose session, from before the restart, no longer counts it live), and the holder
// gives them up at its next round: never twice at once, but all moved for nothing.
TEST(Leases, WithoutTheGraceAClaimantTakesCamerasAfterARestart) {
  const auto [a, b] = restart_with_a_holder_and_a_claimant("restart_no_grace", 0);
  EXPECT_EQ(b.size(), 6u);
  EXPECT_TRUE(a.empty());
}

TEST(Leases, ACleanStopGivesTheCamerasBackAtOnce) {
  const auto url = fresh_database("release");
  if (url.empty()) return;
  Leases a(worker(url, "a")), b(worker(url, "b"));
  a.round(kCameras, {}, 0), b.round(kCameras, {}, 0);
  a.round(kCameras, {}, 5), b.round(kCameras, {}, 5);
  a.release_all();
  EXPECT_EQ(b.round(kCameras, {}, 6).held.size(), 6u);
}

TEST(AlertListener, HearsWhatTheStoreAnnounces) {
  const auto url = fresh_database("listen");
  if (url.empty()) return;
  std::mutex mu;
  std::vector<std::string> heard;
  AlertListener listener(
      url, [&](const std::string& p) { std::lock_guard l(mu); heard.push_back(p); }, [](const std::string&) {});
  listener.start();
  for (int i = 0; i < 50 && !listener.listening(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  ASSERT_TRUE(listener.listening());
  auto store = events::Store::open(url, "/tmp/vigie-leases-test.key");
  ASSERT_TRUE(store);
  rules::AlertEvent e;
  e.alert_id = "cam/r/0190aaaa", e.camera = "cam", e.rule = "r", e.rule_type = "loitering";
  e.phase = rules::Phase::kStart, e.epoch_s = 1000;
  ASSERT_TRUE((*store)->record(e));
  e.phase = rules::Phase::kEnd, e.epoch_s = 1010;
  ASSERT_TRUE((*store)->record(e));
  // An operator's decision on one API node reaches the consoles of the others.
  ASSERT_TRUE((*store)->record_action(e.alert_id, "acknowledge", "", "ann", 1020));
  for (int i = 0; i < 50; ++i) {
    {
      std::lock_guard l(mu);
      if (heard.size() >= 3) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::lock_guard l(mu);
  ASSERT_EQ(heard.size(), 3u);
  EXPECT_EQ(heard[0], R"({"id":"cam/r/0190aaaa","what":"start"})");
  EXPECT_EQ(heard[1], R"({"id":"cam/r/0190aaaa","what":"end"})");
  EXPECT_EQ(heard[2], R"({"by":"ann","id":"cam/r/0190aaaa","what":"action"})");
}

}  // namespace
}  // namespace vigie::cluster
