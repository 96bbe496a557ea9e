// The site configuration: one YAML file parsed once into typed structs.
//
// Parsing is strict: an unknown key, a wrong type or a value out of range throws
// ConfigError whose message names the file, the line and the key path, e.g.
//   site.yaml:12: cameras.gate-1.analyze_fps: must be > 0 (got -5)
// Every default lives here, next to its field, and is documented in docs/configuration.md.
#pragma once

#include <filesystem>
#include <map>
#include <stdexcept>
#include <utility>
#include <string>
#include <variant>
#include <vector>

#include <opencv2/core/types.hpp>

namespace vigie {

struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A polygon in frame pixels.
using Polygon = std::vector<cv::Point2f>;

// The cheap low-resolution motion detector that decides where and when to run the
// expensive one (NVR practice).
struct MotionGateConfig {
  bool enabled = true;
  int width = 160;              // work resolution (pixels across), height keeps the aspect
  int threshold = 20;           // grey-level difference from the running background
  double min_area = 0.0005;     // smallest region kept, as a share of the frame area
  double learning_rate = 0.05;  // running-background update per analysed frame
  // Even when nothing moves, the detector looks at least this often (seconds), so that
  // someone standing still from the start is found.
  double max_idle_s = 2.0;
};

// The class-free finder of new still objects, run when a camera has an
// abandoned_object rule (detect/static_foreground.h).
struct StaticForegroundConfig {
  int work_width = 240;        // pixels across
  int threshold = 30;          // grey-level difference that counts as foreground
  double short_memory_s = 1.0; // the short background's time constant
  double long_memory_s = 600;  // the long one's: longer than any timer it serves
  double min_static_s = 3;     // a pixel must stay static this long
  double min_area = 0.001;     // blob size limits, share of the frame
  double max_area = 0.05;
};

struct DetectConfig {
  // people: HOG pedestrians on moving regions, no model file (the default); motion: every
  // moving blob as a class-free `object`; onnx: a COCO network; replay: detections read
  // from a file.
  std::string type = "people";
  // Detect on every Nth analysed frame; the tracker's prediction carries the others.
  int every_n_frames = 1;

  // --- onnx ---
  std::string model;            // path to the .onnx file
  std::string layout = "yolox"; // yolox | yolov5 | yolov8 (output tensor layout)
  int input_size = 416;         // square network input, letterboxed
  // Lowest score handed to the tracker: the tracker uses detections between this and
  // track.high_score only to keep existing tracks alive (ByteTrack's second stage).
  float score_threshold = 0.1f;
  float nms_iou = 0.45f;
  std::vector<std::string> classes = {"person"};  // COCO names kept (Frigate's default)
  // full: the whole frame; motion: one crop around all motion; unexplained: crops around
  // every track and around the motion none of them explains, several cameras' crops to
  // one network input (detector_pool.h).
  std::string regions = "full";
  // unexplained: motion where the detector looked this recently and that no track
  // explains (a shadow, a branch, someone too far to be found) is not looked at again yet.
  double refresh_s = 0.25;
  int threads = 1;               // forward passes side by side (the shared network's workers)

  // --- replay ---
  // Detections per frame in MOTChallenge det.txt layout (frame from 1,-1,x,y,w,h,score,
  // COCO class or -1): replays a detector's output, or public detections, through the
  // tracker without paying for the detector again.
  std::string detections;

  // --- motion (and the moving regions of people) ---
  std::string background = "mog2";  // mog2 | knn
  int work_width = 288;             // background model resolution (pixels across)
  // The background model's memory in seconds of stream time (not frames, so that 10 and
  // 30 fps cameras behave alike). MOG2 takes a still object into the background after
  // roughly a tenth of it: 60 s keeps a person who stops for a few seconds in view.
  double history_s = 60;
  double min_box_area = 0.0008;     // smallest blob kept, as a share of the frame area
};

struct TrackConfig {
  float high_score = 0.5f;       // detections that can start and carry tracks
  float new_track_score = 0.6f;  // a new track needs at least this score
  float match_iou = 0.2f;        // first stage: high detections to all live tracks
  float low_match_iou = 0.5f;    // second stage: low detections to tracks still unmatched
  float tentative_match_iou = 0.3f;  // new tracks to the remaining high detections
  int min_hits = 2;              // consecutive matches before a track is followed
  // A followed track is reported (gets an id, reaches rules and outputs) once the median
  // score of its last 10 detections reaches this: Frigate's `threshold` (default 0.7).
  // One confident frame cannot make a track, nor can a steady weak false positive.
  float confirm_score = 0.7f;
  double max_lost_s = 3.0;       // a lost track is forgotten after this long unseen
  // Share of the first-stage cost given to clothing colour (track/appearance.h) instead
  // of box overlap; 0 uses overlap alone. Overlap still gates every match.
  float appearance_weight = 0.5f;
  // A lost track may take an unexplained detection that no longer overlaps its
  // prediction if it is within walking reach of where it was last seen and its clothing
  // colour is closer than this (0..1, 0 disables).
  float reid_max_distance = 0.2f;
  size_t max_path_points = 2000; // foot points kept per track record
};

// A counting line: a polyline in frame pixels. Walking along it from the first point to
// the last, side A is on the left and side B on the right.
struct LineConfig {
  std::vector<cv::Point2f> points;
};

// Each rule type's own settings (docs/rules.md, docs/audio.md): a rule holds exactly the
// fields its type reads, and the reader refuses, by name, any other. Defaults here are the
// type's; those that depend on the camera (a distance in metres or pixels) are set by the
// reader.
struct LineCrossingRule {
  std::string line;
  std::string direction = "both";  // a_to_b | b_to_a | both
};
// zone_intrusion (min_seconds 0) and loitering (min_seconds 60).
struct ZoneDwellRule {
  std::string zone;
  double min_seconds = 0;         // how long someone must stay before the alert
  double max_gap_seconds = 2;     // absences tolerated inside a stay
  double cooldown_seconds = 10;   // the same track does not re-alert sooner
};
struct CrowdRule {
  std::string zone;
  int min_count = 0;              // required (>= 1)
  int hysteresis = 1;             // ends below min_count - hysteresis
  double min_seconds = 0, max_gap_seconds = 2, cooldown_seconds = 10;
};
struct GroupRule {
  int min_count = 3;
  double radius = 0;              // metres with a homography (default 1.5), else pixels (required)
  double min_seconds = 10, max_gap_seconds = 2;
};
struct AbandonedObjectRule {
  double owner_distance = 0;      // metres with a homography (default 3), else pixels (required)
  double min_seconds = 30, max_gap_seconds = 2, cooldown_seconds = 10;
};
// An audio rule's level gate: relative to the camera's own running background (works
// uncalibrated) or, with `level: absolute`, in dB SPL through the camera's audio_offset_db.
struct AudioLevel {
  bool absolute = false;
  double above_background_db = 20;  // relative: how far above the background
  double above_db = 85;             // absolute: the level to reach, dB SPL
};
// sound_level, scream and clamour: a sound at the gate for min_seconds (their defaults
// differ, rule_types()).
struct SustainedSoundRule {
  AudioLevel level;
  double min_seconds = 1;
};
struct ImpulseRule {
  AudioLevel level{false, 20, 80};
  double rise_db = 18;              // rise within 50 ms
  double cooldown_seconds = 0.5;
};
using RuleSettings = std::variant<LineCrossingRule, ZoneDwellRule, CrowdRule, GroupRule, AbandonedObjectRule,
                                  SustainedSoundRule, ImpulseRule>;

// One analytics rule of a camera.
struct RuleConfig {
  std::string name;  // unique within the camera; defaults to the type, plus the zone/line
  std::string type;  // line_crossing | zone_intrusion | loitering | group | crowd | abandoned_object
                     // | sound_level | impulse | scream | clamour
  // Video rules only (empty and -1 for audio ones): the classes it applies to (per-type
  // default) and its active hours, local time, minutes since midnight; from > to wraps
  // past midnight; both -1: always active.
  std::vector<std::string> objects;
  int hours_from = -1, hours_to = -1;
  RuleSettings settings;  // the alternative of `type`

  template <typename T>
  const T& as() const { return std::get<T>(settings); }
};

// Every rule type by name, with its settings' defaults.
const std::map<std::string, RuleSettings>& rule_types();
// The zone or line a rule watches ("" for the others).
std::string rule_place(const RuleConfig& rule);
// An audio rule's level gate. Precondition: is_audio_rule_type(rule.type).
const AudioLevel& audio_level(const RuleConfig& rule);

// True for the audio rule types (sound_level, impulse, scream, clamour).
bool is_audio_rule_type(const std::string& type);

// Where a camera stands on the map (WGS84), for the console's map.
struct GeoConfig {
  bool set = false;
  double lat = 0, lon = 0;
  double heading_deg = 0;  // compass bearing of the view's centre
  double fov_deg = 90;
  double range_m = 30;
};

// A scancar's plate reading (`vigie scancar ingest --config F --camera NAME`, docs/plates.md).
// Reading plates is a camera's own choice: only a camera with `plates: {read: true}` reads
// them, and such a camera is nothing else (its photos come with each round: no stream,
// rules, recording or detector). A street camera never reads a plate.
// The floor of min_confidence below: the reader's measured safe confidence (decision 83).
inline constexpr double kPlateCandidateFloor = 0.9;
struct PlatesConfig {
  bool read = false;
  std::string models;  // the reader's model folder; empty: plate-models beside vigie
  int max_lines = 3;   // text lines read per photo, the most plate-like first
  // A candidate's least sure character must be at least this likely. It can be raised
  // (fewer candidates, more cars unread), never set below kPlateCandidateFloor.
  double min_confidence = kPlateCandidateFloor;
};

struct CameraConfig {
  std::string name;
  GeoConfig geo;
  std::string input;                   // file, image folder, or rtsp:// / http:// URL
  // A moving camera's (a drone's) track, beginning with its video: .srt (as DJI drones
  // write beside a video), .gpx or .csv (src/drone). Its alerts carry where it was.
  std::string telemetry;
  double analyze_fps = 0;              // 0: analyse every decoded frame
  bool record = false;                 // recorded continuously (`recording:`), sealed
  std::vector<Polygon> privacy_masks;  // filled black before anything else sees the frame
  std::map<std::string, Polygon> zones;
  std::map<std::string, LineConfig> lines;
  std::vector<RuleConfig> rules;
  // Image pixels → ground-plane metres (3×3, row-major). Empty: distances in pixels.
  std::vector<double> homography;
  // dB SPL = dBFS + this. Uncalibrated default: a full-scale sine (-3 dBFS) reads 97 dB SPL.
  double audio_offset_db = 100;
  // How this camera finds and follows objects: the site's `motion_gate`, `detect` and
  // `track` sections, changed by the camera's own sections of the same names (a COCO
  // network on a busy square, the model-free people detector on a quiet street).
  MotionGateConfig motion_gate;
  DetectConfig detect;
  TrackConfig track;
  PlatesConfig plates;

  // False for a scancar's plate-reading camera, which has no stream to analyse.
  bool streams() const { return !plates.read; }
};

// Where alerts and their media go, and how long they are kept.
struct StoreConfig {
  std::string path = "vigie.db";  // SQLite file
  // A PostgreSQL server instead (`postgresql://user@host:port/db`, libpq's URL form), for
  // several machines on one store; needs audit_key. Empty: the SQLite file at `path`.
  std::string url;
  const std::string& location() const { return url.empty() ? path : url; }
  // Writes waiting for a store that is away, one file per camera (relative: as media).
  std::string outbox = "outbox";
  std::string media = "media";    // snapshots and clips (relative: to the SQLite file's folder, or the working directory with a url)
  // Alerts and media older than this are deleted: 30 days is the legal maximum for
  // video-protection recordings in France (Code de la sécurité intérieure, L252-5).
  double retention_days = 30;
  // A scancar's candidate with no notice (pending, dismissed, or cancelled by a contest)
  // loses its photos this long after it was queued or decided (data minimisation); a
  // notice keeps them as its evidence. Paid sessions recorded by parking meters are
  // deleted this long after they ended.
  double parking_photo_hours = 48;
  // Each alert gets a clip of this many seconds before and after its start (0 and 0: none).
  double clip_pre_s = 3, clip_post_s = 3;
  // The audit chain's HMAC key (docs/audit.md); empty: `<path>.audit-key` beside the
  // store. Keep it on another volume than the database for the anchor to mean something.
  std::string audit_key;
};

// Continuous recording (src/record) of the cameras with `record: true`: their stream as
// sent, unchanged, in sealed segments, indexed in the store.
struct RecordingConfig {
  std::string folder = "recordings";  // relative: as store.media
  double segment_seconds = 60;        // a segment begins at the first key frame after this
  // Each camera's recordings are kept this long: 30 days at most in France (Code de la
  // sécurité intérieure, L252-5), so more is refused.
  double retention_days = 30;
  double quota_gb = 0;                // each camera's recordings at most this (oldest go first); 0: none
  // The recordings' master key file (each camera's key is derived from it); empty:
  // `<store.path>.recording-key` beside an SQLite store. Keep it away from the recordings.
  std::string key;
};

// The MQTT broker alerts are published to (optional: empty host, no publishing).
struct MqttConfig {
  std::string host;                  // e.g. 127.0.0.1
  int port = 1883;
  std::string topic_prefix = "vigie";
  std::string client_id;             // default: vigie-<pid>
};

// What a camera sees when OSM does not say: per camera:type (docs/city.md has the sources).
struct CameraTypeDefaults {
  double fov_deg = 90;   // horizontal field of view; 360 = all around
  double range_m = 30;   // how far a person is still detected
  double height_m = 4;   // mount height (kept in the model; the visibility is 2-D)
};

// The city camera-network model (`vigie city …`).
struct CityConfig {
  // A 2.8 mm lens on a 1/2.8" sensor: ~87° wide; at 30 m a 1920-pixel image has ~31 px/m,
  // above EN 62676-4's 25 px/m "detect" density.
  CameraTypeDefaults fixed{90, 30, 4};
  CameraTypeDefaults dome{360, 30, 4};      // turns in all directions (OSM wiki)
  CameraTypeDefaults panning{360, 50, 6};   // pan-tilt-zoom: all around, zoom reaches further
  CameraTypeDefaults unknown{90, 30, 4};    // no camera:type: as a fixed camera
  // Public figures for Marseille (Cour des comptes / Technopolice): 20,000–25,000 € to
  // install a camera, 4,600 € a year to run it.
  double install_eur_low = 20000, install_eur_high = 25000;
  double upkeep_eur_per_year = 4600;
  // Over how many years an installation is written off, for the cost per confirmed alert
  // of the transparency report (an assumption: the public figures give none).
  double camera_life_years = 8;
  double grid_m = 250;            // coverage cells
  double wall_tolerance_m = 1.5;  // a camera this close to a building is mounted on it
};

// `vigie serve`: the supervision centre's server.
struct ServerConfig {
  std::string listen = "127.0.0.1:8080";  // host:port
  std::string web_root;                    // the built console (default: web/dist beside the binary's source)
  double session_hours = 12;               // an operator's shift
  int login_attempts = 5;                  // failed logins allowed per address and per account …
  double login_window_s = 60;              // … within this many seconds, then 429
  double reconnect_max_s = 2;              // longest wait between attempts to reach a lost camera
  // GeoJSON layers of `vigie city coverage --geojson-dir` (streets seen and unseen,
  // viewsheds) drawn under the cameras on the console's map; empty: a plain background.
  std::string city_layers;
  // The risk map of `vigie risk map --geojson` (flagged cells, the model's measured PAI)
  // shown to supervisors on the console's map; empty: no risk layer.
  std::string risk_layer;
  // The map's background: an MBTiles file of vector tiles made offline from the city's
  // OSM extract (`make basemap`, tilemaker with web/basemap/); empty: no background.
  std::string basemap;
  // HTTPS: PEM certificate (chain) and private key; both or neither. With TLS, cookies
  // are Secure and HSTS is sent.
  std::string tls_cert, tls_key;
  // What one client may take: connections in all and from one address, seconds to send
  // a whole request, request body size, live streams (SSE, MJPEG) in all and per account.
  int max_connections = 512;
  int max_connections_per_address = 32;
  double request_timeout_s = 10;
  int max_body_kb = 64;
  int max_streams = 128;
  int max_streams_per_user = 8;
  // Reverse proxies (their addresses) whose X-Forwarded-For names the client, for the
  // login limits and the audit log. Behind a proxy, its own per-client limits apply to
  // connections: raise max_connections_per_address for it.
  std::vector<std::string> trusted_proxies;
};

// Several machines on one PostgreSQL store (docs/scale.md). A worker analyses the cameras
// whose leases it holds; an API node serves the console and the API, hears alerts through
// the database and fetches live views from the worker holding the camera; `all` is both
// on one machine (the only role an SQLite store allows).
struct ClusterConfig {
  std::string role = "all";   // all, worker, api
  std::string node;           // this node's name in the lease table (default: host-pid)
  // The URL the API nodes reach this worker's live views at (default: http://<listen
  // address, or the host name for 0.0.0.0>:<port>).
  std::string advertise;
  // A camera whose holder's session is gone is taken over at the next round (1 s); a
  // holder whose heartbeat stopped while its session stayed (a frozen machine) loses it
  // after lease_s.
  double lease_s = 10;
  // After connecting (or reconnecting) a node waits this long before claiming cameras, so
  // that holders take theirs back first after a database outage.
  double claim_grace_s = 5;
};

// `host:port` of server.listen split, the port checked (0..65535; 0: any free port).
// Throws ConfigError naming the value.
std::pair<std::string, int> split_listen(const std::string& listen);

struct Config {
  ServerConfig server;
  ClusterConfig cluster;
  StoreConfig store;
  RecordingConfig recording;
  MqttConfig mqtt;
  MotionGateConfig motion_gate;
  StaticForegroundConfig static_foreground;
  DetectConfig detect;
  TrackConfig track;
  std::map<std::string, CameraConfig> cameras;
  CityConfig city;
};

// Where a folder of the store's (`store.media`, `store.outbox`, `recording.folder`) is:
// taken from the SQLite store's folder when relative (the working directory with a
// server), made absolute so that the paths stored mean the same file from any working
// directory.
std::filesystem::path beside_store(const StoreConfig& store, const std::string& folder);
// The recordings' master key file (recording.key, or beside the SQLite store).
std::string recording_key_path(const Config& config);

// How many of the config's cameras have a stream to analyse (scancars' cameras do not).
size_t streaming_cameras(const Config& config);

// A camera made outside the file (`vigie analyze --input`), with the site's detector,
// gate and tracker settings.
CameraConfig site_camera(const Config& config, const std::string& name);

// Throws ConfigError. `name` is used in messages (usually the file path).
Config parse_config(const std::string& yaml_text, const std::string& name = "<config>");
Config load_config(const std::string& path);

// Checks that span fields (e.g. onnx needs a model), for the site and each camera. Throws
// ConfigError.
void validate(const Config& config);
// The same checks of one camera's detector and tracker (after command-line changes).
void validate_camera(const CameraConfig& camera);

}  // namespace vigie
