#include "server/request_checks.h"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace vigie::server {

std::optional<double> parse_number(std::string_view text) {
  double v = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (text.empty() || ec != std::errc() || ptr != end || !std::isfinite(v)) return std::nullopt;
  return v;
}

bool has_control_characters(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
}

bool is_json_content_type(std::string_view type) {
  const auto semicolon = type.find(';');
  std::string_view media = type.substr(0, semicolon);
  while (!media.empty() && media.back() == ' ') media.remove_suffix(1);
  std::string lower(media);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  return lower == "application/json";
}

bool same_origin(std::string_view origin, std::string_view sec_fetch_site, std::string_view host, bool tls) {
  if (!origin.empty()) {
    if (host.empty()) return false;
    const std::string expected = std::string(tls ? "https://" : "http://") + std::string(host);
    return origin == expected;
  }
  return sec_fetch_site.empty() || sec_fetch_site == "same-origin" || sec_fetch_site == "none";
}

int range_parts(std::string_view header) {
  if (header.empty()) return 0;
  return 1 + static_cast<int>(std::count(header.begin(), header.end(), ','));
}

}  // namespace vigie::server
