// The whole pipeline on real footage, scored against the MOTChallenge ground truth: the
// accuracy floors of docs/BENCHMARKS.md, so that a regression fails CI.
#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include <nlohmann/json.hpp>

#include "core/test_data.h"
#include "run.h"

namespace vigie::testing {
namespace {
namespace fs = std::filesystem;

struct Scores {
  double mota = 0, idf1 = 0;
  nlohmann::json rules;  // eval-rules --json on examples/pets09/site.yaml
};

std::string example_config() { return std::string(VIGIE_SOURCE_DIR) + "/examples/pets09/site.yaml"; }

Scores analyse_and_score(const std::string& extra_args, const std::string& name) {
  const fs::path tracks = fs::temp_directory_path() / ("vigie_pets_" + name + ".txt");
  const auto a = run(vigie_bin() + " analyze " + vtest_avi() + " --quiet --tracks " + tracks.string() + " " + extra_args);
  EXPECT_EQ(a.code, 0) << a.err;
  const auto e = run(vigie_bin() + " eval-mot --json --gt " + shared_file("mot/PETS09-S2L1/gt/gt.txt") +
                     " --tracks " + tracks.string());
  EXPECT_EQ(e.code, 0) << e.err;
  const auto j = nlohmann::json::parse(e.out);
  std::fprintf(stderr, "%s: %s\n", name.c_str(), j.dump().c_str());
  const auto r = run(vigie_bin() + " eval-rules --json --config " + example_config() + " --gt " +
                     shared_file("mot/PETS09-S2L1/gt/gt.txt") + " --tracks " + tracks.string());
  EXPECT_EQ(r.code, 0) << r.err;
  std::fprintf(stderr, "%s rules: %s\n", name.c_str(), r.out.c_str());
  return {j["mota"].get<double>(), j["idf1"].get<double>(), nlohmann::json::parse(r.out)};
}

// One run of the onnx pipeline (a minute of CPU) checked against both floors: tracking
// (MOTA, IDF1) and every rule of the example config (F1, alerts on the pipeline's tracks
// against alerts on the ground truth).
TEST(Pets09, OnnxPipelineMeetsTheAccuracyFloors) {
  VIGIE_REQUIRE_FILE(vtest_avi(), "vtest.avi (Debian package opencv-doc)");
  VIGIE_REQUIRE_FILE(shared_file("mot/PETS09-S2L1/gt/gt.txt"), "../shared/data/mot/PETS09-S2L1/gt/gt.txt");
  VIGIE_REQUIRE_FILE(shared_file("models/yolox_nano.onnx"), "../shared/data/models/yolox_nano.onnx");
  const Scores s = analyse_and_score("--detector onnx --model " + shared_file("models/yolox_nano.onnx"), "onnx");
  // Measured 0.845 and 0.835 (docs/BENCHMARKS.md); issue 18's goal is 0.85 and 0.80.
  EXPECT_GE(s.mota, 0.83);
  EXPECT_GE(s.idf1, 0.80);
  ASSERT_EQ(s.rules.size(), 5u) << "the example config has one rule of each kind but abandoned_object";
  for (const auto& [rule, score] : s.rules.items()) {
    EXPECT_GT(score["gt_alerts"].get<int>(), 0) << rule << ": the ground truth must exercise the rule";
    EXPECT_GE(score["f1"].get<double>(), 0.85) << rule;
  }
}

// The network shared by a process's cameras, asked only about the tracks and the motion
// they do not explain, crops packed on one input (issue 12's floors: MOTA 0.80, IDF1
// 0.75; measured 0.827 and 0.810, docs/BENCHMARKS.md).
TEST(Pets09, SharedNetworkOnUnexplainedMotionMeetsTheFloors) {
  VIGIE_REQUIRE_FILE(vtest_avi(), "vtest.avi (Debian package opencv-doc)");
  VIGIE_REQUIRE_FILE(shared_file("mot/PETS09-S2L1/gt/gt.txt"), "../shared/data/mot/PETS09-S2L1/gt/gt.txt");
  VIGIE_REQUIRE_FILE(shared_file("models/yolox_nano.onnx"), "../shared/data/models/yolox_nano.onnx");
  const fs::path config = fresh_temp_dir("pets_unexplained") / "site.yaml";
  std::ofstream(config) << "detect:\n  type: onnx\n  model: " << fs::absolute(shared_file("models/yolox_nano.onnx")).string()
                        << "\n  regions: unexplained\n";
  const Scores s = analyse_and_score("--config " + config.string(), "onnx-unexplained");
  EXPECT_GE(s.mota, 0.80);
  EXPECT_GE(s.idf1, 0.75);
}

// The default, with no model file: HOG people on moving regions (issue 18's floor MOTA
// 0.60, goal 0.70; measured 0.82, docs/BENCHMARKS.md). Line crossing and zone intrusion
// are held to F1 0.85. The others are held to what one alert more or less gives
// (BENCHMARKS says why): crowd finds 3 of its 4 alerts (0.857); loitering finds one of
// two (0.667: the second loiterer dwells 6.4 s against the rule's 6); the two
// ground-truth groups share two members and overlap in time, and the rule sees one
// group or two as one of the two people talking by the sign post is found or not.
TEST(Pets09, PeoplePipelineMeetsTheModelFreeFloors) {
  VIGIE_REQUIRE_FILE(vtest_avi(), "vtest.avi (Debian package opencv-doc)");
  VIGIE_REQUIRE_FILE(shared_file("mot/PETS09-S2L1/gt/gt.txt"), "../shared/data/mot/PETS09-S2L1/gt/gt.txt");
  const Scores s = analyse_and_score("", "people");  // the default detector
  EXPECT_GE(s.mota, 0.70);
  EXPECT_GE(s.idf1, 0.70);
  ASSERT_EQ(s.rules.size(), 5u) << "the example config has one rule of each kind but abandoned_object";
  const std::map<std::string, double> floor = {{"line_crossing:path_crossing", 0.85},
                                               {"zone_intrusion:east_path", 0.85},
                                               {"crowd:east_path", 0.75},
                                               {"loitering:signpost", 0.6},
                                               {"group", 0.6}};
  for (const auto& [rule, score] : s.rules.items()) {
    ASSERT_TRUE(floor.count(rule)) << rule;
    EXPECT_GE(score["f1"].get<double>(), floor.at(rule)) << rule;
  }
}

TEST(Pets09, MotionPipelineStaysAboveItsRecordedFloor) {
  VIGIE_REQUIRE_FILE(vtest_avi(), "vtest.avi (Debian package opencv-doc)");
  VIGIE_REQUIRE_FILE(shared_file("mot/PETS09-S2L1/gt/gt.txt"), "../shared/data/mot/PETS09-S2L1/gt/gt.txt");
  const Scores s = analyse_and_score("--detector motion", "motion");
  // Recorded in docs/BENCHMARKS.md; the model-free detector merges people who walk close
  // together, so it stays well below the model's numbers.
  EXPECT_GE(s.mota, MOTION_MOTA_FLOOR);
  EXPECT_GE(s.idf1, MOTION_IDF1_FLOOR);
}

// Our evaluator against the independent one in ../shared/tools (Python, numpy, scipy).
TEST(Pets09, EvalMotAgreesWithTheIndependentEvaluator) {
  VIGIE_REQUIRE_FILE(vtest_avi(), "vtest.avi (Debian package opencv-doc)");
  const std::string gt = shared_file("mot/PETS09-S2L1/gt/gt.txt");
  VIGIE_REQUIRE_FILE(gt, "../shared/data/mot/PETS09-S2L1/gt/gt.txt");
  const std::string tool = shared_file("../tools/moteval.py");
  VIGIE_REQUIRE_FILE(tool, "../shared/tools/moteval.py");
  if (run("/usr/bin/python3 -c 'import numpy, scipy'").code != 0)
    GTEST_SKIP() << "skipped: python3-numpy and python3-scipy are not installed";
  const fs::path tracks = fs::temp_directory_path() / "vigie_pets_crosscheck.txt";
  ASSERT_EQ(run(vigie_bin() + " analyze " + vtest_avi() + " --quiet --tracks " + tracks.string()).code, 0);  // the default detector
  const auto ours = nlohmann::json::parse(run(vigie_bin() + " eval-mot --json --gt " + gt + " --tracks " + tracks.string()).out);
  const auto theirs = run("/usr/bin/python3 " + tool + " " + gt + " " + tracks.string());
  ASSERT_EQ(theirs.code, 0) << theirs.err;
  auto field = [&](const std::string& key) {
    const auto at = theirs.out.find(key + "=");
    return std::stod(theirs.out.substr(at + key.size() + 1));
  };
  EXPECT_NEAR(ours["mota"].get<double>(), field("MOTA"), 1e-3) << theirs.out;
  EXPECT_NEAR(ours["idf1"].get<double>(), field("IDF1"), 1e-3) << theirs.out;
  EXPECT_EQ(ours["fp"].get<double>(), field("FP"));
  EXPECT_EQ(ours["fn"].get<double>(), field("FN"));
  EXPECT_EQ(ours["id_switches"].get<double>(), field("IDSW"));
}

}  // namespace
}  // namespace vigie::testing
