// Continuous recording, for supervisors: a camera's timeline with its alerts, playback
// (masked, prepared by the server a minute at a time), a requisition's masked export, and
// the request for a range without its privacy masks, which an auditor must approve before
// its one export (here, by the supervisor who asked, or `vigie record export --unmasked`).
import { api, ApiError } from './api';
import type { Alert, RecordingExport, Segment } from './api';
import { dateTime, h } from './dom';

const DAY = 86400;

function epochOf(input: HTMLInputElement) {
  return Math.floor(new Date(input.value).getTime() / 1000);
}

function localValue(epoch: number) {
  const d = new Date(epoch * 1000 - new Date().getTimezoneOffset() * 60000);
  return d.toISOString().slice(0, 19);  // to the second: a range ending "now" keeps this minute
}

// The timeline: the recorded stretches of a camera and its alerts, from the first
// recording of the last 24 h to now. A click plays the minute from there.
function drawTimeline(bar: HTMLElement, segments: Segment[], alerts: Alert[], now: number, play: (t: number) => void) {
  const start = Math.max(now - DAY, (segments[0]?.start_epoch ?? now - DAY) - 60);
  const span = now - start;
  const at = (t: number) => `${(100 * (t - start)) / span}%`;
  bar.replaceChildren(
    ...segments.map((g) =>
      h('span', { class: 'rec-segment', 'data-testid': 'rec-segment', style: `left:${at(g.start_epoch)};width:${at(start + g.end_epoch - g.start_epoch)}` }),
    ),
    ...alerts
      .filter((a) => a.start_epoch >= start)
      .map((a) => h('span', { class: 'rec-alert', 'data-testid': 'rec-alert', title: `${a.rule} ${dateTime(a.start_epoch)}`, style: `left:${at(a.start_epoch)}` })),
  );
  bar.onclick = (ev) => {
    const box = bar.getBoundingClientRect();
    play(start + (span * (ev.clientX - box.left)) / box.width);
  };
}

// A console export's file, as a link (its download is audited).
function exportLink(name: string, testid: string) {
  return h('a', { href: `/api/v1/recordings/exports/${encodeURIComponent(name)}`, download: name, 'data-testid': testid }, name);
}

// An export's files, as links, with their SHA-256.
function exportLinks(x: RecordingExport, testid: string) {
  return [
    `Exported ${x.frames} frames (${dateTime(x.first_frame_epoch)} to ${dateTime(x.last_frame_epoch)}): `,
    exportLink(x.file, `${testid}-file`), ` SHA-256 ${x.sha256}; manifest `, exportLink(x.manifest, `${testid}-manifest`), ` SHA-256 ${x.manifest_sha256}`,
  ];
}

// This supervisor's requests for unmasked video, their decisions, and the one export of
// an approved one (its files linked while they are kept).
function myRequests(table: HTMLElement, status: HTMLElement) {
  const exportButton = (id: string) => {
    const button = h('button', { type: 'button', 'data-testid': 'mine-export' }, 'Export (unmasked)') as HTMLButtonElement;
    button.addEventListener('click', () => {
      button.disabled = true;  // one export per approval: a second click would only fail
      status.className = '';
      status.textContent = 'Exporting without the masks…';
      api
        .exportUnmasked(id)
        .then((x) => {
          status.className = 'ok';
          status.replaceChildren(...exportLinks(x, 'mine-export'));
          show();
        })
        .catch((e: Error) => {
          button.disabled = false;
          status.className = 'error';
          status.textContent = e.message;
        });
    });
    return button;
  };
  const show = () =>
    api
      .myUnmaskedRequests()
      .then(({ requests }) =>
        table.replaceChildren(
          h('tr', {}, ...['camera', 'range', 'case', 'state', 'decision', ''].map((t) => h('th', {}, t))),
          ...requests.map((r) =>
            h('tr', { 'data-testid': 'mine-row' },
              h('td', {}, r.camera), h('td', {}, `${dateTime(r.from_epoch)} to ${dateTime(r.to_epoch)}`), h('td', {}, r.case_reference),
              h('td', { 'data-testid': 'mine-state' }, r.state), h('td', {}, r.decided_by ? `${r.decided_by}: ${r.decision_reason}` : ''),
              h('td', {}, ...(r.state === 'approved' ? [exportButton(r.id)] : r.file ? [exportLink(r.file, 'mine-file')] : []))),
          ),
        ),
      )
      .catch((e: Error) => {
        status.className = 'error';
        status.textContent = e.message;
      });
  show();
  return show;
}

export function recordingsPage(root: HTMLElement) {
  const camera = h('select', { 'data-testid': 'rec-camera', 'aria-label': 'camera' });
  const timeline = h('p', { 'data-testid': 'rec-timeline' }, 'Loading…');
  const bar = h('div', { class: 'rec-bar', 'data-testid': 'rec-bar', title: 'click to play the minute from there' });
  const video = h('video', { 'data-testid': 'rec-video', controls: true, class: 'rec-video' });
  const playing = h('p', { 'data-testid': 'rec-playing' });
  const latest = h('button', { 'data-testid': 'rec-play-latest' }, 'Play the last recorded minute');
  const now = Math.floor(Date.now() / 1000);
  const from = h('input', { type: 'datetime-local', step: 1, 'data-testid': 'rec-from', 'aria-label': 'from', value: localValue(now - 600) });
  const to = h('input', { type: 'datetime-local', step: 1, 'data-testid': 'rec-to', 'aria-label': 'to', value: localValue(now) });
  const text = (testid: string, label: string) => h('input', { type: 'text', 'data-testid': testid, 'aria-label': label, placeholder: label, maxlength: 2000 });
  const caseRef = text('rec-case', 'case reference'), requester = text('rec-requester', 'requester (officer, court)');
  const reason = text('rec-reason', 'why the masks must go');
  const status = h('p', { 'data-testid': 'rec-status' });
  let lastEnd = 0;

  // Masked, encoded again by the server for this view, and audited there.
  const play = (t: number) => {
    const cam = camera.value;
    playing.textContent = `Preparing ${cam} from ${dateTime(t)}…`;
    playing.className = '';
    fetch(`/api/v1/recordings/video?camera=${encodeURIComponent(cam)}&from=${Math.floor(t)}&to=${Math.floor(t) + 60}`, { credentials: 'same-origin' })
      .then(async (res) => {
        if (!res.ok) throw new Error((await res.json().catch(() => ({}))).error ?? `${res.status}`);
        if (video.src) URL.revokeObjectURL(video.src);
        video.src = URL.createObjectURL(await res.blob());
        playing.textContent = `${cam} from ${dateTime(t)} (masked)`;
        return video.play().catch(() => {});
      })
      .catch((e: Error) => {
        playing.textContent = e.message;
        playing.className = 'error';
      });
  };
  latest.addEventListener('click', () => lastEnd && play(lastEnd - 60));

  const showTimeline = () =>
    Promise.all([api.recordings(camera.value, now - DAY, Math.floor(Date.now() / 1000)), api.alerts({ camera: camera.value, since: now - DAY, limit: 500 })])
      .then(([{ segments }, { alerts }]) => {
        const seconds = segments.reduce((s, g) => s + g.end_epoch - g.start_epoch, 0);
        lastEnd = segments.length ? segments[segments.length - 1].end_epoch : 0;
        timeline.textContent = segments.length
          ? `${segments.length} segments in the last 24 h, ${(seconds / 60).toFixed(1)} min, ${dateTime(segments[0].start_epoch)} to ${dateTime(lastEnd)}; ${alerts.length} alerts`
          : 'No recording in the last 24 h.';
        drawTimeline(bar, segments, alerts, Math.floor(Date.now() / 1000), play);
      })
      .catch((e: Error) => (timeline.textContent = e.message));
  camera.addEventListener('change', showTimeline);

  // One form for a requisition: the masked export (made now), or the request for the
  // unmasked original (which also needs a reason and an auditor's approval).
  const fields = () => ({ camera: camera.value, from: epochOf(from), to: epochOf(to), case_reference: caseRef.value, requester: requester.value });
  const exported = h('div', { 'data-testid': 'rec-export-status' });
  const exportButton = h('button', { 'data-testid': 'rec-export', type: 'button' }, 'Export (masked)');
  exportButton.addEventListener('click', () => {
    exported.className = '';
    exported.textContent = 'Exporting…';
    api
      .exportRecording(fields())
      .then((x) => {
        exported.className = 'ok';
        exported.replaceChildren(...exportLinks(x, 'rec-export'));
      })
      .catch((e: Error) => {
        exported.className = 'error';
        exported.textContent = e.message;
      });
  });
  const requestButton = h('button', { 'data-testid': 'rec-request', type: 'button' }, 'Request the unmasked original');
  requestButton.addEventListener('click', () => {
    status.className = '';
    api
      .requestUnmasked({ ...fields(), reason: reason.value })
      .then((r) => {
        status.textContent = `Request ${r.id} is pending: an auditor must approve it. Then export it below (15 min at most; longer, on the recording machine: vigie record export --unmasked ${r.id})`;
        status.className = 'ok';
        refreshMine();
      })
      .catch((e: ApiError | Error) => {
        status.textContent = e.message;
        status.className = 'error';
      });
  });
  const mineTable = h('table', { 'data-testid': 'mine-table' });
  const mineStatus = h('div', { 'data-testid': 'mine-status' });
  const refreshMine = myRequests(mineTable, mineStatus);
  const form = h('form', {}, from, to, caseRef, requester, exportButton, h('br', {}), reason, requestButton);
  form.addEventListener('submit', (ev) => ev.preventDefault());

  root.append(
    h('h2', {}, 'Recordings'),
    camera,
    timeline,
    bar,
    latest,
    playing,
    video,
    h('h3', {}, 'For a requisition (case and requester required; audited)'),
    form,
    exported,
    status,
    h('h3', {}, 'My requests for unmasked video'),
    mineTable,
    mineStatus,
  );
  api.cameras().then((cams) => {
    camera.replaceChildren(...cams.map((c) => h('option', { value: c.name }, c.name)));
    showTimeline();
  });
  return () => {
    if (video.src) URL.revokeObjectURL(video.src);
  };
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
