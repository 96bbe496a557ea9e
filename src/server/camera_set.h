// The cameras a node of `vigie serve` shows, by its role (cluster.role):
//   all     every configured camera, analysed here (one machine);
//   worker  the cameras whose leases it holds (src/cluster/leases.h), analysed here, their
//           state written to the lease table and their live views served to API nodes;
//   api     none analysed here: the list comes from the lease table, live views from the
//           worker holding each camera.
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "config/config.h"
#include "server/camera_runner.h"

namespace vigie::server {

class CameraSet {
 public:
  virtual ~CameraSet() = default;
  // `view_url`: where this node's HTTP listener answers (a worker advertises it).
  virtual void start(const std::string& view_url) = 0;
  virtual void stop() = 0;  // stops and joins what runs here
  // Every camera's state for the console (status_json's shape).
  virtual nlohmann::json list() = 0;
  // The newest masked frame of a camera as JPEG; nullptr when there is none (yet), and
  // `known` false when no such camera is configured.
  virtual std::shared_ptr<const std::string> latest_jpeg(const std::string& camera, bool& known) = 0;
  // The cameras analysed in this process (metrics).
  virtual std::vector<CameraStatus> local_status() = 0;
};

// One camera's state as the console and the lease table show it.
nlohmann::json status_json(const CameraStatus& s, const CameraConfig& cam);

struct CameraSetHooks {
  CameraRunner::EventSink on_alert;          // each stored alert event of a camera analysed here
  std::function<void()> on_state_change;     // a camera here went online, offline, …
  std::function<void(const std::string&)> log;
};

// The set for config.cluster.role. `view_token`: the secret an API node shows a worker to
// fetch its live views (derived from the audit key).
std::unique_ptr<CameraSet> make_camera_set(const Config& config, CameraSetHooks hooks, const std::string& view_token);

// The path under which a worker serves a camera's newest frame to API nodes.
std::string internal_frame_path(const std::string& camera);

}  // namespace vigie::server
