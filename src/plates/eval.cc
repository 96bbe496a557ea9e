#include "plates/eval.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>

#include "core/csv.h"

namespace vigie::plates {
namespace {

int edit_distance(const std::string& a, const std::string& b) {
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

constexpr const char* kRequired[] = {"image", "plate", "xmin", "ymin", "xmax", "ymax"};

}  // namespace

Result<std::vector<PlateLabel>> read_plate_labels(const std::string& csv_path) {
  std::ifstream in(csv_path);
  if (!in) return Error{fmt::format("cannot read labels '{}'", csv_path)};
  std::string line;
  if (!std::getline(in, line)) return Error{fmt::format("{}: empty; the first line names the columns", csv_path)};
  if (line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);  // a spreadsheet's byte-order mark
  std::map<std::string, size_t> column;
  const auto header = split_csv(line);
  for (size_t i = 0; i < header.size(); ++i) column[header[i]] = i;
  for (const char* name : kRequired)
    if (!column.count(name))
      return Error{fmt::format("{}:1: the header has no '{}' column (image,plate,xmin,ymin,xmax,ymax[,split])",
                               csv_path, name)};
  std::vector<PlateLabel> out;
  for (int n = 2; std::getline(in, line); ++n) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    const std::string where = fmt::format("{}:{}", csv_path, n);
    const auto f = split_csv(line);
    if (f.size() != header.size()) return Error{fmt::format("{}: {} fields, the header has {}", where, f.size(), header.size())};
    PlateLabel l;
    l.line = n;
    l.image = f[column["image"]];
    l.plate = comparable(f[column["plate"]]);
    const std::filesystem::path image(l.image);
    const bool climbs = std::any_of(image.begin(), image.end(), [](const auto& part) { return part == ".."; });
    if (l.image.empty() || image.is_absolute() || climbs)
      return Error{fmt::format("{}: the image is a path inside the labels' folder", where)};
    if (l.plate.empty()) return Error{fmt::format("{}: the plate has no letter or digit", where)};
    const auto x0 = parse_number(f[column["xmin"]]), y0 = parse_number(f[column["ymin"]]);
    const auto x1 = parse_number(f[column["xmax"]]), y1 = parse_number(f[column["ymax"]]);
    if (!x0 || !y0 || !x1 || !y1 || *x0 < 0 || *y0 < 0 || *x1 <= *x0 || *y1 <= *y0 || *x1 > 1e6 || *y1 > 1e6)
      return Error{fmt::format("{}: the box is xmin,ymin,xmax,ymax in pixels, max above min", where)};
    l.box = {static_cast<float>(*x0), static_cast<float>(*y0), static_cast<float>(*x1 - *x0),
             static_cast<float>(*y1 - *y0)};
    if (column.count("split")) l.split = f[column["split"]];
    out.push_back(std::move(l));
  }
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
