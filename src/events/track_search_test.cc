// Forensic search as people ask for it: filters checked, likeness, attributes read back
// from what an older or a damaged writer left, and `similar` naming its track.
#include "events/track_search.h"

#include <gtest/gtest.h>

#include "core/test_data.h"
#include "events/test_sql.h"

namespace vigie::events {
namespace {

TrackFilter checked(TrackFilter f) {
  auto r = checked_filter(std::move(f));
  EXPECT_TRUE(r) << r.error().message;
  return r ? *r : TrackFilter{};
}

std::string refusal(TrackFilter f) {
  const auto r = checked_filter(std::move(f));
  return r ? "" : r.error().message;
}

TEST(SearchFilter, ALineTakesItsDirectionAfterAColonAndKeepsAColonOfItsOwnName) {
  TrackFilter f;
  f.line = "door:b_to_a";
  EXPECT_EQ(checked(f).line, "door");
  EXPECT_EQ(checked(f).direction, "b_to_a");
  f.line = "gate:north";  // a name with a colon, no direction
  EXPECT_EQ(checked(f).line, "gate:north");
  EXPECT_EQ(checked(f).direction, "");
  f.line = "door", f.direction = "up";
  EXPECT_NE(refusal(f).find("direction 'up' is neither a_to_b nor b_to_a"), std::string::npos);
  f = {}, f.direction = "a_to_b";
  EXPECT_NE(refusal(f).find("a direction needs a line"), std::string::npos);
  f = {}, f.limit = 0;
  EXPECT_NE(refusal(f).find("limit 0"), std::string::npos);
}

TEST(SearchFilter, SimilarIsAFullKeyOrAnId) {
  TrackFilter f;
  for (const char* good : {"4", "cam/run-1/4", "a/b/c/run/12", "cam//3"}) {
    f.similar = good;
    EXPECT_EQ(refusal(f), "") << good;
  }
  for (const char* bad : {"x", "/1", "//1", "cam/4", "cam/r/0", "cam/r/-1", "cam/r/1234567890", "cam/r/"}) {
    f.similar = bad;
    EXPECT_NE(refusal(f).find("is not a track"), std::string::npos) << bad;
  }
}

TEST(Likeness, TheMeanOfTheCuesBothTracksHave) {
  TrackRow a, b;
  EXPECT_FALSE(likeness_distance(a, b)) << "nothing to compare";
  a.upper = {{"red", 1}}, b.lower = {{"blue", 1}};
  EXPECT_FALSE(likeness_distance(a, b)) << "no region both have";
  b.upper = {{"red", 0.5f}, {"black", 0.5f}};
  EXPECT_NEAR(*likeness_distance(a, b), 0.5, 1e-6);  // half the red is missing
  a.appearance = {1, 0}, b.appearance = {1, 0};
  EXPECT_NEAR(*likeness_distance(a, b), 0.25, 1e-6);  // (0 + 0.5) / 2
  b.appearance = {1, 0, 0};  // another descriptor: not compared
  EXPECT_NEAR(*likeness_distance(a, b), 0.5, 1e-6);
  EXPECT_NEAR(*likeness_distance(a, a), 0, 1e-6);
}

// What a damaged line or row holds is skipped, never undefined behaviour or an infinity.
TEST(TrackAttributes, NumbersOutOfRangeAndWrongShapesAreSkipped) {
  const auto j = nlohmann::json::parse(R"({
    "upper": [["red", 1e300], ["blue", 0.5], ["x"]], "lower": "black",
    "appearance": [0.5, 1e39], "frame": [4294968320, 480], "speed": "fast",
    "width": 0.6, "height": 1.8, "size_unit": "m",
    "zones": "yard", "crossed": [["door", "a_to_b", 5], ["door", 7, 5], ["gate", "b_to_a"]]})");
  TrackRow t;
  read_track_attributes(j, t);
  ASSERT_EQ(t.upper.size(), 1u);
  EXPECT_EQ(t.upper[0].name, "blue");
  EXPECT_TRUE(t.lower.empty());
  EXPECT_TRUE(t.appearance.empty()) << "a descriptor with a hole is none";
  EXPECT_EQ(t.frame_width, 0);
  EXPECT_EQ(t.frame_height, 0);
  EXPECT_EQ(t.speed, 0);
  EXPECT_DOUBLE_EQ(t.height, 1.8);
  EXPECT_TRUE(t.zones.empty());
  ASSERT_EQ(t.crossed.size(), 1u);
  EXPECT_EQ(t.crossed[0].name, "door");
  // And what is written reads back the same.
  TrackRow back;
  read_track_attributes(track_attributes_json(t), back);
  EXPECT_EQ(back.upper.at(0).name, "blue");
  EXPECT_EQ(back.crossed.at(0).direction, "a_to_b");
  EXPECT_EQ(back.size_unit, "m");
}

TrackRow stored(int id, const std::string& run, std::vector<float> appearance, const std::string& label = "person") {
  TrackRow t;
  t.camera = "cam", t.run_id = run, t.track_id = id, t.label = label;
  t.first_epoch = 1000 + id, t.last_epoch = 1010 + id, t.path = {{1, 2}, {3, 4}};
  t.appearance = std::move(appearance);
  return t;
}

TEST(Similar, NamesItsTrackOnceRanksTheRestWholeAndRefusesWhatItCannotCompare) {
  const auto dir = testing::fresh_temp_dir("track_search_similar");
  auto store = testing::open_store(dir / "v.db");
  for (const auto& t : {stored(1, "a", {1, 0}), stored(1, "b", {0, 1}), stored(2, "a", {0.9f, 0.1f}),
                        stored(3, "", {1, 0}), stored(4, "a", {}), stored(5, "a", {1, 0}, "car")})
    ASSERT_TRUE(store->record_track(t));
  auto search = [&](const std::string& similar) {
    TrackFilter f;
    f.similar = similar;
    auto r = find_tracks(*store, f);
    EXPECT_TRUE(r) << r.error().message;
    return r ? *r : SearchOutcome{};
  };
  auto ids = [](const SearchOutcome& o) {
    std::vector<std::string> out;
    for (const auto& t : o.tracks) out.push_back(t.track.run_id + "/" + std::to_string(t.track.track_id));
    return out;
  };
  const auto one = search("1");
  EXPECT_NE(one.refused.find("track 1 is in several runs (cam/a/1, cam/b/1)"), std::string::npos) << one.refused;
  const auto a1 = search("cam/a/1");
  EXPECT_EQ(a1.refused, "");
  EXPECT_EQ(a1.reference, "cam/a/1");
  // Itself left out, the car (another class) and the track with nothing to compare too.
  EXPECT_EQ(ids(a1), (std::vector<std::string>{"/3", "a/2", "b/1"}));
  EXPECT_EQ(a1.tracks.front().track.path.size(), 2u) << "those shown are whole";
  EXPECT_FALSE(a1.capped);
  EXPECT_EQ(search("cam//3").reference, "cam//3");  // a run from before schema 4
  EXPECT_NE(search("cam/a/4").refused.find("without an appearance"), std::string::npos);
  EXPECT_NE(search("cam/a/9").refused.find("no stored track is 'cam/a/9'"), std::string::npos);
}

}  // namespace
}  // namespace vigie::events
