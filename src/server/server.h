// `vigie serve`: every configured camera analysed at once, the HTTP API (JSON under
// /api/v1), live push (Server-Sent Events), live views (MJPEG and JPEG), Prometheus
// /metrics, and the console's static files. Sessions and roles guard every route but
// login, health and metrics; views, actions and exports go to the audit log.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "config/config.h"
#include "server/auth.h"

namespace vigie::server {

// A route and who may use it, as the server enforces it (tests walk this list).
struct RouteInfo {
  std::string method;   // GET, POST
  std::string example;  // a concrete path that reaches the handler
  std::optional<Permission> needs;  // none: any session
  bool public_route = false;        // no session needed at all
};

class Server {
 public:
  // Opens the store (throws std::runtime_error naming it) and prepares the cameras.
  explicit Server(Config config);
  ~Server();

  // Starts the cameras and listens on config.server.listen (port 0: any free port).
  // Returns false (with the reason in `error`) if the address cannot be bound.
  bool start(std::string& error);
  int port() const;
  void stop();

  static std::vector<RouteInfo> routes();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Runs until SIGINT/SIGTERM. Returns the exit code.
int serve(const Config& config);

}  // namespace vigie::server
