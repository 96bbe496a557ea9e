// The server's sockets: cpp-httplib's request parsing and routing, with the connection
// handling replaced so that no client can take the server away from the others.
//
// - One thread per connection (no fixed worker pool for slow clients, Server-Sent Events
//   or MJPEG viewers to fill), at most `max_connections` at once and at most
//   `max_connections_per_address` from one address; a connection over either cap is
//   closed at once with a 503 (before any TLS handshake: refusing costs no thread).
// - Every request must arrive whole (request line, headers, body) within
//   `request_timeout_s` of its first byte: a client sending a header line every few
//   seconds is cut off (httplib's own read timeout only bounds each read).
// - At most `max_request_bytes` read per request, so a flood of header lines cannot grow
//   memory; bodies are capped by httplib's payload limit (413).
// - TLS when a certificate and key are given (OpenSSL).
//
// Thread-safety: configure before listening; stop() may be called from any thread.
#pragma once

#include <httplib.h>

#include <string>

#include "server/keyed_cap.h"

typedef struct ssl_ctx_st SSL_CTX;

namespace vigie::server {

struct ListenerLimits {
  int max_connections = 512;
  int max_connections_per_address = 32;
  double request_timeout_s = 10;
  size_t max_body_bytes = 64 * 1024;
  size_t max_request_bytes = 64 * 1024 + 64 * 1024;  // headers + body
  double keep_alive_s = 5;
};

// The remote address of a request handled by handle_raw(): not an IP, so no client can
// claim it; streaming handlers send what they have and end instead of waiting.
inline constexpr const char* kInProcessAddress = "in-process";

class HttpListener : public httplib::Server {
 public:
  explicit HttpListener(ListenerLimits limits);
  ~HttpListener() override;

  // Loads a PEM certificate (chain) and private key: connections are then TLS only.
  // Returns false with the reason in `error`.
  bool use_tls(const std::string& cert_file, const std::string& key_file, std::string& error);
  bool tls() const { return ctx_ != nullptr; }

  // One raw HTTP/1.1 request through parsing, routing and handlers, without a socket
  // (tests and fuzzing). Returns the raw response.
  std::string handle_raw(const std::string& request);

  // After binding: lets the kernel queue a burst of connections (the library asks for 5;
  // past that, a client's handshake is retried a second later).
  void widen_backlog();

  // Called from a handler or a request check: the connection ends after this answer
  // (a request whose framing cannot be trusted must not be followed by another).
  static void close_after_answer();

  int open_connections() const { return connections_.open(); }
  int64_t refused_connections() const { return connections_.refused(); }

 private:
  bool process_and_close_socket(socket_t sock) override;

  ListenerLimits limits_;
  SSL_CTX* ctx_ = nullptr;
  KeyedCap connections_;  // by remote address
};

}  // namespace vigie::server
