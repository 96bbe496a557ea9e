#include "cluster/listener.h"

#include <chrono>
#include <pqxx/pqxx>

#include "events/database.h"
#include "events/store.h"

namespace vigie::cluster {
namespace {

class Receiver final : public pqxx::notification_receiver {
 public:
  Receiver(pqxx::connection& c, std::function<void(const std::string&)>& f)
      : pqxx::notification_receiver(c, events::Store::kAlertChannel), f_(f) {}
  void operator()(const std::string& payload, int) override { f_(payload); }

 private:
  std::function<void(const std::string&)>& f_;
};

}  // namespace

AlertListener::AlertListener(std::string url, std::function<void(const std::string&)> on_payload,
                             std::function<void(const std::string&)> on_problem)
    : url_(events::with_connection_defaults(std::move(url))),
      on_payload_(std::move(on_payload)),
      on_problem_(std::move(on_problem)) {}

AlertListener::~AlertListener() { stop(); }

void AlertListener::start() { thread_ = std::thread([this] { run(); }); }

void AlertListener::stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void AlertListener::run() {
  std::string last_problem;
  while (!stop_) {
    try {
      pqxx::connection conn(url_);
      Receiver receiver(conn, on_payload_);
      listening_ = true;
      if (!last_problem.empty()) on_problem_("listening for alerts again");
      last_problem.clear();
      // A short wait, so that stop() is seen within a second.
      while (!stop_) conn.await_notification(1, 0);
    } catch (const std::exception& e) {
      listening_ = false;
      const std::string why = std::string(e.what()).substr(0, std::string(e.what()).find('\n'));
      if (why != last_problem) on_problem_("cannot listen for alerts: " + why);
      last_problem = why;
      for (int i = 0; i < 10 && !stop_; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  listening_ = false;
}

}  // namespace vigie::cluster
