// Crops on one network input, and the network shared by a process's cameras.
#include <gtest/gtest.h>

#include <atomic>
#include <opencv2/imgproc.hpp>
#include <thread>

#include "core/test_data.h"
#include "detect/detector_pool.h"
#include "detect/mosaic.h"
#include "video/source.h"

namespace vigie::detect {
namespace {

TEST(CanvasPacker, PlacesCropsInRowsWithAGapAndRefusesWhatDoesNotFit) {
  CanvasPacker p(100, 4);
  const auto a = p.place({0, 0, 40, 30}, 1), b = p.place({500, 500, 40, 20}, 1), c = p.place({0, 0, 40, 10}, 1);
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(a->place, cv::Rect(0, 0, 40, 30));
  EXPECT_EQ(b->place, cv::Rect(44, 0, 40, 20));
  EXPECT_EQ(c->place, cv::Rect(0, 34, 40, 10)) << "a new row below the tallest of the first";
  EXPECT_FALSE(p.place({0, 0, 90, 90}, 1)) << "no room left";
  CanvasPacker empty(100, 4);
  const auto big = empty.place({0, 0, 400, 200}, 1);
  ASSERT_TRUE(big) << "a crop larger than the canvas is scaled down to fit";
  EXPECT_DOUBLE_EQ(big->scale, 0.25);
  EXPECT_EQ(big->place.size(), cv::Size(100, 50));
  const auto half = CanvasPacker(100, 4).place({10, 10, 80, 60}, 0.5);
  ASSERT_TRUE(half);
  EXPECT_EQ(half->place.size(), cv::Size(40, 30)) << "drawn at the scale asked";
}

TEST(Mosaic, DetectionsGoBackToTheirImageAndCutOnesAreDropped) {
  Tile t{{200, 100, 100, 100}, 0.5, {60, 0, 50, 50}};  // image (200..300, 100..200) at half size
  const cv::Size image(640, 480);
  auto det = [](float x, float y, float w, float h) { return Detection{{x, y, w, h}, 0, "person", 0.9f, {}}; };
  const auto kept = detections_on_tile({det(70, 10, 10, 20),   // inside
                                        det(61, 10, 10, 20),   // touches the crop's cut left edge
                                        det(10, 10, 10, 20),   // another tile's
                                        det(100, 30, 9, 19)},  // ends 1 px from the cut right edge
                                       t, image);
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(kept[0].box, (Box{220, 120, 20, 40}));
  // At the image's own edge nothing is cut: a box touching it is kept.
  Tile corner{{0, 0, 100, 100}, 1, {0, 0, 100, 100}};
  EXPECT_EQ(detections_on_tile({det(0, 0, 20, 40)}, corner, image).size(), 1u);
}

TEST(Mosaic, CropsArePaddedClippedAndMergedWhenTheyOverlap) {
  const cv::Size image(640, 480);
  auto crops = crops_around({{100, 100, 40, 80}, {600, 400, 40, 80}}, image, 16);
  ASSERT_EQ(crops.size(), 2u);
  EXPECT_EQ(crops[0], cv::Rect(80, 80, 80, 120)) << "a quarter of the larger side on each side";
  EXPECT_EQ(crops[1], cv::Rect(580, 380, 60, 100)) << "clipped to the image";
  crops = crops_around({{100, 100, 40, 80}, {150, 100, 40, 80}, {400, 100, 8, 8}}, image, 16);
  ASSERT_EQ(crops.size(), 2u);
  EXPECT_EQ(crops[0], cv::Rect(80, 80, 130, 120)) << "the two neighbours' crops overlap: one";
  EXPECT_EQ(crops[1], cv::Rect(384, 84, 40, 40)) << "at least min_pad around a small region";
}

struct Pets101 {
  cv::Mat image;
  std::string model = testing::shared_file("models/yolox_nano.onnx");
};

// PETS09 frame 101 (five people, README of the model's data set), or a skip reason.
std::optional<Pets101> pets_frame_101() {
  Pets101 p;
  if (!std::filesystem::exists(p.model) || !std::filesystem::exists(testing::vtest_avi())) return std::nullopt;
  auto src = video::open_source(testing::vtest_avi());
  if (!src) return std::nullopt;
  Frame f;
  for (int i = 0; i < 101; ++i) (*src)->read(f);
  p.image = f.image.clone();
  return p;
}

DetectConfig onnx(const std::string& model, int threads = 1) {
  DetectConfig c;
  c.type = "onnx";
  c.model = model;
  c.threads = threads;
  return c;
}

// The same people are found whether the network sees the whole frame or, packed on one
// input, only crops around them: each box comes back to its place in the frame.
TEST(DetectorPool, CropsOnOneInputFindWhatTheWholeFrameFinds) {
  const auto pets = pets_frame_101();
  if (!pets) GTEST_SKIP() << "needs ../shared/data/models/yolox_nano.onnx and vtest.avi (opencv-doc)";
  auto pool = DetectorPool::shared(onnx(pets->model));
  ASSERT_TRUE(pool) << pool.error().message;
  const double scale = 416.0 / pets->image.cols;
  DetectorPool::Request whole{&pets->image, {cv::Rect(0, 0, pets->image.cols, pets->image.rows)}, scale, 0.3f, {0}, 0.45f, std::nullopt};
  const auto all = (*pool)->detect(whole);
  ASSERT_TRUE(all);
  // The sure ones, of a walker's size: a far-off person (the one 32 px tall at the top
  // left) has too little around it in a crop, and is missed there (docs/BENCHMARKS.md).
  std::vector<Box> people;
  for (const auto& d : *all)
    if (d.score >= 0.5f && d.box.h >= 48) people.push_back(d.box);
  ASSERT_GE(people.size(), 5u);
  DetectorPool::Request crops{&pets->image, crops_around(people, pets->image.size(), 16), scale, 0.3f, {0}, 0.45f, std::nullopt};
  const auto before = (*pool)->stats();
  const auto found = (*pool)->detect(crops);
  ASSERT_TRUE(found);
  EXPECT_EQ((*pool)->stats().forward_passes - before.forward_passes, 1) << crops.crops.size() << " crops, one input";
  for (const auto& p : people) {
    float best = 0;
    for (const auto& d : *found) best = std::max(best, iou(d.box, p));
    EXPECT_GT(best, 0.7) << "no box near " << p.x << "," << p.y;
  }
  EXPECT_LE(found->size(), all->size() + 1);
}

// One network per process: a second camera with the same model gets the same pool. A
// live camera's request that a busy network cannot take before its deadline is dropped
// and counted; the request behind the long one is answered.
TEST(DetectorPool, OneNetworkPerModelAndALateRequestIsDropped) {
  const auto pets = pets_frame_101();
  if (!pets) GTEST_SKIP() << "needs ../shared/data/models/yolox_nano.onnx and vtest.avi (opencv-doc)";
  auto a = DetectorPool::shared(onnx(pets->model)), b = DetectorPool::shared(onnx(pets->model));
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->get(), b->get());
  DetectorPool& pool = **a;
  // Forty frame-sized crops: forty forward passes (about two seconds) on the one worker.
  DetectorPool::Request long_one{&pets->image, {}, 416.0 / pets->image.cols, 0.3f, {0}, 0.45f, std::nullopt};
  for (int i = 0; i < 40; ++i) long_one.crops.push_back({0, 0, pets->image.cols, pets->image.rows});
  const auto before = pool.stats();
  std::atomic<bool> long_answered{false};
  std::thread busy([&] { long_answered = pool.detect(long_one).has_value(); });
  while (pool.stats().requests == before.requests) std::this_thread::yield();
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // the worker has taken it
  DetectorPool::Request live{&pets->image, {{0, 0, 200, 200}}, 1.0, 0.3f, {0}, 0.45f, std::chrono::milliseconds(20)};
  EXPECT_FALSE(pool.detect(live)) << "the worker is busy for seconds: 20 ms are not enough";
  DetectorPool::Request file = live;
  file.max_wait.reset();
  EXPECT_TRUE(pool.detect(file)) << "a file's request waits";
  busy.join();
  EXPECT_TRUE(long_answered);
  const auto after = pool.stats();
  EXPECT_EQ(after.dropped - before.dropped, 1);
  EXPECT_EQ(after.answered - before.answered, 2);
}

}  // namespace
}  // namespace vigie::detect
