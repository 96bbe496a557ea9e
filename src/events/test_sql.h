// Test-only: a store opened, or its database touched behind the Store's back (as an
// attacker or an older vigie would), on the backend the test run is for. Header-only.
//
// The event store's tests run twice (src/events/CMakeLists.txt): on SQLite files, and with
// VIGIE_TEST_STORE=postgresql on a throwaway PostgreSQL cluster, where each store path a
// test names (`dir/v.db`) maps to a database of its own, created on first use; the audit
// key and head stay files at `<path>.audit-key` and `<path>.audit-head`. Tests of what only a file has (WAL mode, a
// schema-1 file) say SQLITE_ONLY().
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <set>
#include <string>

#include "events/database.h"
#include "events/store.h"
#include "events/test_postgres.h"

namespace vigie::testing {

inline bool testing_postgres() {
  const char* b = std::getenv("VIGIE_TEST_STORE");
  return b && std::string(b) == "postgresql";
}

#define SQLITE_ONLY() \
  if (::vigie::testing::testing_postgres()) GTEST_SKIP() << "about SQLite files only"

// Where the store named by `path` lives on this run's backend ("" and a failed test when
// PostgreSQL cannot be started).
inline std::string store_location(const std::filesystem::path& path) {
  if (!testing_postgres()) return path.string();
  std::string why;
  auto* cluster = PostgresCluster::get(&why);
  if (!cluster) {
    ADD_FAILURE() << "VIGIE_TEST_STORE=postgresql, but " << why;
    return {};
  }
  const std::string db = "t" + std::to_string(std::hash<std::string>{}(path.string()));
  static std::set<std::string> created;
  if (created.insert(db).second) {
    auto admin = events::connect_database(cluster->url("postgres"));
    EXPECT_TRUE(admin) << (admin ? "" : admin.error().message);
    if (!admin) return {};
    // Separately: CREATE DATABASE cannot run inside a (multi-statement) transaction.
    EXPECT_TRUE((*admin)->exec("DROP DATABASE IF EXISTS " + db));
    EXPECT_TRUE((*admin)->exec("CREATE DATABASE " + db));
  }
  return cluster->url(db);
}

inline std::unique_ptr<events::Store> open_store(const std::filesystem::path& p, const std::string& key = "") {
  const std::string location = store_location(p);
  const bool files_beside = testing_postgres();  // as SQLite would place them
  auto s = events::Store::open(location, key.empty() && files_beside ? p.string() + ".audit-key" : key,
                               files_beside ? p.string() + ".audit-head" : "");
  EXPECT_TRUE(s) << (s ? "" : s.error().message);
  return s ? std::move(s.value()) : nullptr;
}

// Runs SQL on the store's database directly; fails the test if the engine refuses it.
// Write it in the SQL both engines take ("user" quoted).
inline void exec_sql(const std::filesystem::path& db_path, const std::string& sql) {
  auto db = events::connect_database(store_location(db_path));
  ASSERT_TRUE(db) << db.error().message;
  auto r = (*db)->exec(sql);
  EXPECT_TRUE(r) << sql << ": " << (r ? "" : r.error().message);
}

// The first column of the first row as text ("" when there is none).
inline std::string query_text(const std::filesystem::path& db_path, const std::string& sql) {
  auto db = events::connect_database(store_location(db_path));
  if (!db) return {};
  auto q = (*db)->query(sql);
  return q->step() == events::Step::kRow ? q->text(0) : std::string();
}

}  // namespace vigie::testing
