// Sessions and who may do what. Sessions are random 256-bit tokens (libsodium) kept in
// memory — a restart logs everyone out — sent in an HttpOnly, SameSite=Strict cookie.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace vigie::server {

enum class Permission { kLive, kAlerts, kStats, kConfig, kAudit, kAccounts };
const char* permission_name(Permission p);

// operator: live views, alerts and actions on them; supervisor: the same, statistics and
// the configuration; auditor: the audit log, nothing else; admin: accounts, nothing else.
bool role_allows(const std::string& role, Permission p);

struct Session {
  std::string token, user, role;
  double expires_epoch = 0;
};

class Sessions {
 public:
  explicit Sessions(double lifetime_s) : lifetime_s_(lifetime_s) {}
  Session create(const std::string& user, const std::string& role, double now_epoch);
  std::optional<Session> find(const std::string& token, double now_epoch);
  void remove(const std::string& token);

 private:
  double lifetime_s_;
  std::mutex mu_;
  std::map<std::string, Session> by_token_;
};

// Failed logins per key (an address, an account name): `attempts` within `window_s`, then
// refused until the oldest failure leaves the window.
class LoginLimiter {
 public:
  LoginLimiter(int attempts, double window_s) : attempts_(attempts), window_s_(window_s) {}
  // An attempt about to be checked: counted as a failure at once (so that parallel
  // attempts cannot all pass the limit), unless the limit is already reached — then the
  // seconds to wait are returned and nothing is counted.
  double attempt(const std::string& key, double now_epoch);
  // Takes back the newest attempt of `key` (it succeeded).
  void refund(const std::string& key, double now_epoch);
  void succeeded(const std::string& key);

 private:
  int attempts_;
  double window_s_;
  std::mutex mu_;
  std::map<std::string, std::vector<double>> failures_;
};

// The value of cookie `name` in a Cookie header, or "".
std::string cookie_value(const std::string& header, const std::string& name);

}  // namespace vigie::server
