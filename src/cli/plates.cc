// `vigie plates read` and `vigie plates eval`: licence plates read from photos, and the
// reader measured on a labelled set.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include "cli/commands.h"
#include "cli/progress.h"
#include "plates/eval.h"
#include "plates/reader.h"
#include "scancar/round.h"

namespace vigie::cli {
namespace {

namespace fs = std::filesystem;

struct PlatesOptions {
  std::vector<std::string> photos;
  std::string labels, split, models;
  int threads = 1;
  bool json = false, list = false, quiet = false;
};

std::unique_ptr<plates::PlateReader> open_reader(const PlatesOptions& o) {
  if (o.threads < 1) throw UsageError("--threads is at least 1");
  cv::setNumThreads(o.threads);
  auto reader = plates::PlateReader::open({o.models});
  if (!reader) throw UsageError(reader.error().message);
  return std::move(*reader);
}

cv::Mat read_photo(const std::string& path) {
  if (!fs::is_regular_file(path)) throw UsageError(fmt::format("no photo '{}'", path));
  cv::Mat photo = cv::imread(path, cv::IMREAD_COLOR);
  if (photo.empty()) throw UsageError(fmt::format("'{}' is not a photo OpenCV can decode (JPEG, PNG, …)", path));
  return photo;
}

nlohmann::json read_json(const plates::PlateRead& r) {
  return {{"plate", r.plate.text},
          {"format", plates::format_name(r.plate.format)},
          {"confidence", r.plate.confidence},
          {"box", {r.box.x, r.box.y, r.box.w, r.box.h}}};
}

int plates_read(const PlatesOptions& o) {
  auto reader = open_reader(o);
  nlohmann::json all = nlohmann::json::array();
  for (const std::string& path : o.photos) {
    const auto reads = reader->read(read_photo(path));
    nlohmann::json one = {{"photo", path}, {"plates", nlohmann::json::array()}};
    for (const auto& r : reads) one["plates"].push_back(read_json(r));
    all.push_back(one);
    if (o.json) continue;
    if (reads.empty()) fmt::print("{}: no plate read\n", path);
    for (const auto& r : reads)
      fmt::print("{}: {} ({}, confidence {:.2f}) at {:.0f},{:.0f} {:.0f}×{:.0f}\n", path, r.plate.text,
                 plates::format_name(r.plate.format), r.plate.confidence, r.box.x, r.box.y, r.box.w, r.box.h);
  }
  if (o.json) fmt::print("{}\n", all.dump(2));
  return 0;
}

int plates_eval(const PlatesOptions& o) {
  auto labels = plates::read_plate_labels(o.labels);
  if (!labels) throw UsageError(labels.error().message);
  if (!o.split.empty()) {
    std::erase_if(*labels, [&](const plates::PlateLabel& l) { return l.split != o.split; });
    if (labels->empty()) throw UsageError(fmt::format("{}: no photo in split '{}'", o.labels, o.split));
  }
  auto reader = open_reader(o);
  const fs::path folder = fs::path(o.labels).parent_path();
  std::vector<plates::PlateGuess> guesses;
  Progress progress(!o.quiet);
  const auto start = std::chrono::steady_clock::now();
  for (const auto& label : *labels) {
    const cv::Mat photo = read_photo((folder / label.image).string());
    const auto t0 = std::chrono::steady_clock::now();
    const auto reads = reader->read(photo);
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    plates::PlateGuess g{std::nullopt, {}, ms};
    if (!reads.empty()) {
      const auto& plate = reads[0].plate;
      g.text = plate.text, g.box = reads[0].box, g.confidence = plate.confidence;
      g.french = plate.format == plates::PlateFormat::kSiv || plate.format == plates::PlateFormat::kFni;
    }
    guesses.push_back(g);
    progress.update(static_cast<int64_t>(guesses.size()), static_cast<int64_t>(labels->size()),
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  progress.finish();
  const auto s = plates::score_plates(*labels, guesses, scancar::kCandidateConfidence);
  if (o.json) {
    nlohmann::json j = {{"images", s.images},           {"exact", s.exact_rate},
                        {"exact_count", s.exact},       {"cer", s.character_error_rate},
                        {"detection_recall", s.detection_recall}, {"ms_per_image", s.ms_per_image},
                        {"threads", o.threads},         {"candidate_confidence", scancar::kCandidateConfidence},
                        {"wrong_candidates", s.wrong_candidates}, {"right_below_threshold", s.right_below_threshold}};
    if (o.list) {
      j["misses"] = nlohmann::json::array();
      for (const auto& m : s.misses) j["misses"].push_back({{"line", m.line}, {"wanted", m.wanted}, {"read", m.read}});
    }
    fmt::print("{}\n", j.dump(2));
    return 0;
  }
  fmt::print("photos            {}\n", s.images);
  fmt::print("exact match       {:.3f} ({}/{})\n", s.exact_rate, s.exact, s.images);
  fmt::print("character errors  {:.3f}\n", s.character_error_rate);
  fmt::print("detection recall  {:.3f} (the read plate's box, IoU ≥ 0.5 with the label's)\n", s.detection_recall);
  fmt::print("time per photo    {:.0f} ms ({} thread{})\n", s.ms_per_image, o.threads, o.threads > 1 ? "s" : "");
  fmt::print("at the scancar's confidence {:.2f}: {} wrong candidates, {} right readings left unread\n",
             scancar::kCandidateConfidence, s.wrong_candidates, s.right_below_threshold);
  if (o.list)
    for (const auto& m : s.misses)
      fmt::print("  {}:{}: {} read as {}\n", o.labels, m.line, m.wanted, m.read.empty() ? "(nothing)" : m.read);
  return 0;
}

}  // namespace

std::function<int()> add_plates_commands(CLI::App& app) {
  auto o = std::make_shared<PlatesOptions>();
  auto* plates = app.add_subcommand("plates", "Licence plates read from photos (for parking control)");
  plates->require_subcommand(1);
  const std::string models_help = "Folder of the plate models (default: plate-models beside the vigie executable)";
  const std::string threads_help = "OpenCV threads (default 1: the figures are per core)";
  auto* read = plates->add_subcommand("read", "The plates in photos: text, format (siv, fni, foreign), confidence, box");
  read->add_option("photos", o->photos, "JPEG or PNG photos")->required();
  read->add_option("--models", o->models, models_help);
  read->add_option("--threads", o->threads, threads_help);
  read->add_flag("--json", o->json, "Print the plates as JSON");
  auto* eval = plates->add_subcommand("eval", "Measure the reader on labelled photos (exact match, character errors, time)");
  eval->add_option("--labels", o->labels, "CSV with image,plate,xmin,ymin,xmax,ymax[,split]; images relative to it")
      ->required();
  eval->add_option("--split", o->split, "Only the photos of this split (e.g. test)");
  eval->add_option("--models", o->models, models_help);
  eval->add_option("--threads", o->threads, threads_help);
  eval->add_flag("--json", o->json, "Print {exact, cer, detection_recall, ms_per_image, …} as JSON");
  eval->add_flag("--list", o->list, "List every photo not read exactly");
  eval->add_flag("--quiet", o->quiet, "No progress line");
  return [o, read, eval]() -> int {
    if (*read) return plates_read(*o);
    if (*eval) return plates_eval(*o);
    return -1;
  };
}

}  // namespace vigie::cli
