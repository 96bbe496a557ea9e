#include "eval/rules_eval.h"

#include <gtest/gtest.h>

namespace vigie::eval {
namespace {

CameraConfig camera() {
  return parse_config(R"(
cameras:
  cam:
    input: none
    lines: { door: { points: [[0, 200], [400, 200]] } }
    zones: { yard: [[100, 100], [300, 100], [300, 300], [100, 300]] }
    rules:
      - { type: line_crossing, line: door }
      - { type: zone_intrusion, zone: yard }
)").cameras.at("cam");
}

AlertSpan crossing(double t, const char* dir) { return {"line_crossing:door", "line_crossing", dir, t, t, {}}; }
AlertSpan visit(double a, double b) { return {"zone_intrusion:yard", "zone_intrusion", "", a, b, {}}; }

TEST(ScoreRules, CrossingsMatchWithinOneSecondAndSameDirection) {
  const auto s = score_rules({crossing(10, "a_to_b"), crossing(20, "a_to_b"), crossing(30, "b_to_a")},
                             {crossing(10.8, "a_to_b"), crossing(21.5, "a_to_b"), crossing(30, "a_to_b")}, camera());
  const auto& r = s.at("line_crossing:door");
  EXPECT_EQ(r.matched, 1);  // 21.5 is too late, 30 goes the other way
  EXPECT_DOUBLE_EQ(r.precision, 1.0 / 3);
  EXPECT_DOUBLE_EQ(r.recall, 1.0 / 3);
}

TEST(ScoreRules, IntervalsMatchOneToOneOnOverlap) {
  // Two detected pieces of one true visit: one matches, the other is a false alarm.
  const auto s = score_rules({visit(0, 10), visit(20, 30)}, {visit(1, 4), visit(5, 9), visit(40, 50)}, camera());
  const auto& r = s.at("zone_intrusion:yard");
  EXPECT_EQ(r.gt_alerts, 2);
  EXPECT_EQ(r.alerts, 3);
  EXPECT_EQ(r.matched, 1);
  EXPECT_DOUBLE_EQ(r.f1, 2 * (1.0 / 3) * 0.5 / (1.0 / 3 + 0.5));
}

TEST(RunRules, MotRowsBecomeTimedObjects) {
  // One person walking down across the door line, 10 fps, frames from 1.
  std::vector<MotRow> rows;
  for (int f = 1; f <= 41; ++f) rows.push_back({f, 7, {90, 50.f + 5 * (f - 1), 20, 50}, 1});
  const auto spans = run_rules(camera(), rows, 10, "person");
  ASSERT_GE(spans.size(), 1u);
  EXPECT_EQ(spans[0].rule, "line_crossing:door");
  EXPECT_EQ(spans[0].detail, "a_to_b");
  // Foot y = 100 + 5 (f - 1) first passes 200 + margin 3.5 on frame 22: t = 2.1 s.
  EXPECT_NEAR(spans[0].start_s, 2.1, 1e-9);
}

}  // namespace
}  // namespace vigie::eval
