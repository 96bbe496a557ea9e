// The alert as vigie tells it to others, declared once. The API, the live stream (SSE),
// MQTT and `vigie alerts list --json` serialise alerts from the tables in alert_schema.cc;
// the console's TypeScript types (web/src/alert_schema.ts) are generated from them by
// `vigie-schema --typescript`, and the test alert_schema_typescript_current fails when
// that file is stale.
//
// Versions: an alert field or message field added as optional keeps the version; a field
// renamed, removed, retyped or given another meaning makes a new one (kAlertSchemaVersion
// + 1, and an entry in docs/decisions.md). Every message names its version in "schema".
//
// Everything here is a pure function of its arguments, callable from any thread.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "events/store.h"
#include "rules/rules.h"

namespace vigie::events {

inline constexpr int kAlertSchemaVersion = 1;
// "vigie.alert/<kAlertSchemaVersion>", the value of every message's "schema".
std::string alert_schema_id();

// A field's JSON type; TypeScript and JSON Schema spellings are derived from it.
enum class FieldType {
  kString,
  kNumber,
  kBoolean,
  kIntegers,  // an array of integers
  kBox,       // [x, y, width, height], numbers
  kClipKind,  // "audio" | "video"
  kChange,    // "new" | "update" | "end" | "action"
  kSchemaId,  // the constant alert_schema_id()
  kAlert,     // an alert object
};

// Who gets an alert field. kNetwork: everyone (API, SSE, MQTT, CLI). kLocal: only a reader
// of the store on its own machine (`vigie alerts list`): file paths and the analysis
// run's stream times, which a client elsewhere can do nothing with.
enum class Audience { kNetwork, kLocal };

struct AlertField {
  std::string_view name;
  FieldType type;
  bool nullable;
  Audience audience;  // kLocal fields are optional to a reader (absent from network output)
  std::string_view doc;
  nlohmann::json (*value)(const AlertRow&);
  // Added within the version: vigie always sends it, a reader must accept it absent (a
  // message from an older vigie of the same version).
  bool optional = false;
};
// The alert's fields, in the order they are documented.
std::span<const AlertField> alert_fields();

// The alert as JSON: the kNetwork fields, and the kLocal ones too for kLocal.
nlohmann::json alert_to_json(const AlertRow& alert, Audience audience = Audience::kNetwork);

// The alert as one rules-engine event shows it, for a channel that publishes events as
// they happen without reading the store back (MQTT): no operator status and no media
// yet; the stream times are those of the start.
AlertRow alert_row_of(const rules::AlertEvent& event);

// What a live message says happened to the alert.
enum class AlertChange { kNew, kUpdate, kEnd, kAction };
AlertChange change_of(rules::Phase phase);

// One live message about one alert (SSE, MQTT).
struct AlertMessage {
  AlertChange type = AlertChange::kNew;
  AlertRow alert;
  double sent_epoch = 0;
  std::optional<double> frame_epoch;  // wall-clock time of the analysed frame, when one raised it
  std::optional<std::string> by;      // kAction: the operator
  // MQTT keeps Frigate's habit of sending the alert as its previous message gave it:
  // with_before adds "before", null when `before` is empty (the first message).
  bool with_before = false;
  std::optional<AlertRow> before;
};

struct MessageField {
  std::string_view name;
  FieldType type;
  bool nullable;
  bool optional;  // may be absent
  std::string_view doc;
  std::optional<nlohmann::json> (*value)(const AlertMessage&);  // nullopt: absent
};
std::span<const MessageField> alert_message_fields();

// {"schema": "vigie.alert/1", "type": …, "alert": {…}, "sent_epoch": …, …}; the alert's
// kNetwork fields only.
nlohmann::json alert_message(const AlertMessage& message);

// "" when `alert` has exactly the fields `audience` gets, each of its declared type;
// otherwise the first difference in one line. For the tests of each channel's output.
std::string check_alert_json(const nlohmann::json& alert, Audience audience = Audience::kNetwork);
// The same for a live message, its alert (and `before`) included.
std::string check_alert_message(const nlohmann::json& message);

// The TypeScript declarations of the schema (web/src/alert_schema.ts): the version, the
// interfaces Alert and AlertMessage, the type AlertChange.
std::string alert_typescript();

// The same as a JSON Schema (draft 2020-12) document, for other consumers of MQTT or
// the API: the alert message, the alert under $defs.
nlohmann::json alert_json_schema();

}  // namespace vigie::events
