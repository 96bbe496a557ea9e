// Continuous recording, for supervisors: what a camera has recorded (the index, not the
// video), and the request for a range without its privacy masks, which an auditor must
// approve before `vigie record export --unmasked` can make its one export.
import { api, ApiError } from './api';
import { dateTime, h } from './dom';

const DAY = 86400;

function epochOf(input: HTMLInputElement) {
  return Math.floor(new Date(input.value).getTime() / 1000);
}

function localValue(epoch: number) {
  const d = new Date(epoch * 1000 - new Date().getTimezoneOffset() * 60000);
  return d.toISOString().slice(0, 16);
}

export function recordingsPage(root: HTMLElement) {
  const camera = h('select', { 'data-testid': 'rec-camera', 'aria-label': 'camera' });
  const timeline = h('p', { 'data-testid': 'rec-timeline' }, 'Loading…');
  const now = Math.floor(Date.now() / 1000);
  const from = h('input', { type: 'datetime-local', 'data-testid': 'rec-from', 'aria-label': 'from', value: localValue(now - 3600) });
  const to = h('input', { type: 'datetime-local', 'data-testid': 'rec-to', 'aria-label': 'to', value: localValue(now) });
  const text = (testid: string, label: string) => h('input', { type: 'text', 'data-testid': testid, 'aria-label': label, placeholder: label, maxlength: 2000 });
  const caseRef = text('rec-case', 'case reference'), requester = text('rec-requester', 'requester (officer, court)');
  const reason = text('rec-reason', 'why the masks must go');
  const status = h('p', { 'data-testid': 'rec-status' });

  const showTimeline = () =>
    api
      .recordings(camera.value, now - DAY, now)
      .then(({ segments }) => {
        const seconds = segments.reduce((s, g) => s + g.end_epoch - g.start_epoch, 0);
        timeline.textContent = segments.length
          ? `${segments.length} segments in the last 24 h, ${(seconds / 60).toFixed(1)} min, ${dateTime(segments[0].start_epoch)} to ${dateTime(segments[segments.length - 1].end_epoch)}`
          : 'No recording in the last 24 h.';
      })
      .catch((e: Error) => (timeline.textContent = e.message));
  camera.addEventListener('change', showTimeline);

  const submit = h('button', { 'data-testid': 'rec-request', type: 'submit' }, 'Request the unmasked original');
  const form = h('form', {}, from, to, caseRef, requester, reason, submit);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    status.className = '';
    api
      .requestUnmasked({ camera: camera.value, from: epochOf(from), to: epochOf(to), case_reference: caseRef.value, requester: requester.value, reason: reason.value })
      .then((r) => {
        status.textContent = `Request ${r.id} is pending: an auditor must approve it. Then, on the recording machine: vigie record export --unmasked ${r.id}`;
        status.className = 'ok';
      })
      .catch((e: ApiError | Error) => {
        status.textContent = e.message;
        status.className = 'error';
      });
  });

  root.append(
    h('h2', {}, 'Recordings'),
    camera,
    timeline,
    h('h3', {}, 'Unmasked original (needs an auditor’s approval; audited)'),
    form,
    status,
  );
  api.cameras().then((cams) => {
    camera.replaceChildren(...cams.map((c) => h('option', { value: c.name }, c.name)));
    showTimeline();
  });
  return () => {};
}

// For auditors: the requests, and the decision on each pending one (with a reason).
export function requestsPage(root: HTMLElement) {
  const table = h('table', { 'data-testid': 'unmasked-table' });
  const status = h('p', { 'data-testid': 'unmasked-status' });
  const load = () =>
    api.unmaskedRequests().then(({ requests }) =>
      table.replaceChildren(
        h('tr', {}, ...['asked', 'by', 'camera', 'range', 'case', 'requester', 'reason', 'state', 'decision'].map((t) => h('th', {}, t))),
        ...requests.map((r) => {
          const why = h('input', { type: 'text', 'aria-label': 'reason for the decision', placeholder: 'reason', 'data-testid': 'unmasked-why' });
          const decide = (approve: boolean) => () =>
            api
              .decideUnmasked(r.id, approve, why.value)
              .then(() => ((status.textContent = `Request ${r.id} ${approve ? 'approved' : 'refused'}.`), load()))
              .catch((e: Error) => (status.textContent = e.message));
          const decision =
            r.state === 'pending'
              ? h('td', {}, why, h('button', { 'data-testid': 'unmasked-approve', onclick: decide(true) }, 'Approve'),
                  h('button', { 'data-testid': 'unmasked-refuse', onclick: decide(false) }, 'Refuse'))
              : h('td', {}, `${r.decided_by}: ${r.decision_reason}`);
          return h('tr', { 'data-testid': 'unmasked-row' },
            h('td', {}, dateTime(r.requested_epoch)), h('td', {}, r.requested_by), h('td', {}, r.camera),
            h('td', {}, `${dateTime(r.from_epoch)} – ${dateTime(r.to_epoch)}`), h('td', {}, r.case_reference),
            h('td', {}, r.requester), h('td', {}, r.reason), h('td', { 'data-testid': 'unmasked-state' }, r.state), decision);
        }),
      ),
    );
  root.append(h('h2', {}, 'Requests for unmasked video'), status, table);
  load().catch((e: Error) => (status.textContent = e.message));
  return () => {};
}
