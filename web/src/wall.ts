// The camera wall: a live tile per camera (a JPEG refreshed twice a second) with its
// status; a click enlarges it to the full-rate MJPEG view.
import { api, Camera, live, media } from './api';
import { h } from './dom';

export function wallPage(root: HTMLElement) {
  const grid = h('div', { class: 'wall', 'data-testid': 'wall' });
  const overlay = h('div', { class: 'overlay hidden', 'data-testid': 'live-overlay' });
  root.append(h('h2', {}, 'Camera wall'), grid, overlay);
  const tiles = new Map<string, { img: HTMLImageElement; badge: HTMLElement; info: HTMLElement; loads: number }>();
  let tick = 0;

  function render(cameras: Camera[]) {
    for (const c of cameras) {
      let t = tiles.get(c.name);
      if (!t) {
        const img = h('img', { alt: `live view of ${c.name}`, 'data-testid': `tile-img-${c.name}` });
        const badge = h('span', { class: 'badge', 'data-testid': `tile-status-${c.name}` });
        const info = h('span', { class: 'muted' });
        const tile = h(
          'figure',
          { class: 'tile', 'data-testid': `tile-${c.name}`, onclick: () => enlarge(c.name) },
          img,
          h('figcaption', {}, h('b', {}, c.name), ' ', badge, ' ', info),
        );
        grid.append(tile);
        t = { img, badge, info, loads: 0 };
        const entry = t;
        img.addEventListener('load', () => img.setAttribute('data-loads', String(++entry.loads)));
        tiles.set(c.name, t);
      }
      t.badge.textContent = c.online ? 'online' : c.state === 'starting' ? 'starting' : 'offline';
      t.badge.className = `badge ${c.online ? 'ok' : 'bad'}`;
      t.badge.title = c.error;
      t.info.textContent = c.online ? `${c.fps.toFixed(1)} fps · ${c.dropped} dropped` : c.error;
    }
  }

  function refresh() {
    ++tick;
    for (const [name, t] of tiles) if (t.badge.textContent === 'online') t.img.src = media.frame(name, tick);
  }

  function enlarge(name: string) {
    overlay.replaceChildren(
      h('div', { class: 'overlay-head' }, h('b', {}, name), h('button', { onclick: close }, 'Close')),
      h('img', { src: media.live(name), alt: `full view of ${name}` }),
    );
    overlay.classList.remove('hidden');
  }
  function close() {
    overlay.replaceChildren(); // ends the MJPEG stream
    overlay.classList.add('hidden');
  }

  api.cameras().then(render).catch(() => {});
  const off = live.on((m) => m.kind === 'cameras' && render(m.cameras));
  const timer = window.setInterval(refresh, 500);
  return () => {
    off();
    window.clearInterval(timer);
    close();
  };
}
