// End-to-end test of the console as an operator uses it, in headless Debian Chromium:
// a simulated RTSP camera (vigie-camsim), a real `vigie serve`, real accounts.
//   1. log in, see a live tile update;
//   2. see an alert arrive in the queue without a reload, mark it a false alarm, see the
//      statistics change;
//   3. as the supervisor, search yesterday's recording of the same street (analysed
//      before serve starts) for people in a red top, with a case reference: the results
//      show thumbnails, a result plays the clip of the alert it took part in; a search
//      without a reason is refused with the cause;
//   then as the auditor, find the actions and the search in the audit log;
//   4. stop the camera: the wall shows it offline; restart it: back within 5 s.
// Screenshots of every page go to $OUT_DIR (docs/ uses them).
//
// Env: VIGIE_BIN, CAMSIM_BIN, VIDEO (a street clip), OUT_DIR. Exit 0 pass, 1 fail,
// 77 skip (no Chromium).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { check, failed, freePort, launchChromium, requireInputs, run, signIn, sleep, start, stop, waitFor } from './harness.mjs';

const { VIGIE_BIN, CAMSIM_BIN, VIDEO, MUNICH } = process.env;
const OUT = process.env.OUT_DIR ?? '/tmp/vigie-e2e';
requireInputs({ VIGIE_BIN, CAMSIM_BIN, VIDEO });

const SUP = { name: 'sara', password: 'supervisor-pass-1' };
const AUD = { name: 'audrey', password: 'auditor-pass-12' };

async function main() {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const rtspPort = await freePort();
  const httpPort = await freePort();
  const startCamsim = () => start(CAMSIM_BIN, ['--loop', '--port', String(rtspPort), `gare=${VIDEO}`], 'camsim');
  let camsim = startCamsim();

  const db = path.join(OUT, 'vigie.db');
  for (const [u, role] of [[SUP, 'supervisor'], [AUD, 'auditor']]) {
    const r = spawnSync(VIGIE_BIN, ['user', 'add', u.name, '--role', role, '--store', db], { input: `${u.password}\n` });
    if (r.status !== 0) throw new Error(`user add: ${r.stderr}`);
  }
  // The map's basemap and the city model's streets, from the shared Munich extract, where
  // the camera stands (skipped, said so, without the extract or tilemaker).
  let mapLayers = '';
  if (MUNICH && existsSync(MUNICH)) {
    const tiles = spawnSync('../scripts/make-basemap', [MUNICH, path.join(OUT, 'basemap.mbtiles')], { encoding: 'utf8' });
    const city = spawnSync(VIGIE_BIN, ['city', 'coverage', '--quiet', '--osm', MUNICH, '--geojson-dir', path.join(OUT, 'city')], { encoding: 'utf8' });
    if (city.status !== 0) throw new Error(`city coverage: ${city.stderr}`);
    mapLayers = `, city_layers: '${path.join(OUT, 'city')}'`;
    // Skipped only without tilemaker (exit 2); a recipe that fails is a failure.
    if (tiles.status === 0) mapLayers += `, basemap: '${path.join(OUT, 'basemap.mbtiles')}'`;
    else if (tiles.status === 2) console.log(`skipped: the basemap (${(tiles.stderr ?? '').trim()})`);
    else throw new Error(`make-basemap: ${tiles.stderr ?? tiles.error}`);
  } else {
    console.log(`skipped: the basemap and street coverage (no Munich extract at ${MUNICH})`);
  }
  // A risk map as `vigie risk map` writes it: two cells south of the camera.
  const risk = path.join(OUT, 'risk.geojson');
  const cell = (lat, lon) => [[[lon, lat], [lon + 0.0004, lat], [lon + 0.0004, lat + 0.0003], [lon, lat + 0.0003], [lon, lat]]];
  writeFileSync(risk, JSON.stringify({
    type: 'FeatureCollection',
    properties: { model: 'kde', forecast_day: '2026-12-02', pai_5_measured: 11.27, measured_on: '2023:2023' },
    features: [cell(48.1368, 11.5752), cell(48.1365, 11.5748)].map((coordinates, i) => ({
      type: 'Feature', geometry: { type: 'Polygon', coordinates }, properties: { rank: i + 1, score: 2 - i } })),
  }));
  // A recording analysed before the centre starts: its tracks, colours, thumbnails and
  // alert clips are what the search finds.
  const archive = path.join(OUT, 'archive.yaml');
  writeFileSync(archive, `store: { path: '${db}', media: '${path.join(OUT, 'media')}', clip_pre_s: 1, clip_post_s: 1 }
cameras:
  archive:
    input: ${VIDEO}
    zones:
      square: [[0, 0], [768, 0], [768, 576], [0, 576]]
    lines:
      middle: { points: [[384, 0], [384, 576]] }
    rules:
      - { type: zone_intrusion, zone: square, objects: [person], min_seconds: 1, cooldown_seconds: 5 }
`);
  const analysed = spawnSync(VIGIE_BIN, ['analyze', '--quiet', '--config', archive], { encoding: 'utf8' });
  if (analysed.status !== 0) throw new Error(`analyze: ${analysed.stderr}`);
  // A drone flight over Marienplatz: telemetry made by scripts/make-flight (its last two
  // minutes leave the order), the first 20 s of the street clip as its video with the
  // subtitles a drone writes beside it; registered, then its video analysed.
  const flight = path.join(OUT, 'flight');
  // Flown an hour ago: older than the store's retention (30 days), its alerts would go at the server's start.
  const flownAt = String(Math.floor(Date.now() / 1000) - 3600);
  const made = spawnSync('../scripts/make-flight', [flight, '--video-seconds', '20', '--start', flownAt], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`make-flight: ${made.stderr}`);
  const flaggedMinutes = made.stdout.trim().split('\n').map((m) => new Date(Number(m) * 1000).toISOString().slice(11, 16));
  const clip = path.join(flight, 'clip.avi');
  const cut = spawnSync('ffmpeg', ['-loglevel', 'error', '-y', '-i', VIDEO, '-t', '20', '-c', 'copy', clip], { encoding: 'utf8' });
  if (cut.status !== 0) throw new Error(`ffmpeg: ${cut.stderr}`);
  const checked = spawnSync(VIGIE_BIN, ['drone', 'check', '--telemetry', path.join(flight, 'flight.csv'), '--authorisation',
    path.join(flight, 'authorisation.json'), '--store', db, '--camera', 'drone-1', '--video', clip], { encoding: 'utf8' });
  if (checked.status !== 1) throw new Error(`drone check: the flight should be flagged (exit 1), got ${checked.status}: ${checked.stderr}`);
  const droneConfig = path.join(flight, 'drone.yaml');
  writeFileSync(droneConfig, `store: { path: '${db}', media: '${path.join(OUT, 'media')}', clip_pre_s: 1, clip_post_s: 1 }
cameras:
  drone-1:
    input: ${clip}
    telemetry: ${path.join(flight, 'flight.srt')}
    analyze_fps: 5
    zones:
      east: [[560, 120], [768, 120], [768, 480], [560, 480]]
    rules:
      - { type: zone_intrusion, zone: east, objects: [person], min_seconds: 1, cooldown_seconds: 5 }
`);
  const flown = spawnSync(VIGIE_BIN, ['analyze', '--quiet', '--config', droneConfig], { encoding: 'utf8' });
  if (flown.status !== 0) throw new Error(`analyze (drone): ${flown.stderr}`);
  const config = path.join(OUT, 'site.yaml');
  writeFileSync(
    config,
    `server: { listen: '127.0.0.1:${httpPort}', reconnect_max_s: 1, risk_layer: '${risk}'${mapLayers} }
store: { path: '${db}', media: '${path.join(OUT, 'media')}', clip_pre_s: 1, clip_post_s: 1 }
detect: { type: motion }
recording: { folder: '${path.join(OUT, 'recordings')}', segment_seconds: 5 }
cameras:
  gare:
    input: rtsp://127.0.0.1:${rtspPort}/gare
    analyze_fps: 5
    record: true
    geo: { lat: 48.13725, lon: 11.57540, heading: 200, fov: 80, range: 40 }
    zones:
      path: [[0, 100], [768, 100], [768, 576], [0, 576]]
    rules:
      - { type: zone_intrusion, zone: path, objects: [object], min_seconds: 0.5, cooldown_seconds: 1 }
`,
  );
  const serve = start(VIGIE_BIN, ['serve', '--config', config], 'serve');
  const base = `http://127.0.0.1:${httpPort}`;
  await waitFor('vigie serve', async () => (await fetch(`${base}/api/v1/health`)).ok, 20000);

  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  page.on('pageerror', (e) => check(false, `no script error in the page (${e.message})`));

  // 1. Log in; a live tile updates.
  await page.goto(base);
  await page.getByTestId('login-name').waitFor();
  await page.screenshot({ path: path.join(OUT, 'console-login.png') });
  await page.getByTestId('login-name').fill(SUP.name);
  await page.getByTestId('login-password').fill('not-the-password');
  await page.getByTestId('login-submit').click();
  await page.getByText('wrong name or password').waitFor();
  check(true, 'a wrong password is refused with a message');
  await signIn(page, SUP);
  await page.getByTestId('wall').waitFor();
  await page.evaluate(() => (window.__loadedAt = Date.now())); // survives only without a reload
  await waitFor('the tile to show "online"', async () => (await page.getByTestId('tile-status-gare').textContent()) === 'online', 20000);
  const loads = async () => Number((await page.getByTestId('tile-img-gare').getAttribute('data-loads')) ?? 0);
  await waitFor('two frames in the tile', async () => (await loads()) >= 2, 10000);
  const l0 = await loads();
  await sleep(1500);
  check((await loads()) > l0, `the live tile keeps updating (${l0} → ${await loads()} frames)`);
  await page.screenshot({ path: path.join(OUT, 'console-wall.png') });

  // 2. Statistics before; an alert arrives live; false alarm; statistics after.
  await page.getByTestId('nav-stats').click();
  await page.getByTestId('stats-table').waitFor();
  const falseAlarms = async () => {
    const cell = page.locator('[data-rule="zone_intrusion:path"] [data-testid="stats-false-alarms"]');
    return (await cell.count()) ? Number(await cell.textContent()) : 0;
  };
  const before = await falseAlarms();
  await page.getByTestId('nav-alerts').click();
  await page.getByTestId('alert-list').waitFor();
  await sleep(500);
  const known = new Set(await page.getByTestId('alert-row').evaluateAll((rows) => rows.map((r) => r.dataset.id)));
  const t0 = Date.now();
  await waitFor('a new alert in the queue', async () => {
    const ids = await page.getByTestId('alert-row').evaluateAll((rows) => rows.map((r) => r.dataset.id));
    return ids.some((id) => !known.has(id));
  }, 60000);
  const ids = await page.getByTestId('alert-row').evaluateAll((rows) => rows.map((r) => r.dataset.id));
  const fresh = ids.find((id) => !known.has(id));
  check(await page.evaluate(() => typeof window.__loadedAt === 'number'), `alert ${fresh} arrived without a reload (${Date.now() - t0} ms after the queue opened)`);
  await page.screenshot({ path: path.join(OUT, 'console-alerts.png') });
  const row = page.locator(`[data-testid="alert-row"][data-id="${fresh}"]`);
  await row.getByTestId('act-false-alarm').click();
  await waitFor('the row to say false alarm', async () => (await page.locator(`[data-testid="alert-row"][data-id="${fresh}"] [data-testid="alert-status"]`).textContent()) === 'false alarm', 5000);
  check(true, 'the alert is marked false alarm');
  await page.getByTestId('nav-stats').click();
  await waitFor('the false alarm in the statistics', async () => (await falseAlarms()) === before + 1, 5000);
  check((await falseAlarms()) === before + 1, `statistics: false alarms ${before} → ${await falseAlarms()}`);
  await waitFor('the three charts', async () => (await page.locator('.uplot').count()) === 3, 5000);
  check(true, 'statistics draws its charts with uPlot, line crossings by direction among them');
  await page.getByTestId('heat-camera').selectOption('archive');
  await waitFor('the archive camera\'s heat map', async () => page.getByTestId('heat-map').evaluate((i) => i.complete && i.naturalWidth === 768), 10000);
  check(true, 'a heat map of where the archive camera\'s people went, at its frame size');
  const csv = await page.evaluate(async () => (await fetch(`/api/v1/export/activity.csv?since=${Math.floor(Date.now() / 1000) - 86400}`)).text());
  check(/"archive",tracks,"person",,\d+/.test(csv), 'the counts export as CSV, tracks per class and camera');
  check(/"archive",crossings,"middle",a_to_b,\d+/.test(csv), 'and crossings of a line by direction');
  await page.screenshot({ path: path.join(OUT, 'console-stats.png') });
  await page.getByTestId('nav-map').click();
  await page.getByTestId('map-camera-gare').waitFor();
  const map = page.getByTestId('map');
  const data = (key) => map.evaluate((el, k) => el.dataset[k], key);
  await waitFor('the map drawn (MapLibre, WebGL)', async () => (await data('ready')) === 'yes', 20000);
  await waitFor('the risk cells drawn on the supervisor\'s map', async () => Number(await data('riskFeatures')) >= 2, 5000);
  check(Number(await data('riskFeatures')) >= 2, 'a supervisor sees the risk map\'s two cells drawn');
  check(((await map.locator('xpath=..').textContent()) ?? '').includes('measured PAI 11.27'), 'with the model\'s measured PAI beside it');
  if (mapLayers.includes('basemap')) {
    await waitFor('the basemap\'s streets and buildings', async () => Number(await data('basemapFeatures')) > 0, 20000);
    check(Number(await data('basemapFeatures')) > 50, `the Munich basemap is drawn from vigie's own tiles (${await data('basemapFeatures')} features in view)`);
    await waitFor('the street coverage layer', async () => Number(await data('coverageFeatures')) > 0, 10000);
    check(true, `with the city model's streets seen and unseen over it (${await data('coverageFeatures')} pieces in view)`);
  }
  await page.screenshot({ path: path.join(OUT, 'console-map.png') });
  const zoom0 = Number(await data('zoom'));
  await page.locator('.maplibregl-ctrl-zoom-out').click();
  await waitFor('zooming out', async () => Number(await data('zoom')) < zoom0 - 0.5, 5000);
  check(true, `the map zooms (${zoom0} → ${await data('zoom')})`);
  const centre0 = await data('center');
  const box = await map.boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 - 250, box.y + box.height / 2 - 120, { steps: 8 });
  await page.mouse.up();
  await waitFor('panning', async () => (await data('center')) !== centre0, 5000);
  check(true, `and pans (${centre0} → ${await data('center')})`);
  // The drone flight: its order, track and footprint, moving as it plays.
  await waitFor('the flight list', async () => Number(await data('flights')) === 1, 5000);
  await page.getByTestId('flight-select').selectOption({ index: 1 });
  await waitFor('the flight drawn', async () => Number(await data('flightFootprints')) >= 1 && Number(await data('flightTrack')) > 10, 10000);
  const about = (await page.getByTestId('flight-about').textContent()) ?? '';
  check(about.includes('PP-2026-0417') && flaggedMinutes.every((m) => about.includes(m)),
    `the flight is shown with its order and the minutes it left it (${flaggedMinutes.join(', ')}): "${about}"`);
  await waitFor('the drone\'s alerts where it was', async () => Number(await data('flightAlerts')) >= 1, 5000);
  check(Number(await data('flightAlertsPlaced')) >= 1, `the drone's alerts are drawn where it was when raised (${await data('flightAlertsPlaced')})`);
  const epoch0 = Number(await data('flightEpoch')), at0 = await data('flightPosition');
  await page.getByTestId('flight-play').click();
  await waitFor('the footprint to move', async () => Number(await data('flightEpoch')) >= epoch0 + 60, 15000);
  await page.getByTestId('flight-play').click(); // pause
  check((await data('flightPosition')) !== at0, `the footprint moves as the flight plays (${at0} → ${await data('flightPosition')}, ${Number(await data('flightEpoch')) - epoch0} s later)`);
  const lastEpoch = await page.getByTestId('flight-time').evaluate((el) => {
    el.value = el.max;
    el.dispatchEvent(new Event('input'));
    return Number(el.closest('main, body').querySelector('[data-testid="map"]').dataset.flightEpoch);
  });
  check(lastEpoch > epoch0 + 600, `the slider's end is the flight's end (${lastEpoch - epoch0} s after its start)`);
  await waitFor('the last footprint drawn', async () => Number(await data('flightFootprints')) >= 1, 5000);
  check(((await page.getByTestId('flight-clock').textContent()) ?? '').includes('outside the order'), 'at the end of the flight the footprint is said outside the order');
  await page.getByTestId('flight-time').evaluate((el) => {
    el.value = String(Math.round(Number(el.max) / 3));
    el.dispatchEvent(new Event('input'));
  });
  await sleep(500);
  await page.screenshot({ path: path.join(OUT, 'console-flight.png') });

  // 3. Search: people in a red top, with a reason; thumbnails; a clip plays.
  await page.getByTestId('nav-search').click();
  await page.getByTestId('search-submit').click();
  await waitFor('the refusal of a search without a reason', async () => ((await page.getByTestId('search-status').textContent()) ?? '').includes('reason is required'), 5000);
  check(true, 'a search without a reason is refused, and says why');
  await page.getByTestId('search-reason').fill('case 2026-0042');
  await page.getByTestId('search-class').selectOption('person');
  await page.getByTestId('search-upper').selectOption('red');
  await page.getByTestId('search-submit').click();
  await waitFor('search results', async () => (await page.getByTestId('search-result').count()) > 0, 10000);
  const colours = await page.getByTestId('search-colours').allTextContents();
  check(colours.length > 0 && colours.every((c) => c.split('bottom')[0].includes('red')), `every result wears red on top (${colours.length} found)`);
  await waitFor('thumbnails to load', async () => page.getByTestId('search-thumb').evaluateAll((imgs) => imgs.length > 0 && imgs.every((i) => i.complete && i.naturalWidth > 0)), 10000);
  check(true, 'every result shows its thumbnail');
  let played = false;
  for (const card of await page.getByTestId('search-result').all()) {
    await card.click();
    await page.getByTestId('search-path').waitFor();
    const clip = page.getByTestId('search-clip');
    if ((await clip.count()) === 0) continue;
    await clip.first().click();
    await waitFor('the clip to load', async () => page.getByTestId('search-video').evaluate((v) => v.readyState >= 1 && v.duration > 0), 10000);
    played = true;
    break;
  }
  check(played, 'a result plays the clip of an alert it took part in');
  // Where they went: the people who crossed the middle line westward (A→B).
  await page.getByTestId('search-upper').selectOption('');
  await page.getByTestId('search-crossed').fill('middle:a_to_b');
  await page.getByTestId('search-submit').click();
  await waitFor('tracks that crossed the line', async () => ((await page.getByTestId('search-status').textContent()) ?? '').includes('audit log') && (await page.getByTestId('search-result').count()) > 0, 10000);
  await page.getByTestId('search-result').first().click();
  const went = (await page.getByTestId('search-went').textContent()) ?? '';
  check(went.includes('crossed middle A→B') && went.includes('entered square'), `a result says where it went (${went.slice(0, 80)})`);
  // Dressed alike: the others ranked by likeness to the chosen one, most alike first.
  await page.getByTestId('search-crossed').fill('');
  await page.getByTestId('search-alike').click();
  await waitFor('results ranked by likeness', async () => (await page.getByTestId('search-distance').count()) > 1, 10000);
  const likeness = (await page.getByTestId('search-distance').allTextContents()).map((t) => Number(t.replace('likeness ', '')));
  check(likeness.every((v, i) => i === 0 || v <= likeness[i - 1]), `ranked most alike first (${likeness.slice(0, 5).join(', ')}…)`);
  check(((await page.getByTestId('search-ranking').textContent()) ?? '').includes('Sorted by likeness'), 'the page says how it is sorted');
  await page.screenshot({ path: path.join(OUT, 'console-search.png') });
  await page.getByTestId('search-by-time').click();
  await waitFor('back to newest first', async () => (await page.getByTestId('search-distance').count()) === 0, 10000);

  // The unmasked original: the supervisor asks, with the case, the requester and a reason.
  await page.goto(`${base}/#/recordings`);
  await waitFor('the recorded cameras', async () => (await page.getByTestId('rec-camera').locator('option').count()) > 0, 10000);
  await page.getByTestId('rec-timeline').waitFor();
  // Its timeline: the recorded segments and the alerts; the last minute plays, masked,
  // in the browser's own player.
  await waitFor('recorded segments on the timeline', async () => (await page.getByTestId('rec-segment').count()) > 0, 10000);
  check((await page.getByTestId('rec-alert').count()) > 0, 'the timeline marks the camera\'s alerts');
  await page.getByTestId('rec-play-latest').click();
  await waitFor('the recording to play', async () => page.getByTestId('rec-video').evaluate((v) => v.readyState >= 1 && v.duration > 0), 20000);
  check(((await page.getByTestId('rec-playing').textContent()) ?? '').includes('masked'), 'the player says what it shows');
  await page.screenshot({ path: path.join(OUT, 'console-recordings.png') });
  // The camera records, so its alerts' clips are cut from the recording (no JPEG ring).
  // An alert's clip needs the alert ended and its post-roll recorded; on a loaded machine
  // that can take a while, so this waits for one (up to a minute) instead of asking once.
  const clipOfAnEndedAlert = () => page.evaluate(async () => {
    const { alerts } = await (await fetch('/api/v1/alerts?camera=gare&limit=500')).json();
    const done = alerts.filter((a) => a.end_epoch !== null && a.end_epoch < Date.now() / 1000 - 10);
    if (!done.length) return { alerts: alerts.length };
    const a = done[done.length - 1];
    const res = await fetch(`/api/v1/alerts/${encodeURIComponent(a.id)}/clip`);
    return { alerts: alerts.length, kind: a.clip, status: res.status, type: res.headers.get('content-type'), bytes: (await res.arrayBuffer()).byteLength };
  });
  let alertClip = {};
  try {
    await waitFor('an ended alert\'s clip', async () => (alertClip = await clipOfAnEndedAlert()).status !== undefined, 60000);
  } catch {}
  check(alertClip.kind === 'video' && alertClip.status === 200 && alertClip.type === 'video/mp4' && alertClip.bytes > 1000,
    `an alert's clip comes from the recording (${JSON.stringify(alertClip)})`);
  await page.getByTestId('rec-case').fill('PV-2026-0099');
  await page.getByTestId('rec-requester').fill('Juge Durand');
  // The masked export for the requisition: made, its hashes shown, downloadable.
  await page.getByTestId('rec-export').click();
  await waitFor('the export', async () => (await page.getByTestId('rec-export-file').count()) > 0 ||
    (await page.getByTestId('rec-export-status').getAttribute('class')) === 'error', 60000);
  const exportText = (await page.getByTestId('rec-export-status').textContent()) ?? '';
  check(/SHA-256 [0-9a-f]{64}/.test(exportText), `the export shows its SHA-256 (${exportText.slice(0, 200)})`);
  const downloaded = await page.evaluate(async () => {
    const a = document.querySelector('[data-testid=rec-export-manifest]');
    const m = await (await fetch(a.getAttribute('href'))).json();
    const v = await fetch(document.querySelector('[data-testid=rec-export-file]').getAttribute('href'));
    return { format: m.format, caseRef: m.case_reference, type: v.headers.get('content-type'), bytes: (await v.arrayBuffer()).byteLength, fileBytes: m.file.bytes };
  });
  check(downloaded.format === 'vigie.export/1' && downloaded.caseRef === 'PV-2026-0099', `the manifest names the case (${JSON.stringify(downloaded)})`);
  check(downloaded.type === 'video/mp4' && downloaded.bytes === downloaded.fileBytes && downloaded.bytes > 0, 'the MP4 downloads whole, as its manifest says');
  await page.getByTestId('rec-request').click();
  await waitFor('a request without a reason refused', async () => (await page.getByTestId('rec-status').getAttribute('class')) === 'error', 5000);
  await page.getByTestId('rec-reason').fill('the mask hides the van');
  await page.getByTestId('rec-request').click();
  await waitFor('the request to be made', async () => ((await page.getByTestId('rec-status').textContent()) ?? '').includes('pending'), 5000);

  // The auditor finds the actions and the search.
  await page.getByTestId('logout').click();
  await signIn(page, AUD);
  await page.getByTestId('audit-table').waitFor();
  await waitFor('audit rows', async () => (await page.getByTestId('audit-row').count()) > 0, 5000);
  const audit = (await page.getByTestId('audit-table').textContent()) ?? '';
  check(audit.includes(`false_alarm ${fresh}`), 'the audit log names the false alarm and the alert');
  check(audit.includes('live_view') && audit.includes('login_failed'), 'the audit log has the live view and the failed login');
  check(audit.includes('track_search') && audit.includes('case 2026-0042'), 'the audit log has the search and its reason');
  check((await page.getByTestId('audit-chain').textContent())?.includes('intact'), 'the hash chain is intact');
  await page.screenshot({ path: path.join(OUT, 'console-audit.png') });
  check(audit.includes('recording_play'), 'the audit log has the playback');
  check(audit.includes('recording.export') && audit.includes('recording_download'), 'the audit log has the export and its download');
  check(audit.includes('recording.unmasked_request') && audit.includes('the mask hides the van'), 'the audit log has the unmasked request and its reason');
  // and decides on the request: approved, with a reason; the decision is final.
  await page.getByTestId('nav-requests').click();
  await waitFor('the pending request', async () => (await page.getByTestId('unmasked-state').first().textContent()) === 'pending', 10000);
  await page.getByTestId('unmasked-approve').first().click();
  await waitFor('an approval without a reason refused', async () => ((await page.getByTestId('unmasked-status').textContent()) ?? '').includes('reason'), 5000);
  await page.getByTestId('unmasked-why').first().fill('order PV-2026-0099 seen');
  await page.getByTestId('unmasked-approve').first().click();
  await waitFor('the request approved', async () => (await page.getByTestId('unmasked-state').first().textContent()) === 'approved', 5000);
  check((await page.getByTestId('unmasked-approve').count()) === 0, 'an approved request can no longer be decided');

  // The supervisor who asked makes the one unmasked export the approval allows.
  await page.getByTestId('logout').click();
  await signIn(page, SUP);
  await page.getByTestId('wall').waitFor();
  await page.goto(`${base}/#/recordings`);
  await waitFor('the approved request among mine', async () => (await page.getByTestId('mine-state').first().textContent()) === 'approved', 10000);
  await page.getByTestId('mine-export').first().click();
  await waitFor('the unmasked export', async () => (await page.getByTestId('mine-export-file').count()) > 0 ||
    (await page.getByTestId('mine-status').getAttribute('class')) === 'error', 60000);
  const unmaskedText = (await page.getByTestId('mine-status').textContent()) ?? '';
  check(/SHA-256 [0-9a-f]{64}/.test(unmaskedText), `the unmasked export shows its SHA-256 (${unmaskedText.slice(0, 200)})`);
  const unmaskedManifest = await page.evaluate(async () =>
    (await fetch(document.querySelector('[data-testid=mine-export-manifest]').getAttribute('href'))).json());
  check(unmaskedManifest.unmasked?.approved_by === AUD.name && unmaskedManifest.unmasked?.reason === 'the mask hides the van',
    `its manifest names the approver and the reason (${JSON.stringify(unmaskedManifest.unmasked)})`);
  await waitFor('the request used', async () => (await page.getByTestId('mine-state').first().textContent()) === 'used', 5000);
  check((await page.getByTestId('mine-export').count()) === 0, 'an approval allows one export');
  check((await page.getByTestId('mine-file').count()) === 1, 'the used request links its file');

  // 4. The camera goes away and comes back.
  await page.goto(`${base}/#/wall`);
  await page.getByTestId('wall').waitFor();
  const status = () => page.getByTestId('tile-status-gare').textContent();
  await waitFor('online again after login', async () => (await status()) === 'online', 10000);
  await stop(camsim);
  const offlineMs = await waitFor('the tile to show offline', async () => (await status()) === 'offline', 15000);
  check(true, `camera stopped: shown offline after ${offlineMs} ms`);
  await sleep(2000);
  check((await status()) === 'offline', 'and it stays offline while the camera is down');
  await page.screenshot({ path: path.join(OUT, 'console-offline.png') });
  camsim = startCamsim();
  const backMs = await waitFor('the tile to show online', async () => (await status()) === 'online', 15000);
  check(backMs <= 5000, `camera restarted: back online after ${backMs} ms (limit 5000)`);

  await browser.close();
  if (failed()) console.log(`--- vigie serve log ---\n${serve.log().slice(-3000)}`);
}

await run(main);
