// The plate reader's character decoding (src/plates/characters): the bytes are a
// recogniser's output, one row of probabilities per time step over a small alphabet
// (blank, separators, A–Z, 0–9), each row normalised as a softmax's would be.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "plates/characters.h"

namespace {

const vigie::plates::Alphabet& alphabet() {
  static const vigie::plates::Alphabet a = [] {
    std::vector<std::string> symbols{"", "-", " ", "·"};
    for (char c = 'A'; c <= 'Z'; ++c) symbols.emplace_back(1, c);
    for (char c = '0'; c <= '9'; ++c) symbols.emplace_back(1, c);
    return vigie::plates::Alphabet(symbols);
  }();
  return a;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const int symbols = alphabet().size();
  vigie::plates::CharacterScores scores;
  scores.symbols = symbols;
  scores.steps = static_cast<int>(size / symbols);
  scores.probabilities.resize(static_cast<size_t>(scores.steps) * symbols);
  for (int t = 0; t < scores.steps; ++t) {
    float sum = 0;
    for (int i = 0; i < symbols; ++i) sum += data[t * symbols + i] + 1.f;
    for (int i = 0; i < symbols; ++i) scores.probabilities[t * symbols + i] = (data[t * symbols + i] + 1.f) / sum;
  }
  const auto plate = vigie::plates::read_plate(scores, alphabet());
  if (plate && (plate->text.empty() || plate->confidence < 0 || plate->confidence > 1)) __builtin_trap();
  if (plate)
    for (char c : plate->text)
      if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) __builtin_trap();  // letters and digits only
  return 0;
}
