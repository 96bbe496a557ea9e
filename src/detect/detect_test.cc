#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

#include <fstream>

#include "core/test_data.h"
#include "detect/detector.h"
#include "video/source.h"

namespace vigie::detect {
namespace {
using ::testing::HasSubstr;

cv::Mat scene(int square_x) {
  cv::Mat img(240, 320, CV_8UC3, cv::Scalar(90, 100, 110));
  cv::line(img, {0, 200}, {320, 180}, cv::Scalar(60, 60, 60), 3);  // some static structure
  if (square_x >= 0)
    cv::rectangle(img, cv::Rect(square_x, 80, 30, 60), cv::Scalar(230, 230, 230), cv::FILLED);
  return img;
}

TEST(MotionGate, StillSceneHasNoMotion) {
  MotionGate gate(MotionGateConfig{});
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(gate.update(scene(-1)).any());
}

TEST(MotionGate, FindsTheRegionThatChanged) {
  MotionGate gate(MotionGateConfig{});
  gate.update(scene(-1));
  const Motion m = gate.update(scene(200));
  ASSERT_EQ(m.regions.size(), 1u);
  // The region covers the square (dilated at low resolution, so a little larger).
  EXPECT_GT(coverage({200, 80, 30, 60}, m.regions[0]), 0.9);
  EXPECT_LT(m.regions[0].area(), 4 * 30 * 60);
  EXPECT_GT(m.moving_share, 0);
}

// A detector that needs no file (people, motion); null, with the reason, if it fails.
std::unique_ptr<Detector> model_free(const std::string& type, int work_width = DetectConfig{}.work_width) {
  DetectConfig c;
  c.type = type;
  c.work_width = work_width;
  auto det = make_detector(c);
  EXPECT_TRUE(det) << det.error().message;
  return det ? std::move(*det) : nullptr;
}

// What `det` finds once a block has moved from x = 20 to x = 110 across the scene, after
// 3 s of the scene without it (the background).
std::vector<Detection> after_a_block_moves(Detector& det) {
  double t = 0;
  for (int i = 0; i < 30; ++i) det.detect(Frame{i, t += 0.1, scene(-1)}, {});
  std::vector<Detection> found;
  for (int x = 20; x < 120; x += 10) found = det.detect(Frame{0, t += 0.1, scene(x)}, {});
  return found;
}

TEST(MotionDetector, FindsAMovingObjectAsClassFreeBox) {
  const auto det = model_free("motion", 320);
  ASSERT_TRUE(det);
  const std::vector<Detection> found = after_a_block_moves(*det);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].label, "object");
  EXPECT_GT(iou(found[0].box, {110, 80, 30, 60}), 0.7);
}

// A fake YOLOX tensor with 85 columns and one confident row.
cv::Mat yolox_tensor(int input, int row, float obj, float cls_score, int cls) {
  const int n = (input / 8) * (input / 8) + (input / 16) * (input / 16) + (input / 32) * (input / 32);
  int sizes[3] = {1, n, 85};
  cv::Mat out(3, sizes, CV_32F, cv::Scalar(0));
  float* r = out.ptr<float>() + static_cast<size_t>(row) * 85;
  r[0] = 0.5f, r[1] = 0.25f, r[2] = std::log(4.f), r[3] = std::log(8.f);
  r[4] = obj;
  r[5 + cls] = cls_score;
  return out;
}

TEST(DecodeOutput, YoloxGridDecoding) {
  // Row 52*52 + 3 is the first stride-16 level at gx=3, gy=0.
  const cv::Mat out = yolox_tensor(416, 52 * 52 + 3, 0.9f, 0.8f, 0);
  Letterbox lb{0.5, {0, 0}};  // image twice the network size
  const auto dets = decode_output(out, "yolox", 416, lb, 0.3f, {0});
  ASSERT_EQ(dets.size(), 1u);
  EXPECT_NEAR(dets[0].score, 0.72, 1e-5);
  EXPECT_EQ(dets[0].label, "person");
  // cx = (0.5+3)*16 = 56, cy = 0.25*16 = 4, w = 64, h = 128, then /0.5.
  EXPECT_NEAR(dets[0].box.x, (56 - 32) * 2, 1e-3);
  EXPECT_NEAR(dets[0].box.y, (4 - 64) * 2, 1e-3);
  EXPECT_NEAR(dets[0].box.w, 128, 1e-3);
  EXPECT_NEAR(dets[0].box.h, 256, 1e-3);
}

TEST(DecodeOutput, ClassFilterAndThreshold) {
  const cv::Mat car = yolox_tensor(416, 10, 0.9f, 0.9f, 2);
  EXPECT_TRUE(decode_output(car, "yolox", 416, {}, 0.3f, {0}).empty());
  EXPECT_EQ(decode_output(car, "yolox", 416, {}, 0.3f, {0, 2}).size(), 1u);
  const cv::Mat weak = yolox_tensor(416, 10, 0.5f, 0.5f, 0);
  EXPECT_TRUE(decode_output(weak, "yolox", 416, {}, 0.3f, {0}).empty());
}

TEST(DecodeOutput, Yolov8IsTransposedWithoutObjectness) {
  int sizes[3] = {1, 84, 3};
  cv::Mat out(3, sizes, CV_32F, cv::Scalar(0));
  auto at = [&](int row, int col) -> float& { return out.ptr<float>()[row * 3 + col]; };
  at(0, 1) = 100, at(1, 1) = 50, at(2, 1) = 20, at(3, 1) = 40, at(4 + 0, 1) = 0.7f;
  const auto dets = decode_output(out, "yolov8", 640, {}, 0.25f, {0});
  ASSERT_EQ(dets.size(), 1u);
  EXPECT_EQ(dets[0].box, (Box{90, 30, 20, 40}));
  EXPECT_FLOAT_EQ(dets[0].score, 0.7f);
}

TEST(DecodeOutput, Yolov5DecodedBoxesWithObjectness) {
  int sizes[3] = {1, 2, 85};
  cv::Mat out(3, sizes, CV_32F, cv::Scalar(0));
  float* r = out.ptr<float>() + 85;
  r[0] = 100, r[1] = 50, r[2] = 20, r[3] = 40, r[4] = 0.8f, r[5 + 28] = 0.5f;  // suitcase
  const auto dets = decode_output(out, "yolov5", 640, {}, 0.25f, {});
  ASSERT_EQ(dets.size(), 1u);
  EXPECT_EQ(dets[0].label, "suitcase");
  EXPECT_FLOAT_EQ(dets[0].score, 0.4f);
}

TEST(Nms, SuppressesOverlapsWithinAClassOnly) {
  std::vector<Detection> dets = {{{0, 0, 10, 10}, 0, "person", 0.9f, {}},
                                 {{1, 1, 10, 10}, 0, "person", 0.8f, {}},
                                 {{1, 1, 10, 10}, 2, "car", 0.7f, {}}};
  const auto kept = nms(dets, 0.45f);
  ASSERT_EQ(kept.size(), 2u);
  EXPECT_FLOAT_EQ(kept[0].score, 0.9f);
  EXPECT_EQ(kept[1].label, "car");
}

TEST(OnnxDetector, MissingModelNamesTheFile) {
  DetectConfig c;
  c.type = "onnx";
  c.model = "/nonexistent/model.onnx";
  auto det = make_detector(c);
  ASSERT_FALSE(det);
  EXPECT_THAT(det.error().message, HasSubstr("/nonexistent/model.onnx"));
}

TEST(OnnxDetector, UnknownClassIsRefused) {
  const std::string model = testing::shared_file("models/yolox_nano.onnx");
  VIGIE_REQUIRE_FILE(model, "../shared/data/models/yolox_nano.onnx");
  DetectConfig c;
  c.type = "onnx";
  c.model = model;
  c.classes = {"unicorn"};
  auto det = make_detector(c);
  ASSERT_FALSE(det);
  EXPECT_THAT(det.error().message, HasSubstr("unicorn"));
}

// The model's README lists the persons YOLOX-Nano finds on PETS frame 101.
TEST(OnnxDetector, FindsThePeopleOnPetsFrame101) {
  const std::string model = testing::shared_file("models/yolox_nano.onnx");
  VIGIE_REQUIRE_FILE(model, "../shared/data/models/yolox_nano.onnx");
  VIGIE_REQUIRE_FILE(testing::vtest_avi(), "vtest.avi (Debian package opencv-doc)");
  auto src = video::open_source(testing::vtest_avi());
  ASSERT_TRUE(src);
  Frame f;
  for (int i = 0; i < 101; ++i) ASSERT_EQ((*src)->read(f).status, video::ReadStatus::kFrame);
  ASSERT_EQ(f.index, 100);  // GT frame 101

  DetectConfig c;
  c.type = "onnx";
  c.model = model;
  c.score_threshold = 0.3f;
  auto det = make_detector(c);
  ASSERT_TRUE(det) << det.error().message;
  const auto dets = (*det)->detect(f, {});
  const std::vector<Box> expected = {{345, 197, 33, 77}, {587, 154, 32, 82}, {376, 177, 31, 78},
                                     {494, 147, 23, 71}, {517, 151, 22, 68}};
  for (const auto& e : expected) {
    float best = 0;
    for (const auto& d : dets) best = std::max(best, iou(d.box, e));
    EXPECT_GT(best, 0.7) << "no detection near " << e.x << "," << e.y;
  }
  for (const auto& d : dets) EXPECT_EQ(d.label, "person");  // the parked car is filtered out
  EXPECT_LE(dets.size(), 9u);
}

// The people detector without any model file, on the street scene: after the first
// frames (the background model and the first whole-frame sweep), the people of frame 101
// are found with scores that can carry a track (≥ 0.5), labelled `person`.
TEST(PeopleDetector, FindsThePeopleOnPetsFrame101) {
  VIGIE_REQUIRE_FILE(testing::vtest_avi(), "vtest.avi (Debian package opencv-doc)");
  auto src = video::open_source(testing::vtest_avi());
  ASSERT_TRUE(src);
  const auto det = model_free("people");
  ASSERT_TRUE(det);
  Frame f;
  std::vector<Detection> dets;
  for (int i = 0; i < 101; ++i) {
    ASSERT_EQ((*src)->read(f).status, video::ReadStatus::kFrame);
    dets = det->detect(f, {});
  }
  const std::vector<Box> expected = {{345, 197, 33, 77}, {587, 154, 32, 82}, {376, 177, 31, 78},
                                     {494, 147, 23, 71}, {517, 151, 22, 68}};
  int found = 0;
  for (const auto& e : expected) {
    float best = 0;
    for (const auto& d : dets)
      if (d.score >= 0.5f) best = std::max(best, iou(d.box, e));
    found += best >= 0.5f;
  }
  EXPECT_GE(found, 4) << "of the 5 people of frame 101";
  for (const auto& d : dets) EXPECT_EQ(d.label, "person");
}

// A moving block is a moving region but not a person: it is reported below the tracker's
// high score, so it can carry a person's track through a miss but never start one.
TEST(PeopleDetector, AMovingBlockIsOnlyALowScoreRegion) {
  const auto det = model_free("people", 320);
  ASSERT_TRUE(det);
  const std::vector<Detection> found = after_a_block_moves(*det);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].label, "person");
  EXPECT_LT(found[0].score, TrackConfig{}.high_score);
}

PersonSizeModel model_of(const std::vector<Box>& people) {
  PersonSizeModel m;
  for (const auto& p : people) m.add(p);
  return m;
}

// People seen from above a flat ground: 0.4 px taller per row further down the image,
// plus a fifth of wrong sizes (half people, merged pairs) that the refit leaves out.
TEST(PersonSizeModel, LearnsHeightPerRowDespiteWrongSizes) {
  std::vector<Box> people;
  for (int i = 0; i < 400; ++i) {
    const float foot = 150 + (i * 37) % 400;
    float h = 20 + 0.4f * foot;
    if (i % 5 == 0) h *= (i % 10 == 0) ? 0.5f : 1.8f;
    people.push_back({100, foot - h, 0.41f * h, h});
  }
  const PersonSizeModel m = model_of(people);
  ASSERT_TRUE(m.ready());
  EXPECT_NEAR(m.height_at(200), 100, 2);
  EXPECT_NEAR(m.height_at(500), 220, 4);
  EXPECT_TRUE(m.plausible({0, 100, 41, 100}));  // foot at row 200
  EXPECT_FALSE(m.plausible({0, 450, 25, 50}));  // half the height expected at row 500
}

// People and their halves in equal numbers on the same rows: no line explains most of
// them, so none is taken (a line through neither would exclude both from then on).
TEST(PersonSizeModel, TwoPopulationsOnTheSameRowsGiveNoModel) {
  std::vector<Box> people;
  for (int i = 0; i < 400; ++i) {
    const float foot = 200 + (i * 37) % 200, h = (i % 2) ? 50.f : 150.f;
    people.push_back({0, foot - h, 0.41f * h, h});
  }
  EXPECT_FALSE(model_of(people).ready());
}

// Frames of any size, down to smaller than the HOG window and one pixel across, go
// through without an exception (the window is padded; empty regions are skipped).
TEST(PeopleDetector, OddFrameSizesAreHandled) {
  for (const cv::Size size : {cv::Size(32, 32), cv::Size(1, 480), cv::Size(63, 127), cv::Size(1920, 64)}) {
    const auto det = model_free("people");
    ASSERT_TRUE(det);
    cv::Mat img(size, CV_8UC3);
    cv::RNG rng(7);
    double t = 0;
    for (int i = 0; i < 12; ++i) {
      rng.fill(img, cv::RNG::UNIFORM, 0, 255);
      EXPECT_NO_THROW(det->detect(Frame{i, t += 0.1, img}, {})) << size;
    }
  }
}

TEST(PersonSizeModel, NotReadyBeforeEnoughSamplesAndFlatWhenFeetShareARow) {
  std::vector<Box> people(PersonSizeModel::kSamplesBeforeUse - 1, Box{0, 100, 30, 80});
  EXPECT_FALSE(model_of(people).ready());
  people.push_back({0, 100, 30, 80});
  const PersonSizeModel m = model_of(people);
  ASSERT_TRUE(m.ready());
  EXPECT_NEAR(m.height_at(0), 80, 1e-6);  // no slope can be learnt from one row
  EXPECT_NEAR(m.height_at(500), 80, 1e-6);
}

}  // namespace
}  // namespace vigie::detect

namespace vigie::detect {
namespace {

// Regression (fuzz/regressions/mot/replay_*): a frame or class number out of int range was
// cast unchecked (undefined behaviour); it is now a bad row with its line.
TEST(ReplayDetector, AFrameOrClassOutOfRangeIsABadRow) {
  const auto dir = vigie::testing::fresh_temp_dir("replay_out_of_range");
  for (const char* row : {"1,-1,10,20,30,60,0.9,1e10", "1e300,-1,10,20,30,60,0.9,0", "-1e999,-1,1,1,1,1,0.9,0",
                          "1,-1,10,20,30,60,0.9,-1e999"}) {
    const auto file = (dir / "det.txt").string();
    std::ofstream(file) << row << "\n";
    DetectConfig c;
    c.type = "replay";
    c.detections = file;
    const auto det = make_detector(c);
    ASSERT_FALSE(det) << row;
    EXPECT_THAT(det.error().message, ::testing::HasSubstr("det.txt:1: ")) << row;  // the row, by its line
  }
}

}  // namespace
}  // namespace vigie::detect
