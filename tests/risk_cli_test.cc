// `vigie risk …` as a user runs it: the Vancouver records (train 2020–2022, test 2023),
// the Chicago files, and the mistakes a user makes on the command line.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <fstream>

#include "core/test_data.h"
#include "run.h"

namespace vigie::testing {
namespace {

using ::testing::HasSubstr;
using nlohmann::json;
namespace fs = std::filesystem;

std::string vancouver() { return shared_file("incidents/vancouver"); }

TEST(RiskCli, VancouverEvalScoresEveryModelOnHeldOutDays) {
  if (vancouver().empty()) GTEST_SKIP() << "skipped: ../shared/data/incidents/vancouver is absent";
  const auto r = run(vigie_bin() + " risk eval --incidents " + vancouver() + " --train 2020:2022 --test 2023:2023 --json");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = json::parse(r.out);
  for (const char* model : {"naive", "long_term", "kde", "sepp"}) {
    ASSERT_TRUE(j.contains(model)) << model;
    const auto& m = j[model];
    for (const char* f : {"pai_1", "pai_5", "pai_10", "hit_5"}) ASSERT_TRUE(m.contains(f)) << model << " " << f;
    // Incidents concentrate: every model does far better than chance (PAI 1), and the
    // flagged share grows with the area.
    EXPECT_GT(m["pai_5"].get<double>(), 3) << model;
    EXPECT_LT(m["hit_1"].get<double>(), m["hit_5"].get<double>()) << model;
    EXPECT_EQ(m["periods"], 300);  // 2023-01-01 to 2023-10-27, the last record
  }
  EXPECT_THAT(r.err, HasSubstr("14702 set aside: no position (0,0"));
}

TEST(RiskCli, FactorsComeWithConfidenceIntervals) {
  const auto weather = shared_file("incidents/vancouver_weather");
  if (vancouver().empty() || weather.empty()) GTEST_SKIP() << "skipped: ../shared/data/incidents is absent";
  const auto r = run(vigie_bin() + " risk factors --incidents " + vancouver() + " --weather " + weather +
                     " --span 2020:2022 --json");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = json::parse(r.out);
  ASSERT_GE(j["factors"].size(), 30u);
  for (const auto& f : j["factors"]) {
    EXPECT_LT(f["ci95"][0].get<double>(), f["rate_ratio"].get<double>()) << f["factor"];
    EXPECT_GT(f["ci95"][1].get<double>(), f["rate_ratio"].get<double>()) << f["factor"];
  }
}

TEST(RiskCli, TheReportSaysWhatBeatsTheBaselinesAndWhomItFlags) {
  if (vancouver().empty()) GTEST_SKIP() << "skipped: ../shared/data/incidents/vancouver is absent";
  const auto out = fresh_temp_dir("risk_report") / "report.html";
  const auto r = run(vigie_bin() + " risk report --incidents " + vancouver() +
                     " --train 2021:2022 --test 2023-01:2023-03 --out " + out.string());
  ASSERT_EQ(r.code, 0) << r.err;
  std::ifstream in(out);
  const std::string html((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_THAT(html, HasSubstr("Best model: <b>"));
  EXPECT_THAT(html, HasSubstr("Central Business District"));
  EXPECT_THAT(html, HasSubstr("The feedback loop"));
  EXPECT_THAT(html, HasSubstr("what they do not"));
}

TEST(RiskCli, ChicagoLayoutsInDegreesAreRead) {
  const auto burglary = shared_file("incidents/chicago/adepeju_southside_burglary_2011.csv");
  if (burglary.empty()) GTEST_SKIP() << "skipped: ../shared/data/incidents/chicago is absent";
  const auto r = run(vigie_bin() + " risk eval --incidents " + burglary +
                     " --train 2011-03-01:2011-09-30 --test 2011-10-01:2011-12-31 --horizon week --json");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("degrees on the plane tangent at 41.7"));
  EXPECT_EQ(json::parse(r.out)["sepp"]["periods"], 13);
  const auto sample = run(vigie_bin() + " risk eval --incidents " + shared_file("incidents/chicago/opencp_example_southside_2016.csv") +
                          " --train 2016-01:2016-09 --test 2016-10:2016-12 --type BURGLARY");
  EXPECT_EQ(sample.code, 0) << sample.err;
}

TEST(RiskCli, MapsTheNextDayWithTheMeasuredPai) {
  const auto burglary = shared_file("incidents/chicago/adepeju_southside_burglary_2011.csv");
  if (burglary.empty()) GTEST_SKIP() << "skipped: ../shared/data/incidents/chicago is absent";
  const auto dir = fresh_temp_dir("risk_map");
  const auto r = run(vigie_bin() + " risk map --incidents " + burglary + " --train 2011-03:2011-09 --test 2011-10:2011-12" +
                     " --model sepp --geojson " + (dir / "r.geojson").string() + " --png " + (dir / "r.png").string());
  ASSERT_EQ(r.code, 0) << r.err;
  std::ifstream in(dir / "r.geojson");
  const auto j = json::parse(in);
  EXPECT_EQ(j["properties"]["model"], "sepp");
  EXPECT_GT(j["properties"]["pai_5_measured"].get<double>(), 0);
  EXPECT_EQ(j["properties"]["forecast_day"], "2012-01-01");
  ASSERT_GT(j["features"].size(), 10u);
  EXPECT_NEAR(j["features"][0]["geometry"]["coordinates"][0][0][0].get<double>(), -87.6, 0.1);
  EXPECT_TRUE(fs::file_size(dir / "r.png") > 100);
  // Metres of an unknown projection cannot become degrees.
  std::ofstream(dir / "m.csv") << "time,x,y,type\n2020-01-01,100,100,theft\n2020-02-01,300,100,theft\n";
  const auto m = run(vigie_bin() + " risk map --incidents " + (dir / "m.csv").string() + " --train 2020:2020 --geojson " +
                     (dir / "m.geojson").string());
  EXPECT_EQ(m.code, 2);
  EXPECT_THAT(m.err, HasSubstr("unknown projection"));
}

TEST(RiskCli, BadSpansTypesAndFilesAreClearErrors) {
  const auto dir = fresh_temp_dir("risk_cli");
  std::ofstream(dir / "a.csv") << "time,x,y,type\n2020-01-01 10:00,100,100,theft\n2020-06-01,300,100,theft\n";
  const std::string base = vigie_bin() + " risk eval --incidents " + (dir / "a.csv").string();
  auto r = run(base + " --train 2020:2021 --test 2021:2022");
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("--test must start after --train ends"));
  r = run(base + " --train 2020-13:2020 --test 2021:2021");
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("'2020-13' is not a date"));
  r = run(base + " --train 2020 --test 2021:2021");
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("expected FROM:TO"));
  r = run(base + " --train 2020-01:2020-03 --test 2020-04:2020-12 --type arson");
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("the types are:\n  theft"));
  r = run(vigie_bin() + " risk eval --incidents " + (dir / "none").string() + " --train 2020:2020 --test 2021:2021");
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("neither a file nor a folder"));
}

}  // namespace
}  // namespace vigie::testing
