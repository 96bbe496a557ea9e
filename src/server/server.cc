#include "server/server.h"

#include <fmt/format.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "events/store.h"
#include "server/camera_runner.h"
#include "server/hub.h"

namespace vigie::server {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

double now_epoch() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

constexpr const char* kCookie = "vigie_session";

json alert_json(const events::AlertRow& a) {
  const bool audio = a.clip_path.ends_with(".wav");
  return {{"id", a.id},
          {"camera", a.camera},
          {"rule", a.rule},
          {"rule_type", a.rule_type},
          {"where", a.where},
          {"detail", a.detail},
          {"tracks", a.track_ids},
          {"start_epoch", a.start_epoch},
          {"last_epoch", a.last_epoch},
          {"end_epoch", a.end_epoch ? json(*a.end_epoch) : json()},
          {"peak", a.peak},
          {"status", a.status},
          {"snapshot", !a.snapshot_path.empty()},
          {"clip", a.clip_path.empty() ? json() : json(audio ? "audio" : "video")},
          {"box", {a.box.x, a.box.y, a.box.w, a.box.h}}};
}

json status_json(const CameraStatus& s, const CameraConfig& cam) {
  json j = {{"name", s.name},       {"online", s.online},   {"state", s.state},
            {"error", s.error},     {"fps", s.fps},         {"decoded", s.decoded},
            {"analysed", s.analysed}, {"dropped", s.dropped}, {"queue_depth", s.queue_depth},
            {"last_frame_epoch", s.last_frame_epoch},       {"detector_ms", s.detector_ms},
            {"reconnections", s.reconnections},             {"alerts", s.alerts}};
  if (cam.geo.set)
    j["geo"] = {{"lat", cam.geo.lat}, {"lon", cam.geo.lon}, {"heading", cam.geo.heading_deg},
                {"fov", cam.geo.fov_deg}, {"range", cam.geo.range_m}};
  return j;
}

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

}  // namespace

struct Server::Impl {
  Config config;
  std::unique_ptr<events::Store> store;  // HTTP side; each camera writes through its own
  std::mutex store_mu;
  EventHub hub;
  Sessions sessions;
  LoginLimiter limiter;
  std::vector<std::unique_ptr<CameraRunner>> cameras;
  httplib::Server http;
  std::thread http_thread, status_thread;
  std::atomic<bool> stopping{false};
  int bound_port = 0;
  // (session token, camera) pairs whose live tiles were already audited.
  std::mutex seen_mu;
  std::set<std::pair<std::string, std::string>> live_seen;
  std::atomic<int64_t> sse_clients{0};

  explicit Impl(Config c)
      : config(std::move(c)), sessions(config.server.session_hours * 3600),
        limiter(config.server.login_attempts, config.server.login_window_s) {
    auto s = events::Store::open(config.store.path);
    if (!s) throw std::runtime_error(s.error().message);
    store = std::move(s.value());
    for (const auto& [name, cam] : config.cameras) {
      cameras.push_back(std::make_unique<CameraRunner>(
          config, cam, [this](const rules::AlertEvent& e, const Frame* f) { on_alert(e, f); }));
      cameras.back()->on_state_change = [this] { hub.publish("cameras", cameras_json().dump()); };
    }
  }

  // --- helpers ------------------------------------------------------------------

  void audit(const std::string& user, const std::string& action, const std::string& detail) {
    std::lock_guard lock(store_mu);
    if (auto r = store->audit(user, action, detail, now_epoch()); !r)
      fmt::print(stderr, "vigie serve: audit failed: {}\n", r.error().message);
  }

  static void send_json(httplib::Response& res, const json& j, int status = 200) {
    res.status = status;
    res.set_content(j.dump(), "application/json");
  }

  static void send_error(httplib::Response& res, int status, const std::string& message) {
    send_json(res, {{"error", message}}, status);
  }

  // The session of the request if it has one that allows `need`; else answers 401/403.
  std::optional<Session> guard(const httplib::Request& req, httplib::Response& res, std::optional<Permission> need) {
    const auto token = cookie_value(req.get_header_value("Cookie"), kCookie);
    const auto s = token.empty() ? std::nullopt : sessions.find(token, now_epoch());
    if (!s) {
      send_error(res, 401, "log in first");
      return std::nullopt;
    }
    if (need && !role_allows(s->role, *need)) {
      send_error(res, 403, fmt::format("the {} role may not use {}", s->role, permission_name(*need)));
      return std::nullopt;
    }
    return s;
  }

  CameraRunner* camera(const std::string& name) {
    for (auto& c : cameras)
      if (c->camera().name == name) return c.get();
    return nullptr;
  }

  std::optional<events::AlertRow> alert(const std::string& id) {
    events::AlertFilter f;
    f.id = id;
    std::lock_guard lock(store_mu);
    auto rows = store->alerts(f);
    if (!rows || rows->empty()) return std::nullopt;
    return rows->front();
  }

  void on_alert(const rules::AlertEvent& e, const Frame* frame) {
    const auto row = alert(e.alert_id);
    if (!row) return;
    const char* type = e.phase == rules::Phase::kStart ? "new" : e.phase == rules::Phase::kEnd ? "end" : "update";
    json msg = {{"type", type}, {"alert", alert_json(*row)}, {"sent_epoch", now_epoch()}};
    if (frame && frame->wall_epoch > 0) msg["frame_epoch"] = frame->wall_epoch;
    hub.publish("alert", msg.dump());
  }

  json cameras_json() {
    json list = json::array();
    for (auto& c : cameras) list.push_back(status_json(c->status(), c->camera()));
    return list;
  }

  // --- routes -------------------------------------------------------------------

  void routes() {
    http.Get("/api/v1/health", [this](const httplib::Request&, httplib::Response& res) {
      int online = 0;
      for (auto& c : cameras) online += c->status().online;
      send_json(res, {{"status", "ok"}, {"cameras", cameras.size()}, {"online", online}});
    });
    http.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) { metrics(res); });

    http.Post("/api/v1/login", [this](const httplib::Request& req, httplib::Response& res) { login(req, res); });
    http.Post("/api/v1/logout", [this](const httplib::Request& req, httplib::Response& res) {
      const auto s = guard(req, res, std::nullopt);
      if (!s) return;
      sessions.remove(s->token);
      audit(s->user, "logout", "");
      res.set_header("Set-Cookie", fmt::format("{}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0", kCookie));
      send_json(res, {{"ok", true}});
    });
    http.Get("/api/v1/session", [this](const httplib::Request& req, httplib::Response& res) {
      if (const auto s = guard(req, res, std::nullopt))
        send_json(res, {{"user", s->user}, {"role", s->role}, {"expires_epoch", s->expires_epoch}});
    });

    http.Get("/api/v1/cameras", [this](const httplib::Request& req, httplib::Response& res) {
      if (guard(req, res, Permission::kLive)) send_json(res, cameras_json());
    });
    http.Get(R"(/api/v1/cameras/([^/]+)/frame\.jpg)", [this](const httplib::Request& req, httplib::Response& res) {
      live_frame(req, res);
    });
    http.Get(R"(/api/v1/cameras/([^/]+)/live)", [this](const httplib::Request& req, httplib::Response& res) {
      live_mjpeg(req, res);
    });

    // The city model's layers for the map (files written by `vigie city coverage --geojson-dir`).
    http.Get(R"(/api/v1/city/(segments|viewsheds|cameras)\.geojson)",
             [this](const httplib::Request& req, httplib::Response& res) {
               if (!guard(req, res, Permission::kLive)) return;
               const auto file = fs::path(config.server.city_layers) / (std::string(req.matches[1]) + ".geojson");
               if (config.server.city_layers.empty() || !fs::exists(file))
                 return send_error(res, 404, "no city layers (server.city_layers)");
               res.set_content(read_file(file.string()), "application/geo+json");
             });
    http.Get("/api/v1/events", [this](const httplib::Request& req, httplib::Response& res) { events(req, res); });

    http.Get(R"(/api/v1/alerts/(.+)/snapshot)", [this](const httplib::Request& req, httplib::Response& res) {
      media(req, res, false);
    });
    http.Get(R"(/api/v1/alerts/(.+)/clip)", [this](const httplib::Request& req, httplib::Response& res) {
      media(req, res, true);
    });
    http.Post(R"(/api/v1/alerts/(.+)/actions)", [this](const httplib::Request& req, httplib::Response& res) {
      action(req, res);
    });
    http.Get(R"(/api/v1/alerts/(.+))", [this](const httplib::Request& req, httplib::Response& res) {
      const auto s = guard(req, res, Permission::kAlerts);
      if (!s) return;
      const auto a = alert(req.matches[1]);
      if (!a) return send_error(res, 404, fmt::format("no alert '{}'", std::string(req.matches[1])));
      audit(s->user, "alert_view", a->id);
      json j = alert_json(*a);
      std::lock_guard lock(store_mu);
      json acts = json::array();
      if (auto rows = store->actions(a->id))
        for (const auto& r : *rows)
          acts.push_back({{"action", r.action}, {"note", r.note}, {"user", r.user}, {"at_epoch", r.at_epoch}});
      j["actions"] = acts;
      send_json(res, j);
    });
    http.Get("/api/v1/alerts", [this](const httplib::Request& req, httplib::Response& res) { alerts(req, res); });
    http.Get("/api/v1/export/alerts.csv", [this](const httplib::Request& req, httplib::Response& res) {
      export_csv(req, res);
    });

    http.Get("/api/v1/stats", [this](const httplib::Request& req, httplib::Response& res) { stats(req, res); });
    http.Get("/api/v1/config", [this](const httplib::Request& req, httplib::Response& res) {
      const auto s = guard(req, res, Permission::kConfig);
      if (!s) return;
      json cams = json::object();
      for (const auto& [name, c] : config.cameras) {
        json rules = json::array();
        for (const auto& r : c.rules) rules.push_back({{"name", r.name}, {"type", r.type}});
        cams[name] = {{"input", c.input}, {"analyze_fps", c.analyze_fps}, {"rules", rules},
                      {"privacy_masks", c.privacy_masks.size()}, {"zones", c.zones.size()}};
      }
      send_json(res, {{"detector", config.detect.type}, {"retention_days", config.store.retention_days},
                      {"cameras", cams}});
    });
    http.Get("/api/v1/audit", [this](const httplib::Request& req, httplib::Response& res) {
      if (!guard(req, res, Permission::kAudit)) return;
      const int limit = req.has_param("limit") ? std::atoi(req.get_param_value("limit").c_str()) : 200;
      std::lock_guard lock(store_mu);
      const auto rows = store->audit_entries(std::clamp(limit, 1, 5000), 0);
      const auto check = store->verify_audit();
      json list = json::array();
      if (rows)
        for (const auto& r : *rows)
          list.push_back({{"id", r.id}, {"at_epoch", r.at_epoch}, {"user", r.user}, {"action", r.action},
                          {"detail", r.detail}});
      send_json(res, {{"entries", list}, {"chain_ok", check && check->ok}});
    });
    http.Get("/api/v1/users", [this](const httplib::Request& req, httplib::Response& res) {
      if (!guard(req, res, Permission::kAccounts)) return;
      std::lock_guard lock(store_mu);
      json list = json::array();
      if (auto users = store->users())
        for (const auto& [name, role] : *users) list.push_back({{"name", name}, {"role", role}});
      send_json(res, list);
    });
    http.Post("/api/v1/users", [this](const httplib::Request& req, httplib::Response& res) {
      const auto s = guard(req, res, Permission::kAccounts);
      if (!s) return;
      const json body = json::parse(req.body, nullptr, false);
      const auto text = [&](const char* k) { return body.is_object() && body.contains(k) && body[k].is_string(); };
      if (!text("name") || !text("role") || !text("password"))
        return send_error(res, 400, "expected {\"name\", \"role\", \"password\"} as strings");
      std::lock_guard lock(store_mu);
      if (auto r = store->add_user(body["name"], body["role"], body["password"], now_epoch()); !r)
        return send_error(res, 400, r.error().message);
      store->audit(s->user, "user_add", fmt::format("{} ({})", body["name"].get<std::string>(),
                                                   body["role"].get<std::string>()), now_epoch());
      send_json(res, {{"ok", true}}, 201);
    });
  }

  void login(const httplib::Request& req, httplib::Response& res) {
    const json body = json::parse(req.body, nullptr, false);
    if (!body.is_object() || !body.contains("name") || !body.contains("password") || !body["name"].is_string() ||
        !body["password"].is_string())
      return send_error(res, 400, "expected {\"name\": …, \"password\": …}");
    const std::string name = body["name"], password = body["password"];
    const double now = now_epoch();
    const std::string by_addr = "addr:" + req.remote_addr, by_name = "name:" + name;
    if (const double wait = std::max(limiter.retry_after(by_addr, now), limiter.retry_after(by_name, now)); wait > 0) {
      res.set_header("Retry-After", fmt::format("{:.0f}", std::ceil(wait)));
      audit(name, "login_refused", fmt::format("too many failures, from {}", req.remote_addr));
      return send_error(res, 429, fmt::format("too many failed logins: wait {:.0f} s", std::ceil(wait)));
    }
    std::optional<std::string> role;
    {
      std::lock_guard lock(store_mu);
      auto r = store->check_password(name, password);
      if (!r) return send_error(res, 500, r.error().message);
      role = *r;
    }
    if (!role) {
      limiter.failed(by_addr, now);
      limiter.failed(by_name, now);
      audit(name, "login_failed", fmt::format("from {}", req.remote_addr));
      return send_error(res, 401, "wrong name or password");
    }
    limiter.succeeded(by_name);
    const Session s = sessions.create(name, *role, now);
    audit(name, "login", fmt::format("role {}, from {}", *role, req.remote_addr));
    res.set_header("Set-Cookie", fmt::format("{}={}; Path=/; HttpOnly; SameSite=Strict; Max-Age={:.0f}", kCookie,
                                             s.token, config.server.session_hours * 3600));
    send_json(res, {{"user", name}, {"role", *role}});
  }

  void live_frame(const httplib::Request& req, httplib::Response& res) {
    const auto s = guard(req, res, Permission::kLive);
    if (!s) return;
    CameraRunner* cam = camera(req.matches[1]);
    if (!cam) return send_error(res, 404, "no such camera");
    {
      // A tile refreshes several times a second: its opening is audited once a session.
      std::lock_guard lock(seen_mu);
      if (live_seen.insert({s->token, cam->camera().name}).second) audit(s->user, "live_view", cam->camera().name);
    }
    const auto jpeg = cam->latest_jpeg();
    if (!jpeg) return send_error(res, 503, "no frame yet");
    res.set_header("Cache-Control", "no-store");
    res.set_content(*jpeg, "image/jpeg");
  }

  void live_mjpeg(const httplib::Request& req, httplib::Response& res) {
    const auto s = guard(req, res, Permission::kLive);
    if (!s) return;
    CameraRunner* cam = camera(req.matches[1]);
    if (!cam) return send_error(res, 404, "no such camera");
    audit(s->user, "live_view", cam->camera().name + " (full screen)");
    res.set_header("Cache-Control", "no-store");
    res.set_chunked_content_provider(
        "multipart/x-mixed-replace; boundary=vigieframe", [this, cam](size_t, httplib::DataSink& sink) {
          std::shared_ptr<const std::string> last;
          while (!stopping) {
            if (!sink.is_writable()) return false;  // the viewer left (even while the camera is silent)
            const auto jpeg = cam->latest_jpeg();
            if (jpeg && jpeg != last) {
              last = jpeg;
              const std::string head =
                  fmt::format("--vigieframe\r\nContent-Type: image/jpeg\r\nContent-Length: {}\r\n\r\n", jpeg->size());
              if (!sink.write(head.data(), head.size()) || !sink.write(jpeg->data(), jpeg->size()) ||
                  !sink.write("\r\n", 2))
                return false;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
          }
          sink.done();
          return true;
        });
  }

  void events(const httplib::Request& req, httplib::Response& res) {
    if (!guard(req, res, Permission::kAlerts)) return;
    auto sub = hub.subscribe();
    ++sse_clients;
    res.set_header("Cache-Control", "no-store");
    res.set_header("X-Accel-Buffering", "no");
    // The first message carries the cameras' state, so a console needs no second request.
    const std::string hello = "event: cameras\ndata: " + cameras_json().dump() + "\n\n";
    res.set_chunked_content_provider(
        "text/event-stream",
        [this, sub, hello, first = true](size_t, httplib::DataSink& sink) mutable {
          if (first) {
            first = false;
            return sink.write(hello.data(), hello.size());
          }
          if (stopping || sub->closed()) {
            sink.done();
            return true;
          }
          // A comment every 10 s keeps proxies and browsers from timing the stream out.
          const auto m = sub->next(std::chrono::seconds(10));
          const std::string out = m ? *m : std::string(": keep-alive\n\n");
          return sink.write(out.data(), out.size());
        },
        [this, sub](bool) {
          hub.unsubscribe(sub);
          --sse_clients;
        });
  }

  void media(const httplib::Request& req, httplib::Response& res, bool clip) {
    const auto s = guard(req, res, Permission::kAlerts);
    if (!s) return;
    const auto a = alert(req.matches[1]);
    const std::string path = a ? (clip ? a->clip_path : a->snapshot_path) : "";
    if (path.empty() || !fs::exists(path)) return send_error(res, 404, "no such file");
    if (clip) audit(s->user, "clip_play", a->id);
    const std::string type = path.ends_with(".wav") ? "audio/wav" : path.ends_with(".mp4") ? "video/mp4" : "image/jpeg";
    res.set_content(read_file(path), type.c_str());
  }

  void action(const httplib::Request& req, httplib::Response& res) {
    const auto s = guard(req, res, Permission::kAlerts);
    if (!s) return;
    const std::string id = req.matches[1];
    const json body = json::parse(req.body, nullptr, false);
    if (!body.is_object() || !body.contains("action") || !body["action"].is_string())
      return send_error(res, 400, "expected {\"action\": \"acknowledge\"|\"false_alarm\"|\"dispatch\", \"note\": …}");
    const std::string act = body["action"];
    const std::string note = body.contains("note") && body["note"].is_string() ? body["note"].get<std::string>() : "";
    {
      std::lock_guard lock(store_mu);
      if (auto r = store->record_action(id, act, note, s->user, now_epoch()); !r)
        return send_error(res, r.error().message.starts_with("no alert") ? 404 : 400, r.error().message);
      store->audit(s->user, "action", fmt::format("{} {}{}", act, id, note.empty() ? "" : ": " + note), now_epoch());
    }
    const auto a = alert(id);
    if (a) hub.publish("alert", json{{"type", "action"}, {"alert", alert_json(*a)}, {"by", s->user}}.dump());
    send_json(res, {{"ok", true}, {"alert", a ? alert_json(*a) : json()}});
  }

  // The alert filter of a request's parameters; answers 400 (and gives none) for a bad number.
  std::optional<events::AlertFilter> filter_of(const httplib::Request& req, httplib::Response& res) {
    events::AlertFilter f;
    f.camera = req.get_param_value("camera");
    f.rule = req.get_param_value("rule");
    auto num = [&](const char* key, double fallback) {
      return req.has_param(key) ? std::stod(req.get_param_value(key)) : fallback;
    };
    try {
      f.since_epoch = num("since", 0);
      f.before_epoch = num("before", 0);
      f.limit = static_cast<int>(std::clamp(num("limit", 50), 1.0, 1000.0));
      f.offset = static_cast<int>(std::max(0.0, num("offset", 0)));
    } catch (const std::exception&) {
      send_error(res, 400, "since, before, limit and offset are numbers");
      return std::nullopt;
    }
    return f;
  }

  void alerts(const httplib::Request& req, httplib::Response& res) {
    if (!guard(req, res, Permission::kAlerts)) return;
    auto parsed = filter_of(req, res);
    if (!parsed) return;
    events::AlertFilter f = *parsed;
    std::lock_guard lock(store_mu);
    const auto rows = store->alerts(f);
    if (!rows) return send_error(res, 500, rows.error().message);
    json list = json::array();
    for (const auto& a : *rows) list.push_back(alert_json(a));
    send_json(res, {{"alerts", list}, {"limit", f.limit}, {"offset", f.offset}});
  }

  void export_csv(const httplib::Request& req, httplib::Response& res) {
    const auto s = guard(req, res, Permission::kStats);
    if (!s) return;
    auto parsed = filter_of(req, res);
    if (!parsed) return;
    events::AlertFilter f = *parsed;
    f.limit = 100000;
    std::lock_guard lock(store_mu);
    const auto rows = store->alerts(f);
    if (!rows) return send_error(res, 500, rows.error().message);
    std::string csv = "id,camera,rule,start_epoch,end_epoch,status\n";
    for (const auto& a : *rows)
      csv += fmt::format("\"{}\",\"{}\",\"{}\",{:.3f},{},{}\n", a.id, a.camera, a.rule, a.start_epoch,
                         a.end_epoch ? fmt::format("{:.3f}", *a.end_epoch) : "", a.status);
    store->audit(s->user, "export", fmt::format("alerts.csv: {} rows (camera '{}', rule '{}')", rows->size(),
                                                f.camera, f.rule), now_epoch());
    res.set_header("Content-Disposition", "attachment; filename=\"alerts.csv\"");
    res.set_content(csv, "text/csv");
  }

  void stats(const httplib::Request& req, httplib::Response& res) {
    if (!guard(req, res, Permission::kStats)) return;
    const double since = req.has_param("since") ? std::atof(req.get_param_value("since").c_str()) : now_epoch() - 86400;
    std::lock_guard lock(store_mu);
    const auto rows = store->rule_stats(since);
    if (!rows) return send_error(res, 500, rows.error().message);
    json list = json::array();
    for (const auto& r : *rows) {
      json hours = json::array();
      for (const auto& [h, n] : r.per_hour) hours.push_back({{"hour_epoch", h * 3600}, {"alerts", n}});
      const int decided = r.confirmed + r.false_alarms;
      list.push_back({{"rule", r.rule}, {"alerts", r.alerts}, {"confirmed", r.confirmed},
                      {"false_alarms", r.false_alarms}, {"open", r.open},
                      {"precision", decided ? json(double(r.confirmed) / decided) : json()}, {"per_hour", hours}});
    }
    send_json(res, {{"since_epoch", since}, {"rules", list}});
  }

  void metrics(httplib::Response& res) {
    std::string out;
    auto family = [&](const char* name, const char* type, const char* help) {
      out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
    };
    std::vector<CameraStatus> all;
    for (auto& c : cameras) all.push_back(c->status());
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
        {"vigie_camera_queue_depth", "gauge", "Frames waiting between decoding and analysis",
         [](const CameraStatus& s) { return double(s.queue_depth); }},
        {"vigie_camera_reconnections_total", "counter", "Times the stream came back after a loss",
         [](const CameraStatus& s) { return double(s.reconnections); }},
        {"vigie_detector_seconds", "gauge", "Mean detector time per run",
         [](const CameraStatus& s) { return s.detector_ms / 1000; }},
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
    res.set_content(out, "text/plain; version=0.0.4");
  }
};

Server::Server(Config config) : impl_(std::make_unique<Impl>(std::move(config))) {}

Server::~Server() { stop(); }

int Server::port() const { return impl_->bound_port; }

bool Server::start(std::string& error) {
  Impl& m = *impl_;
  m.routes();
  // SSE and MJPEG streams hold a worker each: leave room for them and for the API.
  m.http.new_task_queue = [] { return new httplib::ThreadPool(64); };
  m.http.set_keep_alive_max_count(1000);
  std::string root = m.config.server.web_root;
  if (root.empty()) root = std::string(VIGIE_SOURCE_DIR) + "/web/dist";
  if (fs::is_directory(root)) {
    m.http.set_mount_point("/", root);
  } else {
    m.http.Get("/", [root](const httplib::Request&, httplib::Response& res) {
      res.set_content(fmt::format("<p>vigie: the console is not built ({} is missing): run <code>make web</code>. "
                                  "The API is under /api/v1.</p>", root),
                      "text/html");
    });
  }
  const auto colon = m.config.server.listen.rfind(':');
  const std::string host = m.config.server.listen.substr(0, colon);
  const int want = std::atoi(m.config.server.listen.substr(colon + 1).c_str());
  m.bound_port = want == 0 ? m.http.bind_to_any_port(host) : (m.http.bind_to_port(host, want) ? want : -1);
  if (m.bound_port <= 0) {
    error = fmt::format("cannot listen on {} (in use, or not an address of this machine)", m.config.server.listen);
    return false;
  }
  for (auto& c : m.cameras) c->start();
  m.http_thread = std::thread([&m] { m.http.listen_after_bind(); });
  // Camera state to the consoles once a second.
  m.status_thread = std::thread([&m] {
    while (!m.stopping) {
      m.hub.publish("cameras", m.cameras_json().dump());
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
  for (auto& c : m.cameras) c->stop();
}

std::vector<RouteInfo> Server::routes() {
  using P = Permission;
  return {
      {"GET", "/api/v1/health", std::nullopt, true},
      {"GET", "/metrics", std::nullopt, true},
      {"POST", "/api/v1/logout", std::nullopt, false},
      {"GET", "/api/v1/session", std::nullopt, false},
      {"GET", "/api/v1/cameras", P::kLive, false},
      {"GET", "/api/v1/cameras/cam/frame.jpg", P::kLive, false},
      {"GET", "/api/v1/cameras/cam/live", P::kLive, false},
      {"GET", "/api/v1/events", P::kAlerts, false},
      {"GET", "/api/v1/city/segments.geojson", P::kLive, false},
      {"GET", "/api/v1/alerts", P::kAlerts, false},
      {"GET", "/api/v1/alerts/cam%2Fr%2F1", P::kAlerts, false},
      {"GET", "/api/v1/alerts/cam%2Fr%2F1/snapshot", P::kAlerts, false},
      {"GET", "/api/v1/alerts/cam%2Fr%2F1/clip", P::kAlerts, false},
      {"POST", "/api/v1/alerts/cam%2Fr%2F1/actions", P::kAlerts, false},
      {"GET", "/api/v1/export/alerts.csv", P::kStats, false},
      {"GET", "/api/v1/stats", P::kStats, false},
      {"GET", "/api/v1/config", P::kConfig, false},
      {"GET", "/api/v1/audit", P::kAudit, false},
      {"GET", "/api/v1/users", P::kAccounts, false},
      {"POST", "/api/v1/users", P::kAccounts, false},
  };
}

namespace {
std::atomic<bool> g_stop{false};
extern "C" void on_stop_signal(int) { g_stop = true; }
}  // namespace

int serve(const Config& config) {
  Server server(config);
  std::string error;
  if (!server.start(error)) {
    fmt::print(stderr, "vigie: error: {}\n", error);
    return 2;
  }
  const auto colon = config.server.listen.rfind(':');
  fmt::print("vigie serve: {} cameras; console at http://{}:{}/ (Ctrl-C to stop)\n", config.cameras.size(),
             config.server.listen.substr(0, colon), server.port());
  std::fflush(stdout);
  std::signal(SIGINT, on_stop_signal);
  std::signal(SIGTERM, on_stop_signal);
  while (!g_stop) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  fmt::print("vigie serve: stopping\n");
  server.stop();
  return 0;
}

}  // namespace vigie::server
