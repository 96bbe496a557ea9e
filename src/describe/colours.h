// Colour names for what people wear and what vehicles look like: the 11 basic colour
// terms (Berlin & Kay) given to pixels in CIE L*a*b*, a space where distances follow
// what the eye sees, and summed over a region into names with shares.
//
// A pixel is achromatic (black, grey, white by lightness) when its chroma is low for
// its lightness; otherwise its hue angle picks a family (red, orange, yellow, green,
// blue, purple) and lightness refines it: dark orange and dark yellow are brown, light
// low-chroma red and purple are pink. No face, no skin tone, nothing biometric: only
// clothing and vehicle regions are ever named.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <opencv2/core/mat.hpp>

namespace vigie::describe {

enum class Colour { kBlack, kWhite, kGrey, kRed, kOrange, kYellow, kGreen, kBlue, kPurple, kPink, kBrown };
inline constexpr int kColourCount = 11;

std::string_view colour_name(Colour c);
// The colour for a name ("grey" and "gray" alike, any case); empty when it is not one of
// the 11.
std::optional<Colour> parse_colour(std::string_view name);
// "black, white, grey, …": for error messages.
std::string colour_names_list();

// The name of one colour given in L*a*b* (L in [0, 100], a and b about [-128, 127]).
Colour name_lab(float L, float a, float b);

// A region's colours: each name with its share of the counted pixels, largest first,
// only names with at least `min_share` (the first is always there when any pixel was
// counted).
struct NamedColour {
  Colour colour;
  float share = 0;
};
using ColourNames = std::vector<NamedColour>;

// Names the pixels of `bgr` (8-bit, 3 channels) where `mask` (8-bit, same size, or
// empty: every pixel) is non-zero. Empty when no pixel counts.
ColourNames name_region(const cv::Mat& bgr, const cv::Mat& mask = {}, float min_share = 0.2f);

// Votes per colour, for summing several views of one region before naming it.
using ColourVotes = std::array<float, kColourCount>;
ColourVotes vote_region(const cv::Mat& bgr, const cv::Mat& mask = {});
ColourNames names_from_votes(const ColourVotes& votes, float min_share = 0.2f);

}  // namespace vigie::describe
