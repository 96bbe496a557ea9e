// The audio detectors on the synthesised labelled set (scripts/make-audio-set: sox and
// espeak-ng), 10 minutes of background: the floors of docs/BENCHMARKS.md for sound_level
// and impulse — recall >= 0.9 and no false alarm (at most 1 per hour needs zero here).
#include <gtest/gtest.h>


#include <nlohmann/json.hpp>

#include "core/test_data.h"
#include "run.h"

namespace vigie::testing {
namespace {

// Makes a labelled set with a script of scripts/ into a fresh folder and scores the
// default detectors on one of its label files.
nlohmann::json score_set(const std::string& script, int minutes, const std::string& labels) {
  const auto dir = fresh_temp_dir(script);
  const auto make = run(std::string(VIGIE_SOURCE_DIR) + "/scripts/" + script + " " + dir.string() + " " +
                        std::to_string(minutes));
  EXPECT_EQ(make.code, 0) << make.err;
  const auto e = run(vigie_bin() + " eval-audio --json --labels " + (dir / labels).string());
  EXPECT_EQ(e.code, 0) << e.err;
  std::fprintf(stderr, "%s\n", e.out.c_str());
  return e.code == 0 ? nlohmann::json::parse(e.out) : nlohmann::json::object();
}

TEST(AudioSet, SoundLevelAndImpulseMeetTheirFloors) {
  if (run("which sox espeak-ng bc").code != 0) GTEST_SKIP() << "skipped: sox, espeak-ng or bc is not installed";
  const auto j = score_set("make-audio-set", 10, "labels.csv");
  ASSERT_TRUE(j.contains("_audio_hours"));
  ASSERT_GE(j["_audio_hours"].get<double>(), 0.2);
  for (const char* detector : {"sound_level", "impulse"}) {
    EXPECT_GE(j[detector]["recall"].get<double>(), 0.9) << detector;
    EXPECT_LE(j[detector]["false_alarms_per_hour"].get<double>(), 1.0) << detector;
  }
  for (const char* detector : {"scream", "clamour"}) EXPECT_TRUE(j.contains(detector));  // reported, no floor
}

// Recorded screams, crowds and shots (../shared/data/audio/recorded) mixed into street
// backgrounds (scripts/make-recorded-audio-set), scored on the half of the recordings the
// thresholds were not chosen on: the floors of issue 16 with the default settings.
TEST(AudioSet, RecordedSoundsMeetTheirFloorsOnTheTestHalf) {
  if (run("which sox espeak-ng bc").code != 0) GTEST_SKIP() << "skipped: sox, espeak-ng or bc is not installed";
  if (shared_file("audio/recorded").empty())
    GTEST_SKIP() << "skipped: ../shared/data/audio/recorded is absent (the recordings are in ../shared/data)";
  const auto j = score_set("make-recorded-audio-set", 40, "test.csv");
  ASSERT_TRUE(j.contains("_background_hours"));
  ASSERT_GE(j["_background_hours"].get<double>(), 0.3);
  for (const char* detector : {"scream", "clamour", "impulse"}) {
    EXPECT_GE(j[detector]["labels"].get<int>(), 9) << detector;
    EXPECT_GE(j[detector]["recall"].get<double>(), 0.8) << detector;
    EXPECT_LE(j[detector]["false_alarms_per_hour"].get<double>(), 1.0) << detector;
  }
  // 4 s of broadband noise 23 dB over backgrounds of 50-66 dB SPL uncalibrated.
  EXPECT_GE(j["sound_level"]["recall"].get<double>(), 0.8);
  EXPECT_LE(j["sound_level"]["false_alarms_per_hour"].get<double>(), 1.0);
}

TEST(AudioSet, BadLabelsAreAnErrorNamingTheLine) {
  const auto dir = fresh_temp_dir("audio_labels");
  std::ofstream(dir / "labels.csv") << "file,start,end,label\na.wav,1,2,gunshot\n";
  const auto e = run(vigie_bin() + " eval-audio --labels " + (dir / "labels.csv").string());
  EXPECT_EQ(e.code, 2);
  EXPECT_NE(e.err.find("labels.csv:2: label 'gunshot'"), std::string::npos) << e.err;
}

}  // namespace
}  // namespace vigie::testing
