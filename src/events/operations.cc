// Operator decisions on alerts, the statistics built from them, and the audit log read back.
#include <fmt/format.h>
#include <sqlite3.h>

#include <algorithm>
#include <map>

#include "events/statement.h"
#include "events/store.h"

namespace vigie::events {
namespace {

bool known_action(const std::string& a) { return a == "acknowledge" || a == "false_alarm" || a == "dispatch"; }

}  // namespace

Result<Ok> Store::record_action(const std::string& alert_id, const std::string& action, const std::string& note,
                                const std::string& user, double at_epoch) {
  if (!known_action(action))
    return Error{fmt::format("unknown action '{}' (acknowledge, false_alarm or dispatch)", action)};
  Statement exists(db_, "SELECT 1 FROM alerts WHERE id = ?1");
  exists.bind(1, alert_id);
  if (exists.step() != SQLITE_ROW) return Error{fmt::format("no alert '{}'", alert_id)};
  Statement s(db_, "INSERT INTO operator_actions (alert_id, action, note, user, at_epoch) VALUES (?1, ?2, ?3, ?4, ?5)");
  s.bind(1, alert_id).bind(2, action).bind(3, note).bind(4, user).bind(5, at_epoch);
  if (s.step() != SQLITE_DONE) return Error{fmt::format("event store '{}': {}", path_, sqlite3_errmsg(db_))};
  return Ok{};
}

Result<std::vector<ActionRow>> Store::actions(const std::string& alert_id) const {
  Statement s(db_, "SELECT alert_id, action, note, user, at_epoch FROM operator_actions WHERE alert_id = ?1 ORDER BY id");
  s.bind(1, alert_id);
  std::vector<ActionRow> rows;
  while (s.step() == SQLITE_ROW) rows.push_back({s.text(0), s.text(1), s.text(2), s.text(3), s.real(4)});
  return rows;
}

Result<std::vector<RuleStats>> Store::rule_stats(double since_epoch) const {
  std::map<std::string, RuleStats> by_rule;
  Statement decisions(db_,
                      "SELECT rule, (SELECT action FROM operator_actions o WHERE o.alert_id = a.id ORDER BY o.id DESC "
                      "LIMIT 1) FROM alerts a WHERE start_epoch >= ?1");
  decisions.bind(1, since_epoch);
  while (decisions.step() == SQLITE_ROW) {
    auto& r = by_rule[decisions.text(0)];
    r.rule = decisions.text(0);
    ++r.alerts;
    const std::string last = decisions.text(1);
    if (last == "false_alarm") ++r.false_alarms;
    else if (last.empty()) ++r.open;
    else ++r.confirmed;
  }
  Statement hours(db_,
                  "SELECT rule, CAST(start_epoch / 3600 AS INTEGER) AS h, COUNT(*) FROM alerts WHERE start_epoch >= ?1 "
                  "GROUP BY rule, h ORDER BY rule, h");
  hours.bind(1, since_epoch);
  while (hours.step() == SQLITE_ROW)
    by_rule[hours.text(0)].per_hour.emplace_back(static_cast<int64_t>(hours.real(1)), static_cast<int>(hours.real(2)));
  std::vector<RuleStats> out;
  for (auto& [rule, r] : by_rule) out.push_back(std::move(r));
  return out;
}

Result<std::vector<AuditRow>> Store::audit_entries(int limit, int offset) const {
  Statement s(db_, "SELECT id, at_epoch, user, action, detail FROM audit_log ORDER BY id DESC LIMIT ?1 OFFSET ?2");
  s.bind(1, limit).bind(2, offset);
  std::vector<AuditRow> rows;
  while (s.step() == SQLITE_ROW)
    rows.push_back({static_cast<int64_t>(s.real(0)), s.real(1), s.text(2), s.text(3), s.text(4)});
  return rows;
}

}  // namespace vigie::events
