#include "eval/colour_eval.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace vigie::eval {
namespace {

using describe::Colour;

std::string write(const std::string& name, const std::string& text) {
  const auto path = (std::filesystem::temp_directory_path() / ("vigie_colour_" + name + ".csv")).string();
  std::ofstream(path) << text;
  return path;
}

TEST(ColourLabels, ReadsAcceptedNamesAndSkipsHeaderAndComments) {
  const auto path = write("ok", "# how it was labelled\nvideo,frame,x,y,w,h,upper,lower\n"
                                "pets,12,10.5,20,30,80,red|Blue,gray\r\n\naboda,1,0,0,5,9,brown,black\n");
  const auto labels = read_colour_labels(path);
  ASSERT_TRUE(labels) << labels.error().message;
  ASSERT_EQ(labels->size(), 2u);
  const auto& l = (*labels)[0];
  EXPECT_EQ(l.video, "pets");
  EXPECT_EQ(l.frame, 12);
  EXPECT_FLOAT_EQ(l.box.x, 10.5f);
  EXPECT_EQ(l.upper, (std::vector<Colour>{Colour::kRed, Colour::kBlue}));
  EXPECT_EQ(l.lower, std::vector<Colour>{Colour::kGrey});
  EXPECT_EQ(l.line, 3);
}

TEST(ColourLabels, BadLinesAreNamedWithTheirCause) {
  struct Case {
    std::string text, expect;
  };
  const Case cases[] = {
      {"pets,1,0,0,5,9,beige,black\n", ":1: 'beige' is not a colour name"},
      {"pets,1,0,0,5,9,red|,black\n", ":1: '' is not a colour name"},
      {"pets,1,0,0,5,9,red\n", ":1: expected video,frame,x,y,w,h,upper,lower"},
      {"pets,0,0,0,5,9,red,red\n", "frame number from 1"},
      {"pets,1.5,0,0,5,9,red,red\n", "frame number from 1"},
      {"pets,124444444444444,0,0,5,9,red,red\n", "frame number from 1"},  // beyond int: found by fuzzing
      {",1,0,0,5,9,red,red\n", "frame number from 1"},
      {"pets,1,0,0,0,9,red,red\n", "w and h at least 1"},
      {"pets,1,nan,0,5,9,red,red\n", "w and h at least 1"},
      {"# nothing\n", "no labelled crop"},
  };
  for (const auto& c : cases) {
    const auto r = read_colour_labels(write("bad", c.text));
    ASSERT_FALSE(r) << c.text;
    EXPECT_NE(r.error().message.find(c.expect), std::string::npos) << r.error().message;
  }
  EXPECT_FALSE(read_colour_labels("/nonexistent/labels.csv"));
}

TEST(ColourScore, TheMostLikelyNameMustBeAnAcceptedOne) {
  std::vector<ColourLabel> labels(3);
  labels[0].upper = {Colour::kRed, Colour::kBlue}, labels[0].lower = {Colour::kBlue};
  labels[1].upper = {Colour::kBlack}, labels[1].lower = {Colour::kGrey};
  labels[2].upper = {Colour::kBrown}, labels[2].lower = {Colour::kBlack};
  for (int i = 0; i < 3; ++i) labels[i].line = i + 1;
  const std::vector<ColourGuess> guesses = {
      {{{Colour::kBlue, 0.6f}, {Colour::kRed, 0.4f}}, {{Colour::kBlue, 1.f}}},  // both right
      {{{Colour::kGrey, 0.5f}, {Colour::kBlack, 0.5f}}, {{Colour::kGrey, 1.f}}},  // black only second
      {{}, {{Colour::kBlack, 1.f}}},                                               // nothing named
  };
  const auto s = score_colours(labels, guesses);
  EXPECT_EQ(s.crops, 3);
  EXPECT_NEAR(s.upper_accuracy, 1.0 / 3, 1e-9);
  EXPECT_NEAR(s.lower_accuracy, 1.0, 1e-9);
  ASSERT_EQ(s.mistakes.size(), 2u);
  EXPECT_EQ(s.mistakes[0].said, "grey");
  EXPECT_EQ(s.mistakes[0].wanted, "black");
  EXPECT_EQ(s.mistakes[1].said, "(none)");
  EXPECT_EQ(s.confusion.at("red").at("blue"), 1);
}

}  // namespace
}  // namespace vigie::eval
