// How many of something are open, per key (an address, a session) and in all, within a
// cap for each: connections per address, live streams per session. Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace vigie::server {

class KeyedCap {
 public:
  KeyedCap(int total, int per_key) : total_(total), per_key_(per_key) {}

  // Takes a place for `key`; false (counted as refused) when either cap is reached.
  bool acquire(const std::string& key) {
    std::lock_guard lock(mu_);
    int& mine = by_key_[key];
    if (open_ >= total_ || mine >= per_key_) {
      if (mine == 0) by_key_.erase(key);
      ++refused_;
      return false;
    }
    ++mine;
    ++open_;
    return true;
  }
  // Gives back a place taken by acquire().
  void release(const std::string& key) {
    std::lock_guard lock(mu_);
    if (--by_key_[key] <= 0) by_key_.erase(key);
    --open_;
  }
  int open() const { return open_.load(); }
  int64_t refused() const { return refused_.load(); }

 private:
  const int total_, per_key_;
  std::mutex mu_;
  std::map<std::string, int> by_key_;
  std::atomic<int> open_{0};
  std::atomic<int64_t> refused_{0};
};

}  // namespace vigie::server
