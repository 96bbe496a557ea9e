#include "server/server.h"

#include <fmt/format.h>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <sodium.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>
#include <unistd.h>

#include <opencv2/imgcodecs.hpp>

#include "cluster/listener.h"
#include "core/redact.h"
#include "events/alert_schema.h"
#include "events/store.h"
#include "events/track_search.h"
#include "core/ids.h"
#include "record/camera_recorder.h"
#include "record/export.h"
#include "plates/characters.h"
#include "record/retention.h"
#include "scancar/rights.h"
#include "scancar/round.h"
#include "server/basemap.h"
#include "server/camera_runner.h"
#include "server/camera_set.h"
#include "server/http_listener.h"
#include "server/keyed_cap.h"
#include "server/hub.h"
#include "server/request_checks.h"
#include "transparency/transparency.h"

namespace vigie::server {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

double now_epoch() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

constexpr const char* kCookie = "vigie_session";

// The API's alert: the one versioned schema's (events/alert_schema.h).
json alert_json(const events::AlertRow& a) { return events::alert_to_json(a); }

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A Prometheus label value: quotes and backslashes escaped, newlines flattened.
std::string label(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '"' || c == '\\') out += '\\';
    out += c == '\n' ? ' ' : c;
  }
  return out;
}

// The request's target as the audit log records it: the decoded path, and the
// parameters as JSON, so that a value holding "&" or "=" cannot pass for two parameters.
std::string target_of(const httplib::Request& req) {
  if (req.params.empty()) return req.path;
  json params = json::object();
  for (const auto& [k, v] : req.params) params[k] = v;
  return req.path + " " + params.dump(-1, ' ', false, json::error_handler_t::replace);
}

// What makes a request's framing ambiguous, or nullopt.
std::optional<std::string> framing_problem(const httplib::Request& req) {
  if (req.get_header_value_count("Content-Length") > 1) return "more than one Content-Length";
  if (req.has_header("Content-Length") && req.has_header("Transfer-Encoding"))
    return "both Content-Length and Transfer-Encoding";
  for (const auto& [name, value] : req.headers)
    if (name.empty() || name.find_first_of(" \t\"(),/:;<=>?@[\\]{}") != std::string::npos)
      return "a header name that is not a token";
  return std::nullopt;
}

// Browser-facing headers on every answer, the console's files included.
httplib::Headers security_headers(bool tls) {
  httplib::Headers h = {
      {"Content-Security-Policy",
       "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
       "media-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
       "frame-ancestors 'none'"},
      {"X-Content-Type-Options", "nosniff"},
      {"X-Frame-Options", "DENY"},
      {"Referrer-Policy", "no-referrer"},
  };
  if (tls) h.emplace("Strict-Transport-Security", "max-age=31536000");
  return h;
}

// The limits of the sockets from the configuration.
ListenerLimits listener_limits(const ServerConfig& c) {
  ListenerLimits l;
  l.max_connections = c.max_connections;
  l.max_connections_per_address = c.max_connections_per_address;
  l.request_timeout_s = c.request_timeout_s;
  l.max_body_bytes = static_cast<size_t>(c.max_body_kb) * 1024;
  l.max_request_bytes = l.max_body_bytes + 64 * 1024;
  return l;
}

// One path segment, percent-encoded (RFC 3986: only unreserved characters stay).
std::string url_encode(const std::string& segment) {
  std::string out;
  for (unsigned char ch : segment) {
    if (std::isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~') out += static_cast<char>(ch);
    else out += fmt::format("%{:02X}", ch);
  }
  return out;
}

}  // namespace

struct Server::Impl {
  // What a handler is given: the request, the answer, the caller's session (none on
  // public routes) and its route, whose audit action it writes with audit().
  struct Call;
  using Handler = void (Impl::*)(Call&);

  // How a route is audited. kEach: every successful use, with the path and parameters.
  // kOncePerSession: the first successful use in a session (live tiles refresh several
  // times a second). kHandler: the handler writes the entry (it knows more, e.g. which
  // account was created); the action name still comes from the table. kNone: routes that
  // show nobody's data (health, metrics, one's own session, camera states, the map).
  enum class Audit { kNone, kEach, kOncePerSession, kHandler };

  // Which nodes answer a route (cluster.role): the console's routes are an API node's
  // (and a single machine's); a worker answers health, metrics and its live views to the
  // API nodes, nothing else.
  enum class Serves { kConsole, kEveryNode, kWorker };

  struct Route {
    const char* method;
    const char* pattern;  // a regular expression over the decoded path
    std::optional<Permission> needs;  // none: any session (or none at all when public_route)
    bool public_route;
    Audit audit;
    const char* action;   // the audit log's action name
    Handler handler;
    bool streams;         // a long answer (SSE, MJPEG): counted against the stream limits
    const char* example;  // a concrete path that reaches the handler (tests)
    const char* example_body;
    Serves serves = Serves::kConsole;  // the roles that answer it
  };

  // The one declaration of every route: the registration, the guard, the audit and the
  // tests (Server::routes()) all derive from it.
  static const std::vector<Route>& table() {
    using P = Permission;
    using A = Audit;
    static const std::vector<Route> routes = {
        {"GET", "/api/v1/health", std::nullopt, true, A::kNone, "", &Impl::health, false, "/api/v1/health", "",
         Serves::kEveryNode},
        {"GET", "/metrics", std::nullopt, true, A::kNone, "", &Impl::metrics, false, "/metrics", "", Serves::kEveryNode},
        // The public transparency report: counts only, for anyone, without login.
        {"GET", "/transparency", std::nullopt, true, A::kNone, "", &Impl::transparency_page, false, "/transparency",
         ""},
        {"GET", "/transparency.json", std::nullopt, true, A::kNone, "", &Impl::transparency_json, false,
         "/transparency.json", ""},
        // An API node fetching a frame for a console (authenticated by the site's derived
        // secret; the console's own request was guarded and audited on the API node).
        {"GET", R"(/internal/v1/cameras/([^/]+)/frame\.jpg)", std::nullopt, true, A::kNone, "", &Impl::internal_frame,
         false, "/internal/v1/cameras/cam/frame.jpg", "", Serves::kWorker},
        {"POST", "/api/v1/login", std::nullopt, true, A::kHandler, "login", &Impl::login, false, "/api/v1/login",
         R"({"name":"nobody","password":"x"})"},
        {"POST", "/api/v1/logout", std::nullopt, false, A::kHandler, "logout", &Impl::logout, false,
         "/api/v1/logout", "{}"},
        {"GET", "/api/v1/session", std::nullopt, false, A::kNone, "", &Impl::session, false, "/api/v1/session", ""},
        {"GET", "/api/v1/cameras", P::kLive, false, A::kNone, "", &Impl::cameras_list, false, "/api/v1/cameras", ""},
        {"GET", R"(/api/v1/cameras/([^/]+)/frame\.jpg)", P::kLive, false, A::kOncePerSession, "live_view",
         &Impl::live_frame, false, "/api/v1/cameras/cam/frame.jpg", ""},
        {"GET", R"(/api/v1/cameras/([^/]+)/live)", P::kLive, false, A::kEach, "live_view_full", &Impl::live_mjpeg,
         true, "/api/v1/cameras/cam/live", ""},
        {"GET", R"(/api/v1/city/(segments|viewsheds|cameras)\.geojson)", P::kLive, false, A::kNone, "",
         &Impl::city_layer, false, "/api/v1/city/segments.geojson", ""},
        {"GET", "/api/v1/events", P::kAlerts, false, A::kEach, "live_feed", &Impl::events, true, "/api/v1/events",
         ""},
        {"GET", "/api/v1/alerts", P::kAlerts, false, A::kEach, "alert_list", &Impl::alerts, false,
         "/api/v1/alerts", ""},
        {"GET", R"(/api/v1/alerts/(.+)/snapshot)", P::kAlerts, false, A::kEach, "snapshot_view",
         &Impl::snapshot, false, "/api/v1/alerts/cam%2Fr%2F1/snapshot", ""},
        {"GET", R"(/api/v1/alerts/(.+)/clip)", P::kAlerts, false, A::kEach, "clip_play", &Impl::clip, false,
         "/api/v1/alerts/cam%2Fr%2F1/clip", ""},
        {"POST", R"(/api/v1/alerts/(.+)/actions)", P::kAlerts, false, A::kHandler, "action", &Impl::action,
         false, "/api/v1/alerts/cam%2Fr%2F1/actions", R"({"action":"acknowledge"})"},
        {"GET", R"(/api/v1/alerts/(.+))", P::kAlerts, false, A::kEach, "alert_view", &Impl::alert_view, false,
         "/api/v1/alerts/cam%2Fr%2F1", ""},
        {"GET", "/api/v1/basemap.json", P::kLive, false, A::kNone, "", &Impl::basemap_metadata, false,
         "/api/v1/basemap.json", ""},
        {"GET", R"(/api/v1/basemap/([0-9]{1,2})/([0-9]{1,8})/([0-9]{1,8})\.pbf)", P::kLive, false, A::kNone, "",
         &Impl::basemap_tile, false, "/api/v1/basemap/14/8718/5685.pbf", ""},
        // Drone flights with their orders and the ground they saw: no person in them.
        {"GET", "/api/v1/recordings", P::kSearch, false, A::kHandler, "recording_list", &Impl::recordings_list, false,
         "/api/v1/recordings?camera=cam&from=0&to=100", ""},
        {"GET", "/api/v1/recordings/video", P::kSearch, false, A::kHandler, "recording_play", &Impl::recording_video,
         false, "/api/v1/recordings/video?camera=cam&from=0&to=60", ""},
        {"POST", "/api/v1/recordings/exports", P::kSearch, false, A::kHandler, events::kRecordingExportAudit,
         &Impl::recording_export, false, "/api/v1/recordings/exports",
         R"({"camera":"cam","from":0,"to":60,"case_reference":"PV-1","requester":"OPJ"})"},
        {"GET", R"(/api/v1/recordings/exports/((?:export|unmasked)-[0-9a-f-]{36}\.mp4(?:\.manifest\.json)?))",
         P::kSearch, false, A::kHandler, "recording_download", &Impl::recording_download, false,
         "/api/v1/recordings/exports/export-0190f3c2-6a1b-7c3d-8e4f-0123456789ab.mp4", ""},
        // The original pixels need two people: a supervisor asks, an auditor decides;
        // the export (here, for the one who asked, or `vigie record export --unmasked`)
        // uses the approval once.
        {"POST", "/api/v1/recordings/unmasked", P::kSearch, false, A::kHandler, events::kUnmaskedRequestAudit,
         &Impl::unmasked_request, false, "/api/v1/recordings/unmasked",
         R"({"camera":"cam","from":0,"to":100,"case_reference":"PV-1","requester":"OPJ","reason":"r"})"},
        {"GET", "/api/v1/recordings/unmasked", P::kApproveUnmasked, false, A::kEach, "unmasked_request_list",
         &Impl::unmasked_list, false, "/api/v1/recordings/unmasked", ""},
        {"GET", "/api/v1/recordings/unmasked/mine", P::kSearch, false, A::kEach, "unmasked_request_list",
         &Impl::unmasked_mine, false, "/api/v1/recordings/unmasked/mine", ""},
        {"POST", R"(/api/v1/recordings/unmasked/([^/]+)/export)", P::kSearch, false, A::kHandler,
         events::kRecordingExportAudit, &Impl::unmasked_export, false,
         "/api/v1/recordings/unmasked/0190f3c2-6a1b-7c3d-8e4f-0123456789ab/export", ""},
        {"POST", R"(/api/v1/recordings/unmasked/([^/]+)/decision)", P::kApproveUnmasked, false, A::kHandler,
         events::kUnmaskedDecisionAudit, &Impl::unmasked_decision, false,
         "/api/v1/recordings/unmasked/0190f3c2-6a1b-7c3d-8e4f-0123456789ab/decision",
         R"({"approve":false,"reason":"r"})"},
        // The scancars' review queue: only a person issues a parking notice (docs/plates.md).
        {"GET", "/api/v1/parking/candidates", P::kParkingReview, false, A::kEach, "parking_queue_view",
         &Impl::parking_list, false, "/api/v1/parking/candidates?state=pending", ""},
        {"GET", R"(/api/v1/parking/candidates/([^/]+)/(photo|plate)\.jpg)", P::kParkingReview, false,
         A::kOncePerSession, "parking_photo_view", &Impl::parking_photo, false,
         "/api/v1/parking/candidates/0190f3c2-6a1b-7c3d-8e4f-0123456789ab/photo.jpg", ""},
        {"POST", R"(/api/v1/parking/candidates/([^/]+)/notice)", P::kParkingReview, false, A::kHandler,
         events::kParkingNoticeAudit, &Impl::parking_notice, false,
         "/api/v1/parking/candidates/0190f3c2-6a1b-7c3d-8e4f-0123456789ab/notice", R"({"no_card_visible":true})"},
        {"POST", R"(/api/v1/parking/candidates/([^/]+)/dismiss)", P::kParkingReview, false, A::kHandler,
         events::kParkingDismissAudit, &Impl::parking_dismiss, false,
         "/api/v1/parking/candidates/0190f3c2-6a1b-7c3d-8e4f-0123456789ab/dismiss", R"({"note":"card seen"})"},
        {"POST", R"(/api/v1/parking/candidates/([^/]+)/contest)", P::kParkingContest, false, A::kHandler,
         events::kParkingContestAudit, &Impl::parking_contest, false,
         "/api/v1/parking/candidates/0190f3c2-6a1b-7c3d-8e4f-0123456789ab/contest",
         R"({"card":"CMI-1","valid_from":0,"valid_until":1})"},
        // Parking meters and apps record paid sessions (a machine's account, role parking_meter).
        {"POST", "/api/v1/parking/sessions", P::kParkingPay, false, A::kNone, "", &Impl::parking_paid_session, false,
         "/api/v1/parking/sessions", R"({"plate":"AB-123-CD","start":1,"end":2})"},
        {"GET", "/api/v1/flights", P::kLive, false, A::kNone, "", &Impl::flights_list, false, "/api/v1/flights", ""},
        {"GET", R"(/api/v1/flights/([^/]+))", P::kLive, false, A::kNone, "", &Impl::flight_view, false,
         "/api/v1/flights/0190f3c2-6a1b-7c3d-8e4f-0123456789ab", ""},
        {"GET", "/api/v1/risk.geojson", P::kStats, false, A::kOncePerSession, "risk_map_view", &Impl::risk_layer,
         false, "/api/v1/risk.geojson", ""},
        {"GET", "/api/v1/export/alerts.csv", P::kStats, false, A::kHandler, "export", &Impl::export_csv, false,
         "/api/v1/export/alerts.csv", ""},
        {"GET", "/api/v1/stats", P::kStats, false, A::kEach, "stats_view", &Impl::stats, false, "/api/v1/stats",
         ""},
        {"GET", "/api/v1/stats/activity", P::kStats, false, A::kEach, "activity_view", &Impl::activity, false,
         "/api/v1/stats/activity?by=hour", ""},
        {"GET", R"(/api/v1/stats/heatmap/(.+)\.png)", P::kStats, false, A::kEach, "heatmap_view", &Impl::heatmap,
         false, "/api/v1/stats/heatmap/cam.png", ""},
        {"GET", "/api/v1/export/activity.csv", P::kStats, false, A::kHandler, "export", &Impl::export_activity,
         false, "/api/v1/export/activity.csv", ""},
        {"GET", "/api/v1/search", P::kSearch, false, A::kHandler, "track_search", &Impl::search_tracks, false,
         "/api/v1/search?reason=case-1&upper=red", ""},
        {"GET", R"(/api/v1/tracks/(.+)/([^/]+)/([0-9]{1,9})/thumbnail\.jpg)", P::kSearch, false, A::kEach,
         "track_thumbnail", &Impl::track_thumbnail, false, "/api/v1/tracks/cam/r/4/thumbnail.jpg", ""},
        {"GET", "/api/v1/config", P::kConfig, false, A::kEach, "config_view", &Impl::config_view, false,
         "/api/v1/config", ""},
        {"GET", "/api/v1/audit", P::kAudit, false, A::kEach, "audit_view", &Impl::audit_log, false,
         "/api/v1/audit", ""},
        {"GET", "/api/v1/users", P::kAccounts, false, A::kEach, "user_list", &Impl::users_list, false,
         "/api/v1/users", ""},
        {"POST", "/api/v1/users", P::kAccounts, false, A::kHandler, "user_add", &Impl::user_add, false,
         "/api/v1/users", R"({"name":"new-operator","role":"operator","password":"a-long-enough-password"})"},
    };
    return routes;
  }

  struct Call {
    const Route& route;
    const httplib::Request& req;
    httplib::Response& res;
    std::optional<Session> session;
    Impl& server;
    // Writes the route's audit action for this caller (or the given user, for a login).
    // True when the entry was written.
    bool audit(const std::string& detail, const std::string& user = {}) const {
      return server.audit(user.empty() && session ? session->user : user, route.action, detail);
    }
    // A change to the store and this route's audit entry, in one transaction (Store::audited).
    // `refused`: whether the change itself failed (its error is the answer's), rather than
    // the audit (logged by the server; the answer is a 503).
    Result<Ok> audited(const std::function<Result<std::string>()>& change, bool* refused) const {
      return server.audited(session ? session->user : "", route.action, change, refused);
    }
  };

  Config config;
  std::unique_ptr<events::Store> store;  // HTTP side; each camera writes through its own
  std::mutex store_mu;
  // Slow reads — password checks (Argon2id, ~100 ms) and walks of the whole audit chain —
  // use their own connection and lock, so that they never hold the lock the other routes
  // need (WAL: they read while the cameras and the API write).
  std::unique_ptr<events::Store> slow_store;
  std::mutex slow_mu;
  // One stretch of recording prepared for playback at a time (each is decoded and encoded
  // again): a console cannot take every core.
  std::mutex playback_mu;
  std::string dummy_hash;  // checked for unknown accounts, so they take as long as known ones
  EventHub hub;
  Sessions sessions;
  LoginLimiter limiter, account_limiter;
  std::mutex refusals_mu;
  std::map<std::string, double> refusal_logged_until;  // (name|address) → end of its logged lock-out
  // What this node's role shows of the cameras (camera_set.h).
  std::string view_token;  // the secret API nodes show workers for live views
  std::unique_ptr<CameraSet> cameras;
  std::unique_ptr<Basemap> basemap;  // server.basemap, when set
  std::unique_ptr<cluster::AlertListener> listener;  // API nodes: alerts stored by the workers
  HttpListener http;
  std::thread http_thread, status_thread;
  std::atomic<bool> stopping{false};
  int bound_port = 0;
  // (session token, route action + target) pairs already audited once.
  std::mutex seen_mu;
  std::set<std::pair<std::string, std::string>> seen_once;
  // Open live streams (SSE, MJPEG) by account: capped (one account cannot take them all,
  // however many sessions it opens), and ended at logout.
  KeyedCap streams;
  std::atomic<int64_t> sse_clients{0};
  std::atomic<int64_t> login_checks{0};  // Argon2id checks, real or for an unknown account
  // The public report, gathered at most every kTransparencyEvery seconds (it walks the
  // audit chain): anyone may ask for it as often as they like.
  static constexpr double kTransparencyEvery = 300;
  // How often a node looks for candidates' photos past their deletion delay.
  static constexpr double kParkingPhotosEvery = 600;
  std::unique_ptr<events::Store> report_store;  // the report's own connection (not on workers)
  std::mutex transparency_mu;
  std::optional<transparency::Figures> transparency_cache;
  double transparency_at = 0;  // of the latest try
  bool transparency_tried = false, transparency_gathering = false;

  explicit Impl(Config c)
      : config(std::move(c)), sessions(config.server.session_hours * 3600),
        limiter(config.server.login_attempts, config.server.login_window_s),
        account_limiter(config.server.login_attempts * 10, config.server.login_window_s),
        http(listener_limits(config.server)),
        streams(config.server.max_streams, config.server.max_streams_per_user) {
    auto s = events::Store::open(config.store.location(), config.store.audit_key);
    if (!s) throw std::runtime_error(s.error().message);
    store = std::move(s.value());
    auto l = events::Store::open(config.store.location(), config.store.audit_key);
    if (!l) throw std::runtime_error(l.error().message);
    slow_store = std::move(l.value());
    if (config.cluster.role != "worker") {  // only the console's nodes serve the report
      auto r = events::Store::open(config.store.location(), config.store.audit_key);
      if (!r) throw std::runtime_error(r.error().message);
      report_store = std::move(r.value());
    }
    char hash[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(hash, "no account", 10, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
      throw std::runtime_error("out of memory preparing the login check");
    dummy_hash = hash;
    // A basemap not made yet leaves the map plain (as city_layers does); one that is not
    // an MBTiles file is an error.
    if (!config.server.basemap.empty() && !fs::exists(config.server.basemap)) {
      fmt::print(stderr, "vigie serve: warning: no basemap at '{}' (make basemap): the map has no background\n",
                 config.server.basemap);
    } else if (!config.server.basemap.empty()) {
      auto b = Basemap::open(config.server.basemap);
      if (!b) throw std::runtime_error(b.error().message);
      basemap = std::move(*b);
    }
    sessions.keep_in(store.get(), &store_mu);
    if (config.cluster.node.empty()) {
      char host[256] = {};
      ::gethostname(host, sizeof host - 1);
      config.cluster.node = fmt::format("{}-{}", host, ::getpid());
    }
    if (config.cluster.role != "all") {
      auto secret = store->derived_secret("worker live views");
      if (!secret) throw std::runtime_error(secret.error().message);
      view_token = *secret;
    }
    CameraSetHooks hooks;
    hooks.on_alert = [this](const rules::AlertEvent& e, const Frame* f) { on_alert(e, f); };
    hooks.on_state_change = [this] { hub.publish("cameras", cameras_json().dump()); };
    hooks.log = [](const std::string& line) { fmt::print(stderr, "vigie serve: {}\n", line); };
    cameras = make_camera_set(config, std::move(hooks), view_token);
  }

  // Whether this node answers route `r` (its role).
  bool serves(const Route& r) const {
    if (r.serves == Serves::kEveryNode) return true;
    return (r.serves == Serves::kWorker) == (config.cluster.role == "worker");
  }

  // --- the dispatch every route goes through -----------------------------------------

  void register_routes() {
    for (const auto& r : table()) {
      if (!serves(r)) continue;
      auto handler = [this, &r](const httplib::Request& req, httplib::Response& res) { dispatch(r, req, res); };
      if (std::string_view(r.method) == "GET") http.Get(r.pattern, handler);
      else http.Post(r.pattern, handler);
    }
    http.set_default_headers(security_headers(http.tls()));
    http.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
      return pre_route(req, res);
    });
  }

  // Before any route or static file: too many headers, or a Range of many parts, costs
  // the server memory the client does not pay for.
  httplib::Server::HandlerResponse pre_route(const httplib::Request& req, httplib::Response& res) {
    using HR = httplib::Server::HandlerResponse;
    if (req.headers.size() > 100) {
      send_error(res, 431, "too many header fields");
      return HR::Handled;
    }
    // A body whose length two headers disagree on, or a header name that is not a token,
    // could be read differently by a proxy in front: refused, and the connection ends, so
    // that nothing is smuggled into a next request (RFC 9112 §6.1).
    if (const auto why = framing_problem(req)) {
      HttpListener::close_after_answer();
      send_error(res, 400, *why);
      return HR::Handled;
    }
    if (has_control_characters(req.path)) {
      send_error(res, 400, "control characters in the path");
      return HR::Handled;
    }
    if (range_parts(req.get_header_value("Range")) > 1) {
      // The library would apply the ranges to this answer too: they go. (The request is
      // the library's own object, handed here as const.)
      const_cast<httplib::Request&>(req).ranges.clear();
      send_error(res, 416, "one byte range per request");
      return HR::Handled;
    }
    return HR::Unhandled;
  }

  void dispatch(const Route& r, const httplib::Request& req, httplib::Response& res) {
    // Names, ids and parameters with control characters are refused before anything
    // compares, stores or audits them.
    for (size_t i = 1; i < req.matches.size(); ++i)
      if (has_control_characters(req.matches[i].str())) return send_error(res, 400, "control characters in the path");
    for (const auto& [k, v] : req.params)
      if (has_control_characters(k) || has_control_characters(v))
        return send_error(res, 400, fmt::format("control characters in parameter '{}'", label(k)));
    if (std::string_view(r.method) == "POST") {
      if (!is_json_content_type(req.get_header_value("Content-Type")))
        return send_error(res, 415, "send the body as application/json");
      if (!same_origin(req.get_header_value("Origin"), req.get_header_value("Sec-Fetch-Site"),
                       req.get_header_value("Host"), http.tls()))
        return send_error(res, 403, "cross-site request refused");
    }
    Call call{r, req, res, std::nullopt, *this};
    if (!r.public_route) {
      const auto token = cookie_value(req.get_header_value("Cookie"), kCookie);
      call.session = token.empty() ? std::nullopt : sessions.find(token, now_epoch());
      if (!call.session) return send_error(res, 401, "log in first");
      if (r.needs && !role_allows(call.session->role, *r.needs)) {
        audit(call.session->user, kDeniedAudit, fmt::format("{} {}", r.method, target_of(req)));
        return send_error(res, 403, fmt::format("the {} role may not use {}", call.session->role,
                                                permission_name(*r.needs)));
      }
    }
    (this->*r.handler)(call);
    if (res.status >= 400 || !call.session) return;
    if (r.audit == Audit::kEach) {
      audit(call.session->user, r.action, target_of(req));
    } else if (r.audit == Audit::kOncePerSession) {
      std::lock_guard lock(seen_mu);
      if (seen_once.insert({call.session->token, std::string(r.action) + " " + req.path}).second)
        audit(call.session->user, r.action, target_of(req));
    }
  }

  // --- helpers ------------------------------------------------------------------

  // Where API nodes reach this node's live views: cluster.advertise, or the listening
  // address (the host name when it listens on every address).
  std::string view_url() const {
    if (!config.cluster.advertise.empty()) return config.cluster.advertise;
    auto [host, port] = split_listen(config.server.listen);
    if (host == "0.0.0.0" || host == "::" || host.empty()) {
      char name[256] = {};
      ::gethostname(name, sizeof name - 1);
      host = name;
    }
    if (host.find(':') != std::string::npos) host = "[" + host + "]";
    return fmt::format("{}://{}:{}", http.tls() ? "https" : "http", host, bound_port);
  }

  // An entry stored whose head file could not be advanced is in the chain: the action goes
  // on, and the next entry advances the head.
  bool audit(const std::string& user, const std::string& action, const std::string& detail) {
    return audited(user, action, [&detail]() -> Result<std::string> { return detail; }).ok();
  }
  // A change and its entry (Store::audited). A failure of the audit, not a refusal by the
  // change itself, is logged here: its detail (the database's, the key's path) is for the
  // operators of the server, not for the console.
  Result<Ok> audited(const std::string& user, const std::string& action,
                     const std::function<Result<std::string>()>& change, bool* refused = nullptr) {
    std::string head_error;
    bool change_refused = false;
    auto watched = [&]() -> Result<std::string> {
      auto detail = change();
      change_refused = !detail;
      return detail;
    };
    Result<Ok> r = Error{""};
    {
      std::lock_guard lock(store_mu);
      r = store->audited(user, action, now_epoch(), watched, &head_error);
    }
    if (!head_error.empty()) fmt::print(stderr, "vigie serve: warning: {}\n", head_error);
    if (!r && !change_refused) fmt::print(stderr, "vigie serve: audit failed ({}): {}\n", action, r.error().message);
    if (refused) *refused = change_refused;
    return r;
  }

  static void send_json(httplib::Response& res, const json& j, int status = 200) {
    res.status = status;
    res.set_content(j.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
  }

  static void send_error(httplib::Response& res, int status, const std::string& message) {
    send_json(res, {{"error", message}}, status);
  }

  // The action of a refused request's entry: a role's, or a handler's worth keeping.
  static constexpr const char* kDeniedAudit = "denied";
  // A refusal worth keeping (an attempt at the original pixels): audited as `denied`, as
  // the role check's are, with why, then answered.
  void refuse_audited(Call& c, int status, const std::string& why) {
    audit(c.session->user, kDeniedAudit, fmt::format("{} {}: {}", c.req.method, target_of(c.req), why));
    send_error(c.res, status, why);
  }

  // A change not made because its audit entry could not be written (the cause is in the
  // server's log).
  static void send_unaudited(httplib::Response& res, const char* what) {
    send_error(res, 503, fmt::format("the {} could not be audited, so it was not made", what));
  }

  // A numeric parameter: `fallback` when absent, clamped to [lo, hi]; nullopt (and a 400
  // answered) when it is not a finite number.
  static std::optional<double> number_param(const httplib::Request& req, httplib::Response& res, const char* key,
                                            double fallback, double lo, double hi) {
    if (!req.has_param(key)) return fallback;
    const auto v = parse_number(req.get_param_value(key));
    if (!v) {
      send_error(res, 400, fmt::format("'{}' must be a number", key));
      return std::nullopt;
    }
    return std::clamp(*v, lo, hi);
  }

  // The client's address: the connection's, or — when the connection comes from a
  // trusted reverse proxy — the last address that proxy appended to X-Forwarded-For.
  std::string client_address(const httplib::Request& req) const {
    const auto& proxies = config.server.trusted_proxies;
    if (std::find(proxies.begin(), proxies.end(), req.remote_addr) == proxies.end()) return req.remote_addr;
    const std::string xff = req.get_header_value("X-Forwarded-For");
    std::string last = xff.substr(xff.rfind(',') == std::string::npos ? 0 : xff.rfind(',') + 1);
    last.erase(0, last.find_first_not_of(' '));
    return last.empty() || has_control_characters(last) || last.size() > 64 ? req.remote_addr : last;
  }

  // True for the first refusal of a lock-out of `key`: later ones within it go unlogged
  // (an anonymous client must not be able to fill the audit log and the disk).
  bool first_refusal(const std::string& key, double now, double wait) {
    std::lock_guard lock(refusals_mu);
    std::erase_if(refusal_logged_until, [&](const auto& kv) { return kv.second < now; });
    if (refusal_logged_until.count(key)) return false;
    refusal_logged_until[key] = now + wait;
    return true;
  }

  std::optional<events::AlertRow> alert(const std::string& id) {
    if (id.empty()) return std::nullopt;
    events::AlertFilter f;
    f.id = id;
    std::lock_guard lock(store_mu);
    auto rows = store->alerts(f);
    if (!rows || rows->empty()) return std::nullopt;
    return rows->front();
  }

  void on_alert(const rules::AlertEvent& e, const Frame* frame) {
    // One line per alert raised here: the operations log (and what `make soak` counts
    // against the store).
    if (e.phase == rules::Phase::kStart)
      fmt::print(stderr, "vigie serve: camera {}: alert {} ({})\n", e.camera, e.alert_id, e.rule);
    publish_alert(e.alert_id, events::change_of(e.phase), frame && frame->wall_epoch > 0 ? frame->wall_epoch : 0);
  }

  // An API node: a worker stored an alert event ({"id", "what"}, events::Store::kAlertChannel).
  void on_notification(const std::string& payload) {
    const json n = json::parse(payload, nullptr, false);
    if (!n.is_object() || !n.contains("id") || !n["id"].is_string() || !n.contains("what") || !n["what"].is_string())
      return;
    const std::string what = n["what"];
    const std::string by = n.contains("by") && n["by"].is_string() ? n["by"].get<std::string>() : "";
    using C = events::AlertChange;
    publish_alert(n["id"],
                  what == "start"    ? C::kNew
                  : what == "end"    ? C::kEnd
                  : what == "action" ? C::kAction
                                     : C::kUpdate,
                  0, by);
  }

  void publish_alert(const std::string& id, events::AlertChange type, double frame_epoch, const std::string& by = "") {
    const auto row = alert(id);
    if (!row) return;
    events::AlertMessage m;
    m.type = type, m.alert = *row, m.sent_epoch = now_epoch();
    if (frame_epoch > 0) m.frame_epoch = frame_epoch;
    if (type == events::AlertChange::kAction) m.by = by;
    hub.publish("alert", events::alert_message(m).dump());
  }

  json cameras_json() { return cameras->list(); }

  // Whether a stream opened under `token` may go on: the server runs and the session is
  // still valid (a logout or an expiry ends the streams it opened).
  bool stream_may_continue(const std::string& token) {
    return !stopping && sessions.find(token, now_epoch()).has_value();
  }

  // --- handlers -----------------------------------------------------------------

  void health(Call& c) {
    int online = 0, listed = 0;
    for (const auto& cam : cameras_json()) online += cam.value("online", false), ++listed;
    json j = {{"status", "ok"}, {"role", config.cluster.role}, {"cameras", listed}, {"online", online}};
    if (listener) j["listening"] = listener->listening();
    send_json(c.res, j);
  }

  void login(Call& c) {
    const json body = json::parse(c.req.body, nullptr, false);
    if (!body.is_object() || !body.contains("name") || !body.contains("password") || !body["name"].is_string() ||
        !body["password"].is_string())
      return send_error(c.res, 400, "expected {\"name\": …, \"password\": …}");
    const std::string name = body["name"], password = body["password"];
    if (const auto why = events::invalid_account_name(name)) return send_error(c.res, 400, *why);
    const double now = now_epoch();
    const std::string from = client_address(c.req);
    // Failures count per address, per account from that address, and — ten times looser —
    // per account from anywhere: a guesser elsewhere slows an account's guessing down
    // without locking its owner out. The attempt counts before the password is checked,
    // so parallel guesses cannot all pass the limit while the first are being checked.
    const std::string by_addr = "addr:" + from, by_pair = "name:" + name + "|addr:" + from, by_name = "name:" + name;
    const double wait = std::max({limiter.attempt(by_addr, now), limiter.attempt(by_pair, now),
                                  account_limiter.attempt(by_name, now)});
    if (wait > 0) {
      c.res.set_header("Retry-After", fmt::format("{:.0f}", std::ceil(wait)));
      if (first_refusal(name + "|" + from, now, wait))  // one entry per lock-out, not per request
        audit(name, "login_refused", fmt::format("too many failures, from {}; refused for {:.0f} s", from, std::ceil(wait)));
      return send_error(c.res, 429, fmt::format("too many failed logins: wait {:.0f} s", std::ceil(wait)));
    }
    std::optional<std::string> role;
    {
      std::lock_guard lock(slow_mu);
      ++login_checks;
      auto r = slow_store->check_password(name, password);
      if (!r) return send_error(c.res, 500, r.error().message);
      role = *r;
      if (!role) equalise_unknown_account(name, password);
    }
    if (!role) {
      audit(name, "login_failed", fmt::format("from {}", from));
      return send_error(c.res, 401, "wrong name or password");
    }
    limiter.succeeded(by_pair);
    limiter.refund(by_addr, now);  // a good password does not count against its address …
    account_limiter.refund(by_name, now);  // … nor against its account
    const Session s = sessions.create(name, *role, now);
    c.audit(fmt::format("role {}, from {}", *role, from), name);
    c.res.set_header("Set-Cookie", fmt::format("{}={}; Path=/; HttpOnly; SameSite=Strict; Max-Age={:.0f}{}", kCookie,
                                               s.token, config.server.session_hours * 3600,
                                               http.tls() ? "; Secure" : ""));
    send_json(c.res, {{"user", name}, {"role", *role}});
  }

  // A refusal must not tell whether the account exists: an unknown name costs an
  // Argon2id check too.
  void equalise_unknown_account(const std::string& name, const std::string& password) {
    auto users = slow_store->users();
    const bool known = users && std::any_of(users->begin(), users->end(), [&](auto& u) { return u.first == name; });
    if (known) return;
    volatile int ignored = crypto_pwhash_str_verify(dummy_hash.c_str(), password.c_str(), password.size());
    (void)ignored;
  }

  void logout(Call& c) {
    sessions.remove(c.session->token);  // its live streams see this and end
    c.audit("");
    c.res.set_header("Set-Cookie", fmt::format("{}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{}", kCookie,
                                               http.tls() ? "; Secure" : ""));
    send_json(c.res, {{"ok", true}});
  }

  void session(Call& c) {
    send_json(c.res, {{"user", c.session->user}, {"role", c.session->role},
                      {"expires_epoch", c.session->expires_epoch}});
  }

  void cameras_list(Call& c) { send_json(c.res, cameras_json()); }

  void live_frame(Call& c) {
    bool known = false;
    const auto jpeg = cameras->latest_jpeg(c.req.matches[1], known);
    if (!known) return send_error(c.res, 404, "no such camera");
    if (!jpeg) return send_error(c.res, 503, "no frame yet");
    c.res.set_header("Cache-Control", "no-store");
    c.res.set_content(*jpeg, "image/jpeg");
  }

  // A worker: the newest frame for an API node that shows the site's secret.
  void internal_frame(Call& c) {
    const std::string given = c.req.get_header_value("Authorization");
    const std::string want = "Bearer " + view_token;
    if (given.size() != want.size() || sodium_memcmp(given.data(), want.data(), want.size()) != 0)
      return send_error(c.res, 401, "an API node of this site only");
    live_frame(c);
  }

  void live_mjpeg(Call& c) {
    const std::string name = c.req.matches[1];
    bool known = false;
    cameras->latest_jpeg(name, known);
    if (!known) return send_error(c.res, 404, "no such camera");
    const std::string token = c.session->token, user = c.session->user;
    if (!streams.acquire(c.session->user)) return send_error(c.res, 503, "too many live streams open");
    const bool in_process = c.req.remote_addr == kInProcessAddress;
    c.res.set_header("Cache-Control", "no-store");
    c.res.set_chunked_content_provider(
        "multipart/x-mixed-replace; boundary=vigieframe",
        [this, name, token, in_process](size_t, httplib::DataSink& sink) {
          std::shared_ptr<const std::string> last;
          while (stream_may_continue(token)) {
            if (!sink.is_writable()) return false;  // the viewer left (even while the camera is silent)
            bool known = false;
            const auto jpeg = cameras->latest_jpeg(name, known);
            if (jpeg && jpeg != last && !(last && *jpeg == *last)) {
              last = jpeg;
              const std::string head =
                  fmt::format("--vigieframe\r\nContent-Type: image/jpeg\r\nContent-Length: {}\r\n\r\n", jpeg->size());
              if (!sink.write(head.data(), head.size()) || !sink.write(jpeg->data(), jpeg->size()) ||
                  !sink.write("\r\n", 2))
                return false;
            }
            if (in_process) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
          }
          sink.done();
          return true;
        },
        [this, user](bool) { streams.release(user); });
  }

  // The city model's layers for the map (files written by `vigie city coverage --geojson-dir`).
  void city_layer(Call& c) {
    const auto file = fs::path(config.server.city_layers) / (std::string(c.req.matches[1]) + ".geojson");
    if (config.server.city_layers.empty() || !fs::exists(file))
      return send_error(c.res, 404, "no city layers (server.city_layers)");
    c.res.set_content(read_file(file.string()), "application/geo+json");
  }

  // The report's figures, gathered again when older than kTransparencyEvery, on a
  // connection of its own (no console route waits for it). One caller gathers; the others
  // meanwhile get the figures as they were. A failure is retried after the same delay,
  // keeping the last figures; without any, the answer is 503.
  std::optional<transparency::Figures> transparency_figures(httplib::Response& res) {
    const double now = now_epoch();
    {
      std::lock_guard lock(transparency_mu);
      const bool fresh = transparency_tried && now - transparency_at <= kTransparencyEvery;
      if (fresh || transparency_gathering) {
        if (!transparency_cache) send_error(res, 503, "the report is not available now: try again later");
        return transparency_cache;
      }
      transparency_gathering = true;
    }
    auto f = transparency::gather(*report_store, config, config.server.city_layers, now);
    std::lock_guard lock(transparency_mu);
    transparency_gathering = false, transparency_tried = true, transparency_at = now;
    if (f) {
      if (!config.server.city_layers.empty() && !f->city_problem.empty()) fmt::print(stderr, "vigie serve: transparency report: {}\n", f->city_problem);
      transparency_cache = std::move(*f);
    } else {
      fmt::print(stderr, "vigie serve: transparency report: {}\n", f.error().message);
    }
    if (!transparency_cache) send_error(res, 503, "the report is not available now: try again later");
    return transparency_cache;
  }

  void transparency_page(Call& c) {
    if (const auto f = transparency_figures(c.res)) c.res.set_content(transparency::to_html(*f), "text/html; charset=utf-8");
  }

  void transparency_json(Call& c) {
    if (const auto f = transparency_figures(c.res)) send_json(c.res, transparency::to_json(*f));
  }

  void basemap_metadata(Call& c) {
    if (!basemap) return send_error(c.res, 404, "no basemap (server.basemap)");
    send_json(c.res, basemap->metadata());
  }

  // A missing tile (outside the city, or empty) is 204: the map draws nothing there.
  void basemap_tile(Call& c) {
    if (!basemap) return send_error(c.res, 404, "no basemap (server.basemap)");
    const auto tile = basemap->tile(std::stoi(c.req.matches[1]), std::stoi(c.req.matches[2]), std::stoi(c.req.matches[3]));
    if (!tile) {
      c.res.status = 204;
      return;
    }
    if (Basemap::is_gzip(*tile)) c.res.set_header("Content-Encoding", "gzip");
    c.res.set_header("Cache-Control", "private, max-age=3600");
    c.res.set_content(*tile, "application/vnd.mapbox-vector-tile");
  }

  // A registered flight as the console gets it: the order, what was flown and flagged;
  // its recording's path stays on the server (only whether there is one).
  static json flight_json(const events::FlightRow& f) {
    const auto parsed = [](const std::string& text) {
      json j = json::parse(text, nullptr, false);
      return j.is_discarded() ? json() : j;
    };
    json j = {{"id", f.id}, {"camera", f.camera}, {"reference", f.reference}, {"purpose", f.purpose},
              {"perimeter", parsed(f.perimeter)}, {"authorised_start", f.authorised_start},
              {"authorised_end", f.authorised_end}, {"start_epoch", f.start_epoch}, {"end_epoch", f.end_epoch},
              {"minutes", f.minutes}, {"flagged", parsed(f.flagged)}, {"flagged_minutes", f.flagged_minutes},
              {"distance_m", f.distance_m}, {"swept_m2", f.swept_m2}, {"video", !f.video.empty()}};
    if (!f.geojson.empty()) j["geojson"] = parsed(f.geojson);
    return j;
  }

  // The newest flights (`limit`, 200 by default).
  void flights_list(Call& c) {
    const auto limit = number_param(c.req, c.res, "limit", 200, 1, 10000);
    if (!limit) return;
    Result<std::vector<events::FlightRow>> rows = Error{""};
    {
      std::lock_guard lock(store_mu);
      rows = store->flights(static_cast<int>(*limit));
    }
    if (!rows) return send_error(c.res, 500, rows.error().message);
    json list = json::array();
    for (const auto& f : *rows) list.push_back(flight_json(f));
    send_json(c.res, {{"flights", list}});
  }

  // A camera's continuous recording as the index has it, for a timeline: when it was
  // recorded (and so can be exported), not the video.
  void recordings_list(Call& c) {
    const std::string camera = c.req.get_param_value("camera");
    if (!config.cameras.count(camera)) return send_error(c.res, 404, fmt::format("no camera '{}'", camera));
    const double now = now_epoch();
    const auto from = number_param(c.req, c.res, "from", now - 86400, 0, 1e12);
    if (!from) return;
    const auto to = number_param(c.req, c.res, "to", now, 0, 1e12);
    if (!to) return;
    if (*to < *from) return send_error(c.res, 400, "to is before from");
    if (*to - *from > 31 * 86400) return send_error(c.res, 400, "at most 31 days at a time");
    Result<std::vector<events::SegmentRow>> rows = Error{""};
    {
      std::lock_guard lock(store_mu);
      rows = store->segments(camera, *from, *to);
    }
    if (!rows) return send_error(c.res, 500, rows.error().message);
    json list = json::array();
    for (const auto& s : *rows)
      list.push_back({{"start_epoch", s.start_epoch}, {"end_epoch", s.end_epoch}, {"bytes", s.bytes},
                      {"sha256", s.sha256}, {"host", s.host}});
    c.audit(fmt::format("{} {:.0f}..{:.0f}: {} segments", camera, *from, *to, rows->size()));
    send_json(c.res, {{"camera", camera}, {"from_epoch", *from}, {"to_epoch", *to}, {"segments", list}});
  }

  static constexpr double kPlaybackMaxS = 120;
  static constexpr double kConsoleExportMaxS = 15 * 60;  // longer: `vigie record export`
  static constexpr int kUnmaskedListed = 1000;  // unmasked requests listed, newest first

  // What playback and an export read: a camera's segments in a range, on this machine's
  // disk, and the key that opens them. Answers the error itself and returns nothing when
  // the request cannot be served.
  struct Readable {
    std::vector<events::SegmentRow> segments;
    fs::path root;
    SecretKey key;
  };
  std::optional<Readable> readable(Call& c, const std::string& camera, double from, double to, double max_s) {
    if (!config.cameras.count(camera)) return send_error(c.res, 404, fmt::format("no camera '{}'", camera)), std::nullopt;
    if (!(to > from)) return send_error(c.res, 400, "to must be after from"), std::nullopt;
    if (to - from > max_s) return send_error(c.res, 400, fmt::format("at most {:.0f} s at a time", max_s)), std::nullopt;
    Result<std::vector<events::SegmentRow>> segments = Error{""};
    {
      std::lock_guard lock(store_mu);
      segments = store->segments(camera, from, to);
    }
    if (!segments) return send_error(c.res, 500, segments.error().message), std::nullopt;
    Readable r{std::move(*segments), record::recordings_root(config), {}};
    const auto here = record::recordings_host(r.root);
    if (!here) return send_error(c.res, 500, here.error().message), std::nullopt;
    for (const auto& g : r.segments)
      if (g.host != *here)
        return send_error(c.res, 409, fmt::format("recorded on {}: ask that machine (this is {})", g.host, *here)),
               std::nullopt;
    auto key = record::camera_key_for_reading(config, camera);
    if (!key) return send_error(c.res, 500, key.error().message), std::nullopt;
    r.key = *key;
    return r;
  }

  // export_masked's failures: nothing recorded in the range is the caller's 404.
  static void send_export_error(httplib::Response& res, const Error& e) {
    const bool none = e.message.find("no recording between") != std::string::npos ||
                      e.message.find("holds no frame between") != std::string::npos;
    send_error(res, none ? 404 : 500, e.message);
  }

  // Where the console's exports are kept, and playback's stretches while they are made
  // (record::console_exports_folder): only this user reads it, the files are video in the
  // clear. Retention empties it after 7 days.
  fs::path exports_folder() const { return record::console_exports_folder(record::recordings_root(config)); }

  // The masked MP4 of `q`'s range made into exports_folder(); on an error or an exception
  // no file is left.
  Result<record::ExportResult> make_masked(const Readable& r, record::ExportRequest& q, const std::string& stem) {
    std::error_code ec;
    fs::create_directories(exports_folder(), ec);
    fs::permissions(exports_folder(), fs::perms::owner_all, fs::perm_options::replace, ec);
    q.out = exports_folder() / fmt::format("{}-{}.mp4", stem, UuidV7().next());
    try {
      return record::export_masked(r.root, r.key, config.cameras.at(q.camera).privacy_masks, r.segments, q);
    } catch (const std::exception& e) {
      for (const auto& f : {q.out.string() + ".part", q.out.string(), q.out.string() + ".manifest.json",
                            q.out.string() + ".manifest.json.part"})
        fs::remove(f, ec);
      return Error{fmt::format("cannot make the video: {}", e.what())};
    }
  }

  // Playback and alert clips: a stretch made, read, deleted and sent.
  void send_stretch(Call& c, const std::string& camera, double from, double to, const std::string& purpose,
                    bool audit_here) {
    std::unique_lock busy(playback_mu, std::try_to_lock);
    if (!busy) return send_error(c.res, 503, "another stretch of recording is being prepared: try again in a moment");
    const auto r = readable(c, camera, from, to, kPlaybackMaxS);
    if (!r) return;
    record::ExportRequest q;
    q.camera = camera, q.from_epoch = from, q.to_epoch = to;
    q.case_reference = purpose, q.requester = c.session->user, q.exported_by = c.session->user;
    auto done = make_masked(*r, q, ".playback");
    if (!done) return send_export_error(c.res, done.error());
    std::string video = read_file(q.out.string());
    std::error_code ec;
    fs::remove(q.out, ec);
    fs::remove(done->manifest, ec);
    if (audit_here && !c.audit(fmt::format("{} {:.0f}..{:.0f}: {} frames", camera, from, to, done->frames)))
      return send_error(c.res, 503, "the playback could not be audited");
    c.res.set_header("X-Vigie-First-Frame-Epoch", fmt::format("{:.3f}", done->first_epoch));
    c.res.set_content(std::move(video), "video/mp4");
  }

  // A stretch of a camera's recording for the console's player: decoded, masked and
  // encoded again like a requisition's export (never the stored stream), at most
  // kPlaybackMaxS seconds a request, from this machine's disk only.
  void recording_video(Call& c) {
    const auto from = number_param(c.req, c.res, "from", 0, 0, 1e12);
    if (!from) return;
    const auto to = number_param(c.req, c.res, "to", *from + 60, 0, 1e12);
    if (!to) return;
    send_stretch(c, c.req.get_param_value("camera"), *from, *to, "playback", /*audit_here=*/true);
  }

  // An alert's clip cut from its camera's recording: clip_pre_s before its start to
  // clip_post_s after its end (or its latest event while open), at most kPlaybackMaxS.
  // (The clip route audits it, as any clip.)
  void clip_from_recording(Call& c, const events::AlertRow& a) {
    const double from = a.start_epoch - config.store.clip_pre_s;
    const double last = a.end_epoch ? *a.end_epoch : a.last_epoch;
    const double to = std::max(from + 1, std::min(last + config.store.clip_post_s, from + kPlaybackMaxS));
    send_stretch(c, a.camera, from, to, "alert " + a.id, /*audit_here=*/false);
  }

  // A requisition's export from the console: masked, with its manifest, audited like the
  // command's; kept in exports_folder() for download (GET …/exports/{name}).
  void recording_export(Call& c) {
    const json body = json::parse(c.req.body, nullptr, false);
    if (!plain_text(body, "camera") || !plain_text(body, "case_reference") || !plain_text(body, "requester") ||
        !epoch_field(body, "from") || !epoch_field(body, "to"))
      return send_error(c.res, 400,
                        "expected {\"camera\", \"from\", \"to\" (Unix seconds), \"case_reference\", "
                        "\"requester\"}, texts of 1 to 2,000 bytes without control characters");
    record::ExportRequest q;
    q.camera = body["camera"], q.from_epoch = body["from"], q.to_epoch = body["to"];
    q.case_reference = body["case_reference"], q.requester = body["requester"], q.exported_by = c.session->user;
    std::unique_lock busy(playback_mu, std::try_to_lock);
    if (!busy) return send_error(c.res, 503, "another stretch of recording is being prepared: try again in a moment");
    const auto r = readable(c, q.camera, q.from_epoch, q.to_epoch, kConsoleExportMaxS);
    if (!r) return;
    // The case reference is free text: the file is named by a fresh id, the case is in the manifest.
    auto done = make_masked(*r, q, "export");
    if (!done) return send_export_error(c.res, done.error());
    std::error_code ec;
    if (!c.audit(record::export_audit_detail(q, *done))) {
      fs::remove(q.out, ec);
      fs::remove(done->manifest, ec);
      return send_error(c.res, 503, "the export could not be audited, so it was deleted");
    }
    send_export_made(c, q, *done);
  }

  // A console export's answer: its files by name (downloaded through recording_download).
  static void send_export_made(Call& c, const record::ExportRequest& q, const record::ExportResult& done) {
    send_json(c.res,
              {{"file", q.out.filename().string()},
               {"manifest", done.manifest.filename().string()},
               {"frames", done.frames},
               {"bytes", done.bytes},
               {"sha256", done.sha256},
               {"manifest_sha256", done.manifest_sha256},
               {"first_frame_epoch", done.first_epoch},
               {"last_frame_epoch", done.last_epoch},
               {"unmasked", q.unmasked.has_value()}},
              201);
  }

  // An export made from the console, or its manifest (names only as recording_export gives them).
  void recording_download(Call& c) {
    const std::string name = c.req.matches[1];
    const fs::path file = exports_folder() / name;
    if (!fs::is_regular_file(file) || !may_download(c, name))
      return send_error(c.res, 404, fmt::format("no export '{}'", name));
    if (!c.audit(name)) return send_error(c.res, 503, "the download could not be audited");
    c.res.set_header("Content-Disposition", fmt::format("attachment; filename=\"{}\"", name));
    c.res.set_content(read_file(file.string()), name.ends_with(".json") ? "application/json" : "video/mp4");
  }

  // An unmasked export (unmasked-<request id>…) is downloaded by the account that asked
  // for it only; a masked one by any supervisor.
  bool may_download(Call& c, const std::string& name) {
    static const std::string kUnmasked = "unmasked-";
    if (!name.starts_with(kUnmasked)) return true;
    const std::string id = name.substr(kUnmasked.size(), 36);
    std::lock_guard lock(store_mu);
    const auto found = store->unmasked_request(id);
    return found && *found && (**found).requested_by == c.session->user;
  }

  static json unmasked_json(const events::UnmaskedRequest& r) {
    return {{"id", r.id},
            {"camera", r.camera},
            {"from_epoch", r.from_epoch},
            {"to_epoch", r.to_epoch},
            {"case_reference", r.case_reference},
            {"requester", r.requester},
            {"reason", r.reason},
            {"requested_by", r.requested_by},
            {"requested_epoch", r.requested_epoch},
            {"state", events::state_name(r.state)},
            {"decided_by", r.decided_by},
            {"decided_epoch", r.decided_epoch},
            {"decision_reason", r.decision_reason},
            {"used_epoch", r.used_epoch}};
  }

  // A text field of a request body: 1 to 2,000 bytes, no control characters (NUL would be
  // stored by SQLite and refused by PostgreSQL; a line break would forge audit lines).
  static bool plain_text(const json& body, const char* key) {
    if (!body.is_object() || !body.contains(key) || !body[key].is_string()) return false;
    const std::string& t = body[key].get_ref<const std::string&>();
    return !t.empty() && t.size() <= 2000 &&
           std::none_of(t.begin(), t.end(), [](char ch) { return static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f; });
  }

  // A time field of a request body: finite Unix seconds, 0 to 1e12.
  static bool epoch_field(const json& body, const char* key) {
    if (!body.is_object() || !body.contains(key) || !body[key].is_number()) return false;
    const double t = body[key].get<double>();
    return std::isfinite(t) && t >= 0 && t <= 1e12;
  }

  // A supervisor's request for a range of a camera's video without its privacy masks.
  void unmasked_request(Call& c) {
    const json body = json::parse(c.req.body, nullptr, false);
    if (!plain_text(body, "camera") || !plain_text(body, "case_reference") || !plain_text(body, "requester") ||
        !plain_text(body, "reason") || !epoch_field(body, "from") || !epoch_field(body, "to"))
      return send_error(c.res, 400,
                        "expected {\"camera\", \"from\", \"to\" (Unix seconds), \"case_reference\", "
                        "\"requester\", \"reason\"}, texts of 1 to 2,000 bytes without control characters");
    events::UnmaskedRequest r;
    r.camera = body["camera"], r.case_reference = body["case_reference"], r.requester = body["requester"];
    r.reason = body["reason"], r.from_epoch = body["from"], r.to_epoch = body["to"];
    r.requested_by = c.session->user, r.requested_epoch = now_epoch();
    if (!config.cameras.count(r.camera)) return send_error(c.res, 404, fmt::format("no camera '{}'", r.camera));
    if (!(r.to_epoch > r.from_epoch)) return send_error(c.res, 400, "to must be after from");
    if (r.to_epoch - r.from_epoch > 31 * 86400) return send_error(c.res, 400, "at most 31 days at a time");
    // The request and its audit entry are stored together, or neither.
    bool refused = false;
    auto made = c.audited(
        [&]() -> Result<std::string> {
          if (auto stored = store->request_unmasked(r); !stored) return stored.error();
          return unmasked_json(r).dump();
        },
        &refused);
    if (!made) return refused ? send_error(c.res, 500, made.error().message) : send_unaudited(c.res, "request");
    send_json(c.res, unmasked_json(r), 201);
  }

  void unmasked_list(Call& c) { send_unmasked_requests(c, ""); }
  // A supervisor's own requests, to see which were decided and export the approved ones.
  void unmasked_mine(Call& c) { send_unmasked_requests(c, c.session->user); }

  // Every request, or those `requested_by` made.
  void send_unmasked_requests(Call& c, const std::string& requested_by) {
    Result<std::vector<events::UnmaskedRequest>> rows = Error{""};
    {
      std::lock_guard lock(store_mu);
      rows = store->unmasked_requests(kUnmaskedListed, requested_by);
    }
    if (!rows) return send_error(c.res, 500, rows.error().message);
    json list = json::array();
    for (const auto& r : *rows) {
      json one = unmasked_json(r);
      // The asker's console export, while it is kept: found again if its answer was lost.
      if (!requested_by.empty() && fs::is_regular_file(unmasked_export_file(r.id)))
        one["file"] = unmasked_export_file(r.id).filename().string();
      list.push_back(one);
    }
    send_json(c.res, {{"requests", list}});
  }

  // The unmasked export of an approved request, made here for the supervisor who asked:
  // the same file, manifest and audit entry as `vigie record export --unmasked`, in the
  // console's exports folder. A console export covers kConsoleExportMaxS at most (it runs
  // in the request's thread); a longer request is exported with the command.
  void unmasked_export(Call& c) {
    const std::string id = c.req.matches[1];
    Result<std::optional<events::UnmaskedRequest>> found = Error{""};
    {
      std::lock_guard lock(store_mu);
      found = store->unmasked_request(id);
    }
    if (!found) return send_error(c.res, 500, found.error().message);
    // Someone else's request is not told apart from none: neither who asked nor that it exists.
    if (!*found || (**found).requested_by != c.session->user)
      return refuse_audited(c, 404, fmt::format("you made no unmasked export request '{}'", id));
    const events::UnmaskedRequest& request = **found;
    if (request.state != events::UnmaskedRequest::State::kApproved)
      return refuse_audited(c, 409, fmt::format("request {} is {}: only an approved request is exported", id,
                                                events::state_name(request.state)));
    if (request.to_epoch - request.from_epoch > kConsoleExportMaxS)
      return refuse_audited(c, 400,
                            fmt::format("the request covers {:.0f} min; the console exports {:.0f} min at most: "
                                        "export it with vigie record export --unmasked {} on the machine that holds "
                                        "the files",
                                        (request.to_epoch - request.from_epoch) / 60, kConsoleExportMaxS / 60, id));
    std::unique_lock busy(playback_mu, std::try_to_lock);
    if (!busy) return send_error(c.res, 503, "another stretch of recording is being prepared: try again in a moment");
    const auto r = readable(c, request.camera, request.from_epoch, request.to_epoch, kConsoleExportMaxS);
    if (!r) return;
    // A connection of its own: the export takes minutes, the shared one serves every route.
    auto own = events::Store::open(config.store.location(), config.store.audit_key);
    if (!own) return send_error(c.res, 500, own.error().message);
    std::error_code ec;
    fs::create_directories(exports_folder(), ec);
    fs::permissions(exports_folder(), fs::perms::owner_all, fs::perm_options::replace, ec);
    record::ExportRequest q;
    q.out = unmasked_export_file(id);  // its name says whose it is (recording_download)
    q.camera = request.camera, q.from_epoch = request.from_epoch, q.to_epoch = request.to_epoch;
    q.case_reference = request.case_reference, q.requester = request.requester, q.exported_by = c.session->user;
    bool taken = false;  // the approval, once export_unmasked succeeded
    try {
      auto done = record::export_unmasked(r->root, r->key, **own, id, r->segments, c.session->user, q.out, now_epoch());
      if (!done) return send_export_error(c.res, done.error());
      taken = true;
      q.unmasked = done->unmasked;
      if (!c.audit(record::export_audit_detail(q, *done)))
        return give_back_unmasked(c, **own, id, q.out, "the export could not be audited");
      send_export_made(c, q, *done);
    } catch (const std::exception& e) {
      if (!taken) throw;  // export_unmasked gave the approval back and removed its files itself
      give_back_unmasked(c, **own, id, q.out, fmt::format("the export failed ({})", e.what()));
    }
  }

  // The console's unmasked export of request `id`: one per request, the request's id in
  // its name.
  fs::path unmasked_export_file(const std::string& id) { return exports_folder() / fmt::format("unmasked-{}.mp4", id); }

  // An unmasked export made but not handed over: its files deleted and, only once they are
  // gone (the download route would still serve them), the approval given back.
  void give_back_unmasked(Call& c, events::Store& own, const std::string& id, const fs::path& out,
                          const std::string& why) {
    std::error_code out_gone, manifest_gone;
    fs::remove(out, out_gone);
    fs::remove(out.string() + ".manifest.json", manifest_gone);
    if (out_gone || manifest_gone)
      return send_error(c.res, 500, fmt::format("{}, and its files could not be deleted: the request stays used", why));
    if (auto given_back = own.release_unmasked(id); !given_back)
      return send_error(c.res, 503, fmt::format("{}, so it was deleted; request {} could not be given back: {}", why, id,
                                                given_back.error().message));
    send_error(c.res, 503, fmt::format("{}, so it was deleted; the approval stands", why));
  }

  // The second person: an auditor approves or refuses, with a reason; never their own.
  void unmasked_decision(Call& c) {
    const std::string id = c.req.matches[1];
    const json body = json::parse(c.req.body, nullptr, false);
    if (!body.is_object() || !body.contains("approve") || !body["approve"].is_boolean() || !plain_text(body, "reason"))
      return send_error(c.res, 400,
                        "expected {\"approve\": true|false, \"reason\": 1 to 2,000 bytes without control characters}");
    // The decision and its audit entry are stored together, or neither: no export can take
    // an approval that is not in the log.
    std::optional<events::UnmaskedRequest> decided;
    bool refused = false;
    auto done = c.audited(
        [&]() -> Result<std::string> {
          auto d = store->decide_unmasked(id, body["approve"].get<bool>(), c.session->user, body["reason"], now_epoch());
          if (!d) return d.error();
          decided = *d;
          return unmasked_json(*d).dump();
        },
        &refused);
    if (!done) {
      const std::string& why = done.error().message;
      if (!refused) return send_unaudited(c.res, "decision");
      const int status = why.starts_with("no unmasked") ? 404 : why.starts_with("request ") ? 409 : 500;
      return send_error(c.res, status, why);
    }
    send_json(c.res, unmasked_json(*decided));
  }

  // --- the scancars' review queue --------------------------------------------------------

  static json parking_json(const events::ParkingCandidate& c) {
    return {{"id", c.id},
            {"round", c.round},
            {"plate", c.plate},
            {"format", c.format},
            {"confidence", c.confidence},
            {"taken_epoch", c.taken_epoch},
            {"lat", c.lat},
            {"lon", c.lon},
            {"queued_epoch", c.queued_epoch},
            {"state", events::state_name(c.state)},
            {"reviewed_by", c.reviewed_by},
            {"reviewed_epoch", c.reviewed_epoch},
            {"no_card_visible", c.no_card_visible},
            {"review_note", c.review_note},
            {"contested_by", c.contested_by},
            {"contested_epoch", c.contested_epoch},
            {"contest_card", c.contest_card},
            {"photos", c.photos_deleted_epoch == 0}};
  }

  void parking_list(Call& c) {
    const std::string state = c.req.get_param_value("state");
    if (!state.empty() && !events::parking_state(state))
      return send_error(c.res, 400, "state: one of pending, notice, dismissed, cancelled, expired (or none: all)");
    Result<std::vector<events::ParkingCandidate>> rows = Error{""};
    {
      std::lock_guard lock(store_mu);
      rows = store->parking_candidates(state);
    }
    if (!rows) return send_error(c.res, 500, rows.error().message);
    json list = json::array();
    for (const auto& r : *rows) list.push_back(parking_json(r));
    send_json(c.res, {{"candidates", list}});
  }

  std::optional<events::ParkingCandidate> parking_candidate(const std::string& id) {
    std::lock_guard lock(store_mu);
    auto r = store->parking_candidate(id);
    return r && *r ? **r : std::optional<events::ParkingCandidate>{};
  }

  void parking_photo(Call& c) {
    const auto candidate = parking_candidate(c.req.matches[1]);
    if (!candidate) return send_error(c.res, 404, fmt::format("no parking candidate '{}'", std::string(c.req.matches[1])));
    const std::string& path = c.req.matches[2] == "photo" ? candidate->photo_path : candidate->crop_path;
    if (candidate->photos_deleted_epoch > 0 || path.empty() || !fs::exists(path))
      return send_error(c.res, 404, "the photo was deleted (data minimisation)");
    c.res.set_header("Cache-Control", "no-store");
    const std::string ext = fs::path(path).extension().string();
    c.res.set_content(read_file(path), ext == ".png" || ext == ".PNG" ? "image/png" : "image/jpeg");
  }

  // Candidates' photos past store.parking_photo_hours with no notice go, and paid sessions
  // that ended that long ago (data minimisation: no round read later needs them).
  void delete_parking_photos() {
    Result<int> r = Error{""}, sessions = Error{""};
    const double now = now_epoch();
    {
      std::lock_guard lock(store_mu);
      r = store->delete_parking_photos(now, config.store.parking_photo_hours, "vigie serve");
      sessions = store->delete_paid_sessions(now - config.store.parking_photo_hours * 3600);
    }
    if (!r) fmt::print(stderr, "vigie serve: parking photos: {}\n", r.error().message);
    else if (*r > 0) fmt::print(stderr, "vigie serve: parking photos: {} candidates' photos deleted\n", *r);
    if (!sessions) fmt::print(stderr, "vigie serve: paid sessions: {}\n", sessions.error().message);
  }

  // A note a reviewer may add: empty, or plain text.
  static bool optional_note(const json& body) {
    return !body.contains("note") || (body["note"].is_string() && (body["note"].get_ref<const std::string&>().empty() ||
                                                                    plain_text(body, "note")));
  }

  // A decision on the queue and its audit entry (the candidate, and with `more` what the
  // decision registered), stored together or not at all.
  using ParkingStep = std::function<Result<events::ParkingCandidate>()>;
  void parking_decide(Call& c, const ParkingStep& decide,
                      const std::function<json(const events::ParkingCandidate&)>& more = {}) {
    std::optional<events::ParkingCandidate> decided;
    bool refused = false;
    auto done = c.audited(
        [&]() -> Result<std::string> {
          auto d = decide();
          if (!d) return d.error();
          decided = *d;
          json detail = parking_json(*d);
          if (more) detail.update(more(*d));
          return detail.dump();
        },
        &refused);
    if (!done) {
      const std::string& why = done.error().message;
      if (!refused) return send_unaudited(c.res, "decision");
      const int status = why.starts_with("no parking")   ? 404
                         : why.starts_with("candidate ") ? 409
                         : why.starts_with("a ") || why.starts_with("no notice") || why.starts_with("the card") ||
                                 why.starts_with("card ")
                             ? 400
                             : 500;
      return send_error(c.res, status, why);
    }
    send_json(c.res, parking_json(*decided));
  }

  // A person issues the notice, having looked for a card on the dashboard (the tick).
  void parking_notice(Call& c) {
    const json body = json::parse(c.req.body, nullptr, false);
    if (!body.is_object() || !body.contains("no_card_visible") || !body["no_card_visible"].is_boolean() ||
        !optional_note(body))
      return send_error(c.res, 400, "expected {\"no_card_visible\": true|false, \"note\": optional text}");
    parking_decide(c, [&] {
      return store->issue_parking_notice(c.req.matches[1], c.session->user, body["no_card_visible"].get<bool>(),
                                         body.value("note", ""), scancar::kCandidateConfidence, now_epoch());
    });
  }

  void parking_dismiss(Call& c) {
    const json body = json::parse(c.req.body, nullptr, false);
    if (!body.is_object() || !optional_note(body))
      return send_error(c.res, 400, "expected {\"note\": optional text}");
    parking_decide(c, [&] {
      return store->dismiss_parking_candidate(c.req.matches[1], c.session->user, body.value("note", ""), now_epoch());
    });
  }

  // A parking meter or app records a paid session; a scancar round reading the store drops
  // the car while it runs.
  void parking_paid_session(Call& c) {
    const json body = json::parse(c.req.body, nullptr, false);
    if (!plain_text(body, "plate") || body["plate"].get_ref<const std::string&>().size() > 32 ||
        !epoch_field(body, "start") || !epoch_field(body, "end"))
      return send_error(c.res, 400, "expected {\"plate\": the plate, \"start\", \"end\": Unix seconds}");
    events::PaidParkingSession s;
    s.plate = plates::comparable(body["plate"].get<std::string>());
    s.start_epoch = body["start"].get<double>(), s.end_epoch = body["end"].get<double>();
    s.recorded_by = c.session->user;
    const double now = now_epoch();
    if (auto why = events::paid_session_error(s, now)) return send_error(c.res, 400, *why);
    Result<Ok> recorded = Ok{};
    {
      std::lock_guard lock(store_mu);
      recorded = store->record_paid_session(s, now);
    }
    if (!recorded) return send_error(c.res, 500, recorded.error().message);
    send_json(c.res, {{"id", s.id}, {"plate", s.plate}, {"start", s.start_epoch}, {"end", s.end_epoch}}, 201);
  }

  // A citizen showed a disability card after the notice: it is cancelled, and the card
  // registered for the notice's plate (and up to two more) so that no round proposes it again.
  void parking_contest(Call& c) {
    const json body = json::parse(c.req.body, nullptr, false);
    std::vector<std::string> plates;
    bool plates_ok = !body.is_object() || !body.contains("plates") || body["plates"].is_array();
    if (plates_ok && body.is_object() && body.contains("plates"))
      for (const auto& p : body["plates"]) {
        const std::string text = p.is_string() ? plates::comparable(p.get<std::string>()) : "";
        plates_ok = plates_ok && text.size() >= 4 && text.size() <= 10;
        plates.push_back(text);
      }
    if (!plain_text(body, "card") || body["card"].get_ref<const std::string&>().size() > 64 ||
        !epoch_field(body, "valid_from") || !epoch_field(body, "valid_until") || !plates_ok)
      return send_error(c.res, 400,
                        "expected {\"card\": the card's number (1 to 64 bytes), \"valid_from\", \"valid_until\": Unix "
                        "seconds, \"plates\": optional list of more plates (4 to 10 letters and digits)}");
    auto contest = [&] {
      return store->contest_parking_notice(c.req.matches[1], c.session->user, body["card"], plates,
                                           body["valid_from"], body["valid_until"], scancar::kMaxPlatesPerCard,
                                           now_epoch());
    };
    parking_decide(c, contest, [&](const events::ParkingCandidate& cancelled) {
      std::vector<std::string> all{cancelled.plate};  // as the store registers them: each once
      for (const auto& p : plates)
        if (std::find(all.begin(), all.end(), p) == all.end()) all.push_back(p);
      return json{{"valid_from", body["valid_from"]}, {"valid_until", body["valid_until"]}, {"registered_plates", all}};
    });
  }

  void flight_view(Call& c) {
    Result<std::optional<events::FlightRow>> f = Error{""};
    {
      std::lock_guard lock(store_mu);  // the row is copied; its GeoJSON parsed after
      f = store->flight(c.req.matches[1]);
    }
    if (!f) return send_error(c.res, 500, f.error().message);
    if (!*f) return send_error(c.res, 404, fmt::format("no flight '{}'", std::string(c.req.matches[1])));
    send_json(c.res, flight_json(**f));
  }

  void risk_layer(Call& c) {
    if (config.server.risk_layer.empty() || !fs::exists(config.server.risk_layer))
      return send_error(c.res, 404, "no risk map (server.risk_layer)");
    c.res.set_content(read_file(config.server.risk_layer), "application/geo+json");
  }

  void events(Call& c) {
    const std::string token = c.session->token, user = c.session->user;
    if (!streams.acquire(c.session->user)) return send_error(c.res, 503, "too many live streams open");
    auto sub = hub.subscribe();
    ++sse_clients;
    const bool in_process = c.req.remote_addr == kInProcessAddress;
    c.res.set_header("Cache-Control", "no-store");
    c.res.set_header("X-Accel-Buffering", "no");
    // The first message carries the cameras' state, so a console needs no second request.
    const std::string hello = "event: cameras\ndata: " + cameras_json().dump() + "\n\n";
    c.res.set_chunked_content_provider(
        "text/event-stream",
        [this, sub, hello, token, in_process, first = true, quiet_s = 0](size_t, httplib::DataSink& sink) mutable {
          if (first) {
            first = false;
            return sink.write(hello.data(), hello.size());
          }
          if (in_process || sub->closed() || !stream_may_continue(token)) {
            sink.done();
            return true;
          }
          // Wake every second to notice a logout; a comment every 10 s keeps proxies and
          // browsers from timing the stream out.
          const auto m = sub->next(std::chrono::seconds(1));
          if (m) {
            quiet_s = 0;
            return sink.write(m->data(), m->size());
          }
          if (++quiet_s < 10) return true;
          quiet_s = 0;
          static const std::string keep_alive = ": keep-alive\n\n";
          return sink.write(keep_alive.data(), keep_alive.size());
        },
        [this, sub, user](bool) {
          hub.unsubscribe(sub);
          --sse_clients;
          streams.release(user);
        });
  }

  void snapshot(Call& c) { media(c, false); }
  void clip(Call& c) { media(c, true); }

  void media(Call& c, bool want_clip) {
    const auto a = alert(c.req.matches[1]);
    if (want_clip && a && a->clip_path == events::kClipInRecording) return clip_from_recording(c, *a);
    const std::string path = a ? (want_clip ? a->clip_path : a->snapshot_path) : "";
    if (path.empty() || !fs::exists(path)) return send_error(c.res, 404, "no such file");
    const std::string type = path.ends_with(".wav") ? "audio/wav" : path.ends_with(".mp4") ? "video/mp4" : "image/jpeg";
    c.res.set_content(read_file(path), type.c_str());
  }

  void alert_view(Call& c) {
    const auto a = alert(c.req.matches[1]);
    if (!a) return send_error(c.res, 404, fmt::format("no alert '{}'", std::string(c.req.matches[1])));
    json j = alert_json(*a);
    std::lock_guard lock(store_mu);
    json acts = json::array();
    if (auto rows = store->actions(a->id))
      for (const auto& r : *rows)
        acts.push_back({{"action", r.action}, {"note", r.note}, {"user", r.user}, {"at_epoch", r.at_epoch}});
    j["actions"] = acts;
    send_json(c.res, j);
  }

  void action(Call& c) {
    const std::string id = c.req.matches[1];
    const json body = json::parse(c.req.body, nullptr, false);
    if (!body.is_object() || !body.contains("action") || !body["action"].is_string() ||
        (body.contains("note") && !body["note"].is_string()))
      return send_error(c.res, 400, "expected {\"action\": \"acknowledge\"|\"false_alarm\"|\"dispatch\", \"note\": …}");
    const std::string act = body["action"];
    const std::string note = body.contains("note") ? body["note"].get<std::string>() : "";
    if (note.size() > 2000) return send_error(c.res, 400, "a note is at most 2,000 characters");
    {
      std::lock_guard lock(store_mu);
      if (auto r = store->record_action(id, act, note, c.session->user, now_epoch()); !r)
        return send_error(c.res, r.error().message.starts_with("no alert") ? 404 : 400, r.error().message);
    }
    c.audit(fmt::format("{} {}{}", act, id, note.empty() ? "" : ": " + note));
    // An API node's consoles hear of it as every API node's do: through the store's NOTIFY.
    if (config.cluster.role != "api") publish_alert(id, events::AlertChange::kAction, 0, c.session->user);
    const auto a = alert(id);
    send_json(c.res, {{"ok", true}, {"alert", a ? alert_json(*a) : json()}});
  }

  // The alert filter of a request's parameters; answers 400 (and gives none) for a bad number.
  std::optional<events::AlertFilter> filter_of(Call& c) {
    events::AlertFilter f;
    f.camera = c.req.get_param_value("camera");
    f.rule = c.req.get_param_value("rule");
    const auto since = number_param(c.req, c.res, "since", 0, 0, 1e12);
    const auto before = number_param(c.req, c.res, "before", 0, 0, 1e12);
    const auto limit = number_param(c.req, c.res, "limit", 50, 1, 1000);
    const auto offset = number_param(c.req, c.res, "offset", 0, 0, 1e9);
    if (!since || !before || !limit || !offset) return std::nullopt;
    f.since_epoch = *since, f.before_epoch = *before;
    f.limit = static_cast<int>(*limit), f.offset = static_cast<int>(*offset);
    return f;
  }

  void alerts(Call& c) {
    const auto f = filter_of(c);
    if (!f) return;
    std::lock_guard lock(store_mu);
    const auto rows = store->alerts(*f);
    if (!rows) return send_error(c.res, 500, rows.error().message);
    json list = json::array();
    for (const auto& a : *rows) list.push_back(alert_json(a));
    send_json(c.res, {{"schema", events::alert_schema_id()}, {"alerts", list}, {"limit", f->limit}, {"offset", f->offset}});
  }

  void export_csv(Call& c) {
    auto f = filter_of(c);
    if (!f) return;
    f->limit = 100000;
    std::string csv = "id,camera,rule,start_epoch,end_epoch,status\n";
    size_t count = 0;
    {
      std::lock_guard lock(store_mu);
      const auto rows = store->alerts(*f);
      if (!rows) return send_error(c.res, 500, rows.error().message);
      count = rows->size();
      for (const auto& a : *rows)
        csv += fmt::format("\"{}\",\"{}\",\"{}\",{:.3f},{},{}\n", a.id, a.camera, a.rule, a.start_epoch,
                           a.end_epoch ? fmt::format("{:.3f}", *a.end_epoch) : "", a.status);
    }
    c.audit(fmt::format("alerts.csv: {} rows ({})", count, target_of(c.req)));
    c.res.set_header("Content-Disposition", "attachment; filename=\"alerts.csv\"");
    c.res.set_content(csv, "text/csv");
  }

  void stats(Call& c) {
    const auto since = number_param(c.req, c.res, "since", now_epoch() - 86400, 0, 1e12);
    if (!since) return;
    std::lock_guard lock(store_mu);
    const auto rows = store->rule_stats(*since);
    if (!rows) return send_error(c.res, 500, rows.error().message);
    json list = json::array();
    for (const auto& r : *rows) {
      json hours = json::array();
      for (const auto& [h, n] : r.per_hour) hours.push_back({{"hour_epoch", h * 3600}, {"alerts", n}});
      const int decided = r.confirmed + r.false_alarms;
      list.push_back({{"rule", r.rule}, {"alerts", r.alerts}, {"confirmed", r.confirmed},
                      {"false_alarms", r.false_alarms}, {"open", r.open},
                      {"precision", decided ? json(double(r.confirmed) / decided) : json()}, {"per_hour", hours}});
    }
    send_json(c.res, {{"since_epoch", *since}, {"rules", list}});
  }

  // Tracks by class and alerts by rule (line crossings by direction), per camera and hour
  // or day: from the `since`, `until`, `by` and `camera` (repeated) parameters.
  std::optional<events::ActivityFilter> activity_filter(Call& c) {
    events::ActivityFilter f;
    const auto since = number_param(c.req, c.res, "since", now_epoch() - 86400, 0, 1e12);
    const auto until = number_param(c.req, c.res, "until", 0, 0, 1e12);
    if (!since || !until) return std::nullopt;
    const std::string by = c.req.has_param("by") ? c.req.get_param_value("by") : "hour";
    if (by != "hour" && by != "day") {
      send_error(c.res, 400, "'by' is hour or day");
      return std::nullopt;
    }
    f.since_epoch = *since, f.until_epoch = *until, f.bucket_s = by == "day" ? 86400 : 3600;
    for (size_t i = 0; i < c.req.get_param_value_count("camera"); ++i)
      f.cameras.push_back(c.req.get_param_value("camera", i));
    return f;
  }

  void activity(Call& c) {
    const auto f = activity_filter(c);
    if (!f) return;
    std::optional<Result<std::vector<events::ActivityCount>>> counted;
    {
      std::lock_guard lock(slow_mu);  // a scan of the window: not on the consoles' connection
      counted = slow_store->activity(*f);
    }
    const auto& rows = *counted;
    if (!rows) return send_error(c.res, 500, rows.error().message);
    json list = json::array();
    for (const auto& r : *rows)
      list.push_back({{"bucket_epoch", r.bucket_epoch}, {"camera", r.camera}, {"kind", r.kind}, {"what", r.what},
                      {"direction", r.direction}, {"count", r.count}});
    send_json(c.res, {{"since_epoch", f->since_epoch}, {"bucket_s", f->bucket_s}, {"counts", list}});
  }

  void export_activity(Call& c) {
    const auto f = activity_filter(c);
    if (!f) return;
    std::optional<Result<std::vector<events::ActivityCount>>> rows;
    {
      std::lock_guard lock(slow_mu);
      rows = slow_store->activity(*f);
    }
    if (!*rows) return send_error(c.res, 500, rows->error().message);
    if (!c.audit(fmt::format("activity.csv: {} rows ({})", (*rows)->size(), target_of(c.req))))
      return send_error(c.res, 500, "the export could not be written to the audit log");
    c.res.set_header("Content-Disposition", "attachment; filename=\"activity.csv\"");
    c.res.set_content(events::activity_csv(**rows), "text/csv");
  }

  // Where one camera's tracks went (since, until: default the last 24 h), a BGRA PNG the
  // size of its frame, to lay over it.
  void heatmap(Call& c) {
    const auto since = number_param(c.req, c.res, "since", now_epoch() - 86400, 0, 1e12);
    const auto until = number_param(c.req, c.res, "until", 0, 0, 1e12);
    if (!since || !until) return;
    // On the slow connection: a busy camera's month of paths takes a while, and the
    // consoles' own requests must not wait for it.
    std::optional<Result<events::CameraHeat>> heat;
    {
      std::lock_guard lock(slow_mu);
      heat = events::camera_heat_map(*slow_store, c.req.matches[1], *since, *until);
    }
    if (!*heat) return send_error(c.res, 500, heat->error().message);
    if ((*heat)->image.empty()) return send_error(c.res, 404, "no track of this camera with a frame size in that time");
    std::vector<uchar> png;
    if (!cv::imencode(".png", (*heat)->image, png)) return send_error(c.res, 500, "the heat map could not be encoded");
    c.res.set_content(std::string(png.begin(), png.end()), "image/png");
  }

  // Forensic search: tracks by class, colours, cameras, time and dwell. A reason (the case
  // reference) is required; the audit entry keeps it with every filter and the count.
  void search_tracks(Call& c) {
    const std::string reason = c.req.get_param_value("reason");
    if (!events::is_reason(reason))
      return send_error(c.res, 400, "reason is required: the case reference this search is for");
    events::TrackFilter f;
    for (size_t i = 0; i < c.req.get_param_value_count("camera"); ++i)
      f.cameras.push_back(c.req.get_param_value("camera", i));
    f.label = c.req.get_param_value("class");
    f.upper = c.req.get_param_value("upper"), f.lower = c.req.get_param_value("lower");
    f.colour = c.req.get_param_value("colour");
    f.zone = c.req.get_param_value("zone"), f.line = c.req.get_param_value("crossed");
    f.similar = c.req.get_param_value("similar");
    const auto from = number_param(c.req, c.res, "from", 0, 0, 1e12);
    const auto to = number_param(c.req, c.res, "to", 0, 0, 1e12);
    const auto dwell = number_param(c.req, c.res, "min_dwell", 0, 0, 1e9);
    const auto limit = number_param(c.req, c.res, "limit", 100, 1, 1000);
    if (!from || !to || !dwell || !limit) return;
    f.from_epoch = *from, f.to_epoch = *to, f.min_dwell_s = *dwell, f.limit = static_cast<int>(*limit);
    const auto checked = events::checked_filter(f);
    if (!checked) return send_error(c.res, 400, checked.error().message);
    // Ranking thousands of candidates by likeness is a scan: not on the consoles' connection.
    const bool slow = !checked->similar.empty();
    std::optional<Result<events::SearchOutcome>> found;
    {
      std::lock_guard lock(slow ? slow_mu : store_mu);
      found = search_in(slow ? *slow_store : *store, *checked);
    }
    if (!*found) return send_error(c.res, 500, found->error().message);
    const events::SearchOutcome& outcome = **found;
    // No answer that is not on the record, a refusal included (it says what is stored).
    if (!c.audit(events::search_audit_detail(*checked, reason, outcome)))
      return send_error(c.res, 500, "the search could not be written to the audit log; nothing is shown");
    if (!outcome.refused.empty()) return send_error(c.res, 400, outcome.refused);
    const auto& rows = outcome.tracks;
    std::lock_guard lock(store_mu);  // once for every result's alerts
    json list = json::array();
    for (const auto& [t, distance] : rows) {
      list.push_back(events::track_to_json(t, distance));
      if (!t.thumbnail_path.empty())
        list.back()["thumbnail"] = fmt::format("/api/v1/tracks/{}/{}/{}/thumbnail.jpg", url_encode(t.camera),
                                               url_encode(t.run_id), t.track_id);
      list.back()["alerts"] = alerts_about(t);
    }
    send_json(c.res, {{"tracks", list},
                      {"limit", checked->limit},
                      {"similar_track", outcome.reference},
                      {"candidates_capped", outcome.capped}});
  }

  // A search on `s` (the caller holds its lock): refused when it names a place unknown.
  Result<events::SearchOutcome> search_in(events::Store& s, const events::TrackFilter& f) {
    if (auto unknown = unknown_place(s, f)) {
      events::SearchOutcome refused;
      refused.refused = std::move(*unknown);
      return refused;
    }
    return events::find_tracks(s, f);
  }

  // A zone or line that no camera of the search has and no stored track passed (a typo
  // would find nothing, silently): why, or nothing when every name is known. The store
  // counts: recordings analysed elsewhere, cameras since taken down.
  std::optional<std::string> unknown_place(const events::Store& s, const events::TrackFilter& f) const {
    auto known = [&](const std::string& name, bool zone) {
      for (const auto& [camera, cam] : config.cameras) {
        if (!f.cameras.empty() && std::find(f.cameras.begin(), f.cameras.end(), camera) == f.cameras.end()) continue;
        if (zone ? cam.zones.count(name) > 0 : cam.lines.count(name) > 0) return true;
      }
      const auto stored = s.passage_named(zone, name);
      return !stored || *stored;  // a store that fails here fails the search next, with its error
    };
    if (!f.zone.empty() && !known(f.zone, true))
      return fmt::format("zone '{}' is not a zone of these cameras, and no stored track entered one so named", f.zone);
    if (!f.line.empty() && !known(f.line, false))
      return fmt::format("crossed: '{}' is not a line of these cameras, and no stored track crossed one so named", f.line);
    return std::nullopt;
  }

  // The alerts a track took part in (its run's tracker numbered it): their ids, rules and
  // whether a clip is there, so that a search result leads to the video of that moment.
  // Under store_mu.
  json alerts_about(const events::TrackRow& t) {
    events::AlertFilter f;
    f.camera = t.camera, f.run_id = t.run_id;
    f.since_epoch = t.first_epoch - kLongestAlertBeforeATrack;
    f.before_epoch = t.last_epoch + 1;
    f.limit = 1000;
    json out = json::array();
    const auto rows = store->alerts(f);
    if (!rows) return out;
    for (const auto& a : *rows)
      if (a.run_id == t.run_id && std::find(a.track_ids.begin(), a.track_ids.end(), t.track_id) != a.track_ids.end())
        out.push_back({{"id", a.id}, {"rule", a.rule}, {"start_epoch", a.start_epoch}, {"clip", !a.clip_path.empty()}});
    return out;
  }
  // A group or crowd alert may have begun before a member's track did.
  static constexpr double kLongestAlertBeforeATrack = 3600;

  void track_thumbnail(Call& c) {
    std::optional<Result<std::optional<events::TrackRow>>> t;
    {
      std::lock_guard lock(store_mu);
      t = store->track(c.req.matches[1], c.req.matches[2], std::stoi(c.req.matches[3]));
    }
    if (!*t) return send_error(c.res, 500, t->error().message);
    const std::string path = **t ? (**t)->thumbnail_path : "";
    if (path.empty() || !fs::exists(path)) return send_error(c.res, 404, "no thumbnail for this track");
    c.res.set_content(read_file(path), "image/jpeg");
  }

  void config_view(Call& c) {
    json cams = json::object();
    for (const auto& [name, cam] : config.cameras) {
      json rules = json::array();
      for (const auto& r : cam.rules) rules.push_back({{"name", r.name}, {"type", r.type}});
      cams[name] = {{"input", without_password(cam.input)}, {"analyze_fps", cam.analyze_fps}, {"rules", rules},
                    {"privacy_masks", cam.privacy_masks.size()}, {"zones", cam.zones.size()},
                    {"detector", cam.streams() ? cam.detect.type : ""}, {"reads_plates", cam.plates.read}};
    }
    send_json(c.res, {{"detector", config.detect.type}, {"retention_days", config.store.retention_days},
                      {"cameras", cams}});
  }

  void audit_log(Call& c) {
    const auto limit = number_param(c.req, c.res, "limit", 200, 1, 5000);
    if (!limit) return;
    std::lock_guard lock(slow_mu);
    const auto rows = slow_store->audit_entries(static_cast<int>(*limit), 0);
    const auto check = slow_store->verify_audit();
    json list = json::array();
    if (rows)
      for (const auto& r : *rows)
        list.push_back({{"id", r.id}, {"at_epoch", r.at_epoch}, {"user", r.user}, {"action", r.action},
                        {"detail", r.detail}});
    // ok: nothing found edited, missing or cut; authenticated: the MACs were checked with
    // the key (docs/audit.md).
    send_json(c.res, {{"entries", list},
                      {"chain_ok", check && check->ok},
                      {"chain_authenticated", check && check->authenticated},
                      {"chain_problem", check ? check->problem : check.error().message}});
  }

  void users_list(Call& c) {
    std::lock_guard lock(store_mu);
    json list = json::array();
    if (auto users = store->users())
      for (const auto& [name, role] : *users) list.push_back({{"name", name}, {"role", role}});
    send_json(c.res, list);
  }

  void user_add(Call& c) {
    const json body = json::parse(c.req.body, nullptr, false);
    const auto text = [&](const char* k) { return body.is_object() && body.contains(k) && body[k].is_string(); };
    if (!text("name") || !text("role") || !text("password"))
      return send_error(c.res, 400, "expected {\"name\", \"role\", \"password\"} as strings");
    const std::string name = body["name"], role = body["role"];
    if (const auto why = events::invalid_account_name(name)) return send_error(c.res, 400, *why);
    {
      std::lock_guard lock(store_mu);
      if (auto r = store->add_user(name, role, body["password"], now_epoch()); !r)
        return send_error(c.res, 400, r.error().message);
    }
    c.audit(fmt::format("{} ({})", name, role));
    send_json(c.res, {{"ok", true}}, 201);
  }

  void metrics(Call& c) {
    std::string out;
    auto family = [&](const char* name, const char* type, const char* help) {
      out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
    };
    const std::vector<CameraStatus> all = cameras->local_status();
    struct PerCamera {
      const char *name, *type, *help;
      double (*value)(const CameraStatus&);
    };
    static const PerCamera per_camera[] = {
        {"vigie_camera_online", "gauge", "1 when frames arrived in the last 3 s",
         [](const CameraStatus& s) { return s.online ? 1.0 : 0.0; }},
        {"vigie_camera_fps", "gauge", "Frames analysed per second", [](const CameraStatus& s) { return s.fps; }},
        {"vigie_camera_frames_decoded_total", "counter", "Frames decoded",
         [](const CameraStatus& s) { return double(s.decoded); }},
        {"vigie_camera_frames_analysed_total", "counter", "Frames analysed",
         [](const CameraStatus& s) { return double(s.analysed); }},
        {"vigie_camera_frames_dropped_total", "counter", "Frames dropped because analysis fell behind",
         [](const CameraStatus& s) { return double(s.dropped); }},
        {"vigie_camera_detections_dropped_total", "counter",
         "Frames the shared network did not answer, busy or failing (tracked by prediction)",
         [](const CameraStatus& s) { return double(s.detections_dropped); }},
        {"vigie_camera_queue_depth", "gauge", "Frames waiting between decoding and analysis",
         [](const CameraStatus& s) { return double(s.queue_depth); }},
        {"vigie_camera_reconnections_total", "counter", "Times the stream came back after a loss",
         [](const CameraStatus& s) { return double(s.reconnections); }},
        {"vigie_detector_seconds", "gauge", "Mean detector time per run",
         [](const CameraStatus& s) { return s.detector_ms / 1000; }},
        {"vigie_store_failures_total", "counter", "Alert and track events the store refused (never silent)",
         [](const CameraStatus& s) { return double(s.store_failures); }},
    };
    for (const auto& m : per_camera) {
      family(m.name, m.type, m.help);
      for (const auto& s : all) out += fmt::format("{}{{camera=\"{}\"}} {}\n", m.name, label(s.name), m.value(s));
    }
    family("vigie_alerts_total", "counter", "Alerts raised since the server started");
    for (const auto& s : all)
      for (const auto& [rule, n] : s.alerts)
        out += fmt::format("vigie_alerts_total{{camera=\"{}\",rule=\"{}\"}} {}\n", label(s.name), label(rule), n);
    family("vigie_sse_clients", "gauge", "Consoles connected for live push");
    out += fmt::format("vigie_sse_clients {}\n", sse_clients.load());
    family("vigie_live_streams", "gauge", "Open live streams (live push and full-screen video)");
    out += fmt::format("vigie_live_streams {}\n", streams.open());
    family("vigie_live_streams_refused_total", "counter", "Live streams refused at the per-session or total cap");
    out += fmt::format("vigie_live_streams_refused_total {}\n", streams.refused());
    family("vigie_login_password_checks_total", "counter", "Password checks (unknown accounts are checked too)");
    out += fmt::format("vigie_login_password_checks_total {}\n", login_checks.load());
    family("vigie_http_connections", "gauge", "Open HTTP connections");
    out += fmt::format("vigie_http_connections {}\n", http.open_connections());
    family("vigie_http_connections_refused_total", "counter", "Connections refused at the per-address or total cap");
    out += fmt::format("vigie_http_connections_refused_total {}\n", http.refused_connections());
    c.res.set_content(out, "text/plain; version=0.0.4");
  }
};

Server::Server(Config config) : impl_(std::make_unique<Impl>(std::move(config))) {
  Impl& m = *impl_;
  if (!m.config.server.tls_cert.empty()) {
    std::string error;
    if (!m.http.use_tls(m.config.server.tls_cert, m.config.server.tls_key, error)) throw std::runtime_error(error);
  }
  m.register_routes();
  std::string root = m.config.server.web_root;
  if (root.empty()) root = std::string(VIGIE_SOURCE_DIR) + "/web/dist";
  if (fs::is_directory(root)) {
    // The map's module worker (MapLibre): a browser runs it only as JavaScript.
    m.http.set_file_extension_and_mimetype_mapping("mjs", "text/javascript");
    m.http.set_mount_point("/", root);
  } else {
    m.http.Get("/", [root](const httplib::Request&, httplib::Response& res) {
      res.set_content(fmt::format("<p>vigie: the console is not built ({} is missing): run <code>make web</code>. "
                                  "The API is under /api/v1.</p>", root),
                      "text/html");
    });
  }
}

Server::~Server() { stop(); }

int Server::port() const { return impl_->bound_port; }

bool Server::tls() const { return impl_->http.tls(); }

std::string Server::handle_raw(const std::string& request) { return impl_->http.handle_raw(request); }

bool Server::start(std::string& error) {
  Impl& m = *impl_;
  const auto [host, want] = split_listen(m.config.server.listen);
  m.bound_port = want == 0 ? m.http.bind_to_any_port(host) : (m.http.bind_to_port(host, want) ? want : -1);
  if (m.bound_port <= 0) {
    error = fmt::format("cannot listen on {} (in use, or not an address of this machine)", m.config.server.listen);
    return false;
  }
  m.http.widen_backlog();
  m.cameras->start(m.view_url());
  if (m.config.cluster.role == "api") {
    m.listener = std::make_unique<cluster::AlertListener>(
        m.config.store.url, [&m](const std::string& payload) { m.on_notification(payload); },
        [](const std::string& line) { fmt::print(stderr, "vigie serve: {}\n", line); });
    m.listener->start();
  }
  m.http_thread = std::thread([&m] { m.http.listen_after_bind(); });
  // Until the library marks itself running, its stop() does nothing: a stop() right after
  // start() would leave the accept loop running for ever.
  for (int i = 0; i < 2000 && !m.http.is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  // Camera state to the consoles once a second.
  m.status_thread = std::thread([&m] {
    double photos_checked = 0;
    while (!m.stopping) {
      m.hub.publish("cameras", m.cameras_json().dump());
      if (m.config.cluster.role != "worker" && now_epoch() - photos_checked > Impl::kParkingPhotosEvery) {
        photos_checked = now_epoch();
        m.delete_parking_photos();
      }
      for (int i = 0; i < 10 && !m.stopping; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });
  return true;
}

void Server::stop() {
  Impl& m = *impl_;
  if (m.stopping.exchange(true)) return;
  m.hub.close_all();
  m.http.stop();
  if (m.http_thread.joinable()) m.http_thread.join();
  if (m.status_thread.joinable()) m.status_thread.join();
  if (m.listener) m.listener->stop();
  m.cameras->stop();
}

std::vector<RouteInfo> Server::routes() {
  std::vector<RouteInfo> out;
  for (const auto& r : Impl::table())
    if (r.serves != Impl::Serves::kWorker)  // a single machine's routes
      out.push_back({r.method, r.example, r.needs, r.public_route, r.action, r.audit != Impl::Audit::kNone,
                   r.example_body});
  return out;
}

namespace {
std::atomic<bool> g_stop{false};
extern "C" void on_stop_signal(int) { g_stop = true; }
}  // namespace

int serve(const Config& config) {
  std::unique_ptr<Server> server;
  try {
    server = std::make_unique<Server>(config);
  } catch (const std::exception& e) {
    fmt::print(stderr, "vigie: error: {}\n", e.what());
    return 2;
  }
  std::string error;
  if (!server->start(error)) {
    fmt::print(stderr, "vigie: error: {}\n", error);
    return 2;
  }
  const auto [host, want] = split_listen(config.server.listen);
  const std::string at = fmt::format("{}://{}:{}/", server->tls() ? "https" : "http",
                                     host.find(':') != std::string::npos ? "[" + host + "]" : host, server->port());
  if (config.cluster.role == "worker")
    fmt::print("vigie serve: worker of {} configured cameras (taken by lease); live views at {} (Ctrl-C to stop)\n",
               streaming_cameras(config), at);
  else if (config.cluster.role == "api")
    fmt::print("vigie serve: API node for {} cameras analysed by the workers; console at {} (Ctrl-C to stop)\n",
               streaming_cameras(config), at);
  else
    fmt::print("vigie serve: {} cameras; console at {} (Ctrl-C to stop)\n", streaming_cameras(config), at);
  std::fflush(stdout);
  // Recordings on this machine's disk are deleted past their retention whether or not
  // their camera is still configured, online or here (a worker's cameras move).
  std::unique_ptr<record::RetentionLoop> recording_retention;
  if (config.cluster.role != "api")
    recording_retention = std::make_unique<record::RetentionLoop>(
        config, [](const std::string& line) { fmt::print(stderr, "vigie serve: recordings: {}\n", line); });
  std::signal(SIGINT, on_stop_signal);
  std::signal(SIGTERM, on_stop_signal);
  while (!g_stop) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  fmt::print("vigie serve: stopping\n");
  server->stop();
  return 0;
}

}  // namespace vigie::server
