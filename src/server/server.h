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

// A route as the server's route table declares it (the tests walk this list).
struct RouteInfo {
  std::string method;   // GET, POST
  std::string example;  // a concrete path that reaches the handler
  std::optional<Permission> needs;  // none: any session
  bool public_route = false;        // no session needed at all
  std::string audit_action;         // what the audit log calls a use of it
  bool audited = false;             // whether a use is written to the audit log
  std::string example_body;         // a valid JSON body for POST routes
};

class Server {
 public:
  // Opens the store and loads the TLS certificate if one is configured (throws
  // std::runtime_error naming what failed), and prepares the cameras.
  explicit Server(Config config);
  ~Server();

  // Starts the cameras and listens on config.server.listen (port 0: any free port).
  // Returns false (with the reason in `error`) if the address cannot be bound.
  bool start(std::string& error);
  int port() const;
  bool tls() const;
  void stop();

  // One raw HTTP/1.1 request through parsing, routing, guards and handlers, in process
  // and without a socket (tests and fuzzing); returns the raw response. Live streams send
  // their first part and end.
  std::string handle_raw(const std::string& request);

  static std::vector<RouteInfo> routes();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Runs until SIGINT/SIGTERM. Returns the exit code.
int serve(const Config& config);

}  // namespace vigie::server
