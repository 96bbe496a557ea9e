// `vigie stats counts|heatmap`: what the cameras saw, per hour or day, and where people
// went; each use audited, as the API's.
#include <fmt/format.h>

#include <chrono>
#include <ctime>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "cli/commands.h"
#include "events/store.h"
#include "events/track_search.h"

namespace vigie::cli {
namespace {

std::unique_ptr<events::Store> open_audited(const std::string& store_path, const std::string& key,
                                            const std::string& action, const nlohmann::json& what) {
  auto store = events::Store::open(store_path, key);
  if (!store) throw UsageError(store.error().message);
  const double now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  if (auto r = (*store)->audit(local_user(), action, what.dump(), now); !r) throw std::runtime_error(r.error().message);
  return std::move(*store);
}

}  // namespace

int stats_counts(const StatsOptions& o) {
  events::ActivityFilter f;
  f.since_epoch = parse_epoch_option(o.since, "--since"), f.until_epoch = parse_epoch_option(o.until, "--until");
  if (o.by != "hour" && o.by != "day") throw UsageError(fmt::format("--by '{}': hour or day", o.by));
  f.bucket_s = o.by == "day" ? 86400 : 3600;
  f.cameras = o.cameras;
  auto store = open_audited(o.store_path, o.audit_key_path, "stats.counts",
                            {{"since", f.since_epoch}, {"until", f.until_epoch}, {"by", o.by}, {"cameras", f.cameras}});
  const auto rows = store->activity(f);
  if (!rows) throw std::runtime_error(rows.error().message);
  if (o.csv) {
    fmt::print("{}", events::activity_csv(*rows));
    return 0;
  }
  if (o.json) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& r : *rows)
      list.push_back({{"bucket_epoch", r.bucket_epoch}, {"camera", r.camera}, {"kind", r.kind}, {"what", r.what},
                      {"direction", r.direction}, {"count", r.count}});
    fmt::print("{}\n", list.dump(2));
    return 0;
  }
  fmt::print("{:<19}  {:<14} {:<7} {:<32} {:<7} {:>6}\n", o.by == "day" ? "day (UTC days)" : "hour", "camera",
             "kind", "class or rule", "dir", "count");
  for (const auto& r : *rows) {
    // Days are UTC days: shown as their date, not as a local time of their start.
    const std::time_t t = static_cast<std::time_t>(r.bucket_epoch);
    std::tm utc{};
    gmtime_r(&t, &utc);
    char day[16];
    std::strftime(day, sizeof day, "%Y-%m-%d", &utc);
    fmt::print("{:<19}  {:<14} {:<7} {:<32} {:<7} {:>6}\n",
               o.by == "day" ? std::string(day) : local_time(static_cast<double>(r.bucket_epoch)), r.camera, r.kind,
               r.what, r.direction, r.count);
  }
  return 0;
}

int stats_heatmap(const StatsOptions& o) {
  if (o.cameras.size() != 1) throw UsageError("heatmap: one --camera");
  if (o.out.empty()) throw UsageError("heatmap: --out FILE.png");
  const double since = parse_epoch_option(o.since, "--since"), until = parse_epoch_option(o.until, "--until");
  auto store = open_audited(o.store_path, o.audit_key_path, "stats.heatmap",
                            {{"camera", o.cameras[0]}, {"since", since}, {"until", until}});
  const auto heat = events::camera_heat_map(*store, o.cameras[0], since, until);
  if (!heat) throw std::runtime_error(heat.error().message);
  if (heat->image.empty())
    throw UsageError(fmt::format("camera '{}' has no track with a frame size in that time ({} without)", o.cameras[0],
                                 heat->tracks));
  if (!cv::imwrite(o.out, heat->image)) throw UsageError(fmt::format("cannot write '{}'", o.out));
  fmt::print("{}: {} foot points of {} tracks of camera '{}', {}×{}\n", o.out, heat->points, heat->drawn, o.cameras[0],
             heat->image.cols, heat->image.rows);
  return 0;
}

}  // namespace vigie::cli
