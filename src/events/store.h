// The event store: alerts, track summaries and operator actions in SQLite (WAL mode) or
// PostgreSQL, schema versioned with migrations, media files on disk referenced by path.
//
// A Store is used by one thread at a time. Every write is its own transaction: when
// record() returns ok, the row is on disk and survives the process being killed. Several
// processes may open the same store (the server, `vigie analyze`, `vigie alerts list`).
//
// Files beside the store `x.db`: `x.db.audit-key` (the audit log's HMAC key, unless
// another path is given) and `x.db.audit-head` (the signed head of the audit log).
// docs/audit.md says what they prove.
#pragma once

#include <functional>
#include <memory>
#include <array>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"
#include "rules/rules.h"

namespace vigie::events {

class Database;
class Query;

struct AlertRow {
  std::string id, camera, rule, rule_type, where, detail;
  std::string run_id;  // the tracker run whose ids track_ids are ("" before schema 4)
  std::vector<int> track_ids;
  double start_epoch = 0, last_epoch = 0;
  std::optional<double> end_epoch;  // empty while the alert is open
  double peak = 0;
  std::string snapshot_path, clip_path;
  Box box;                    // what the alert is about, frame pixels, as raised
  double stream_start_s = 0;  // stream time the situation began (e.g. the bag left alone)
  double stream_raised_s = 0; // stream time the alert was raised
  std::string status;         // the latest operator action ("" when none yet)
  std::optional<rules::GeoPosition> position;  // a moving camera's place when it raised it (schema 9)
};

// A login session (schema 5): the store keeps the token's SHA-256, not the token.
struct SessionRow {
  std::string token, user, role;
  double expires_epoch = 0;
};

struct ActionRow {
  std::string alert_id, action, note, user;
  double at_epoch = 0;
};

struct AuditRow {
  int64_t id = 0;
  double at_epoch = 0;
  std::string user, action, detail;
};

// What the operators' decisions say about each rule, and how many alerts per hour.
struct RuleStats {
  std::string rule;
  int alerts = 0, confirmed = 0, false_alarms = 0, open = 0;  // open: no decision yet
  std::vector<std::pair<int64_t, int>> per_hour;              // (hour since epoch, alerts)
};

// What happened in one time bucket on one camera: tracks of a class, or alerts of a rule
// (line crossings by direction).
struct ActivityCount {
  int64_t bucket_epoch = 0;  // the bucket's start
  std::string camera;
  std::string kind;       // "tracks", "alerts", "crossings" or "visits"
  std::string what;       // the class (tracks), rule (alerts), line (crossings) or zone (visits)
  std::string direction;  // a line crossing's (alert or track): a_to_b or b_to_a; else ""
  int count = 0;
};

// As CSV: bucket_epoch,camera,kind,what,direction,count.
std::string activity_csv(const std::vector<ActivityCount>& rows);

struct ActivityFilter {
  double since_epoch = 0, until_epoch = 0;  // 0: open
  int64_t bucket_s = 3600;                  // an hour, or 86400 for days (UTC)
  std::vector<std::string> cameras;         // empty: all
};

// A colour name with its share of a region's pixels (describe/colours.h).
struct NamedShare {
  std::string name;
  float share = 0;
};

// A zone a track entered, or a line it crossed (with the direction: a_to_b, b_to_a), and
// when it first did (rules/passages.h).
struct PassageRow {
  std::string name, direction;  // direction: "" for a zone
  double at_epoch = 0;
};

// A finished track as stored: what it was, when, the path of its feet, and what it looked
// like (schema 6; older rows have no colours).
struct TrackRow {
  std::string camera, run_id, label;
  int track_id = 0;  // as in the MOTChallenge tracks file of its run
  double first_epoch = 0, last_epoch = 0;
  std::vector<std::pair<float, float>> path;  // foot points, frame pixels
  std::vector<NamedShare> upper, lower;       // a person's clothes, most likely first
  std::vector<NamedShare> colour;             // a vehicle's body
  double speed = 0;                           // mean, in speed_unit (m/s or px/s)
  std::string speed_unit;
  double heading_deg = 0;                     // image direction, 0 right, 90 down
  std::vector<float> appearance;              // clothing-colour descriptor (track/appearance.h)
  std::string thumbnail_path;                 // a JPEG of its clearest view ("" when none)
  int frame_width = 0, frame_height = 0;      // the frame the path's pixels are of (0: unknown)
  double width = 0, height = 0;               // its clearest view, in size_unit (m or px; schema 7)
  std::string size_unit;
  std::vector<PassageRow> zones, crossed;     // where it went (schema 7)
  bool ongoing = false;  // still followed when stored: last_epoch is "last stored", not "left"
};

// What a search asks for; every field left empty (or 0) matches everything.
struct TrackFilter {
  std::vector<std::string> cameras;  // any of these
  double from_epoch = 0, to_epoch = 0;  // seen at some time in [from, to]
  std::string label;                 // class: person, car…
  std::string upper, lower;          // a colour among the upper (lower) body's names
  std::string colour;                // a colour among any region's names
  double min_dwell_s = 0;            // in view at least this long
  std::string zone;                  // entered this zone
  std::string line, direction;       // crossed this line (this way: a_to_b, b_to_a; "": either)
  std::string run_id;                // numbered by this run
  int track_id = 0;                  // this id (0: any)
  // Ranked by appearance distance to this track ("camera/run/id", or "id" when only one
  // run has it), nearest first; track_search.h's find_tracks does it, not search_tracks.
  std::string similar;
  int limit = 100;
  bool with_paths = true;  // false: rows without their paths (many candidates to rank)
};

struct AlertFilter {
  std::string camera, rule;
  double since_epoch = 0;
  int limit = 1000;
  double before_epoch = 0;  // 0: no upper bound
  int offset = 0;
  std::string id;           // just this alert
  std::string run_id;       // the alerts of this analysis run
};

// What verify_audit() found. `ok` means no sign of tampering was found; what that proves
// depends on `authenticated` (docs/audit.md).
struct AuditCheck {
  bool ok = true;
  int64_t entries = 0;
  int64_t first_bad_id = 0;  // when !ok
  std::string problem;       // when !ok
  // The hash of the last entry: written down elsewhere, it also reveals a cut-off tail.
  std::string head_hash;
  // MACs (and the head file's MAC) were checked with the key. False when the key file is
  // absent: the chain is then only shown consistent, which anyone can make it.
  bool authenticated = false;
  std::string key_path;          // where the key was looked for
  int64_t signed_entries = 0;    // entries with a MAC
  int64_t unsigned_entries = 0;  // from before schema 4: checked by their hash only
  // The head file: the last entry as of the latest append, signed.
  bool head_found = false;
  int64_t head_id = 0;
};

// The audit log's signed head, as written beside the store after each append: kept
// somewhere else (printed to a remote log), it shows later whether the log was cut or
// rewritten. `mac` = HMAC-SHA256(key, "vigie-audit-head\n<id>\n<hash>"), hex.
struct AuditHead {
  int64_t id = 0;
  std::string hash, mac;
};

// What one retention pass did. It deletes a batch at a time: when it stops early, the
// batches before stay deleted and counted, and `error` says why it stopped.
struct RetentionPass {
  int alerts_deleted = 0;
  std::optional<Error> error;
};

// What the transparency report counts (tallies.cc): anonymous counts only.
// Alerts of one month (UTC, "YYYY-MM" of their start), camera and rule, by the latest
// operator decision: stored alerts and those retention deleted (schema 8).
struct AlertTally {
  std::string month, camera, rule;
  int alerts = 0, confirmed = 0, false_alarms = 0, open = 0;
  int deleted = 0;  // of these, alerts retention deleted (counted in alert_tallies)
};
// How long a camera was analysed: the union of its runs' spans.
struct CameraHours {
  std::string camera;
  double hours = 0;
  double first_epoch = 0, last_epoch = 0;
};
// Audit entries of one action in one month (UTC).
struct AuditTally {
  std::string month, action;
  int64_t entries = 0;
};
// The oldest records the store still holds (empty: none), to show retention applied:
// by what retention goes by, an alert's start and a track's end.
struct OldestKept {
  std::optional<double> alert_epoch, track_epoch;
};
// The audit entry of a retention run that deleted alerts: its user and its action; the
// detail says {"alerts_deleted", "retention_days", "camera"}.
inline constexpr const char* kRetentionAudit = "retention";
// The audit entry of a requisition's export of recorded video (src/record/export.h).
inline constexpr const char* kRecordingExportAudit = "recording.export";
// An alert's clip_path when its clip is the camera's continuous recording around it (a
// camera with `record: true` in `vigie serve`): no file of its own, cut when played.
inline constexpr const char* kClipInRecording = "recording:";
// The audit entries of the two people an unmasked export needs (recorded by the routes
// that take them, src/server).
inline constexpr const char* kUnmaskedRequestAudit = "recording.unmasked_request";
inline constexpr const char* kUnmaskedDecisionAudit = "recording.unmasked_decision";
// "YYYY-MM" of an epoch, in UTC.
std::string utc_month(double epoch);
// What an alert's latest operator action makes it: "open" (none yet), "false_alarm", or
// "confirmed" (acknowledge or dispatch).
std::string alert_outcome(const std::string& latest_action);

// A drone flight as registered (schema 9, flights.cc): the authorisation it flew under
// (a prefectoral order), what it flew, and its recording.
struct FlightRow {
  std::string id;         // a UUIDv7, given by record_flight
  std::string camera;     // the drone's camera in the configuration ("" when none)
  std::string reference, purpose;
  std::string perimeter;  // the authorised perimeter: a GeoJSON Polygon geometry
  double authorised_start = 0, authorised_end = 0;
  double start_epoch = 0, end_epoch = 0;
  int minutes = 0;        // UTC minutes with a pose
  std::string flagged;    // JSON array of {minute_epoch, outside_perimeter, outside_time}
  int flagged_minutes = 0;
  double distance_m = 0, swept_m2 = 0;
  std::string video;      // the flight's recording ("" when none)
  std::string geojson;    // track, footprints over time, swept ground (drone::flight_geojson); "" in lists
  double registered_epoch = 0;
  bool audited = false;   // its registration and flagged minutes are in the audit log
};

// A finished segment of a camera's continuous recording (schema 10, recordings.cc).
struct SegmentRow {
  std::string path;    // relative to the recordings folder: <camera>/<start>.mp4.sealed
  std::string camera;
  double start_epoch = 0, end_epoch = 0;
  int64_t bytes = 0;   // on disk (sealed)
  std::string sha256;  // of the bytes on disk, hex
  std::string host;    // the machine whose disk holds it (its host name)
  bool operator==(const SegmentRow&) const = default;
};

// A request for an export without privacy masks (schema 11, unmasked.cc): made by one
// person (a supervisor), decided by another (an auditor), used once.
struct UnmaskedRequest {
  enum class State { kPending, kApproved, kRefused, kUsed };
  std::string id;                    // UUIDv7, given by request_unmasked()
  std::string camera;
  double from_epoch = 0, to_epoch = 0;
  std::string case_reference;        // the requisition's reference
  std::string requester;             // who asked for it (an officer, a court)
  std::string reason;                // why the masks must go
  std::string requested_by;          // the account that made the request
  double requested_epoch = 0;
  State state = State::kPending;
  std::string decided_by;            // the account that approved or refused it ("" while pending)
  double decided_epoch = 0;
  std::string decision_reason;
  double used_epoch = 0;             // when its export was made (0: not yet)
};
const char* state_name(UnmaskedRequest::State s);

// A scancar's car with no right found, waiting for a person (schema 12, parking.cc). No
// notice comes from a machine: a reviewer issues it, having ticked that no disability card
// is visible on the wide photo, or dismisses it; a citizen's contest (a card shown
// afterwards) cancels a notice and registers the card.
struct ParkingCandidate {
  enum class State { kPending, kNotice, kDismissed, kCancelled, kExpired };
  std::string id;                  // UUIDv7, given by queue_parking_candidate()
  std::string round;               // the round it came from (its track file's name)
  std::string plate, format;       // as read: letters and digits; "siv" or "fni"
  double confidence = 0;           // the plate's least sure character
  double taken_epoch = 0, lat = 0, lon = 0;
  std::string photo_path, crop_path;  // the wide photo and the plate's crop
  double queued_epoch = 0;
  State state = State::kPending;
  std::string reviewed_by;         // who issued the notice or dismissed it
  double reviewed_epoch = 0;
  bool no_card_visible = false;    // the reviewer's tick (a notice needs it)
  std::string review_note;
  std::string contested_by;        // who recorded the citizen's contest
  double contested_epoch = 0;
  std::string contest_card;        // the card shown
  double photos_deleted_epoch = 0; // 0: the photos are still on disk
};
const char* state_name(ParkingCandidate::State s);
// The state named so by state_name(); empty for any other text.
std::optional<ParkingCandidate::State> parking_state(const std::string& name);
// A disability card's plate registered in the store (from a contest), beside the card
// register the scancar round reads from its files.
struct RegisteredCardPlate {
  std::string card, plate;
  double valid_from = 0, valid_until = 0;
  std::string registered_by;
  double registered_epoch = 0;
  std::string candidate;  // the contested notice it came from
};
// The accounts' roles (what each may do: server/auth.h). parking_meter is a machine's: a
// meter or a parking app recording paid sessions.
inline constexpr std::array<const char*, 5> kRoles = {"operator", "supervisor", "auditor", "admin", "parking_meter"};

// A paid parking session, as a parking meter or an app recorded it.
struct PaidParkingSession {
  std::string id, plate;  // the plate in comparable form (letters and digits, upper case)
  double start_epoch = 0, end_epoch = 0;
  std::string recorded_by;  // the meter's or app's account
  double recorded_epoch = 0;
};
// The longest session a meter may record: a day (longer rights are resident permits).
inline constexpr double kMaxPaidSessionSeconds = 24 * 3600;
// Why `s` cannot be recorded at `at_epoch`, or nothing: its plate must be 4 to 10 capital
// letters and digits, start < end, at most kMaxPaidSessionSeconds, recorded while it runs
// (started within the last hour or starting within a day, not ended): a right cannot be
// backdated once a car was photographed without one.
std::optional<std::string> paid_session_error(const PaidParkingSession& s, double at_epoch);

// The audit actions of the review queue (written by the routes, src/server) and of the
// deletion of candidates' photos.
inline constexpr const char* kParkingNoticeAudit = "parking.notice";
inline constexpr const char* kParkingDismissAudit = "parking.dismiss";
inline constexpr const char* kParkingContestAudit = "parking.contest";
inline constexpr const char* kParkingPhotosAudit = "parking.photos_deleted";
// A scancar's round read into the store (`vigie scancar ingest --store`): track, summary.
inline constexpr const char* kScancarRoundAudit = "scancar.round";

class Store {
 public:
  // `location`: an SQLite file, or a PostgreSQL server's URL (`postgresql://user@host:port/db`).
  // Creates the schema if needed, upgrades an older schema, refuses a newer one. Errors
  // name the file (or the folder when the store's folder does not exist) or the URL
  // without its password. `audit_key_path`: the audit log's HMAC key file; empty:
  // `<path>.audit-key` beside an SQLite file (a server needs one named for the audit log,
  // not for alerts). The key is created
  // (32 random bytes, mode 0600) by the first audit() that needs it, never by open. The
  // signed head goes to `audit_head_path`; empty: `<path>.audit-head` beside an SQLite
  // file, `<key>.head` for a server.
  static Result<std::unique_ptr<Store>> open(const std::string& location, const std::string& audit_key_path = "",
                                             const std::string& audit_head_path = "");
  ~Store();

  // Writes a start (insert), update (peak, tracks) or end (end time) of an alert.
  // Fails when an update or end names an alert that is not stored, and when a start's id
  // is already stored for another alert; a start stored again (same id, camera, rule and
  // start time: a retry) is ok and changes nothing.
  Result<Ok> record(const rules::AlertEvent& event);
  // --- tracks (tracks.cc) ---
  // A track's summary, keyed by the tracker run that numbered it (track ids restart with
  // each run) and its first time, with its colour names and passages indexed for search;
  // one transaction. A track still followed is stored again as it goes on: a later last
  // time updates the row (and replaces its colours and passages); the same or an earlier
  // one (a retry, an older snapshot delivered late) is ok and changes nothing.
  Result<Ok> record_track(const TrackRow& track);
  Result<int> track_count(const std::string& camera) const;
  // Tracks matching the filter, newest first.
  Result<std::vector<TrackRow>> search_tracks(const TrackFilter& filter) const;
  // Whether some stored track entered a zone (crossed a line) of that name.
  Result<bool> passage_named(bool zone, const std::string& name) const;
  // The longest time any stored track was followed (0 when none): a track seen after T
  // began after T minus this, a bound the time indexes can use.
  Result<double> longest_track_span() const;
  // One track by its key (all its runs' first times: the newest); empty when not stored.
  // With `first_epoch`, exactly that one.
  Result<std::optional<TrackRow>> track(const std::string& camera, const std::string& run_id, int track_id,
                                        std::optional<double> first_epoch = std::nullopt) const;

  // Appends to the audit log: who did what, when. On PostgreSQL, whose text cannot hold
  // a NUL byte, each NUL in the user, action or detail is written as the six characters
  // \u0000 (before hashing: the entry verifies as stored). Entries are hash-chained (SHA-256 of
  // the previous entry's hash and this entry's fields) and each hash is signed with the
  // key (HMAC-SHA256); after the entry commits, the head file is replaced (atomically,
  // never by an older head). Fails if the key cannot be read or created. The head file not
  // written after the commit: an error that says the entry was stored; or, with
  // `head_error`, success (the entry is in the chain, the next one advances the head)
  // with that message there.
  Result<Ok> audit(const std::string& user, const std::string& action, const std::string& detail,
                   double at_epoch, std::string* head_error = nullptr);
  // A change and its audit entry in one transaction: both are stored or neither, so that
  // no failure or crash leaves a change unaudited, nor an entry naming a change not made.
  // `change` runs inside the transaction, which it must not begin or end, and gives the
  // entry's detail; its error rolls everything back and is returned as it is. The head as
  // for audit().
  Result<Ok> audited(const std::string& user, const std::string& action, double at_epoch,
                     const std::function<Result<std::string>()>& change, std::string* head_error = nullptr);
  // Walks the chain and checks the head file; reports the first entry that was edited,
  // deleted, rewritten without the key, or cut off the end. Creates nothing.
  Result<AuditCheck> verify_audit() const;
  // The head file's content; empty when no entry was signed yet. Fails if the file is
  // unreadable, or if its MAC does not match the key (when the key is there).
  Result<std::optional<AuditHead>> audit_head() const;
  const std::string& audit_key_path() const { return key_path_; }
  // A secret for `purpose` that every node holding the audit key derives alike (HMAC of
  // the purpose, hex): the nodes of one site prove themselves to each other with it.
  // Fails when the key does not exist (it is never created here).
  Result<std::string> derived_secret(const std::string& purpose) const;
  const std::string& audit_head_path() const { return head_path_; }

  Result<Ok> set_snapshot(const std::string& alert_id, const std::string& path);
  Result<Ok> set_clip(const std::string& alert_id, const std::string& path);
  Result<std::vector<AlertRow>> alerts(const AlertFilter& filter) const;

  // --- operator decisions and reports (operations.cc) ---
  // An operator's decision on an alert: acknowledge, false_alarm or dispatch (a team
  // sent), with a free note. Fails for an unknown alert or action.
  Result<Ok> record_action(const std::string& alert_id, const std::string& action, const std::string& note,
                           const std::string& user, double at_epoch);
  Result<std::vector<ActionRow>> actions(const std::string& alert_id) const;
  // Alerts that started at or after `since_epoch`, by rule: decisions (the latest action
  // of each alert: acknowledge/dispatch confirm it, false_alarm does not) and counts per hour.
  Result<std::vector<RuleStats>> rule_stats(double since_epoch) const;
  // Tracks (by class), alerts (by rule, line crossings by direction), tracks' line
  // crossings (by line and direction) and zone visits (by zone) per camera and time
  // bucket, for statistics; tracks counted by when they were first seen, passages by when
  // they happened.
  Result<std::vector<ActivityCount>> activity(const ActivityFilter& filter) const;
  // Calls `each` with the foot points (frame pixels) and frame size of every track of
  // `camera` seen in [since, until] (0: open), one track at a time (memory stays one
  // path's); returns how many tracks were visited.
  using PathVisitor = std::function<void(const std::vector<std::pair<float, float>>& path, int frame_width,
                                         int frame_height)>;
  Result<int64_t> each_path(const std::string& camera, double since_epoch, double until_epoch,
                            const PathVisitor& each) const;
  Result<std::vector<AuditRow>> audit_entries(int limit, int offset) const;

  // Deletes alerts that started before `now_epoch - retention_days`, and their snapshot
  // and clip files, and track summaries as old; of `camera` only when given (several
  // machines on one store: each deletes the files it has). Returns how many alerts went.
  // Each deleted alert is added to the anonymous tallies (alert_tallies) in the same
  // transaction; a backlog is deleted a batch at a time, so cameras writing meanwhile wait
  // one batch at most.
  RetentionPass apply_retention(double now_epoch, double retention_days, const std::string& camera = "");

  // --- what the transparency report counts (tallies.cc) ---
  // That `camera`'s run `run_id` was analysed from `start_epoch` to `last_epoch`; stored
  // again as the run goes on (the latest end kept).
  Result<Ok> record_run(const std::string& camera, const std::string& run_id, double start_epoch, double last_epoch);
  Result<std::vector<AlertTally>> alert_tallies() const;
  Result<std::vector<CameraHours>> camera_hours() const;
  Result<std::vector<AuditTally>> audit_tallies() const;
  Result<OldestKept> oldest_kept() const;

  // --- drone flights (flights.cc) ---
  // Registers a flight under a new id (set in `flight`). False when a flight of that
  // order and start is registered already: its id and `audited` are set in `flight`, and
  // only a camera or video it lacked is added.
  Result<bool> record_flight(FlightRow& flight);
  // The flight's registration and flagged minutes are in the audit log (a registration
  // whose audit failed is audited when the flight is checked again).
  Result<Ok> set_flight_audited(const std::string& id);
  // The newest `limit`, newest first, without their GeoJSON.
  Result<std::vector<FlightRow>> flights(int limit = 100000) const;
  // One flight, with its GeoJSON; empty when there is none of that id.
  Result<std::optional<FlightRow>> flight(const std::string& id) const;

  // --- recordings (recordings.cc) ---
  // Indexes a finished segment; one indexed already (same path: a retry) is ok and
  // changes nothing.
  Result<Ok> record_segment(const SegmentRow& segment);
  // A camera's segments that overlap [from, to], oldest first.
  Result<std::vector<SegmentRow>> segments(const std::string& camera, double from_epoch, double to_epoch) const;
  // A camera's segments on one machine's disk, those ending first first, at most `limit`
  // (retention and the quota delete in this order).
  Result<std::vector<SegmentRow>> oldest_segments(const std::string& camera, const std::string& host, int limit) const;
  Result<int64_t> recorded_bytes(const std::string& camera, const std::string& host) const;
  // The cameras with segments on that machine (recorded, whether configured still or not).
  Result<std::vector<std::string>> recorded_cameras(const std::string& host) const;
  Result<Ok> forget_segment(const std::string& path);
  // The paths of a camera's segments on that machine.
  Result<std::set<std::string>> segment_paths(const std::string& camera, const std::string& host) const;

  // --- unmasked exports (unmasked.cc) ---
  // Stores a pending request and gives it its id. Fails when the camera, the case
  // reference, the requester, the reason or the account is missing, or the range is empty.
  Result<Ok> request_unmasked(UnmaskedRequest& request);
  // The newest `limit`, newest first; with `requested_by`, only those that account made.
  Result<std::vector<UnmaskedRequest>> unmasked_requests(int limit = 1000, const std::string& requested_by = "") const;
  Result<std::optional<UnmaskedRequest>> unmasked_request(const std::string& id) const;
  // An auditor's decision on a pending request. Fails, naming why, when there is no such
  // request, it is decided already, or `by` is the account that made it (two people).
  Result<UnmaskedRequest> decide_unmasked(const std::string& id, bool approve, const std::string& by,
                                          const std::string& reason, double at_epoch);
  // Takes an approved request for its one export (atomically: two exports cannot both
  // take it). Fails, naming why, when it is not approved or used already.
  Result<UnmaskedRequest> use_unmasked(const std::string& id, double at_epoch);
  // Gives back a request taken for an export that then failed, approved again.
  Result<Ok> release_unmasked(const std::string& id);

  // --- the parking review queue (parking.cc) ---
  // A person's decision on the queue is stored with its audit entry (the console calls the
  // three deciding steps inside audited()).
  // Queues a candidate and gives it its id. Fails when the plate is empty, or not French
  // (format "siv" or "fni"): a foreign plate can never become a notice; and when the same
  // plate photographed at the same time is queued already (a round read twice).
  Result<Ok> queue_parking_candidate(ParkingCandidate& candidate);
  // Those in `state` ("" any: pending, notice, dismissed, cancelled, expired), at most
  // `limit`: pending ones oldest photo first (the queue), decided ones newest first.
  Result<std::vector<ParkingCandidate>> parking_candidates(const std::string& state, int limit = 500) const;
  Result<std::optional<ParkingCandidate>> parking_candidate(const std::string& id) const;
  // A person issues the notice of a pending candidate. Fails, naming why, when the tick
  // "no disability card visible" is not given, the reading is below `min_confidence` or
  // not French, or it is not pending (decided by someone else, or its photos expired).
  Result<ParkingCandidate> issue_parking_notice(const std::string& id, const std::string& by, bool no_card_visible,
                                                const std::string& note, double min_confidence, double at_epoch);
  // A person dismisses a pending candidate (a card seen, a car that was not parked…).
  Result<ParkingCandidate> dismiss_parking_candidate(const std::string& id, const std::string& by,
                                                     const std::string& note, double at_epoch);
  // A citizen's contest: the notice is cancelled and `card` registered for its plate (and
  // `more_plates`; at most `max_plates` for the card with those it has), valid in
  // [valid_from, valid_until]; one transaction (audited()'s, when it runs inside one).
  // Fails when it is not a notice.
  Result<ParkingCandidate> contest_parking_notice(const std::string& id, const std::string& by,
                                                  const std::string& card, const std::vector<std::string>& more_plates,
                                                  double valid_from, double valid_until, size_t max_plates,
                                                  double at_epoch);
  // Records a paid session from a parking meter or app (refused as paid_session_error()
  // says). Fills s.id and s.recorded_epoch.
  Result<Ok> record_paid_session(PaidParkingSession& s, double at_epoch);
  // The sessions that overlap [from_epoch, to_epoch] (a round's span), by plate.
  Result<std::vector<PaidParkingSession>> paid_sessions(double from_epoch, double to_epoch) const;
  // Deletes the sessions that ended before `before_epoch` (they can no longer drop a car
  // from a round being read); returns how many went.
  Result<int> delete_paid_sessions(double before_epoch);
  // Every registered card plate (the round adds them to its card register).
  Result<std::vector<RegisteredCardPlate>> registered_card_plates() const;
  // Deletes the photos of candidates that will not become a notice: pending ones queued,
  // and dismissed or cancelled ones decided, more than `hours` before `now_epoch` (pending
  // ones become expired: a person no longer can decide on them). A notice keeps its
  // photos (its evidence). Audited as kParkingPhotosAudit by `by`, with the candidates,
  // before any file goes; photos whose folder this machine does not have are left to the
  // machine that has them. Returns how many candidates' photos went.
  Result<int> delete_parking_photos(double now_epoch, double hours, const std::string& by);

  // --- accounts (accounts.cc) ---
  // Creates an account; the password is stored as an Argon2id hash (libsodium,
  // interactive limits). Fails if the name exists, is empty, longer than 64 bytes or has
  // spaces, slashes or control characters (NUL included), if the role is unknown or the
  // password is shorter than 12 characters.
  Result<Ok> add_user(const std::string& name, const std::string& role, const std::string& password,
                      double at_epoch);
  // The account's role if the password is right; empty if not (or no such account).
  Result<std::optional<std::string>> check_password(const std::string& name, const std::string& password) const;
  Result<std::vector<std::pair<std::string, std::string>>> users() const;  // (name, role)
  // Login sessions, shared by every API node of a store. session() finds a token's
  // session if it has not expired.
  Result<Ok> add_session(const SessionRow& session);
  Result<std::optional<SessionRow>> session(const std::string& token, double now_epoch) const;
  Result<Ok> remove_session(const std::string& token);
  Result<int> remove_expired_sessions(double now_epoch);

  static constexpr int kSchemaVersion = 13;
  // On a PostgreSQL store each stored alert event is announced (NOTIFY) on this channel,
  // as {"id": …, "what": "start"|"update"|"end"|"media"|"action", "by": the operator (an
  // action)}: API nodes LISTEN for the console.
  static constexpr const char* kAlertChannel = "vigie_alert";
  int schema_version() const;
  // A PostgreSQL server rather than an SQLite file.
  bool is_server() const;
  // Whether the store answers now (a server is reconnected to if it is back). After a
  // failed write, false means "try again later", true means the write itself was refused.
  bool reachable();

 private:
  Store(std::unique_ptr<Database> db, std::string key_path, std::string head_path);
  Result<Ok> exec(const std::string& sql) const;
  Result<Ok> migrate();
  Result<Ok> migrate_locked();
  Result<Ok> audit_key_named() const;  // an error for a server store opened without one
  Result<Ok> set_media(const char* column, const std::string& id, const std::string& path);
  Result<Ok> expire_tracks(double cutoff_epoch, const std::string& camera);  // tracks.cc
  // An alert retention deletes, with what its tally counts.
  struct Expiring {
    std::string id, camera, rule, month, outcome;
  };
  // Deletes one alert and counts it in alert_tallies (inside the caller's transaction);
  // 1 when it was there to delete.
  Result<int> fold_into_tallies(const Expiring& alert);
  // Runs each(i) for i in [0, n), kRetentionBatch at a time, each batch one transaction
  // that begins with a write, with a pause after it: another connection waits for one
  // batch, not for a whole backlog.
  static constexpr size_t kRetentionBatch = 256;
  struct Batches {
    size_t committed = 0;  // each(i) for i below this is committed
    std::optional<Error> error;
  };
  Batches in_batches(size_t n, const std::function<Result<Ok>(size_t)>& each);
  static void pause_between_batches();
  Error sql_error(const Query& failed) const;
  Result<std::vector<SegmentRow>> segments_of(Query& q) const;  // every row of a recordings SELECT
  void notify(const std::string& alert_id, const std::string& what, const std::string& by = "");  // "event store '<name>': <the engine's message>"

  std::unique_ptr<Database> db_;
  std::string path_, key_path_, head_path_;  // path_: the file, or the URL without its password
  // A change is running inside audited()'s transaction: a step that would take one of its
  // own (a contest) is part of that one instead.
  bool in_audited_change_ = false;
};

// `postgresql://…` or `postgres://…`: a PostgreSQL server's URL; anything else is a file.
bool is_database_url(const std::string& location);
// The location as messages show it: a URL without its password.
std::string printable_location(const std::string& location);

// Whether `name` may be an account name: 1 to 64 bytes, no control characters (NUL
// included), spaces or slashes. The reason when not.
std::optional<std::string> invalid_account_name(const std::string& name);

}  // namespace vigie::events
