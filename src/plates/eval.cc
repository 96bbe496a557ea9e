#include "plates/eval.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "core/csv.h"
#include "core/csv_rows.h"

namespace vigie::plates {

Result<std::vector<PlateLabel>> read_plate_labels(const std::string& csv_path) {
  std::vector<PlateLabel> out;
  auto read = read_csv_rows(csv_path, {"image", "plate", "xmin", "ymin", "xmax", "ymax"},
                            [&](const CsvRow& f, int line, const std::string& where) -> Result<Ok> {
    PlateLabel l;
    l.line = line;
    l.image = f.at("image");
    l.plate = comparable(f.at("plate"));
    const std::filesystem::path image(l.image);
    const bool climbs = std::any_of(image.begin(), image.end(), [](const auto& part) { return part == ".."; });
    if (l.image.empty() || image.is_absolute() || climbs)
      return Error{fmt::format("{}: the image is a path inside the labels' folder", where)};
    if (l.plate.empty()) return Error{fmt::format("{}: the plate has no letter or digit", where)};
    const auto x0 = parse_number(f.at("xmin")), y0 = parse_number(f.at("ymin"));
    const auto x1 = parse_number(f.at("xmax")), y1 = parse_number(f.at("ymax"));
    if (!x0 || !y0 || !x1 || !y1 || *x0 < 0 || *y0 < 0 || *x1 <= *x0 || *y1 <= *y0 || *x1 > 1e6 || *y1 > 1e6)
      return Error{fmt::format("{}: the box is xmin,ymin,xmax,ymax in pixels, max above min", where)};
    l.box = {static_cast<float>(*x0), static_cast<float>(*y0), static_cast<float>(*x1 - *x0),
             static_cast<float>(*y1 - *y0)};
    if (f.count("split")) l.split = f.at("split");
    out.push_back(std::move(l));
    return Ok{};
  });
  if (!read) return read.error();
  if (out.empty()) return Error{fmt::format("{}: no labelled photo", csv_path)};
  return out;
}

PlateScore score_plates(const std::vector<PlateLabel>& labels, const std::vector<PlateGuess>& guesses,
                        double candidate_confidence) {
  PlateScore s;
  s.images = static_cast<int>(labels.size());
  long edits = 0, characters = 0;
  double milliseconds = 0;
  for (size_t i = 0; i < labels.size(); ++i) {
    const PlateLabel& l = labels[i];
    const PlateGuess& g = guesses[i];
    const std::string read = g.text ? comparable(*g.text) : "";
    const std::string wanted = comparable(l.plate);
    edits += edit_distance(read, wanted);
    characters += static_cast<long>(wanted.size());
    milliseconds += g.milliseconds;
    const bool confident = g.text && g.french && g.confidence >= candidate_confidence;
    if (read == wanted) ++s.exact;
    else s.misses.push_back({l.line, l.plate, g.text.value_or("")});
    if (confident && read != wanted) ++s.wrong_candidates;
    if (!confident && read == wanted) ++s.right_below_threshold;
    if (g.text && iou(g.box, l.box) >= 0.5f) ++s.located;
  }
  if (s.images > 0) {
    s.exact_rate = static_cast<double>(s.exact) / s.images;
    s.detection_recall = static_cast<double>(s.located) / s.images;
    s.ms_per_image = milliseconds / s.images;
  }
  s.character_error_rate = characters > 0 ? static_cast<double>(edits) / static_cast<double>(characters) : 0;
  return s;
}

}  // namespace vigie::plates
