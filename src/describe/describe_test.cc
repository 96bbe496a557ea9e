#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

#include "describe/attributes.h"
#include "describe/body.h"
#include "describe/heatmap.h"
#include "describe/colours.h"

namespace vigie::describe {
namespace {

cv::Mat patch(int r, int g, int b, int size = 10) { return cv::Mat(size, size, CV_8UC3, cv::Scalar(b, g, r)); }

Colour top(const cv::Mat& bgr, const cv::Mat& mask = {}) {
  const auto names = name_region(bgr, mask);
  EXPECT_FALSE(names.empty());
  return names.empty() ? Colour::kGrey : names[0].colour;
}

TEST(ColourNames, FocalColoursGetTheirNames) {
  struct Case {
    int r, g, b;
    Colour want;
  };
  const Case cases[] = {{0, 0, 0, Colour::kBlack},        {255, 255, 255, Colour::kWhite},
                        {128, 128, 128, Colour::kGrey},   {220, 20, 30, Colour::kRed},
                        {255, 140, 0, Colour::kOrange},   {250, 220, 30, Colour::kYellow},
                        {30, 140, 40, Colour::kGreen},    {30, 60, 200, Colour::kBlue},
                        {70, 100, 140, Colour::kBlue},    {110, 30, 130, Colour::kPurple},
                        {255, 150, 190, Colour::kPink},   {120, 70, 30, Colour::kBrown},
                        {0, 0, 110, Colour::kBlue}};
  for (const auto& c : cases)
    EXPECT_EQ(colour_name(top(patch(c.r, c.g, c.b))), colour_name(c.want)) << c.r << "," << c.g << "," << c.b;
}

TEST(ColourNames, ADarkRegionThatAgreesOnABlueHueIsBlueButADarkRedCastStaysBlack) {
  // Each pixel alone is too dull to have a hue (below the single-pixel chroma), but the
  // region pools them: navy cloth in shade.
  cv::Mat navy = patch(18, 22, 38);
  EXPECT_EQ(top(navy), Colour::kBlue);
  // A black coat with the reddish tint sensors give their blacks stays black.
  EXPECT_EQ(top(patch(30, 20, 24)), Colour::kBlack);
  // Dark brown leather.
  EXPECT_EQ(top(patch(48, 36, 22)), Colour::kBrown);
}

TEST(ColourNames, MixedRegionsGiveSeveralNamesLargestFirstAndTheMaskIsObeyed) {
  cv::Mat bgr = patch(220, 20, 30, 20);
  bgr.colRange(0, 8).setTo(cv::Scalar(200, 60, 30));  // 40 % blue, 60 % red
  auto names = name_region(bgr);
  ASSERT_EQ(names.size(), 2u);
  EXPECT_EQ(names[0].colour, Colour::kRed);
  EXPECT_NEAR(names[0].share, 0.6f, 1e-6);
  EXPECT_EQ(names[1].colour, Colour::kBlue);
  // A minor colour under min_share is left out; the first name is always there.
  EXPECT_EQ(name_region(bgr, {}, 0.5f).size(), 1u);
  EXPECT_EQ(name_region(bgr, {}, 0.99f).size(), 1u);
  // Only masked-in pixels count.
  cv::Mat mask = cv::Mat::zeros(bgr.size(), CV_8U);
  mask.colRange(0, 8).setTo(255);
  EXPECT_EQ(top(bgr, mask), Colour::kBlue);
  EXPECT_TRUE(name_region(bgr, cv::Mat::zeros(bgr.size(), CV_8U)).empty());
  // Wrong inputs count nothing rather than crash.
  EXPECT_TRUE(name_region(cv::Mat()).empty());
  EXPECT_TRUE(name_region(bgr, cv::Mat::zeros(3, 3, CV_8U)).empty());
  EXPECT_TRUE(name_region(cv::Mat(4, 4, CV_8UC1, cv::Scalar(9))).empty());
}

TEST(ColourNames, ParsesNamesAndSpellings) {
  EXPECT_EQ(parse_colour("Gray"), Colour::kGrey);
  EXPECT_EQ(parse_colour("BLUE"), Colour::kBlue);
  EXPECT_FALSE(parse_colour("beige").has_value());
  EXPECT_FALSE(parse_colour("").has_value());
  for (int i = 0; i < kColourCount; ++i)
    EXPECT_EQ(parse_colour(colour_name(static_cast<Colour>(i))), static_cast<Colour>(i));
  EXPECT_NE(colour_names_list().find("brown"), std::string::npos);
}

// A person 40×100 on grey pavement: red torso, blue trousers on legs apart, so that the
// pavement shows between them.
struct Scene {
  cv::Mat background = cv::Mat(200, 200, CV_8UC3, cv::Scalar(128, 128, 128));
  cv::Mat frame;
  Box box{80, 50, 40, 100};
  Scene() {
    frame = background.clone();
    cv::rectangle(frame, cv::Rect(84, 62, 32, 40), cv::Scalar(30, 20, 220), cv::FILLED);   // torso
    cv::rectangle(frame, cv::Rect(90, 105, 7, 45), cv::Scalar(200, 60, 30), cv::FILLED);   // left leg
    cv::rectangle(frame, cv::Rect(103, 105, 7, 45), cv::Scalar(200, 60, 30), cv::FILLED);  // right leg
  }
};

TEST(Body, NamesTorsoAndLegsFromTheForegroundOnly) {
  Scene s;
  const auto with_bg = vote_body(s.frame, s.box, s.background);
  EXPECT_EQ(names_from_votes(with_bg.upper)[0].colour, Colour::kRed);
  EXPECT_EQ(names_from_votes(with_bg.lower)[0].colour, Colour::kBlue);
  EXPECT_NEAR(names_from_votes(with_bg.lower)[0].share, 1.f, 1e-6);  // no pavement counted
  // Without a background the pavement between the legs is counted too.
  const auto without = vote_body(s.frame, s.box);
  EXPECT_LT(names_from_votes(without.lower)[0].share, 0.9f);
}

TEST(Body, ViewsAddUpWithEqualWeightAndBoxesOffTheFrameSayNothing) {
  Scene s;
  BodyVotes sum;
  add(sum, vote_body(s.frame, s.box, s.background));
  Box big = s.box;  // a second, larger view of someone in green
  cv::Mat green = s.background.clone();
  cv::rectangle(green, cv::Rect(84, 62, 32, 40), cv::Scalar(40, 140, 30), cv::FILLED);
  add(sum, vote_body(green, big, s.background));
  const auto upper = names_from_votes(sum.upper, 0.1f);
  ASSERT_EQ(upper.size(), 2u);
  EXPECT_NEAR(upper[0].share, 0.5f, 1e-6);
  const auto off = vote_body(s.frame, {500, 500, 40, 100});
  EXPECT_TRUE(names_from_votes(off.upper).empty());
  EXPECT_TRUE(names_from_votes(vote_body(s.frame, {80, 50, 2, 4}).upper).empty());  // too small
  EXPECT_TRUE(names_from_votes(vote_body(cv::Mat(), s.box).upper).empty());
}

TEST(Background, StepsTowardsWhatItSeesAndIgnoresAPassingPerson) {
  Background bg;
  cv::Mat grey(20, 20, CV_8UC3, cv::Scalar(100, 100, 100));
  bg.update(grey);
  EXPECT_EQ(bg.image().at<cv::Vec3b>(5, 5), cv::Vec3b(100, 100, 100));
  cv::Mat walker = grey.clone();
  walker(cv::Rect(0, 0, 10, 20)).setTo(cv::Scalar(0, 0, 255));
  bg.update(walker);  // one frame: one level, not the person
  EXPECT_EQ(bg.image().at<cv::Vec3b>(5, 5), cv::Vec3b(99, 99, 101));
  EXPECT_EQ(bg.image().at<cv::Vec3b>(5, 15), cv::Vec3b(100, 100, 100));
  cv::Mat lit(20, 20, CV_8UC3, cv::Scalar(110, 110, 110));
  for (int i = 0; i < 20; ++i) bg.update(lit);  // the light changes: it follows
  EXPECT_EQ(bg.image().at<cv::Vec3b>(5, 15), cv::Vec3b(110, 110, 110));
  bg.update(cv::Mat(10, 10, CV_8UC3, cv::Scalar(7, 7, 7)));  // another size: starts again
  EXPECT_EQ(bg.image().size(), cv::Size(10, 10));
}

TEST(TrackDescriber, SumsAPersonsViewsAndAVehiclesAndForgetsWhatWasTaken) {
  Scene s;
  TrackDescriber d(/*every_n=*/1);
  cv::Mat car_frame = s.frame.clone();
  cv::rectangle(car_frame, cv::Rect(10, 150, 60, 30), cv::Scalar(40, 200, 230), cv::FILLED);  // a yellow car
  d.observe(s.background, {});  // the empty scene first: it becomes the background
  for (int i = 0; i < 5; ++i)
    d.observe(car_frame, {{1, s.box, "person", true}, {2, {10, 150, 60, 30}, "car", true},
                          {3, s.box, "person", false},     // predicted only: its box is a guess
                          {4, s.box, "dog", true}});       // neither a person nor a vehicle
  const auto person = d.take(1);
  EXPECT_EQ(person.views, 5);
  ASSERT_FALSE(person.upper.empty());
  EXPECT_EQ(person.upper[0].colour, Colour::kRed);
  EXPECT_EQ(person.lower[0].colour, Colour::kBlue);
  EXPECT_TRUE(person.colour.empty());
  const auto car = d.take(2);
  ASSERT_FALSE(car.colour.empty());
  EXPECT_EQ(car.colour[0].colour, Colour::kYellow);
  EXPECT_TRUE(car.upper.empty());
  EXPECT_EQ(d.take(3).views, 0);
  EXPECT_EQ(d.take(4).views, 0);
  EXPECT_EQ(d.take(1).views, 0);  // taken once
}

TEST(TrackDescriber, CountsOneDetectedFrameInN) {
  Scene s;
  TrackDescriber d(3);
  for (int i = 0; i < 7; ++i) d.observe(s.frame, {{1, s.box, "person", true}});
  EXPECT_EQ(d.take(1).views, 3);  // detections 1, 4 and 7
}

TEST(Motion, SpeedHeadingAndDwellInPixelsOrMetres) {
  TrackAttributes a;
  const std::vector<cv::Point2f> path = {{0, 0}, {30, 40}, {60, 80}};  // 100 px, south-east-ish
  describe_motion(a, path, 10, 20, {});
  EXPECT_DOUBLE_EQ(a.dwell_s, 10);
  EXPECT_NEAR(a.speed, 10, 1e-9);
  EXPECT_EQ(a.speed_unit, "px/s");
  EXPECT_NEAR(a.heading_deg, std::atan2(80, 60) * 180 / M_PI, 1e-4);
  // A homography of 1 cm per pixel: 1 m in 10 s.
  describe_motion(a, path, 10, 20, {0.01, 0, 0, 0, 0.01, 0, 0, 0, 1});
  EXPECT_NEAR(a.speed, 0.1, 1e-6);
  EXPECT_EQ(a.speed_unit, "m/s");
  TrackAttributes still;
  describe_motion(still, {{5, 5}}, 3, 3, {});
  EXPECT_EQ(still.speed, 0);
  EXPECT_EQ(still.dwell_s, 0);
  describe_motion(still, {{5, 5}, {5, 0}}, 0, 1, {});
  EXPECT_NEAR(still.heading_deg, 270, 1e-4);  // up the image
}

TEST(Size, PixelsWithoutAHomographyMetresAtTheScaleOfTheFeetWithOne) {
  TrackAttributes a;
  describe_size(a, {100, 30, 50, 170}, {});
  EXPECT_EQ(a.size_unit, "px");
  EXPECT_EQ(a.width, 50);
  EXPECT_EQ(a.height, 170);
  describe_size(a, {100, 30, 50, 170}, {0.01, 0, 0, 0, 0.01, 0, 0, 0, 1});  // 1 cm per pixel
  EXPECT_EQ(a.size_unit, "m");
  EXPECT_NEAR(a.width, 0.5, 1e-6);
  EXPECT_NEAR(a.height, 1.7, 1e-6);
  // A perspective view: ground X = x / (y / 100), so a pixel at the feet is worth 100 / y
  // metres across. The same box nearer the camera (lower in the image) is smaller.
  const std::vector<double> perspective{1, 0, 0, 0, 1, 0, 0, 0.01, 0};
  a.frame = {400, 400};  // its bottom centre is ground
  describe_size(a, {100, 30, 50, 170}, perspective);  // feet at y = 200: 0.5 m per pixel
  EXPECT_NEAR(a.height, 85, 1e-3);
  describe_size(a, {100, 230, 50, 170}, perspective);  // feet at y = 400: 0.25 m per pixel
  EXPECT_NEAR(a.height, 42.5, 1e-3);
  describe_size(a, {100, -170, 50, 170}, perspective);  // feet on the horizon: no scale
  EXPECT_EQ(a.size_unit, "px");
  describe_size(a, {100, -180, 50, 170}, perspective);  // beyond it: no scale either
  EXPECT_EQ(a.size_unit, "px");
  const std::vector<double> tilted{1, 0, 0, 0, 1, 0, 0.01, 0, -1};  // the horizon is x = 100
  describe_size(a, {80, 30, 40, 170}, tilted);                     // the feet straddle it
  EXPECT_EQ(a.size_unit, "px");
}

TEST(HeatMap, ColoursWhereTracksWentLeavesTheRestClearAndSkipsWhatIsOffTheFrame) {
  HeatMap heat;
  for (int x = 0; x < 320; x += 4) heat.add(static_cast<float>(x), 200, {320, 240});  // a path along y = 200
  heat.add(160, 120, {640, 480});  // another resolution: the same place in fractions of the frame
  heat.add(-1, 10, {320, 240});
  heat.add(400, 10, {320, 240});
  heat.add(std::nanf(""), 10, {320, 240});
  heat.add(10, 10, {0, 0});
  EXPECT_EQ(heat.points(), 81);
  const cv::Mat image = heat.render({320, 240});
  ASSERT_EQ(image.size(), cv::Size(320, 240));
  ASSERT_EQ(image.type(), CV_8UC4);
  EXPECT_GT(image.at<cv::Vec4b>(200, 100)[3], 100);  // on the path
  EXPECT_GT(image.at<cv::Vec4b>(60, 80)[3], 0);      // the other resolution's point, at (80, 60) here
  EXPECT_EQ(image.at<cv::Vec4b>(20, 300)[3], 0);     // where nobody went
  EXPECT_TRUE(heat.render({0, 0}).empty());
  const cv::Mat nothing = HeatMap().render({32, 24});  // no point: all clear, no division by zero
  std::vector<cv::Mat> channels;
  cv::split(nothing, channels);
  EXPECT_EQ(cv::countNonZero(channels[3]), 0);
}

}  // namespace
}  // namespace vigie::describe
