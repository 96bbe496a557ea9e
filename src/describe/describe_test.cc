#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

#include "describe/body.h"
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

}  // namespace
}  // namespace vigie::describe
