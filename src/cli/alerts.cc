// `vigie alerts list`: what the rules raised, newest first.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <ctime>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "events/alert_schema.h"
#include "events/store.h"

namespace vigie::cli {

std::string local_time(double epoch) {
  const std::time_t t = static_cast<std::time_t>(epoch);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

double parse_epoch_option(const std::string& s, const std::string& option) {
  if (s.empty()) return 0;
  std::tm tm{};
  tm.tm_isdst = -1;
  for (const char* format : {"%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"}) {
    std::tm parsed = tm;
    const char* end = strptime(s.c_str(), format, &parsed);
    if (end && *end == '\0') return static_cast<double>(std::mktime(&parsed));
  }
  try {
    size_t used = 0;
    const double v = std::stod(s, &used);
    if (used == s.size() && std::isfinite(v)) return v;
  } catch (const std::exception&) {
  }
  throw UsageError(fmt::format("{} '{}': expected YYYY-MM-DD[THH:MM:SS] or Unix seconds", option, s));
}

std::string local_user() {
  const char* user = std::getenv("USER");
  return user && *user ? user : fmt::format("uid:{}", getuid());
}

int alerts_list(const AlertsListOptions& o) {
  auto store = events::Store::open(o.store_path, o.audit_key_path);
  if (!store) throw UsageError(store.error().message);
  events::AlertFilter filter;
  filter.camera = o.camera, filter.rule = o.rule, filter.since_epoch = parse_epoch_option(o.since, "--since"), filter.limit = o.limit;
  // Every search is on the record before its answer is shown.
  const nlohmann::json what = {{"camera", o.camera}, {"rule", o.rule}, {"since", filter.since_epoch}, {"limit", o.limit}};
  const double now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  if (auto r = store.value()->audit(local_user(), "alerts.list", what.dump(), now); !r)
    throw std::runtime_error(r.error().message);
  auto rows = store.value()->alerts(filter);
  if (!rows) throw std::runtime_error(rows.error().message);
  if (o.json) {
    // The schema's alert with its local fields (file paths, stream times): this reader is
    // on the store's machine.
    nlohmann::json list = nlohmann::json::array();
    for (const auto& r : *rows) list.push_back(events::alert_to_json(r, events::Audience::kLocal));
    fmt::print("{}\n", nlohmann::json{{"schema", events::alert_schema_id()}, {"alerts", list}}.dump(2));
    return 0;
  }
  fmt::print("{:<19}  {:>6}  {:<14} {:<30} {:>6}  {:<8} {}\n", "start", "secs", "camera", "rule", "peak", "detail", "tracks");
  for (const auto& r : *rows)
    fmt::print("{:<19}  {:>6}  {:<14} {:<30} {:>6g}  {:<8} {}\n", local_time(r.start_epoch),
               r.end_epoch ? fmt::format("{:.1f}", *r.end_epoch - r.start_epoch) : "open", r.camera, r.rule, r.peak,
               r.detail, fmt::join(r.track_ids, ","));
  fmt::print("{} alerts\n", rows->size());
  return 0;
}

namespace {

std::unique_ptr<events::Store> open_for_audit(const AuditOptions& o) {
  auto store = events::Store::open(o.store_path, o.audit_key_path);
  if (!store) throw UsageError(store.error().message);
  return std::move(store.value());
}

}  // namespace

int audit_verify(const AuditOptions& o) {
  const auto check = open_for_audit(o)->verify_audit();
  if (!check) throw std::runtime_error(check.error().message);
  const auto& c = *check;
  const bool proven = c.ok && (c.authenticated || c.entries == 0);
  if (o.json) {
    fmt::print("{}\n", nlohmann::json{{"ok", c.ok}, {"authenticated", c.authenticated}, {"entries", c.entries},
                                      {"signed_entries", c.signed_entries}, {"unsigned_entries", c.unsigned_entries},
                                      {"head_found", c.head_found}, {"head_id", c.head_id}, {"key", c.key_path},
                                      {"first_bad_id", c.first_bad_id}, {"problem", c.problem},
                                      {"head_hash", c.head_hash}}
                           .dump(2));
    return proven ? 0 : 1;
  }
  if (!c.ok) {
    fmt::print("audit log TAMPERED at entry {}: {}\n", c.first_bad_id, c.problem);
    if (!c.authenticated) fmt::print("(MACs not checked: no key at '{}')\n", c.key_path);
    return 1;
  }
  fmt::print("audit log intact: {} entries, head {}\n", c.entries, c.head_hash.empty() ? "-" : c.head_hash);
  if (c.authenticated) {
    fmt::print("authenticated with key '{}': {} entries signed and their MACs match{}\n", c.key_path,
               c.signed_entries, c.head_found ? fmt::format("; the head file (entry {}) matches", c.head_id) : "");
  } else {
    fmt::print("NOT authenticated: no key at '{}' (give --audit-key): anyone who can write the database could have "
               "rewritten the whole chain consistently\n",
               c.key_path);
  }
  if (c.unsigned_entries > 0)
    fmt::print("{} entries from before signing were checked by their hash only{}\n", c.unsigned_entries,
               c.signed_entries > 0 && c.authenticated ? " (the signed entries after them cover them through the chain)"
                                                       : "");
  if (c.head_found && c.head_id < c.entries)
    fmt::print("{} entries after the head file's entry {} (an append that did not finish writing its head)\n",
               c.entries - c.head_id, c.head_id);
  return proven ? 0 : 1;
}

int audit_head(const AuditOptions& o) {
  auto store = open_for_audit(o);
  const auto head = store->audit_head();
  if (!head) throw std::runtime_error(head.error().message);
  if (!*head) throw std::runtime_error(fmt::format("no audit head beside '{}' yet (nothing was signed)", o.store_path));
  const auto& h = **head;
  if (o.json) fmt::print("{}\n", nlohmann::json{{"id", h.id}, {"hash", h.hash}, {"mac", h.mac}}.dump());
  else fmt::print("vigie audit head {}: id {} hash {} mac {}\n", o.store_path, h.id, h.hash, h.mac);
  return 0;
}

}  // namespace vigie::cli
