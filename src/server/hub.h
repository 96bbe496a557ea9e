// Live push to the consoles: every subscriber (an open Server-Sent Events stream) gets its
// own bounded queue; a console that stops reading loses its oldest messages (counted),
// never the server's memory.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>

namespace vigie::server {

class EventHub {
 public:
  class Subscription {
   public:
    // The next message ("event: …\ndata: …\n\n"), or nullopt after `timeout` or once closed.
    std::optional<std::string> next(std::chrono::milliseconds timeout);
    bool closed() const;
    uint64_t drops() const;

   private:
    friend class EventHub;
    void push(const std::string& message);
    void close();
    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::deque<std::string> queue_;
    bool closed_ = false;
    uint64_t drops_ = 0;
  };

  explicit EventHub(size_t queue_capacity = 256) : capacity_(queue_capacity) {}
  std::shared_ptr<Subscription> subscribe();
  void unsubscribe(const std::shared_ptr<Subscription>& s);
  // Sends one SSE message (`event` name, JSON `data`) to every subscriber.
  void publish(const std::string& event, const std::string& data);
  void close_all();
  size_t subscribers() const;

 private:
  size_t capacity_;
  mutable std::mutex mu_;
  std::set<std::shared_ptr<Subscription>> subs_;
};

}  // namespace vigie::server
