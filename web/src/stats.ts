// Statistics (supervisors): alerts per rule and tracks per class, hour by hour over the
// last 24 h (uPlot charts); per rule the share the operators confirmed against those they
// marked false alarms — the precision they actually see; where one camera's tracks went
// (a heat map over its picture); and the counts as CSV.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { ActivityCount, api, live, media, RuleStats } from './api';
import { h } from './dom';

const colours = ['#2b6cb0', '#c05621', '#2f855a', '#6b46c1', '#b7791f', '#c53030', '#319795', '#d53f8c'];

// One series per key over the last 24 hours, as uPlot wants them: x (seconds) then y's.
function hourly(keys: string[], count: (key: string, hourEpoch: number) => number): uPlot.AlignedData {
  const now = Math.floor(Date.now() / 3600000) * 3600;
  const xs = Array.from({ length: 24 }, (_, i) => now - (23 - i) * 3600);
  return [xs, ...keys.map((k) => xs.map((x) => count(k, x)))];
}

function chart(target: HTMLElement, title: string, keys: string[], data: uPlot.AlignedData, old?: uPlot) {
  old?.destroy();
  const width = Math.min(900, Math.max(320, target.clientWidth || 720));
  return new uPlot(
    {
      title, width, height: 220,
      scales: { x: { time: true } },
      series: [{}, ...keys.map((k, i) => ({ label: k, stroke: colours[i % colours.length], width: 2, points: { show: true } }))],
      axes: [{}, { label: 'per hour' }],
    },
    data,
    target,
  );
}

export function statsPage(root: HTMLElement) {
  const alertChart = h('div', { class: 'chart', 'data-testid': 'stats-chart' });
  const trackChart = h('div', { class: 'chart', 'data-testid': 'stats-tracks-chart' });
  const crossingChart = h('div', { class: 'chart', 'data-testid': 'stats-crossings-chart' });
  const table = h('table', { 'data-testid': 'stats-table' });
  const cameraPick = h('select', { 'data-testid': 'heat-camera', 'aria-label': 'camera' });
  const heat = h('div', { class: 'heat', 'data-testid': 'heat' });
  const since = () => Math.floor(Date.now() / 1000 - 86400);
  const csv = h('a', { href: '#', 'data-testid': 'stats-csv', download: 'activity.csv' }, 'Download the counts (CSV, audited)');
  root.append(
    h('h2', {}, 'Statistics (last 24 h)'), alertChart, table, trackChart, crossingChart,
    h('h3', {}, 'Where tracks went'), h('div', { class: 'filters' }, cameraPick, csv), heat,
  );
  let plots: uPlot[] = [];

  function renderRules(rules: RuleStats[]) {
    const names = rules.map((r) => r.rule);
    const perHour = new Map(rules.map((r) => [r.rule, new Map(r.per_hour.map((p) => [p.hour_epoch, p.alerts]))]));
    plots[0] = chart(alertChart, 'Alerts per rule', names, hourly(names, (k, x) => perHour.get(k)?.get(x) ?? 0), plots[0]);
    table.replaceChildren(
      h('tr', {}, ...['rule', 'alerts', 'confirmed', 'false alarms', 'undecided', 'precision'].map((t) => h('th', {}, t))),
      ...rules.map((r) =>
        h(
          'tr',
          { 'data-testid': 'stats-row', 'data-rule': r.rule },
          h('td', {}, r.rule),
          h('td', {}, String(r.alerts)),
          h('td', { 'data-testid': 'stats-confirmed' }, String(r.confirmed)),
          h('td', { 'data-testid': 'stats-false-alarms' }, String(r.false_alarms)),
          h('td', {}, String(r.open)),
          h('td', {}, r.precision === null ? '—' : `${(r.precision * 100).toFixed(0)} %`),
        ),
      ),
    );
  }

  function renderTracks(counts: ActivityCount[]) {
    const tracks = counts.filter((c) => c.kind === 'tracks');
    const classes = [...new Set(tracks.map((c) => c.what))].sort();
    const sum = (k: string, x: number) => tracks.filter((c) => c.what === k && c.bucket_epoch === x).reduce((a, c) => a + c.count, 0);
    plots[1] = chart(trackChart, 'Tracks per class (all cameras)', classes, hourly(classes, sum), plots[1]);
    // Line crossings by line and direction, whether or not a rule counts them.
    const crossings = counts.filter((c) => c.kind === 'crossings');
    const key = (c: ActivityCount) => `${c.camera} ${c.what} ${c.direction === 'a_to_b' ? 'A→B' : 'B→A'}`;
    const ways = [...new Set(crossings.map(key))].sort();
    const waySum = (k: string, x: number) => crossings.filter((c) => key(c) === k && c.bucket_epoch === x).reduce((a, c) => a + c.count, 0);
    crossingChart.hidden = ways.length === 0;
    if (ways.length) plots[2] = chart(crossingChart, 'Line crossings by direction', ways, hourly(ways, waySum), plots[2]);
    const cameras = [...new Set(counts.map((c) => c.camera))].sort();
    const chosen = cameraPick.value;
    cameraPick.replaceChildren(...cameras.map((c) => h('option', { value: c, selected: c === chosen }, c)));
    if (!chosen && cameras.length) showHeat();
  }

  function showHeat() {
    const camera = cameraPick.value;
    if (!camera) return;
    heat.replaceChildren(
      h('img', { class: 'heat-frame', src: media.frame(camera, 0), alt: '', onerror: (e: Event) => ((e.target as HTMLElement).hidden = true) }),
      h('img', { class: 'heat-map', src: media.heatmap(camera, since()), alt: `where tracks went on ${camera}`, 'data-testid': 'heat-map' }),
    );
  }
  cameraPick.addEventListener('change', showHeat);
  csv.addEventListener('click', () => csv.setAttribute('href', media.activityCsv(since())));

  // A load's answers are drawn only if the page is still open and no newer load started.
  let alive = true, generation = 0;
  const load = () => {
    const mine = ++generation;
    const current = () => alive && mine === generation;
    api.stats(since()).then((s) => current() && renderRules(s.rules)).catch(() => {});
    api.activity(since()).then((a) => current() && renderTracks(a.counts)).catch(() => {});
  };
  load();
  // Decisions and new alerts change the figures: reloaded (no page reload), at most every
  // 5 s — a burst of line crossings is one reload, not one per alert.
  let pending: number | undefined;
  const off = live.on((m) => {
    if (m.kind !== 'alert' || pending !== undefined) return;
    pending = window.setTimeout(() => ((pending = undefined), load()), 5000);
  });
  return () => {
    alive = false;
    off();
    window.clearTimeout(pending);
    plots.forEach((p) => p?.destroy());
    plots = [];
  };
}
