#include "eval/colour_eval.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>

#include "core/csv.h"

namespace vigie::eval {
namespace {

Result<std::vector<describe::Colour>> parse_names(const std::string& field, const std::string& where) {
  std::vector<describe::Colour> out;
  size_t start = 0;
  while (start <= field.size()) {
    const size_t bar = std::min(field.find('|', start), field.size());
    const std::string name = field.substr(start, bar - start);
    const auto c = describe::parse_colour(name);
    if (!c) return Error{fmt::format("{}: '{}' is not a colour name ({})", where, name, describe::colour_names_list())};
    out.push_back(*c);
    start = bar + 1;
  }
  return out;
}

std::string joined(const std::vector<describe::Colour>& names) {
  std::string out;
  for (auto c : names) out += (out.empty() ? "" : "|") + std::string(describe::colour_name(c));
  return out;
}

}  // namespace

Result<std::vector<ColourLabel>> read_colour_labels(const std::string& csv_path) {
  std::ifstream in(csv_path);
  if (!in) return Error{fmt::format("cannot read labels '{}'", csv_path)};
  std::vector<ColourLabel> out;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#' || (out.empty() && line.rfind("video,", 0) == 0)) continue;
    const std::string where = fmt::format("{}:{}", csv_path, n);
    const auto f = split_csv(line);
    if (f.size() != 8) return Error{fmt::format("{}: expected video,frame,x,y,w,h,upper,lower", where)};
    ColourLabel l;
    l.video = f[0];
    l.line = n;
    const auto frame = parse_number(f[1]);
    const auto x = parse_number(f[2]), y = parse_number(f[3]), w = parse_number(f[4]), h = parse_number(f[5]);
    // The range before the cast: a double beyond int's range cast to int is undefined
    // (found by fuzzing).
    if (l.video.empty() || !frame || *frame < 1 || *frame > 1e9 || *frame != std::floor(*frame))
      return Error{fmt::format("{}: expected a video name and a frame number from 1", where)};
    if (!x || !y || !w || !h || *w < 1 || *h < 1 || std::abs(*x) > 1e6 || std::abs(*y) > 1e6 || *w > 1e6 || *h > 1e6)
      return Error{fmt::format("{}: the box is x,y,w,h in pixels, w and h at least 1", where)};
    l.frame = static_cast<int>(*frame);
    l.box = {static_cast<float>(*x), static_cast<float>(*y), static_cast<float>(*w), static_cast<float>(*h)};
    auto upper = parse_names(f[6], where);
    if (!upper) return upper.error();
    auto lower = parse_names(f[7], where);
    if (!lower) return lower.error();
    l.upper = *upper, l.lower = *lower;
    out.push_back(std::move(l));
  }
  if (out.empty()) return Error{fmt::format("{}: no labelled crop", csv_path)};
  return out;
}

ColourScore score_colours(const std::vector<ColourLabel>& labels, const std::vector<ColourGuess>& guesses) {
  ColourScore s;
  int upper_right = 0, lower_right = 0;
  auto check = [&](const ColourLabel& l, const std::vector<describe::Colour>& wanted, const describe::ColourNames& said,
                   const char* region) {
    const std::string name = said.empty() ? "(none)" : std::string(describe::colour_name(said[0].colour));
    ++s.confusion[std::string(describe::colour_name(wanted[0]))][name];
    const bool right = !said.empty() && std::find(wanted.begin(), wanted.end(), said[0].colour) != wanted.end();
    if (!right) s.mistakes.push_back({l.line, region, name, joined(wanted)});
    return right;
  };
  for (size_t i = 0; i < labels.size() && i < guesses.size(); ++i) {
    ++s.crops;
    upper_right += check(labels[i], labels[i].upper, guesses[i].upper, "upper");
    lower_right += check(labels[i], labels[i].lower, guesses[i].lower, "lower");
  }
  if (s.crops > 0) s.upper_accuracy = double(upper_right) / s.crops, s.lower_accuracy = double(lower_right) / s.crops;
  return s;
}

}  // namespace vigie::eval
