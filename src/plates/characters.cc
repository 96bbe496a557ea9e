#include "plates/characters.h"

#include <algorithm>
#include <cmath>

namespace vigie::plates {
namespace {

// What a position of a format accepts: S a SIV letter, L any letter, D a digit.
struct Shape {
  std::string pattern;
  PlateFormat format;
};

// Every plate shape vigie reads, French first. FNI: 1–4 digits, 1–3 letters, then the
// department (2 digits, 2A/2B for Corsica, 3 digits overseas). Foreign: the EU shapes of
// the cars a French city sees most (LLDDDLL: Slovakia, Italy; DLDDDDD: Czechia; LLDDLLL:
// the United Kingdom; LLDDDLL is weighed against SIV in read_plate). A plate of another
// shape is not read at all, which a scancar treats as "no plate": never a notice.
std::vector<Shape> make_shapes() {
  std::vector<Shape> shapes{{"SSDDDSS", PlateFormat::kSiv}};
  for (int digits = 1; digits <= 4; ++digits)
    for (int letters = 1; letters <= 3; ++letters) {
      const std::string serial = std::string(digits, 'D') + std::string(letters, 'L');
      shapes.push_back({serial + "DD", PlateFormat::kFni});
      shapes.push_back({serial + "DL", PlateFormat::kFni});   // 2A, 2B
      shapes.push_back({serial + "DDD", PlateFormat::kFni});  // 971–976
    }
  for (const char* foreign : {"DLDDDDD", "LLDDLLL"}) shapes.push_back({foreign, PlateFormat::kForeign});
  return shapes;
}

const std::vector<Shape>& shapes() {
  static const std::vector<Shape> all = make_shapes();
  return all;
}

// A run of time steps where the recogniser's best symbol is one non-blank symbol: one
// character on the plate. For each symbol, its highest probability over the run.
struct Character {
  int first = 0, last = 0;
};

bool is_alphanumeric(const std::string& s) {
  return s.size() == 1 && ((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= '0' && s[0] <= '9'));
}

// The characters of the best path that are letters or digits more likely than not
// (separators, the EU band's stars and the like are left out).
std::vector<Character> characters(const CharacterScores& scores, const Alphabet& alphabet) {
  std::vector<Character> out;
  int previous = 0;
  for (int t = 0; t < scores.steps; ++t) {
    const float* row = scores.row(t);
    const int best = static_cast<int>(std::max_element(row, row + scores.symbols) - row);
    if (best != 0 && best == previous) out.back().last = t;
    else if (best != 0) out.push_back({t, t});
    previous = best;
  }
  std::erase_if(out, [&](const Character& c) {
    float alnum = 0;
    for (int t = c.first; t <= c.last; ++t) {
      float sum = 0;
      for (int i = 1; i < scores.symbols; ++i)
        if (is_alphanumeric(alphabet.symbol(i))) sum += scores.row(t)[i];
      alnum = std::max(alnum, sum);
    }
    return alnum <= 0.5f;
  });
  return out;
}

// The most likely symbol among `allowed` for one character, and its probability.
std::pair<int, float> best_of(const CharacterScores& scores, const Character& c, const std::vector<int>& allowed) {
  std::pair<int, float> best{allowed.front(), -1.f};
  for (int symbol : allowed) {
    float p = 0;
    for (int t = c.first; t <= c.last; ++t) p = std::max(p, scores.row(t)[symbol]);
    if (p > best.second) best = {symbol, p};
  }
  return best;
}

struct Reading {
  std::string text;
  double confidence = 1, log_probability = 0;
};

Reading read_as(const CharacterScores& scores, const Alphabet& alphabet, const std::vector<Character>& chars,
                size_t start, const std::string& pattern) {
  Reading r;
  for (size_t k = 0; k < pattern.size(); ++k) {
    const auto& allowed = pattern[k] == 'D' ? alphabet.digits()
                          : pattern[k] == 'S' ? alphabet.siv_letters()
                                              : alphabet.letters();
    const auto [symbol, p] = best_of(scores, chars[start + k], allowed);
    r.text += alphabet.symbol(symbol);
    r.confidence = std::min<double>(r.confidence, p);
    r.log_probability += std::log(std::max(p, 1e-12f));
  }
  return r;
}

// A reading in the SIV shape that uses I, O or U is a foreign plate only when it is this
// many times likelier than the best reading without them: in a French street a car of
// this shape is far more often French (EO-725-0J is EQ-725-QJ; decision 82).
constexpr double kForeignOverSivOdds = 5;

// A character of a reading must be at least this likely: below it, nothing the position
// allows was seen there (PARKING is no plate, however its letters would be read as digits).
constexpr double kLegible = 0.05;

// A line of another shape is a plate of another country when it has as many characters
// as plates have across Europe.
constexpr size_t kOtherMinCharacters = 4, kOtherMaxCharacters = 10;

bool valid(const std::string& text, PlateFormat format) {
  if (format == PlateFormat::kSiv) return is_siv(text);
  if (format == PlateFormat::kFni) return is_fni(text);
  return true;
}

// Of two legible readings where one covers the other's characters and more, the longer
// is the better one: the shorter leaves real characters out (98GV73 inside 198GV73);
// otherwise (windows side by side or overlapping) the more certain.
struct Candidate {
  PlateText plate;
  size_t start = 0, end = 0;  // the characters it covers, [start, end)
};

bool better(const Candidate& a, const Candidate& b) {
  const bool a_holds_b = a.start <= b.start && b.end <= a.end, b_holds_a = b.start <= a.start && a.end <= b.end;
  if (a_holds_b != b_holds_a) return a_holds_b;  // one window inside the other: the longer
  return a.plate.confidence > b.plate.confidence;
}

}  // namespace

std::string_view format_name(PlateFormat format) {
  switch (format) {
    case PlateFormat::kSiv: return "siv";
    case PlateFormat::kFni: return "fni";
    case PlateFormat::kForeign: return "foreign";
    case PlateFormat::kOther: return "other";
  }
  return "foreign";
}

Alphabet::Alphabet(std::vector<std::string> symbols) : symbols_(std::move(symbols)) {
  for (int i = 1; i < size(); ++i) {
    const std::string& s = symbols_[i];
    if (s.size() != 1) continue;
    const char c = s[0];
    if (c >= '0' && c <= '9') digits_.push_back(i);
    if (c < 'A' || c > 'Z') continue;
    letters_.push_back(i);
    if (c != 'I' && c != 'O' && c != 'U') siv_letters_.push_back(i);
  }
}

std::optional<PlateText> read_plate(const CharacterScores& scores, const Alphabet& alphabet) {
  if (alphabet.letters().size() != 26 || alphabet.digits().size() != 10 || scores.symbols != alphabet.size() ||
      scores.steps < 0 || scores.probabilities.size() < static_cast<size_t>(scores.steps) * scores.symbols)
    return std::nullopt;
  const auto chars = characters(scores, alphabet);
  std::optional<Candidate> best;
  auto offer = [&](PlateText plate, size_t start, size_t length) {
    Candidate candidate{std::move(plate), start, start + length};
    if (candidate.plate.confidence >= kLegible && valid(candidate.plate.text, candidate.plate.format) &&
        (!best || better(candidate, *best)))
      best = std::move(candidate);
  };
  for (const Shape& shape : shapes()) {
    for (size_t start = 0; start + shape.pattern.size() <= chars.size(); ++start) {
      const Reading r = read_as(scores, alphabet, chars, start, shape.pattern);
      if (shape.format != PlateFormat::kSiv) {
        offer({r.text, shape.format, r.confidence}, start, shape.pattern.size());
        continue;
      }
      const Reading any = read_as(scores, alphabet, chars, start, "LLDDDLL");
      const bool foreign = any.text != r.text && any.log_probability - r.log_probability >= std::log(kForeignOverSivOdds);
      const size_t length = shape.pattern.size();
      if (foreign || !is_siv(r.text)) offer({any.text, PlateFormat::kForeign, any.confidence}, start, length);
      else offer({r.text, PlateFormat::kSiv, r.confidence}, start, length);
    }
  }
  if (best) return best->plate;
  if (chars.size() < kOtherMinCharacters || chars.size() > kOtherMaxCharacters) return std::nullopt;
  // No known shape: the line's letters and digits as the recogniser saw them, a plate of
  // another country.
  std::vector<int> any = alphabet.letters();
  any.insert(any.end(), alphabet.digits().begin(), alphabet.digits().end());
  PlateText other{"", PlateFormat::kOther, 1};
  for (const Character& c : chars) {
    const auto [symbol, p] = best_of(scores, c, any);
    other.text += alphabet.symbol(symbol);
    other.confidence = std::min<double>(other.confidence, p);
  }
  if (other.confidence < kLegible) return std::nullopt;
  return other;
}

std::string comparable(std::string_view plate) {
  std::string out;
  for (char c : plate) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c == 'O') c = '0';
    if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) out += c;
  }
  return out;
}

int edit_distance(std::string_view a, std::string_view b) {
  std::vector<int> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = static_cast<int>(j);
  for (size_t i = 1; i <= a.size(); ++i) {
    int diagonal = row[0];
    row[0] = static_cast<int>(i);
    for (size_t j = 1; j <= b.size(); ++j) {
      const int above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

bool is_siv(std::string_view t) {
  auto letter = [](char c) { return c >= 'A' && c <= 'Z' && c != 'I' && c != 'O' && c != 'U'; };
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (t.size() != 7) return false;
  if (!letter(t[0]) || !letter(t[1]) || !digit(t[2]) || !digit(t[3]) || !digit(t[4]) || !letter(t[5]) || !letter(t[6]))
    return false;
  // Series that were never issued: AA-000-AA, 000 in the middle, SS and WW are special
  // (SS: not issued; WW: temporary registration, still a French plate).
  return t.substr(2, 3) != "000" && t.substr(0, 2) != "SS";
}

bool is_fni(std::string_view t) {
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  auto letter = [](char c) { return c >= 'A' && c <= 'Z'; };
  size_t i = 0;
  while (i < t.size() && digit(t[i])) ++i;
  const size_t serial_digits = i;
  while (i < t.size() && letter(t[i])) ++i;
  const size_t letters = i - serial_digits;
  if (serial_digits < 1 || serial_digits > 4 || letters < 1 || letters > 3) return false;
  const std::string_view department = t.substr(i);
  if (department == "2A" || department == "2B") return true;
  if (department.size() == 2 && digit(department[0]) && digit(department[1])) {
    const int n = (department[0] - '0') * 10 + (department[1] - '0');
    return n >= 1 && n <= 95 && n != 20;
  }
  if (department.size() == 3 && department.substr(0, 2) == "97") return department[2] >= '1' && department[2] <= '6';
  return false;
}

}  // namespace vigie::plates
