// The console: a one-page app with a page per hash (#/wall, #/alerts, #/map, #/stats,
// #/search, #/recordings, #/parking, #/audit, #/requests); moving between pages never reloads, so live updates keep flowing.
import './style.css';
import { api, live, SessionInfo } from './api';
import { alertsPage } from './alerts';
import { auditPage } from './audit';
import { h } from './dom';
import { loginPage } from './login';
import { mapPage } from './map';
import { parkingPage } from './parking';
import { recordingsPage, requestsPage } from './recordings';
import { searchPage } from './search';
import { statsPage } from './stats';
import { wallPage } from './wall';

type Page = (root: HTMLElement) => () => void;
const pages: Record<string, { title: string; page: Page; roles: string[] }> = {
  wall: { title: 'Cameras', page: wallPage, roles: ['operator', 'supervisor'] },
  alerts: { title: 'Alerts', page: alertsPage, roles: ['operator', 'supervisor'] },
  map: { title: 'Map', page: mapPage, roles: ['operator', 'supervisor'] },
  stats: { title: 'Statistics', page: statsPage, roles: ['supervisor'] },
  search: { title: 'Search', page: searchPage, roles: ['supervisor'] },
  recordings: { title: 'Recordings', page: recordingsPage, roles: ['supervisor'] },
  parking: { title: 'Parking review', page: parkingPage, roles: ['operator', 'supervisor'] },
  audit: { title: 'Audit log', page: auditPage, roles: ['auditor'] },
  requests: { title: 'Unmasked requests', page: requestsPage, roles: ['auditor'] },
};

const app = document.getElementById('app')!;
let session: SessionInfo | null = null;
let cleanup: () => void = () => {};

function allowed(name: string) {
  return session !== null && pages[name]?.roles.includes(session.role);
}

// Auditors, admins and parking meters' accounts see no live views.
function watchesLive(s: SessionInfo) {
  return s.role === 'operator' || s.role === 'supervisor';
}

function firstPage() {
  return Object.keys(pages).find(allowed) ?? 'none';
}

function route() {
  cleanup();
  app.replaceChildren();
  if (!session) {
    cleanup = loginPage(app, (s) => {
      session = s;
      if (watchesLive(s)) live.start();
      location.hash = `#/${firstPage()}`;
      route();
    });
    return;
  }
  const name = location.hash.replace(/^#\/?/, '') || firstPage();
  const nav = h(
    'nav',
    {},
    h('b', {}, 'vigie'),
    ...Object.entries(pages)
      .filter(([n]) => allowed(n))
      .map(([n, p]) => h('a', { href: `#/${n}`, class: n === name ? 'active' : '', 'data-testid': `nav-${n}` }, p.title)),
    h('span', { class: 'who' }, `${session.user} (${session.role})`),
    h('button', { 'data-testid': 'logout', onclick: logout }, 'Sign out'),
  );
  const main = h('main', {});
  app.append(nav, main);
  if (!allowed(name)) {
    main.append(h('p', {}, session.role === 'admin' ? 'Accounts are managed with `vigie user add`.' : 'Nothing here for your role.'));
    cleanup = () => {};
    return;
  }
  cleanup = pages[name].page(main);
}

async function logout() {
  await api.logout().catch(() => {});
  live.stop();
  session = null;
  location.hash = '#/login';
  route();
}

window.addEventListener('hashchange', route);
api
  .session()
  .then((s) => {
    session = s;
    if (watchesLive(s)) live.start();
  })
  .catch(() => (session = null))
  .finally(route);
