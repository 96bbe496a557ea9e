// The audit log, read-only: who logged in, looked at what, decided what, exported what.
import { api } from './api';
import { dateTime, h } from './dom';

export function auditPage(root: HTMLElement) {
  const state = h('p', { 'data-testid': 'audit-chain' });
  const table = h('table', { 'data-testid': 'audit-table' });
  root.append(h('h2', {}, 'Audit log'), state, table);
  api.audit(500).then((a) => {
    state.textContent = a.chain_ok ? 'Hash chain intact.' : 'The hash chain is BROKEN: an entry was edited or deleted.';
    state.className = a.chain_ok ? 'ok' : 'error';
    table.replaceChildren(
      h('tr', {}, ...['#', 'when', 'who', 'what', 'detail'].map((t) => h('th', {}, t))),
      ...a.entries.map((e) =>
        h('tr', { 'data-testid': 'audit-row' }, h('td', {}, String(e.id)), h('td', {}, dateTime(e.at_epoch)), h('td', {}, e.user), h('td', {}, e.action), h('td', {}, e.detail)),
      ),
    );
  });
  return () => {};
}
