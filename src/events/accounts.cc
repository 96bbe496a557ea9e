// Local accounts: names, roles and Argon2id password hashes (libsodium).
#include <fmt/format.h>
#include <sodium.h>

#include <set>

#include "events/database.h"
#include "events/store.h"

namespace vigie::events {

std::optional<std::string> invalid_account_name(const std::string& name) {
  if (name.empty()) return "an account name cannot be empty";
  if (name.size() > 64) return fmt::format("an account name has at most 64 bytes ({} given)", name.size());
  for (const char c : name) {
    const auto u = static_cast<unsigned char>(c);
    // The name may contain a NUL: never print it raw, it would cut the message short.
    if (u < 0x20 || u == 0x7f)
      return fmt::format("an account name cannot contain control characters (byte 0x{:02x} found)", u);
    if (c == ' ' || c == '/') return fmt::format("'{}' is not a valid account name (no spaces or slashes)", name);
  }
  return std::nullopt;
}

Result<Ok> Store::add_user(const std::string& name, const std::string& role, const std::string& password,
                           double at_epoch) {
  if (auto why = invalid_account_name(name)) return Error{*why};
  if (std::find(kRoles.begin(), kRoles.end(), role) == kRoles.end())
    return Error{fmt::format("role '{}' is not one of {}", role, fmt::join(kRoles, ", "))};
  if (password.size() < 12) return Error{"the password must have at least 12 characters"};
  char hash[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(hash, password.c_str(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    return Error{"out of memory while hashing the password"};
  auto s = db_->query("INSERT INTO users (name, role, password_hash, created_epoch) VALUES (?1, ?2, ?3, ?4)");
  s->bind(1, name).bind(2, role).bind(3, std::string(hash)).bind(4, at_epoch);
  if (s->step() != Step::kDone)
    return s->unique_violation() ? Error{fmt::format("account '{}' already exists", name)} : sql_error(*s);
  return Ok{};
}

Result<std::optional<std::string>> Store::check_password(const std::string& name, const std::string& password) const {
  auto s = db_->query("SELECT role, password_hash FROM users WHERE name = ?1");
  s->bind(1, name);
  const Step step = s->step();
  if (step == Step::kError) return sql_error(*s);
  if (step != Step::kRow) return std::optional<std::string>{};
  const std::string role = s->text(0), hash = s->text(1);
  if (crypto_pwhash_str_verify(hash.c_str(), password.c_str(), password.size()) != 0)
    return std::optional<std::string>{};
  return std::optional<std::string>{role};
}

Result<std::vector<std::pair<std::string, std::string>>> Store::users() const {
  auto s = db_->query("SELECT name, role FROM users ORDER BY name");
  std::vector<std::pair<std::string, std::string>> out;
  Step step;
  while ((step = s->step()) == Step::kRow) out.emplace_back(s->text(0), s->text(1));
  if (step == Step::kError) return sql_error(*s);
  return out;
}

// Sessions are kept by the SHA-256 of their token (hex): the database never holds a token
// that would log anyone in.
namespace {
std::string token_hash(const std::string& token) {
  unsigned char h[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(h, reinterpret_cast<const unsigned char*>(token.data()), token.size());
  std::string hex(2 * sizeof h + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), h, sizeof h);
  hex.pop_back();
  return hex;
}
}  // namespace

Result<Ok> Store::add_session(const SessionRow& s) {
  auto q = db_->query("INSERT INTO sessions (token_hash, \"user\", role, expires_epoch) VALUES (?1, ?2, ?3, ?4)");
  q->bind(1, token_hash(s.token)).bind(2, s.user).bind(3, s.role).bind(4, s.expires_epoch);
  if (q->step() != Step::kDone) return sql_error(*q);
  return Ok{};
}

Result<std::optional<SessionRow>> Store::session(const std::string& token, double now_epoch) const {
  auto q = db_->query("SELECT \"user\", role, expires_epoch FROM sessions WHERE token_hash = ?1 AND expires_epoch > ?2");
  q->bind(1, token_hash(token)).bind(2, now_epoch);
  const Step step = q->step();
  if (step == Step::kError) return sql_error(*q);
  if (step == Step::kDone) return std::optional<SessionRow>{};
  return std::optional<SessionRow>{SessionRow{token, q->text(0), q->text(1), q->real(2)}};
}

Result<Ok> Store::remove_session(const std::string& token) {
  auto q = db_->query("DELETE FROM sessions WHERE token_hash = ?1");
  q->bind(1, token_hash(token));
  if (q->step() != Step::kDone) return sql_error(*q);
  return Ok{};
}

Result<int> Store::remove_expired_sessions(double now_epoch) {
  auto q = db_->query("DELETE FROM sessions WHERE expires_epoch <= ?1");
  q->bind(1, now_epoch);
  if (q->step() != Step::kDone) return sql_error(*q);
  return static_cast<int>(q->changes());
}

}  // namespace vigie::events
