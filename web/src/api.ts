// The console's view of `vigie serve`: typed JSON calls under /api/v1 and the live
// Server-Sent Events stream. The session is an HttpOnly cookie the page never sees.
// The alert's types are generated from the server's schema (alert_schema.ts).

import type { Alert, AlertChange, AlertMessage } from './alert_schema';

export type { Alert, AlertChange, AlertMessage } from './alert_schema';

export interface Geo {
  lat: number;
  lon: number;
  heading: number;
  fov: number;
  range: number;
}

// A drone flight as registered by `vigie drone check --store` (GET /api/v1/flights).
export interface FlightSummary {
  id: string;
  camera: string;
  reference: string;
  purpose: string;
  perimeter: GeoJSON.Polygon;
  authorised_start: number;
  authorised_end: number;
  start_epoch: number;
  end_epoch: number;
  minutes: number;
  flagged: { minute_epoch: number; outside_perimeter: boolean; outside_time: boolean }[];
  flagged_minutes: number;
  distance_m: number;
  swept_m2: number;
  video: boolean;
}
// With its track, the camera's footprint every few seconds and the ground swept.
export interface Flight extends FlightSummary {
  geojson: GeoJSON.FeatureCollection;
}

// A request for recorded video without its privacy masks: a supervisor asks, an auditor
// decides, and one export uses the approval: the asker's from the console, or
// `vigie record export --unmasked ID`.
export interface UnmaskedRequest {
  id: string;
  camera: string;
  from_epoch: number;
  to_epoch: number;
  case_reference: string;
  requester: string;
  reason: string;
  requested_by: string;
  requested_epoch: number;
  state: 'pending' | 'approved' | 'refused' | 'used';
  decided_by: string;
  decided_epoch: number;
  decision_reason: string;
  used_epoch: number;
  file?: string;  // GET …/unmasked/mine: the asker's console export, while it is kept
}

// A scancar's car with no right found (GET /api/v1/parking/candidates): only a person
// issues its notice, having ticked that no disability card is visible.
export interface ParkingCandidate {
  id: string;
  round: string;
  plate: string;
  format: 'siv' | 'fni';
  confidence: number;
  taken_epoch: number;
  lat: number;
  lon: number;
  queued_epoch: number;
  state: 'pending' | 'notice' | 'dismissed' | 'cancelled' | 'expired';
  reviewed_by: string;
  reviewed_epoch: number;
  no_card_visible: boolean;
  review_note: string;
  contested_by: string;
  contested_epoch: number;
  contest_card: string;
  photos: boolean;
}

// A requisition's export made by the server (masked), and its manifest, for download.
export interface RecordingExport {
  file: string;
  manifest: string;
  frames: number;
  bytes: number;
  sha256: string;
  manifest_sha256: string;
  first_frame_epoch: number;
  last_frame_epoch: number;
  unmasked: boolean;
}

export interface Segment {
  start_epoch: number;
  end_epoch: number;
  bytes: number;
  sha256: string;
  host: string;
}

export interface Camera {
  name: string;
  online: boolean;
  state: string;
  error: string;
  fps: number;
  decoded: number;
  analysed: number;
  dropped: number;
  queue_depth: number;
  last_frame_epoch: number;
  detector_ms: number;
  alerts: Record<string, number>;
  geo?: Geo;
}

export interface Action {
  action: string;
  note: string;
  user: string;
  at_epoch: number;
}

export interface RuleStats {
  rule: string;
  alerts: number;
  confirmed: number;
  false_alarms: number;
  open: number;
  precision: number | null;
  per_hour: { hour_epoch: number; alerts: number }[];
}

export interface AuditEntry {
  id: number;
  at_epoch: number;
  user: string;
  action: string;
  detail: string;
}

export interface ActivityCount {
  bucket_epoch: number;
  camera: string;
  kind: 'tracks' | 'alerts' | 'crossings' | 'visits';
  what: string;
  direction: string;
  count: number;
}

export interface SearchFilter {
  reason: string;
  class?: string;
  upper?: string;
  lower?: string;
  colour?: string;
  camera?: string;
  from?: number;
  to?: number;
  min_dwell?: number;
  zone?: string;
  crossed?: string;  // a line, or line:a_to_b / line:b_to_a
  similar?: string;  // camera/run/id: ranked by likeness to that track
}

export interface FoundTrack {
  track_id: number;
  run_id: string;
  camera: string;
  class: string;
  upper: string[];
  lower: string[];
  colour: string[];
  first: number;
  last: number;
  dwell_s: number;
  speed: number;
  speed_unit: string;
  heading_deg: number;
  width: number;
  height: number;
  size_unit: string;
  zones: [string, number][];
  crossed: [string, string, number][];
  distance?: number;  // a likeness search's: 0 dressed the same, 1 nothing alike
  ongoing: boolean;   // still in view when last stored: `last` is "so far"
  path: [number, number][];
  thumbnail?: string;
  alerts: { id: string; rule: string; start_epoch: number; clip: boolean }[];
}

export interface SessionInfo {
  user: string;
  role: 'operator' | 'supervisor' | 'auditor' | 'admin' | 'parking_meter';
}

export class ApiError extends Error {
  constructor(
    public status: number,
    message: string,
  ) {
    super(message);
  }
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const data = text ? JSON.parse(text) : {};
  if (!res.ok) throw new ApiError(res.status, data.error ?? `${res.status} ${res.statusText}`);
  return data as T;
}

export const api = {
  recordings: (camera: string, from: number, to: number) =>
    call<{ segments: Segment[] }>('GET', `/api/v1/recordings?camera=${encodeURIComponent(camera)}&from=${from}&to=${to}`),
  requestUnmasked: (r: { camera: string; from: number; to: number; case_reference: string; requester: string; reason: string }) =>
    call<UnmaskedRequest>('POST', '/api/v1/recordings/unmasked', r),
  exportRecording: (r: { camera: string; from: number; to: number; case_reference: string; requester: string }) =>
    call<RecordingExport>('POST', '/api/v1/recordings/exports', r),
  unmaskedRequests: () => call<{ requests: UnmaskedRequest[] }>('GET', '/api/v1/recordings/unmasked'),
  myUnmaskedRequests: () => call<{ requests: UnmaskedRequest[] }>('GET', '/api/v1/recordings/unmasked/mine'),
  exportUnmasked: (id: string) => call<RecordingExport>('POST', `/api/v1/recordings/unmasked/${encodeURIComponent(id)}/export`, {}),
  decideUnmasked: (id: string, approve: boolean, reason: string) =>
    call<UnmaskedRequest>('POST', `/api/v1/recordings/unmasked/${encodeURIComponent(id)}/decision`, { approve, reason }),
  parkingCandidates: (state: ParkingCandidate['state']) =>
    call<{ candidates: ParkingCandidate[] }>('GET', `/api/v1/parking/candidates?state=${state}`),
  issueNotice: (id: string, noCardVisible: boolean, note: string) =>
    call<ParkingCandidate>('POST', `/api/v1/parking/candidates/${encodeURIComponent(id)}/notice`, { no_card_visible: noCardVisible, note }),
  dismissCandidate: (id: string, note: string) =>
    call<ParkingCandidate>('POST', `/api/v1/parking/candidates/${encodeURIComponent(id)}/dismiss`, { note }),
  contestNotice: (id: string, c: { card: string; valid_from: number; valid_until: number; plates: string[] }) =>
    call<ParkingCandidate>('POST', `/api/v1/parking/candidates/${encodeURIComponent(id)}/contest`, c),
  login: (name: string, password: string) => call<SessionInfo>('POST', '/api/v1/login', { name, password }),
  logout: () => call<{ ok: boolean }>('POST', '/api/v1/logout', {}),
  session: () => call<SessionInfo>('GET', '/api/v1/session'),
  cameras: () => call<Camera[]>('GET', '/api/v1/cameras'),
  alerts: (filter: { camera?: string; rule?: string; limit?: number; offset?: number; since?: number; before?: number }) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(filter)) if (v !== undefined && v !== '') q.set(k, String(v));
    return call<{ alerts: Alert[] }>('GET', `/api/v1/alerts?${q}`);
  },
  alert: (id: string) => call<Alert & { actions: Action[] }>('GET', `/api/v1/alerts/${encodeURIComponent(id)}`),
  act: (id: string, action: string, note = '') =>
    call<{ ok: boolean; alert: Alert }>('POST', `/api/v1/alerts/${encodeURIComponent(id)}/actions`, { action, note }),
  stats: (sinceEpoch: number) => call<{ rules: RuleStats[] }>('GET', `/api/v1/stats?since=${sinceEpoch}`),
  activity: (sinceEpoch: number, by: 'hour' | 'day' = 'hour') =>
    call<{ counts: ActivityCount[]; bucket_s: number }>('GET', `/api/v1/stats/activity?since=${sinceEpoch}&by=${by}`),
  search: (filter: SearchFilter) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(filter)) if (v !== undefined && v !== '') q.set(k, String(v));
    return call<{ tracks: FoundTrack[]; limit: number; candidates_capped: boolean }>('GET', `/api/v1/search?${q}`);
  },
  flights: () => call<{ flights: FlightSummary[] }>('GET', '/api/v1/flights'),
  flight: (id: string) => call<Flight>('GET', `/api/v1/flights/${encodeURIComponent(id)}`),
  audit: (limit = 200) => call<{ entries: AuditEntry[]; chain_ok: boolean; chain_authenticated: boolean; chain_problem: string }>('GET', `/api/v1/audit?limit=${limit}`),
};

export const media = {
  snapshot: (id: string) => `/api/v1/alerts/${encodeURIComponent(id)}/snapshot`,
  clip: (id: string) => `/api/v1/alerts/${encodeURIComponent(id)}/clip`,
  frame: (camera: string, n: number) => `/api/v1/cameras/${encodeURIComponent(camera)}/frame.jpg?n=${n}`,
  live: (camera: string) => `/api/v1/cameras/${encodeURIComponent(camera)}/live`,
  heatmap: (camera: string, sinceEpoch: number) => `/api/v1/stats/heatmap/${encodeURIComponent(camera)}.png?since=${sinceEpoch}`,
  parkingPhoto: (id: string, which: 'photo' | 'plate') => `/api/v1/parking/candidates/${encodeURIComponent(id)}/${which}.jpg`,
  activityCsv: (sinceEpoch: number) => `/api/v1/export/activity.csv?since=${sinceEpoch}`,
};

export type LiveMessage =
  | { kind: 'cameras'; cameras: Camera[] }
  | { kind: 'alert'; type: AlertChange; alert: Alert; by?: string };

// One EventSource for the whole console; listeners come and go with the pages.
class Live {
  private source: EventSource | null = null;
  private listeners = new Set<(m: LiveMessage) => void>();
  connected = false;

  start() {
    if (this.source) return;
    this.source = new EventSource('/api/v1/events');
    this.source.addEventListener('open', () => (this.connected = true));
    this.source.addEventListener('error', () => (this.connected = false));
    this.source.addEventListener('cameras', (e) =>
      this.emit({ kind: 'cameras', cameras: JSON.parse((e as MessageEvent).data) }),
    );
    this.source.addEventListener('alert', (e) => {
      const m: AlertMessage = JSON.parse((e as MessageEvent).data);
      this.emit({ kind: 'alert', type: m.type, alert: m.alert, by: m.by });
    });
  }

  stop() {
    this.source?.close();
    this.source = null;
    this.connected = false;
  }

  on(listener: (m: LiveMessage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(m: LiveMessage) {
    for (const l of this.listeners) l(m);
  }
}

export const live = new Live();
