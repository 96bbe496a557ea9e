// Generated from src/events/alert_schema.cc by `vigie-schema --typescript`: do not edit.
// To change the alert, change the tables there and run
//   build/vigie-schema --typescript > web/src/alert_schema.ts
// (the test alert_schema_typescript_current fails while this file is stale).

export const ALERT_SCHEMA_VERSION = 1;
export const ALERT_SCHEMA = 'vigie.alert/1';

export type AlertChange = 'new' | 'update' | 'end' | 'action';

/** An alert as the API, the live stream, MQTT and `vigie alerts list --json` give it. */
export interface Alert {
  /** Unique across runs, processes and machines (a UUIDv7 by default). */
  id: string;
  /** The camera's name in the configuration. */
  camera: string;
  /** The rule's name, e.g. line_crossing:mid. */
  rule: string;
  /** The rule's type: line_crossing, loitering, abandoned_object, impulse, sound_level, ... */
  rule_type: string;
  /** The zone or line, if any ('' otherwise). */
  where: string;
  /** Line crossings: a_to_b or b_to_a; '' otherwise. */
  detail: string;
  /** The tracker's ids of the objects involved. */
  tracks: number[];
  /** When the situation began, Unix seconds. */
  start_epoch: number;
  /** The alert's latest event, Unix seconds. */
  last_epoch: number;
  /** When it ended, Unix seconds; null while open. */
  end_epoch: number | null;
  /** The highest so far: a count (crossings, people), dwell seconds or a sound level (dB SPL). */
  peak: number;
  /** The latest operator action: acknowledge, false_alarm, dispatch; '' before any. */
  status: string;
  /** A picture is stored (GET /api/v1/alerts/{id}/snapshot). */
  snapshot: boolean;
  /** The kind of the stored clip (GET /api/v1/alerts/{id}/clip); null when there is none. */
  clip: 'audio' | 'video' | null;
  /** What the alert is about, as raised: x, y, width, height in frame pixels. */
  box: [number, number, number, number];
  /** A moving camera's (a drone's) latitude when it raised the alert, WGS84; null for a fixed camera (absent from an older vigie). */
  lat?: number | null;
  /** Its longitude, WGS84; null for a fixed camera. */
  lon?: number | null;
  /** The analysis run whose tracker numbered tracks ('' for alerts stored before runs were). Local: only `vigie alerts list --json`. */
  run_id?: string;
  /** Stream time the situation began, seconds into the input. Local: only `vigie alerts list --json`. */
  stream_start_s?: number;
  /** Stream time the alert was raised. Local: only `vigie alerts list --json`. */
  stream_raised_s?: number;
  /** The picture's file ('' when none). Local: only `vigie alerts list --json`. */
  snapshot_path?: string;
  /** The clip's file ('' when none). Local: only `vigie alerts list --json`. */
  clip_path?: string;
}

/** One live message about one alert: Server-Sent Events "alert", MQTT <prefix>/events. */
export interface AlertMessage {
  /** The version of this message's shape and its alert's. */
  schema: typeof ALERT_SCHEMA;
  /** What happened: new, update, end (the rules) or action (an operator's). */
  type: AlertChange;
  /** The alert after it happened. */
  alert: Alert;
  /** When the message was sent, Unix seconds. */
  sent_epoch: number;
  /** Wall-clock time of the analysed frame that raised it, when a frame did (latency: sent_epoch - frame_epoch). */
  frame_epoch?: number;
  /** type action: the operator who acted. */
  by?: string;
  /** MQTT: the alert as the previous message about it gave it; null on new. */
  before?: Alert | null;
}
