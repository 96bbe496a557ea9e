#include "eval/audio_eval.h"

#include <gtest/gtest.h>

namespace vigie::eval {
namespace {

audio::Detection alert(const std::string& type, double at) { return {type, type, at, at + 0.5, -20}; }

// One 60 s file with a scream at 10-12 s and a crowd at 30-40 s: each alert is a match,
// a duplicate, an alert on the other event, or a false alarm, and false alarms count
// per hour of the audio farther than 0.5 s from every event (46 s here).
TEST(AudioScore, SortsEveryAlertAndCountsFalseAlarmsOnBackgroundOnly) {
  const std::vector<AudioLabel> labels = {
      {"a.wav", 0, 60, "none"}, {"a.wav", 10, 12, "scream"}, {"a.wav", 30, 40, "clamour"}};
  const std::map<std::string, std::vector<audio::Detection>> found = {
      {"a.wav",
       {alert("scream", 10.2), alert("scream", 11.5), alert("scream", 33), alert("scream", 50), alert("clamour", 30.1)}}};
  const auto r = score_audio(labels, found, {{"a.wav", 60}}, {"scream", "clamour"});
  EXPECT_NEAR(r.hours * 3600, 60, 1e-9);
  EXPECT_NEAR(r.background_hours * 3600, 46, 1e-9);
  const auto& s = r.by_detector.at("scream");
  EXPECT_EQ(s.alerts, 4);
  EXPECT_EQ(s.matched_alerts, 1);
  EXPECT_EQ(s.duplicates, 1);
  EXPECT_EQ(s.other_event_alerts, 1);
  EXPECT_EQ(s.false_alarms, 1);
  EXPECT_NEAR(s.precision, 1.0 / 3, 1e-9);  // duplicates are neither right nor wrong
  EXPECT_NEAR(s.false_alarms_per_hour, 3600.0 / 46, 1e-9);
  EXPECT_EQ(r.by_detector.at("clamour").recall, 1.0);
  ASSERT_EQ(r.findings.size(), 3u);  // the duplicate, the other event, the false alarm
  EXPECT_EQ(r.findings.back().what, "false_alarm");
  EXPECT_EQ(r.findings.back().at_s, 50);
}

TEST(AudioScore, AMissedLabelIsListed) {
  const std::vector<AudioLabel> labels = {{"b.wav", 3, 4, "impulse"}};
  const auto r = score_audio(labels, {{"b.wav", {}}}, {{"b.wav", 8}}, {"impulse"});
  EXPECT_EQ(r.by_detector.at("impulse").recall, 0);
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].what, "missed");
}

}  // namespace
}  // namespace vigie::eval
