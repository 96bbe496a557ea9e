// Forensic search as people ask for it, said once for `vigie search` and the API: the
// filter checked, what the audit log keeps of each search, and a found track as JSON.
#pragma once

#include <nlohmann/json.hpp>
#include <opencv2/core/mat.hpp>
#include <string>

#include "core/result.h"
#include "events/store.h"

namespace vigie::events {

// The filter with its colour names normalised ("Gray" → "grey"); an error names the field
// when a colour is not one of the 11 names or the range ends before it starts.
Result<TrackFilter> checked_filter(TrackFilter filter);

// Colour names with their shares as [[name, share], …], and a path as [[x, y], …]: how
// the store and the outbox write them.
nlohmann::json names_to_json(const std::vector<NamedShare>& names);
nlohmann::json path_to_json(const std::vector<std::pair<float, float>>& path);

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

// The audit entry's detail: the reason, every filter and how many tracks were found.
std::string search_audit_detail(const TrackFilter& filter, const std::string& reason, size_t results);

// A found track: track_id (as in the tracks file of its run), run_id, camera, class,
// upper, lower and colour (names, most likely first) with their shares, first and last
// (epoch seconds), dwell_s, speed with speed_unit, heading_deg, has_thumbnail, and path
// (the foot points, [x, y] frame pixels).
nlohmann::json track_to_json(const TrackRow& track);

}  // namespace vigie::events
