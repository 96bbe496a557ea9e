// Test-only: a throwaway PostgreSQL 15 cluster, started on first use and stopped at exit.
// initdb into a folder of its own, the server on a free loopback port (fsync off: nothing
// in it outlives the test). As root (CI) it runs as the `postgres` user the Debian package
// creates, since initdb refuses root. Header-only.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include <fmt/format.h>

namespace vigie::testing {

class PostgresCluster {
 public:
  static constexpr const char* kBin = "/usr/lib/postgresql/15/bin";

  // The cluster, started if need be; nullptr when it cannot be, and why in `why`.
  static PostgresCluster* get(std::string* why) {
    static std::string failure;
    static std::unique_ptr<PostgresCluster> cluster = [] {
      auto c = std::unique_ptr<PostgresCluster>(new PostgresCluster());
      failure = c->start();
      return failure.empty() ? std::move(c) : nullptr;
    }();
    if (!cluster && why) *why = failure;
    return cluster.get();
  }

  ~PostgresCluster() {
    run(fmt::format("{}/pg_ctl -D {}/data -m immediate stop", kBin, dir_.string()));
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  std::string url(const std::string& database) const {
    return fmt::format("postgresql://postgres@127.0.0.1:{}/{}", port_, database);
  }
  int port() const { return port_; }

  // The server down (fast shutdown: connections are cut) and up again, same port and data.
  bool stop() const { return run(fmt::format("{}/pg_ctl -D {}/data -m fast -w stop", kBin, dir_.string())); }
  bool start_again() const { return run(start_command()); }

 private:
  PostgresCluster() = default;

  static int free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    int port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0)
      port = ntohs(a.sin_port);
    ::close(fd);
    return port;
  }

  // Runs a command as the cluster's owner; true when it succeeded.
  bool run(const std::string& command) const {
    const std::string as = ::geteuid() == 0 ? "runuser -u postgres -- " : "";
    return std::system((as + command + " >>" + (dir_ / "commands.log").string() + " 2>&1").c_str()) == 0;
  }

  std::string log_tail() const {
    std::ifstream in(dir_ / "commands.log");
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string s = ss.str();
    return s.size() > 600 ? s.substr(s.size() - 600) : s;
  }

  std::string start() {
    if (!std::filesystem::exists(std::string(kBin) + "/initdb"))
      return fmt::format("PostgreSQL 15 is not installed ({}/initdb): scripts/install-deps installs it", kBin);
    dir_ = std::filesystem::temp_directory_path() / fmt::format("vigie_pg_{}", ::getpid());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    if (::geteuid() == 0 && std::system(fmt::format("chown postgres {}", dir_.string()).c_str()) != 0)
      return "cannot give the cluster's folder to the postgres user (is postgresql-15 installed?)";
    port_ = free_port();
    if (!run(fmt::format("{}/initdb -D {}/data -U postgres -A trust -E UTF8 --no-sync", kBin, dir_.string())))
      return "initdb failed: " + log_tail();
    if (!run(start_command())) return "the PostgreSQL server did not start: " + log_tail();
    return {};
  }

  std::string start_command() const {
    const std::string options = fmt::format(
        "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off",
        port_, dir_.string());
    return fmt::format("{}/pg_ctl -D {}/data -l {}/server.log -w -t 60 -o '{}' start", kBin, dir_.string(),
                       dir_.string(), options);
  }

  std::filesystem::path dir_;
  int port_ = 0;
};

}  // namespace vigie::testing
