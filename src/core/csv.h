// One CSV record split into fields: RFC 4180 quoting ("quoted, fields", "" for a quote),
// any separator, a trailing \r dropped; text as UTF-8 (Latin-1 lines converted); a field
// as a number. Header-only.
#pragma once

#include <cmath>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace vigie {

// One field as RFC 4180 writes it: in quotes, a quote doubled; text a spreadsheet would
// take for a formula (= + - @ first) gets a leading ' (OWASP's advice for CSV exports).
inline std::string csv_field(const std::string& text) {
  std::string out(1, '"');
  if (!text.empty() && (text[0] == '=' || text[0] == '+' || text[0] == '-' || text[0] == '@')) out += '\'';
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

inline std::vector<std::string> split_csv(const std::string& line, char sep = ',') {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted && c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
      out.back() += '"';
      ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (c == sep && !quoted) {
      out.emplace_back();
    } else if (c != '\r') {
      out.back() += c;
    }
  }
  return out;
}

// UTF-8 as RFC 3629 defines it: no overlong forms (0xC0 0x9B), surrogates or code points
// above U+10FFFF, which strict UTF-8 writers (nlohmann's dump) refuse.
inline bool valid_utf8(const std::string& s) {
  auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  for (size_t i = 0; i < s.size();) {
    const unsigned c = byte(i);
    int extra = 0;
    unsigned low = 0x80, high = 0xBF;  // the range of the second byte
    if (c < 0x80) extra = 0;
    else if (c >= 0xC2 && c <= 0xDF) extra = 1;
    else if (c == 0xE0) extra = 2, low = 0xA0;
    else if (c == 0xED) extra = 2, high = 0x9F;
    else if (c >= 0xE1 && c <= 0xEF) extra = 2;
    else if (c == 0xF0) extra = 3, low = 0x90;
    else if (c == 0xF4) extra = 3, high = 0x8F;
    else if (c >= 0xF1 && c <= 0xF3) extra = 3;
    else return false;
    if (extra > 0 && i + extra >= s.size()) return false;
    for (int k = 1; k <= extra; ++k) {
      const unsigned b = byte(i + k);
      if (k == 1 ? (b < low || b > high) : (b >> 6) != 0x2) return false;
    }
    i += 1 + extra;
  }
  return true;
}

// Exports are often Latin-1 ("Stra\xdfe"); what vigie writes (GeoJSON, JSON, reports) is
// UTF-8. A line that is not valid UTF-8 is read as Latin-1 (`converted` set).
inline std::string as_utf8(const std::string& line, bool& converted) {
  if (valid_utf8(line)) return line;
  converted = true;
  std::string out;
  for (char ch : line) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x80) {
      out += ch;
    } else {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return out;
}

// A CSV field as a finite number, the whole field and nothing else ("12.5", not "12.5 km").
inline std::optional<double> parse_number(const std::string& s) {
  if (s.empty()) return std::nullopt;
  try {
    size_t used = 0;
    const double v = std::stod(s, &used);
    if (used != s.size() || !std::isfinite(v)) return std::nullopt;
    return v;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace vigie
