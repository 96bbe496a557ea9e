// A bounded multi-producer queue that never blocks its producer: when full, the oldest
// item is dropped and counted (a camera that falls behind drops frames, never memory).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>

namespace vigie {

// Thread-safe. close() wakes every waiting consumer; after it, pop() drains what is left
// and then returns nullopt.
template <typename T>
class BoundedQueue {
 public:
  explicit BoundedQueue(size_t capacity) : capacity_(capacity ? capacity : 1) {}

  // Never blocks. Returns false if an old item had to be dropped to make room.
  bool push(T item) {
    std::lock_guard lock(mu_);
    bool dropped = false;
    if (items_.size() >= capacity_) {
      items_.pop_front();
      ++drops_;
      dropped = true;
    }
    items_.push_back(std::move(item));
    cv_.notify_one();
    return !dropped;
  }

  // Waits up to `timeout` for an item; nullopt on timeout or when closed and empty.
  std::optional<T> pop(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, timeout, [&] { return !items_.empty() || closed_; });
    if (items_.empty()) return std::nullopt;
    T item = std::move(items_.front());
    items_.pop_front();
    return item;
  }

  void close() {
    std::lock_guard lock(mu_);
    closed_ = true;
    cv_.notify_all();
  }
  bool closed() const {
    std::lock_guard lock(mu_);
    return closed_ && items_.empty();
  }
  size_t size() const {
    std::lock_guard lock(mu_);
    return items_.size();
  }
  uint64_t drops() const {
    std::lock_guard lock(mu_);
    return drops_;
  }

 private:
  const size_t capacity_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<T> items_;
  uint64_t drops_ = 0;
  bool closed_ = false;
};

}  // namespace vigie
