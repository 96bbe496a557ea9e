#include "server/auth.h"

#include <sodium.h>

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>

#include "events/store.h"

namespace vigie::server {

const char* permission_name(Permission p) {
  switch (p) {
    case Permission::kLive: return "live";
    case Permission::kAlerts: return "alerts";
    case Permission::kStats: return "stats";
    case Permission::kSearch: return "search";
    case Permission::kConfig: return "config";
    case Permission::kAudit: return "audit";
    case Permission::kApproveUnmasked: return "approve_unmasked";
    case Permission::kAccounts: return "accounts";
    case Permission::kParkingReview: return "parking_review";
    case Permission::kParkingContest: return "parking_contest";
    case Permission::kParkingPay: return "parking_pay";
  }
  return "?";
}

bool role_allows(const std::string& role, Permission p) {
  using P = Permission;
  if (role == "operator") return p == P::kLive || p == P::kAlerts || p == P::kParkingReview;
  if (role == "supervisor")
    return p == P::kLive || p == P::kAlerts || p == P::kStats || p == P::kSearch || p == P::kConfig ||
           p == P::kParkingReview || p == P::kParkingContest;
  if (role == "auditor") return p == P::kAudit || p == P::kApproveUnmasked;
  if (role == "admin") return p == P::kAccounts;
  if (role == "parking_meter") return p == P::kParkingPay;
  return false;
}

void Sessions::keep_in(events::Store* store, std::mutex* store_mu) {
  store_ = store;
  store_mu_ = store_mu;
}

Session Sessions::create(const std::string& user, const std::string& role, double now_epoch) {
  unsigned char raw[32];
  randombytes_buf(raw, sizeof raw);
  char hex[sizeof raw * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, raw, sizeof raw);
  Session s{hex, user, role, now_epoch + lifetime_s_};
  bool stored = true;
  if (store_) {
    std::lock_guard lock(*store_mu_);
    store_->remove_expired_sessions(now_epoch);
    // Not stored (the store away): valid on this node only.
    if (auto r = store_->add_session({s.token, user, role, s.expires_epoch}); !r) {
      stored = false;
      fmt::print(stderr, "vigie serve: session of {} kept on this node only: {}\n", user, r.error().message);
    }
  }
  std::lock_guard lock(mu_);
  if (!stored) unstored_.insert(s.token);
  std::erase_if(by_token_, [&](const auto& kv) { return kv.second.expires_epoch < now_epoch; });
  // What this node remembers of sessions that expired goes with them.
  std::erase_if(checked_at_, [&](const auto& kv) { return !by_token_.count(kv.first); });
  std::erase_if(unstored_, [&](const std::string& t) { return !by_token_.count(t); });
  by_token_[s.token] = s;
  return s;
}

std::optional<Session> Sessions::find(const std::string& token, double now_epoch) {
  if (store_) {
    {
      std::lock_guard lock(mu_);
      if (revoked_.count(token)) {  // logged out while the store was away: never again
        retry_revocations();
        return std::nullopt;
      }
      // Asked of the store a moment ago: live streams ask every 100 ms, and a store that
      // does not answer must not hold every request for seconds.
      const auto it = by_token_.find(token);
      const auto checked = checked_at_.find(token);
      if (it != by_token_.end() && checked != checked_at_.end() && now_epoch - checked->second < kRecheckS &&
          it->second.expires_epoch >= now_epoch)
        return it->second;
    }
    Result<std::optional<events::SessionRow>> row = Error{""};
    {
      std::lock_guard lock(*store_mu_);
      row = store_->session(token, now_epoch);
    }
    std::lock_guard lock(mu_);
    if (row && *row) {
      checked_at_[token] = now_epoch;
      return by_token_[token] = Session{token, (*row)->user, (*row)->role, (*row)->expires_epoch};
    }
    if (row && !*row && !unstored_.count(token)) {  // ended elsewhere, or expired
      by_token_.erase(token);
      checked_at_.erase(token);
      return std::nullopt;
    }
    // The store is away (or the session was made here while it was): what this node knows.
  }
  std::lock_guard lock(mu_);
  const auto it = by_token_.find(token);
  if (it == by_token_.end()) return std::nullopt;
  if (it->second.expires_epoch < now_epoch) {
    by_token_.erase(it);
    return std::nullopt;
  }
  return it->second;
}

void Sessions::remove(const std::string& token) {
  bool removed = true;
  if (store_) {
    std::lock_guard lock(*store_mu_);
    removed = static_cast<bool>(store_->remove_session(token));
  }
  std::lock_guard lock(mu_);
  by_token_.erase(token);
  unstored_.erase(token);
  checked_at_.erase(token);
  if (!removed) revoked_.insert(token);  // deleted from the store once it answers again
}

// Called with mu_ held: the logouts the store missed, deleted now if it answers.
void Sessions::retry_revocations() {
  if (!store_mu_->try_lock()) return;
  std::lock_guard lock(*store_mu_, std::adopt_lock);
  std::erase_if(revoked_, [&](const std::string& t) { return static_cast<bool>(store_->remove_session(t)); });
}

double LoginLimiter::attempt(const std::string& key, double now) {
  std::lock_guard lock(mu_);
  auto& f = failures_[key];
  std::erase_if(f, [&](double t) { return t < now - window_s_; });
  if (static_cast<int>(f.size()) >= attempts_) return std::max(1.0, f.front() + window_s_ - now);
  f.push_back(now);
  return 0;
}

void LoginLimiter::refund(const std::string& key, double now) {
  std::lock_guard lock(mu_);
  auto it = failures_.find(key);
  if (it == failures_.end() || it->second.empty()) return;
  auto newest = std::find(it->second.rbegin(), it->second.rend(), now);
  it->second.erase(newest == it->second.rend() ? std::prev(it->second.end()) : std::prev(newest.base()));
}

void LoginLimiter::succeeded(const std::string& key) {
  std::lock_guard lock(mu_);
  failures_.erase(key);
}

std::string cookie_value(const std::string& header, const std::string& name) {
  size_t pos = 0;
  while (pos < header.size()) {
    while (pos < header.size() && (header[pos] == ' ' || header[pos] == ';')) ++pos;
    const size_t end = std::min(header.find(';', pos), header.size());
    const std::string part = header.substr(pos, end - pos);
    const size_t eq = part.find('=');
    if (eq != std::string::npos && part.substr(0, eq) == name) return part.substr(eq + 1);
    pos = end + 1;
  }
  return {};
}

}  // namespace vigie::server
