// Alerts on a real MQTT broker: mosquitto started on loopback, a subscriber listening,
// `vigie analyze` publishing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>
#include <sstream>

#include "core/test_data.h"
#include "events/alert_schema.h"
#include "run.h"
#include "scenes.h"

namespace vigie::testing {
namespace {
namespace fs = std::filesystem;

TEST(Mqtt, AlertsArePublishedAsNewAndEndWithACount) {
  if (run("test -x /usr/sbin/mosquitto && which mosquitto_sub").code != 0)
    GTEST_SKIP() << "skipped: mosquitto and mosquitto-clients are not installed";
  const auto dir = fresh_temp_dir("mqtt");
  const int port = free_port();
  std::ofstream(dir / "broker.conf") << "listener " << port << " 127.0.0.1\nallow_anonymous true\nlog_dest none\n";
  Background broker({"/usr/sbin/mosquitto", "-c", (dir / "broker.conf").string()}, port);
  ASSERT_TRUE(broker.started() && port_open(port)) << "mosquitto did not start";

  // The subscriber stops after 3 messages (new, the count, end) or 30 s.
  const std::string messages = (dir / "messages.txt").string();
  const std::string sub = "mosquitto_sub -h 127.0.0.1 -p " + std::to_string(port) + " -t 'vigie/#' -v -C 3 -W 30 > " +
                          messages + " &";
  run(sub);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // subscribed before anything is published

  write_walking_clip(dir / "walk.avi");
  std::ofstream(dir / "site.yaml") << "store: { path: " << (dir / "a.db").string() << ", media: "
                                   << (dir / "media").string() << ", clip_pre_s: 0, clip_post_s: 0 }\n"
                                   << "mqtt: { host: 127.0.0.1, port: " << port << " }\n"
                                   << "detect: { type: motion }\n"
                                   << "cameras:\n  street:\n    input: walk.avi\n"
                                   << "    lines: { mid: { points: [[160, 0], [160, 240]] } }\n"
                                   << "    rules: [ { type: line_crossing, line: mid, objects: [object] } ]\n";
  const auto a = run(vigie_bin() + " analyze --quiet --config " + (dir / "site.yaml").string());
  ASSERT_EQ(a.code, 0) << a.err;
  auto lines = [&] {
    const std::string text = slurp(messages);
    return std::count(text.begin(), text.end(), '\n');
  };
  for (int i = 0; i < 100 && lines() < 3; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));

  std::ifstream in(messages);
  std::vector<std::pair<std::string, std::string>> got;
  std::string line;
  while (std::getline(in, line)) got.emplace_back(line.substr(0, line.find(' ')), line.substr(line.find(' ') + 1));
  ASSERT_EQ(got.size(), 3u) << slurp(messages);
  EXPECT_EQ(got[0].first, "vigie/events");
  const auto first = nlohmann::json::parse(got[0].second);
  // The schema's message, the same alert as the API's (events/alert_schema.h).
  EXPECT_EQ(events::check_alert_message(first), "") << got[0].second;
  EXPECT_EQ(first["schema"], events::alert_schema_id());
  EXPECT_EQ(first["type"], "new");
  EXPECT_TRUE(first["before"].is_null());
  EXPECT_EQ(first["alert"]["rule"], "line_crossing:mid");
  EXPECT_TRUE(first["alert"]["end_epoch"].is_null());
  EXPECT_EQ(got[1], std::make_pair(std::string("vigie/street/line_crossing:mid/alerts"), std::string("1")));
  const auto last = nlohmann::json::parse(got[2].second);
  EXPECT_EQ(events::check_alert_message(last), "") << got[2].second;
  EXPECT_EQ(last["type"], "end");
  EXPECT_EQ(last["before"], first["alert"]);
  EXPECT_FALSE(last["alert"]["end_epoch"].is_null());
}

TEST(Mqtt, AnUnreachableBrokerIsAnErrorNamingIt) {
  const auto dir = fresh_temp_dir("mqtt_down");
  write_walking_clip(dir / "walk.avi");
  std::ofstream(dir / "site.yaml") << "store: { path: " << (dir / "a.db").string() << ", media: "
                                   << (dir / "media").string() << " }\nmqtt: { host: 127.0.0.1, port: 9 }\n"
                                   << "cameras: { s: { input: walk.avi, zones: { z: [[0,0],[10,0],[10,10]] }, "
                                      "rules: [ { type: zone_intrusion, zone: z } ] } }\n";
  const auto a = run(vigie_bin() + " analyze --quiet --config " + (dir / "site.yaml").string());
  EXPECT_EQ(a.code, 2);
  EXPECT_THAT(a.err, ::testing::HasSubstr("MQTT broker 127.0.0.1:9"));
}

}  // namespace
}  // namespace vigie::testing
