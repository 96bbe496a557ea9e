// The console's pages as pictures for docs/, taken from a running demo (`make demo`):
//   BASE_URL=http://127.0.0.1:8080 DEMO_PASSWORD=… AUDITOR_PASSWORD=… OUT_DIR=docs node tests/screenshots.mjs
import path from 'node:path';
import { chromium } from 'playwright-core';

const { BASE_URL = 'http://127.0.0.1:8080', DEMO_PASSWORD, AUDITOR_PASSWORD, OUT_DIR = '.' } = process.env;
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run'],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
const shot = (name) => page.screenshot({ path: path.join(OUT_DIR, `console-${name}.png`) });
async function signIn(name, password) {
  await page.getByTestId('login-name').fill(name);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
}

await page.goto(BASE_URL);
await page.getByTestId('login-name').waitFor();
await shot('login');
await signIn('demo', DEMO_PASSWORD);
await page.getByTestId('wall').waitFor();
await page.waitForFunction(() => [...document.querySelectorAll('.tile img')].every((i) => Number(i.dataset.loads ?? 0) >= 2), null, { timeout: 30000 });
await shot('wall');
await page.getByTestId('nav-alerts').click();
await page.waitForFunction(() => document.querySelectorAll('[data-testid="alert-row"]').length >= 4, null, { timeout: 60000 });
const rows = page.getByTestId('alert-row');
await rows.nth(1).getByTestId('act-false-alarm').click();
await rows.nth(2).getByTestId('action-note').fill('patrol 12 on its way');
await rows.nth(2).getByTestId('act-dispatch').click();
await rows.nth(3).getByTestId('act-acknowledge').click();
await rows.nth(2).click();
await page.locator('.detail h4').waitFor();
await page.waitForTimeout(500);
await shot('alerts');
await page.getByTestId('nav-map').click();
await page.getByTestId('map-streets').waitFor({ timeout: 15000 }).catch(() => {});
await page.waitForTimeout(500);
await shot('map');
await page.getByTestId('nav-stats').click();
await page.getByTestId('stats-row').first().waitFor();
await shot('stats');
await page.getByTestId('logout').click();
await signIn('auditor', AUDITOR_PASSWORD);
await page.getByTestId('audit-row').first().waitFor();
await shot('audit');
await browser.close();
