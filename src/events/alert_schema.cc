#include "events/alert_schema.h"

#include <fmt/format.h>

#include <algorithm>

namespace vigie::events {
namespace {

using nlohmann::json;

// The one declaration of the alert's fields. Changing one changes the API, SSE, MQTT, the
// CLI and (after `vigie-schema --typescript`) the console together; see the version rule
// in alert_schema.h.
const AlertField kAlertFields[] = {
    {"id", FieldType::kString, false, Audience::kNetwork,
     "Unique across runs, processes and machines (a UUIDv7 by default).",
     [](const AlertRow& a) -> json { return a.id; }},
    {"camera", FieldType::kString, false, Audience::kNetwork, "The camera's name in the configuration.",
     [](const AlertRow& a) -> json { return a.camera; }},
    {"rule", FieldType::kString, false, Audience::kNetwork, "The rule's name, e.g. line_crossing:mid.",
     [](const AlertRow& a) -> json { return a.rule; }},
    {"rule_type", FieldType::kString, false, Audience::kNetwork,
     "The rule's type: line_crossing, loitering, abandoned_object, impulse, sound_level, ...",
     [](const AlertRow& a) -> json { return a.rule_type; }},
    {"where", FieldType::kString, false, Audience::kNetwork, "The zone or line, if any ('' otherwise).",
     [](const AlertRow& a) -> json { return a.where; }},
    {"detail", FieldType::kString, false, Audience::kNetwork, "Line crossings: a_to_b or b_to_a; '' otherwise.",
     [](const AlertRow& a) -> json { return a.detail; }},
    {"tracks", FieldType::kIntegers, false, Audience::kNetwork, "The tracker's ids of the objects involved.",
     [](const AlertRow& a) -> json { return a.track_ids; }},
    {"start_epoch", FieldType::kNumber, false, Audience::kNetwork, "When the situation began, Unix seconds.",
     [](const AlertRow& a) -> json { return a.start_epoch; }},
    {"last_epoch", FieldType::kNumber, false, Audience::kNetwork, "The alert's latest event, Unix seconds.",
     [](const AlertRow& a) -> json { return a.last_epoch; }},
    {"end_epoch", FieldType::kNumber, true, Audience::kNetwork, "When it ended, Unix seconds; null while open.",
     [](const AlertRow& a) -> json { return a.end_epoch ? json(*a.end_epoch) : json(); }},
    {"peak", FieldType::kNumber, false, Audience::kNetwork,
     "The highest so far: a count (crossings, people), dwell seconds or a sound level (dB SPL).",
     [](const AlertRow& a) -> json { return a.peak; }},
    {"status", FieldType::kString, false, Audience::kNetwork,
     "The latest operator action: acknowledge, false_alarm, dispatch; '' before any.",
     [](const AlertRow& a) -> json { return a.status; }},
    {"snapshot", FieldType::kBoolean, false, Audience::kNetwork,
     "A picture is stored (GET /api/v1/alerts/{id}/snapshot).",
     [](const AlertRow& a) -> json { return !a.snapshot_path.empty(); }},
    // Sound alerts record WAV, video alerts MP4: the console picks its player by kind.
    {"clip", FieldType::kClipKind, true, Audience::kNetwork,
     "The kind of the stored clip (GET /api/v1/alerts/{id}/clip); null when there is none.",
     [](const AlertRow& a) -> json {
       return a.clip_path.empty() ? json() : json(a.clip_path.ends_with(".wav") ? "audio" : "video");
     }},
    {"box", FieldType::kBox, false, Audience::kNetwork,
     "What the alert is about, as raised: x, y, width, height in frame pixels.",
     [](const AlertRow& a) -> json { return {a.box.x, a.box.y, a.box.w, a.box.h}; }},
    {"lat", FieldType::kNumber, true, Audience::kNetwork,
     "A moving camera's (a drone's) latitude when it raised the alert, WGS84; null for a fixed camera "
     "(absent from an older vigie).",
     [](const AlertRow& a) -> json { return a.position ? json(a.position->lat) : json(); }, /*optional=*/true},
    {"lon", FieldType::kNumber, true, Audience::kNetwork, "Its longitude, WGS84; null for a fixed camera.",
     [](const AlertRow& a) -> json { return a.position ? json(a.position->lon) : json(); }, /*optional=*/true},
    {"run_id", FieldType::kString, false, Audience::kLocal,
     "The analysis run whose tracker numbered tracks ('' for alerts stored before runs were).",
     [](const AlertRow& a) -> json { return a.run_id; }},
    {"stream_start_s", FieldType::kNumber, false, Audience::kLocal,
     "Stream time the situation began, seconds into the input.",
     [](const AlertRow& a) -> json { return a.stream_start_s; }},
    {"stream_raised_s", FieldType::kNumber, false, Audience::kLocal, "Stream time the alert was raised.",
     [](const AlertRow& a) -> json { return a.stream_raised_s; }},
    {"snapshot_path", FieldType::kString, false, Audience::kLocal, "The picture's file ('' when none).",
     [](const AlertRow& a) -> json { return a.snapshot_path; }},
    {"clip_path", FieldType::kString, false, Audience::kLocal, "The clip's file ('' when none).",
     [](const AlertRow& a) -> json { return a.clip_path; }},
};

constexpr AlertChange kChanges[] = {AlertChange::kNew, AlertChange::kUpdate, AlertChange::kEnd, AlertChange::kAction};

const char* change_name(AlertChange c) {
  switch (c) {
    case AlertChange::kNew: return "new";
    case AlertChange::kUpdate: return "update";
    case AlertChange::kEnd: return "end";
    case AlertChange::kAction: return "action";
  }
  return "?";
}

using Value = std::optional<json>;

const MessageField kMessageFields[] = {
    {"schema", FieldType::kSchemaId, false, false, "The version of this message's shape and its alert's.",
     [](const AlertMessage&) -> Value { return alert_schema_id(); }},
    {"type", FieldType::kChange, false, false,
     "What happened: new, update, end (the rules) or action (an operator's).",
     [](const AlertMessage& m) -> Value { return change_name(m.type); }},
    {"alert", FieldType::kAlert, false, false, "The alert after it happened.",
     [](const AlertMessage& m) -> Value { return alert_to_json(m.alert); }},
    {"sent_epoch", FieldType::kNumber, false, false, "When the message was sent, Unix seconds.",
     [](const AlertMessage& m) -> Value { return m.sent_epoch; }},
    {"frame_epoch", FieldType::kNumber, false, true,
     "Wall-clock time of the analysed frame that raised it, when a frame did (latency: sent_epoch - frame_epoch).",
     [](const AlertMessage& m) -> Value { return m.frame_epoch ? Value(*m.frame_epoch) : std::nullopt; }},
    {"by", FieldType::kString, false, true, "type action: the operator who acted.",
     [](const AlertMessage& m) -> Value { return m.by ? Value(*m.by) : std::nullopt; }},
    {"before", FieldType::kAlert, true, true,
     "MQTT: the alert as the previous message about it gave it; null on new.",
     [](const AlertMessage& m) -> Value {
       if (!m.with_before) return std::nullopt;
       return m.before ? alert_to_json(*m.before) : json();
     }},
};

constexpr std::string_view kAlertDoc =
    "An alert as the API, the live stream, MQTT and `vigie alerts list --json` give it.";
constexpr std::string_view kMessageDoc =
    "One live message about one alert: Server-Sent Events \"alert\", MQTT <prefix>/events.";

// Whether output for `audience` carries the field: local output carries every field.
bool carries(Audience audience, const AlertField& f) {
  return f.audience == Audience::kNetwork || audience == Audience::kLocal;
}

// A field's documentation, saying who gets it when not everyone does.
std::string doc_of(const AlertField& f) {
  return f.audience == Audience::kLocal ? fmt::format("{} Local: only `vigie alerts list --json`.", f.doc)
                                        : std::string(f.doc);
}

// --- TypeScript ----------------------------------------------------------------------

std::string ts_type(FieldType t) {
  switch (t) {
    case FieldType::kString: return "string";
    case FieldType::kNumber: return "number";
    case FieldType::kBoolean: return "boolean";
    case FieldType::kIntegers: return "number[]";
    case FieldType::kBox: return "[number, number, number, number]";
    case FieldType::kClipKind: return "'audio' | 'video'";
    case FieldType::kChange: return "AlertChange";
    case FieldType::kSchemaId: return "typeof ALERT_SCHEMA";
    case FieldType::kAlert: return "Alert";
  }
  return "unknown";
}

std::string ts_member(std::string_view name, FieldType type, bool nullable, bool optional, std::string_view doc) {
  return fmt::format("  /** {} */\n  {}{}: {}{};\n", doc, name, optional ? "?" : "", ts_type(type),
                     nullable ? " | null" : "");
}

std::string ts_changes() {
  std::string out;
  for (AlertChange c : kChanges) out += fmt::format("{}'{}'", out.empty() ? "" : " | ", change_name(c));
  return out;
}

// --- JSON Schema ---------------------------------------------------------------------

json js_type(FieldType t) {
  switch (t) {
    case FieldType::kString: return {{"type", "string"}};
    case FieldType::kNumber: return {{"type", "number"}};
    case FieldType::kBoolean: return {{"type", "boolean"}};
    case FieldType::kIntegers: return {{"type", "array"}, {"items", {{"type", "integer"}}}};
    case FieldType::kBox:
      return {{"type", "array"}, {"items", {{"type", "number"}}}, {"minItems", 4}, {"maxItems", 4}};
    case FieldType::kClipKind: return {{"enum", {"audio", "video"}}};
    case FieldType::kChange: {
      json names = json::array();
      for (AlertChange c : kChanges) names.push_back(change_name(c));
      return {{"enum", names}};
    }
    case FieldType::kSchemaId: return {{"const", alert_schema_id()}};
    case FieldType::kAlert: return {{"$ref", "#/$defs/Alert"}};
  }
  return json::object();
}

json js_property(FieldType type, bool nullable, std::string_view doc) {
  json p = nullable ? json{{"anyOf", {js_type(type), {{"type", "null"}}}}} : js_type(type);
  p["description"] = doc;
  return p;
}

// Unknown properties are allowed on purpose: an optional field added keeps the version.
json js_object(std::string_view doc) {
  return {{"type", "object"}, {"description", doc}, {"properties", json::object()}, {"required", json::array()}};
}

// --- checks --------------------------------------------------------------------------

bool all_numbers(const json& v, bool integers) {
  if (!v.is_array()) return false;
  for (const auto& x : v)
    if (integers ? !x.is_number_integer() : !x.is_number()) return false;
  return true;
}

bool has_type(const json& v, FieldType t) {
  switch (t) {
    case FieldType::kString: return v.is_string();
    case FieldType::kNumber: return v.is_number();
    case FieldType::kBoolean: return v.is_boolean();
    case FieldType::kIntegers: return all_numbers(v, true);
    case FieldType::kBox: return all_numbers(v, false) && v.size() == 4;
    case FieldType::kClipKind: return v == "audio" || v == "video";
    case FieldType::kChange:
      return std::any_of(std::begin(kChanges), std::end(kChanges), [&](AlertChange c) { return v == change_name(c); });
    case FieldType::kSchemaId: return v == alert_schema_id();
    case FieldType::kAlert: return check_alert_json(v).empty();
  }
  return false;
}

// What is wrong with one field's value ("" when nothing).
std::string check_value(const json& object, std::string_view name, FieldType type, bool nullable, bool optional) {
  const auto it = object.find(name);
  if (it == object.end()) return optional ? "" : fmt::format("field '{}' is missing", name);
  if ((nullable && it->is_null()) || has_type(*it, type)) return "";
  if (type == FieldType::kAlert) return fmt::format("field '{}': {}", name, check_alert_json(*it));
  return fmt::format("field '{}' is {}, not {}{}", name, it->dump(), ts_type(type), nullable ? " | null" : "");
}

// The first key of `object` that `declared` does not allow ("" when none).
template <typename Field, typename Declared>
std::string undeclared(const json& object, std::span<const Field> fields, Declared declared) {
  for (auto it = object.begin(); it != object.end(); ++it) {
    const auto named = [&](const Field& f) { return f.name == it.key(); };
    const auto f = std::find_if(fields.begin(), fields.end(), named);
    if (f == fields.end() || !declared(*f))
      return fmt::format("field '{}' is not declared{}", it.key(), f == fields.end() ? "" : " for this audience");
  }
  return "";
}

}  // namespace

std::string alert_schema_id() { return fmt::format("vigie.alert/{}", kAlertSchemaVersion); }

std::span<const AlertField> alert_fields() { return kAlertFields; }

std::span<const MessageField> alert_message_fields() { return kMessageFields; }

json alert_to_json(const AlertRow& alert, Audience audience) {
  json j = json::object();
  for (const auto& f : kAlertFields)
    if (carries(audience, f)) j[std::string(f.name)] = f.value(alert);
  return j;
}

AlertRow alert_row_of(const rules::AlertEvent& e) {
  AlertRow r;
  r.id = e.alert_id, r.camera = e.camera, r.rule = e.rule, r.rule_type = e.rule_type;
  r.where = e.where, r.detail = e.detail, r.run_id = e.run_id, r.track_ids = e.track_ids;
  r.start_epoch = e.epoch_s - (e.time_s - e.start_s);  // as the store records it
  r.last_epoch = e.epoch_s;
  if (e.phase == rules::Phase::kEnd) r.end_epoch = e.epoch_s;
  r.peak = e.peak, r.box = e.box, r.position = e.position;
  r.stream_start_s = e.start_s;
  if (e.phase == rules::Phase::kStart) r.stream_raised_s = e.time_s;
  return r;
}

AlertChange change_of(rules::Phase phase) {
  switch (phase) {
    case rules::Phase::kStart: return AlertChange::kNew;
    case rules::Phase::kUpdate: return AlertChange::kUpdate;
    case rules::Phase::kEnd: return AlertChange::kEnd;
  }
  return AlertChange::kUpdate;
}

json alert_message(const AlertMessage& message) {
  json j = json::object();
  for (const auto& f : kMessageFields)
    if (auto v = f.value(message)) j[std::string(f.name)] = std::move(*v);
  return j;
}

std::string check_alert_json(const json& alert, Audience audience) {
  if (!alert.is_object()) return fmt::format("an alert is an object, not {}", alert.dump());
  for (const auto& f : kAlertFields)
    if (carries(audience, f))
      if (auto e = check_value(alert, f.name, f.type, f.nullable, f.optional); !e.empty()) return e;
  return undeclared(alert, alert_fields(), [&](const AlertField& f) { return carries(audience, f); });
}

std::string check_alert_message(const json& message) {
  if (!message.is_object()) return fmt::format("a message is an object, not {}", message.dump());
  for (const auto& f : kMessageFields)
    if (auto e = check_value(message, f.name, f.type, f.nullable, f.optional); !e.empty()) return e;
  return undeclared(message, alert_message_fields(), [](const MessageField&) { return true; });
}

std::string alert_typescript() {
  std::string out = fmt::format(
      "// Generated from src/events/alert_schema.cc by `vigie-schema --typescript`: do not edit.\n"
      "// To change the alert, change the tables there and run\n"
      "//   build/vigie-schema --typescript > web/src/alert_schema.ts\n"
      "// (the test alert_schema_typescript_current fails while this file is stale).\n\n"
      "export const ALERT_SCHEMA_VERSION = {};\nexport const ALERT_SCHEMA = '{}';\n\n"
      "export type AlertChange = {};\n\n/** {} */\nexport interface Alert {{\n",
      kAlertSchemaVersion, alert_schema_id(), ts_changes(), kAlertDoc);
  for (const auto& f : kAlertFields)
    out += ts_member(f.name, f.type, f.nullable, f.audience == Audience::kLocal || f.optional, doc_of(f));
  out += fmt::format("}}\n\n/** {} */\nexport interface AlertMessage {{\n", kMessageDoc);
  for (const auto& f : kMessageFields) out += ts_member(f.name, f.type, f.nullable, f.optional, f.doc);
  return out + "}\n";
}

json alert_json_schema() {
  json alert = js_object(kAlertDoc);
  for (const auto& f : kAlertFields) {
    alert["properties"][std::string(f.name)] = js_property(f.type, f.nullable, doc_of(f));
    if (f.audience == Audience::kNetwork && !f.optional) alert["required"].push_back(f.name);
  }
  json message = js_object(kMessageDoc);
  for (const auto& f : kMessageFields) {
    message["properties"][std::string(f.name)] = js_property(f.type, f.nullable, f.doc);
    if (!f.optional) message["required"].push_back(f.name);
  }
  message["$schema"] = "https://json-schema.org/draft/2020-12/schema";
  message["title"] = alert_schema_id();
  message["$defs"] = {{"Alert", alert}};
  return message;
}

}  // namespace vigie::events
