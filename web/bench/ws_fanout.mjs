// WebSocket fan-out benchmark: CLIENTS stream clients on a real `beacon
// serve`; one writer posts WRITES calls one after another; for each write,
// the time from its 201 arriving at the writer to its call.created event
// arriving at every client (the slowest client) and at each client.
// Usage: node web/bench/ws_fanout.mjs [--clients 200] [--writes 300]
//        [--beacon build/beacon] [--json-out FILE]
// Prints a JSON report. Everything runs on 127.0.0.1; the server is ours.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []),
);
const CLIENTS = Number(args.clients ?? 200);
const WRITES = Number(args.writes ?? 300);
const GAP_MS = Number(args['gap-ms'] ?? 10);
const beaconBin = path.resolve(args.beacon ?? path.join(here, '../../build/beacon'));

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'beacon-wsbench-'));
let server;
function cleanup() {
  try {
    server?.kill('SIGTERM');
  } catch {}
  fs.rmSync(dir, { recursive: true, force: true });
}
process.on('exit', cleanup);
const hardStop = setTimeout(() => {
  console.error('ws_fanout: timed out');
  process.exit(3);
}, 300000);

const pct = (xs, p) => {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const r2 = (x) => (x === null ? null : Math.round(x * 100) / 100);

async function main() {
  const data = path.join(dir, 'data');
  const add = spawnSync(beaconBin, ['user', 'add', 'ct', '--role', 'dispatcher', '--data', data], {
    input: 'bench-password\n',
  });
  if (add.status !== 0) throw new Error(`user add: ${add.stderr}`);
  server = spawn(beaconBin, ['--log-level', 'warn', 'serve', '--data', data, '--listen', '127.0.0.1:0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise((resolve, reject) => {
    let out = '';
    server.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on http:\/\/127\.0\.0\.1:(\d+)/);
      if (m) resolve(Number(m[1]));
    });
    server.on('exit', (c) => reject(new Error(`server exited ${c}`)));
  });
  const base = `http://127.0.0.1:${port}/api/v1`;
  const login = await fetch(`${base}/auth/login`, {
    method: 'POST',
    body: JSON.stringify({ username: 'ct', password: 'bench-password' }),
  });
  const { token } = await login.json();

  // call_id -> per-client arrival times (ms, performance.now()).
  const arrivals = new Map();
  const clients = [];
  await Promise.all(
    Array.from({ length: CLIENTS }, (_, i) => {
      return new Promise((resolve, reject) => {
        const ws = new WebSocket(`ws://127.0.0.1:${port}/api/v1/stream`, {
          headers: { Authorization: `Bearer ${token}` },
          perMessageDeflate: false,
        });
        ws.on('message', (buf) => {
          const t = performance.now();
          const msg = JSON.parse(buf.toString());
          if (msg.type === 'hello') return resolve();
          if (msg.type !== 'call.created') return;
          const id = msg.data.call.call_id;
          let a = arrivals.get(id);
          if (!a) arrivals.set(id, (a = new Array(CLIENTS).fill(null)));
          a[i] = t;
        });
        ws.on('error', reject);
        clients.push(ws);
      });
    }),
  );

  const perWrite = []; // slowest client, ms after the 201
  const perDelivery = []; // every client, ms after the 201
  let missing = 0;
  const wrote = [];
  for (let n = 0; n < WRITES; n++) {
    const body = {
      channel: 'phone',
      incident_type: 'MEDICAL',
      location: { lat: 37.7 + (n % 50) * 0.01, lon: -122.5 + Math.floor(n / 50) * 0.01 },
      narrative: 'ws bench',
    };
    const tSent = performance.now();
    const r = await fetch(`${base}/calls`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    const t201 = performance.now();
    const j = await r.json();
    if (r.status !== 201) throw new Error(`POST /calls answered ${r.status}`);
    wrote.push([j.call_id, t201, tSent]);
    await new Promise((res) => setTimeout(res, GAP_MS));
  }
  // Let the last events arrive (bounded).
  const deadline = performance.now() + 10000;
  const complete = () => wrote.every(([id]) => arrivals.get(id)?.every((x) => x !== null));
  while (!complete() && performance.now() < deadline) await new Promise((res) => setTimeout(res, 20));
  const fromSent = []; // slowest client, ms after the POST was sent
  for (const [id, t201, tSent] of wrote) {
    const a = arrivals.get(id) ?? [];
    let worst = -Infinity;
    let last = -Infinity;
    for (let i = 0; i < CLIENTS; i++) {
      if (a[i] == null) {
        missing++;
        continue;
      }
      // An event may beat the 201 to the client (both leave the server at
      // commit); that counts as 0, not as a negative delay.
      const d = Math.max(0, a[i] - t201);
      perDelivery.push(d);
      worst = Math.max(worst, d);
      last = Math.max(last, a[i]);
    }
    if (worst > -Infinity) {
      perWrite.push(worst);
      fromSent.push(last - tSent);
    }
  }
  for (const ws of clients) ws.close();
  const report = {
    clients: CLIENTS,
    writes: WRITES,
    gap_ms: GAP_MS,
    missing_deliveries: missing,
    every_client_p50_ms: r2(pct(perWrite, 50)),
    every_client_p99_ms: r2(pct(perWrite, 99)),
    every_client_max_ms: r2(Math.max(...perWrite)),
    each_delivery_p50_ms: r2(pct(perDelivery, 50)),
    request_to_every_client_p50_ms: r2(pct(fromSent, 50)),
    request_to_every_client_p99_ms: r2(pct(fromSent, 99)),
    each_delivery_p99_ms: r2(pct(perDelivery, 99)),
    goal_p99_ms: 100,
    goal_met: pct(perWrite, 99) !== null && pct(perWrite, 99) <= 100 && missing === 0,
    node: process.version,
  };
  const text = JSON.stringify(report, null, 1);
  console.log(text);
  if (args['json-out']) fs.writeFileSync(args['json-out'], text + '\n');
  clearTimeout(hardStop);
  return missing === 0 ? 0 : 1;
}

main()
  .then((code) => {
    cleanup();
    process.exit(code);
  })
  .catch((e) => {
    console.error('ws_fanout:', e.message);
    cleanup();
    process.exit(2);
  });
