// Local accounts: names, roles and Argon2id password hashes (libsodium).
#include <fmt/format.h>
#include <sodium.h>

#include <set>

#include "events/statement.h"
#include "events/store.h"

namespace vigie::events {

Result<Ok> Store::add_user(const std::string& name, const std::string& role, const std::string& password,
                           double at_epoch) {
  static const std::set<std::string> roles = {"operator", "supervisor", "auditor", "admin"};
  if (name.empty() || name.find_first_of(" \t\n/") != std::string::npos)
    return Error{fmt::format("'{}' is not a valid account name (no spaces or slashes)", name)};
  if (!roles.count(role)) return Error{fmt::format("role '{}' is not operator, supervisor, auditor or admin", role)};
  if (password.size() < 12) return Error{"the password must have at least 12 characters"};
  char hash[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(hash, password.c_str(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    return Error{"out of memory while hashing the password"};
  Statement s(db_, "INSERT INTO users (name, role, password_hash, created_epoch) VALUES (?1, ?2, ?3, ?4)");
  s.bind(1, name).bind(2, role).bind(3, std::string(hash)).bind(4, at_epoch);
  if (s.step() != SQLITE_DONE)
    return Error{sqlite3_extended_errcode(db_) == SQLITE_CONSTRAINT_PRIMARYKEY
                     ? fmt::format("account '{}' already exists", name)
                     : fmt::format("event store '{}': {}", path_, sqlite3_errmsg(db_))};
  return Ok{};
}

Result<std::optional<std::string>> Store::check_password(const std::string& name, const std::string& password) const {
  Statement s(db_, "SELECT role, password_hash FROM users WHERE name = ?1");
  s.bind(1, name);
  if (s.step() != SQLITE_ROW) return std::optional<std::string>{};
  const std::string role = s.text(0), hash = s.text(1);
  if (crypto_pwhash_str_verify(hash.c_str(), password.c_str(), password.size()) != 0)
    return std::optional<std::string>{};
  return std::optional<std::string>{role};
}

Result<std::vector<std::pair<std::string, std::string>>> Store::users() const {
  Statement s(db_, "SELECT name, role FROM users ORDER BY name");
  std::vector<std::pair<std::string, std::string>> out;
  while (s.step() == SQLITE_ROW) out.emplace_back(s.text(0), s.text(1));
  return out;
}

}  // namespace vigie::events
