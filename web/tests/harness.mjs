// What the console's end-to-end scripts share: checks counted, child processes started
// and stopped with their logs, waiting for a condition, logging in, Chromium launched, and
// the run's end (logs of the children on a failure, exit 0 pass, 1 fail, 77 skip).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { chromium } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
const children = [];
let failures = 0;

// Exits 77 (skipped) without Chromium, and fails when a named input is missing.
export function requireInputs(inputs) {
  if (!existsSync(CHROMIUM)) {
    console.log(`skipped: ${CHROMIUM} is not installed (apt-get install chromium)`);
    process.exit(77);
  }
  for (const [k, v] of Object.entries(inputs)) if (!v || !existsSync(v)) throw new Error(`${k} (${v}) is missing`);
}

export function check(ok, what) {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures++;
}

export const failed = () => failures > 0;

export const freePort = () =>
  new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function start(cmd, args, name) {
  const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  p.stdout.on('data', (d) => (log += d));
  p.stderr.on('data', (d) => (log += d));
  p.log = () => log;
  p.name = name;
  children.push(p);
  return p;
}

export function stop(p) {
  return new Promise((resolve) => {
    // Gone already, by its own exit or by a signal (then exitCode stays null, and waiting
    // for an 'exit' that has happened left node with an unsettled await: exit 13, no summary).
    if (p.exitCode !== null || p.signalCode !== null) return resolve();
    p.on('exit', resolve);
    p.kill('SIGTERM');
  });
}

export async function waitFor(what, fn, timeoutMs) {
  const t0 = Date.now();
  for (;;) {
    try {
      const v = await fn();
      if (v) return Date.now() - t0;
    } catch {}
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

export async function signIn(page, user) {
  await page.getByTestId('login-name').fill(user.name);
  await page.getByTestId('login-password').fill(user.password);
  await page.getByTestId('login-submit').click();
}

export function launchChromium() {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--disable-background-networking', '--disable-quic', '--no-first-run',
      '--disable-component-update', '--disable-sync'],
  });
}

// Runs `main`, then stops every child; prints the children's logs when it threw, and
// exits 1 when a check failed.
export async function run(main) {
  try {
    await main();
  } catch (e) {
    check(false, String(e?.stack ?? e));
    for (const c of children) console.log(`--- ${c.name} log ---\n${c.log().slice(-2000)}`);
  } finally {
    await Promise.all(children.map(stop));
  }
  console.log(failures ? `${failures} check(s) failed` : 'all checks passed');
  process.exit(failures ? 1 : 0);
}
