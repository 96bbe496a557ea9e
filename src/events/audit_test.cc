// The audit log's anchor: attacks on the database alone (cut the tail, rewrite the whole
// chain consistently) are found; without the key, verify says it could not prove anything.
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sodium.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "core/test_data.h"
#include "events/store.h"
#include "events/test_sql.h"

namespace vigie::events {
namespace {
namespace fs = std::filesystem;
using ::testing::HasSubstr;
using namespace std::string_literals;
using testing::exec_sql;
using testing::open_store;

fs::path store_with_entries(const std::string& name, int n = 5) {
  const auto dir = testing::fresh_temp_dir(name);
  auto store = open_store(dir / "v.db");
  for (int i = 1; i <= n; ++i)
    EXPECT_TRUE(store->audit("alice", "alerts.list", fmt::format("{{\"rule\":\"r{}\"}}", i), 1000 + i));
  return dir / "v.db";
}

std::string head_file(const fs::path& db) { return open_store(db)->audit_head_path(); }

AuditCheck verify(const fs::path& db, const std::string& key = "") {
  auto check = open_store(db, key)->verify_audit();
  EXPECT_TRUE(check) << (check ? "" : check.error().message);
  return check ? *check : AuditCheck{};
}

// What an attacker with the database but not the key can do: recompute every hash from
// `from` on, as the documented hash does (SHA-256 over prev, id, time, user, action, detail).
void rehash_from(const fs::path& db_path, int64_t from, const std::string& new_mac) {
  auto db = connect_database(testing::store_location(db_path));
  ASSERT_TRUE(db) << db.error().message;
  auto rows = (*db)->query("SELECT id, at_epoch, \"user\", action, detail, prev_hash FROM audit_log ORDER BY id");
  std::string prev;
  std::vector<std::string> updates;
  while (rows->step() == Step::kRow) {
    const int64_t id = rows->integer(0);
    if (id == 1) prev = rows->text(5);  // the genesis
    const std::string body = fmt::format("{}\n{}\n{:.6f}\n{}\n{}\n{}", prev, id, rows->real(1), rows->text(2),
                                         rows->text(3), rows->text(4));
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(body.data()), body.size());
    char hex[2 * crypto_hash_sha256_BYTES + 1];
    sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
    if (id >= from)
      updates.push_back(fmt::format("UPDATE audit_log SET prev_hash = '{}', hash = '{}'{} WHERE id = {};", prev, hex,
                                    new_mac == "keep" ? "" : fmt::format(", mac = '{}'", new_mac), id));
    prev = hex;
  }
  for (const auto& u : updates) exec_sql(db_path, u);
}

TEST(Audit, ASignedChainVerifiesAndIsAuthenticated) {
  const auto db = store_with_entries("audit_signed");
  const auto c = verify(db);
  EXPECT_TRUE(c.ok) << c.problem;
  EXPECT_TRUE(c.authenticated);
  EXPECT_EQ(c.entries, 5);
  EXPECT_EQ(c.signed_entries, 5);
  EXPECT_TRUE(c.head_found);
  EXPECT_EQ(c.head_id, 5);
  // The key lives beside the store, readable by its owner only.
  struct stat st {};
  ASSERT_EQ(stat((db.string() + ".audit-key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(st.st_size, 32);
}

// The defect: the entry was hashed whole but stored up to its NUL, so one login with the
// name "ghost\0x" made the chain fail verification for good.
TEST(Audit, AnEntryWithANulInItsUserOrDetailVerifies) {
  const auto dir = testing::fresh_temp_dir("audit_nul");
  auto store = open_store(dir / "v.db");
  ASSERT_TRUE(store->audit("ghost\0x"s, "login.failed", "{\"name\":\"a\0b\"}"s, 1));
  ASSERT_TRUE(store->audit("alice", "alerts.list", "", 2));
  const auto c = verify(dir / "v.db");
  EXPECT_TRUE(c.ok) << c.problem;
  EXPECT_EQ(c.entries, 2);
  const auto rows = store->audit_entries(10, 0);
  ASSERT_EQ(rows->size(), 2u);
  if (testing::testing_postgres()) {  // its text cannot hold a NUL: written escaped
    EXPECT_EQ((*rows)[1].user, "ghost\\u0000x");
    EXPECT_EQ((*rows)[1].detail, "{\"name\":\"a\\u0000b\"}");
  } else {
    EXPECT_EQ((*rows)[1].user, "ghost\0x"s);
    EXPECT_EQ((*rows)[1].detail, "{\"name\":\"a\0b\"}"s);
  }
}

// The defect: only edits in the middle were found; cutting the tail left a valid chain.
TEST(Audit, DeletingTheLastEntriesIsFound) {
  const auto db = store_with_entries("audit_cut");
  exec_sql(db, "DELETE FROM audit_log WHERE id > 3");
  const auto c = verify(db);
  EXPECT_FALSE(c.ok);
  EXPECT_EQ(c.first_bad_id, 4);
  EXPECT_THAT(c.problem, HasSubstr("cut off"));
  // Even without the key, the head file's copy reveals it.
  const auto keyless = verify(db, (db.parent_path() / "elsewhere.key").string());
  EXPECT_FALSE(keyless.ok);
  EXPECT_FALSE(keyless.authenticated);
}

// The defect: after editing an entry, recomputing every hash after it gave a chain that
// verified. The MACs (and the head) need the key, which is not in the database.
TEST(Audit, RehashingTheWholeChainAfterAnEditIsFound) {
  const auto db = store_with_entries("audit_rehash");
  exec_sql(db, "UPDATE audit_log SET \"user\" = 'mallory' WHERE id = 2");
  rehash_from(db, 2, "keep");
  auto c = verify(db);
  EXPECT_FALSE(c.ok);
  EXPECT_EQ(c.first_bad_id, 2);
  EXPECT_THAT(c.problem, HasSubstr("MAC"));
  // Stripping the MACs so that the entries pass for ones from before signing.
  rehash_from(db, 1, "");
  c = verify(db);
  EXPECT_FALSE(c.ok);
  EXPECT_THAT(c.problem, HasSubstr("head"));
  // And deleting the head file as well.
  fs::remove(head_file(db));
  c = verify(db);
  EXPECT_FALSE(c.ok);
  EXPECT_THAT(c.problem, HasSubstr("head file"));
}

TEST(Audit, AForgedHeadFileIsFound) {
  const auto db = store_with_entries("audit_head_forged");
  exec_sql(db, "DELETE FROM audit_log WHERE id > 3");
  const std::string head = head_file(db);
  std::ifstream in(head);
  std::string line;
  std::getline(in, line);
  in.close();
  // The attacker rewrites the head to name the new last entry, but cannot sign it.
  const std::string hash = testing::query_text(db, "SELECT hash FROM audit_log WHERE id = 3");
  ASSERT_EQ(hash.size(), 64u);
  std::ofstream(head) << fmt::format("{{\"id\":3,\"hash\":\"{}\",\"mac\":\"{}\"}}\n", hash,
                                                            std::string(64, '0'));
  const auto c = verify(db);
  EXPECT_FALSE(c.ok);
  EXPECT_THAT(c.problem, HasSubstr("forged"));
  EXPECT_FALSE(open_store(db)->audit_head());
}

TEST(Audit, WithoutTheKeyTheChainIsReportedUnauthenticated) {
  const auto db = store_with_entries("audit_no_key");
  fs::rename(db.string() + ".audit-key", db.parent_path() / "kept-elsewhere.key");
  auto c = verify(db);
  EXPECT_TRUE(c.ok) << c.problem;  // nothing found wrong…
  EXPECT_FALSE(c.authenticated);  // …but nothing proven either
  EXPECT_EQ(c.key_path, db.string() + ".audit-key");
  c = verify(db, (db.parent_path() / "kept-elsewhere.key").string());
  EXPECT_TRUE(c.ok) << c.problem;
  EXPECT_TRUE(c.authenticated);
}

TEST(Audit, AnotherKeyDoesNotMatch) {
  const auto db = store_with_entries("audit_wrong_key");
  fs::remove(db.string() + ".audit-key");
  // The next append makes a new key: the entries signed with the old one no longer match.
  ASSERT_TRUE(open_store(db)->audit("bob", "alerts.list", "", 2000));
  const auto c = verify(db);
  EXPECT_FALSE(c.ok);
  EXPECT_EQ(c.first_bad_id, 1);
  EXPECT_THAT(c.problem, HasSubstr("MAC"));
}

TEST(Audit, EntriesFromBeforeSigningAreCheckedByHashOnly) {
  const auto db = store_with_entries("audit_legacy", 3);
  // As schema 4 finds a store from before: entries without MAC, no key, no head.
  exec_sql(db, "UPDATE audit_log SET mac = ''");
  fs::remove(db.string() + ".audit-key");
  fs::remove(head_file(db));
  auto c = verify(db);
  EXPECT_TRUE(c.ok) << c.problem;
  EXPECT_FALSE(c.authenticated);
  EXPECT_EQ(c.unsigned_entries, 3);
  ASSERT_TRUE(open_store(db)->audit("bob", "alerts.list", "", 2000));
  c = verify(db);
  EXPECT_TRUE(c.ok) << c.problem;
  EXPECT_TRUE(c.authenticated);
  EXPECT_EQ(c.unsigned_entries, 3);
  EXPECT_EQ(c.signed_entries, 1);
  EXPECT_EQ(c.head_id, 4);
}

// Several processes append (the server, `vigie alerts list`): the head names the latest
// entry whoever wrote last.
TEST(Audit, TheHeadNeverMovesBackwards) {
  const auto dir = testing::fresh_temp_dir("audit_two_writers");
  auto a = open_store(dir / "v.db");
  auto b = open_store(dir / "v.db");
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(a->audit("a", "x", "", i));
    ASSERT_TRUE(b->audit("b", "y", "", i));
  }
  const auto head = a->audit_head();
  ASSERT_TRUE(head && *head);
  EXPECT_EQ((*head)->id, 8);
  EXPECT_TRUE(verify(dir / "v.db").ok);
}

TEST(Audit, AnUnreadableKeyStopsTheAppend) {
  const auto dir = testing::fresh_temp_dir("audit_bad_key");
  std::ofstream(dir / "short.key") << "not 32 bytes";
  auto store = open_store(dir / "v.db", (dir / "short.key").string());
  auto r = store->audit("a", "x", "", 1);
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().message, HasSubstr("short.key"));
  EXPECT_TRUE(store->audit_entries(10, 0)->empty());
}

// What Store::audited() is for: a state change that must not stand unaudited (an unmasked
// export's request or approval) commits with its entry, or not at all.
TEST(Audit, AChangeAndItsEntryAreStoredTogetherOrNeither) {
  const auto dir = testing::fresh_temp_dir("audit_with_change");
  const auto db = dir / "v.db";
  auto store = open_store(db);
  auto request = [] {
    UnmaskedRequest r;
    r.camera = "gate", r.from_epoch = 100, r.to_epoch = 200, r.case_reference = "PV-1", r.requester = "Juge";
    r.reason = "the mask covers the car park", r.requested_by = "supervisor1", r.requested_epoch = 1000;
    return r;
  };
  auto requests = [&] { return store->unmasked_requests()->size(); };
  auto entries = [&] { return store->audit_entries(100, 0)->size(); };

  UnmaskedRequest made = request();
  ASSERT_TRUE(store->audited("supervisor1", kUnmaskedRequestAudit, 1000, [&]() -> Result<std::string> {
    if (auto r = store->request_unmasked(made); !r) return r.error();
    return "{\"request\":\"" + made.id + "\"}";
  }));
  EXPECT_EQ(requests(), 1u);
  ASSERT_EQ(entries(), 1u);
  EXPECT_EQ(store->audit_entries(1, 0)->front().detail, "{\"request\":\"" + made.id + "\"}");

  // The change wrote, then failed: its write goes, no entry is added, its error is given.
  UnmaskedRequest undone = request();
  auto failed = store->audited("supervisor1", kUnmaskedRequestAudit, 1001, [&]() -> Result<std::string> {
    EXPECT_TRUE(store->request_unmasked(undone));
    return Error{"refused after writing"};
  });
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().message, "refused after writing");
  EXPECT_EQ(requests(), 1u);
  EXPECT_EQ(entries(), 1u);

  // The change succeeded but its entry cannot be written: the change goes too.
  exec_sql(db, "ALTER TABLE audit_log RENAME TO audit_log_away");
  UnmaskedRequest unaudited = request();
  auto no_log = store->audited("supervisor1", kUnmaskedRequestAudit, 1002, [&]() -> Result<std::string> {
    if (auto r = store->request_unmasked(unaudited); !r) return r.error();
    return std::string("{}");
  });
  exec_sql(db, "ALTER TABLE audit_log_away RENAME TO audit_log");
  ASSERT_FALSE(no_log);
  EXPECT_THAT(no_log.error().message, HasSubstr("audit_log"));
  EXPECT_EQ(requests(), 1u);
  EXPECT_FALSE(*store->unmasked_request(unaudited.id));
  EXPECT_EQ(entries(), 1u);
  // And the store goes on: the next change and entry are stored, the chain holds.
  ASSERT_TRUE(store->audited("auditor1", kUnmaskedDecisionAudit, 1003, [&]() -> Result<std::string> {
    if (auto d = store->decide_unmasked(made.id, true, "auditor1", "order seen", 1003); !d) return d.error();
    return std::string("{}");
  }));
  EXPECT_EQ((*store->unmasked_request(made.id))->state, UnmaskedRequest::State::kApproved);
  EXPECT_EQ(entries(), 2u);
  EXPECT_TRUE(verify(db).ok);
  // A change cannot make another audited change: the inner one would commit the outer
  // one's transaction early on PostgreSQL.
  auto nested = store->audited("auditor1", "x", 1004, [&]() -> Result<std::string> {
    if (auto inner = store->audited("auditor1", "y", 1004, [] { return Result<std::string>("{}"); }); !inner)
      return inner.error();
    return std::string("{}");
  });
  ASSERT_FALSE(nested);
  EXPECT_THAT(nested.error().message, HasSubstr("cannot make another"));
  EXPECT_EQ(entries(), 2u);
}

// The entry is committed before the head file is replaced: when the head cannot be
// written, the entry is in the chain. A caller who says so (the server) goes on and is
// told; one who does not gets an error that says the entry was stored.
TEST(Audit, AnEntryWhoseHeadCannotBeWrittenIsStoredAndSaidSo) {
  const auto dir = testing::fresh_temp_dir("audit_head_unwritable");
  const auto db = dir / "v.db";
  fs::create_directories(dir / "head-is-a-folder");
  auto opened = Store::open(testing::store_location(db), (dir / "v.key").string(), (dir / "head-is-a-folder").string());
  ASSERT_TRUE(opened) << opened.error().message;
  Store& store = **opened;
  std::string head_error;
  ASSERT_TRUE(store.audit("alice", "alerts.list", "{}", 1000, &head_error));
  EXPECT_THAT(head_error, HasSubstr("audit entry 1 stored, but its head was not"));
  auto strict = store.audit("alice", "alerts.list", "{}", 1001);
  ASSERT_FALSE(strict);
  EXPECT_THAT(strict.error().message, HasSubstr("audit entry 2 stored, but its head was not"));
  EXPECT_EQ(store.audit_entries(10, 0)->size(), 2u);
}

}  // namespace
}  // namespace vigie::events
