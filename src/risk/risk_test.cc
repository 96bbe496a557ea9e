// The risk models on data whose answer is known: a planted hotspot, a self-exciting
// process with known parameters, a test period that would betray any look-ahead; and
// the import's handling of bad rows and bad files.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <numbers>
#include <numeric>
#include <random>

#include "core/test_data.h"
#include "risk/evaluate.h"
#include "risk/factors.h"
#include "risk/incidents.h"
#include "risk/map.h"
#include "risk/models.h"
#include "risk/report.h"

namespace vigie::risk {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

fs::path write(const fs::path& dir, const std::string& name, const std::string& text) {
  fs::create_directories(dir);
  std::ofstream(dir / name) << text;
  return dir / name;
}

TEST(Incidents, TimesRoundTripAndBadOnesAreNamed) {
  const auto t = parse_time("2023-10-27 14:05");
  ASSERT_TRUE(t);
  EXPECT_EQ(*t % kMinutesPerDay, 14 * 60 + 5);
  EXPECT_EQ(format_day(*t), "2023-10-27");
  EXPECT_EQ(format_day(*parse_time("2020-02-29")), "2020-02-29");
  EXPECT_EQ(*parse_time("1970-01-02"), kMinutesPerDay);
  EXPECT_FALSE(parse_time("2021-02-29"));
  EXPECT_FALSE(parse_time("2023-13-01"));
  EXPECT_FALSE(parse_time("yesterday"));
  EXPECT_THAT(parse_time("2023-01-01 25:00").error().message, HasSubstr("2023-01-01 25:00"));
}

TEST(Incidents, VancouverRowsWithoutPositionAreCountedNotDropped) {
  const auto dir = vigie::testing::fresh_temp_dir("risk_vancouver");
  write(dir, "a.csv",
        "TYPE,YEAR,MONTH,DAY,HOUR,MINUTE,HUNDRED_BLOCK,NEIGHBOURHOOD,X,Y\n"
        "Other Theft,2020,1,5,12,9,7XX DUNSMUIR ST,Central Business District,491511.6,5459023.6\n"
        "Offence Against a Person,2020,1,6,0,0,OFFSET TO PROTECT PRIVACY,Kitsilano,0,0\n"
        "Mischief,2020,2,30,1,0,1XX MAIN ST,Strathcona,492000,5458000\n"
        "Mischief,5555555555555555555555555555555555555555555555555555555555555555555555,1,6,0,0,1XX MAIN ST,"
        "Strathcona,492000,5458000\n"
        "Mischief,2020,1,4,0,0,1XX MAIN ST,Strathcona,492000,5458000\n");
  const auto set = read_incidents(dir.string());
  ASSERT_TRUE(set) << set.error().message;
  EXPECT_EQ(set->report.rows, 5u);
  EXPECT_EQ(set->report.kept, 2u);
  EXPECT_EQ(set->report.skipped.size(), 2u);
  EXPECT_EQ(set->report.skipped.at("bad date or time"), 2u);  // 30 February; a year of 70 digits (found by fuzz_risk_records)
  ASSERT_EQ(set->incidents.size(), 2u);
  EXPECT_EQ(set->incidents[0].type, "Mischief");  // sorted by time
  EXPECT_FALSE(set->incidents[0].clock_known);    // 00:00: the time is unknown
  EXPECT_EQ(set->incidents[1].area, "Central Business District");
  EXPECT_DOUBLE_EQ(set->incidents[1].x, 491511.6);
}

TEST(Incidents, ALatin1ExportIsReadAsLatin1AndSaidSo) {
  const auto dir = vigie::testing::fresh_temp_dir("risk_latin1");
  const auto file = write(dir, "l.csv", "time,x,y,type\n2020-01-01 10:00,100,200,vol \xe0 l'\xe9talage\n");
  const auto set = read_incidents(file.string());
  ASSERT_TRUE(set) << set.error().message;
  ASSERT_EQ(set->incidents.size(), 1u);
  EXPECT_EQ(set->incidents[0].type, "vol \xc3\xa0 l'\xc3\xa9talage");  // UTF-8: JSON and HTML take it
  ASSERT_EQ(set->report.files.size(), 1u);
  EXPECT_THAT(set->report.files[0], HasSubstr("read as Latin-1"));
}

TEST(Incidents, DegreesAreProjectedToMetresAndBadFilesAreClearErrors) {
  const auto dir = vigie::testing::fresh_temp_dir("risk_generic");
  const auto deg = write(dir, "g.csv", "time,lat,lon,type\n2016-01-01 10:00,41.80,-87.60,theft\n"
                                       "2016-01-02,41.81,-87.60,theft\n2016-01-03,95,-87.60,theft\n"
                                       "2016-01-04,0,0,theft\n");
  const auto set = read_incidents(deg.string());
  ASSERT_TRUE(set) << set.error().message;
  ASSERT_EQ(set->incidents.size(), 2u);
  EXPECT_EQ(set->report.skipped.at("position out of range"), 1u);
  // 0,0 is how a missing position is written: kept, it would drag the projection's origin to the Atlantic.
  EXPECT_EQ(set->report.skipped.at("no position (0,0: offset to protect privacy, or unknown)"), 1u);
  EXPECT_NEAR(set->incidents[1].y - set->incidents[0].y, 1112, 2);  // 0.01° of latitude
  EXPECT_FALSE(set->incidents[1].clock_known);
  write(dir, "m.csv", "time,x,y,type\n2016-01-01,100,200,theft\n");
  EXPECT_THAT(read_incidents(dir.string()).error().message, HasSubstr("mix degrees and metres"));
  const auto odd = write(dir / "odd", "o.csv", "when,where\n1,2\n");
  EXPECT_THAT(read_incidents(odd.string()).error().message, HasSubstr("unknown layout"));
  EXPECT_THAT(read_incidents((dir / "none").string()).error().message, HasSubstr("neither a file nor a folder"));
  fs::create_directories(dir / "empty");
  EXPECT_THAT(read_incidents((dir / "empty").string()).error().message, HasSubstr("no .csv"));
  const auto bad = write(dir / "bad", "b.csv", "time,x,y,type\nnot-a-date,1,2,theft\n");
  EXPECT_THAT(read_incidents(bad.string()).error().message, HasSubstr("no row with a usable time"));
}

// The forward UTM projection (Snyder, PP 1395, eq. 8-9 to 8-10), written apart from the
// inverse the code uses, so that a slip in either shows as a failed round trip.
std::pair<double, double> latlon_to_utm(double lat_deg, double lon_deg, int zone) {
  constexpr double a = 6378137.0, f = 1 / 298.257222101, k0 = 0.9996, rad = std::numbers::pi / 180;
  const double e2 = f * (2 - f), ep2 = e2 / (1 - e2), phi = lat_deg * rad;
  const double N = a / std::sqrt(1 - e2 * std::sin(phi) * std::sin(phi)), T = std::tan(phi) * std::tan(phi);
  const double C = ep2 * std::cos(phi) * std::cos(phi), A = (lon_deg - (zone * 6.0 - 183.0)) * rad * std::cos(phi);
  const double M = a * ((1 - e2 / 4 - 3 * e2 * e2 / 64 - 5 * e2 * e2 * e2 / 256) * phi -
                        (3 * e2 / 8 + 3 * e2 * e2 / 32 + 45 * e2 * e2 * e2 / 1024) * std::sin(2 * phi) +
                        (15 * e2 * e2 / 256 + 45 * e2 * e2 * e2 / 1024) * std::sin(4 * phi) -
                        (35 * e2 * e2 * e2 / 3072) * std::sin(6 * phi));
  const double x = k0 * N * (A + (1 - T + C) * std::pow(A, 3) / 6 + (5 - 18 * T + T * T + 72 * C - 58 * ep2) * std::pow(A, 5) / 120);
  const double y = k0 * (M + N * std::tan(phi) * (A * A / 2 + (5 - T + 9 * C + 4 * C * C) * std::pow(A, 4) / 24 +
                                                  (61 - 58 * T + T * T + 600 * C - 330 * ep2) * std::pow(A, 6) / 720));
  return {x + 500000, y};
}

TEST(Maps, UtmMetresGoBackToDegrees) {
  EXPECT_NEAR(utm_to_latlon(500000, 0, 10).lat, 0, 1e-9);
  EXPECT_NEAR(utm_to_latlon(500000, 0, 10).lon, -123, 1e-9);
  for (auto [lat, lon] : {std::pair{49.2827, -123.1207}, {49.2, -123.25}, {41.8, -87.6}}) {
    const int zone = static_cast<int>((lon + 180) / 6) + 1;
    const auto [e, n] = latlon_to_utm(lat, lon, zone);
    const auto back = utm_to_latlon(e, n, zone);
    EXPECT_NEAR(back.lat, lat, 1e-7) << lat << "," << lon;
    EXPECT_NEAR(back.lon, lon, 1e-7) << lat << "," << lon;
  }
  // A VPD record downtown (7XX Dunsmuir St) lands downtown.
  const auto p = utm_to_latlon(491511.64, 5459023.68, 10);
  EXPECT_NEAR(p.lat, 49.283, 0.003);
  EXPECT_NEAR(p.lon, -123.117, 0.003);
}

TEST(Maps, FlaggedCellsBecomeClosedPolygonsInDegrees) {
  Grid g;
  g.x0 = 491400, g.y0 = 5458900, g.cell = 150, g.nx = 4, g.ny = 4;
  std::vector<double> score(16, 0);
  score[5] = 3, score[10] = 2;
  std::vector<int> area(16);
  std::iota(area.begin(), area.end(), 0);
  Unprojection u{Unprojection::Kind::kUtm, 10, 0, 0};
  const auto j = risk_geojson(score, area, g, u, 2.0 / 16, {{"model", "kde"}});
  ASSERT_EQ(j["features"].size(), 2u);
  EXPECT_EQ(j["properties"]["model"], "kde");
  const auto& ring = j["features"][0]["geometry"]["coordinates"][0];
  ASSERT_EQ(ring.size(), 5u);
  EXPECT_EQ(ring[0], ring[4]);
  EXPECT_EQ(j["features"][0]["properties"]["rank"], 1);
  EXPECT_NEAR(ring[0][1].get<double>(), 49.28, 0.01);  // [lon, lat]
  const cv::Mat pic = risk_picture(score, area, g, 3);
  EXPECT_EQ(pic.cols, 12);
  EXPECT_EQ(pic.rows, 12);
}

TEST(Ranking, TiesAtTheCutCountForTheShareTaken) {
  const std::vector<int> area{0, 1, 2, 3};
  const std::vector<int> counts{4, 0, 0, 0};
  EXPECT_DOUBLE_EQ(hits_in_top({1, 1, 1, 1}, area, counts, 0.25), 1.0);  // a flat map: a quarter of the 4
  EXPECT_DOUBLE_EQ(hits_in_top({2, 1, 1, 1}, area, counts, 0.25), 4.0);
  EXPECT_DOUBLE_EQ(hits_in_top({0, 1, 1, 1}, area, counts, 0.25), 0.0);
  EXPECT_DOUBLE_EQ(hits_in_top({0, 1, 1, 1}, area, counts, 1.0), 4.0);
}

// Events of a grid ETAS process over `days` days: background per cell, then each event's
// offspring (Poisson(theta) children, exponential delays of rate omega) in the same cell.
std::vector<Event> simulate(const std::vector<double>& mu, double theta, double omega, double days, unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<Event> out;
  std::vector<std::pair<double, int>> todo;
  for (size_t c = 0; c < mu.size(); ++c) {
    const int n = std::poisson_distribution<int>(mu[c] * days)(rng);
    for (int i = 0; i < n; ++i) todo.push_back({std::uniform_real_distribution<double>(0, days)(rng), int(c)});
  }
  while (!todo.empty()) {
    const auto [t, c] = todo.back();
    todo.pop_back();
    out.push_back({static_cast<Minute>(t * kMinutesPerDay), c});
    const int kids = std::poisson_distribution<int>(theta)(rng);
    for (int k = 0; k < kids; ++k) {
      const double tk = t + std::exponential_distribution<double>(omega)(rng);
      if (tk < days) todo.push_back({tk, c});
    }
  }
  std::sort(out.begin(), out.end(), [](const Event& a, const Event& b) { return a.at < b.at; });
  return out;
}

TEST(Sepp, EmRecoversAKnownSelfExcitingProcess) {
  std::vector<double> mu(64);
  for (size_t c = 0; c < mu.size(); ++c) mu[c] = 0.02 + 0.08 * (c % 8) / 7.0;  // 0.02 to 0.10 a day
  const auto events = simulate(mu, 0.4, 0.5, 1500, 7);
  const auto fit = fit_sepp(events, 64, 0, 1500 * kMinutesPerDay);
  EXPECT_NEAR(fit.theta, 0.4, 0.05);
  EXPECT_NEAR(fit.omega, 0.5, 0.5 * 0.25);
  double total = 0, want = 0;
  for (size_t c = 0; c < mu.size(); ++c) total += fit.mu[c], want += mu[c];
  EXPECT_NEAR(total, want, want * 0.1);
  EXPECT_GT(fit.mu[7], 2.5 * fit.mu[0]);  // the busiest column against the quietest
}

// 20x20 cells of 100 m: a fifth of the incidents in one cell, the rest anywhere.
std::vector<Incident> planted(int days, unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<Incident> v;
  for (int d = 0; d < days; ++d) {
    const int n = std::poisson_distribution<int>(40)(rng);
    for (int i = 0; i < n; ++i) {
      Incident in;
      in.at = Minute{d} * kMinutesPerDay + std::uniform_int_distribution<int>(0, kMinutesPerDay - 1)(rng);
      const bool hot = std::uniform_real_distribution<double>(0, 1)(rng) < 0.2;
      in.x = hot ? 1250 + std::uniform_real_distribution<double>(0, 100)(rng)
                 : std::uniform_real_distribution<double>(0, 2000)(rng);
      in.y = hot ? 750 + std::uniform_real_distribution<double>(0, 100)(rng)
                 : std::uniform_real_distribution<double>(0, 2000)(rng);
      v.push_back(in);
    }
  }
  std::sort(v.begin(), v.end(), [](const Incident& a, const Incident& b) { return a.at < b.at; });
  return v;
}

// Every standard model trained on days [0, train_days) and scored day by day to test_days,
// on 100 m cells.
Evaluation evaluate_days(const std::vector<Incident>& incidents, int train_days, int test_days) {
  const Grid grid = Grid::covering(incidents, 100);
  auto models = standard_models();
  EvalPlan plan;
  plan.train_from = 0, plan.train_to = train_days * kMinutesPerDay;
  plan.test_from = plan.train_to, plan.test_to = test_days * kMinutesPerDay;
  return evaluate(events_on(incidents, grid), grid, models, plan);
}

TEST(Evaluate, EveryModelFindsAPlantedHotspot) {
  const auto r = evaluate_days(planted(400, 3), 300, 400);
  EXPECT_EQ(r.periods, 100);
  // The hot cell holds about a fifth of the incidents; the top 1 % (4 of ~400 cells)
  // should take it whole.
  for (const auto& m : r.models) {
    EXPECT_GT(m.hit.at(0.01), 0.15) << m.name;
    EXPECT_GT(m.pai.at(0.05), 3.0) << m.name;
  }
}

TEST(Evaluate, NoModelSeesThePeriodItForecasts) {
  // 100 days spread evenly; then one day whose incidents all fall in a cell that was quiet.
  std::vector<Incident> incidents;
  for (int d = 0; d < 100; ++d)
    for (int i = 0; i < 30; ++i)
      incidents.push_back({Minute{d} * kMinutesPerDay + i * 40, 100.0 + 100 * (i % 10), 100.0 + 100 * ((i / 10 + d) % 10),
                           "t", "", true});
  incidents.push_back({50 * kMinutesPerDay, 5, 5, "t", "", true});  // the quiet cell, once: in the study area
  std::sort(incidents.begin(), incidents.end(), [](const Incident& a, const Incident& b) { return a.at < b.at; });
  for (int i = 0; i < 200; ++i) incidents.push_back({100 * kMinutesPerDay + i * 5, 5, 5, "t", "", true});
  const auto r = evaluate_days(incidents, 100, 101);
  ASSERT_EQ(r.test_incidents, 200u);
  // A model that saw the day would flag that cell first and score every incident.
  for (const auto& m : r.models) EXPECT_LT(m.hit.at(0.01), 0.2) << m.name;
}

TEST(Factors, APlantedHourAndTemperatureEffectAreRecovered) {
  // 600 days; twice the rate at 18:00, x1.3 per 5 °C of the day's maximum, rain no effect.
  std::mt19937 rng(5);
  WeatherSet weather;
  std::vector<Incident> incidents;
  const Minute start = civil_minute(2021, 1, 4);  // a Monday
  for (int d = 0; d < 600; ++d) {
    const Minute day = start + Minute{d} * kMinutesPerDay;
    const double temp = 10 + 10 * std::sin(d / 58.0), rain = d % 3 == 0 ? 12 : 0;
    weather.days[day] = {temp, rain};
    for (int h = 0; h < 24; ++h) {
      const double rate = 2.0 * (h == 18 ? 2 : 1) * std::pow(1.3, temp / 5);
      const int n = std::poisson_distribution<int>(rate)(rng);
      for (int i = 0; i < n; ++i) incidents.push_back({day + h * 60 + 7, 0, 0, "t", "", true});
    }
  }
  incidents.push_back({start + 30, 0, 0, "t", "", false});  // a time unknown: left out
  const auto m = fit_factors(incidents, weather, start, start + 600 * kMinutesPerDay);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->left_out_unknown_clock, 1u);
  auto factor = [&](const std::string& name) {
    for (const auto& f : m->factors)
      if (f.name == name) return f;
    ADD_FAILURE() << name;
    return Factor{};
  };
  const auto h18 = factor("hour 18"), temp = factor("max temperature +5 °C"), rain = factor("precipitation +10 mm");
  EXPECT_LT(h18.low, 2.0);
  EXPECT_GT(h18.high, 2.0);
  EXPECT_LT(temp.low, 1.3);
  EXPECT_GT(temp.high, 1.3);
  EXPECT_LT(rain.low, 1.0);
  EXPECT_GT(rain.high, 1.0);
  EXPECT_GT(factor("hour 03").high, 0.8);  // no effect planted
  EXPECT_LT(factor("hour 03").low, 1.2);
}

TEST(Factors, WeatherFilesNeedTheirColumns) {
  const auto dir = vigie::testing::fresh_temp_dir("risk_weather");
  const auto bad = write(dir, "w.csv", "date,temperature\n2020-01-01,3\n");
  EXPECT_THAT(read_weather(bad.string()).error().message, HasSubstr("max_temperature"));
  const auto good = write(dir / "ok", "w.csv", "date,max_temperature,precipitation\n2020-01-01,3,0.5\n2020-01-02,,1\n");
  const auto w = read_weather(good.string());
  ASSERT_TRUE(w) << w.error().message;
  EXPECT_EQ(w->days.size(), 1u);
  EXPECT_EQ(w->incomplete, 1u);
}

TEST(Feedback, PatrolledRecordsConcentrateAndTheCorrectionUndoesIt) {
  // The same true rate in 400 cells: any concentration of the records is the loop's.
  const std::vector<double> rate(400, 0.2);
  std::vector<double> history(400, 10);
  for (int c = 0; c < 20; ++c) history[c] = 14;  // a head start for 20 cells, by chance
  FeedbackSettings s;
  s.days = 200;
  const auto pts = simulate_feedback(rate, history, s, {0, 200});
  ASSERT_EQ(pts.size(), 2u);
  EXPECT_NEAR(pts[0].truth_top_share, 0.05, 1e-9);
  // Patrols find more where they are sent: the records concentrate in the flagged cells
  // beyond the truth, and beyond what the corrected records show.
  EXPECT_GT(pts[1].top_share, pts[0].top_share + 0.005);
  EXPECT_LT(pts[1].top_share_corrected, pts[1].top_share - 0.01);
  // With records as likely everywhere there is no loop: both worlds agree (up to their
  // own random recording).
  s.p_patrol = s.p_record;
  const auto even = simulate_feedback(rate, history, s, {200});
  EXPECT_NEAR(even[0].top_share, even[0].top_share_corrected, 0.005);
}

TEST(Flags, NeighbourhoodSharesAddUpAndFollowTheHotspot) {
  auto incidents = planted(200, 9);
  for (auto& i : incidents) i.area = (i.x >= 1200 && i.x < 1400 && i.y >= 700 && i.y < 900) ? "hot" : "rest";
  const Grid grid = Grid::covering(incidents, 100);
  EvalPlan plan;
  plan.train_from = 0, plan.train_to = 150 * kMinutesPerDay;
  plan.test_from = plan.train_to, plan.test_to = 200 * kMinutesPerDay;
  auto model = long_term_model();
  const auto f = study_flags(*model, incidents, grid, plan, 0.05);
  double flagged = 0, incidents_share = 0, cells = 0;
  for (const auto& a : f.by_area) flagged += a.flagged, incidents_share += a.incidents, cells += a.cells;
  EXPECT_NEAR(flagged, 1, 1e-9);
  EXPECT_NEAR(incidents_share, 1, 1e-9);
  EXPECT_NEAR(cells, 1, 1e-9);
  ASSERT_FALSE(f.by_area.empty());
  EXPECT_GT(f.stability, 0.5);
  const auto hot = std::find_if(f.by_area.begin(), f.by_area.end(), [](auto& a) { return a.area == "hot"; });
  ASSERT_NE(hot, f.by_area.end());
  EXPECT_GT(hot->flagged, hot->cells);  // flagged beyond its share of the area
}

}  // namespace
}  // namespace vigie::risk
