// From a text recogniser's per-step character probabilities to a plate number that fits a
// known plate format. Pure: no model, no image; tested on hand-made probability tables.
//
// The recogniser (CTC) gives, for each of T time steps, a probability for each symbol of
// its alphabet (index 0 the CTC blank). Its own best path reads a plate the way a person
// would copy it without knowing plates: `EO-725-0J` for EQ-725-QJ. Here the best path
// only says where the characters are (its runs of one symbol); each character is then
// re-read among the symbols that its position in a plate format allows (a letter, a
// digit, a SIV letter), so that 0/O, 8/B, 5/S, Q/O are settled by the format rather than
// by the recogniser's first choice. A line of no known shape is kept as written (other).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigie::plates {

// French SIV (AA-123-AA, since 2009; never I, O or U), French FNI (1234 AB 56, before
// 2009), a plate of another country in a shape vigie knows (foreign), or a line of letters
// and digits in no known shape, kept as the recogniser wrote it (other: vanity plates,
// countries not listed). A scancar proposes a notice for French formats only.
enum class PlateFormat { kSiv, kFni, kForeign, kOther };
std::string_view format_name(PlateFormat format);  // "siv" | "fni" | "foreign" | "other"

struct PlateText {
  std::string text;  // letters and digits only, no separators: "EQ725QJ"
  PlateFormat format = PlateFormat::kForeign;
  // The least sure character's probability: a plate is as reliable as its worst character.
  double confidence = 0;
};

// The recogniser's output: rows = time steps, row[0] the blank, row[i] the probability of
// alphabet[i].
struct CharacterScores {
  int steps = 0, symbols = 0;
  std::vector<float> probabilities;  // steps × symbols, row-major
  const float* row(int t) const { return probabilities.data() + static_cast<size_t>(t) * symbols; }
};

// The symbols of a recogniser, index 0 the blank ("").
class Alphabet {
 public:
  explicit Alphabet(std::vector<std::string> symbols);
  int size() const { return static_cast<int>(symbols_.size()); }
  const std::string& symbol(int index) const { return symbols_[index]; }
  const std::vector<int>& letters() const { return letters_; }          // A–Z
  const std::vector<int>& siv_letters() const { return siv_letters_; }  // A–Z without I, O, U
  const std::vector<int>& digits() const { return digits_; }            // 0–9

 private:
  std::vector<std::string> symbols_;
  std::vector<int> letters_, siv_letters_, digits_;
};

// The best reading of `scores` that fits one of the known formats, or nothing when no
// stretch of characters fits any. Precondition: scores.symbols == alphabet.size().
std::optional<PlateText> read_plate(const CharacterScores& scores, const Alphabet& alphabet);

// A plate as registers and labels are compared: letters and digits only, upper case, the
// letter O taken as the digit 0 (O is never used on SIV plates; some labels of the
// OpenALPR set write O for 0, ../shared/data/plates/README.md).
std::string comparable(std::string_view plate);

// Insertions, deletions and substitutions from a to b (Levenshtein).
int edit_distance(std::string_view a, std::string_view b);

// Whether a text (letters and digits only) is a valid plate of that French format.
bool is_siv(std::string_view text);
bool is_fni(std::string_view text);

}  // namespace vigie::plates
