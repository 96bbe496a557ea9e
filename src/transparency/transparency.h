// The public transparency report: what the camera network is, what it costs and what it
// achieves, in counts only — no person, plate, image, account name or search reason.
// `vigie transparency` writes it as a file; `vigie serve` shows it without login at
// /transparency. docs/transparency.md gives the method of every figure; the report
// repeats it beside each one.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/result.h"
#include "events/store.h"

namespace vigie::transparency {

// The city network as `vigie city coverage --geojson-dir` measured it (coverage.json).
struct CityFigures {
  double street_km = 0, seen_km = 0;
  std::size_t street_cameras = 0, indoor_cameras = 0, underground_cameras = 0;
  struct Kind {
    std::string kind;  // fixed, dome, panning, unknown
    std::size_t cameras = 0;
    double seen_km = 0;  // street this type sees on its own
  };
  std::vector<Kind> by_kind;
  double share() const { return street_km > 0 ? seen_km / street_km : 0; }
};
// Reads <dir>/coverage.json; an error names the file and what is wrong in it.
Result<CityFigures> read_city_figures(const std::string& dir);

// Alerts of one rule in one month, all cameras.
struct RuleMonth {
  std::string rule, month;
  int alerts = 0, confirmed = 0, false_alarms = 0, open = 0;
  int deleted = 0;  // of which retention has deleted the alerts themselves
};

struct CameraFigures {
  std::string camera;
  int alerts = 0, false_alarms = 0;  // all the store counts
  double hours = 0;                  // analysed, as recorded (schema 8 on) …
  std::optional<double> since_epoch; // … since the first recorded run
  // Over the months hours were recorded in (from the first run's month): false alarms,
  // and those per camera-hour (none without hours).
  int false_alarms_in_hours = 0, confirmed_in_hours = 0;
  std::optional<double> false_alarms_per_hour;
};

// Audited uses of the system in one month, by kind (kAccessKinds' keys, and "other").
struct AccessMonth {
  std::string month;
  std::map<std::string, int64_t> uses;
};

// The kinds of audited use the report counts, each a set of audit actions (the server's
// and the command line's names). Every other action counts as "other".
struct AccessKind {
  const char* key;
  const char* label;
  std::vector<std::string> actions;
};
const std::vector<AccessKind>& access_kinds();
// The key of the kind an audit action counts in ("other" when none).
std::string access_kind_of(const std::string& action);

struct AuditFigures {
  int64_t entries = 0;
  bool intact = false;         // the chain verifies
  bool authenticated = false;  // … with the key (else only as consistent)
  int64_t first_bad_entry = 0; // when not intact (the cause is the operators' to read)
};

struct RetentionFigures {
  double limit_days = 0;  // configured
  std::optional<double> oldest_alert_days, oldest_track_days;  // age of the oldest kept
  int64_t runs = 0;       // retention passes that deleted alerts (audited; one per camera on a server)
  int alerts_deleted = 0;
  bool held() const;      // nothing kept is older than the limit (one day's grace: runs are hourly)
};

struct CostFigures {
  std::size_t network_cameras = 0;  // the city's outdoor cameras (else the analysed ones)
  double install_low_eur = 0, install_high_eur = 0, upkeep_eur_per_year = 0;  // of the network
  double camera_life_years = 0;
  double analysed_hours = 0;
  double analysed_cost_eur = 0;  // upkeep and amortised installation of the analysed hours
  int confirmed = 0;             // alerts confirmed in the months hours were recorded
  std::optional<double> per_confirmed_alert_eur;  // none without a confirmed alert
};

// A drone flight as registered (vigie drone check --store): its order, a public act, and
// what was flown.
struct FlightFigures {
  std::string reference, purpose;
  double authorised_start = 0, authorised_end = 0, start_epoch = 0;
  int minutes = 0, flagged_minutes = 0;
  double distance_m = 0, swept_m2 = 0;
};

struct Declined {
  std::string feature, why;
};

struct Figures {
  double generated_epoch = 0;
  std::optional<CityFigures> city;
  // Why there are no city figures, for the operators (it may name files): the report
  // itself only says that there are none.
  std::string city_problem;
  std::size_t analysed_cameras = 0;
  std::map<std::string, int> rules_by_type;  // configured rules
  std::vector<RuleMonth> alerts;
  std::vector<CameraFigures> cameras;
  std::vector<AccessMonth> access;
  AuditFigures audit;
  RetentionFigures retention;
  CostFigures costs;
  std::vector<FlightFigures> flights;  // newest first
  int64_t drone_minutes_flagged = 0;   // minutes of flight outside their order (from the audit log)
  std::vector<Declined> declined;
};

// Everything from the store's counts, the config and the city figures (`city_dir`: where
// coverage.json is; empty: none), as of `now_epoch`.
Result<Figures> gather(const events::Store& store, const Config& config, const std::string& city_dir,
                       double now_epoch);

nlohmann::json to_json(const Figures& figures);
// One self-contained page (no script, no external resource), each figure with its method.
std::string to_html(const Figures& figures);

}  // namespace vigie::transparency
