// The audit log: a hash chain in the database, anchored outside it by an HMAC key file and
// a signed head file (docs/audit.md says what this proves and what it does not).
#include <fcntl.h>
#include <fmt/format.h>
#include <sodium.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/key_file.h"
#include "events/database.h"
#include "events/store.h"

namespace vigie::events {
namespace {

using Key = SecretKey;
static_assert(sizeof(Key) == crypto_auth_hmacsha256_KEYBYTES);

// The chain: each entry's hash covers the previous hash and every field of the entry, so
// editing a row breaks its hash and deleting one breaks the next row's link.
constexpr const char* kGenesis = "0000000000000000000000000000000000000000000000000000000000000000";

std::string hex(const unsigned char* bytes, size_t n) {
  std::string out(2 * n + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), bytes, n);
  out.pop_back();
  return out;
}

std::string entry_hash(const std::string& prev, int64_t id, double at, const std::string& user,
                       const std::string& action, const std::string& detail) {
  const std::string text = fmt::format("{}\n{}\n{:.6f}\n{}\n{}\n{}", prev, id, at, user, action, detail);
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  return hex(digest, sizeof digest);
}

std::string hmac(const Key& key, const std::string& text) {
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256(mac, reinterpret_cast<const unsigned char*>(text.data()), text.size(), key.data());
  return hex(mac, sizeof mac);
}

// An entry's MAC signs its hash (which covers every entry before it); the head's MAC
// signs its id and hash, with a prefix so that neither can stand for the other.
std::string entry_mac(const Key& key, const std::string& hash) { return hmac(key, hash); }
std::string head_mac(const Key& key, int64_t id, const std::string& hash) {
  return hmac(key, fmt::format("vigie-audit-head\n{}\n{}", id, hash));
}

bool same_mac(const std::string& a, const std::string& b) {
  return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string errno_text() { return std::strerror(errno); }

Result<std::optional<Key>> read_key(const std::string& path) { return read_key_file(path, "audit key"); }
Result<Key> key_for_writing(const std::string& path) { return key_file_for_writing(path, "audit key"); }

Result<std::optional<AuditHead>> read_head(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    if (!std::filesystem::exists(path)) return std::optional<AuditHead>{};
    return Error{fmt::format("cannot read audit head '{}'", path)};
  }
  std::stringstream text;
  text << in.rdbuf();
  try {
    const auto j = nlohmann::json::parse(text.str());
    return std::optional<AuditHead>{AuditHead{j.at("id").get<int64_t>(), j.at("hash").get<std::string>(),
                                              j.at("mac").get<std::string>()}};
  } catch (const std::exception& e) {
    return Error{fmt::format("audit head '{}' is not a head file: {}", path, e.what())};
  }
}

// Replaces the head file with (id, hash) unless it already names a later entry (another
// process appended after us). Serialised by a lock on the key file, whose inode stays put
// (the head's is replaced by each rename). Temp file, fsync, rename, fsync of the folder.
Result<Ok> advance_head(const std::string& head_path, const std::string& key_path, const Key& key, int64_t id,
                        const std::string& hash) {
  const int lock = ::open(key_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (lock < 0 || ::flock(lock, LOCK_EX) != 0) {
    const std::string why = errno_text();
    if (lock >= 0) ::close(lock);
    return Error{fmt::format("cannot lock audit key '{}': {}", key_path, why)};
  }
  auto done = [lock](Result<Ok> r) {
    ::close(lock);  // releases the lock
    return r;
  };
  auto current = read_head(head_path);
  if (current && *current && (*current)->id >= id) return done(Ok{});
  const std::string body =
      nlohmann::json{{"id", id}, {"hash", hash}, {"mac", head_mac(key, id, hash)}}.dump() + "\n";
  const std::string tmp = fmt::format("{}.tmp.{}", head_path, getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return done(Error{fmt::format("cannot write audit head '{}': {}", head_path, errno_text())});
  const bool ok = ::write(fd, body.data(), body.size()) == static_cast<ssize_t>(body.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), head_path.c_str()) != 0) {
    const std::string why = errno_text();
    ::unlink(tmp.c_str());
    return done(Error{fmt::format("cannot write audit head '{}': {}", head_path, why)});
  }
  auto folder = std::filesystem::path(head_path).parent_path();
  const int dir = ::open(folder.empty() ? "." : folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) ::fsync(dir), ::close(dir);
  return done(Ok{});
}

}  // namespace

namespace {

std::string nul_escaped(std::string s) {
  for (size_t at; (at = s.find('\0')) != std::string::npos;) s.replace(at, 1, "\\u0000");
  return s;
}

}  // namespace

Result<std::string> Store::derived_secret(const std::string& purpose) const {
  if (auto r = audit_key_named(); !r) return r.error();
  auto key = read_key(key_path_);
  if (!key) return key.error();
  // Not created here: a node that made its own key would sign a chain of its own and
  // speak a secret nobody else knows.
  if (!*key)
    return Error{fmt::format("audit key '{}' does not exist: every node of a site needs the site's key (made by the "
                             "first `vigie user add`; docs/deploy.md)",
                             key_path_)};
  return hmac(**key, "vigie-derived\n" + purpose);
}

Result<Ok> Store::audit(const std::string& user, const std::string& action, const std::string& detail,
                        double at_epoch, std::string* head_error) {
  return audited(user, action, at_epoch, [&detail]() -> Result<std::string> { return detail; }, head_error);
}

Result<Ok> Store::audited(const std::string& user_given, const std::string& action_given, double at_epoch,
                          const std::function<Result<std::string>()>& change, std::string* head_error) {
  // PostgreSQL would take a nested BEGIN as a warning, and the inner COMMIT would commit
  // the outer change before its entry.
  if (in_audited_change_) return Error{"an audited change cannot make another one"};
  if (auto named = audit_key_named(); !named) return named.error();
  auto key = key_for_writing(key_path_);
  if (!key) return Error{fmt::format("event store '{}': audit entry not written: {}", path_, key.error().message)};
  if (auto r = db_->begin_exclusive(); !r) return r.error();  // one writer extends the chain
  // Whatever ends this function before the COMMIT (an error, an exception) rolls back: the
  // change goes with its entry, and a transaction left open would swallow the
  // connection's next writes.
  struct Transaction {
    Store& store;
    bool ended = false;
    ~Transaction() {
      store.in_audited_change_ = false;
      if (!ended) store.exec("ROLLBACK");
    }
  } transaction{*this};
  in_audited_change_ = true;  // until the transaction ends
  const Result<std::string> detail_given = change();
  if (!detail_given) return detail_given.error();
  // A failed login with a NUL in its name is audited too, wherever the log is kept.
  const bool keep = db_->text_holds_nul();
  const std::string user = keep ? user_given : nul_escaped(user_given);
  const std::string action = keep ? action_given : nul_escaped(action_given);
  const std::string detail = keep ? *detail_given : nul_escaped(*detail_given);
  auto last = db_->query("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1");
  int64_t id = 1;
  std::string prev = kGenesis;
  const Step found = last->step();
  if (found == Step::kRow) id = last->integer(0) + 1, prev = last->text(1);
  const std::string hash = entry_hash(prev, id, at_epoch, user, action, detail);
  auto s = db_->query("INSERT INTO audit_log (id, at_epoch, \"user\", action, detail, prev_hash, hash, mac) "
                      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  s->bind(1, id).bind(2, at_epoch).bind(3, user).bind(4, action).bind(5, detail).bind(6, prev);
  s->bind(7, hash).bind(8, entry_mac(*key, hash));
  if (found == Step::kError || s->step() != Step::kDone) return sql_error(found == Step::kError ? *last : *s);
  if (auto r = exec("COMMIT"); !r) return r.error();
  transaction.ended = true;
  if (auto r = advance_head(head_path_, key_path_, *key, id, hash); !r) {
    std::string why = fmt::format("audit entry {} stored, but its head was not: {}", id, r.error().message);
    if (!head_error) return Error{std::move(why)};
    *head_error = std::move(why);
  }
  return Ok{};
}

Result<AuditCheck> Store::verify_audit() const {
  AuditCheck check;
  if (auto named = audit_key_named(); !named) return named.error();
  check.key_path = key_path_;
  auto key = read_key(key_path_);
  if (!key) return key.error();
  check.authenticated = key->has_value();
  auto head = read_head(head_path_);
  if (!head) return head.error();

  auto s = db_->query(
      "SELECT id, at_epoch, \"user\", action, detail, prev_hash, hash, mac FROM audit_log ORDER BY id");
  std::string prev = kGenesis;
  int64_t expected_id = 1;
  auto fail = [&](int64_t id, std::string why) {
    check.ok = false, check.first_bad_id = id, check.problem = std::move(why);
    return check;
  };
  std::string head_entry_hash;  // the hash of the entry the head file names, as found
  Step step;
  while ((step = s->step()) == Step::kRow) {
    const int64_t id = s->integer(0);
    ++check.entries;
    if (id != expected_id) return fail(id, fmt::format("entry {} is missing", expected_id));
    if (s->text(5) != prev) return fail(id, "its link to the previous entry is broken");
    const std::string hash = s->text(6), mac = s->text(7);
    if (entry_hash(prev, id, s->real(1), s->text(2), s->text(3), s->text(4)) != hash)
      return fail(id, "its content does not match its hash (edited)");
    if (mac.empty()) {
      // Entries from before schema 4 have none; after a signed one, a missing MAC means the
      // chain was rewritten by someone without the key.
      if (check.signed_entries > 0) return fail(id, "it has no MAC though earlier entries are signed (rewritten)");
      ++check.unsigned_entries;
    } else {
      ++check.signed_entries;
      if (*key && !same_mac(mac, entry_mac(**key, hash)))
        return fail(id, "its MAC does not match the key (the chain was rewritten without the key)");
    }
    if (*head && id == (*head)->id) head_entry_hash = hash;
    prev = hash;
    ++expected_id;
  }
  if (step == Step::kError) return sql_error(*s);
  check.head_hash = check.entries > 0 ? prev : "";
  const int64_t last_id = expected_id - 1;

  if (*head) {
    const AuditHead& h = **head;
    check.head_found = true, check.head_id = h.id;
    if (*key && !same_mac(h.mac, head_mac(**key, h.id, h.hash)))
      return fail(h.id, fmt::format("the head file '{}' does not match the key (forged)", head_path_));
    if (h.id > last_id)
      return fail(last_id + 1, fmt::format("the head file names entry {} but the log ends at {}: the entries after "
                                           "{} were cut off",
                                           h.id, last_id, last_id));
    if (head_entry_hash != h.hash)
      return fail(h.id, "it differs from the head file's copy (the chain was rewritten)");
  } else if (*key && check.entries > 0) {
    // The key is made by the first signed append, which also writes the head.
    return fail(last_id, fmt::format("the head file '{}' is missing", head_path_));
  }
  if (*key && check.entries > 0 && check.signed_entries == 0)
    return fail(1, "no entry is signed though the key exists (the chain was rewritten without the key)");
  return check;
}

Result<std::optional<AuditHead>> Store::audit_head() const {
  if (auto named = audit_key_named(); !named) return named.error();
  auto head = read_head(head_path_);
  if (!head || !*head) return head;
  auto key = read_key(key_path_);
  if (!key) return key.error();
  if (*key && !same_mac((*head)->mac, head_mac(**key, (*head)->id, (*head)->hash)))
    return Error{fmt::format("the audit head '{}' does not match the key '{}' (forged)", head_path_, key_path_)};
  return head;
}

}  // namespace vigie::events
