// Starts a real `beacon serve` on 127.0.0.1 (port 0, read from its stdout)
// with a temp data dir, users from `beacon user add`, and the shared
// Mission/Bayview road graph when it is beside the repository.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repo = path.resolve(here, '../..');
export const build = path.resolve(process.env.BEACON_BUILD_DIR ?? path.join(repo, 'build'));
export const binary = process.env.BEACON_BINARY ?? path.join(build, 'beacon');
export const webDir = process.env.BEACON_WEB_DIR ?? path.join(build, 'web');
export const screenshots = path.join(build, 'screenshots');
export const chromium = process.env.CHROMIUM ?? '/usr/bin/chromium';
const osm = path.join(repo, '../shared/data/osm/sf_mission_bayview_2014.osm.pbf');

export const USERS = ['supervisor', 'dispatcher', 'call_taker', 'analyst', 'fraud_analyst'];
export const password = (u) => `pw-${u}-browser-test`;

export class Beacon {
  constructor() {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'beacon-web-'));
    this.data = path.join(this.dir, 'data');
    this.graph = null;
    this.proc = null;
    this.port = 0;
    this.log = '';
    this.extraArgs = [];  // appended to `beacon serve`
  }

  // Writes the built-in response plans with `timers` in place of theirs and
  // serves with them (call before start()).
  usePlansWithTimers(timers) {
    const plans = JSON.parse(fs.readFileSync(path.join(repo, 'config/response_plans.json'), 'utf8'));
    plans.timers = timers;
    const file = path.join(this.dir, 'plans.json');
    fs.writeFileSync(file, JSON.stringify(plans));
    this.extraArgs.push('--plans', file);
  }

  setup() {
    if (fs.existsSync(osm)) {
      this.graph = path.join(this.dir, 'sf.graph');
      const r = spawnSync(binary, ['import-osm', osm, '--out', this.graph], { timeout: 120000 });
      if (r.status !== 0) throw new Error(`import-osm failed: ${r.stderr}`);
    }
    for (const u of USERS) {
      const r = spawnSync(binary, ['user', 'add', u, '--role', u, '--data', this.data], {
        input: `${password(u)}\n`,
        timeout: 30000,
      });
      if (r.status !== 0) throw new Error(`user add ${u} failed: ${r.stderr}`);
    }
  }

  // Starts the server; `port` 0 picks a free one (a restart passes the old one).
  async start(port = 0) {
    const args = ['serve', '--data', this.data, '--listen', `127.0.0.1:${port}`, '--web', webDir];
    if (this.graph) args.push('--graph', this.graph);
    args.push(...this.extraArgs);
    const proc = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = proc;
    proc.stderr.on('data', (d) => (this.log += d));
    this.port = await new Promise((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`beacon did not start: ${this.log}`)), 30000);
      proc.stdout.on('data', (d) => {
        out += d;
        const m = out.match(/listening on http:\/\/127\.0\.0\.1:(\d+)/);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
      proc.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`beacon exited ${code}: ${this.log}`));
      });
    });
    this.url = `http://127.0.0.1:${this.port}`;
    return this.port;
  }

  async stop() {
    const p = this.proc;
    if (!p || p.exitCode !== null) return;
    this.proc = null;
    await new Promise((resolve) => {
      const t = setTimeout(() => {
        p.kill('SIGKILL');
      }, 10000);
      p.on('exit', () => {
        clearTimeout(t);
        resolve();
      });
      p.kill('SIGTERM');
    });
  }

  async cleanup() {
    await this.stop();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  async api(method, p, body, token) {
    const headers = { 'Content-Type': 'application/json' };
    if (token) headers.Authorization = `Bearer ${token}`;
    const r = await fetch(`${this.url}/api/v1${p}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : null, headers: r.headers };
  }

  async login(user) {
    const r = await this.api('POST', '/auth/login', { username: user, password: password(user) });
    if (r.status !== 200) throw new Error(`login ${user}: ${r.status}`);
    return r.body.token;
  }
}

// Headless Debian chromium, as every browser test launches it.
export async function launchBrowser(pw) {
  return pw.launch({
    executablePath: chromium,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    timeout: 60000,
  });
}

// A page of `user` logged in to `beacon`, live on the stream; `timeout`
// bounds every later wait of the page.
export async function loginPage(browser, beacon, user, viewport, timeout = 15000) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.setDefaultTimeout(timeout);
  page.on('pageerror', (e) => console.error(`[${user} page error]`, e.message));
  await page.goto(beacon.url);
  await page.getByLabel('User name').fill(user);
  await page.getByLabel('Password').fill(password(user));
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForSelector('body[data-ready="1"]');
  await page.waitForSelector('body[data-connection="live"]');
  return page;
}
