// The audio detectors on the synthesised labelled set (scripts/make-audio-set: sox and
// espeak-ng), 10 minutes of background: the floors of docs/BENCHMARKS.md for sound_level
// and impulse — recall >= 0.9 and no false alarm (at most 1 per hour needs zero here).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/test_data.h"
#include "run.h"

namespace vigie::testing {
namespace {

TEST(AudioSet, SoundLevelAndImpulseMeetTheirFloors) {
  if (run("which sox espeak-ng bc").code != 0) GTEST_SKIP() << "skipped: sox, espeak-ng or bc is not installed";
  const auto dir = fresh_temp_dir("audio_set");
  const auto make = run(std::string(VIGIE_SOURCE_DIR) + "/scripts/make-audio-set " + dir.string() + " 10");
  ASSERT_EQ(make.code, 0) << make.err;
  const auto e = run(vigie_bin() + " eval-audio --json --labels " + (dir / "labels.csv").string());
  ASSERT_EQ(e.code, 0) << e.err;
  const auto j = nlohmann::json::parse(e.out);
  std::fprintf(stderr, "%s\n", j.dump().c_str());
  ASSERT_GE(j["_audio_hours"].get<double>(), 0.2);
  for (const char* detector : {"sound_level", "impulse"}) {
    EXPECT_GE(j[detector]["recall"].get<double>(), 0.9) << detector;
    EXPECT_LE(j[detector]["false_alarms_per_hour"].get<double>(), 1.0) << detector;
  }
  for (const char* detector : {"scream", "clamour"}) EXPECT_TRUE(j.contains(detector));  // reported, no floor
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
