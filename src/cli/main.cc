// vigie: the command-line entry point. Every error ends as one line on stderr and a
// non-zero exit code; nothing escapes as a crash.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <filesystem>

#include "cli/commands.h"
#include "config/config.h"
#include "core/frame_memory.h"
#include "events/store.h"
#include "server/server.h"

int main(int argc, char** argv) {
  vigie::keep_freed_frames_in_process();  // before any thread: see core/frame_memory.h
  using namespace vigie::cli;
  CLI::App app{"vigie — open, auditable city video-protection analytics"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "vigie 0.1.0");

  AnalyzeOptions an;
  auto* analyze_cmd = app.add_subcommand("analyze", "Detect and track objects in a video, image folder or stream");
  analyze_cmd->add_option("input", an.input, "Video file, MOTChallenge image folder, or rtsp:// / http:// URL");
  analyze_cmd->add_option("--config", an.config_path, "Site configuration (YAML)");
  analyze_cmd->add_option("--camera", an.camera, "Camera of the config whose input, masks, analyze_fps and detector settings to use");
  analyze_cmd->add_option("--detector", an.detector, "Detector (overrides detect.type)")
      ->check(CLI::IsMember({"people", "motion", "onnx", "replay"}));
  analyze_cmd->add_option("--model", an.model, "ONNX model file (overrides detect.model)");
  analyze_cmd->add_option("--detections", an.detections_in,
                          "Replay these detections (MOTChallenge det.txt) instead of running a detector");
  analyze_cmd->add_option("--save-detections", an.detections_out,
                          "Write every detection here (MOTChallenge det.txt, class in column 8)");
  analyze_cmd->add_option("--store", an.store_path, "Event store for the alerts (overrides store.path)");
  analyze_cmd->add_option("--tracks", an.tracks_path, "Write tracks here (MOTChallenge text, frames from 1)");
  analyze_cmd->add_option("--video", an.video_path, "Write an annotated video here (.mp4 or .avi)");
  analyze_cmd->add_flag("--json", an.json, "Print the summary as JSON on stdout");
  analyze_cmd->add_flag("--quiet", an.quiet, "No progress bar");

  EvalMotOptions ev;
  auto* eval_cmd = app.add_subcommand("eval-mot", "Score tracks against MOTChallenge ground truth (CLEAR-MOT, IDF1)");
  eval_cmd->add_option("--gt", ev.gt_path, "Ground truth (MOTChallenge gt.txt)")->required();
  eval_cmd->add_option("--tracks", ev.tracks_path, "Tracks to score (MOTChallenge text)")->required();
  eval_cmd->add_option("--iou", ev.iou, "Minimum IoU of a match")->check(CLI::Range(0.01, 1.0));
  eval_cmd->add_flag("--json", ev.json, "Print the metrics as JSON on stdout");

  EvalRulesOptions er;
  auto* rules_cmd = app.add_subcommand("eval-rules", "Score the rules: alerts on the pipeline's tracks vs on ground truth");
  rules_cmd->add_option("--config", er.config_path, "Site configuration with the rules")->required();
  rules_cmd->add_option("--camera", er.camera, "Camera whose rules to run (if the config has several)");
  rules_cmd->add_option("--gt", er.gt_path, "Ground-truth tracks (MOTChallenge)")->required();
  rules_cmd->add_option("--tracks", er.tracks_path, "The pipeline's tracks (MOTChallenge)")->required();
  rules_cmd->add_option("--fps", er.fps, "Frame rate (default: the camera input's)")->check(CLI::PositiveNumber);
  rules_cmd->add_option("--label", er.label, "Class given to every track row");
  rules_cmd->add_flag("--json", er.json, "Print the scores as JSON on stdout");
  rules_cmd->add_flag("--show-alerts", er.show_alerts, "Also list the alerts of both sides");

  FitHomographyOptions fh;
  auto* fit_cmd = app.add_subcommand("fit-homography",
                                     "Fit the image-to-ground homography from MOT15 3-D ground truth (columns 8-9)");
  fit_cmd->add_option("--gt", fh.gt_path, "Ground truth with world coordinates")->required();
  fit_cmd->add_flag("--json", fh.json, "Print as JSON");

  EvalAudioOptions ea;
  auto* audio_cmd = app.add_subcommand("eval-audio", "Score the audio detectors on a labelled set");
  audio_cmd->add_option("--labels", ea.labels_path, "CSV file,start,end,label (paths relative to it)")->required();
  audio_cmd->add_option("--config", ea.config_path, "Config whose camera has the audio rules (default: one of each)");
  audio_cmd->add_option("--camera", ea.camera, "Camera of the config");
  audio_cmd->add_flag("--json", ea.json, "Print the scores as JSON on stdout");
  audio_cmd->add_flag("--list", ea.list, "Also list every missed label and every alert that is not a match");

  EvalColoursOptions ec;
  auto* colours_cmd = app.add_subcommand("eval-colours", "Score the clothing colour names on labelled person crops");
  colours_cmd->add_option("--labels", ec.labels_path, "CSV video,frame,x,y,w,h,upper,lower")->required();
  colours_cmd->add_option("--video", ec.videos, "NAME=FILE: the video a label's NAME refers to (repeat)")->required();
  colours_cmd->add_flag("--json", ec.json, "Print the scores as JSON on stdout");
  colours_cmd->add_flag("--list", ec.list, "Also list every wrong name (with --json: every crop's names)");
  colours_cmd->add_flag("--no-background", ec.no_background, "Name every pixel of a region, not only the foreground");

  SearchOptions so;
  auto* search_cmd = app.add_subcommand("search", "Find tracks by class, colours, camera, time, zone, line, dwell or likeness (audited)");
  search_cmd->add_option("--store", so.store_path, "Event store: an SQLite file, or a postgresql:// URL");
  search_cmd->add_option("--camera", so.cameras, "Only these cameras (repeat)");
  search_cmd->add_option("--from", so.from, "Seen at or after YYYY-MM-DD[THH:MM:SS] or Unix seconds");
  search_cmd->add_option("--to", so.to, "Seen at or before YYYY-MM-DD[THH:MM:SS] or Unix seconds");
  search_cmd->add_option("--class", so.label, "Only this class (person, car, bus, truck, motorcycle, bicycle…)");
  search_cmd->add_option("--upper", so.upper, "A colour of the upper body (black, white, grey, red, orange, yellow, "
                                              "green, blue, purple, pink, brown)");
  search_cmd->add_option("--lower", so.lower, "A colour of the lower body");
  search_cmd->add_option("--colour,--color", so.colour, "A colour anywhere (clothes or a vehicle's body)");
  search_cmd->add_option("--zone", so.zone, "Entered this zone (of the camera's config)");
  search_cmd->add_option("--crossed", so.crossed, "Crossed this line: LINE, or LINE:a_to_b / LINE:b_to_a for one way");
  search_cmd->add_option("--similar", so.similar,
                         "Rank by how alike they are dressed to this track: CAMERA/RUN/ID, or ID when one run has it");
  search_cmd->add_option("--min-dwell", so.min_dwell_s, "In view at least this many seconds")->check(CLI::NonNegativeNumber);
  search_cmd->add_option("--limit", so.limit, "At most this many, newest (or with --similar, most alike) first")->check(CLI::Range(1, 100000));
  search_cmd->add_option("--reason", so.reason, "The case reference (required; written to the audit log)");
  search_cmd->add_option("--audit-key", so.audit_key_path, "The audit log's HMAC key file (default: <store>.audit-key)");
  search_cmd->add_flag("--json", so.json, "Print an array of tracks as JSON");

  StatsOptions st;
  auto* stats_cmd = app.add_subcommand("stats", "What the cameras saw: counts per hour or day, heat maps (audited)");
  stats_cmd->require_subcommand(1);
  auto* counts_cmd = stats_cmd->add_subcommand("counts", "Tracks by class and alerts by rule (line crossings by "
                                                        "direction) per camera and hour or day");
  auto* heat_cmd = stats_cmd->add_subcommand("heatmap", "Where one camera's tracks went: a PNG overlay of its frame");
  for (auto* c : {counts_cmd, heat_cmd}) {
    c->add_option("--store", st.store_path, "Event store: an SQLite file, or a postgresql:// URL");
    c->add_option("--since", st.since, "From YYYY-MM-DD[THH:MM:SS] or Unix seconds");
    c->add_option("--until", st.until, "Until YYYY-MM-DD[THH:MM:SS] or Unix seconds");
    c->add_option("--camera", st.cameras, "Only these cameras (repeat); heatmap: the one camera");
    c->add_option("--audit-key", st.audit_key_path, "The audit log's HMAC key file (default: <store>.audit-key)");
  }
  counts_cmd->add_option("--by", st.by, "hour or day (UTC)");
  counts_cmd->add_flag("--csv", st.csv, "Print CSV: bucket_epoch,camera,kind,what,direction,count");
  counts_cmd->add_flag("--json", st.json, "Print as JSON");
  heat_cmd->add_option("--out", st.out, "The PNG to write (BGRA, the camera's frame size)")->required();

  AlertsListOptions al;
  auto* alerts_cmd = app.add_subcommand("alerts", "Alerts in the event store");
  alerts_cmd->require_subcommand(1);
  auto* list_cmd = alerts_cmd->add_subcommand("list", "List alerts, newest first");
  list_cmd->add_option("--store", al.store_path, "Event store: an SQLite file, or a postgresql:// URL");
  list_cmd->add_option("--camera", al.camera, "Only this camera");
  list_cmd->add_option("--rule", al.rule, "Only this rule");
  list_cmd->add_option("--since", al.since, "Only alerts that started after YYYY-MM-DD[THH:MM:SS] or Unix seconds");
  list_cmd->add_option("--limit", al.limit, "At most this many")->check(CLI::PositiveNumber);
  list_cmd->add_flag("--json", al.json, "Print as JSON");
  const char* key_help = "The audit log's HMAC key file (default: <store>.audit-key)";
  list_cmd->add_option("--audit-key", al.audit_key_path, key_help);

  AuditOptions au;
  auto* audit_cmd = app.add_subcommand("audit", "The tamper-evident audit log");
  audit_cmd->require_subcommand(1);
  auto* verify_cmd = audit_cmd->add_subcommand(
      "verify", "Check the chain, its MACs and its head; exit 1 if tampered with or if it cannot be authenticated");
  verify_cmd->add_option("--store", au.store_path, "Event store: an SQLite file, or a postgresql:// URL");
  verify_cmd->add_option("--audit-key", au.audit_key_path, key_help);
  verify_cmd->add_flag("--json", au.json, "Print as JSON");
  auto* head_cmd = audit_cmd->add_subcommand("head", "Print the signed head (id, hash, MAC), to keep elsewhere");
  head_cmd->add_option("--store", au.store_path, "Event store: an SQLite file, or a postgresql:// URL");
  head_cmd->add_option("--audit-key", au.audit_key_path, key_help);
  head_cmd->add_flag("--json", au.json, "Print as JSON");

  UserOptions us;
  auto* user_cmd = app.add_subcommand("user", "Local accounts of the supervision centre");
  user_cmd->require_subcommand(1);
  auto* user_add_cmd = user_cmd->add_subcommand("add", "Create an account (password typed twice, or from stdin)");
  user_add_cmd->add_option("name", us.name, "Account name")->required();
  user_add_cmd->add_option("--role", us.role, fmt::format("{} (docs/server.md)", fmt::join(vigie::events::kRoles, ", ")))
      ->required()
      ->check(CLI::IsMember(std::vector<std::string>(vigie::events::kRoles.begin(), vigie::events::kRoles.end())));
  user_add_cmd->add_option("--store", us.store_path, "Event store: an SQLite file, or a postgresql:// URL");
  user_add_cmd->add_option("--audit-key", us.audit_key_path, key_help);
  auto* user_list_cmd = user_cmd->add_subcommand("list", "List the accounts and their roles");
  user_list_cmd->add_option("--store", us.store_path, "Event store: an SQLite file, or a postgresql:// URL");

  std::string serve_config, serve_listen;
  auto* serve_cmd = app.add_subcommand("serve", "The supervision centre: every camera, the API and the console");
  serve_cmd->add_option("--config", serve_config, "Site configuration (cameras, rules, server)")->required();
  serve_cmd->add_option("--listen", serve_listen, "host:port (overrides server.listen; default 127.0.0.1:8080)");
  std::string serve_role, serve_node;
  serve_cmd->add_option("--role", serve_role, "all (one machine), worker or api (overrides cluster.role)")
      ->check(CLI::IsMember({"all", "worker", "api"}));
  serve_cmd->add_option("--node", serve_node, "this node's name among the site's (overrides cluster.node)");

  const auto run_city = add_city_commands(app);
  const auto run_risk = add_risk_commands(app);
  const auto run_transparency = add_transparency_command(app);
  const auto run_drone = add_drone_commands(app);
  const auto run_record = add_record_commands(app);
  const auto run_plates = add_plates_commands(app);
  const auto run_scancar = add_scancar_commands(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  try {
    if (*analyze_cmd) return analyze(an);
    if (*eval_cmd) return eval_mot(ev);
    if (*rules_cmd) return eval_rules(er);
    if (*fit_cmd) return fit_homography(fh);
    if (*audio_cmd) return eval_audio(ea);
    if (*colours_cmd) return eval_colours(ec);
    if (*search_cmd) return search(so);
    if (*counts_cmd) return stats_counts(st);
    if (*heat_cmd) return stats_heatmap(st);
    if (*user_add_cmd) return user_add(us);
    if (*user_list_cmd) return user_list(us);
    if (const int rc = run_city(); rc >= 0) return rc;
    if (const int rc = run_risk(); rc >= 0) return rc;
    if (const int rc = run_transparency(); rc >= 0) return rc;
    if (const int rc = run_drone(); rc >= 0) return rc;
    if (const int rc = run_record(); rc >= 0) return rc;
    if (const int rc = run_plates(); rc >= 0) return rc;
    if (const int rc = run_scancar(); rc >= 0) return rc;
    if (*serve_cmd) {
      vigie::Config config = vigie::load_config(serve_config);
      if (!serve_listen.empty()) config.server.listen = serve_listen;
      if (!serve_role.empty()) config.cluster.role = serve_role;
      if (!serve_node.empty()) config.cluster.node = serve_node;
      vigie::validate(config);  // after the overrides: --role worker needs a PostgreSQL store
      return vigie::server::serve(config);
    }
    if (*verify_cmd || *head_cmd) {
      if (!vigie::events::is_database_url(au.store_path) && !std::filesystem::exists(au.store_path))
        throw UsageError(fmt::format("no event store at '{}' (give --store)", au.store_path));
      return *verify_cmd ? audit_verify(au) : audit_head(au);
    }
    if (*list_cmd) {
      if (!vigie::events::is_database_url(al.store_path) && !std::filesystem::exists(al.store_path))
        throw UsageError(fmt::format("no event store at '{}' (run vigie analyze with rules first, or give --store)",
                                     al.store_path));
      return alerts_list(al);
    }
  } catch (const UsageError& e) {
    fmt::print(stderr, "vigie: error: {}\n", e.what());
    return 2;
  } catch (const vigie::ConfigError& e) {
    fmt::print(stderr, "vigie: error: {}\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    fmt::print(stderr, "vigie: error: {}\n", e.what());
    return 1;
  }
  return 2;
}
