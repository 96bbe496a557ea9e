#include "server/http_listener.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace vigie::server {
namespace {

using Clock = std::chrono::steady_clock;

// Set while a connection is handled on the accepting thread itself: it is refused at once.
thread_local bool t_refuse_inline = false;
// Set by the request checks to end the connection after the current answer.
thread_local bool t_close_after_answer = false;

// Runs each connection on its own thread, at most `max_threads` at once; shutdown() waits
// for all of them. Past the cap (or if a thread cannot be made) the connection is refused
// on the accepting thread, which costs no thread and no TLS handshake.
class ThreadPerConnection : public httplib::TaskQueue {
 public:
  explicit ThreadPerConnection(int max_threads) : max_threads_(max_threads) {}
  void enqueue(std::function<void()> fn) override {
    {
      std::lock_guard lock(mu_);
      if (running_ >= max_threads_) return refuse_here(fn);
      ++running_;
    }
    try {
      std::thread([this, fn] {
        fn();
        std::lock_guard lock(mu_);
        if (--running_ == 0) idle_.notify_all();
      }).detach();
    } catch (const std::system_error&) {
      {
        std::lock_guard lock(mu_);
        if (--running_ == 0) idle_.notify_all();
      }
      refuse_here(fn);
    }
  }
  void shutdown() override {
    std::unique_lock lock(mu_);
    idle_.wait(lock, [&] { return running_ == 0; });
  }

 private:
  static void refuse_here(const std::function<void()>& fn) {
    t_refuse_inline = true;
    fn();
    t_refuse_inline = false;
  }
  const int max_threads_;
  std::mutex mu_;
  std::condition_variable idle_;
  int running_ = 0;
};

std::string peer_address(int fd) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return "?";
  char text[INET6_ADDRSTRLEN] = "?";
  if (addr.ss_family == AF_INET)
    inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(&addr)->sin_addr, text, sizeof text);
  else if (addr.ss_family == AF_INET6)
    inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(&addr)->sin6_addr, text, sizeof text);
  return text;
}

int peer_port(int fd, bool local) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  const int rc = local ? getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len)
                       : getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  if (rc != 0) return 0;
  if (addr.ss_family == AF_INET) return ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
  if (addr.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port);
  return 0;
}

// Waits until `fd` is readable (or writable), at most `ms`; true when it is.
bool wait_fd(int fd, short events, int ms) {
  pollfd p{fd, events, 0};
  return ::poll(&p, 1, std::max(ms, 0)) > 0 && (p.revents & (events | POLLHUP | POLLERR));
}

// One connection, plain or TLS. Reads of one request stop at its deadline and its byte
// budget; writes wait at most the write timeout.
class ConnectionStream : public httplib::Stream {
 public:
  ConnectionStream(int fd, SSL* ssl, const ListenerLimits& limits) : fd_(fd), ssl_(ssl), limits_(limits) {}

  void begin_request() {
    deadline_ = Clock::now() + std::chrono::milliseconds(static_cast<int64_t>(limits_.request_timeout_s * 1000));
    read_budget_ = limits_.max_request_bytes;
  }
  // A read failed (deadline, byte budget, error): the library may still answer 400, but
  // the connection must not wait for another request.
  bool read_failed() const { return read_failed_; }

  bool is_readable() const override {
    if (ssl_ && SSL_pending(ssl_) > 0) return true;
    return wait_fd(fd_, POLLIN, ms_left());
  }
  bool is_writable() const override {
    // Writable, and the peer has not gone: a viewer that left is noticed even while
    // nothing is being sent.
    if (!wait_fd(fd_, POLLOUT, 5000)) return false;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 0) > 0 && (p.revents & (POLLHUP | POLLERR))) return false;
    if (p.revents & POLLIN) {
      char c;
      if (::recv(fd_, &c, 1, MSG_PEEK | MSG_DONTWAIT) == 0) return false;
    }
    return true;
  }
  ssize_t read(char* ptr, size_t size) override {
    if (read_budget_ == 0 || !is_readable()) {
      read_failed_ = true;
      return -1;
    }
    size = std::min(size, read_budget_);
    const ssize_t n = ssl_ ? SSL_read(ssl_, ptr, static_cast<int>(std::min<size_t>(size, INT32_MAX)))
                           : ::recv(fd_, ptr, size, 0);
    if (n <= 0) {
      read_failed_ = true;
      return -1;
    }
    read_budget_ -= static_cast<size_t>(n);
    return n;
  }
  ssize_t write(const char* ptr, size_t size) override {
    size_t done = 0;
    while (done < size) {
      if (!wait_fd(fd_, POLLOUT, 5000)) return -1;
      const ssize_t n = ssl_ ? SSL_write(ssl_, ptr + done, static_cast<int>(std::min<size_t>(size - done, INT32_MAX)))
                             : ::send(fd_, ptr + done, size - done, MSG_NOSIGNAL);
      if (n <= 0) return -1;
      done += static_cast<size_t>(n);
    }
    return static_cast<ssize_t>(size);
  }
  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    ip = peer_address(fd_);
    port = peer_port(fd_, false);
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    ip.clear();
    port = peer_port(fd_, true);
  }
  socket_t socket() const override { return fd_; }

 private:
  int ms_left() const {
    return static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - Clock::now()).count());
  }

  int fd_;
  SSL* ssl_;
  const ListenerLimits& limits_;
  Clock::time_point deadline_ = Clock::now();
  size_t read_budget_ = 0;
  bool read_failed_ = false;
};

// A request handed in as bytes: the response is collected, and the remote address says
// that it came from inside the process.
class InProcessStream : public httplib::detail::BufferStream {
 public:
  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    ip = kInProcessAddress;
    port = 0;
  }
};

void refuse(int fd, SSL* ssl) {
  static const char kBusy[] =
      "HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: 32\r\n"
      "Retry-After: 5\r\n\r\ntoo many connections, try again\n";
  if (ssl) SSL_write(ssl, kBusy, sizeof kBusy - 1);
  else ::send(fd, kBusy, sizeof kBusy - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
  // Read what the client already sent before closing: closing on unread bytes resets the
  // connection, and the client could lose the answer.
  ::shutdown(fd, SHUT_WR);
  char sink[4096];
  for (int i = 0; i < 16 && ::recv(fd, sink, sizeof sink, MSG_DONTWAIT) > 0; ++i) {
  }
}

// A lingering close: when the client is still sending what was never read (a body refused
// for its size), closing at once resets the connection and the client can lose the
// answer already sent. Half-close, then read and drop until the client closes too, for at
// most a second and a few megabytes. Nothing unread: nothing to wait for.
void linger_if_unread(int fd) {
  char sink[16384];
  if (::recv(fd, sink, 1, MSG_PEEK | MSG_DONTWAIT) <= 0) return;
  ::shutdown(fd, SHUT_WR);
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  size_t dropped = 0;
  while (dropped < (8u << 20) && std::chrono::steady_clock::now() < until) {
    if (!wait_fd(fd, POLLIN, 100)) continue;
    const ssize_t n = ::recv(fd, sink, sizeof sink, MSG_DONTWAIT);
    if (n <= 0) return;
    dropped += static_cast<size_t>(n);
  }
}

}  // namespace

HttpListener::HttpListener(ListenerLimits limits)
    : limits_(limits), connections_(limits.max_connections, limits.max_connections_per_address) {
  // Admitted connections plus room for those being refused or closing.
  new_task_queue = [max = limits_.max_connections + 64] { return new ThreadPerConnection(max); };
  set_payload_max_length(limits_.max_body_bytes);
  set_read_timeout(static_cast<time_t>(limits_.request_timeout_s));
  set_keep_alive_timeout(static_cast<time_t>(limits_.keep_alive_s));
  set_keep_alive_max_count(1000);
}

HttpListener::~HttpListener() {
  if (ctx_) SSL_CTX_free(ctx_);
}

bool HttpListener::use_tls(const std::string& cert_file, const std::string& key_file, std::string& error) {
  // OpenSSL writes with write(2): a peer that left would raise SIGPIPE and end the process.
  std::signal(SIGPIPE, SIG_IGN);
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  if (!ctx) {
    error = "OpenSSL could not create a TLS context";
    return false;
  }
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  auto why = [] {
    char text[256];
    ERR_error_string_n(ERR_get_error(), text, sizeof text);
    return std::string(text);
  };
  if (SSL_CTX_use_certificate_chain_file(ctx, cert_file.c_str()) != 1) {
    error = "cannot load the TLS certificate '" + cert_file + "': " + why();
  } else if (SSL_CTX_use_PrivateKey_file(ctx, key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    error = "cannot load the TLS key '" + key_file + "': " + why();
  } else if (SSL_CTX_check_private_key(ctx) != 1) {
    error = "the TLS key '" + key_file + "' does not match the certificate '" + cert_file + "'";
  } else {
    if (ctx_) SSL_CTX_free(ctx_);
    ctx_ = ctx;
    return true;
  }
  SSL_CTX_free(ctx);
  return false;
}

void HttpListener::widen_backlog() {
  if (svr_sock_ != INVALID_SOCKET) ::listen(svr_sock_, SOMAXCONN);
}

bool HttpListener::process_and_close_socket(socket_t sock) {
  const std::string address = peer_address(sock);
  const bool admitted = !t_refuse_inline && connections_.acquire(address);
  SSL* ssl = nullptr;
  bool ok = false;
  if (ctx_ && admitted) {  // no handshake for a connection that is refused anyway
    // The handshake is bounded too: a client that opens and stays silent is dropped.
    timeval tv{static_cast<time_t>(std::min(limits_.request_timeout_s, 3.0)), 0};
    setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(sock, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    ssl = SSL_new(ctx_);
    if (ssl && (SSL_set_fd(ssl, sock) != 1 || SSL_accept(ssl) != 1)) {
      SSL_free(ssl);
      ssl = nullptr;
    }
  }
  if (!admitted) {
    if (!ctx_) refuse(sock, nullptr);
  } else if (!ctx_ || ssl) {
    ConnectionStream stream(sock, ssl, limits_);
    const int keep_alive_ms = static_cast<int>(limits_.keep_alive_s * 1000);
    for (;;) {
      // Wait for the next request in short steps, so that stop() is seen quickly.
      bool readable = ssl && SSL_pending(ssl) > 0;
      for (int waited = 0; !readable && waited < keep_alive_ms && svr_sock_ != INVALID_SOCKET; waited += 100)
        readable = wait_fd(sock, POLLIN, 100);
      if (!readable || svr_sock_ == INVALID_SOCKET) break;
      stream.begin_request();
      bool closed = false;
      t_close_after_answer = false;
      ok = process_request(stream, false, closed, nullptr);
      if (!ok || closed || stream.read_failed() || t_close_after_answer) break;
    }
  }
  if (ssl) {
    SSL_shutdown(ssl);
    SSL_free(ssl);
  } else if (!ctx_ && admitted && svr_sock_ != INVALID_SOCKET) {
    linger_if_unread(sock);  // (plain HTTP only: TLS bytes cannot be read past a shutdown)
  }
  ::shutdown(sock, SHUT_RDWR);
  ::close(sock);
  if (admitted) connections_.release(address);
  return ok;
}

void HttpListener::close_after_answer() { t_close_after_answer = true; }

std::string HttpListener::handle_raw(const std::string& request) {
  InProcessStream stream;
  stream.write(request.data(), request.size());
  bool closed = false;
  process_request(stream, true, closed, nullptr);
  // The buffer holds the request first, then the response.
  return stream.get_buffer().substr(request.size());
}

}  // namespace vigie::server
