// What the transparency report counts: camera-hours, alerts by month and decision (kept
// and folded by retention), audit entries by month and action, the oldest records kept.
// Counts only: nothing here returns a person, a reason or an image.
#include <algorithm>
#include <cmath>
#include <ctime>
#include <map>
#include <tuple>

#include <fmt/format.h>

#include "events/database.h"
#include "events/store.h"

namespace vigie::events {

std::string utc_month(double epoch) {
  const std::time_t t = static_cast<std::time_t>(std::floor(epoch));
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{:04d}-{:02d}", tm.tm_year + 1900, tm.tm_mon + 1);
}

std::string alert_outcome(const std::string& latest_action) {
  if (latest_action.empty()) return "open";
  return latest_action == "false_alarm" ? "false_alarm" : "confirmed";
}

Result<Ok> Store::record_run(const std::string& camera, const std::string& run_id, double start_epoch,
                             double last_epoch) {
  auto s = db_->query(
      "INSERT INTO camera_runs (camera, run_id, start_epoch, last_epoch) VALUES (?1, ?2, ?3, ?4) "
      "ON CONFLICT (camera, run_id) DO UPDATE SET last_epoch = excluded.last_epoch "
      "WHERE excluded.last_epoch > camera_runs.last_epoch");
  s->bind(1, camera).bind(2, run_id).bind(3, start_epoch).bind(4, std::max(start_epoch, last_epoch));
  if (s->step() != Step::kDone) return sql_error(*s);
  return Ok{};
}

namespace {

void count(AlertTally& t, const std::string& outcome, int n) {
  t.alerts += n;
  if (outcome == "confirmed") t.confirmed += n;
  else if (outcome == "false_alarm") t.false_alarms += n;
  else t.open += n;
}

}  // namespace

Result<std::vector<AlertTally>> Store::alert_tallies() const {
  using Key = std::tuple<std::string, std::string, std::string>;  // month, camera, rule
  std::map<Key, AlertTally> by;
  // One statement, one snapshot: an alert retention folds meanwhile is counted once.
  auto s = db_->query(
      "SELECT 0, camera, rule, start_epoch, COALESCE((SELECT action FROM operator_actions o WHERE o.alert_id = a.id "
      "ORDER BY o.id DESC LIMIT 1), ''), '', 1 FROM alerts a "
      "UNION ALL SELECT 1, camera, rule, 0, outcome, month, alerts FROM alert_tallies");
  Step step;
  while ((step = s->step()) == Step::kRow) {
    const bool folded = s->integer(0) == 1;
    const std::string month = folded ? s->text(5) : utc_month(s->real(3));
    const std::string outcome = folded ? s->text(4) : alert_outcome(s->text(4));
    const int n = static_cast<int>(s->integer(6));
    auto& t = by[{month, s->text(1), s->text(2)}];
    t.month = month, t.camera = s->text(1), t.rule = s->text(2);
    count(t, outcome, n);
    if (folded) t.deleted += n;
  }
  if (step == Step::kError) return sql_error(*s);
  std::vector<AlertTally> out;
  for (auto& [key, t] : by) out.push_back(std::move(t));
  return out;
}

Result<std::vector<CameraHours>> Store::camera_hours() const {
  // Runs of one camera may overlap (two processes on one stream): the union is counted.
  auto s = db_->query("SELECT camera, start_epoch, last_epoch FROM camera_runs ORDER BY camera, start_epoch");
  std::vector<CameraHours> out;
  double reach = 0;  // the end of the union so far, for the current camera
  Step step;
  while ((step = s->step()) == Step::kRow) {
    const std::string camera = s->text(0);
    const double start = s->real(1), last = s->real(2);
    if (out.empty() || out.back().camera != camera) {
      out.push_back({camera, 0, start, last});
      reach = start;
    }
    auto& c = out.back();
    if (last > reach) c.hours += (last - std::max(start, reach)) / 3600;
    reach = std::max(reach, last);
    c.last_epoch = std::max(c.last_epoch, last);
  }
  if (step == Step::kError) return sql_error(*s);
  return out;
}

Result<std::vector<AuditTally>> Store::audit_tallies() const {
  // Months are counted here: the engines have no month function in common.
  std::map<std::pair<std::string, std::string>, int64_t> by;
  auto s = db_->query("SELECT action, at_epoch FROM audit_log");
  Step step;
  while ((step = s->step()) == Step::kRow) ++by[{utc_month(s->real(1)), s->text(0)}];
  if (step == Step::kError) return sql_error(*s);
  std::vector<AuditTally> out;
  for (const auto& [key, n] : by) out.push_back({key.first, key.second, n});
  return out;
}

Result<OldestKept> Store::oldest_kept() const {
  OldestKept out;
  for (auto [sql, into] : {std::pair{"SELECT MIN(start_epoch) FROM alerts", &out.alert_epoch},
                           {"SELECT MIN(last_epoch) FROM tracks", &out.track_epoch}}) {
    auto s = db_->query(sql);
    if (s->step() != Step::kRow) return sql_error(*s);
    if (!s->null(0)) *into = s->real(0);
  }
  return out;
}

}  // namespace vigie::events
