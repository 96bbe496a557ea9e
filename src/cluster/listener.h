// API nodes hear of the alerts the workers store: a PostgreSQL LISTEN on the store's alert
// channel (events::Store::kAlertChannel), on a session of its own, in a thread of its own,
// connecting again when the server was away (what was announced meanwhile is not heard:
// the console reloads its list when its live feed comes back).
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>

namespace vigie::cluster {

class AlertListener {
 public:
  // `on_payload` gets each notification's payload ({"id": …, "what": …}), on the
  // listener's thread; `on_problem` each change of state in words.
  AlertListener(std::string url, std::function<void(const std::string&)> on_payload,
                std::function<void(const std::string&)> on_problem);
  ~AlertListener();  // stops and joins
  void start();
  void stop();
  // Whether the LISTEN session is up now.
  bool listening() const { return listening_; }

 private:
  void run();

  std::string url_;
  std::function<void(const std::string&)> on_payload_, on_problem_;
  std::atomic<bool> stop_{false}, listening_{false};
  std::thread thread_;
};

}  // namespace vigie::cluster
