// Alerts on an MQTT broker, as established NVRs publish them: on `<prefix>/events` the
// alert message of events/alert_schema.h (`schema`, `type` new | update | end, `alert`,
// and `before`: the alert as the previous message gave it), plus a retained count per
// camera and rule on `<prefix>/<camera>/<rule>/alerts`. Messages go out as the rules raise
// them, before the store is read back: `status` is always "" and `snapshot`/`clip` say no
// media yet (the API has them).
//
// Publishing never blocks analysis: libmosquitto's own thread does the network work and
// reconnects; messages are QoS 1. Not thread-safe: one publisher per analysis thread.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <string>

#include "config/config.h"
#include "core/result.h"
#include "events/store.h"
#include "rules/rules.h"

struct mosquitto;

namespace vigie::bus {

class MqttPublisher {
 public:
  // Connects (and keeps reconnecting) to the broker. Fails if the first connection does,
  // with a message naming the broker.
  static Result<std::unique_ptr<MqttPublisher>> connect(const MqttConfig& config);
  ~MqttPublisher();

  void publish(const rules::AlertEvent& event);
  // Waits up to `timeout_ms` for the broker to acknowledge what was published.
  bool flush(int timeout_ms);
  int failures() const { return failures_; }

 private:
  explicit MqttPublisher(MqttConfig config) : config_(std::move(config)) {}
  void send(const std::string& topic, const std::string& payload, bool retain);

  mosquitto* client_ = nullptr;
  std::atomic<int> unacknowledged_{0};  // QoS 1 messages the broker has not acknowledged yet
  MqttConfig config_;
  std::map<std::string, events::AlertRow> last_;  // alert id -> as last published, for `before`
  std::map<std::string, int> counts_;             // camera/rule -> alerts started
  int failures_ = 0;
};

}  // namespace vigie::bus
