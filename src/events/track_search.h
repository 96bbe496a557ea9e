// Forensic search as people ask for it, said once for `vigie search` and the API: the
// filter checked, what the audit log keeps of each search, and a found track as JSON.
#pragma once

#include <nlohmann/json.hpp>
#include <opencv2/core/mat.hpp>
#include <optional>
#include <string>

#include "core/result.h"
#include "events/store.h"

namespace vigie::events {

// The filter with its colour names normalised ("Gray" → "grey") and `line` "door:a_to_b"
// split into line and direction; an error names the field when a colour is not one of the
// 11 names, a direction is neither a_to_b nor b_to_a, `similar` is not "camera/run/id" or
// "id", or the range ends before it starts.
Result<TrackFilter> checked_filter(TrackFilter filter);

// A track's attributes (colours, speed, heading, appearance, frame, size, zones and lines
// passed) as one JSON object: how the store and the outbox write them. Reading takes what
// it finds and skips what is malformed or absent (rows and outbox lines from before a
// field existed read as tracks without it).
nlohmann::json track_attributes_json(const TrackRow& track);
void read_track_attributes(const nlohmann::json& attributes, TrackRow& track);
// A path as [[x, y], …]; reading skips what is not a point.
nlohmann::json path_to_json(const std::vector<std::pair<float, float>>& path);
std::vector<std::pair<float, float>> path_from_json(const nlohmann::json& path);

// How unalike two tracks are dressed, 0 (the same) to 1: the mean of two cues, each where
// both tracks have it — the hue-saturation appearance (track/appearance.h, the whole box,
// the last views weighing most) and the colour names' shares (foreground pixels of many
// views), half the L1 distance per region, averaged over the regions either has (a region
// only one has counts as 1). Empty when no cue can be compared.
std::optional<float> likeness_distance(const TrackRow& a, const TrackRow& b);

// A found track, with its appearance distance to the track a `similar` search named
// (0 same clothes' colours, 1 unrelated).
struct FoundTrack {
  TrackRow track;
  std::optional<float> distance;
};
struct SearchOutcome {
  std::vector<FoundTrack> tracks;
  std::string refused;    // the input's fault (400, exit 2): a `similar` track not stored or ambiguous
  std::string reference;  // the track `similar` named, as camera/run/id
  bool capped = false;    // `similar`: more tracks matched than were ranked (kSimilarCandidates)
};
// Runs a checked filter. With `similar`, ranks by likeness_distance to that track the
// kSimilarCandidates newest tracks that match the other filters (of its class unless one
// is asked for; `capped` says when there were more), leaving out the track itself and
// tracks with nothing to compare; the candidates are read without their paths, the
// `limit` nearest then whole.
inline constexpr int kSimilarCandidates = 5000;
Result<SearchOutcome> find_tracks(const Store& store, const TrackFilter& filter);

// Where a camera's tracks went in [since, until] (0: open): a heat map (describe/heatmap.h)
// the size of the frame most of them were seen at. Tracks stored without a frame size
// (before schema 6's frame) are counted, not drawn. `image` is empty when no track had one.
struct CameraHeat {
  cv::Mat image;
  int64_t tracks = 0, drawn = 0, points = 0;
};
Result<CameraHeat> camera_heat_map(const Store& store, const std::string& camera, double since_epoch,
                                   double until_epoch);

// A reason (case reference) is required: true when `reason` says something.
bool is_reason(const std::string& reason);

// The audit entry's detail: the reason, every filter, how many tracks were found, the
// track `similar` named, whether its candidates were capped, and why it was refused.
std::string search_audit_detail(const TrackFilter& filter, const std::string& reason, const SearchOutcome& outcome);

// A found track: track_id (as in the tracks file of its run), run_id, camera, class,
// upper, lower and colour (names, most likely first) with their shares, first and last
// (epoch seconds), dwell_s, speed with speed_unit, heading_deg, width and height with
// size_unit, zones ([[zone, epoch], …]) and crossed ([[line, direction, epoch], …]),
// ongoing (still in view when last stored: `last` is when it was last seen so far),
// has_thumbnail, path (the foot points, [x, y] frame pixels), and the `distance` of a
// similar search's result.
nlohmann::json track_to_json(const TrackRow& track, std::optional<float> distance = std::nullopt);

}  // namespace vigie::events
