// Forensic search (supervisors): tracks by class, clothing or vehicle colour, camera,
// time, dwell, zone entered and line crossed. A reason — the case reference — is required
// and goes to the audit log with the filters and the number found. Results come newest
// first, or most alike first once a track is chosen as the one to look for ("dressed
// alike"). Each shows its thumbnail, its colours, where it went, its path on the camera's
// picture, and the clips of the alerts it took part in.
import { api, FoundTrack, media, SearchFilter } from './api';
import { dateTime, h, svg } from './dom';

const COLOURS = ['black', 'white', 'grey', 'red', 'orange', 'yellow', 'green', 'blue', 'purple', 'pink', 'brown'];
const SWATCH: Record<string, string> = {
  black: '#111', white: '#f7fafc', grey: '#a0aec0', red: '#e53e3e', orange: '#ed8936', yellow: '#ecc94b',
  green: '#38a169', blue: '#3182ce', purple: '#805ad5', pink: '#ed64a6', brown: '#8b5a2b',
};

function colourSelect(testid: string, label: string) {
  return h('select', { 'data-testid': testid, 'aria-label': label },
    h('option', { value: '' }, `${label}: any`), ...COLOURS.map((c) => h('option', { value: c }, c)));
}

function swatches(names: string[]) {
  if (!names.length) return h('span', { class: 'muted' }, '—');
  return h('span', {}, ...names.map((n) => h('span', { class: 'swatch', title: n }, h('i', { style: `background:${SWATCH[n] ?? '#ccc'}` }), n)));
}

const epochOf = (v: string) => (v ? new Date(v).getTime() / 1000 : undefined);

function wentText(t: FoundTrack) {
  const zones = t.zones.map(([z, at]) => `entered ${z} at ${dateTime(at)}`);
  const lines = t.crossed.map(([l, dir, at]) => `crossed ${l} ${dir === 'a_to_b' ? 'A→B' : 'B→A'} at ${dateTime(at)}`);
  return [...zones, ...lines].join('; ') || 'No zone entered, no line crossed.';
}

export function searchPage(root: HTMLElement) {
  // Not `required` in HTML: the server's refusal, and its reason, is what the user sees.
  const reason = h('input', { placeholder: 'case reference (required)', 'data-testid': 'search-reason' });
  const cls = h('select', { 'data-testid': 'search-class', 'aria-label': 'class' },
    ...['', 'person', 'car', 'bus', 'truck', 'motorcycle', 'bicycle'].map((c) => h('option', { value: c }, c || 'any class')));
  const upper = colourSelect('search-upper', 'upper body');
  const lower = colourSelect('search-lower', 'lower body');
  const colour = colourSelect('search-colour', 'any colour');
  const camera = h('input', { placeholder: 'camera (any)', 'data-testid': 'search-camera' });
  const from = h('input', { type: 'datetime-local', 'data-testid': 'search-from', 'aria-label': 'from' });
  const to = h('input', { type: 'datetime-local', 'data-testid': 'search-to', 'aria-label': 'to' });
  const dwell = h('input', { type: 'number', min: 0, placeholder: 'min. seconds in view', 'data-testid': 'search-dwell' });
  const zone = h('input', { placeholder: 'entered zone', 'data-testid': 'search-zone' });
  const crossed = h('input', { placeholder: 'crossed line[:a_to_b]', 'data-testid': 'search-crossed' });
  // The track the results are ranked against ("" : newest first).
  let similar: FoundTrack | null = null;
  const ranking = h('p', { class: 'muted', 'data-testid': 'search-ranking' });
  const status = h('p', { class: 'muted', 'data-testid': 'search-status' }, 'Give a reason and some filters.');
  const results = h('div', { class: 'results', 'data-testid': 'search-results' });
  const detail = h('aside', { class: 'detail', 'data-testid': 'search-detail' }, h('p', { class: 'muted' }, 'Select a track.'));
  const form = h('form', { class: 'filters search', onsubmit: (e: Event) => { e.preventDefault(); run(); } },
    reason, cls, upper, lower, colour, camera, from, to, dwell, zone, crossed,
    h('button', { type: 'submit', 'data-testid': 'search-submit' }, 'Search'));
  root.append(h('h2', {}, 'Search'), form, ranking, status, h('div', { class: 'split' }, results, detail));
  showRanking();

  function showRanking() {
    if (!similar) {
      ranking.replaceChildren('Sorted by time, newest first.');
      return;
    }
    ranking.replaceChildren(`Sorted by likeness to ${similar.class} ${similar.track_id} on ${similar.camera}, most alike first. `,
      h('button', { 'data-testid': 'search-by-time', onclick: () => { similar = null; showRanking(); run(); } }, 'sort by time'));
  }

  function lookAlike(t: FoundTrack) {
    similar = t;
    showRanking();
    run();
  }

  async function run() {
    const filter: SearchFilter = {
      reason: reason.value, class: cls.value, upper: upper.value, lower: lower.value, colour: colour.value,
      camera: camera.value, from: epochOf(from.value), to: epochOf(to.value), min_dwell: dwell.value ? Number(dwell.value) : undefined,
      zone: zone.value, crossed: crossed.value,
      similar: similar ? `${similar.camera}/${similar.run_id}/${similar.track_id}` : undefined,
    };
    status.className = 'muted';
    status.textContent = 'Searching…';
    try {
      const r = await api.search(filter);
      status.textContent = `${r.tracks.length} track${r.tracks.length === 1 ? '' : 's'}${r.tracks.length === r.limit ? ' (the limit: there may be more)' : ''}. ` +
        (r.candidates_capped ? 'Only the newest matching tracks were ranked: narrow the time or cameras. ' : '') + 'This search is in the audit log.';
      results.replaceChildren(...r.tracks.map(card));
    } catch (e) {
      status.className = 'error';
      status.setAttribute('data-testid', 'search-status');
      status.textContent = String((e as Error).message);
      results.replaceChildren();
    }
  }

  function card(t: FoundTrack) {
    return h('div', { class: 'result', 'data-testid': 'search-result', 'data-track': String(t.track_id), onclick: () => show(t) },
      t.thumbnail ? h('img', { src: t.thumbnail, alt: `track ${t.track_id}`, 'data-testid': 'search-thumb', loading: 'lazy' }) : h('div', { class: 'nosnap' }, '—'),
      h('div', {},
        h('b', {}, `${t.class} ${t.track_id}`), h('div', { class: 'muted' }, `${t.camera} · ${dateTime(t.first)} · ${Math.round(t.dwell_s)} s${t.ongoing ? ' so far, still in view' : ''}`),
        t.distance !== undefined ? h('div', { class: 'muted', 'data-testid': 'search-distance' }, `likeness ${(1 - t.distance).toFixed(2)}`) : '',
        t.class === 'person'
          ? h('div', { 'data-testid': 'search-colours' }, 'top ', swatches(t.upper), ' · bottom ', swatches(t.lower))
          : h('div', { 'data-testid': 'search-colours' }, swatches(t.colour))));
  }

  function show(t: FoundTrack) {
    const plot = svg('svg', { class: 'trajectory', 'data-testid': 'search-path', role: 'img', 'aria-label': `path of track ${t.track_id}` });
    const xs = t.path.map((p) => p[0]), ys = t.path.map((p) => p[1]);
    const fit = (w: number, h2: number) => plot.setAttribute('viewBox', `0 0 ${w} ${h2}`);
    fit(Math.max(...xs, 1) + 20, Math.max(...ys, 1) + 20);
    const picture = new Image();
    picture.onload = () => {
      fit(picture.naturalWidth, picture.naturalHeight);
      plot.prepend(svg('image', { href: picture.src, width: picture.naturalWidth, height: picture.naturalHeight }));
    };
    picture.src = media.frame(t.camera, 0); // the camera's picture now, when it is live
    plot.append(svg('polyline', { points: t.path.map((p) => p.join(',')).join(' '), fill: 'none', stroke: '#e53e3e', 'stroke-width': 3 }));
    if (t.path.length) plot.append(svg('circle', { cx: xs[xs.length - 1], cy: ys[ys.length - 1], r: 6, fill: '#e53e3e' }));
    detail.replaceChildren(
      h('h3', {}, `${t.class} ${t.track_id} on ${t.camera}`),
      h('p', {}, `${dateTime(t.first)} → ${dateTime(t.last)}; ${t.speed.toFixed(1)} ${t.speed_unit}`,
        t.size_unit ? `; ${t.width.toFixed(1)} × ${t.height.toFixed(1)} ${t.size_unit}` : ''),
      h('p', { 'data-testid': 'search-went' }, wentText(t)),
      h('button', { 'data-testid': 'search-alike', onclick: () => lookAlike(t) }, 'find others dressed alike'),
      plot,
      h('h4', {}, 'Alerts it took part in'),
      t.alerts.length
        ? h('ul', {}, ...t.alerts.map((a) => h('li', {}, `${a.rule} at ${dateTime(a.start_epoch)} `,
            a.clip ? h('button', { 'data-testid': 'search-clip', onclick: () => play(a.id) }, 'play clip') : h('span', { class: 'muted' }, '(no clip)'))))
        : h('p', { class: 'muted' }, 'none'),
      h('div', { 'data-testid': 'search-player' }),
    );
  }

  function play(alertId: string) {
    const player = detail.querySelector('[data-testid="search-player"]')!;
    player.replaceChildren(h('video', { src: media.clip(alertId), controls: true, autoplay: true, muted: true, 'data-testid': 'search-video' }));
  }

  return () => {};
}
