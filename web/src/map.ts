// The camera map (MapLibre GL): each camera at its configured position (`geo:`) with its
// view cone, a red count of its alerts of the last hour, status colours; pan and zoom.
// Under them: the city's basemap, vector tiles vigie serve makes from its own OSM extract
// (`server.basemap`; no tile server on the internet), the city model's streets seen and
// unseen (`server.city_layers`), and for supervisors the risk map (`server.risk_layer`)
// with its measured accuracy; drone flights (flights.ts). No text comes from the tiles:
// the map needs no font server.
import type { GeoJSONSource, Map as MapLibreMap, Marker, StyleSpecification } from 'maplibre-gl';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import 'maplibre-gl/dist/maplibre-gl.css';
import { Alert, api, Camera, live } from './api';
import { h } from './dom';
import { addFlightLayers, flightPanel } from './flights';

const R = 6371008.8;

interface Basemap {
  bounds: [number, number, number, number];
  minzoom: number;
  maxzoom: number;
  attribution: string;
}

type Collection = GeoJSON.FeatureCollection & { properties?: Record<string, unknown> };
const empty = (): Collection => ({ type: 'FeatureCollection', features: [] });

// What the risk layer is, with how well its model did on held-out days (vigie risk map).
function riskNote(g: Collection): string {
  const p = g.properties ?? {};
  const pai = typeof p.pai_5_measured === 'number' ? `measured PAI ${p.pai_5_measured.toFixed(2)} at 5 % of the area` +
    (p.measured_on ? ` on ${p.measured_on}` : '') : 'accuracy not measured';
  return `Orange: the ${g.features.length} cells the ${p.model ?? 'risk'} model flags for ${p.forecast_day ?? 'the next day'} ` +
    `(${pai}; police records, not crime — docs/risk.md).`;
}

// A camera's view as a polygon in longitude/latitude: a disc, or a sector from its heading.
function viewCone(c: Camera): GeoJSON.Feature {
  const g = c.geo!;
  const metres = (dx: number, dy: number): [number, number] => [
    g.lon + ((dx / (R * Math.cos((g.lat * Math.PI) / 180))) * 180) / Math.PI,
    g.lat + ((dy / R) * 180) / Math.PI,
  ];
  const from = g.fov >= 360 ? 0 : g.heading - g.fov / 2, span = Math.min(g.fov, 360);
  const ring: [number, number][] = g.fov >= 360 ? [] : [[g.lon, g.lat]];
  for (let i = 0; i <= 32; i++) {
    const a = ((from + (span * i) / 32) * Math.PI) / 180;
    ring.push(metres(g.range * Math.sin(a), g.range * Math.cos(a)));
  }
  ring.push(ring[0]);
  return { type: 'Feature', geometry: { type: 'Polygon', coordinates: [ring] }, properties: { online: c.online } };
}

function style(basemap: Basemap | null): StyleSpecification {
  const s: StyleSpecification = { version: 8, sources: {}, layers: [{ id: 'background', type: 'background', paint: { 'background-color': '#f4f1ea' } }] };
  if (!basemap) return s;
  s.sources.city = {
    type: 'vector', tiles: [`${location.origin}/api/v1/basemap/{z}/{x}/{y}.pbf`], bounds: basemap.bounds,
    minzoom: basemap.minzoom, maxzoom: basemap.maxzoom, attribution: basemap.attribution,
  };
  const layer = (id: string, type: 'fill' | 'line', paint: Record<string, unknown>, filter?: unknown) =>
    s.layers.push({ id, type, source: 'city', 'source-layer': id.split('-')[0], paint, ...(filter ? { filter } : {}) } as never);
  layer('green', 'fill', { 'fill-color': '#d6e6c3' });
  layer('water', 'fill', { 'fill-color': '#a9d0e0' });
  layer('building', 'fill', { 'fill-color': '#d9d1c7', 'fill-outline-color': '#c4b9ab' });
  layer('railway', 'line', { 'line-color': '#9a9a9a', 'line-width': 1.2, 'line-dasharray': [3, 2] });
  const width = (w: number) => ['interpolate', ['exponential', 2], ['zoom'], 12, w / 8, 18, w * 8];
  layer('transportation-path', 'line', { 'line-color': '#ffffff', 'line-width': width(0.6) }, ['==', ['get', 'class'], 'path']);
  layer('transportation-minor', 'line', { 'line-color': '#ffffff', 'line-width': width(1) }, ['==', ['get', 'class'], 'minor']);
  layer('transportation-major', 'line', { 'line-color': '#fbe3a0', 'line-width': width(1.5) }, ['==', ['get', 'class'], 'major']);
  return s;
}

// The overlays, drawn over the basemap in this order.
function addOverlays(map: MapLibreMap) {
  for (const id of ['streets', 'risk', 'views']) map.addSource(id, { type: 'geojson', data: empty() });
  map.addLayer({
    id: 'streets', type: 'line', source: 'streets', filter: ['all', ['!', ['get', 'underground']], ['!', ['get', 'crossing']]],
    paint: { 'line-color': ['case', ['get', 'seen'], '#c0281a', '#3f9a57'], 'line-width': 2.5, 'line-opacity': 0.85 },
  });
  map.addLayer({ id: 'risk', type: 'fill', source: 'risk', paint: { 'fill-color': '#dd6b20', 'fill-opacity': ['get', 'opacity'] } });
  const colour = ['case', ['get', 'online'], '#2f855a', '#c53030'];
  map.addLayer({ id: 'views', type: 'fill', source: 'views', paint: { 'fill-color': colour, 'fill-opacity': 0.18 } as never });
  map.addLayer({ id: 'views-edge', type: 'line', source: 'views', paint: { 'line-color': colour, 'line-width': 1.5 } as never });
}

export function mapPage(root: HTMLElement) {
  const holder = h('div', { class: 'map', 'data-testid': 'map' });
  const note = h('p', { class: 'muted' });
  let map: MapLibreMap | null = null;
  const flights = flightPanel(() => map, holder);
  root.append(h('h2', {}, 'Map'), holder, flights.panel, note);
  let cameras: Camera[] = [];
  let streets: Collection | null = null;
  let risk: Collection | null = null; // supervisors only
  let basemap: Basemap | null = null;
  let framed = false;
  let overlays = false; // added once the style has loaded
  let closed = false;
  const markers = new Map<string, Marker>();
  const recent = new Map<string, number>(); // camera → alerts in the last hour

  function describe() {
    const placed = cameras.filter((c) => c.geo);
    note.textContent =
      `${placed.length} of ${cameras.length} cameras have a position (geo: in the config).` +
      (basemap ? ' Map data © OpenStreetMap contributors, tiles made by vigie from the city\'s extract.' : ' No basemap (server.basemap).') +
      (streets ? ' Streets: red where a camera of the city model sees them (vigie city), green where none does.' : '') +
      (risk ? ' ' + riskNote(risk) : '');
  }

  const shown = new Map<string, string>(); // source → what its data was made from
  function setOnce(source: string, data: Collection, key: string) {
    if (shown.get(source) === key) return;
    shown.set(source, key);
    (map!.getSource(source) as GeoJSONSource).setData(data);
  }

  function marker(c: Camera, maplibre: typeof import('maplibre-gl')): Marker {
    let m = markers.get(c.name);
    if (!m) {
      const el = h('div', { class: 'map-camera', 'data-testid': `map-camera-${c.name}` },
        h('span', { class: 'dot' }), h('span', { class: 'name' }, c.name), h('span', { class: 'badge' }));
      m = new maplibre.Marker({ element: el, anchor: 'center' }).setLngLat([c.geo!.lon, c.geo!.lat]).addTo(map!);
      markers.set(c.name, m);
    }
    return m;
  }

  function render(maplibre: typeof import('maplibre-gl')) {
    describe();
    if (!map || !overlays || closed) return;
    const placed = cameras.filter((c) => c.geo);
    // Data only when it changed: the live stream says the cameras' state every second,
    // and a map given new data never rests.
    const views: Collection = { type: 'FeatureCollection', features: placed.map(viewCone) };
    setOnce('views', views, JSON.stringify(views));
    setOnce('streets', streets ?? empty(), streets ? 'loaded' : '');
    const n = risk?.features.length ?? 0;
    setOnce('risk', {
      type: 'FeatureCollection',
      // The highest-ranked cells darkest.
      features: (risk?.features ?? []).map((f, i) => ({ ...f, properties: { ...f.properties, opacity: 0.15 + (0.45 * (n - i)) / n } })),
    }, risk ? 'loaded' : '');
    for (const c of placed) {
      const el = marker(c, maplibre).setLngLat([c.geo!.lon, c.geo!.lat]).getElement();
      el.classList.toggle('offline', !c.online);
      el.title = `${c.name}: ${c.online ? 'online' : 'offline'}`;
      const badge = el.querySelector('.badge') as HTMLElement;
      const alerts = recent.get(c.name) ?? 0;
      badge.textContent = alerts ? String(alerts) : '';
      badge.title = `${alerts} alerts in the last hour`;
      if (alerts) badge.dataset.testid = `map-alerts-${c.name}`;
    }
    // A camera no longer listed (its worker gone, its lease moved) leaves the map.
    for (const [name, m] of markers)
      if (!placed.some((c) => c.name === name)) {
        m.remove();
        markers.delete(name);
      }
    if (!framed && placed.length) {
      framed = true;
      const lons = placed.map((c) => c.geo!.lon), lats = placed.map((c) => c.geo!.lat);
      map.fitBounds([[Math.min(...lons), Math.min(...lats)], [Math.max(...lons), Math.max(...lats)]],
        { padding: 80, maxZoom: 17, duration: 0 });
    }
  }

  async function open() {
    let maplibre: typeof import('maplibre-gl');
    try {
      maplibre = await import('maplibre-gl');
      maplibre.setWorkerUrl(workerUrl);
      basemap = await fetch('/api/v1/basemap.json', { credentials: 'same-origin' }).then((r) => (r.ok ? r.json() : null)).catch(() => null);
      if (closed) return;
      const b = basemap?.bounds;
      map = new maplibre.Map({
        container: holder, style: style(basemap), attributionControl: { compact: false },
        center: b ? [(b[0] + b[2]) / 2, (b[1] + b[3]) / 2] : [0, 0], zoom: b ? 14 : 1, maxZoom: 19,
      });
    } catch (e) {
      // No WebGL 2 (a locked-down or virtual desktop), or the map's code could not load.
      holder.replaceChildren(h('p', { class: 'error', 'data-testid': 'map-error' },
        `The map cannot be drawn in this browser (${e instanceof Error ? e.message : e}): it needs WebGL 2. ` +
        'The camera wall and the alerts work without it.'));
      return;
    }
    map.addControl(new maplibre.NavigationControl({ showCompass: false }), 'top-right');
    map.addControl(new maplibre.ScaleControl({ unit: 'metric' }), 'bottom-left');
    // What a test (or a curious operator's inspector) can read: where the map is, and how
    // much of the basemap it drew.
    const report = () => {
      holder.dataset.zoom = map!.getZoom().toFixed(2);
      const c = map!.getCenter();
      holder.dataset.center = `${c.lat.toFixed(5)},${c.lng.toFixed(5)}`;
    };
    map.on('moveend', report);
    map.on('idle', () => {
      report();
      if (basemap) holder.dataset.basemapFeatures = String(map!.queryRenderedFeatures({ layers: ['building', 'transportation-minor', 'transportation-path', 'transportation-major'] }).length);
      holder.dataset.coverageFeatures = String(map!.queryRenderedFeatures({ layers: ['streets'] }).length);
      holder.dataset.riskFeatures = String(map!.queryRenderedFeatures({ layers: ['risk'] }).length);
      flights.report();
      holder.dataset.ready = 'yes';
    });
    map.on('load', () => {
      addOverlays(map!);
      addFlightLayers(map!);
      overlays = true;
      render(maplibre);
    });
    const again = () => render(maplibre);
    fetch('/api/v1/risk.geojson', { credentials: 'same-origin' })
      .then((r) => (r.ok ? r.json() : null)) // 403 for operators, 404 without a risk map
      .then((g) => {
        risk = g;
        again();
      })
      .catch(() => {});
    fetch('/api/v1/city/segments.geojson', { credentials: 'same-origin' })
      .then((r) => (r.ok ? r.json() : null))
      .then((g) => {
        streets = g;
        if (g) note.dataset.streets = 'yes';
        again();
      })
      .catch(() => {});
    const hourAgo = () => Date.now() / 1000 - 3600;
    Promise.all([api.cameras(), api.alerts({ limit: 500 })]).then(([cams, a]) => {
      cameras = cams;
      a.alerts.filter((x: Alert) => x.start_epoch > hourAgo()).forEach((x) => recent.set(x.camera, (recent.get(x.camera) ?? 0) + 1));
      again();
    });
    return live.on((m) => {
      if (m.kind === 'cameras') cameras = m.cameras;
      else if (m.type === 'new') recent.set(m.alert.camera, (recent.get(m.alert.camera) ?? 0) + 1);
      again();
    });
  }

  const opened = open();
  return () => {
    closed = true;
    flights.close();
    opened.then((off) => off?.(), () => {});
    map?.remove();
  };
}
