// `vigie scancar ingest`: a scancar's round, from its photos and track to candidates for a
// person to review. Photos of cars with a right, or whose plate cannot lead to a notice,
// are deleted from the round's folder (data minimisation) unless --keep-photos. With
// --store, the candidates join the console's review queue, the cards registered by
// contests join the card register, the round is audited, and candidates' photos past the
// deletion delay go.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include "cli/commands.h"
#include "cli/progress.h"
#include "config/config.h"
#include "events/store.h"
#include "plates/reader.h"
#include "scancar/positions.h"
#include "scancar/round.h"

namespace vigie::cli {
namespace {

namespace fs = std::filesystem;

struct ScancarOptions {
  std::string photos, track, registers, out, models, store_path, audit_key_path, config_path, camera;
  std::optional<double> photo_hours;
  bool keep_photos = false, json = false, quiet = false;
};

double now_epoch() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// The plate-reading camera a round is read with: --camera (or the config's only one);
// without a config, a scancar camera with the default settings. Its store is the round's
// unless --store says otherwise.
CameraConfig plate_camera(ScancarOptions& o) {
  CameraConfig camera;
  camera.name = o.camera.empty() ? "scancar" : o.camera;
  camera.plates.read = true;
  if (o.config_path.empty()) {
    if (!o.camera.empty()) throw UsageError("--camera names a camera of --config: give the config too");
  } else {
    const Config config = load_config(o.config_path);
    std::vector<std::string> readers;
    for (const auto& [name, cam] : config.cameras)
      if (cam.plates.read) readers.push_back(name);
    if (o.camera.empty() && readers.empty())
      throw UsageError(fmt::format("{} has no camera that reads plates (plates: {{read: true}})", o.config_path));
    if (o.camera.empty() && readers.size() > 1)
      throw UsageError(fmt::format("{} has {} cameras that read plates ({}): choose one with --camera", o.config_path,
                                   readers.size(), fmt::join(readers, ", ")));
    const std::string name = o.camera.empty() ? readers[0] : o.camera;
    const auto it = config.cameras.find(name);
    if (it == config.cameras.end()) throw UsageError(fmt::format("camera '{}' is not in {}", name, o.config_path));
    if (!it->second.plates.read)
      throw UsageError(fmt::format("camera '{}' does not read plates (a street camera never does): a scancar's "
                                   "camera has plates: {{read: true}}", name));
    camera = it->second;
    if (o.store_path.empty()) {
      o.store_path = config.store.location();
      if (o.audit_key_path.empty()) o.audit_key_path = config.store.audit_key;
    }
  }
  if (!o.models.empty()) camera.plates.models = o.models;
  return camera;
}

// The cards registered in the store (by contests) added to the files' card register, one
// entry per registration: each plate keeps the validity it was registered with.
void add_registered_cards(const events::Store& store, scancar::Registers& registers) {
  auto rows = store.registered_card_plates();
  if (!rows) throw std::runtime_error(rows.error().message);
  for (const auto& r : *rows) registers.cards.push_back({r.card, {r.plate}, r.valid_from, r.valid_until});
}

// The paid sessions meters recorded in the store (POST /api/v1/parking/sessions) during the
// round added to the files' paid register.
void add_paid_sessions(const events::Store& store, const std::vector<scancar::Shot>& shots,
                       scancar::Registers& registers) {
  if (shots.empty()) return;
  const auto [first, last] = std::minmax_element(shots.begin(), shots.end(),
                                                 [](const auto& a, const auto& b) { return a.time < b.time; });
  auto sessions = store.paid_sessions(first->time, last->time);
  if (!sessions) throw std::runtime_error(sessions.error().message);
  for (const auto& s : *sessions) registers.paid.push_back({plates::comparable(s.plate), s.start_epoch, s.end_epoch});
  // Sessions go parking_photo_hours after they end (vigie serve): an older round may miss some.
  const double age_h = (now_epoch() - first->time) / 3600;
  if (const double keep_h = StoreConfig{}.parking_photo_hours; age_h > keep_h)
    fmt::print(stderr, "vigie scancar: warning: the round began {:.0f} h ago; paid sessions are deleted {:.0f} h after "
                       "they end (store.parking_photo_hours), so cars that paid by meter may become candidates\n",
               age_h, keep_h);
}

// The plate crop shown to the reviewer beside the wide photo.
void write_crop(const cv::Mat& photo, const Box& box, const fs::path& path) {
  const cv::Rect r = box.rect() & cv::Rect(0, 0, photo.cols, photo.rows);
  if (r.area() > 0) cv::imwrite(path.string(), photo(r));
}

// The round as the queue names it: its track's file name, or its folder's without one.
std::string round_name(const ScancarOptions& o) {
  auto path = fs::path(o.track.empty() ? o.photos : o.track).lexically_normal();
  if (!path.has_filename()) path = path.parent_path();  // "round/"
  return path.filename().string();
}

// Where and when each photo was taken: the CSV track names them; a GPX track places each
// photo by its EXIF time; without a track, each photo's EXIF GPS says.
Result<std::vector<scancar::Shot>> round_shots(const ScancarOptions& o) {
  if (o.track.empty()) return scancar::shots_from_exif(o.photos);
  const std::string ext = fs::path(o.track).extension().string();
  if (ext == ".gpx" || ext == ".GPX") return scancar::shots_from_gpx(o.photos, o.track);
  return scancar::read_track(o.track);
}

// A candidate kept for review: its shot, its plate, and its two photos in OUT/candidates.
struct Kept {
  size_t shot = 0;  // in the round's order, and in the report's shots
  plates::PlateText plate;
  fs::path photo, crop;
};

// Queued in the store's review queue, in the round's order; the report's shots get their
// ids. A car queued already (the same plate at the same time: a round read again) is said so.
void queue(events::Store& store, const ScancarOptions& o, const std::vector<scancar::Shot>& shots,
           const std::vector<Kept>& kept, nlohmann::json& report) {
  for (const auto& k : kept) {
    const auto& shot = shots[k.shot];
    events::ParkingCandidate c;
    c.round = round_name(o);
    c.plate = k.plate.text, c.format = plates::format_name(k.plate.format), c.confidence = k.plate.confidence;
    c.taken_epoch = shot.time, c.lat = shot.lat, c.lon = shot.lon, c.queued_epoch = now_epoch();
    c.photo_path = fs::absolute(k.photo).lexically_normal().string();
    c.crop_path = fs::absolute(k.crop).lexically_normal().string();
    auto& j = report["shots"][k.shot];
    if (auto r = store.queue_parking_candidate(c); r) {
      j["candidate"] = c.id;
    } else if (r.error().message.find("queued already") != std::string::npos) {
      j["candidate"] = "queued already";  // its copies here would be nobody's: they go
      std::error_code ec;
      fs::remove(k.photo, ec), fs::remove(k.crop, ec);
      j.erase("wide_photo"), j.erase("plate_crop");
    } else {
      throw std::runtime_error(r.error().message);
    }
  }
}

// The round on the record, and (with --photo-hours) the photos of candidates past that
// delay gone; `vigie serve` does it with store.parking_photo_hours.
void close_round(events::Store& store, const ScancarOptions& o, const std::string& camera,
                 const nlohmann::json& summary) {
  const double now = now_epoch();
  const nlohmann::json what = {{"camera", camera}, {"track", round_name(o)}, {"summary", summary}};
  if (auto r = store.audit(local_user(), events::kScancarRoundAudit, what.dump(), now); !r)
    throw std::runtime_error(r.error().message);
  if (!o.photo_hours) return;
  if (auto r = store.delete_parking_photos(now, *o.photo_hours, local_user()); !r)
    throw std::runtime_error(r.error().message);
}

int scancar_ingest(ScancarOptions o) {
  const CameraConfig camera = plate_camera(o);
  if (o.photo_hours && !(*o.photo_hours > 0)) throw UsageError("--photo-hours must be more than 0");
  if (fs::exists(fs::path(o.out) / "round.json"))
    throw UsageError(fmt::format("--out '{}' holds a round already (round.json): give each round its own folder", o.out));
  auto shots = round_shots(o);
  if (!shots) throw UsageError(shots.error().message);
  auto registers = scancar::read_registers(o.registers);
  if (!registers) throw UsageError(registers.error().message);
  for (const auto& shot : *shots)
    if (!fs::is_regular_file(fs::path(o.photos) / shot.photo))
      throw UsageError(fmt::format("{}:{}: no photo '{}' in '{}'", o.track, shot.line, shot.photo, o.photos));
  std::unique_ptr<events::Store> store;
  if (!o.store_path.empty()) {
    auto opened = events::Store::open(o.store_path, o.audit_key_path);
    if (!opened) throw UsageError(opened.error().message);
    store = std::move(*opened);
    add_registered_cards(*store, *registers);
    add_paid_sessions(*store, *shots, *registers);
  }
  auto reader = plates::PlateReader::open({camera.plates.models, camera.plates.max_lines});
  if (!reader) throw UsageError(reader.error().message);
  const fs::path candidates = fs::path(o.out) / "candidates";
  fs::create_directories(candidates);

  nlohmann::json report = {{"camera", camera.name}, {"track", o.track}, {"shots", nlohmann::json::array()}};
  std::vector<scancar::Decision> decisions;
  std::vector<Kept> kept;
  Progress progress(!o.quiet && !o.json);
  const auto start = std::chrono::steady_clock::now();
  for (size_t i = 0; i < shots->size(); ++i) {
    const auto& shot = (*shots)[i];
    const fs::path path = fs::path(o.photos) / shot.photo;
    const cv::Mat photo = cv::imread(path.string(), cv::IMREAD_COLOR);
    if (photo.empty()) throw UsageError(fmt::format("'{}' is not a photo OpenCV can decode", path.string()));
    const auto reads = (*reader)->read(photo);
    std::optional<plates::PlateText> plate;
    if (!reads.empty()) plate = reads[0].plate;
    const auto decision = scancar::decide(plate, *registers, shot.time, camera.plates.min_confidence);
    decisions.push_back(decision);
    nlohmann::json j = {{"photo", shot.photo}, {"time", shot.time}, {"lat", shot.lat}, {"lon", shot.lon},
                        {"outcome", scancar::outcome_name(decision.outcome)}, {"why", decision.why}};
    if (decision.outcome == scancar::Outcome::kCandidate) {
      // Only a candidate's plate is kept: a car with a right leaves no trace but its count.
      // Its files are named by its place in the round: two photos never share one.
      const std::string name = fmt::format("{:04}-{}", i + 1, fs::path(shot.photo).stem().string());
      Kept k{i, *plate, candidates / (name + fs::path(shot.photo).extension().string()), candidates / (name + "-plate.jpg")};
      fs::copy_file(path, k.photo, fs::copy_options::overwrite_existing);
      write_crop(photo, reads[0].box, k.crop);
      j["plate"] = plate->text;
      j["format"] = plates::format_name(plate->format);
      j["confidence"] = plate->confidence;
      j["wide_photo"] = k.photo.filename().string();
      j["plate_crop"] = k.crop.filename().string();
      kept.push_back(std::move(k));
    }
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
  // Only a whole round is queued and recorded, and only then are its photos deleted: a
  // round that fails half-way can be run again as it was.
  if (store) {
    queue(*store, o, *shots, kept, report);
    close_round(*store, o, camera.name, report["summary"]);
  }
  std::ofstream(fs::path(o.out) / "round.json") << report.dump(2) << "\n";
  if (!o.keep_photos) {
    std::error_code ec;
    for (const auto& shot : *shots)
      if (!fs::remove(fs::path(o.photos) / shot.photo, ec) && ec)
        fmt::print(stderr, "vigie scancar: warning: '{}' could not be deleted: {}\n", shot.photo, ec.message());
  }
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
  ingest->add_option("--track", o->track,
                     "CSV time,lat,lon,photo (Unix seconds, WGS84), or a GPX track of the car (each photo placed by "
                     "its EXIF time); none: each photo's EXIF GPS position and time");
  ingest->add_option("--registers", o->registers, "Folder with paid.csv, residents.csv, cards.csv")->required();
  ingest->add_option("--out", o->out, "Where round.json and the candidates' photos go")->required();
  ingest->add_option("--config", o->config_path,
                     "Site config: the round is read with a camera that reads plates (plates: {read: true}), "
                     "queued in the site's store unless --store");
  ingest->add_option("--camera", o->camera, "With --config: the scancar's camera (default: its only one)");
  ingest->add_option("--models", o->models,
                     "Folder of the plate models (default: the camera's plates.models, else plate-models beside vigie)");
  ingest->add_option("--store", o->store_path,
                     "Queue the candidates for review in this store (SQLite file or PostgreSQL URL), with the cards "
                     "registered there; the round is audited");
  ingest->add_option("--audit-key", o->audit_key_path, "The store's audit key (default: beside an SQLite store)");
  ingest->add_option("--photo-hours", o->photo_hours,
                     "With a store (--store, or --config's): also delete the photos of candidates with no notice this long after they were "
                     "queued or decided (vigie serve does it every 10 min with store.parking_photo_hours)");
  ingest->add_flag("--keep-photos", o->keep_photos, "Leave the round's folder as it is (to replay a round)");
  ingest->add_flag("--json", o->json, "Print round.json");
  ingest->add_flag("--quiet", o->quiet, "No progress line");
  return [o, ingest]() -> int { return *ingest ? scancar_ingest(*o) : -1; };
}

}  // namespace vigie::cli
