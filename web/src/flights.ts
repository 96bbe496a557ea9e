// Drone flights on the map: the order's perimeter (dashed), the track (red where a minute
// left the order), the ground the camera swept, and its footprint moving along the flight,
// driven by a time slider or the play button; the drone's alerts where it was when it
// raised each. Flights come from `vigie drone check --store` (docs/drones.md).
import type { GeoJSONSource, Map as MapLibreMap } from 'maplibre-gl';
import { api, Flight } from './api';
import { h } from './dom';

type Feature = GeoJSON.Feature;
const collection = (features: Feature[] = []): GeoJSON.FeatureCollection => ({ type: 'FeatureCollection', features });
const LAYERS = ['flight-swept', 'flight-perimeter', 'flight-track', 'flight-footprint', 'flight-alerts'];
const utc = (epoch: number) => new Date(epoch * 1000).toISOString().replace('T', ' ').slice(0, 19) + ' UTC';

// Added over the other overlays once the map's style has loaded.
export function addFlightLayers(map: MapLibreMap) {
  for (const id of LAYERS) map.addSource(id, { type: 'geojson', data: collection() });
  map.addLayer({ id: 'flight-swept', type: 'fill', source: 'flight-swept', paint: { 'fill-color': '#6b46c1', 'fill-opacity': 0.12 } });
  map.addLayer({ id: 'flight-perimeter', type: 'line', source: 'flight-perimeter', paint: { 'line-color': '#2b6cb0', 'line-width': 2, 'line-dasharray': [4, 2] } });
  map.addLayer({ id: 'flight-track', type: 'line', source: 'flight-track', paint: { 'line-color': ['case', ['get', 'flagged'], '#c53030', '#553c9a'], 'line-width': 3 } as never });
  map.addLayer({ id: 'flight-footprint', type: 'fill', source: 'flight-footprint', paint: { 'fill-color': '#805ad5', 'fill-opacity': 0.45 } });
  map.addLayer({ id: 'flight-alerts', type: 'circle', source: 'flight-alerts', paint: { 'circle-radius': 6, 'circle-color': '#e53e3e', 'circle-stroke-color': '#ffffff', 'circle-stroke-width': 2 } });
}

// The footprints of a flight in time order: where the camera was and what ground it saw.
function footprints(f: Flight): Feature[] {
  return f.geojson.features.filter((x) => x.properties?.kind === 'footprint')
    .sort((a, b) => a.properties!.epoch - b.properties!.epoch);
}

// The track as pieces between footprints, each flagged when its minute left the order.
function trackPieces(f: Flight, prints: Feature[]): Feature[] {
  const flagged = new Set(f.flagged.map((m) => m.minute_epoch));
  const pieces: Feature[] = [];
  for (let i = 1; i < prints.length; i++) {
    const a = prints[i - 1].properties!, b = prints[i].properties!;
    pieces.push({
      type: 'Feature', geometry: { type: 'LineString', coordinates: [[a.lon, a.lat], [b.lon, b.lat]] },
      properties: { flagged: flagged.has(Math.floor(a.epoch / 60) * 60) },
    });
  }
  return pieces;
}

// The flight panel under the map: which flight, its order, its minutes flagged, and the
// time it shows. `holder` gets what a test reads (data-flight-*).
export function flightPanel(map: () => MapLibreMap | null, holder: HTMLElement) {
  const select = h('select', { 'data-testid': 'flight-select' }, h('option', { value: '' }, 'no flight shown'));
  const slider = h('input', { type: 'range', min: 0, max: 0, value: 0, 'data-testid': 'flight-time', disabled: true });
  const play = h('button', { type: 'button', 'data-testid': 'flight-play', disabled: true }, 'Play');
  const clock = h('span', { 'data-testid': 'flight-clock' });
  const about = h('p', { class: 'muted', 'data-testid': 'flight-about' });
  const panel = h('div', { class: 'flight-panel', 'data-testid': 'flight-panel' },
    h('label', {}, 'Drone flight ', select), ' ', play, ' ', slider, ' ', clock, about);
  let flight: Flight | null = null;
  let prints: Feature[] = [];
  let timer: number | undefined;
  let asked = 0; // the latest choice: an answer to an earlier one is dropped

  const source = (id: string) => map()?.getSource(id) as GeoJSONSource | undefined;
  function show(i: number) {
    const p = prints[i];
    if (!p) return;
    slider.value = String(i);
    source('flight-footprint')?.setData(collection([p]));
    const q = p.properties!;
    const out = flight!.flagged.find((m) => m.minute_epoch === Math.floor(q.epoch / 60) * 60);
    clock.textContent = `${utc(q.epoch)}, ${Math.round(q.alt_m)} m up` + (out ? ' — outside the order' : '');
    holder.dataset.flightEpoch = String(q.epoch);
    holder.dataset.flightPosition = `${q.lat.toFixed(6)},${q.lon.toFixed(6)}`;
  }
  function stop() {
    window.clearInterval(timer);
    timer = undefined;
    play.textContent = 'Play';
  }

  async function choose(id: string) {
    stop();
    const mine = ++asked;
    const f = id ? await api.flight(id) : null;
    // The drone's alerts of the flight's time, those with a place (an older vigie's have
    // none); the flight is drawn without them when they cannot be read.
    const found = f?.camera
      ? await api.alerts({ camera: f.camera, since: f.start_epoch - 1, before: f.end_epoch + 1, limit: 1000 }).catch(() => null)
      : null;
    const m = map();
    if (mine !== asked || !m) return;
    flight = f;
    prints = f ? footprints(f) : [];
    source('flight-perimeter')?.setData(collection(f ? [{ type: 'Feature', geometry: f.perimeter, properties: {} }] : []));
    source('flight-swept')?.setData(collection(f ? f.geojson.features.filter((x) => x.properties?.kind === 'swept') : []));
    source('flight-track')?.setData(collection(f ? trackPieces(f, prints) : []));
    source('flight-footprint')?.setData(collection());
    const placed = (found?.alerts ?? []).filter((a) => a.lat != null && a.lon != null);
    source('flight-alerts')?.setData(collection(placed.map((a) => ({
      type: 'Feature', geometry: { type: 'Point', coordinates: [a.lon!, a.lat!] }, properties: { rule: a.rule } }))));
    slider.max = String(Math.max(0, prints.length - 1));
    slider.disabled = play.disabled = !f;
    holder.dataset.flightAlertsPlaced = String(placed.length);
    if (!f) {
      about.textContent = clock.textContent = '';
      delete holder.dataset.flightEpoch;
      return;
    }
    const flagged = f.flagged.map((x) => `${utc(x.minute_epoch).slice(11, 16)}` +
      ` (${[x.outside_perimeter && 'perimeter', x.outside_time && 'time'].filter(Boolean).join(', ')})`);
    about.textContent = `Order ${f.reference}: ${f.purpose || 'no purpose given'}, authorised ${utc(f.authorised_start)} to ` +
      `${utc(f.authorised_end)}. Flown ${f.minutes} min, ${Math.round(f.distance_m)} m, ` +
      `${(f.swept_m2 / 1e4).toFixed(1)} ha of ground seen; ${placed.length} alerts placed. ` +
      (flagged.length ? `Outside the order: ${flagged.join('; ')}.` : 'Every minute within the order.');
    const lons = prints.map((p) => p.properties!.lon).concat(f.perimeter.coordinates[0].map((c) => c[0]));
    const lats = prints.map((p) => p.properties!.lat).concat(f.perimeter.coordinates[0].map((c) => c[1]));
    m.fitBounds([[Math.min(...lons), Math.min(...lats)], [Math.max(...lons), Math.max(...lats)]], { padding: 40, duration: 0 });
    show(0);
  }

  select.addEventListener('change', () => {
    const mine = asked + 1; // the number choose() is about to take
    choose(select.value).catch((e) => {
      if (mine === asked) about.textContent = `The flight cannot be shown: ${e instanceof Error ? e.message : e}`;
    });
  });
  slider.addEventListener('input', () => {
    stop();
    show(Number(slider.value));
  });
  play.addEventListener('click', () => {
    if (timer !== undefined) return stop();
    if (Number(slider.value) >= prints.length - 1) show(0);
    play.textContent = 'Pause';
    // One footprint (5 s of flight) each quarter of a second: a 12-minute flight in 36 s.
    timer = window.setInterval(() => {
      const next = Number(slider.value) + 1;
      if (next >= prints.length) return stop();
      show(next);
    }, 250);
  });

  // What is drawn, for a test to read once the map rests.
  function report() {
    const m = map();
    if (!m || !m.getLayer('flight-footprint')) return;
    for (const [key, layer] of [['flightFootprints', 'flight-footprint'], ['flightTrack', 'flight-track'], ['flightAlerts', 'flight-alerts']])
      holder.dataset[key] = String(m.queryRenderedFeatures({ layers: [layer] }).length);
  }

  api.flights().then((r) => {
    for (const f of r.flights)
      select.append(h('option', { value: f.id },
        `${f.reference} · ${utc(f.start_epoch).slice(0, 16)} · ${f.minutes} min` + (f.flagged_minutes ? ` · ${f.flagged_minutes} flagged` : '')));
    holder.dataset.flights = String(r.flights.length);
  }).catch(() => {});
  return { panel, report, close: stop };
}
