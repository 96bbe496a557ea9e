#include "bus/mqtt.h"

#include <fmt/format.h>
#include <mosquitto.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <chrono>
#include <mutex>
#include <thread>

#include "events/alert_schema.h"

namespace vigie::bus {
namespace {

std::once_flag g_init;  // mosquitto_lib_init, once per process

double now_epoch() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

Result<std::unique_ptr<MqttPublisher>> MqttPublisher::connect(const MqttConfig& config) {
  std::call_once(g_init, [] { mosquitto_lib_init(); });
  const std::string id = config.client_id.empty() ? fmt::format("vigie-{}", getpid()) : config.client_id;
  std::unique_ptr<MqttPublisher> self(new MqttPublisher(config));
  mosquitto* client = mosquitto_new(id.c_str(), true, self.get());
  if (!client) return Error{"cannot create an MQTT client"};
  mosquitto_publish_callback_set(client, [](mosquitto*, void* me, int) {
    --static_cast<MqttPublisher*>(me)->unacknowledged_;
  });
  mosquitto_reconnect_delay_set(client, 1, 30, true);
  int rc = mosquitto_connect(client, config.host.c_str(), config.port, 30);
  if (rc != MOSQ_ERR_SUCCESS) {
    mosquitto_destroy(client);
    return Error{fmt::format("cannot connect to the MQTT broker {}:{}: {}", config.host, config.port,
                             rc == MOSQ_ERR_ERRNO ? std::strerror(errno) : mosquitto_strerror(rc))};
  }
  if ((rc = mosquitto_loop_start(client)) != MOSQ_ERR_SUCCESS) {
    mosquitto_destroy(client);
    return Error{fmt::format("MQTT: {}", mosquitto_strerror(rc))};
  }
  self->client_ = client;
  return self;
}

MqttPublisher::~MqttPublisher() {
  if (!client_) return;
  flush(2000);
  mosquitto_disconnect(client_);
  mosquitto_loop_stop(client_, false);
  mosquitto_destroy(client_);
}

void MqttPublisher::send(const std::string& topic, const std::string& payload, bool retain) {
  ++unacknowledged_;
  const int rc = mosquitto_publish(client_, nullptr, topic.c_str(), static_cast<int>(payload.size()), payload.data(),
                                   1, retain);
  if (rc != MOSQ_ERR_SUCCESS) --unacknowledged_, ++failures_;
}

void MqttPublisher::publish(const rules::AlertEvent& e) {
  events::AlertMessage m;
  m.type = events::change_of(e.phase), m.alert = events::alert_row_of(e), m.sent_epoch = now_epoch();
  m.with_before = true;
  if (auto it = last_.find(e.alert_id); it != last_.end()) m.before = it->second;
  send(config_.topic_prefix + "/events", events::alert_message(m).dump(), false);
  if (e.phase == rules::Phase::kEnd) last_.erase(e.alert_id);
  else last_[e.alert_id] = std::move(m.alert);
  if (e.phase == rules::Phase::kStart) {
    const int n = ++counts_[e.camera + "/" + e.rule];
    send(fmt::format("{}/{}/{}/alerts", config_.topic_prefix, e.camera, e.rule), std::to_string(n), true);
  }
}

bool MqttPublisher::flush(int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (unacknowledged_ > 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  return unacknowledged_ <= 0;
}

}  // namespace vigie::bus
