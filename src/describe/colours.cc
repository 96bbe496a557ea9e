#include "describe/colours.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include <opencv2/imgproc.hpp>

namespace vigie::describe {
namespace {

constexpr std::array<std::string_view, kColourCount> kNames = {
    "black", "white", "grey", "red", "orange", "yellow", "green", "blue", "purple", "pink", "brown"};

// Boundaries in L*a*b*, from where the sRGB focal colours fall (red 40°, orange 73°,
// yellow 103°, green 136°, cyan 196°, denim 277°, navy 306°, purple 328°, deep pink 357°):
// each family's hue sector ends halfway to the next. Clothes seen by a street camera are
// dull and often in shade, so a colour needs only a modest chroma to be one.
constexpr float kMinChroma = 12;       // below: black, grey or white
constexpr float kBlackBelowL = 30, kWhiteAboveL = 78;
constexpr float kBrownBelowL = 48;     // darker orange and yellow are brown
constexpr float kPinkAboveL = 62;      // lighter red and purple are pink
// One dark pixel's hue is mostly noise, but a dark region whose pixels agree on a hue has
// it: dark brown leather, navy cloth. The pixels named black are pooled, and their mean
// chroma needs only half of what one pixel needs. Only the brown, green and blue families
// are given this way: sensors tint their blacks red or magenta (PETS09's black coats pool
// to hues between -60° and 30°), so a pooled red or purple says more about the camera.
constexpr float kMinPooledChroma = kMinChroma / 2;

float hue_degrees(float a, float b) {
  const float hue = std::atan2(b, a) * 180.f / static_cast<float>(M_PI);
  return hue < 0 ? hue + 360 : hue;
}

// What a dark region's pooled colour is called, if anything but black.
std::optional<Colour> dark_name(float a, float b) {
  if (std::hypot(a, b) < kMinPooledChroma) return std::nullopt;
  const float hue = hue_degrees(a, b);
  if (hue >= 35 && hue < 118) return Colour::kBrown;
  if (hue >= 118 && hue < 200) return Colour::kGreen;
  if (hue >= 200 && hue < 315) return Colour::kBlue;
  return std::nullopt;
}

}  // namespace

std::string_view colour_name(Colour c) { return kNames[static_cast<int>(c)]; }

std::optional<Colour> parse_colour(std::string_view name) {
  std::string lower(name);
  for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (lower == "gray") lower = "grey";
  for (int i = 0; i < kColourCount; ++i)
    if (kNames[i] == lower) return static_cast<Colour>(i);
  return std::nullopt;
}

std::string colour_names_list() {
  std::string out;
  for (auto n : kNames) out += (out.empty() ? "" : ", ") + std::string(n);
  return out;
}

Colour name_lab(float L, float a, float b) {
  const float chroma = std::hypot(a, b);
  if (chroma < kMinChroma) return L < kBlackBelowL ? Colour::kBlack : L > kWhiteAboveL ? Colour::kWhite : Colour::kGrey;
  const float hue = hue_degrees(a, b);
  if (hue >= 340 || hue < 56) {  // red family; its darker orange side is brown
    if (L >= kPinkAboveL && hue >= 340) return Colour::kPink;
    if (L >= kPinkAboveL && hue < 30 && chroma < 60) return Colour::kPink;
    return hue >= 35 && hue < 56 && L < kBrownBelowL - 10 ? Colour::kBrown : Colour::kRed;
  }
  if (hue < 88) return L < kBrownBelowL ? Colour::kBrown : Colour::kOrange;
  if (hue < 118) return L < kBrownBelowL ? Colour::kBrown : Colour::kYellow;
  if (hue < 200) return Colour::kGreen;
  if (hue < 315) return Colour::kBlue;
  return L >= kPinkAboveL ? Colour::kPink : Colour::kPurple;
}

ColourVotes vote_region(const cv::Mat& bgr, const cv::Mat& mask) {
  ColourVotes votes{};
  if (bgr.empty() || bgr.type() != CV_8UC3 || (!mask.empty() && mask.size() != bgr.size())) return votes;
  cv::Mat lab;
  cv::cvtColor(bgr, lab, cv::COLOR_BGR2Lab);  // 8-bit: L·255/100, a + 128, b + 128
  double dark_a = 0, dark_b = 0;  // sums over the pixels named black
  for (int y = 0; y < lab.rows; ++y) {
    const auto* p = lab.ptr<cv::Vec3b>(y);
    const uchar* m = mask.empty() ? nullptr : mask.ptr<uchar>(y);
    for (int x = 0; x < lab.cols; ++x) {
      if (m && !m[x]) continue;
      const Colour c = name_lab(p[x][0] * (100.f / 255.f), p[x][1] - 128.f, p[x][2] - 128.f);
      votes[static_cast<int>(c)] += 1;
      if (c == Colour::kBlack) dark_a += p[x][1] - 128.0, dark_b += p[x][2] - 128.0;
    }
  }
  float& black = votes[static_cast<int>(Colour::kBlack)];
  if (black > 0)
    if (const auto dark = dark_name(static_cast<float>(dark_a / black), static_cast<float>(dark_b / black)))
      votes[static_cast<int>(*dark)] += black, black = 0;
  return votes;
}

ColourNames names_from_votes(const ColourVotes& votes, float min_share) {
  float total = 0;
  for (float v : votes) total += v;
  ColourNames out;
  if (total <= 0) return out;
  for (int i = 0; i < kColourCount; ++i) out.push_back({static_cast<Colour>(i), votes[i] / total});
  std::stable_sort(out.begin(), out.end(), [](const auto& x, const auto& y) { return x.share > y.share; });
  const auto keep = std::find_if(out.begin() + 1, out.end(), [&](const auto& n) { return n.share < min_share; });
  out.erase(keep, out.end());
  return out;
}

ColourNames name_region(const cv::Mat& bgr, const cv::Mat& mask, float min_share) {
  return names_from_votes(vote_region(bgr, mask), min_share);
}

}  // namespace vigie::describe
