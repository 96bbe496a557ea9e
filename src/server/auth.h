// Sessions and who may do what. Sessions are random 256-bit tokens (libsodium) sent in an
// HttpOnly, SameSite=Strict cookie, and kept in the event store (by their SHA-256), so that
// every API node of a site, and a restarted one, knows them.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace vigie::events {
class Store;
}

namespace vigie::server {

enum class Permission {
  kLive, kAlerts, kStats, kSearch, kConfig, kAudit, kApproveUnmasked, kAccounts, kParkingReview, kParkingContest,
  kParkingPay
};
const char* permission_name(Permission p);

// operator: live views, alerts and actions on them, and the scancars' review queue (a
// person issues each parking notice); supervisor: the same, statistics, forensic search
// (each search with a reason, audited), requests for unmasked video, the configuration,
// and citizens' contests of parking notices; auditor: the audit log and the decision on those requests (the second
// person), nothing else; admin: accounts, nothing else; parking_meter (a meter's or a
// parking app's account): recording paid sessions, nothing else.
bool role_allows(const std::string& role, Permission p);

struct Session {
  std::string token, user, role;
  double expires_epoch = 0;
};

class Sessions {
 public:
  explicit Sessions(double lifetime_s) : lifetime_s_(lifetime_s) {}
  // Keeps the sessions in `store` (used under `store_mu`) from now on; without it they
  // live in this process only. The store is the truth: a logout on another node ends a
  // session here too (within kRecheckS). While the store is away, the sessions this process
  // has seen go on, and a logout is kept here until the store has it.
  void keep_in(events::Store* store, std::mutex* store_mu);
  Session create(const std::string& user, const std::string& role, double now_epoch);
  std::optional<Session> find(const std::string& token, double now_epoch);
  void remove(const std::string& token);

 private:
  double lifetime_s_;
  events::Store* store_ = nullptr;
  std::mutex* store_mu_ = nullptr;
  std::mutex mu_;
  std::map<std::string, Session> by_token_;  // seen here (all of them without a store)
  std::set<std::string> unstored_;           // made here while the store was away
  std::set<std::string> revoked_;            // logged out while the store was away
  std::map<std::string, double> checked_at_; // when the store last confirmed a session
  static constexpr double kRecheckS = 2;     // a logout elsewhere ends a session here within this
  void retry_revocations();
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
