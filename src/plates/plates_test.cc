#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "core/test_data.h"
#include "plates/characters.h"
#include "plates/eval.h"

namespace vigie::plates {
namespace {

// A recogniser's alphabet in the shape of PP-OCR's: blank, some other symbols, the
// letters, the digits, a few separators.
Alphabet test_alphabet() {
  std::vector<std::string> symbols{"", "-", "·", "京"};
  for (char c = 'A'; c <= 'Z'; ++c) symbols.emplace_back(1, c);
  for (char c = '0'; c <= '9'; ++c) symbols.emplace_back(1, c);
  symbols.emplace_back(" ");
  return Alphabet(symbols);
}

int index_of(const Alphabet& a, const std::string& s) {
  for (int i = 0; i < a.size(); ++i)
    if (a.symbol(i) == s) return i;
  ADD_FAILURE() << "no symbol " << s;
  return 0;
}

// One character step: `first` with probability p, `second` with the rest; a blank step
// between characters, as CTC puts them.
struct Step {
  std::string first;
  float p = 1;
  std::string second = "";
};

CharacterScores scores_of(const Alphabet& a, const std::vector<Step>& steps) {
  CharacterScores s;
  s.symbols = a.size();
  for (const Step& step : steps) {
    for (int blank_then_char = 0; blank_then_char < 2; ++blank_then_char) {
      std::vector<float> row(a.size(), 0.f);
      if (blank_then_char == 0) {
        row[0] = 1;
      } else {
        row[index_of(a, step.first)] = step.p;
        row[step.second.empty() ? 0 : index_of(a, step.second)] += 1 - step.p;
      }
      s.probabilities.insert(s.probabilities.end(), row.begin(), row.end());
      ++s.steps;
    }
  }
  return s;
}

std::vector<Step> plain(const std::string& text) {
  std::vector<Step> out;
  for (char c : text) out.push_back({std::string(1, c)});
  return out;
}

TEST(PlateCharacters, ASivPlateIsReadWithItsSeparatorsLeftOut) {
  const Alphabet a = test_alphabet();
  const auto plate = read_plate(scores_of(a, plain("FS-938-HA")), a);
  ASSERT_TRUE(plate);
  EXPECT_EQ(plate->text, "FS938HA");
  EXPECT_EQ(plate->format, PlateFormat::kSiv);
  EXPECT_NEAR(plate->confidence, 1.0, 1e-6);
}

TEST(PlateCharacters, TheFormatSettlesLettersAndDigitsTheRecogniserConfused) {
  const Alphabet a = test_alphabet();
  // The recogniser's first choices read "EO-725-0J"; the plate is EQ-725-QJ: O is never
  // used in SIV, and a 0 in a letter position is a letter.
  auto steps = plain("E-725-");
  steps.insert(steps.begin() + 1, {"O", 0.7f, "Q"});
  steps.push_back({"0", 0.6f, "Q"});
  steps.push_back({"J"});
  const auto plate = read_plate(scores_of(a, steps), a);
  ASSERT_TRUE(plate);
  EXPECT_EQ(plate->text, "EQ725QJ");
  EXPECT_EQ(plate->format, PlateFormat::kSiv);
  EXPECT_NEAR(plate->confidence, 0.3, 1e-5);  // Q was the second choice at 0.3
}

TEST(PlateCharacters, ASivPlateWithItsBandsIsNotReadAsAnFniPlateBesideIt) {
  const Alphabet a = test_alphabet();
  // The EU band's F and the department band's 75 on either side: FNI 123CD75 is as long
  // as AB123CD but lies beside it, not around it; the more certain reading wins.
  auto steps = plain("F AB-123-CD 75");
  std::erase_if(steps, [](const Step& s) { return s.first == " "; });
  const auto plate = read_plate(scores_of(a, steps), a);
  ASSERT_TRUE(plate);
  EXPECT_EQ(plate->text, "AB123CD");
  EXPECT_EQ(plate->format, PlateFormat::kSiv);
}

TEST(PlateCharacters, AClearIOrOMakesAForeignPlateOfTheSameShape) {
  const Alphabet a = test_alphabet();
  // A Slovak plate BA-268IM: the I is sure (0.98 against 0.02 for L), far beyond the
  // prior odds for a French plate.
  auto steps = plain("BA-268");
  steps.push_back({"I", 0.98f, "L"});
  steps.push_back({"M"});
  const auto plate = read_plate(scores_of(a, steps), a);
  ASSERT_TRUE(plate);
  EXPECT_EQ(plate->text, "BA268IM");
  EXPECT_EQ(plate->format, PlateFormat::kForeign);
}

TEST(PlateCharacters, AnFniPlateKeepsASureLeadingDigit) {
  const Alphabet a = test_alphabet();
  auto steps = plain("98 GV 73");
  std::erase_if(steps, [](const Step& s) { return s.first == " "; });
  steps.insert(steps.begin(), {"1", 0.55f, "7"});  // sure enough, though the least sure
  const auto plate = read_plate(scores_of(a, steps), a);
  ASSERT_TRUE(plate);
  EXPECT_EQ(plate->text, "198GV73");
  EXPECT_EQ(plate->format, PlateFormat::kFni);
}

TEST(PlateCharacters, TextThatFitsNoPlateFormatIsNeverAFrenchPlate) {
  const Alphabet a = test_alphabet();
  // A line of letters and digits in no known shape is kept as written, as "other": a
  // vanity plate, a country not listed, or a shop sign; never a French plate.
  const auto other = read_plate(scores_of(a, plain("PARKING")), a);
  ASSERT_TRUE(other);
  EXPECT_EQ(other->format, PlateFormat::kOther);
  EXPECT_FALSE(read_plate(scores_of(a, plain("12")), a));  // too short for any plate
  EXPECT_FALSE(read_plate(CharacterScores{}, a));
  // A department that does not exist (96) is not an FNI plate.
  const auto no_department = read_plate(scores_of(a, plain("1234AB96")), a);
  ASSERT_TRUE(no_department);
  EXPECT_NE(no_department->format, PlateFormat::kFni);
}

TEST(PlateCharacters, AnAlphabetWithoutLettersAndDigitsReadsNothing) {
  const Alphabet tiny({"", "A", "1"});
  CharacterScores s;
  s.symbols = 3, s.steps = 1, s.probabilities = {0, 1, 0};
  EXPECT_FALSE(read_plate(s, tiny));
  s.symbols = 2;  // scores of another alphabet
  EXPECT_FALSE(read_plate(s, test_alphabet()));
}

TEST(PlateCharacters, FrenchFormatsAreCheckedAsTheRegisterIssuesThem) {
  EXPECT_TRUE(is_siv("AB123CD"));
  EXPECT_FALSE(is_siv("AB000CD"));  // never issued
  EXPECT_FALSE(is_siv("AO123CD"));  // no O, I or U
  EXPECT_FALSE(is_siv("AB123C"));
  EXPECT_TRUE(is_fni("1234AB56"));
  EXPECT_TRUE(is_fni("12ABC2A"));
  EXPECT_TRUE(is_fni("123AB974"));
  EXPECT_FALSE(is_fni("123AB977"));
  EXPECT_FALSE(is_fni("12345AB56"));
  EXPECT_FALSE(is_fni("1234AB20"));  // Corsica is 2A/2B since 1976
  EXPECT_FALSE(is_fni("AB123CD"));
}

// --- labels and the score

class PlateLabels : public ::testing::Test {
 protected:
  std::filesystem::path dir_ = vigie::testing::fresh_temp_dir(
      std::string("plate_labels_") + ::testing::UnitTest::GetInstance()->current_test_info()->name());
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string write(const std::string& text) {
    const auto path = (dir_ / "labels.csv").string();
    std::ofstream(path) << text;
    return path;
  }
};

TEST_F(PlateLabels, BothSharedLayoutsAreRead) {
  auto fr = read_plate_labels(write(
      "image,plate,xmin,ymin,xmax,ymax,format,split\n\"test/1020 HG 90.jpg\",1020HG90,448,296,600,333,FNI,test\n"));
  ASSERT_TRUE(fr) << fr.error().message;
  ASSERT_EQ(fr->size(), 1u);
  EXPECT_EQ((*fr)[0].image, "test/1020 HG 90.jpg");
  EXPECT_EQ((*fr)[0].split, "test");
  EXPECT_EQ((*fr)[0].box, (Box{448, 296, 152, 37}));
  auto eu = read_plate_labels(write("\xEF\xBB\xBFimage,plate,xmin,ymin,xmax,ymax\r\ntest_006.jpg,RK-O99AN,1,2,30,12\r\n"
                                    "dots..in..name.jpg,AB123CD,1,2,30,12\r\n"));
  ASSERT_TRUE(eu) << eu.error().message;
  EXPECT_EQ((*eu)[0].plate, "RK099AN");  // separators dropped, O taken as 0
  EXPECT_EQ((*eu)[0].split, "");
}

TEST_F(PlateLabels, BadLabelsAreNamedWithTheirLine) {
  const std::map<std::string, std::string> cases{
      {"", "empty"},
      {"image,plate,x,y\n", "no 'xmin' column"},
      {"image,plate,xmin,ymin,xmax,ymax\n", "no labelled photo"},
      {"image,plate,xmin,ymin,xmax,ymax\na.jpg,AB123CD,1,2,3\n", ":2: 5 fields"},
      {"image,plate,xmin,ymin,xmax,ymax\na.jpg,AB123CD,5,2,3,4\n", ":2: the box"},
      {"image,plate,xmin,ymin,xmax,ymax\na.jpg,AB123CD,1,2,nan,4\n", ":2: the box"},
      {"image,plate,xmin,ymin,xmax,ymax\na.jpg,--,1,2,3,4\n", ":2: the plate"},
      {"image,plate,xmin,ymin,xmax,ymax\n../a.jpg,AB123CD,1,2,3,4\n", ":2: the image"},
      {"image,plate,xmin,ymin,xmax,ymax\n/etc/a.jpg,AB123CD,1,2,3,4\n", ":2: the image"},
  };
  for (const auto& [text, expected] : cases) {
    const auto r = read_plate_labels(write(text));
    ASSERT_FALSE(r) << text;
    EXPECT_NE(r.error().message.find(expected), std::string::npos) << r.error().message;
  }
  EXPECT_FALSE(read_plate_labels((dir_ / "absent.csv").string()));
}

TEST(PlateScore, ExactCharacterErrorsAndLocationAreCounted) {
  std::vector<PlateLabel> labels{{"a.jpg", "AB123CD", {0, 0, 100, 20}, "", 2},
                                 {"b.jpg", "RK099AN", {0, 0, 100, 20}, "", 3},
                                 {"c.jpg", "1234AB56", {0, 0, 100, 20}, "", 4}};
  std::vector<PlateGuess> guesses{{"AB-123-CD", {0, 0, 100, 20}, 10, 0.5, true},      // right, unsure
                                  {"RKO99AM", {200, 200, 10, 10}, 20, 0.95, true},   // one substitution, box elsewhere
                                  {std::nullopt, {}, 30, 0, false}};
  const PlateScore s = score_plates(labels, guesses, 0.9);
  EXPECT_EQ(s.wrong_candidates, 1);
  EXPECT_EQ(s.right_below_threshold, 1);
  EXPECT_EQ(s.exact, 1);
  EXPECT_NEAR(s.exact_rate, 1.0 / 3, 1e-9);
  EXPECT_NEAR(s.character_error_rate, (0 + 1 + 8) / 22.0, 1e-9);
  EXPECT_EQ(s.located, 1);
  EXPECT_NEAR(s.ms_per_image, 20, 1e-9);
  ASSERT_EQ(s.misses.size(), 2u);
  EXPECT_EQ(s.misses[0].read, "RKO99AM");
  EXPECT_EQ(s.misses[1].read, "");
}

}  // namespace
}  // namespace vigie::plates
