// The audit log, read-only: who logged in, looked at what, decided what, exported what.
import { api } from './api';
import { dateTime, h } from './dom';

export function auditPage(root: HTMLElement) {
  const state = h('p', { 'data-testid': 'audit-chain' });
  const table = h('table', { 'data-testid': 'audit-table' });
  root.append(h('h2', {}, 'Audit log'), state, table);
  api.audit(500).then((a) => {
    state.textContent = !a.chain_ok
      ? `The audit chain is BROKEN: ${a.chain_problem}`
      : a.chain_authenticated
        ? 'Audit chain intact and authenticated (hashes, key-signed entries and head).'
        : 'Hash chain intact, but NOT authenticated: the audit key was not available to check it.';
    state.className = a.chain_ok && a.chain_authenticated ? 'ok' : 'error';
    table.replaceChildren(
      h('tr', {}, ...['#', 'when', 'who', 'what', 'detail'].map((t) => h('th', {}, t))),
      ...a.entries.map((e) =>
        h('tr', { 'data-testid': 'audit-row' }, h('td', {}, String(e.id)), h('td', {}, dateTime(e.at_epoch)), h('td', {}, e.user), h('td', {}, e.action), h('td', {}, e.detail)),
      ),
    );
  });
  return () => {};
}
