// `vigie scancar ingest`: a scancar's round, from its photos and track to candidates for a
// person to review. Photos of cars with a right, or whose plate cannot lead to a notice,
// are deleted from the round's folder (data minimisation) unless --keep-photos.
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
#include "plates/reader.h"
#include "scancar/round.h"

namespace vigie::cli {
namespace {

namespace fs = std::filesystem;

struct ScancarOptions {
  std::string photos, track, registers, out, models;
  bool keep_photos = false, json = false, quiet = false;
};

// The plate crop shown to the reviewer beside the wide photo.
void write_crop(const cv::Mat& photo, const Box& box, const fs::path& path) {
  const cv::Rect r = box.rect() & cv::Rect(0, 0, photo.cols, photo.rows);
  if (r.area() > 0) cv::imwrite(path.string(), photo(r));
}

int scancar_ingest(const ScancarOptions& o) {
  auto shots = scancar::read_track(o.track);
  if (!shots) throw UsageError(shots.error().message);
  auto registers = scancar::read_registers(o.registers);
  if (!registers) throw UsageError(registers.error().message);
  for (const auto& shot : *shots)
    if (!fs::is_regular_file(fs::path(o.photos) / shot.photo))
      throw UsageError(fmt::format("{}:{}: no photo '{}' in '{}'", o.track, shot.line, shot.photo, o.photos));
  auto reader = plates::PlateReader::open({o.models});
  if (!reader) throw UsageError(reader.error().message);
  const fs::path candidates = fs::path(o.out) / "candidates";
  fs::create_directories(candidates);

  nlohmann::json report = {{"track", o.track}, {"shots", nlohmann::json::array()}};
  std::vector<scancar::Decision> decisions;
  Progress progress(!o.quiet && !o.json);
  const auto start = std::chrono::steady_clock::now();
  for (const auto& shot : *shots) {
    const fs::path path = fs::path(o.photos) / shot.photo;
    const cv::Mat photo = cv::imread(path.string(), cv::IMREAD_COLOR);
    if (photo.empty()) throw UsageError(fmt::format("'{}' is not a photo OpenCV can decode", path.string()));
    const auto reads = (*reader)->read(photo);
    std::optional<plates::PlateText> plate;
    if (!reads.empty()) plate = reads[0].plate;
    const auto decision = scancar::decide(plate, *registers, shot.time);
    decisions.push_back(decision);
    nlohmann::json j = {{"photo", shot.photo}, {"time", shot.time}, {"lat", shot.lat}, {"lon", shot.lon},
                        {"outcome", scancar::outcome_name(decision.outcome)}, {"why", decision.why}};
    if (decision.outcome == scancar::Outcome::kCandidate) {
      // Only a candidate's plate is kept: a car with a right leaves no trace but its count.
      j["plate"] = plate->text;
      j["format"] = plates::format_name(plate->format);
      j["confidence"] = plate->confidence;
      fs::copy_file(path, candidates / shot.photo, fs::copy_options::overwrite_existing);
      const std::string crop = fs::path(shot.photo).stem().string() + "-plate.jpg";
      write_crop(photo, reads[0].box, candidates / crop);
      j["plate_crop"] = crop;
    }
    if (!o.keep_photos) fs::remove(path);
    report["shots"].push_back(j);
    progress.update(static_cast<int64_t>(decisions.size()), static_cast<int64_t>(shots->size()),
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  progress.finish();
  const auto s = scancar::summarise(decisions);
  report["summary"] = {{"cars", s.cars},
                       {"candidates", s.candidates},
                       {"unread", s.unread},
                       {"dropped_by_right", s.dropped_by_right},
                       {"candidates_per_100_cars", s.candidates_per_100_cars}};
  std::ofstream(fs::path(o.out) / "round.json") << report.dump(2) << "\n";
  if (o.json) {
    fmt::print("{}\n", report.dump(2));
    return 0;
  }
  fmt::print("cars {}: {} candidates for review ({:.1f} per 100 cars), {} unread", s.cars, s.candidates,
             s.candidates_per_100_cars, s.unread);
  for (const auto& [right, n] : s.dropped_by_right) fmt::print(", {} dropped ({})", n, right);
  fmt::print("\nround: {}\n", (fs::path(o.out) / "round.json").string());
  return 0;
}

}  // namespace

std::function<int()> add_scancar_commands(CLI::App& app) {
  auto o = std::make_shared<ScancarOptions>();
  auto* scancar = app.add_subcommand("scancar", "Parking control rounds: plates read, rights checked, candidates for review");
  scancar->require_subcommand(1);
  auto* ingest = scancar->add_subcommand(
      "ingest", "A round's photos and track: cars with a right (disability card first) are dropped, the others "
                "become candidates for a person to review; never a notice by machine");
  ingest->add_option("--photos", o->photos, "The round's folder of photos (dropped ones are deleted from it)")->required();
  ingest->add_option("--track", o->track, "CSV time,lat,lon,photo (Unix seconds, WGS84)")->required();
  ingest->add_option("--registers", o->registers, "Folder with paid.csv, residents.csv, cards.csv")->required();
  ingest->add_option("--out", o->out, "Where round.json and the candidates' photos go")->required();
  ingest->add_option("--models", o->models, "Folder of the plate models (default: plate-models beside vigie)");
  ingest->add_flag("--keep-photos", o->keep_photos, "Leave the round's folder as it is (to replay a round)");
  ingest->add_flag("--json", o->json, "Print round.json");
  ingest->add_flag("--quiet", o->quiet, "No progress line");
  return [o, ingest]() -> int { return *ingest ? scancar_ingest(*o) : -1; };
}

}  // namespace vigie::cli
