// End-to-end test of the scancars' review queue in headless Debian Chromium, with a real
// `vigie scancar ingest` (plates read from the shared French photos) and `vigie serve`:
//   1. a round: a card holder's car is dropped, two cars become candidates;
//   2. the operator sees each candidate's plate crop and wide photo; "Issue notice" stays
//      disabled until "no disability card visible" is ticked, and the server refuses a
//      notice without the tick; one notice issued, the other car dismissed; no contest form;
//   3. the supervisor records the driver's contest (card shown): the notice is cancelled;
//   4. a second round photographs the same car: its card is now registered, it is dropped
//      and never proposed again;
//   5. the auditor finds the round, the notice, the dismissal and the contest in the log.
// Screenshots go to $OUT_DIR.
//
// Env: VIGIE_BIN, PLATES (the French plate photos: fr_qanastek/test), OUT_DIR. Exit 0
// pass, 1 fail, 77 skip (no Chromium, or no plate photos or models).
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { check, freePort, launchChromium, requireInputs, run, signIn, start, waitFor } from './harness.mjs';

const { VIGIE_BIN, PLATES } = process.env;
const OUT = process.env.OUT_DIR ?? '/tmp/vigie-parking-e2e';
if (!PLATES || !existsSync(PLATES) || !existsSync(path.join(path.dirname(VIGIE_BIN ?? ''), 'plate-models'))) {
  console.log(`skipped: no plate photos at ${PLATES} or no plate models beside ${VIGIE_BIN} (make build)`);
  process.exit(77);
}
requireInputs({ VIGIE_BIN, PLATES });

const OP = { name: 'olga', password: 'operator-pass-12' };
const SUP = { name: 'sara', password: 'supervisor-pass-1' };
const AUD = { name: 'audrey', password: 'auditor-pass-12' };
const HOLDER = '1020 HG 90', NOTICED = '2330 GY 90', DISMISSED = '353 ASK 35';
const plateOf = (name) => name.replaceAll(' ', '');

// One round of photos of the French set, into the store; its JSON report.
function round(name, photos, db, registers) {
  const spool = path.join(OUT, name);
  mkdirSync(spool, { recursive: true });
  const t = Math.floor(Date.now() / 1000) - 3600;
  const lines = ['time,lat,lon,photo'];
  photos.forEach((p, i) => {
    copyFileSync(path.join(PLATES, `${p}.jpg`), path.join(spool, `${i}.jpg`));
    lines.push(`${t + 60 * i},43.2965,5.3698,${i}.jpg`);
  });
  writeFileSync(path.join(OUT, `${name}.csv`), `${lines.join('\n')}\n`);
  const r = spawnSync(VIGIE_BIN, ['scancar', 'ingest', '--quiet', '--json', '--photos', spool, '--track', path.join(OUT, `${name}.csv`),
    '--registers', registers, '--out', path.join(OUT, `${name}-out`), '--store', db], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`scancar ingest: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

async function main() {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const db = path.join(OUT, 'vigie.db');
  for (const [u, role] of [[OP, 'operator'], [SUP, 'supervisor'], [AUD, 'auditor']]) {
    const r = spawnSync(VIGIE_BIN, ['user', 'add', u.name, '--role', role, '--store', db], { input: `${u.password}\n` });
    if (r.status !== 0) throw new Error(`user add: ${r.stderr}`);
  }
  const registers = path.join(OUT, 'registers');
  mkdirSync(registers);
  const year = Math.floor(Date.now() / 1000) + 365 * 86400;
  writeFileSync(path.join(registers, 'cards.csv'), `card,plates,valid_from,valid_until\nCMI-1,${plateOf(HOLDER)},0,${year}\n`);

  // 1. The first round.
  const first = round('round-1', [HOLDER, NOTICED, DISMISSED], db, registers);
  check(first.summary.candidates === 2 && first.summary.dropped_by_right.disability_card === 1,
    `round 1: 2 candidates, the card holder dropped (${JSON.stringify(first.summary)})`);

  const httpPort = await freePort();
  const config = path.join(OUT, 'site.yaml');
  writeFileSync(config, `server: { listen: '127.0.0.1:${httpPort}' }\nstore: { path: '${db}', media: '${path.join(OUT, 'media')}' }\ncameras: {}\n`);
  start(VIGIE_BIN, ['serve', '--config', config], 'serve');
  const base = `http://127.0.0.1:${httpPort}`;
  await waitFor('vigie serve', async () => (await fetch(`${base}/api/v1/health`)).ok, 20000);
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  page.on('pageerror', (e) => check(false, `no script error in the page (${e.message})`));

  // 2. The operator's review.
  await page.goto(base);
  await signIn(page, OP);
  await page.getByTestId('logout').waitFor();
  await page.goto(`${base}/#/parking`);
  await waitFor('two candidates', async () => (await page.getByTestId('parking-candidate').count()) === 2, 10000);
  const card = (plate) => page.locator(`[data-testid="parking-candidate"][data-plate="${plateOf(plate)}"]`);
  check((await card(HOLDER).count()) === 0, 'the card holder is not in the queue');
  const loaded = async (img) => img.evaluate((el) => el.complete && el.naturalWidth > 0);
  await waitFor('the photos shown', async () => (await loaded(card(NOTICED).getByTestId('parking-wide-photo'))) &&
    (await loaded(card(NOTICED).getByTestId('parking-plate-crop'))), 10000);
  check(true, 'each candidate shows its plate crop and its wide photo');
  await page.screenshot({ path: path.join(OUT, 'console-parking.png') });
  check(await card(NOTICED).getByTestId('parking-issue').isDisabled(), '"Issue notice" is disabled until the tick');
  const noTick = await page.evaluate(async (id) => {
    const r = await fetch(`/api/v1/parking/candidates/${id}/notice`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ no_card_visible: false }) });
    return { status: r.status, body: await r.text() };
  }, first.shots[1].candidate);
  check(noTick.status === 400 && noTick.body.includes('no disability card visible'), `the server refuses a notice without the tick (${noTick.status})`);
  await card(NOTICED).getByTestId('parking-no-card').check();
  await card(NOTICED).getByTestId('parking-issue').click();
  await waitFor('the notice issued', async () => ((await page.getByTestId('parking-status').textContent()) ?? '').includes('Notice issued'), 5000);
  await card(DISMISSED).getByTestId('parking-note').fill('card on the dashboard');
  await card(DISMISSED).getByTestId('parking-dismiss').click();
  await waitFor('the queue emptied', async () => (await page.getByTestId('parking-candidate').count()) === 0, 5000);
  const notice = page.locator(`[data-testid="parking-notice"][data-plate="${plateOf(NOTICED)}"]`);
  check((await notice.count()) === 1 && ((await notice.textContent()) ?? '').includes(OP.name), 'the notice is listed with who issued it');
  check((await page.getByTestId('parking-contest').count()) === 0, 'an operator has no contest form');
  await page.getByTestId('logout').click();

  // 3. The supervisor records the contest.
  await signIn(page, SUP);
  await page.getByTestId('logout').waitFor();
  await page.goto(`${base}/#/parking`);
  await notice.getByTestId('parking-contest').waitFor();
  await notice.getByTestId('parking-card').fill('CMI-13-2026-0042');
  await notice.getByTestId('parking-card-until').fill(new Date(year * 1000).toISOString().slice(0, 10));
  await notice.getByTestId('parking-contest').click();
  const cancelled = page.locator(`[data-testid="parking-decided"][data-plate="${plateOf(NOTICED)}"]`);
  await waitFor('the notice cancelled', async () => ((await cancelled.textContent()) ?? '').includes('cancelled on contest'), 5000);
  check((await page.getByTestId('parking-notice').count()) === 0, 'the contested notice is no longer a notice');
  await page.screenshot({ path: path.join(OUT, 'console-parking-contest.png') });

  // 4. The same car on the next round: its card is registered now.
  const second = round('round-2', [NOTICED], db, registers);
  check(second.shots[0].outcome === 'right' && second.summary.dropped_by_right.disability_card === 1,
    'round 2: the car of the contested notice is dropped by its registered card');
  await page.reload();
  await page.getByText('No car waiting for review.').waitFor();
  check(true, 'round 2 proposes nothing');
  await page.getByTestId('logout').click();

  // 5. The auditor's view.
  await signIn(page, AUD);
  await page.goto(`${base}/#/audit`);
  await waitFor('audit rows', async () => (await page.getByTestId('audit-row').count()) > 0, 5000);
  const audit = (await page.getByTestId('audit-table').textContent()) ?? '';
  for (const action of ['scancar.round', 'parking.notice', 'parking.dismiss', 'parking.contest', 'parking_photo_view'])
    check(audit.includes(action), `the audit log has ${action}`);
  check(audit.includes('CMI-13-2026-0042'), 'the contest names the card shown');
  await browser.close();
}

await run(main);
