// What goes with more or fewer incidents (docs/risk.md): a Poisson regression of the
// incidents per hour on the hour of day, the weekday, the day's weather and the year, each
// effect a rate ratio with a 95 % confidence interval. An association in police records,
// not a cause: where and when people report and patrols look shapes the counts too.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/result.h"
#include "risk/incidents.h"

namespace vigie::risk {

struct DayWeather {
  double max_temperature_c = 0;
  double precipitation_mm = 0;
};

// Daily weather from weatherstats.ca exports (columns `date`, `max_temperature`,
// `precipitation`; any order): one CSV file or every .csv of a folder, joined on the date.
// Rows missing either value are left out and counted.
struct WeatherSet {
  std::map<Minute, DayWeather> days;  // by the day's first minute
  size_t incomplete = 0;
};
Result<WeatherSet> read_weather(const std::string& path);

struct Factor {
  std::string name;   // "hour 18", "saturday", "max temperature +5 °C", …
  double rate_ratio;  // incidents per hour against the reference
  double low, high;   // 95 % confidence interval (quasi-Poisson)
};

struct FactorModel {
  std::vector<Factor> factors;
  std::string reference;  // what a rate ratio of 1 means
  size_t hours = 0, incidents = 0, left_out_unknown_clock = 0, days_without_weather = 0;
  double dispersion = 1;  // Pearson chi2 / (n - p): how much noisier than Poisson the counts are
  int iterations = 0;
};

// Fits over the days [from, to) that have weather. Incidents written at 00:00 (an unknown
// time) or with a date only are left out, and counted.
Result<FactorModel> fit_factors(const std::vector<Incident>& incidents, const WeatherSet& weather, Minute from,
                                Minute to);

}  // namespace vigie::risk
