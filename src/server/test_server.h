// The fixture of the server's tests: a store with one account per role and one alert, a
// server on a free loopback port, and helpers to log in and to call a route (test-only).
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <fstream>

#include "core/test_data.h"
#include "events/store.h"
#include "server/server.h"

namespace vigie::server::testing_support {

using ::testing::HasSubstr;
using nlohmann::json;

// A TCP connection to the server from a chosen loopback source address (127.0.0.0/8 all
// reaches this machine), for clients that misbehave on purpose.
class RawConnection {
 public:
  RawConnection(int port, const std::string& from = "127.0.0.1") {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in local{};
    local.sin_family = AF_INET;
    inet_pton(AF_INET, from.c_str(), &local.sin_addr);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof local);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(static_cast<uint16_t>(port));
    inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0;
  }
  ~RawConnection() {
    if (fd_ >= 0) ::close(fd_);
  }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const { return connected_; }
  bool send(const std::string& bytes) { return ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) == ssize_t(bytes.size()); }
  // What arrives within `timeout_ms` (until the peer closes or goes quiet for that long).
  std::string receive(int timeout_ms) {
    std::string out;
    char buf[4096];
    for (;;) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, timeout_ms) <= 0) break;
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) {
        closed_ = true;
        break;
      }
      out.append(buf, static_cast<size_t>(n));
    }
    return out;
  }
  // True once the server has closed the connection (within `timeout_ms`).
  bool closed_by_server(int timeout_ms) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (!closed_ && std::chrono::steady_clock::now() < until) receive(100);
    return closed_;
  }

 private:
  int fd_ = -1;
  bool connected_ = false, closed_ = false;
};

inline const char* kPassword = "correct-horse-battery";
inline const std::vector<std::string> kRoles(events::kRoles.begin(), events::kRoles.end());

inline rules::AlertEvent started(const std::string& id, const std::string& camera, const std::string& rule,
                          const std::string& type, double epoch) {
  rules::AlertEvent e;
  e.phase = rules::Phase::kStart;
  e.alert_id = id;
  e.camera = camera, e.rule = rule, e.rule_type = type;
  e.epoch_s = epoch;
  return e;
}

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = vigie::testing::fresh_temp_dir(std::string("server_") +
                                          ::testing::UnitTest::GetInstance()->current_test_info()->name());
    config_.store.path = (dir_ / "vigie.db").string();
    config_.store.media = (dir_ / "media").string();
    config_.server.listen = "127.0.0.1:0";
    config_.server.web_root = (dir_ / "web").string();  // absent: the server says the console is not built
    {
      auto store = events::Store::open(config_.store.path);
      ASSERT_TRUE(store) << store.error().message;
      for (const auto& role : kRoles) ASSERT_TRUE((*store)->add_user(role + "1", role, kPassword, 0));
      ASSERT_TRUE((*store)->record(started("cam/r/1", "cam", "zone_intrusion:door", "zone_intrusion", now() - 60)));
    }
    configure(config_);
    server_ = std::make_unique<Server>(config_);
    std::string error;
    ASSERT_TRUE(server_->start(error)) << error;
  }
  void TearDown() override {
    if (server_) server_->stop();
  }
  // A test's own settings, applied before the server starts.
  virtual void configure(Config&) {}

  static double now() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  }

  httplib::Client client() {
    httplib::Client c("127.0.0.1", server_->port());
    c.set_read_timeout(2, 0);
    return c;
  }

  // The session cookie of a login as `name`, or "" (the status in `status`).
  std::string login(const std::string& name, const std::string& password = kPassword, int* status = nullptr) {
    auto c = client();
    const auto r = c.Post("/api/v1/login", json{{"name", name}, {"password", password}}.dump(), "application/json");
    if (status) *status = r ? r->status : -1;
    if (!r || r->status != 200) return "";
    const std::string set = r->get_header_value("Set-Cookie");
    return set.substr(0, set.find(';'));
  }

  // A route to call with status_of() (POST bodies: an empty JSON object).
  static RouteInfo route(const std::string& method, const std::string& path) {
    RouteInfo r;
    r.method = method, r.example = path, r.example_body = "{}";
    return r;
  }

  // Status of `route` with `cookie` ("" for none). Streams are cut after their first bytes.
  int status_of(const RouteInfo& route, const std::string& cookie) {
    auto c = client();
    httplib::Headers h;
    if (!cookie.empty()) h.emplace("Cookie", cookie);
    if (route.method == "POST") {
      const auto r = c.Post(route.example.c_str(), h, route.example_body, "application/json");
      return r ? r->status : -1;
    }
    int status = -1;
    const auto r = c.Get(
        route.example.c_str(), h,
        [&](const httplib::Response& res) {
          status = res.status;
          return res.status == 200 && res.get_header_value("Content-Type").find("event-stream") == std::string::npos
                     ? true
                     : false;  // stop reading an event stream after its headers
        },
        [&](const char*, size_t) { return true; });
    (void)r;
    return status;
  }

  std::filesystem::path dir_;
  Config config_;
  std::unique_ptr<Server> server_;
};

}  // namespace vigie::server::testing_support
