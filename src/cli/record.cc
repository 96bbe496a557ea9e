// `vigie record list` and `vigie record export`: a camera's continuous recording, as the
// store indexes it, and a requisition's export of it (masked, with its manifest, audited).
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <set>

#include "cli/commands.h"
#include "config/config.h"
#include "core/time_text.h"
#include "events/store.h"
#include "record/camera_recorder.h"
#include "record/export.h"

namespace vigie::cli {
namespace {

struct RecordOptions {
  std::string config_path, camera, from, to, case_reference, requester, out;
  std::string unmasked;  // an approved request's id: the export without masks
  bool json = false;
};

double now_epoch() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

struct Opened {
  Config config;
  std::unique_ptr<events::Store> store;
};

Opened open(const RecordOptions& o) {
  Opened out{load_config(o.config_path), nullptr};
  if (!o.camera.empty() && !out.config.cameras.count(o.camera))
    throw UsageError(fmt::format("--camera: no camera '{}' in '{}'", o.camera, o.config_path));
  auto store = events::Store::open(out.config.store.location(), out.config.store.audit_key);
  if (!store) throw UsageError(store.error().message);
  out.store = std::move(store.value());
  return out;
}

int record_list(const RecordOptions& o) {
  Opened s = open(o);
  const double from = o.from.empty() ? 0 : parse_epoch_option(o.from, "--from");
  const double to = o.to.empty() ? 1e12 : parse_epoch_option(o.to, "--to");
  nlohmann::json list = nlohmann::json::array();
  for (const auto& [name, camera] : s.config.cameras) {
    if (!o.camera.empty() && name != o.camera) continue;
    auto segments = s.store->segments(name, from, to);
    if (!segments) throw std::runtime_error(segments.error().message);
    double recorded = 0;
    int64_t bytes = 0;
    for (const auto& g : *segments) recorded += g.end_epoch - g.start_epoch, bytes += g.bytes;
    nlohmann::json cam = {{"camera", name}, {"segments", segments->size()}, {"seconds", recorded}, {"bytes", bytes}};
    if (!segments->empty()) cam["from"] = segments->front().start_epoch, cam["to"] = segments->back().end_epoch;
    list.push_back(cam);
    if (!o.json)
      fmt::print("{:<16} {:>6} segments  {:>9.1f} min  {:>9.1f} MB{}\n", name, segments->size(), recorded / 60,
                 bytes / 1e6,
                 segments->empty() ? "" : fmt::format("  {} .. {}", local_time(segments->front().start_epoch),
                                                      local_time(segments->back().end_epoch)));
  }
  if (o.json) fmt::print("{}\n", list.dump(2));
  return 0;
}

// A camera's segments between two times, all on this machine's disk: the rest of a range
// is exported where it was recorded.
std::vector<events::SegmentRow> local_segments(const Opened& s, const std::string& camera, double from, double to) {
  auto segments = s.store->segments(camera, from, to);
  if (!segments) throw std::runtime_error(segments.error().message);
  auto here = record::recordings_host(record::recordings_root(s.config));
  if (!here) throw std::runtime_error(here.error().message);
  std::set<std::string> elsewhere;
  for (const auto& g : *segments)
    if (g.host != *here) elsewhere.insert(g.host);
  if (!elsewhere.empty())
    throw UsageError(fmt::format("part of this range was recorded on {}: run the export there (this machine is {})",
                                 fmt::join(elsewhere, ", "), *here));
  return std::move(*segments);
}

void show_progress(size_t i, size_t n) {
  fmt::print(stderr, "\rvigie record export: segment {}/{}", i, n);
  if (i == n) fmt::print(stderr, "\n");
}

// The masked export (the default), or the unmasked one of an approved request; the
// request's camera, range, case and requester then stand, and the options may not differ.
std::pair<record::ExportRequest, Result<record::ExportResult>> run_export(const RecordOptions& o, Opened& s) {
  record::ExportRequest q;
  q.exported_by = local_user(), q.out = o.out;
  if (o.unmasked.empty()) {
    for (const auto& [value, name] : {std::pair{&o.camera, "--camera"}, {&o.from, "--from"}, {&o.to, "--to"},
                                      {&o.case_reference, "--case"}, {&o.requester, "--requester"}})
      if (value->empty()) throw UsageError(fmt::format("{} is required (unless --unmasked names a request)", name));
    q.camera = o.camera, q.case_reference = o.case_reference, q.requester = o.requester;
    q.from_epoch = parse_epoch_option(o.from, "--from"), q.to_epoch = parse_epoch_option(o.to, "--to");
    auto key = record::camera_key_for_reading(s.config, q.camera);
    if (!key) throw UsageError(key.error().message);
    const auto segments = local_segments(s, q.camera, q.from_epoch, q.to_epoch);
    return {q, record::export_masked(record::recordings_root(s.config), *key,
                                     s.config.cameras.at(q.camera).privacy_masks, segments, q, show_progress)};
  }
  if (!o.camera.empty() || !o.from.empty() || !o.to.empty() || !o.case_reference.empty() || !o.requester.empty())
    throw UsageError("--unmasked exports its request's camera, range, case and requester: give none of them");
  auto request = s.store->unmasked_request(o.unmasked);
  if (!request) throw std::runtime_error(request.error().message);
  if (!*request) throw UsageError(fmt::format("--unmasked: no request '{}'", o.unmasked));
  const auto& r = **request;
  if (!s.config.cameras.count(r.camera))
    throw UsageError(fmt::format("--unmasked: request {} is for camera '{}', not in '{}'", r.id, r.camera, o.config_path));
  auto key = record::camera_key_for_reading(s.config, r.camera);
  if (!key) throw UsageError(key.error().message);
  const auto segments = local_segments(s, r.camera, r.from_epoch, r.to_epoch);
  auto done = record::export_unmasked(record::recordings_root(s.config), *key, *s.store, r.id, segments, q.exported_by,
                                      q.out, now_epoch(), show_progress);
  if (done) q.unmasked = done->unmasked;
  q.camera = r.camera, q.from_epoch = r.from_epoch, q.to_epoch = r.to_epoch;
  q.case_reference = r.case_reference, q.requester = r.requester;
  return {q, std::move(done)};
}

int record_export(const RecordOptions& o) {
  Opened s = open(o);
  auto [q, done] = run_export(o, s);
  if (!done) throw UsageError(done.error().message);
  // An export nobody can find in the audit log is not handed over.
  if (auto a = s.store->audit(q.exported_by, record::kExportAudit, record::export_audit_detail(q, *done), now_epoch());
      !a) {
    std::error_code out_gone, manifest_gone;
    std::filesystem::remove(q.out, out_gone);
    std::filesystem::remove(done->manifest, manifest_gone);
    if (out_gone || manifest_gone)
      throw std::runtime_error(fmt::format("the export could not be audited ({}) nor deleted: delete {} and {} by hand",
                                           a.error().message, q.out.string(), done->manifest.string()));
    // Nothing was handed over: an unmasked export's approval stands again.
    std::string released;
    if (q.unmasked)
      if (auto r = s.store->release_unmasked(q.unmasked->id); !r)
        released = fmt::format(" (request {} could not be given back: {})", q.unmasked->id, r.error().message);
    throw std::runtime_error(
        fmt::format("the export could not be audited, so it was deleted: {}{}", a.error().message, released));
  }
  if (o.json) {
    fmt::print("{}\n", nlohmann::json{{"file", q.out.string()},
                                      {"manifest", done->manifest.string()},
                                      {"frames", done->frames},
                                      {"bytes", done->bytes},
                                      {"sha256", done->sha256},
                                      {"manifest_sha256", done->manifest_sha256}}
                           .dump(2));
  } else {
    fmt::print("exported {} frames of camera {} ({} .. {}) to {}\n  sha256 {}\n  manifest {} (sha256 {})\n",
               done->frames, q.camera, local_time(done->first_epoch), local_time(done->last_epoch), q.out.string(),
               done->sha256, done->manifest.string(), done->manifest_sha256);
  }
  return 0;
}

}  // namespace

std::function<int()> add_record_commands(CLI::App& app) {
  auto o = std::make_shared<RecordOptions>();
  auto* rec = app.add_subcommand("record", "Continuous recording: what is kept, and requisition exports");
  rec->require_subcommand(1);
  auto* list = rec->add_subcommand("list", "Each recorded camera's segments, hours and bytes");
  list->add_option("--config", o->config_path, "The site's config file")->required()->check(CLI::ExistingFile);
  list->add_option("--camera", o->camera, "One camera only");
  list->add_option("--from", o->from, "From (YYYY-MM-DD[THH:MM:SS] local time, or Unix seconds)");
  list->add_option("--to", o->to, "To (same forms)");
  list->add_flag("--json", o->json, "Print JSON");
  auto* exp = rec->add_subcommand(
      "export", "A time range of one camera's recording, masked, as MP4 with a manifest of SHA-256 hashes (audited)");
  exp->add_option("--config", o->config_path, "The site's config file")->required()->check(CLI::ExistingFile);
  exp->add_option("--camera", o->camera, "The camera");
  exp->add_option("--from", o->from, "From (YYYY-MM-DD[THH:MM:SS] local time, or Unix seconds)");
  exp->add_option("--to", o->to, "To (same forms)");
  exp->add_option("--case", o->case_reference, "The requisition's case reference (written to the manifest and audit log)");
  exp->add_option("--requester", o->requester, "Who asked for it (an officer, a court)");
  exp->add_option("--unmasked", o->unmasked,
                  "Without privacy masks: the id of a request a supervisor made and an auditor approved in the "
                  "console (one export per approval; its camera, range, case and requester are used)");
  exp->add_option("--out", o->out, "The MP4 to write (never replaced); the manifest goes beside it")->required();
  exp->add_flag("--json", o->json, "Print the result as JSON");
  return [o, list, exp]() -> int {
    if (*list) return record_list(*o);
    if (*exp) return record_export(*o);
    return -1;
  };
}

}  // namespace vigie::cli
