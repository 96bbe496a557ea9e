#include "risk/factors.h"

#include <fmt/format.h>

#include <opencv2/core.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "core/csv.h"

namespace vigie::risk {
namespace {

namespace fs = std::filesystem;

constexpr const char* kWeekdays[] = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"};

int weekday(Minute day_start) {  // 1970-01-01 was a Thursday
  const int64_t d = day_start / kMinutesPerDay;
  return static_cast<int>(((d + 3) % 7 + 7) % 7);
}

int year_of(Minute m) { return std::stoi(format_day(m).substr(0, 4)); }

Result<Ok> read_weather_file(const fs::path& path, WeatherSet& set) {
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line)) return Error{fmt::format("cannot read '{}'", path.string())};
  if (line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);  // a UTF-8 byte-order mark
  auto header = split_csv(line);
  for (auto& h : header)
    for (auto& ch : h) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  auto col = [&](const char* name) {
    return static_cast<int>(std::find(header.begin(), header.end(), name) - header.begin());
  };
  const int date = col("date"), temp = col("max_temperature"), rain = col("precipitation");
  const int n = static_cast<int>(header.size());
  if (date == n || temp == n || rain == n)
    return Error{fmt::format("'{}': a weather file needs the columns date, max_temperature and precipitation",
                             path.string())};
  while (std::getline(in, line)) {
    const auto f = split_csv(line);
    if (line.empty()) continue;
    if (static_cast<int>(f.size()) < n) {
      ++set.incomplete;
      continue;
    }
    const auto day = parse_time(f[date]);
    const auto t = parse_number(f[temp]), p = parse_number(f[rain]);
    if (!day || !t || !p) {
      ++set.incomplete;
      continue;
    }
    set.days.emplace(*day, DayWeather{*t, *p});  // the first file's value on a day both have
  }
  return Ok{};
}

}  // namespace

Result<WeatherSet> read_weather(const std::string& path) {
  const auto files = csv_files(path);
  if (!files) return files.error();
  WeatherSet set;
  for (const auto& f : *files)
    if (auto r = read_weather_file(f, set); !r) return r.error();
  return set;
}

// Poisson regression by iteratively reweighted least squares; the covariance scaled by the
// Pearson dispersion (quasi-Poisson), since police counts vary more than Poisson's.
Result<FactorModel> fit_factors(const std::vector<Incident>& incidents, const WeatherSet& weather, Minute from,
                                Minute to) {
  FactorModel out;
  std::map<Minute, std::array<double, 24>> per_day;  // day → incidents per hour
  for (Minute d = from; d < to; d += kMinutesPerDay) {
    if (weather.days.count(d)) per_day[d].fill(0);
    else ++out.days_without_weather;
  }
  for (const auto& i : incidents) {
    if (i.at < from || i.at >= to) continue;
    if (!i.clock_known) {
      ++out.left_out_unknown_clock;
      continue;
    }
    const Minute day = i.at / kMinutesPerDay * kMinutesPerDay;
    if (auto it = per_day.find(day); it != per_day.end()) {
      it->second[(i.at - day) / 60] += 1;
      ++out.incidents;
    }
  }
  if (per_day.empty()) return Error{"no day of the span has weather: check --weather covers --span"};
  const int first_year = year_of(per_day.begin()->first), last_year = year_of(per_day.rbegin()->first);
  // Columns: intercept, 23 hours (reference noon), 6 weekdays (reference Monday), the
  // weather, one per year after the first.
  std::vector<std::string> names{"intercept"};
  for (int h = 0; h < 24; ++h)
    if (h != 12) names.push_back(fmt::format("hour {:02}", h));
  for (int w = 1; w < 7; ++w) names.push_back(kWeekdays[w]);
  names.push_back("max temperature +5 °C");
  names.push_back("precipitation +10 mm");
  for (int y = first_year + 1; y <= last_year; ++y) names.push_back(fmt::format("year {}", y));
  const int p = static_cast<int>(names.size()), n = static_cast<int>(per_day.size()) * 24;
  cv::Mat X(n, p, CV_64F, cv::Scalar(0)), y(n, 1, CV_64F);
  int row = 0;
  for (const auto& [day, hours] : per_day) {
    const auto& w = weather.days.at(day);
    const int wd = weekday(day), yr = year_of(day);
    for (int h = 0; h < 24; ++h, ++row) {
      double* x = X.ptr<double>(row);
      x[0] = 1;
      if (h != 12) x[1 + (h < 12 ? h : h - 1)] = 1;
      if (wd > 0) x[24 + wd - 1] = 1;
      x[30] = w.max_temperature_c / 5;
      x[31] = w.precipitation_mm / 10;
      if (yr > first_year) x[32 + yr - first_year - 1] = 1;
      y.at<double>(row) = hours[h];
    }
  }
  cv::Mat beta(p, 1, CV_64F, cv::Scalar(0));
  beta.at<double>(0) = std::log(std::max(1e-9, cv::mean(y)[0]));
  cv::Mat cov;
  for (out.iterations = 1; out.iterations <= 50; ++out.iterations) {
    cv::Mat eta = X * beta, mu, z, Xw;
    cv::exp(eta, mu);
    z = eta + (y - mu) / mu;
    Xw = X.clone();
    for (int i = 0; i < n; ++i) Xw.row(i) *= mu.at<double>(i);
    const cv::Mat info = X.t() * Xw;
    cv::Mat next;
    if (!cv::solve(info, Xw.t() * z, next, cv::DECOMP_CHOLESKY))
      return Error{"the factor model cannot be fitted: a factor never varies over the span"};
    const double change = cv::norm(next - beta, cv::NORM_INF);
    beta = next;
    if (change < 1e-8) {
      cv::invert(info, cov, cv::DECOMP_CHOLESKY);
      break;
    }
  }
  if (cov.empty()) return Error{"the factor model did not converge in 50 iterations"};
  cv::Mat mu;
  cv::exp(X * beta, mu);
  double chi2 = 0;
  for (int i = 0; i < n; ++i) {
    const double m = mu.at<double>(i), d = y.at<double>(i) - m;
    chi2 += d * d / m;
  }
  out.dispersion = chi2 / std::max(1, n - p);
  out.hours = static_cast<size_t>(n);
  for (int k = 1; k < p; ++k) {
    const double b = beta.at<double>(k), se = std::sqrt(cov.at<double>(k, k) * out.dispersion);
    out.factors.push_back({names[k], std::exp(b), std::exp(b - 1.96 * se), std::exp(b + 1.96 * se)});
  }
  out.reference = fmt::format("noon to 1 pm on a Monday of {}, 0 °C maximum, no precipitation", first_year);
  return out;
}

}  // namespace vigie::risk
