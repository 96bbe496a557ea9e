// The camera map: each camera at its configured position (`geo:`) with its view cone,
// red markers for its alerts of the last hour, status colours. No tile server: the city
// model's streets (seen in red, unseen in green, from `server.city_layers`) when the
// server has them, else a plain background; metres on a local plane around the cameras.
// Supervisors also see the risk map (`server.risk_layer`) with its measured accuracy.
import { Alert, api, Camera, live } from './api';
import { h, svg } from './dom';

const R = 6371008.8;

interface GeoJSON {
  features: { geometry: { type: string; coordinates: unknown }; properties: Record<string, unknown> }[];
}

// What the risk layer is, with how well its model did on held-out days (vigie risk map).
function riskNote(g: { features: unknown[]; properties?: Record<string, unknown> }): string {
  const p = g.properties ?? {};
  const pai = typeof p.pai_5_measured === 'number' ? `measured PAI ${p.pai_5_measured.toFixed(2)} at 5 % of the area` +
    (p.measured_on ? ` on ${p.measured_on}` : '') : 'accuracy not measured';
  return `Orange: the ${g.features.length} cells the ${p.model ?? 'risk'} model flags for ${p.forecast_day ?? 'the next day'} ` +
    `(${pai}; police records, not crime — docs/risk.md).`;
}

export function mapPage(root: HTMLElement) {
  const holder = h('div', { class: 'map', 'data-testid': 'map' });
  const note = h('p', { class: 'muted' });
  root.append(h('h2', {}, 'Map'), holder, note);
  let cameras: Camera[] = [];
  let streets: GeoJSON | null = null;
  let risk: (GeoJSON & { properties?: Record<string, unknown> }) | null = null; // supervisors only
  const recent = new Map<string, number>(); // camera → alerts in the last hour

  function render() {
    const placed = cameras.filter((c) => c.geo);
    note.textContent =
      `${placed.length} of ${cameras.length} cameras have a position (geo: in the config). North is up.` +
      (streets ? ' Streets: red where a camera of the city model sees them (vigie city), green where none does.' : '') +
      (risk ? ' ' + riskNote(risk) : '');
    if (!placed.length) return holder.replaceChildren();
    const lat0 = placed.reduce((s, c) => s + c.geo!.lat, 0) / placed.length;
    const lon0 = placed.reduce((s, c) => s + c.geo!.lon, 0) / placed.length;
    const xy = (lat: number, lon: number) => [
      ((lon - lon0) * Math.PI / 180) * R * Math.cos(lat0 * Math.PI / 180),
      -((lat - lat0) * Math.PI / 180) * R,
    ];
    const pts = placed.map((c) => xy(c.geo!.lat, c.geo!.lon));
    const pad = Math.max(...placed.map((c) => c.geo!.range)) + 40;
    const xs = pts.map((p) => p[0]), ys = pts.map((p) => p[1]);
    const x0 = Math.min(...xs) - pad, y0 = Math.min(...ys) - pad;
    const w = Math.max(...xs) + pad - x0, hgt = Math.max(...ys) + pad - y0;
    const map = svg('svg', { viewBox: `${x0} ${y0} ${w} ${hgt}`, role: 'img', 'aria-label': 'camera map' });
    map.append(svg('rect', { x: x0, y: y0, width: w, height: hgt, fill: '#f4f1ea' }));
    if (streets) {
      const g = svg('g', { 'stroke-width': 1.5, 'data-testid': 'map-streets' });
      for (const f of streets.features) {
        if (f.geometry.type !== 'LineString' || f.properties.underground || f.properties.crossing) continue;
        const pts = (f.geometry.coordinates as number[][]).map(([lon, lat]) => xy(lat, lon).join(',')).join(' ');
        g.append(svg('polyline', { points: pts, fill: 'none', stroke: f.properties.seen ? '#c0281a' : '#8fbf96' }));
      }
      map.append(g);
    }
    if (risk) {
      const g = svg('g', { 'data-testid': 'map-risk' });
      const n = risk.features.length;
      risk.features.forEach((f, i) => {
        if (f.geometry.type !== 'Polygon') return;
        const ring = (f.geometry.coordinates as number[][][])[0];
        const pts = ring.map(([lon, lat]) => xy(lat, lon).join(',')).join(' ');
        // The highest-ranked cells darkest.
        g.append(svg('polygon', { points: pts, fill: '#dd6b20', 'fill-opacity': 0.15 + (0.45 * (n - i)) / n, stroke: 'none' }));
      });
      map.append(g);
    }
    placed.forEach((c, i) => {
      const [x, y] = pts[i];
      const g = c.geo!;
      const colour = c.online ? '#2f855a' : '#c53030';
      if (g.fov >= 360) {
        map.append(svg('circle', { cx: x, cy: y, r: g.range, fill: colour, 'fill-opacity': 0.15, stroke: colour }));
      } else {
        const a0 = ((g.heading - g.fov / 2) * Math.PI) / 180, a1 = ((g.heading + g.fov / 2) * Math.PI) / 180;
        const p0 = [x + g.range * Math.sin(a0), y - g.range * Math.cos(a0)];
        const p1 = [x + g.range * Math.sin(a1), y - g.range * Math.cos(a1)];
        map.append(
          svg('path', {
            d: `M${x},${y} L${p0[0]},${p0[1]} A${g.range},${g.range} 0 ${g.fov > 180 ? 1 : 0} 1 ${p1[0]},${p1[1]} Z`,
            fill: colour, 'fill-opacity': 0.15, stroke: colour,
          }),
        );
      }
      map.append(
        svg('circle', { cx: x, cy: y, r: 6, fill: colour, 'data-testid': `map-camera-${c.name}` }, svg('title', {}, `${c.name}: ${c.online ? 'online' : 'offline'}`)),
        svg('text', { x: x + 9, y: y - 9, 'font-size': 14 }, c.name),
      );
      const n = recent.get(c.name) ?? 0;
      if (n > 0)
        map.append(
          svg('circle', { cx: x + 14, cy: y + 14, r: 9, fill: '#e53e3e', 'data-testid': `map-alerts-${c.name}` }, svg('title', {}, `${n} alerts in the last hour`)),
          svg('text', { x: x + 14, y: y + 18, 'font-size': 11, fill: '#fff', 'text-anchor': 'middle' }, String(n)),
        );
    });
    holder.replaceChildren(map);
  }

  fetch('/api/v1/risk.geojson', { credentials: 'same-origin' })
    .then((r) => (r.ok ? r.json() : null)) // 403 for operators, 404 without a risk map
    .then((g) => {
      risk = g;
      render();
    })
    .catch(() => {});
  const hourAgo = () => Date.now() / 1000 - 3600;
  fetch('/api/v1/city/segments.geojson', { credentials: 'same-origin' })
    .then((r) => (r.ok ? r.json() : null))
    .then((g) => {
      streets = g;
      if (g) note.dataset.streets = 'yes';
      render();
    })
    .catch(() => {});
  Promise.all([api.cameras(), api.alerts({ limit: 500 })]).then(([cams, a]) => {
    cameras = cams;
    a.alerts.filter((x: Alert) => x.start_epoch > hourAgo()).forEach((x) => recent.set(x.camera, (recent.get(x.camera) ?? 0) + 1));
    render();
  });
  const off = live.on((m) => {
    if (m.kind === 'cameras') cameras = m.cameras;
    else if (m.type === 'new') recent.set(m.alert.camera, (recent.get(m.alert.camera) ?? 0) + 1);
    render();
  });
  return off;
}
