// Statistics: alerts per rule per hour (a bar chart), and per rule the share the operators
// confirmed against those they marked false alarms — the precision they actually see.
import { api, live, RuleStats } from './api';
import { h, svg } from './dom';

const colours = ['#2b6cb0', '#c05621', '#2f855a', '#6b46c1', '#b7791f', '#c53030'];

export function statsPage(root: HTMLElement) {
  const chart = h('div', { class: 'chart', 'data-testid': 'stats-chart' });
  const table = h('table', { 'data-testid': 'stats-table' });
  root.append(h('h2', {}, 'Statistics (last 24 h)'), chart, table);

  function render(rules: RuleStats[]) {
    const nowHour = Math.floor(Date.now() / 3600000);
    const hours = Array.from({ length: 24 }, (_, i) => nowHour - 23 + i);
    const max = Math.max(1, ...rules.flatMap((r) => r.per_hour.map((p) => p.alerts)));
    const W = 720, H = 180, bw = W / 24 / Math.max(1, rules.length);
    const plot = svg('svg', { viewBox: `0 0 ${W} ${H + 20}`, role: 'img', 'aria-label': 'alerts per rule per hour' });
    rules.forEach((r, k) => {
      for (const p of r.per_hour) {
        const i = hours.indexOf(Math.round(p.hour_epoch / 3600));
        if (i < 0) continue;
        const bh = (p.alerts / max) * H;
        plot.append(
          svg('rect', { x: i * (W / 24) + k * bw, y: H - bh, width: bw - 1, height: bh, fill: colours[k % colours.length] },
            svg('title', {}, `${r.rule}: ${p.alerts} alerts`)),
        );
      }
    });
    hours.forEach((hr, i) => {
      if (i % 3 === 0)
        plot.append(svg('text', { x: i * (W / 24), y: H + 14, 'font-size': 10 }, `${String(new Date(hr * 3600000).getHours()).padStart(2, '0')}h`));
    });
    chart.replaceChildren(plot, h('div', { class: 'legend' }, ...rules.map((r, k) => h('span', {}, h('i', { style: `background:${colours[k % colours.length]}` }), r.rule))));
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

  const load = () => api.stats(Date.now() / 1000 - 86400).then((s) => render(s.rules));
  load();
  // Decisions and new alerts change the figures: reload them (no page reload).
  const off = live.on((m) => m.kind === 'alert' && load());
  return off;
}
