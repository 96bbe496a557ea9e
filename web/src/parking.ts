// The scancars' review queue: a car with no right found waits here for a person. Only a
// person issues a notice, after ticking that no disability card is visible on the wide
// photo; a supervisor records a citizen's contest (a card shown afterwards), which cancels
// the notice and registers the card so that no round proposes that car again.
import { api, ApiError, media, ParkingCandidate } from './api';
import { dateTime, h } from './dom';

function place(c: ParkingCandidate): string {
  return `${c.lat.toFixed(5)}, ${c.lon.toFixed(5)}`;
}

function photos(c: ParkingCandidate): HTMLElement {
  if (!c.photos) return h('p', { class: 'muted' }, 'Photos deleted (data minimisation).');
  return h('div', { class: 'parking-photos' },
    h('img', { src: media.parkingPhoto(c.id, 'plate'), alt: `plate ${c.plate}`, 'data-testid': 'parking-plate-crop' }),
    h('img', { src: media.parkingPhoto(c.id, 'photo'), alt: 'the whole car, with its dashboard', class: 'wide', 'data-testid': 'parking-wide-photo' }));
}

// One pending car: the two photos, where and when, the tick, and the two decisions.
function pendingCard(c: ParkingCandidate, done: (message: string) => void, fail: (e: Error) => void): HTMLElement {
  const tick = h('input', { type: 'checkbox', 'data-testid': 'parking-no-card' });
  const note = h('input', { type: 'text', placeholder: 'note (optional)', 'aria-label': 'note', 'data-testid': 'parking-note' });
  const issue = h('button', { disabled: true, 'data-testid': 'parking-issue' }, 'Issue notice');
  tick.addEventListener('change', () => (issue.disabled = !tick.checked));
  issue.addEventListener('click', () =>
    api.issueNotice(c.id, tick.checked, note.value).then(() => done(`Notice issued for ${c.plate}.`)).catch(fail));
  const dismiss = h('button', {
    'data-testid': 'parking-dismiss',
    onclick: () => api.dismissCandidate(c.id, note.value).then(() => done(`${c.plate} dismissed: no notice.`)).catch(fail),
  }, 'Dismiss');
  return h('article', { class: 'parking-candidate', 'data-testid': 'parking-candidate', 'data-plate': c.plate },
    h('h3', {}, h('span', { class: 'plate' }, c.plate), ` ${c.format.toUpperCase()}, read at ${(c.confidence * 100).toFixed(0)} %`),
    h('p', {}, `${dateTime(c.taken_epoch)} at ${place(c)} (round ${c.round})`),
    photos(c),
    h('label', {}, tick, ' No disability card visible on the dashboard'),
    h('div', { class: 'row' }, note, issue, dismiss));
}

// One notice, with the contest form for supervisors.
function noticeRow(c: ParkingCandidate, mayContest: boolean, done: (message: string) => void, fail: (e: Error) => void,
  say: (message: string) => void) {
  const card = h('input', { type: 'text', placeholder: 'card number', 'aria-label': 'card number', 'data-testid': 'parking-card' });
  const until = h('input', { type: 'date', 'aria-label': 'card valid until', 'data-testid': 'parking-card-until' });
  const more = h('input', { type: 'text', placeholder: 'other plates, comma-separated', 'aria-label': 'other plates' });
  const contest = h('button', {
    'data-testid': 'parking-contest',
    onclick: () => {
      const validUntil = until.valueAsNumber / 1000;
      if (!card.value || !Number.isFinite(validUntil)) return say('Give the card number and its end of validity.');
      const plates = more.value.split(',').map((p) => p.trim()).filter((p) => p);
      api.contestNotice(c.id, { card: card.value, valid_from: c.taken_epoch - 86400, valid_until: validUntil + 86399, plates })
        .then(() => done(`Notice for ${c.plate} cancelled; card ${card.value} registered.`))
        .catch(fail);
    },
  }, 'Cancel on contest (card shown)');
  return h('tr', { 'data-testid': 'parking-notice', 'data-plate': c.plate },
    h('td', { class: 'plate' }, c.plate), h('td', {}, dateTime(c.taken_epoch)), h('td', {}, place(c)),
    h('td', {}, `${c.reviewed_by}, ${dateTime(c.reviewed_epoch)}`),
    mayContest ? h('td', {}, card, until, more, contest) : h('td', {}, ''));
}

function decidedRow(c: ParkingCandidate) {
  const how = c.state === 'cancelled' ? `cancelled on contest by ${c.contested_by} (card ${c.contest_card})`
    : c.state === 'dismissed' ? `dismissed by ${c.reviewed_by}` : 'expired: nobody decided in time';
  return h('tr', { 'data-testid': 'parking-decided', 'data-plate': c.plate },
    h('td', { class: 'plate' }, c.plate), h('td', {}, dateTime(c.taken_epoch)), h('td', { 'data-testid': 'parking-state' }, how));
}

export function parkingPage(root: HTMLElement) {
  const status = h('p', { 'data-testid': 'parking-status', role: 'status' });
  const queue = h('div', { 'data-testid': 'parking-queue' });
  const notices = h('table', { 'data-testid': 'parking-notices' });
  const decided = h('table', { 'data-testid': 'parking-decided-table' });
  let mayContest = false;
  // A refusal is said; one because someone else decided meanwhile (409) reloads the page
  // (any other leaves the forms as they were typed).
  const fail = (e: Error) => {
    status.textContent = e.message;
    if (e instanceof ApiError && e.status === 409) load().catch((again: Error) => (status.textContent = again.message));
  };
  const load = async () => {
    const [pending, issued, dismissed, cancelled, expired] = await Promise.all(
      (['pending', 'notice', 'dismissed', 'cancelled', 'expired'] as const).map((s) => api.parkingCandidates(s).then((r) => r.candidates)));
    const done = (message: string) => {
      status.textContent = message;
      load().catch((e: Error) => (status.textContent = e.message));
    };
    queue.replaceChildren(...(pending.length ? pending.map((c) => pendingCard(c, done, fail)) : [h('p', {}, 'No car waiting for review.')]));
    notices.replaceChildren(h('tr', {}, ...['plate', 'photographed', 'place', 'issued by', mayContest ? 'contest' : ''].map((t) => h('th', {}, t))),
      ...issued.map((c) => noticeRow(c, mayContest, done, fail, (m) => (status.textContent = m))));
    decided.replaceChildren(h('tr', {}, ...['plate', 'photographed', 'outcome'].map((t) => h('th', {}, t))),
      ...[...cancelled, ...dismissed, ...expired].map(decidedRow));
  };
  root.append(
    h('h2', {}, 'Parking review'),
    h('p', {}, 'A scancar proposes these cars: no right was found for their plate. No notice is issued by a machine: ' +
      'look at the wide photo for a disability card on the dashboard before ticking.'),
    status, queue, h('h3', {}, 'Notices issued'), notices, h('h3', {}, 'Dismissed, cancelled and expired'), decided);
  api.session().then((s) => {
    mayContest = s.role === 'supervisor';
    return load();
  }).catch((e: Error) => (status.textContent = e.message));
  return () => {};
}
