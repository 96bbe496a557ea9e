// A Unix time as text, in UTC, with a strftime format. Header-only.
#pragma once

#include <cmath>
#include <ctime>
#include <string>

namespace vigie {

inline std::string utc_text(double epoch, const char* format = "%Y-%m-%dT%H:%M:%SZ") {
  const std::time_t t = static_cast<std::time_t>(std::floor(epoch));
  std::tm tm{};
  gmtime_r(&t, &tm);
  char text[64];
  return std::strftime(text, sizeof text, format, &tm) ? text : "";
}

}  // namespace vigie
