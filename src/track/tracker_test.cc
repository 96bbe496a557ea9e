#include "track/tracker.h"
#include "track/kalman_box.h"

#include <gtest/gtest.h>

namespace vigie::track {
namespace {

detect::Detection person(float x, float y, float score = 0.9f) {
  return {{x, y, 30, 80}, 0, "person", score, {}};
}

int id_near(const std::vector<TrackState>& states, float x) {
  for (const auto& s : states)
    if (std::abs(s.box.x - x) < 10) return s.id;
  return -1;
}

TEST(Tracker, ConfirmsAfterMinHitsAndKeepsTheId) {
  TrackConfig c;
  c.min_hits = 3;
  Tracker t(c);
  EXPECT_TRUE(t.update({person(100, 100)}, 0, 0.0).empty());
  EXPECT_TRUE(t.update({person(104, 100)}, 1, 0.1).empty());
  auto s = t.update({person(108, 100)}, 2, 0.2);
  ASSERT_EQ(s.size(), 1u);
  const int id = s[0].id;
  EXPECT_EQ(id, 1);
  for (int i = 3; i < 50; ++i) {
    s = t.update({person(100 + 4.f * i, 100)}, i, i / 10.0);
    ASSERT_EQ(s.size(), 1u);
    EXPECT_EQ(s[0].id, id);
    EXPECT_TRUE(s[0].detected);
  }
}

TEST(Tracker, SpuriousDetectionNeverBecomesATrack) {
  Tracker t(TrackConfig{});
  t.update({person(100, 100)}, 0, 0.0);
  for (int i = 1; i < 20; ++i) EXPECT_TRUE(t.update({}, i, i / 10.0).empty());
  EXPECT_EQ(t.confirmed_count(), 0);
  EXPECT_TRUE(t.finish().empty());
}

TEST(Tracker, CrossingPeopleKeepTheirIds) {
  // Two people walk towards each other along the same row and pass through each other.
  Tracker t(TrackConfig{});
  int a = -1, b = -1;
  for (int i = 0; i < 60; ++i) {
    const float xa = 100 + 6.f * i, xb = 460 - 6.f * i;
    std::vector<detect::Detection> dets = {person(xa, 100), person(xb, 104)};
    // While they overlap the detector sees only the front one (the other is hidden).
    if (std::abs(xa - xb) < 20) dets = {person(xa, 100)};
    const auto s = t.update(dets, i, i / 10.0);
    if (i == 5) a = id_near(s, xa), b = id_near(s, xb);
    if (i == 59) {
      EXPECT_EQ(id_near(s, xa), a);
      EXPECT_EQ(id_near(s, xb), b);
    }
  }
  EXPECT_NE(a, b);
  EXPECT_EQ(t.confirmed_count(), 2);
}

TEST(Tracker, LostTrackExpiresAfterMaxLost) {
  TrackConfig c;
  c.max_lost_s = 1.0;
  Tracker t(c);
  for (int i = 0; i < 10; ++i) t.update({person(100 + 2.f * i, 100)}, i, i / 10.0);
  // Gone from frame 10 on. Still remembered at 1.0 s after the last sighting (0.9 s).
  for (int i = 10; i <= 19; ++i) {
    t.update({}, i, i / 10.0);
    EXPECT_TRUE(t.take_finished().empty()) << "frame " << i;
  }
  t.update({}, 20, 2.0);
  const auto done = t.take_finished();
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].id, 1);
  EXPECT_EQ(done[0].label, "person");
  EXPECT_EQ(done[0].first_frame, 0);
  EXPECT_EQ(done[0].last_frame, 9);
  EXPECT_EQ(done[0].path.size(), 10u);
  EXPECT_EQ(done[0].path.back(), cv::Point2f(100 + 18 + 15, 180));
}

// A detector that looked at part of the frame cannot have missed what it did not look
// at: a track outside its view is predicted and still reported; inside it and unmatched,
// it is lost; out of view for longer than max_lost_s it is lost and ends.
TEST(Tracker, ATrackOutOfTheDetectorsViewIsPredictedNotMissed) {
  TrackConfig c;
  c.max_lost_s = 1.0;
  Tracker t(c);
  for (int i = 0; i < 10; ++i) t.update({person(100 + 2.f * i, 100), person(400, 100)}, i, i / 10.0);
  const std::vector<Box> only_the_right = {{350, 50, 150, 200}};
  auto s = t.update({person(400, 100)}, 10, 1.0, only_the_right);
  ASSERT_EQ(s.size(), 2u) << "the left one, unseen, is still followed";
  const int left = id_near(s, 120);
  ASSERT_GT(left, 0);
  for (const auto& st : s) EXPECT_EQ(st.detected, st.id != left);
  s = t.update({}, 11, 1.1, std::vector<Box>{{0, 0, 300, 300}});
  EXPECT_EQ(id_near(s, 122), -1) << "looked at and not found: lost";
  // Back, found again under its id.
  s = t.update({person(124, 100)}, 12, 1.2);
  EXPECT_EQ(id_near(s, 124), left);

  // Never looked at again: lost once max_lost_s has passed since it was last seen, then ends.
  int i = 13;
  for (; i < 40 && t.take_finished().empty(); ++i) {
    s = t.update({person(400, 100)}, i, i / 10.0, only_the_right);
    if (i / 10.0 - 1.2 > 1.0 + 1e-9) {
      EXPECT_EQ(id_near(s, 124 + 2.f * (i - 12)), -1) << "frame " << i;
    }
  }
  EXPECT_LT(i, 40) << "the unseen track ended";
}

// Frames on which the detector did not run at all (a live camera's request dropped by a
// busy network) carry a track by prediction for max_lost_s at most: then it is lost, and
// ends; it does not coast on its last velocity for ever.
TEST(Tracker, ATrackOnlyPredictedForLongerThanMaxLostEnds) {
  TrackConfig c;
  c.max_lost_s = 1.0;
  Tracker t(c);
  for (int i = 0; i < 10; ++i) t.update({person(100 + 2.f * i, 100)}, i, i / 10.0);
  int i = 10;
  for (; i < 10 + 20 && !t.predict(i, i / 10.0).empty(); ++i) {}
  EXPECT_NEAR(i / 10.0, 0.9 + 1.0, 0.15) << "followed by prediction until max_lost_s after it was last seen";
  for (; i < 60 && t.take_finished().empty(); ++i) t.predict(i, i / 10.0);
  EXPECT_LT(i, 60) << "then it ends";
}

TEST(Tracker, ReappearingWithinMaxLostKeepsTheId) {
  Tracker t(TrackConfig{});
  for (int i = 0; i < 10; ++i) t.update({person(100 + 5.f * i, 100)}, i, i / 10.0);
  for (int i = 10; i < 15; ++i) t.update({}, i, i / 10.0);  // hidden half a second
  const auto s = t.update({person(175, 100)}, 15, 1.5);     // where it should be by now
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].id, 1);
  EXPECT_EQ(t.confirmed_count(), 1);
}

TEST(Tracker, LowScoreDetectionsCarryButNeverStartTracks) {
  Tracker t(TrackConfig{});
  for (int i = 0; i < 5; ++i) t.update({person(100, 100)}, i, i / 10.0);
  // Partly hidden: the detector's score drops to 0.3; the track stays matched.
  for (int i = 5; i < 10; ++i) {
    const auto s = t.update({person(100, 100, 0.3f), person(400, 100, 0.3f)}, i, i / 10.0);
    ASSERT_EQ(s.size(), 1u);
    EXPECT_EQ(s[0].id, 1);
    EXPECT_TRUE(s[0].detected);
  }
  EXPECT_EQ(t.confirmed_count(), 1);  // the lone low-score one at x=400 started nothing
}

TEST(Tracker, PredictMovesTracksAlongTheirVelocity) {
  Tracker t(TrackConfig{});
  for (int i = 0; i < 20; ++i) t.update({person(100 + 5.f * i, 100)}, i, i / 10.0);
  const auto s = t.predict(20, 2.0);
  ASSERT_EQ(s.size(), 1u);
  EXPECT_NEAR(s[0].box.x, 200, 3);
  EXPECT_FALSE(s[0].detected);
}

// The filter predicts by time, not by frame: after a walker seen at 10 frames/s, a frame
// that comes 0.3 s later (two were dropped) finds the prediction three steps ahead.
TEST(Tracker, PredictionFollowsTheTimeBetweenFramesNotTheirCount) {
  Tracker t(TrackConfig{});
  for (int i = 0; i < 20; ++i) t.update({person(100 + 5.f * i, 100)}, i, i / 10.0);
  const auto s = t.predict(20, 2.2);  // the last detection was at 1.9 s, x = 195
  ASSERT_EQ(s.size(), 1u);
  EXPECT_NEAR(s[0].box.x, 210, 3);
}

TEST(Tracker, LongPathsAreThinnedNotUnbounded) {
  TrackConfig c;
  c.max_path_points = 16;
  Tracker t(c);
  for (int i = 0; i < 200; ++i) t.update({person(100 + 0.5f * i, 100)}, i, i / 10.0);
  const auto done = t.finish();
  ASSERT_EQ(done.size(), 1u);
  EXPECT_LE(done[0].path.size(), 16u);
  EXPECT_GE(done[0].path.size(), 8u);
  EXPECT_EQ(done[0].detections, 200);
}

}  // namespace
}  // namespace vigie::track

namespace vigie::track {
namespace {

// A box that suddenly grows (two people merged in one detection, an arm raised) moves the
// filter's height much less than the same jump in position moves its centre: a person's
// height in the image changes slowly, a box's does not.
TEST(KalmanBox, TrustsAMeasuredHeightLessThanAMeasuredPosition) {
  KalmanBox k({100, 100, 40, 100});
  for (int i = 0; i < 20; ++i) {
    k.predict();
    k.update({100, 100, 40, 100});
  }
  k.predict();
  k.update({130, 100, 40, 130});  // 30 px to the right, and 30 px taller
  const Box b = k.box();
  const float moved = b.center().x - 120, grew = b.h - 100;
  EXPECT_GT(moved, 10);
  EXPECT_GT(grew, 0);
  EXPECT_LT(grew, 0.6f * moved) << "height " << b.h << ", centre " << b.center().x;
}

}  // namespace
}  // namespace vigie::track
