// The alert queue: newest first, new alerts arrive without reload (SSE), each with its
// snapshot; an operator acknowledges it, marks it a false alarm, or sends a team.
import { Alert, api, live, media } from './api';
import { h, statusLabel, time } from './dom';

export function alertsPage(root: HTMLElement) {
  const cameraFilter = h('select', { 'data-testid': 'filter-camera' }, h('option', { value: '' }, 'all cameras'));
  const ruleFilter = h('input', { placeholder: 'rule contains…', 'data-testid': 'filter-rule' });
  const openOnly = h('input', { type: 'checkbox', 'data-testid': 'filter-open' });
  const list = h('ol', { class: 'alerts', 'data-testid': 'alert-list' });
  const detail = h('aside', { class: 'detail', 'data-testid': 'alert-detail' }, h('p', { class: 'muted' }, 'Select an alert.'));
  root.append(
    h('h2', {}, 'Alerts'),
    h('div', { class: 'filters' }, cameraFilter, ruleFilter, h('label', {}, openOnly, ' undecided only')),
    h('div', { class: 'split' }, list, detail),
  );
  const rows = new Map<string, HTMLLIElement>();
  const alerts = new Map<string, Alert>();

  const visible = (a: Alert) =>
    (!cameraFilter.value || a.camera === cameraFilter.value) &&
    (!ruleFilter.value || a.rule.includes(ruleFilter.value)) &&
    (!openOnly.checked || a.status === '');

  function row(a: Alert): HTMLLIElement {
    const note = h('input', { placeholder: 'note (who is sent, why)', 'data-testid': 'action-note' });
    const act = (action: string) => async (e: Event) => {
      e.stopPropagation();
      const r = await api.act(a.id, action, note.value);
      upsert(r.alert);
    };
    return h(
      'li',
      { class: `alert status-${a.status || 'new'}`, 'data-testid': 'alert-row', 'data-id': a.id, onclick: () => show(a.id) },
      a.snapshot ? h('img', { src: media.snapshot(a.id), alt: 'snapshot', loading: 'lazy' }) : h('div', { class: 'nosnap' }, a.clip === 'audio' ? '♪' : '—'),
      h(
        'div',
        {},
        h('b', { 'data-testid': 'alert-rule' }, a.rule),
        h('div', { class: 'muted' }, `${a.camera} · ${time(a.start_epoch)}${a.end_epoch ? '' : ' · ongoing'}`),
        h('span', { class: 'badge', 'data-testid': 'alert-status' }, statusLabel[a.status] ?? a.status),
      ),
      h(
        'div',
        { class: 'actions' },
        h('button', { onclick: act('acknowledge'), 'data-testid': 'act-acknowledge' }, 'Acknowledge'),
        h('button', { onclick: act('false_alarm'), 'data-testid': 'act-false-alarm' }, 'False alarm'),
        h('button', { onclick: act('dispatch'), 'data-testid': 'act-dispatch' }, 'Send a team'),
        note,
      ),
    );
  }

  function upsert(a: Alert, fresh = false) {
    alerts.set(a.id, a);
    const el = row(a);
    const old = rows.get(a.id);
    if (old) old.replaceWith(el);
    else if (fresh) list.prepend(el);
    else list.append(el);
    rows.set(a.id, el);
    el.hidden = !visible(a);
    if (![...cameraFilter.options].some((o) => o.value === a.camera))
      cameraFilter.append(h('option', { value: a.camera }, a.camera));
  }

  async function show(id: string) {
    const a = await api.alert(id); // audited: who looked at which alert
    const parts: (Node | null)[] = [
      h('h3', {}, a.rule),
      h('p', {}, `${a.camera} — ${a.detail || a.where}`),
      a.snapshot ? h('img', { src: media.snapshot(a.id), alt: 'snapshot' }) : null,
      a.clip === 'video' ? h('video', { src: media.clip(a.id), controls: true, preload: 'none' }) : null,
      a.clip === 'audio' ? h('audio', { src: media.clip(a.id), controls: true, preload: 'none' }) : null,
      h('h4', {}, 'Decisions'),
      a.actions.length
        ? h('ul', {}, ...a.actions.map((x) => h('li', {}, `${time(x.at_epoch)} ${x.user}: ${statusLabel[x.action]}${x.note ? ` — ${x.note}` : ''}`)))
        : h('p', { class: 'muted' }, 'none yet'),
    ];
    detail.replaceChildren(...parts.filter((p): p is Node => p !== null));
  }

  const refilter = () => alerts.forEach((a, id) => (rows.get(id)!.hidden = !visible(a)));
  for (const f of [cameraFilter, ruleFilter, openOnly]) f.addEventListener('input', refilter);

  api.alerts({ limit: 100 }).then((r) => r.alerts.forEach((a) => upsert(a)));
  const off = live.on((m) => {
    if (m.kind !== 'alert') return;
    upsert(m.alert, !rows.has(m.alert.id));
  });
  return off;
}
