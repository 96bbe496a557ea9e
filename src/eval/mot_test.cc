#include "eval/mot.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

namespace vigie::eval {
namespace {
using ::testing::HasSubstr;

std::vector<MotRow> rows(const std::string& text) {
  std::istringstream in(text);
  auto r = parse_mot(in, "test");
  EXPECT_TRUE(r) << r.error().message;
  return r ? r.value() : std::vector<MotRow>{};
}

// Found by fuzz/mot_fuzz.cc: an id of 5.6e55 was converted to int (undefined behaviour).
TEST(EvalMot, FrameOrIdOutOfRangeIsAnError) {
  for (const char* line : {"1,5555555555555555555555,1,1,1,1\n", "1e300,1,1,1,1,1\n", "1,-3e9,1,1,1,1\n"}) {
    std::istringstream in(line);
    const auto r = parse_mot(in, "gt.txt");
    ASSERT_FALSE(r) << line;
    EXPECT_THAT(r.error().message, HasSubstr("gt.txt:1: frame or id out of range"));
  }
}

TEST(EvalMot, PerfectTracking) {
  const auto gt = rows("1,1,0,0,10,10,1\n2,1,2,0,10,10,1\n1,2,50,50,10,10,1\n");
  const auto m = evaluate_mot(gt, gt);
  EXPECT_DOUBLE_EQ(m.mota, 1.0);
  EXPECT_DOUBLE_EQ(m.motp, 1.0);
  EXPECT_DOUBLE_EQ(m.idf1, 1.0);
  EXPECT_EQ(m.tp, 3);
  EXPECT_EQ(m.mostly_tracked, 2);
}

TEST(EvalMot, FalsePositiveAndMiss) {
  // Frame 1: GT box matched. Frame 2: the hypothesis is off target (IoU < 0.5):
  // one miss and one false positive. MOTA = 1 - (1 + 1) / 2 = 0.
  const auto gt = rows("1,1,0,0,10,10,1\n2,1,0,0,10,10,1\n");
  const auto hyp = rows("1,7,0,0,10,10\n2,7,6,0,10,10\n");
  const auto m = evaluate_mot(gt, hyp);
  EXPECT_EQ(m.tp, 1);
  EXPECT_EQ(m.fp, 1);
  EXPECT_EQ(m.fn, 1);
  EXPECT_DOUBLE_EQ(m.mota, 0.0);
  EXPECT_DOUBLE_EQ(m.precision, 0.5);
  EXPECT_DOUBLE_EQ(m.idf1, 2.0 * 1 / (2 + 2));
}

TEST(EvalMot, IdentitySwitchCountsOnceAndHalvesIdf1) {
  // One person for 4 frames, tracked as id 1 then id 2.
  const auto gt = rows("1,1,0,0,10,10,1\n2,1,0,0,10,10,1\n3,1,0,0,10,10,1\n4,1,0,0,10,10,1\n");
  const auto hyp = rows("1,1,0,0,10,10\n2,1,0,0,10,10\n3,2,0,0,10,10\n4,2,0,0,10,10\n");
  const auto m = evaluate_mot(gt, hyp);
  EXPECT_EQ(m.id_switches, 1);
  EXPECT_DOUBLE_EQ(m.mota, 0.75);
  EXPECT_DOUBLE_EQ(m.idf1, 0.5);  // IDTP 2 of 4 + 4
  EXPECT_DOUBLE_EQ(m.idp, 0.5);
  EXPECT_DOUBLE_EQ(m.idr, 0.5);
}

TEST(EvalMot, ExistingCorrespondenceIsKeptOverABetterNewOne) {
  // Frame 2: hyp 1 still overlaps GT 1 (IoU 0.6) although hyp 2 overlaps perfectly. The
  // devkit keeps hyp 1: no switch, and hyp 2 is a false positive.
  const auto gt = rows("1,1,0,0,10,10,1\n2,1,0,0,10,10,1\n");
  const auto hyp = rows("1,1,0,0,10,10\n2,1,0,0,10,6\n2,2,0,0,10,10\n");
  const auto m = evaluate_mot(gt, hyp);
  EXPECT_EQ(m.id_switches, 0);
  EXPECT_EQ(m.fp, 1);
  EXPECT_EQ(m.tp, 2);
  EXPECT_NEAR(m.motp, (1.0 + 0.6) / 2, 1e-6);
}

TEST(EvalMot, OptimalNotGreedyMatchingWithinAFrame) {
  // Greedy by best IoU would pair GT 1 with hyp B and leave GT 2 unmatched.
  const auto gt = rows("1,1,0,0,10,10,1\n1,2,4,0,10,10,1\n");
  const auto hyp = rows("1,10,-3,0,10,10\n1,11,2,0,10,10\n");
  const auto m = evaluate_mot(gt, hyp);
  EXPECT_EQ(m.tp, 2);
  EXPECT_EQ(m.fn, 0);
}

TEST(EvalMot, HypothesesOnIgnoredRowsAreNeitherTpNorFp) {
  const auto gt = rows("1,1,0,0,10,10,1\n1,2,50,50,10,10,0\n");
  const auto hyp = rows("1,1,0,0,10,10\n1,2,50,50,10,10\n1,3,90,90,10,10\n");
  const auto m = evaluate_mot(gt, hyp);
  EXPECT_EQ(m.gt, 1);
  EXPECT_EQ(m.tp, 1);
  EXPECT_EQ(m.fp, 1);  // only the box at 90,90
  EXPECT_EQ(m.hyp, 2);
  EXPECT_DOUBLE_EQ(m.mota, 0.0);
}

TEST(EvalMot, SwitchIsCountedAfterAGap) {
  // GT 1 matched to hyp 1, missed on frame 2, then matched to hyp 2: a switch.
  const auto gt = rows("1,1,0,0,10,10,1\n2,1,0,0,10,10,1\n3,1,0,0,10,10,1\n");
  const auto hyp = rows("1,1,0,0,10,10\n3,2,0,0,10,10\n");
  const auto m = evaluate_mot(gt, hyp);
  EXPECT_EQ(m.id_switches, 1);
  EXPECT_EQ(m.fn, 1);
}

TEST(EvalMot, MalformedLineNamesFileAndLine) {
  std::istringstream in("1,1,0,0,10,10,1\n2,1,zero\n");
  const auto r = parse_mot(in, "gt.txt");
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().message, HasSubstr("gt.txt:2:"));
}

TEST(EvalMot, FrameZeroIsRefused) {
  std::istringstream in("0,1,0,0,10,10,1\n");
  EXPECT_FALSE(parse_mot(in, "t.txt"));
}

TEST(EvalMot, WriteThenReadRoundTrips) {
  std::ostringstream out;
  write_mot_row(out, {12, 3, {1.5f, 2.25f, 30, 80}, 0.9f});
  EXPECT_EQ(out.str(), "12,3,1.50,2.25,30.00,80.00,0.900,-1,-1,-1\n");
  const auto back = rows(out.str());
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].frame, 12);
  EXPECT_EQ(back[0].box, (Box{1.5f, 2.25f, 30, 80}));
}

}  // namespace
}  // namespace vigie::eval
