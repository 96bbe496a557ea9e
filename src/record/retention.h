// How long a camera's recordings are kept and how much disk they may take: segments older
// than the retention period (30 days at most: Code de la sécurité intérieure, L252-5),
// then, while the camera's recordings exceed its quota, its oldest ones. Per camera: on a
// store shared by several machines, each deletes the files of the cameras it records.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/result.h"
#include "events/store.h"

namespace vigie::record {

struct Limits {
  double retention_days = 30;
  int64_t quota_bytes = 0;  // the camera's; 0: no quota
};

struct Enforced {
  int segments_deleted = 0;
  int64_t bytes_deleted = 0;
  int exports_deleted = 0;          // console exports past kExportsKeptDays
  std::vector<std::string> errors;  // files that would not go (kept, with their rows)
};

// Exports made in the console wait this long to be downloaded, then go: they are video,
// and the requisition has its copy.
inline constexpr double kExportsKeptDays = 7;

// Where the console keeps them (and playback its stretches while they are made): a name no
// camera can take (camera names never start with a dot), so recovery never sees it.
inline std::filesystem::path console_exports_folder(const std::filesystem::path& root) { return root / ".exports"; }

// Deletes what the limits put out of a camera's segments on `host` (this machine), oldest
// first: the file, then its index row (a file already gone is no error). A row whose path
// is not `<camera>/<segment file name>` has its row removed and its file left alone (an
// index is no licence to delete elsewhere). `now_epoch` from the caller's clock. Fails on
// a store error, keeping what was done; a file that cannot be deleted is passed over (its
// row kept) and named in `errors`, and the rest go on.
Result<Enforced> enforce_limits(events::Store& store, const std::filesystem::path& root, const std::string& camera,
                                const std::string& host, double now_epoch, const Limits& limits);

// enforce_limits for every camera with segments on `host`, configured still or not; and
// the console's exports older than kExportsKeptDays (by their files' times).
Result<Enforced> enforce_all(events::Store& store, const std::filesystem::path& root, const std::string& host,
                             double now_epoch, const Limits& limits);

}  // namespace vigie::record
