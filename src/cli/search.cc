// `vigie search`: tracks by what they looked like, where and when; every search audited.
#include <fmt/format.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "events/store.h"
#include "events/track_search.h"
#include "rules/passages.h"

namespace vigie::cli {
namespace {

std::string joined(const std::vector<events::NamedShare>& v) {
  std::string out;
  for (const auto& n : v) out += (out.empty() ? "" : "+") + n.name;
  return out.empty() ? "-" : out;
}

// Zones entered and lines crossed: "yard door>b".
std::string went(const events::TrackRow& t) {
  std::string out;
  for (const auto& z : t.zones) out += (out.empty() ? "" : " ") + z.name;
  for (const auto& l : t.crossed)
    out += (out.empty() ? "" : " ") + l.name + (l.direction == rules::crossing_direction(true) ? ">b" : ">a");
  return out.empty() ? "-" : out;
}

}  // namespace

int search(const SearchOptions& o) {
  events::TrackFilter asked;
  asked.cameras = o.cameras, asked.label = o.label, asked.min_dwell_s = o.min_dwell_s, asked.limit = o.limit;
  asked.upper = o.upper, asked.lower = o.lower, asked.colour = o.colour;
  asked.zone = o.zone, asked.line = o.crossed, asked.similar = o.similar;
  asked.from_epoch = parse_epoch_option(o.from, "--from"), asked.to_epoch = parse_epoch_option(o.to, "--to");
  const auto f = events::checked_filter(asked);
  if (!f) throw UsageError(f.error().message);
  if (!events::is_reason(o.reason))
    throw UsageError("--reason is required: the case reference this search is for (it goes to the audit log)");
  auto store = events::Store::open(o.store_path, o.audit_key_path);
  if (!store) throw UsageError(store.error().message);
  auto found = events::find_tracks(**store, *f);
  if (!found) throw std::runtime_error(found.error().message);
  const auto* rows = &found->tracks;
  // On the record, with what was asked and how much was found, before anything is shown
  // (a refusal too: it says what is stored).
  const double now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  if (auto r = (*store)->audit(local_user(), "tracks.search", events::search_audit_detail(*f, o.reason, *found), now); !r)
    throw std::runtime_error(r.error().message);
  if (!found->refused.empty()) throw UsageError(found->refused);
  if (found->capped)
    fmt::print(stderr, "vigie: only the {} newest tracks matching the filters were ranked: narrow the time or cameras\n",
               events::kSimilarCandidates);
  if (o.json) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& [t, distance] : *rows) {
      list.push_back(events::track_to_json(t, distance));
      list.back()["thumbnail_file"] = t.thumbnail_path;
    }
    fmt::print("{}\n", list.dump(2));
    return 0;
  }
  const bool ranked = !f->similar.empty();
  fmt::print("{:<19}  {:>7}  {:<14} {:>6}  {:<8} {:<16} {:<16} {:<12} {}{}\n", "first seen", "secs", "camera", "track",
             "class", "upper", "lower", "colour", "went", ranked ? "  distance" : "");
  for (const auto& [t, distance] : *rows)
    fmt::print("{:<19}  {:>7.1f}  {:<14} {:>6}  {:<8} {:<16} {:<16} {:<12} {}{}\n", local_time(t.first_epoch),
               t.last_epoch - t.first_epoch, t.camera, t.track_id, t.label, joined(t.upper), joined(t.lower),
               joined(t.colour), went(t), distance ? fmt::format("  {:.3f}", *distance) : "");
  for (auto [zone, name] : {std::pair{true, &f->zone}, {false, &f->line}}) {
    if (name->empty() || !rows->empty()) continue;
    if (const auto named = (*store)->passage_named(zone, *name); named && !*named)
      fmt::print(stderr, "vigie: no stored track {} a {} named '{}'\n", zone ? "entered" : "crossed", zone ? "zone" : "line",
                 *name);
  }
  fmt::print("{} tracks{}\n", rows->size(), static_cast<int>(rows->size()) == f->limit ? " (the limit: there may be more)" : "");
  return 0;
}

}  // namespace vigie::cli
