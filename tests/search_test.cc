// Forensic search end to end: PETS09-S2L1 analysed into a store, then `vigie search` by
// clothing colour finds the people who wear it (checked against the ground truth through
// the tracks file of that run), and every search is in the audit log.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/test_data.h"
#include "run.h"

namespace vigie::testing {
namespace {
namespace fs = std::filesystem;

struct Row {
  int frame, id;
  float x, y, w, h;
};

std::vector<Row> read_mot(const fs::path& p) {
  std::vector<Row> rows;
  std::ifstream in(p);
  std::string line;
  while (std::getline(in, line)) {
    Row r{};
    if (std::sscanf(line.c_str(), "%d,%d,%f,%f,%f,%f", &r.frame, &r.id, &r.x, &r.y, &r.w, &r.h) == 6) rows.push_back(r);
  }
  return rows;
}

float iou(const Row& a, const Row& b) {
  const float x = std::max(0.f, std::min(a.x + a.w, b.x + b.w) - std::max(a.x, b.x));
  const float y = std::max(0.f, std::min(a.y + a.h, b.y + b.h) - std::max(a.y, b.y));
  return x * y / (a.w * a.h + b.w * b.h - x * y);
}

// The ground-truth person a track follows most (IoU ≥ 0.5), by frames.
std::map<int, int> person_of_each_track(const std::vector<Row>& tracks, const std::vector<Row>& gt) {
  std::map<int, std::vector<const Row*>> gt_by_frame;
  for (const auto& g : gt) gt_by_frame[g.frame].push_back(&g);
  std::map<int, std::map<int, int>> votes;
  for (const auto& t : tracks)
    for (const Row* g : gt_by_frame[t.frame])
      if (iou(t, *g) >= 0.5f) ++votes[t.id][g->id];
  std::map<int, int> out;
  for (const auto& [track, v] : votes)
    out[track] = std::max_element(v.begin(), v.end(), [](auto& a, auto& b) { return a.second < b.second; })->first;
  return out;
}

nlohmann::json search(const std::string& db, const std::string& args) {
  const auto r = run(vigie_bin() + " search --json --store " + db + " --reason 'case 2026-0042' " + args);
  EXPECT_EQ(r.code, 0) << r.err;
  return nlohmann::json::parse(r.out, nullptr, false);
}

// One analysis (10 s of CPU) for every search check: ctest runs each test in a process
// of its own.
TEST(Search, FindsThePeopleInARedTopFiltersNarrowAndEverySearchIsAudited) {
  VIGIE_REQUIRE_FILE(vtest_avi(), "vtest.avi (Debian package opencv-doc)");
  VIGIE_REQUIRE_FILE(shared_file("mot/PETS09-S2L1/gt/gt.txt"), "../shared/data/mot/PETS09-S2L1/gt/gt.txt");
  const auto dir = fresh_temp_dir("search");
  const std::string db = (dir / "s.db").string();
  const auto a = run(vigie_bin() + " analyze " + vtest_avi() + " --quiet --store " + db + " --tracks " +
                     (dir / "t.txt").string());
  ASSERT_EQ(a.code, 0) << a.err;

  // A red top finds the people in red, and nobody else.
  const auto found = search(db, "--class person --upper red");
  ASSERT_TRUE(found.is_array());
  const auto person = person_of_each_track(read_mot(dir / "t.txt"), read_mot(shared_file("mot/PETS09-S2L1/gt/gt.txt")));
  // PETS09's red tops: people 6 and 10 (a red jacket), 3 and 11 (red and navy).
  const std::set<int> in_red = {3, 6, 10, 11};
  std::set<int> seen;
  for (const auto& t : found) {
    EXPECT_EQ(t["class"], "person");
    EXPECT_NE(std::find(t["upper"].begin(), t["upper"].end(), "red"), t["upper"].end()) << t.dump();
    const int id = t["track_id"].get<int>();
    if (!person.count(id)) continue;  // a fragment no ground-truth person explains
    EXPECT_TRUE(in_red.count(person.at(id))) << "track " << id << " is person " << person.at(id);
    seen.insert(person.at(id));
    EXPECT_TRUE(fs::exists(t["thumbnail_file"].get<std::string>())) << t.dump();
  }
  EXPECT_GE(seen.size(), 3u) << "found " << found.dump();
  for (const char* key : {"track_id", "camera", "class", "upper", "lower", "first", "last"})
    EXPECT_TRUE(found.at(0).contains(key)) << key;

  // Filters narrow; nobody wears green.
  const auto all = search(db, "");
  ASSERT_GE(all.size(), 10u);
  EXPECT_TRUE(search(db, "--upper green").empty());
  EXPECT_TRUE(search(db, "--camera elsewhere").empty());
  EXPECT_EQ(search(db, "--limit 3").size(), 3u);
  const auto long_ones = search(db, "--min-dwell 30");
  EXPECT_GT(long_ones.size(), 0u);
  EXPECT_LT(long_ones.size(), all.size());
  for (const auto& t : long_ones) EXPECT_GE(t["dwell_s"].get<double>(), 30);
  double last = 0;
  for (const auto& t : all) last = std::max(last, t["last"].get<double>());
  EXPECT_TRUE(search(db, fmt::format("--from {:.3f}", last + 1)).empty());
  EXPECT_FALSE(search(db, fmt::format("--from {:.3f}", last - 1)).empty());

  // Every search is in the audit log with its reason, filters and count.
  search(db, "--upper blue --lower black");
  const auto log = run(vigie_bin() + " audit verify --store " + db);
  EXPECT_EQ(log.code, 0) << log.out << log.err;
  const auto r = run("sqlite3 " + db + " \"SELECT detail FROM audit_log WHERE action = 'tracks.search'\"");
  EXPECT_NE(r.out.find("case 2026-0042"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"upper\":\"blue\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"results\":"), std::string::npos) << r.out;

  // Statistics of the same store: every track counted once, by class; a heat map the size
  // of the frame; each use audited.
  const auto counts = run(vigie_bin() + " stats counts --json --by day --store " + db);
  ASSERT_EQ(counts.code, 0) << counts.err;
  int tracks = 0;
  for (const auto& c : nlohmann::json::parse(counts.out))
    if (c["kind"] == "tracks") tracks += c["count"].get<int>();
  EXPECT_EQ(tracks, static_cast<int>(search(db, "--limit 100000").size()));
  const auto csv = run(vigie_bin() + " stats counts --csv --store " + db);
  EXPECT_EQ(csv.out.rfind("bucket_epoch,camera,kind,what,direction,count\n", 0), 0u) << csv.out;
  EXPECT_NE(csv.out.find("\"cli\",tracks,\"person\",,"), std::string::npos) << csv.out;
  const auto png = dir / "heat.png";
  const auto heat = run(vigie_bin() + " stats heatmap --camera cli --store " + db + " --out " + png.string());
  ASSERT_EQ(heat.code, 0) << heat.err;
  const std::string bytes = slurp(png);
  ASSERT_GT(bytes.size(), 33u);
  auto be32 = [&](size_t at) {
    return (uint32_t(uint8_t(bytes[at])) << 24) | (uint32_t(uint8_t(bytes[at + 1])) << 16) |
           (uint32_t(uint8_t(bytes[at + 2])) << 8) | uint32_t(uint8_t(bytes[at + 3]));
  };
  EXPECT_EQ(bytes.substr(1, 3), "PNG");
  EXPECT_EQ(be32(16), 768u);  // IHDR: the frame's width and height
  EXPECT_EQ(be32(20), 576u);
  EXPECT_EQ(bytes[25], 6);    // colour type 6: RGBA, an overlay
  const auto audited = run("sqlite3 " + db + " \"SELECT action FROM audit_log WHERE action LIKE 'stats.%'\"");
  EXPECT_EQ(audited.out, "stats.counts\nstats.counts\nstats.heatmap\n");
  EXPECT_EQ(run(vigie_bin() + " stats counts --by week --store " + db).code, 2);
  EXPECT_EQ(run(vigie_bin() + " stats heatmap --camera nowhere --store " + db + " --out " + png.string()).code, 2);
  EXPECT_EQ(run(vigie_bin() + " stats heatmap --store " + db + " --out " + png.string()).code, 2);
}

// Where people went and who looks alike, on PETS09 with a zone on the left half and a line
// down the middle: what the search says each track did agrees with its stored path, and
// the tracks most alike a person include that person's other fragments more often than
// chance.
TEST(Search, ZonesLinesAndLikenessAgreeWithWhereTracksWent) {
  VIGIE_REQUIRE_FILE(vtest_avi(), "vtest.avi (Debian package opencv-doc)");
  VIGIE_REQUIRE_FILE(shared_file("mot/PETS09-S2L1/gt/gt.txt"), "../shared/data/mot/PETS09-S2L1/gt/gt.txt");
  const auto dir = fresh_temp_dir("search_places");
  const std::string db = (dir / "s.db").string();
  std::ofstream(dir / "site.yaml") << "cameras:\n  street:\n    input: " << vtest_avi() << "\n"
                                   << "    zones: { left: [[0, 0], [384, 0], [384, 576], [0, 576]] }\n"
                                   << "    lines: { middle: { points: [[384, 0], [384, 576]] } }\n";
  const auto a = run(vigie_bin() + " analyze --config " + (dir / "site.yaml").string() + " --quiet --store " + db +
                     " --tracks " + (dir / "t.txt").string());
  ASSERT_EQ(a.code, 0) << a.err;
  const auto all = search(db, "--limit 1000");
  ASSERT_GE(all.size(), 10u);
  auto ids_of = [](const nlohmann::json& found) {
    std::set<int> ids;
    for (const auto& t : found) ids.insert(t["track_id"].get<int>());
    return ids;
  };
  // The line runs down the frame: walking along it, side A is on the right (x > 384).
  const auto crossed = search(db, "--crossed middle --limit 1000");
  const auto westward = search(db, "--crossed middle:a_to_b --limit 1000");
  const auto eastward = search(db, "--crossed middle:b_to_a --limit 1000");
  ASSERT_GE(westward.size(), 2u);
  ASSERT_GE(eastward.size(), 2u);
  std::set<int> either = ids_of(westward);
  for (int id : ids_of(eastward)) either.insert(id);
  EXPECT_EQ(ids_of(crossed), either);
  int heading_west = 0;
  for (const auto& t : westward) {
    const auto& path = t["path"];
    heading_west += path.front()[0].get<double>() > path.back()[0].get<double>();
  }
  EXPECT_GT(heading_west * 2, static_cast<int>(westward.size())) << "most a_to_b tracks end west of where they began";
  const auto left = ids_of(search(db, "--zone left --limit 1000"));
  int agree = 0;
  for (const auto& t : all) {
    double min_x = 1e9, max_x = -1e9;
    for (const auto& p : t["path"]) min_x = std::min(min_x, p[0].get<double>()), max_x = std::max(max_x, p[0].get<double>());
    const int id = t["track_id"].get<int>();
    const bool went_left = min_x < 384, crossed_middle = min_x < 384 && max_x > 384;
    agree += (left.count(id) > 0) == went_left;
    if (ids_of(crossed).count(id)) {
      EXPECT_TRUE(crossed_middle) << t.dump();
    }
    EXPECT_EQ(t["zones"].size(), left.count(id)) << t.dump();
  }
  // Feet on the frame's middle (predicted boxes count too) may tip a few either way.
  EXPECT_GE(agree, static_cast<int>(all.size()) - 2);

  // Likeness: the other fragments of each ground-truth person among the 5 most alike.
  const auto person = person_of_each_track(read_mot(dir / "t.txt"), read_mot(shared_file("mot/PETS09-S2L1/gt/gt.txt")));
  std::map<int, std::vector<int>> fragments;
  for (const auto& [track, who] : person) fragments[who].push_back(track);
  int queries = 0, hits = 0;
  double chance = 0;
  for (const auto& [who, tracks] : fragments) {
    if (tracks.size() < 2) continue;
    const auto like = search(db, fmt::format("--similar {} --limit 5", tracks.front()));
    ASSERT_FALSE(like.empty());
    double last = -1;
    bool hit = false;
    for (const auto& t : like) {
      EXPECT_NE(t["track_id"].get<int>(), tracks.front()) << "a track is not ranked against itself";
      EXPECT_GE(t["distance"].get<double>(), last) << "nearest first";
      last = t["distance"].get<double>();
      const auto it = person.find(t["track_id"].get<int>());
      hit |= it != person.end() && it->second == who;
    }
    ++queries, hits += hit;
    chance += std::min(1.0, 5.0 * (tracks.size() - 1) / (all.size() - 1));
  }
  ASSERT_GE(queries, 1);
  fmt::print("similar: {} of {} people have another fragment among the 5 most alike (chance {:.1f})\n", hits, queries,
             chance);
  EXPECT_GT(hits, chance);

  // Bad input: a line's direction, a track that is not stored, one that is not a track.
  auto r = run(vigie_bin() + " search --store " + db + " --reason x --crossed middle:up");
  EXPECT_EQ(r.code, 0);  // a line's name may hold a ':': this one is just not there
  EXPECT_NE(r.err.find("no stored track crossed a line named 'middle:up'"), std::string::npos) << r.err;
  r = run(vigie_bin() + " search --store " + db + " --reason x --similar 99999");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("no stored track is '99999'"), std::string::npos) << r.err;
  r = run(vigie_bin() + " search --store " + db + " --reason x --similar street/x");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("is not a track"), std::string::npos) << r.err;
}

TEST(Search, BadInputIsExit2WithTheCause) {
  const auto dir = fresh_temp_dir("search_bad");
  const std::string base = vigie_bin() + " search --store " + (dir / "s.db").string();
  auto r = run(base + " --reason x --upper beige");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("upper 'beige' is not a colour name"), std::string::npos) << r.err;
  r = run(base + " --reason x --from 2026-12-01 --to 2026-11-30");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("ends ("), std::string::npos) << r.err;
  r = run(base + " --upper red");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--reason is required"), std::string::npos) << r.err;
  r = run(base + " --reason ' '");
  EXPECT_EQ(r.code, 2);
  r = run(base + " --reason x --from yesterday");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--from 'yesterday'"), std::string::npos) << r.err;
  r = run(base + " --reason x --from nan");
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(run(base + " --reason x").code, 0);  // an empty store: nothing found, not an error
}

}  // namespace
}  // namespace vigie::testing
