// The subcommands of `vigie`. Each returns the process exit code: 0 success, 1 the work
// failed, 2 bad input (missing file, malformed config, unreadable stream).
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace vigie::cli {

struct AnalyzeOptions {
  std::string input;
  std::string config_path;
  std::string camera;
  std::string detector;  // overrides detect.type when set
  std::string model;     // overrides detect.model when set
  std::string detections_in;   // replay: sets detect.type=replay
  std::string detections_out;  // save every detection
  std::string store_path;      // overrides store.path
  std::string tracks_path;
  std::string video_path;
  bool json = false;
  bool quiet = false;
};
int analyze(const AnalyzeOptions& options);

struct EvalMotOptions {
  std::string gt_path, tracks_path;
  double iou = 0.5;
  bool json = false;
};
int eval_mot(const EvalMotOptions& options);

struct EvalRulesOptions {
  std::string config_path, camera, gt_path, tracks_path;
  std::string label = "person";
  double fps = 0;  // 0: the camera input's frame rate
  bool json = false;
  bool show_alerts = false;  // list both sides' alerts, to see what was missed
};
int eval_rules(const EvalRulesOptions& options);

struct AlertsListOptions {
  std::string store_path = "vigie.db";
  std::string audit_key_path;  // "" : <store>.audit-key
  std::string camera, rule, since;
  int limit = 1000;
  bool json = false;
};
int alerts_list(const AlertsListOptions& options);

struct EvalAudioOptions {
  std::string labels_path, config_path, camera;
  bool json = false;
  bool list = false;  // also list every miss and every alert that is not a match
};
int eval_audio(const EvalAudioOptions& options);

struct SearchOptions {
  std::string store_path = "vigie.db";
  std::string audit_key_path;  // "" : <store>.audit-key
  std::vector<std::string> cameras;
  std::string from, to, label, upper, lower, colour;
  std::string zone, crossed, similar;  // crossed: LINE or LINE:a_to_b|b_to_a; similar: CAMERA/RUN/ID or ID
  std::string reason;  // a case reference: mandatory, written to the audit log
  double min_dwell_s = 0;
  int limit = 100;
  bool json = false;
};
int search(const SearchOptions& options);

struct StatsOptions {
  std::string store_path = "vigie.db";
  std::string audit_key_path;
  std::string since, until;
  std::string by = "hour";  // hour | day
  std::vector<std::string> cameras;
  bool csv = false, json = false;
  std::string out;  // heatmap: the PNG
};
int stats_counts(const StatsOptions& options);
int stats_heatmap(const StatsOptions& options);

struct EvalColoursOptions {
  std::string labels_path;
  std::vector<std::string> videos;  // NAME=FILE, the videos the labels name
  bool json = false;
  bool list = false;           // also list every wrong name
  bool no_background = false;  // name every pixel of a region, not only the foreground
};
int eval_colours(const EvalColoursOptions& options);

struct AuditOptions {
  std::string store_path = "vigie.db";
  std::string audit_key_path;  // "" : <store>.audit-key
  bool json = false;
};
// Exit 0 only when the chain is intact and was authenticated with the key.
int audit_verify(const AuditOptions& options);
int audit_head(const AuditOptions& options);

// Who runs this command, for the audit log: $USER, else the uid.
std::string local_user();
// Epoch seconds as local "YYYY-MM-DD HH:MM:SS".
std::string local_time(double epoch);
// "2026-11-28", "2026-11-28T14:05:00" (local time) or Unix seconds; "" is 0. A bad value is
// a UsageError naming `option`.
double parse_epoch_option(const std::string& value, const std::string& option);

struct UserOptions {
  std::string store_path = "vigie.db";
  std::string audit_key_path;  // "" : <store>.audit-key
  std::string name, role;
};
int user_add(const UserOptions& options);
int user_list(const UserOptions& options);

struct FitHomographyOptions {
  std::string gt_path;
  bool json = false;
};
int fit_homography(const FitHomographyOptions& options);

// `vigie city …`: registers its subcommands on `app`. The returned function runs the one
// chosen after parsing, or returns -1 when `city` was not chosen.
std::function<int()> add_city_commands(CLI::App& app);
// `vigie risk eval`: the same contract.
std::function<int()> add_risk_commands(CLI::App& app);
// `vigie transparency`: the same contract.
std::function<int()> add_transparency_command(CLI::App& app);
// `vigie drone check`: the same contract.
std::function<int()> add_drone_commands(CLI::App& app);
// `vigie record list|export`: the same contract.
std::function<int()> add_record_commands(CLI::App& app);
// `vigie plates read|eval`: the same contract.
std::function<int()> add_plates_commands(CLI::App& app);
// `vigie scancar ingest`: the same contract.
std::function<int()> add_scancar_commands(CLI::App& app);

// Thrown for bad input; main prints "vigie: error: <message>" and exits 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace vigie::cli
