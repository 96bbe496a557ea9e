// The security review's findings, one test each, named after what an attacker did on
// loopback; and the route table's promises (every audited route writes its action).
#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <atomic>
#include <thread>

#include "server/test_server.h"

namespace vigie::server {
namespace {

using namespace testing_support;
using ::testing::HasSubstr;
using nlohmann::json;

// The audit log's entries as "user action" strings, newest first.
std::vector<std::string> audit_lines(const std::string& store_path) {
  auto store = events::Store::open(store_path);
  std::vector<std::string> out;
  if (auto rows = (*store)->audit_entries(5000, 0))
    for (const auto& r : *rows) out.push_back(r.user + " " + r.action);
  return out;
}

bool chain_ok(const std::string& store_path) {
  auto store = events::Store::open(store_path);
  const auto check = (*store)->verify_audit();
  return check && check->ok;
}

std::string post_json(const std::string& path, const std::string& body, const std::string& extra_headers = "") {
  return fmt::format("POST {} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n{}Content-Length: {}\r\n\r\n{}",
                     path, extra_headers, body.size(), body);
}

int status_line(const std::string& response) {
  return response.size() > 12 ? std::atoi(response.substr(9, 3).c_str()) : -1;
}

// --- 1. NUL bytes -----------------------------------------------------------------

TEST_F(ServerTest, LoginWithNulInNameIsRefusedAndTheAuditChainHolds) {
  auto c = client();
  const auto r = c.Post("/api/v1/login", R"({"name":"ghost\u0000x","password":"x"})", "application/json");
  EXPECT_EQ(r->status, 400);
  EXPECT_TRUE(chain_ok(config_.store.path));
}

TEST_F(ServerTest, NulInNameDoesNotBypassALockedAccountsLimit) {
  for (int i = 0; i < config_.server.login_attempts; ++i) login("supervisor1", "wrong-password-123");
  auto c = client();
  const auto r = c.Post("/api/v1/login", json{{"name", std::string("supervisor1\0zz", 14)}, {"password", kPassword}}.dump(),
                        "application/json");
  EXPECT_NE(r->status, 200);
}

TEST_F(ServerTest, UserNamedWithNulIsRefused) {
  const std::string admin = login("admin1");
  auto c = client();
  const auto r = c.Post("/api/v1/users", {{"Cookie", admin}},
                        json{{"name", std::string("evil\0admin", 10)}, {"role", "operator"},
                             {"password", "a-long-enough-password"}}.dump(),
                        "application/json");
  EXPECT_EQ(r->status, 400);
  auto store = events::Store::open(config_.store.path);
  for (const auto& [name, role] : *(*store)->users()) EXPECT_NE(name, "evil");
}

TEST_F(ServerTest, NulInAlertIdOrFilterIsNotNoFilter) {
  const std::string op = login("operator1");
  auto c = client();
  EXPECT_EQ(c.Get("/api/v1/alerts/%00", {{"Cookie", op}})->status, 400);
  EXPECT_EQ(c.Get("/api/v1/alerts?camera=%00", {{"Cookie", op}})->status, 400);
}

// --- 2. sizes -----------------------------------------------------------------------

TEST_F(ServerTest, HugeLoginBodyIsRefusedWith413AndNotAudited) {
  auto c = client();
  const std::string body = R"({"name":")" + std::string(2 * 1024 * 1024, 'a') + R"(","password":"x"})";
  const auto r = c.Post("/api/v1/login", body, "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  for (const auto& line : audit_lines(config_.store.path)) EXPECT_LT(line.size(), 200u);
}

TEST_F(ServerTest, TooManyHeaderFieldsAreRefused) {
  std::string request = "GET /api/v1/health HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; i < 300; ++i) request += fmt::format("X-Pad-{}: {}\r\n", i, i);
  EXPECT_EQ(status_line(server_->handle_raw(request + "\r\n")), 431);
}

class ServerWithConsoleTest : public ServerTest {
  void configure(Config& c) override {
    std::filesystem::create_directories(c.server.web_root);
    std::ofstream(c.server.web_root + "/index.html") << std::string(50000, 'x');
  }
};

TEST_F(ServerWithConsoleTest, ARangeOfAThousandPartsIsRefused) {
  std::string range = "bytes=0-49999";
  for (int i = 0; i < 999; ++i) range += ",0-49999";
  auto c = client();
  const auto r = c.Get("/index.html", {{"Range", range}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 416);
  EXPECT_LT(r->body.size(), 1000u);
  EXPECT_EQ(c.Get("/index.html", {{"Range", "bytes=0-9"}})->status, 206);  // one range is fine
}

// --- 3. slow clients and streams ------------------------------------------------------

class ServerUnderLoadTest : public ServerTest {
  void configure(Config& c) override {
    c.server.request_timeout_s = 1;
    c.server.max_connections_per_address = 16;
  }
};

TEST_F(ServerUnderLoadTest, SlowHeaderClientsAreCutAndDoNotStarveTheApi) {
  // 64 connections sending a header line now and then, never finishing.
  std::vector<std::unique_ptr<RawConnection>> slow;
  for (int i = 0; i < 64; ++i) {
    slow.push_back(std::make_unique<RawConnection>(server_->port()));
    ASSERT_TRUE(slow.back()->connected());
    slow.back()->send("GET /api/v1/health HTTP/1.1\r\nHost: x\r\n");
    std::this_thread::sleep_for(std::chrono::milliseconds(2));  // as fast as a script, not a SYN flood
  }
  // The API answers another address at once.
  RawConnection other(server_->port(), "127.0.0.2");
  other.send("GET /api/v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(status_line(other.receive(2000)), 200);
  // Beyond 16 from one address: refused at once; the others are cut when their second runs out.
  int refused = 0;
  for (auto& s : slow) {
    s->send("X-Slow: 1\r\n");
    const std::string got = s->receive(50);
    refused += got.find("503") != std::string::npos;
  }
  EXPECT_GE(refused, 64 - 16);
  for (size_t i = 0; i < slow.size(); ++i) EXPECT_TRUE(slow[i]->closed_by_server(3000)) << "connection " << i;
}

TEST_F(ServerUnderLoadTest, AHundredLiveFeedsDoNotStarveTheApi) {
  const std::string op = login("operator1");
  std::vector<std::unique_ptr<RawConnection>> feeds;
  int opened = 0;
  for (int i = 0; i < 100; ++i) {
    // Spread over addresses, as a hundred consoles would be.
    feeds.push_back(std::make_unique<RawConnection>(server_->port(), fmt::format("127.0.1.{}", 1 + i)));
    feeds.back()->send(fmt::format("GET /api/v1/events HTTP/1.1\r\nHost: x\r\nCookie: {}\r\n\r\n", op));
  }
  for (auto& f : feeds) opened += status_line(f->receive(200)) == 200;
  EXPECT_EQ(opened, config_.server.max_streams_per_user);  // one account's cap
  auto c = client();
  const auto r = c.Get("/api/v1/alerts", {{"Cookie", op}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

// Review 2: one account opened 17 sessions and held all 128 streams.
TEST_F(ServerTest, OneAccountCannotTakeEveryLiveStream) {
  std::vector<std::unique_ptr<RawConnection>> feeds;
  int opened = 0;
  for (int s = 0; s < 3; ++s) {
    const std::string op = login("operator1");
    for (int i = 0; i < 6; ++i) {
      feeds.push_back(std::make_unique<RawConnection>(server_->port(), fmt::format("127.0.2.{}", 1 + feeds.size())));
      feeds.back()->send(fmt::format("GET /api/v1/events HTTP/1.1\r\nHost: x\r\nCookie: {}\r\n\r\n", op));
      opened += status_line(feeds.back()->receive(200)) == 200;
    }
  }
  EXPECT_EQ(opened, config_.server.max_streams_per_user);
  RawConnection sup(server_->port(), "127.0.3.1");
  sup.send(fmt::format("GET /api/v1/events HTTP/1.1\r\nHost: x\r\nCookie: {}\r\n\r\n", login("supervisor1")));
  EXPECT_EQ(status_line(sup.receive(200)), 200);
}

class TlsUnderLoadTest : public ServerTest {
  void configure(Config& c) override;
};

// --- 4. logins -----------------------------------------------------------------------

// Review 2: anyone could lock any account (admins included) with five wrong passwords.
TEST_F(ServerTest, AGuesserElsewhereCannotLockAnAccountOut) {
  const std::string body_wrong = json{{"name", "supervisor1"}, {"password", "wrong-password-123"}}.dump();
  for (int i = 0; i < 8; ++i) {
    RawConnection guesser(server_->port(), "127.0.4.1");
    guesser.send(post_json("/api/v1/login", body_wrong, "Connection: close\r\n"));
    guesser.receive(2000);
  }
  RawConnection owner(server_->port(), "127.0.4.2");
  owner.send(post_json("/api/v1/login", json{{"name", "supervisor1"}, {"password", kPassword}}.dump(),
                       "Connection: close\r\n"));
  EXPECT_EQ(status_line(owner.receive(3000)), 200);
}

// Review 2: every refused request wrote a signed audit row (565 a second, 61 MB in 20 s).
TEST_F(ServerTest, ALockedOutClientCannotFloodTheAuditLog) {
  for (int i = 0; i < 40; ++i) login("operator1", "wrong-password-123");
  int refused = 0;
  for (const auto& line : audit_lines(config_.store.path)) refused += line == "operator1 login_refused";
  EXPECT_EQ(refused, 1);
}

class ServerBehindProxyTest : public ServerTest {
  void configure(Config& c) override { c.server.trusted_proxies = {"127.0.0.1"}; }
};

TEST_F(ServerBehindProxyTest, TheClientAddressComesFromXForwardedFor) {
  const std::string wrong = json{{"name", "operator1"}, {"password", "wrong-password-123"}}.dump();
  for (int i = 0; i < 6; ++i) {
    RawConnection proxy(server_->port());
    proxy.send(post_json("/api/v1/login", wrong, "X-Forwarded-For: 10.9.9.9, 192.0.2.7\r\nConnection: close\r\n"));
    proxy.receive(2000);
  }
  // Another client behind the same proxy is not locked out by the first one's failures.
  RawConnection proxy(server_->port());
  proxy.send(post_json("/api/v1/login", json{{"name", "supervisor1"}, {"password", kPassword}}.dump(),
                       "X-Forwarded-For: 192.0.2.8\r\nConnection: close\r\n"));
  EXPECT_EQ(status_line(proxy.receive(3000)), 200);
  auto store = events::Store::open(config_.store.path);
  bool named = false;
  for (const auto& r : *(*store)->audit_entries(100, 0)) named |= r.action == "login_failed" && r.detail == "from 192.0.2.7";
  EXPECT_TRUE(named);
}

TEST_F(ServerTest, ParallelWrongPasswordsAreLimitedBeforeTheyAreChecked) {
  std::atomic<int> checked{0}, limited{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 40; ++i)
    threads.emplace_back([&] {
      int status = 0;
      login("supervisor1", "wrong-password-123", &status);
      (status == 401 ? checked : limited)++;
    });
  for (auto& t : threads) t.join();
  EXPECT_LE(checked.load(), config_.server.login_attempts);
  EXPECT_EQ(checked + limited, 40);
}

TEST_F(ServerTest, AnUnknownAccountCostsAPasswordCheckToo) {
  auto metric = [&] {
    const auto body = client().Get("/metrics")->body;
    const auto at = body.find("\nvigie_login_password_checks_total ");
    return at == std::string::npos ? -1 : std::atoi(body.c_str() + at + 35);
  };
  const int before = metric();
  ASSERT_GE(before, 0);
  login("no-such-account", "whatever-password");
  login("operator1", "wrong-password-123");
  EXPECT_EQ(metric(), before + 2);
}

// Review 2: Content-Length and Transfer-Encoding together were accepted, and the
// connection went on: behind a proxy that reads the other one, a request is smuggled.
TEST_F(ServerTest, ConflictingBodyLengthsAreRefusedAndTheConnectionEnds) {
  RawConnection c(server_->port());
  c.send("POST /api/v1/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 4\r\n"
         "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n");
  const std::string got = c.receive(1000);
  EXPECT_EQ(status_line(got), 400);
  EXPECT_EQ(got.find("HTTP/1.1 200"), std::string::npos) << got;  // the smuggled request was not served
  EXPECT_TRUE(c.closed_by_server(2000));
  RawConnection space(server_->port());
  space.send("GET /api/v1/health HTTP/1.1\r\nHost: x\r\nContent-Length : 5\r\n\r\n");
  EXPECT_EQ(status_line(space.receive(1000)), 400);
}

// --- 5. cross-site requests --------------------------------------------------------------

TEST_F(ServerTest, ForeignOriginCannotCreateAnAdmin) {
  const std::string admin = login("admin1");
  const std::string body = R"({"name":"mallory","role":"admin","password":"a-long-enough-password"})";
  const std::string cookie = "Cookie: " + admin + "\r\n";
  // A form post from another site: text/plain, no preflight.
  auto plain = post_json("/api/v1/users", body, cookie + "Origin: http://evil.example\r\n");
  plain.replace(plain.find("application/json"), 16, "text/plain");
  EXPECT_EQ(status_line(server_->handle_raw(plain)), 415);
  EXPECT_EQ(status_line(server_->handle_raw(post_json("/api/v1/users", body, cookie + "Origin: http://evil.example\r\n"))),
            403);
  EXPECT_EQ(status_line(server_->handle_raw(post_json("/api/v1/users", body, cookie + "Sec-Fetch-Site: cross-site\r\n"))),
            403);
  auto store = events::Store::open(config_.store.path);
  for (const auto& [name, role] : *(*store)->users()) EXPECT_NE(name, "mallory");
  // The console itself (same origin) may.
  EXPECT_EQ(status_line(server_->handle_raw(post_json("/api/v1/users", body, cookie + "Origin: http://127.0.0.1\r\n"))),
            201);
}

// --- 6. audit ------------------------------------------------------------------------

TEST_F(ServerTest, EveryAuditedRouteWritesItsAction) {
  std::map<std::string, std::string> cookies;
  for (const auto& role : kRoles) cookies[role] = login(role + "1");
  {
    // Something for the snapshot and clip routes to serve.
    std::ofstream(dir_ / "s.jpg") << "jpeg";
    std::ofstream(dir_ / "c.mp4") << "mp4";
    auto store = events::Store::open(config_.store.path);
    ASSERT_TRUE((*store)->set_snapshot("cam/r/1", (dir_ / "s.jpg").string()));
    ASSERT_TRUE((*store)->set_clip("cam/r/1", (dir_ / "c.mp4").string()));
  }
  for (const auto& route : Server::routes()) {
    if (!route.audited || route.public_route || !route.needs) continue;
    std::string cookie;
    for (const auto& role : kRoles)
      if (cookie.empty() && role_allows(role, *route.needs)) cookie = cookies[role];
    const int status = status_of(route, cookie);
    if (status == 404 || status == 503) continue;  // nothing to show here (no camera in this test)
    EXPECT_LT(status, 400) << route.method << " " << route.example;
    const auto lines = audit_lines(config_.store.path);
    bool found = false;
    for (const auto& l : lines) found |= l.ends_with(" " + route.audit_action);
    EXPECT_TRUE(found) << route.method << " " << route.example << " wrote no '" << route.audit_action << "'";
  }
  // The alert list, snapshots and the live feed were the gaps.
  const auto lines = audit_lines(config_.store.path);
  for (const char* action : {"operator1 alert_list", "operator1 snapshot_view", "operator1 live_feed"})
    EXPECT_THAT(lines, ::testing::Contains(action));
}

TEST_F(ServerTest, TheLiveFeedEndsAtLogout) {
  const std::string op = login("operator1");
  RawConnection feed(server_->port());
  feed.send(fmt::format("GET /api/v1/events HTTP/1.1\r\nHost: x\r\nCookie: {}\r\n\r\n", op));
  EXPECT_EQ(status_line(feed.receive(300)), 200);
  auto c = client();
  ASSERT_EQ(c.Post("/api/v1/logout", {{"Cookie", op}}, "{}", "application/json")->status, 200);
  // The stream ends (its last chunk) within a couple of seconds.
  std::string rest;
  for (int i = 0; i < 30 && rest.find("\r\n0\r\n\r\n") == std::string::npos; ++i) rest += feed.receive(100);
  EXPECT_THAT(rest, HasSubstr("\r\n0\r\n\r\n"));
}

TEST_F(ServerTest, ARefusedRoleIsAudited) {
  const std::string op = login("operator1");
  EXPECT_EQ(client().Get("/api/v1/users", {{"Cookie", op}})->status, 403);
  EXPECT_THAT(audit_lines(config_.store.path), ::testing::Contains("operator1 denied"));
}

// --- 7. numbers and headers -------------------------------------------------------------

TEST_F(ServerTest, NanInfinityAndTrailingTextAreBadNumbers) {
  const std::string op = login("operator1"), sup = login("supervisor1");
  auto c = client();
  for (const char* q : {"limit=nan", "offset=inf", "since=5abc", "limit=-inf", "before=1e999"})
    EXPECT_EQ(c.Get(fmt::format("/api/v1/alerts?{}", q), {{"Cookie", op}})->status, 400) << q;
  EXPECT_EQ(c.Get("/api/v1/stats?since=abc", {{"Cookie", sup}})->status, 400);
  EXPECT_EQ(c.Get("/api/v1/alerts?limit=5000", {{"Cookie", op}})->status, 200);  // clamped, documented
}

// Regression: a camera that could not be reached was retried for ever without a word.
TEST(ServerCameras, AnUnreachableCameraIsSaidOnStderr) {
  const auto dir = vigie::testing::fresh_temp_dir("server_unreachable_camera");
  Config c;
  c.store.path = (dir / "vigie.db").string();
  c.server.listen = "127.0.0.1:0";
  CameraConfig cam;
  cam.name = "gate";
  cam.input = "rtsp://127.0.0.1:1/nothing-listens-here";
  c.cameras[cam.name] = cam;
  ::testing::internal::CaptureStderr();
  std::string said;
  {
    Server server(c);
    std::string error;
    ASSERT_TRUE(server.start(error)) << error;
    std::this_thread::sleep_for(std::chrono::seconds(2));
    server.stop();
  }
  said = ::testing::internal::GetCapturedStderr();
  EXPECT_THAT(said, HasSubstr("camera gate: offline"));
  EXPECT_LT(std::count(said.begin(), said.end(), '\n'), 5) << said;  // said once, not at every retry
}

TEST_F(ServerWithConsoleTest, AControlCharacterInAStaticPathIsRefused) {
  EXPECT_EQ(client().Get("/index.html%00.js")->status, 400);  // was index.html as JavaScript
}

TEST_F(ServerTest, TheAuditKeepsParametersApart) {
  const std::string op = login("operator1");
  ASSERT_EQ(client().Get("/api/v1/alerts?camera=a%26rule%3Db", {{"Cookie", op}})->status, 200);
  auto store = events::Store::open(config_.store.path);
  const auto rows = (*store)->audit_entries(1, 0);
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->front().detail, R"(/api/v1/alerts {"camera":"a&rule=b"})");
}

TEST_F(ServerWithConsoleTest, SecurityHeadersOnEveryAnswer) {
  auto c = client();
  for (const char* path : {"/", "/api/v1/health", "/api/v1/alerts"}) {
    const auto r = c.Get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_THAT(r->get_header_value("Content-Security-Policy"), HasSubstr("frame-ancestors 'none'")) << path;
    EXPECT_EQ(r->get_header_value("X-Content-Type-Options"), "nosniff") << path;
    EXPECT_FALSE(r->has_header("Strict-Transport-Security")) << path;  // plain HTTP
  }
}

TEST_F(ServerTest, HandleRawRunsARequestInProcess) {
  const std::string answer = server_->handle_raw("GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(status_line(answer), 200);
  EXPECT_THAT(answer, HasSubstr("\"status\":\"ok\""));
  EXPECT_EQ(status_line(server_->handle_raw("garbage\r\n\r\n")), 400);
}

// --- 8. TLS --------------------------------------------------------------------------

// A self-signed certificate for 127.0.0.1, made here (nothing is downloaded).
void make_certificate(const std::string& cert_path, const std::string& key_path) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* x = X509_new();
  ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
  X509_gmtime_adj(X509_getm_notBefore(x), 0);
  X509_gmtime_adj(X509_getm_notAfter(x), 3600);
  X509_set_pubkey(x, key);
  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("127.0.0.1"), -1, -1, 0);
  X509_set_issuer_name(x, name);
  X509_sign(x, key, EVP_sha256());
  FILE* f = std::fopen(cert_path.c_str(), "w");
  PEM_write_X509(f, x);
  std::fclose(f);
  f = std::fopen(key_path.c_str(), "w");
  PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(f);
  X509_free(x);
  EVP_PKEY_free(key);
}

class TlsServerTest : public ServerTest {
  void configure(Config& c) override {
    c.server.tls_cert = (dir_ / "cert.pem").string();
    c.server.tls_key = (dir_ / "key.pem").string();
    make_certificate(c.server.tls_cert, c.server.tls_key);
  }
};

TEST_F(TlsServerTest, ServesHttpsWithSecureCookiesAndHsts) {
  ASSERT_TRUE(server_->tls());
  httplib::SSLClient c("127.0.0.1", server_->port());
  c.set_ca_cert_path((dir_ / "cert.pem").string().c_str());
  c.enable_server_certificate_verification(true);
  const auto r = c.Post("/api/v1/login", json{{"name", "operator1"}, {"password", kPassword}}.dump(), "application/json");
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->status, 200);
  EXPECT_THAT(r->get_header_value("Set-Cookie"), HasSubstr("; Secure"));
  EXPECT_THAT(r->get_header_value("Strict-Transport-Security"), HasSubstr("max-age="));
  // Plain HTTP on the TLS port gets no answer.
  httplib::Client plain("127.0.0.1", server_->port());
  plain.set_read_timeout(2, 0);
  const auto p = plain.Get("/api/v1/health");
  EXPECT_TRUE(!p || p->status != 200);
}

void TlsUnderLoadTest::configure(Config& c) {
  c.server.tls_cert = (dir_ / "cert.pem").string();
  c.server.tls_key = (dir_ / "key.pem").string();
  c.server.max_connections_per_address = 4;
  make_certificate(c.server.tls_cert, c.server.tls_key);
}

// Review 2: with TLS, the caps came after the handshake: 1,500 silent connections from one
// address held 1,500 threads.
TEST_F(TlsUnderLoadTest, SilentConnectionsOverTheCapHoldNoThread) {
  std::vector<std::unique_ptr<RawConnection>> silent;
  for (int i = 0; i < 40; ++i) {
    silent.push_back(std::make_unique<RawConnection>(server_->port()));
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  int closed = 0;
  for (auto& s : silent) closed += s->closed_by_server(50);
  EXPECT_GE(closed, 40 - 4);  // refused before any handshake, without an answer
}

TEST(ServerConfig, AKeyThatDoesNotMatchItsCertificateIsRefused) {
  const auto dir = vigie::testing::fresh_temp_dir("server_tls_mismatch");
  make_certificate((dir / "a.pem").string(), (dir / "a.key").string());
  make_certificate((dir / "b.pem").string(), (dir / "b.key").string());
  Config c;
  c.store.path = (dir / "vigie.db").string();
  c.server.tls_cert = (dir / "a.pem").string();
  c.server.tls_key = (dir / "b.key").string();
  try {
    Server s(c);
    ADD_FAILURE() << "a mismatched key was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("TLS key"));
  }
}

}  // namespace
}  // namespace vigie::server
