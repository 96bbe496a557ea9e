// Operator decisions on alerts, the statistics built from them, and the audit log read back.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <tuple>

#include "core/csv.h"
#include "events/database.h"
#include "events/store.h"
#include "events/track_search.h"

namespace vigie::events {
namespace {

bool known_action(const std::string& a) { return a == "acknowledge" || a == "false_alarm" || a == "dispatch"; }

}  // namespace

Result<Ok> Store::record_action(const std::string& alert_id, const std::string& action, const std::string& note,
                                const std::string& user, double at_epoch) {
  if (!known_action(action))
    return Error{fmt::format("unknown action '{}' (acknowledge, false_alarm or dispatch)", action)};
  {
    // Finished before the insert: a read left open would make SQLite's insert upgrade an old
    // snapshot, which fails at once ("database is locked") if a camera wrote meanwhile.
    auto exists = db_->query("SELECT 1 FROM alerts WHERE id = ?1");
    exists->bind(1, alert_id);
    const Step found = exists->step();
    if (found == Step::kError) return sql_error(*exists);
    if (found != Step::kRow) return Error{fmt::format("no alert '{}'", alert_id)};
  }
  auto s = db_->query(
      "INSERT INTO operator_actions (alert_id, action, note, \"user\", at_epoch) VALUES (?1, ?2, ?3, ?4, ?5)");
  s->bind(1, alert_id).bind(2, action).bind(3, note).bind(4, user).bind(5, at_epoch);
  if (s->step() != Step::kDone) return sql_error(*s);
  notify(alert_id, "action", user);
  return Ok{};
}

Result<std::vector<ActionRow>> Store::actions(const std::string& alert_id) const {
  auto s = db_->query(
      "SELECT alert_id, action, note, \"user\", at_epoch FROM operator_actions WHERE alert_id = ?1 ORDER BY id");
  s->bind(1, alert_id);
  std::vector<ActionRow> rows;
  Step step;
  while ((step = s->step()) == Step::kRow) rows.push_back({s->text(0), s->text(1), s->text(2), s->text(3), s->real(4)});
  if (step == Step::kError) return sql_error(*s);
  return rows;
}

Result<std::vector<RuleStats>> Store::rule_stats(double since_epoch) const {
  // One row per alert: its rule, hour and latest decision (hours counted here: the
  // engines round a float to an integer differently).
  std::map<std::string, RuleStats> by_rule;
  std::map<std::string, std::map<int64_t, int>> hours;
  auto s = db_->query(
      "SELECT rule, start_epoch, (SELECT action FROM operator_actions o WHERE o.alert_id = a.id ORDER BY o.id DESC "
      "LIMIT 1) FROM alerts a WHERE start_epoch >= ?1");
  s->bind(1, since_epoch);
  Step step;
  while ((step = s->step()) == Step::kRow) {
    auto& r = by_rule[s->text(0)];
    r.rule = s->text(0);
    ++r.alerts;
    ++hours[r.rule][static_cast<int64_t>(std::floor(s->real(1) / 3600))];
    const std::string outcome = alert_outcome(s->text(2));
    if (outcome == "false_alarm") ++r.false_alarms;
    else if (outcome == "open") ++r.open;
    else ++r.confirmed;
  }
  if (step == Step::kError) return sql_error(*s);
  std::vector<RuleStats> out;
  for (auto& [rule, r] : by_rule) {
    r.per_hour.assign(hours[rule].begin(), hours[rule].end());
    out.push_back(std::move(r));
  }
  return out;
}

std::string activity_csv(const std::vector<ActivityCount>& rows) {
  std::string csv = "bucket_epoch,camera,kind,what,direction,count\n";
  for (const auto& r : rows)
    csv += fmt::format("{},{},{},{},{},{}\n", r.bucket_epoch, csv_field(r.camera), r.kind, csv_field(r.what),
                       r.direction, r.count);
  return csv;
}

Result<std::vector<ActivityCount>> Store::activity(const ActivityFilter& f) const {
  // Buckets counted here, as rule_stats' hours: the engines round a float differently.
  const int64_t bucket = std::max<int64_t>(1, f.bucket_s);
  std::map<std::tuple<int64_t, std::string, std::string, std::string, std::string>, int> counts;
  // The cameras in the statement (the indexes on camera serve it), each a bound value.
  std::string in;
  for (size_t i = 0; i < f.cameras.size(); ++i) in += fmt::format("{}?{}", i ? ", " : "", i + 3);
  const std::string only = f.cameras.empty() ? "" : " AND camera IN (" + in + ")";
  const double until = f.until_epoch > 0 ? f.until_epoch : 1e300;
  auto bucket_of = [&](double epoch) { return static_cast<int64_t>(std::floor(epoch / bucket)) * bucket; };
  auto tracks = db_->query("SELECT camera, label, first_epoch FROM tracks WHERE first_epoch >= ?1 AND first_epoch <= ?2" + only);
  auto alerts = db_->query(
      "SELECT camera, rule, rule_type, detail, start_epoch FROM alerts WHERE start_epoch >= ?1 AND start_epoch <= ?2" + only);
  auto passages = db_->query(
      "SELECT camera, kind, name, direction, at_epoch FROM track_passages WHERE at_epoch >= ?1 AND at_epoch <= ?2" + only);
  for (auto* q : {tracks.get(), alerts.get(), passages.get()}) {
    q->bind(1, f.since_epoch).bind(2, until);
    for (size_t i = 0; i < f.cameras.size(); ++i) q->bind(static_cast<int>(i + 3), f.cameras[i]);
  }
  Step step;
  while ((step = tracks->step()) == Step::kRow)
    if (std::abs(tracks->real(2)) < 1e15)  // an epoch, not a stray value that would overflow the bucket
      ++counts[{bucket_of(tracks->real(2)), tracks->text(0), "tracks", tracks->text(1), ""}];
  if (step == Step::kError) return sql_error(*tracks);
  while ((step = alerts->step()) == Step::kRow)
    if (std::abs(alerts->real(4)) < 1e15)
      ++counts[{bucket_of(alerts->real(4)), alerts->text(0), "alerts", alerts->text(1),
                alerts->text(2) == "line_crossing" ? alerts->text(3) : ""}];
  if (step == Step::kError) return sql_error(*alerts);
  while ((step = passages->step()) == Step::kRow)
    if (std::abs(passages->real(4)) < 1e15)
      ++counts[{bucket_of(passages->real(4)), passages->text(0), passages->text(1) == "line" ? "crossings" : "visits",
                passages->text(2), passages->text(3)}];
  if (step == Step::kError) return sql_error(*passages);
  std::vector<ActivityCount> out;
  for (const auto& [k, n] : counts)
    out.push_back({std::get<0>(k), std::get<1>(k), std::get<2>(k), std::get<3>(k), std::get<4>(k), n});
  return out;
}

Result<int64_t> Store::each_path(const std::string& camera, double since_epoch, double until_epoch,
                                 const PathVisitor& each) const {
  // Only the two columns needed; the window bounded below as in search_tracks.
  const auto longest = longest_track_span();
  if (!longest) return longest.error();
  const double span = *longest;
  auto s = db_->query(
      "SELECT path, attributes FROM tracks WHERE camera = ?1 AND first_epoch >= ?2 AND first_epoch <= ?3 AND "
      "last_epoch >= ?4");
  s->bind(1, camera).bind(2, since_epoch - span - 1).bind(3, until_epoch > 0 ? until_epoch : 1e300);
  s->bind(4, since_epoch);
  int64_t tracks = 0;
  Step step;
  while ((step = s->step()) == Step::kRow) {
    TrackRow t;
    read_track_attributes(nlohmann::json::parse(s->text(1), nullptr, false), t);
    each(path_from_json(nlohmann::json::parse(s->text(0), nullptr, false)), t.frame_width, t.frame_height);
    ++tracks;
  }
  if (step == Step::kError) return sql_error(*s);
  return tracks;
}

Result<std::vector<AuditRow>> Store::audit_entries(int limit, int offset) const {
  auto s = db_->query(
      "SELECT id, at_epoch, \"user\", action, detail FROM audit_log ORDER BY id DESC LIMIT ?1 OFFSET ?2");
  s->bind(1, limit).bind(2, offset);
  std::vector<AuditRow> rows;
  Step step;
  while ((step = s->step()) == Step::kRow)
    rows.push_back({s->integer(0), s->real(1), s->text(2), s->text(3), s->text(4)});
  if (step == Step::kError) return sql_error(*s);
  return rows;
}

}  // namespace vigie::events
