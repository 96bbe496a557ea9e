// A requisition's export: a camera's recording between two times, with its privacy masks
// applied, as an MP4 a court's player opens, and a manifest that names the case, who asked,
// the segments it came from and the SHA-256 of what was handed over.
//
// The recording is a stream copy and holds the masked pixels: an export decodes it,
// fills the masks, and encodes again (H.264, what browsers and players read). Never the
// original bytes. Without the masks only through export_unmasked(): two people.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/key_file.h"
#include "core/result.h"
#include "events/store.h"

namespace vigie::record {

struct ExportRequest {
  std::string camera;
  double from_epoch = 0, to_epoch = 0;
  std::string case_reference;  // the requisition's reference: mandatory
  std::string requester;       // who asked for it (an officer, a court): mandatory
  std::string exported_by;     // who ran the export
  std::filesystem::path out;   // the MP4; its manifest is <out>.manifest.json
  // Set only by export_unmasked(): the approved request that lets the masks go.
  std::optional<events::UnmaskedRequest> unmasked;
};

struct ExportResult {
  int64_t frames = 0;
  double first_epoch = 0, last_epoch = 0;  // of the first and last frame exported
  int64_t bytes = 0;
  std::string sha256;                      // of the MP4
  std::filesystem::path manifest;
  std::string manifest_sha256;
  std::vector<events::SegmentRow> sources;
  // export_unmasked(): the request it used, as taken (what the audit entry must name).
  std::optional<events::UnmaskedRequest> unmasked;
};

// Exports what `segments` (the camera's, from the index) hold between the request's times.
// Fails, naming the cause, and leaves no file: a request without a case reference or a
// requester, an empty range, no segment in it, a segment whose file is not the one indexed
// (its SHA-256 differs: replaced or altered), one the key does not open, an output that
// cannot be written. `progress(done, total)` after each segment.
Result<ExportResult> export_masked(const std::filesystem::path& root, const SecretKey& key,
                                   const std::vector<Polygon>& masks, const std::vector<events::SegmentRow>& segments,
                                   const ExportRequest& request,
                                   const std::function<void(size_t, size_t)>& progress = {});

// The original pixels, which need two people: `request_id` names an UnmaskedRequest that
// a supervisor made and an auditor approved (events::Store). Takes the request for its one
// export, exports its camera and whole range without masks (the manifest and audit name
// the request, its reason and both people), and gives the request back if the export
// fails (an error or an exception: no half-made file is left either). Fails, naming why, and
// writes nothing, for a request that is not approved (pending, refused, used already) or
// does not exist. `segments`: the camera's, from the index. A process killed during the
// export leaves its request used: decision 80 says how to give it back.
Result<ExportResult> export_unmasked(const std::filesystem::path& root, const SecretKey& key, events::Store& store,
                                     const std::string& request_id, const std::vector<events::SegmentRow>& segments,
                                     const std::string& exported_by, const std::filesystem::path& out,
                                     double now_epoch, const std::function<void(size_t, size_t)>& progress = {});

// The audit log's action for an export, and its detail (case, requester, camera, times,
// frames, the file's and manifest's SHA-256).
inline constexpr const char* kExportAudit = events::kRecordingExportAudit;
std::string export_audit_detail(const ExportRequest& request, const ExportResult& result);

}  // namespace vigie::record
