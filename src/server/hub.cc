#include "server/hub.h"

namespace vigie::server {

std::optional<std::string> EventHub::Subscription::next(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, timeout, [&] { return !queue_.empty() || closed_; });
  if (queue_.empty()) return std::nullopt;
  std::string m = std::move(queue_.front());
  queue_.pop_front();
  return m;
}

bool EventHub::Subscription::closed() const {
  std::lock_guard lock(mu_);
  return closed_;
}

uint64_t EventHub::Subscription::drops() const {
  std::lock_guard lock(mu_);
  return drops_;
}

void EventHub::Subscription::close() {
  {
    std::lock_guard lock(mu_);
    closed_ = true;
  }
  cv_.notify_all();
}

std::shared_ptr<EventHub::Subscription> EventHub::subscribe() {
  auto s = std::make_shared<Subscription>();
  std::lock_guard lock(mu_);
  subs_.insert(s);
  return s;
}

void EventHub::unsubscribe(const std::shared_ptr<Subscription>& s) {
  std::lock_guard lock(mu_);
  subs_.erase(s);
}

void EventHub::publish(const std::string& event, const std::string& data) {
  const std::string message = "event: " + event + "\ndata: " + data + "\n\n";
  std::lock_guard lock(mu_);
  for (const auto& s : subs_) {
    {
      std::lock_guard sl(s->mu_);
      if (s->queue_.size() >= capacity_) {
        s->queue_.pop_front();
        ++s->drops_;
      }
      s->queue_.push_back(message);
    }
    s->cv_.notify_one();
  }
}

void EventHub::close_all() {
  std::lock_guard lock(mu_);
  for (const auto& s : subs_) s->close();
}

size_t EventHub::subscribers() const {
  std::lock_guard lock(mu_);
  return subs_.size();
}

}  // namespace vigie::server
