#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "core/test_data.h"
#include "scancar/round.h"
#include "scancar/rights.h"

namespace vigie::scancar {
namespace {

using plates::PlateFormat;
using plates::PlateText;

Registers sample_registers() {
  Registers r;
  r.paid = {{"AB123CD", 1000, 2000}};
  r.residents = {{"EF456GH", 0, 5000}};
  r.cards = {{"CMI-1", {"JK789LM", "1020HG90"}, 0, 5000}};
  return r;
}

TEST(ScancarRights, EachRegisterGivesItsRightWithinItsTimes) {
  const Registers r = sample_registers();
  EXPECT_EQ(right_at(r, "AB-123-CD", 1500).right, Right::kPaid);
  EXPECT_EQ(right_at(r, "AB123CD", 2500).right, Right::kNone);  // the session ended
  EXPECT_EQ(right_at(r, "EF456GH", 10).right, Right::kResident);
  EXPECT_EQ(right_at(r, "EF456GH", 6000).right, Right::kNone);  // the permit expired
  const auto card = right_at(r, "1020 HG 90", 100);
  EXPECT_EQ(card.right, Right::kDisabilityCard);
  EXPECT_EQ(card.reference, "CMI-1");
  EXPECT_FALSE(card.near_match);
  EXPECT_EQ(right_at(r, "ZZ999ZZ", 100).right, Right::kNone);
}

TEST(ScancarRights, APlateOneCharacterFromADeclaredOneIsTheCardHolders) {
  const Registers r = sample_registers();
  // The reader's usual errors: a substitution (Q for O … here 8 for B), a character lost,
  // a character added. None may fine a card holder.
  for (const char* misread : {"JK789LN", "020HG90", "11020HG90", "JK7B9LM"}) {
    const auto found = right_at(r, misread, 100);
    EXPECT_EQ(found.right, Right::kDisabilityCard) << misread;
    EXPECT_TRUE(found.near_match) << misread;
  }
  // Two characters away is another car; and the near match does not extend to paid
  // sessions (a person reviews that car).
  EXPECT_EQ(right_at(r, "JK788LN", 100).right, Right::kNone);
  EXPECT_EQ(right_at(r, "AB123CE", 1500).right, Right::kNone);
}

TEST(ScancarDecision, NoFineByMachineForLowConfidenceForeignOrUnreadPlates) {
  const Registers r = sample_registers();
  EXPECT_EQ(decide(PlateText{"ZZ999ZZ", PlateFormat::kSiv, 0.95}, r, 100).outcome, Outcome::kCandidate);
  EXPECT_EQ(decide(PlateText{"ZZ999ZZ", PlateFormat::kSiv, 0.3}, r, 100).outcome, Outcome::kDroppedUnread);
  EXPECT_EQ(decide(PlateText{"BA268IM", PlateFormat::kForeign, 0.99}, r, 100).outcome, Outcome::kDroppedUnread);
  EXPECT_EQ(decide(PlateText{"GWAGEN", PlateFormat::kOther, 0.99}, r, 100).outcome, Outcome::kDroppedUnread);
  EXPECT_EQ(decide(std::nullopt, r, 100).outcome, Outcome::kDroppedUnread);
  // A card holder read with low confidence is still the card holder's car.
  const auto holder = decide(PlateText{"JK789LM", PlateFormat::kSiv, 0.2}, r, 100);
  EXPECT_EQ(holder.outcome, Outcome::kDroppedRight);
  EXPECT_EQ(holder.right.right, Right::kDisabilityCard);
}

TEST(ScancarDecision, TheSummaryCountsCandidatesAndEachRegister) {
  std::vector<Decision> d{{Outcome::kCandidate, {}, ""},
                          {Outcome::kDroppedRight, {Right::kPaid, "x", false}, ""},
                          {Outcome::kDroppedRight, {Right::kDisabilityCard, "c", false}, ""},
                          {Outcome::kDroppedUnread, {}, ""}};
  const auto s = summarise(d);
  EXPECT_EQ(s.cars, 4);
  EXPECT_EQ(s.candidates, 1);
  EXPECT_EQ(s.unread, 1);
  EXPECT_EQ(s.dropped_by_right.at("paid"), 1);
  EXPECT_EQ(s.dropped_by_right.at("disability_card"), 1);
  EXPECT_DOUBLE_EQ(s.candidates_per_100_cars, 25);
}

class ScancarFiles : public ::testing::Test {
 protected:
  std::filesystem::path dir_ = vigie::testing::fresh_temp_dir(
      std::string("scancar_") + ::testing::UnitTest::GetInstance()->current_test_info()->name());
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void write(const std::string& name, const std::string& text) { std::ofstream(dir_ / name) << text; }
};

TEST_F(ScancarFiles, RegistersAreReadAndMissingOnesAreEmpty) {
  write("paid.csv", "plate,start,end\nAB-123-CD,1000,2000\n");
  write("cards.csv", "card,plates,valid_from,valid_until\nCMI-1,JK789LM|1020 HG 90,0,5000\n");
  const auto r = read_registers(dir_.string());
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->paid.size(), 1u);
  EXPECT_EQ(r->paid[0].plate, "AB123CD");
  EXPECT_TRUE(r->residents.empty());
  ASSERT_EQ(r->cards.size(), 1u);
  EXPECT_EQ(r->cards[0].plates, (std::vector<std::string>{"JK789LM", "1020HG90"}));
}

TEST_F(ScancarFiles, MalformedRegistersAndTracksAreNamedWithTheirLine) {
  const std::map<std::pair<std::string, std::string>, std::string> cases{
      {{"paid.csv", "plate,start\n"}, "no 'end' column"},
      {{"paid.csv", "plate,start,end\nAB123CD,2000,1000\n"}, "paid.csv:2: end is before start"},
      {{"paid.csv", "plate,start,end\nAB123CD,x,1000\n"}, "paid.csv:2: start is a time"},
      {{"paid.csv", "plate,start,end\n-,1,2\n"}, "paid.csv:2: '-' is not a plate"},
      {{"residents.csv", "plate,valid_from,valid_until\nAB123CD,1\n"}, "residents.csv:2: 2 fields"},
      {{"cards.csv", "card,plates,valid_from,valid_until\nC,A1|B2|C3|D4,0,1\n"}, "at most 3 plates"},
      {{"cards.csv", "card,plates,valid_from,valid_until\n,AB123CD,0,1\n"}, "card number"},
  };
  for (const auto& [file, expected] : cases) {
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    write(file.first, file.second);
    const auto r = read_registers(dir_.string());
    ASSERT_FALSE(r) << file.second;
    EXPECT_NE(r.error().message.find(expected), std::string::npos) << r.error().message;
  }
  EXPECT_FALSE(read_registers((dir_ / "absent").string()));

  const std::map<std::string, std::string> tracks{
      {"", "the header is time,lat,lon,photo"},
      {"time,lat,lon,photo\n", "no photo"},
      {"time,lat,lon,photo\n1,43.3,5.4\n", ":2: expected"},
      {"time,lat,lon,photo\n1,93.3,5.4,a.jpg\n", ":2: lat and lon"},
      {"time,lat,lon,photo\n-1,43.3,5.4,a.jpg\n", ":2: the time"},
      {"time,lat,lon,photo\n1,43.3,5.4,../a.jpg\n", ":2: the photo"},
  };
  for (const auto& [text, expected] : tracks) {
    write("track.csv", text);
    const auto r = read_track((dir_ / "track.csv").string());
    ASSERT_FALSE(r) << text;
    EXPECT_NE(r.error().message.find(expected), std::string::npos) << r.error().message;
  }
}

}  // namespace
}  // namespace vigie::scancar
