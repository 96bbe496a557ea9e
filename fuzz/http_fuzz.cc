// The HTTP layer in process (src/server): raw bytes through cpp-httplib's request parsing,
// the pre-routing checks, the route table's guards (session, role, content type, origin)
// and the handlers, by Server::handle_raw — no socket, no threads.
//
// Once per process: a store in a private folder with one account per role, a static
// console root, and one session per role from a real POST /api/v1/login. Per input, the
// first byte chooses: bit 0 set → a `Cookie: vigie_session=…` header is added after the
// request line, bits 1–2 → whose session (operator, supervisor, auditor, admin). The rest
// is the request. Any status (5xx included) is an answer; a crash, a sanitizer report or
// a hang is a bug.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "config/config.h"
#include "events/store.h"
#include "fuzz_common.h"
#include "server/server.h"

namespace {

constexpr const char* kPassword = "fuzzing is not a password";
const char* const kAccounts[4][2] = {
    {"op", "operator"}, {"sup", "supervisor"}, {"aud", "auditor"}, {"adm", "admin"}};

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "fuzz_http: %s\n", what.c_str());
  std::abort();
}

struct Harness {
  std::unique_ptr<vigie::server::Server> server;
  std::string cookies[4];
  int64_t runs = 0, last_login = -1;  // -1: never logged in

  Harness() {
    const auto dir = vigie::fuzz::scratch_dir() / "http";
    std::filesystem::create_directories(dir / "web" / "assets");
    std::FILE* f = std::fopen((dir / "web" / "index.html").c_str(), "w");
    if (!f) die("cannot write the console root");
    std::fputs("<!doctype html><title>vigie</title>", f);
    std::fclose(f);
    f = std::fopen((dir / "web" / "assets" / "app.js").c_str(), "w");
    if (!f) die("cannot write the console root");
    std::fputs("console.log('vigie');\n", f);
    std::fclose(f);

    vigie::Config config;
    config.store.path = (dir / "vigie.db").string();
    config.store.media = (dir / "media").string();
    config.server.web_root = (dir / "web").string();
    {
      auto store = vigie::events::Store::open(config.store.path);
      if (!store) die(store.error().message);
      for (const auto& [name, role] : kAccounts)
        if (auto ok = (*store)->add_user(name, role, kPassword, static_cast<double>(std::time(nullptr))); !ok)
          die(ok.error().message);
    }
    server = std::make_unique<vigie::server::Server>(config);
    login();
  }

  // One session per role through the real login route. After the first time, a refusal
  // (the inputs' own failed logins trip the per-address limit: 429) keeps the old cookies.
  void login() {
    for (int i = 0; i < 4; ++i) {
      const std::string body =
          std::string("{\"name\":\"") + kAccounts[i][0] + "\",\"password\":\"" + kPassword + "\"}";
      const std::string response = server->handle_raw(
          "POST /api/v1/login HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nOrigin: http://127.0.0.1:8080\r\n"
          "Content-Type: application/json\r\nContent-Length: " +
          std::to_string(body.size()) + "\r\n\r\n" + body);
      const std::string key = "vigie_session=";
      const auto at = response.find(key);
      if (response.rfind("HTTP/1.1 200", 0) != 0 || at == std::string::npos) {
        if (last_login >= 0) break;
        die("login as " + std::string(kAccounts[i][0]) + " failed:\n" + response.substr(0, 400));
      }
      const auto end = response.find_first_of(";\r\n", at);
      cookies[i] = response.substr(at, end - at);
    }
    last_login = runs;
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Harness h;
  if (size == 0) return 0;
  ++h.runs;
  const uint8_t control = data[0];
  std::string request(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (control & 1) {
    const auto eol = request.find("\r\n");
    const std::string header = "Cookie: " + h.cookies[(control >> 1) & 3] + "\r\n";
    if (eol == std::string::npos) request += "\r\n" + header;
    else request.insert(eol + 2, header);
  }
  // Some requests are slow on purpose or by design, and would take most of the fuzzing
  // time: creating an account or logging in costs an Argon2id hash (~0.1 s), and
  // GET /api/v1/audit verifies the whole audit chain, which grows by a row per request
  // here. Those (and requests with %-escapes in the request line, which may spell them)
  // run once every 100 inputs.
  const std::string line = request.substr(0, request.find('\n'));
  const bool slow = line.find("audit") != std::string::npos ||
                    (line.find("POST") != std::string::npos &&
                     (line.find("login") != std::string::npos || line.find("users") != std::string::npos)) ||
                    line.find('%') != std::string::npos;
  if (slow && h.runs % 100 != 0) return 0;
  const std::string response = h.server->handle_raw(request);
  (void)response;
  // An input may have logged a session out: log in again, at most once per 5,000 runs
  // (each login costs an Argon2id check).
  if (request.find("logout") != std::string::npos && h.runs - h.last_login > 5000) h.login();
  return 0;
}
