// The clothing colour names on the labelled crops of examples/colour-labels (PETS09-S2L1
// and ABODA): issue 13's floor, so that a regression fails CI.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/test_data.h"
#include "run.h"

namespace vigie::testing {
namespace {

std::string labels() { return std::string(VIGIE_SOURCE_DIR) + "/examples/colour-labels/people.csv"; }

std::string videos() {
  return " --video pets09=" + vtest_avi() + " --video aboda=" + shared_file("abandoned/ABODA-video4/video4.avi");
}

TEST(ColourLabels, UpperAndLowerBodyNamesMeetTheFloor) {
  VIGIE_REQUIRE_FILE(vtest_avi(), "vtest.avi (Debian package opencv-doc)");
  VIGIE_REQUIRE_FILE(shared_file("abandoned/ABODA-video4/video4.avi"), "../shared/data/abandoned/ABODA-video4");
  const auto r = run(vigie_bin() + " eval-colours --json --labels " + labels() + videos());
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  std::fprintf(stderr, "colours: %s\n", j.dump().c_str());
  EXPECT_EQ(j["crops"].get<int>(), 84);
  // Measured 0.952 and 0.869 (docs/BENCHMARKS.md); issue 13's goal is 0.85 each. The
  // naming is deterministic on these frames: one crop less on either side fails.
  EXPECT_GE(j["upper_accuracy"].get<double>(), 0.95);
  EXPECT_GE(j["lower_accuracy"].get<double>(), 0.86);
}

TEST(ColourLabels, BadInputIsAUsageErrorWithItsCause) {
  VIGIE_REQUIRE_FILE(vtest_avi(), "vtest.avi (Debian package opencv-doc)");
  const auto dir = fresh_temp_dir("colour_labels");
  const auto bad = (dir / "bad.csv").string();
  std::ofstream(bad) << "pets09,10,0,0,20,60,beige,blue\n";
  auto r = run(vigie_bin() + " eval-colours --labels " + bad + " --video pets09=" + vtest_avi());
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("'beige' is not a colour name"), std::string::npos) << r.err;

  const auto ok = (dir / "ok.csv").string();
  std::ofstream(ok) << "pets09,10,0,0,20,60,red,blue\nother,1,0,0,20,60,red,blue\n";
  r = run(vigie_bin() + " eval-colours --labels " + ok + " --video pets09=" + vtest_avi());
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("video 'other' was not given"), std::string::npos) << r.err;

  std::ofstream(ok) << "pets09,100000,0,0,20,60,red,blue\n";
  r = run(vigie_bin() + " eval-colours --labels " + ok + " --video pets09=" + vtest_avi());
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("has no frame 100000"), std::string::npos) << r.err;

  r = run(vigie_bin() + " eval-colours --labels " + ok + " --video pets09");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("expected NAME=FILE"), std::string::npos) << r.err;

  r = run(vigie_bin() + " eval-colours --labels " + ok + " --video pets09=" + (dir / "none.avi").string());
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("none.avi"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace vigie::testing
