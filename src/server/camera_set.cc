#include "server/camera_set.h"

#include <fmt/format.h>
#include <httplib.h>
#include <opencv2/core/utility.hpp>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>

#include "cluster/leases.h"
#include "events/store.h"
#include "output/alert_output.h"

namespace vigie::server {
namespace {

using nlohmann::json;

double steady_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// A camera of the config with a stream (not a scancar's plate-reading camera).
bool is_stream(const Config& config, const std::string& camera) {
  const auto it = config.cameras.find(camera);
  return it != config.cameras.end() && it->second.streams();
}

std::vector<std::string> camera_names(const Config& config) {
  std::vector<std::string> names;
  for (const auto& [name, cam] : config.cameras)
    if (cam.streams()) names.push_back(name);  // a scancar's camera sends photos by round, not a stream
  return names;
}

cluster::NodeSettings node_settings(const Config& config, const std::string& view_url) {
  cluster::NodeSettings s;
  s.url = config.store.url;
  s.node = config.cluster.node;
  s.role = config.cluster.role;
  s.view_url = view_url;
  s.lease_s = config.cluster.lease_s;
  s.claim_grace_s = config.cluster.claim_grace_s;
  return s;
}

// Sleeps up to `seconds`, waking early when `stop` is set.
void nap(const std::atomic<bool>& stop, double seconds) {
  for (int i = 0; i < seconds * 10 && !stop; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
}

// all: every configured camera, here.
class LocalCameras : public CameraSet {
 public:
  LocalCameras(const Config& config, const CameraSetHooks& hooks) {
    for (const auto& [name, cam] : config.cameras) {
      if (!cam.streams()) continue;  // a scancar's camera sends photos by round, not a stream
      runners_.push_back(std::make_unique<CameraRunner>(config, cam, hooks.on_alert));
      runners_.back()->on_state_change = hooks.on_state_change;
    }
  }
  void start(const std::string&) override {
    for (auto& r : runners_) r->start();
  }
  void stop() override {
    for (auto& r : runners_) r->stop();
  }
  json list() override {
    json out = json::array();
    for (auto& r : runners_) out.push_back(status_json(r->status(), r->camera()));
    return out;
  }
  std::shared_ptr<const std::string> latest_jpeg(const std::string& camera, bool& known) override {
    for (auto& r : runners_)
      if (r->camera().name == camera) return known = true, r->latest_jpeg();
    known = false;
    return nullptr;
  }
  std::vector<CameraStatus> local_status() override {
    std::vector<CameraStatus> out;
    for (auto& r : runners_) out.push_back(r->status());
    return out;
  }

 private:
  std::vector<std::unique_ptr<CameraRunner>> runners_;
};

// worker: the cameras whose leases this node holds, started and stopped as leases come
// and go (one round a second).
class LeasedCameras : public CameraSet {
 public:
  LeasedCameras(const Config& config, CameraSetHooks hooks) : config_(config), hooks_(std::move(hooks)) {}
  ~LeasedCameras() override { stop(); }

  void start(const std::string& view_url) override {
    leases_ = std::make_unique<cluster::Leases>(node_settings(config_, view_url));
    thread_ = std::thread([this] {
      std::string last_problem;
      while (!stop_) {
        try {
          const auto r = leases_->round(camera_names(config_), statuses(), steady_s());
          if (r.problem != last_problem && !r.problem.empty()) hooks_.log("leases: " + r.problem);
          if (r.problem.empty() && !last_problem.empty()) hooks_.log("leases: the store is back");
          last_problem = r.problem;
          follow(r.held);
        } catch (const std::exception& e) {  // a round that failed is tried again, the node goes on
          hooks_.log(std::string("leases: ") + e.what());
        }
        nap(stop_, 1);
      }
    });
    sweeper_ = std::thread([this] { sweep_outboxes(); });
  }
  void stop() override {
    if (stop_.exchange(true)) return;
    if (thread_.joinable()) thread_.join();
    if (sweeper_.joinable()) sweeper_.join();
    follow({});                               // every camera stopped (its alerts ended and stored) …
    for (auto& s : stoppers_) s.thread.join();
    if (leases_) leases_->release_all();      // … before anyone else may take it
  }
  json list() override {
    json out = json::array();
    for (auto& r : snapshot()) out.push_back(status_json(r->status(), r->camera()));
    return out;
  }
  std::shared_ptr<const std::string> latest_jpeg(const std::string& camera, bool& known) override {
    known = is_stream(config_, camera);
    std::lock_guard lock(mu_);
    const auto it = runners_.find(camera);
    return it == runners_.end() ? nullptr : it->second->latest_jpeg();
  }
  std::vector<CameraStatus> local_status() override {
    std::vector<CameraStatus> out;
    for (auto& r : snapshot()) out.push_back(r->status());
    return out;
  }

 private:
  std::vector<std::shared_ptr<CameraRunner>> snapshot() {
    std::lock_guard lock(mu_);
    std::vector<std::shared_ptr<CameraRunner>> out;
    for (auto& [name, r] : runners_) out.push_back(r);
    return out;
  }
  std::map<std::string, std::string> statuses() {
    std::map<std::string, std::string> out;
    for (auto& r : snapshot()) out[r->camera().name] = status_json(r->status(), r->camera()).dump();
    return out;
  }
  // Runners started for cameras newly held, stopped for cameras no longer held.
  void follow(const std::set<std::string>& held) {
    std::vector<std::shared_ptr<CameraRunner>> gone;
    {
      std::lock_guard lock(mu_);
      for (auto it = runners_.begin(); it != runners_.end();)
        if (!held.count(it->first)) {
          gone.push_back(it->second);
          it = runners_.erase(it);
        } else {
          ++it;
        }
      for (const auto& name : held)
        if (!runners_.count(name) && config_.cameras.count(name)) {
          auto r = std::make_shared<CameraRunner>(config_, config_.cameras.at(name), hooks_.on_alert);
          r->on_state_change = hooks_.on_state_change;
          r->start();
          runners_[name] = r;
          if (!stop_) hooks_.log(fmt::format("camera {}: analysed here", name));
        }
    }
    if (gone.empty()) return;
    for (auto& r : gone)
      if (!stop_) hooks_.log(fmt::format("camera {}: another worker holds it now; stopped here", r->camera().name));
    // Stopped on a thread of their own: ending a run (its open alerts, its outbox) can take
    // seconds, and the lease thread must go on beating meanwhile.
    std::erase_if(stoppers_, [](Stopper& s) {
      if (!*s.done) return false;
      s.thread.join();
      return true;
    });
    auto done = std::make_shared<std::atomic<bool>>(false);
    stoppers_.push_back({std::thread([gone, done] {
                           for (auto& r : gone) r->stop();
                           *done = true;
                         }),
                         done});
  }

  // Every 30 s, the outboxes no camera here has open (a camera now analysed by another
  // worker, written while the store was away) are delivered: they would wait for ever.
  void sweep_outboxes() {
    std::unique_ptr<events::Store> store;
    while (!stop_) {
      nap(stop_, 30);
      if (stop_) break;
      try {
        if (!store) {
          auto s = events::Store::open(config_.store.location(), config_.store.audit_key);
          if (!s) continue;
          store = std::move(s.value());
        }
        if (const size_t n = output::deliver_orphan_outboxes(config_, *store); n > 0)
          hooks_.log(fmt::format("{} writes delivered from the outboxes of cameras analysed elsewhere", n));
      } catch (const std::exception& e) {
        hooks_.log(std::string("outboxes: ") + e.what());
      }
    }
  }

  Config config_;
  CameraSetHooks hooks_;
  std::unique_ptr<cluster::Leases> leases_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<CameraRunner>> runners_;
  struct Stopper {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };
  std::vector<Stopper> stoppers_;  // lease thread only (and stop(), after it ended)
  std::atomic<bool> stop_{false};
  std::thread thread_, sweeper_;
};

// api: the lease table's view of every camera (read once a second), live views fetched
// from the worker holding the camera.
class ClusterCameras : public CameraSet {
 public:
  ClusterCameras(const Config& config, CameraSetHooks hooks, std::string view_token)
      : config_(config), hooks_(std::move(hooks)), token_(std::move(view_token)),
        leases_(node_settings(config, "")) {}
  ~ClusterCameras() override { stop(); }

  void start(const std::string&) override {
    thread_ = std::thread([this] {
      std::string last_problem;
      while (!stop_) {
        try {
          const auto r = leases_.round({}, {}, steady_s());  // this node's heartbeat
          auto table = leases_.leases();
          const std::string problem = !r.problem.empty() ? r.problem : table ? "" : table.error().message;
          if (problem != last_problem && !problem.empty()) hooks_.log("cameras: " + problem);
          last_problem = problem;
          if (table) {
            std::lock_guard lock(mu_);
            table_.clear();
            for (auto& l : *table) table_[l.camera] = l;
          }
        } catch (const std::exception& e) {
          hooks_.log(std::string("cameras: ") + e.what());
        }
        nap(stop_, 1);
      }
    });
  }
  void stop() override {
    if (stop_.exchange(true)) return;
    if (thread_.joinable()) thread_.join();
    leases_.release_all();
  }
  json list() override {
    std::lock_guard lock(mu_);
    json out = json::array();
    for (const auto& [name, cam] : config_.cameras) {
      if (!cam.streams()) continue;
      const auto it = table_.find(name);
      json s = it != table_.end() && it->second.held ? json::parse(it->second.status, nullptr, false) : json();
      if (!s.is_object() || !s.contains("name")) {
        CameraStatus st;
        st.name = name, st.state = "unassigned", st.error = "no worker holds this camera";
        s = status_json(st, cam);
      }
      s["worker"] = it != table_.end() && it->second.held ? it->second.worker : "";
      out.push_back(s);
    }
    return out;
  }
  std::shared_ptr<const std::string> latest_jpeg(const std::string& camera, bool& known) override {
    known = is_stream(config_, camera);
    std::string url;
    {
      std::lock_guard lock(mu_);
      const auto it = table_.find(camera);
      if (!known || it == table_.end() || !it->second.held) return nullptr;
      url = it->second.view_url;
      // One fetch per camera per 150 ms, however many consoles watch it.
      auto& c = cache_[camera];
      if (c.jpeg && steady_s() - c.at_s < 0.15) return c.jpeg;
    }
    auto jpeg = fetch(url, camera);
    std::lock_guard lock(mu_);
    cache_[camera] = {jpeg, steady_s()};
    return jpeg;
  }
  std::vector<CameraStatus> local_status() override { return {}; }

 private:
  std::shared_ptr<const std::string> fetch(const std::string& url, const std::string& camera) {
    httplib::Client client(url);
    client.set_connection_timeout(2, 0);
    client.set_read_timeout(2, 0);
    const auto res = client.Get(internal_frame_path(camera), {{"Authorization", "Bearer " + token_}});
    if (res && res->status == 401 && !told_refused_.exchange(true))
      hooks_.log(fmt::format("live views: {} refuses this node's secret: every node needs the same store.audit_key",
                             url));
    if (!res || res->status != 200) return nullptr;
    return std::make_shared<const std::string>(res->body);
  }

  struct Cached {
    std::shared_ptr<const std::string> jpeg;
    double at_s = 0;
  };
  Config config_;
  CameraSetHooks hooks_;
  std::string token_;
  cluster::Leases leases_;
  std::mutex mu_;
  std::map<std::string, cluster::CameraLease> table_;
  std::map<std::string, Cached> cache_;
  std::atomic<bool> told_refused_{false};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace

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

std::string internal_frame_path(const std::string& camera) {
  std::string encoded;
  for (const unsigned char c : camera)
    encoded += std::isalnum(c) || c == '-' || c == '_' || c == '.' ? std::string(1, static_cast<char>(c))
                                                                    : fmt::format("%{:02X}", c);
  return "/internal/v1/cameras/" + encoded + "/frame.jpg";
}

std::unique_ptr<CameraSet> make_camera_set(const Config& config, CameraSetHooks hooks, const std::string& view_token) {
  // Each camera analysed here has its threads; OpenCV's own pool on top of them (one
  // thread per core for each parallel loop of each camera) oversubscribes the machine: 30
  // cameras on 2 cores ran at a load of 74 with it, 7 without (make soak), and a dead
  // worker's cameras took 16 s instead of 4 to be analysed elsewhere.
  if (config.cluster.role != "api" && config.cameras.size() > 1) cv::setNumThreads(1);
  if (config.cluster.role == "worker") return std::make_unique<LeasedCameras>(config, std::move(hooks));
  if (config.cluster.role == "api") return std::make_unique<ClusterCameras>(config, std::move(hooks), view_token);
  return std::make_unique<LocalCameras>(config, hooks);
}

}  // namespace vigie::server
