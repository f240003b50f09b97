/**
 * Memory of the emulator while 1 GiB streams in (allocate + upload), out (mode=bin) and a range
 * near its end is read. The emulator runs in a child process that samples its own RSS; the
 * figure is the peak growth over its warmed-up baseline. Target: < 64 MiB.
 *
 * Alone: `node .build/emulator/spec/bench/emulator-memory.bench.js` (or dist/… after `npm run build`).
 * JOTTADAV_BENCH_BYTES overrides the size for a quick try.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { seededBytes } from '../support/seeded-data.js';
import type { BenchResult } from './types.js';


const MiB = 1024 * 1024;
const CHILD_FLAG = '--emulator-memory-child';
const self = fileURLToPath(import.meta.url);

type ToChild = { kind: 'mark' } | { kind: 'peak' } | { kind: 'stop' };
type FromChild = { kind: 'ready'; url: string; jfs: string; api: string; loginToken: string; username: string } | { kind: 'baseline'; rss: number } | { kind: 'peak'; rss: number; baseline: number };

/** Child: the emulator plus an RSS sampler (every 20 ms, peak since the last mark). */
async function childMain(): Promise<void> {
  const { startEmulator } = await import('../../lib/emulator/index.js');
  const dataDir = await mkdtemp(join(tmpdir(), 'jottadav-emu-bench-'));
  const emu = await startEmulator({ host: '127.0.0.1', port: 0, dataDir });
  let baseline = process.memoryUsage().rss;
  let peak = baseline;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  const send = (m: FromChild) => process.send!(m);
  process.on('message', (m: ToChild) => {
    void (async () => {
      if (m.kind === 'mark') {
        global.gc?.();
        baseline = process.memoryUsage().rss;
        peak = baseline;
        send({ kind: 'baseline', rss: baseline });
      } else if (m.kind === 'peak') {
        peak = Math.max(peak, process.memoryUsage().rss);
        send({ kind: 'peak', rss: peak, baseline });
      } else {
        clearInterval(timer);
        await emu.close();
        await rm(dataDir, { recursive: true, force: true });
        process.exit(0);
      }
    })();
  });
  send({ kind: 'ready', url: emu.url, jfs: emu.urls.jfs, api: emu.urls.api, loginToken: emu.loginToken, username: emu.username });
}

class ChildLink {
  private waiting: ((m: FromChild) => void)[] = [];
  constructor(readonly child: ChildProcess) {
    child.on('message', (m: FromChild) => this.waiting.shift()?.(m));
  }
  next(): Promise<FromChild> {
    return new Promise((r) => this.waiting.push(r));
  }
  async ask(m: ToChild): Promise<FromChild> {
    const reply = this.next();
    this.child.send(m);
    return reply;
  }
}

/** A deterministic body of `size` bytes: one random MiB, repeated. */
function body(block: Buffer, size: number): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= size) return void this.push(null);
      const n = Math.min(block.length, size - sent);
      sent += n;
      this.push(n === block.length ? block : block.subarray(0, n));
    },
  });
}

function call(url: string, options: { method?: string; headers?: Record<string, string>; body?: Readable | string }): Promise<{ status: number; md5: string; bytes: number; text: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = request({ host: u.hostname, port: u.port, path: `${u.pathname}${u.search}`, method: options.method ?? 'GET', headers: options.headers ?? {} }, (res) => {
      const hash = createHash('md5');
      let bytes = 0;
      let text = '';
      res.on('data', (c: Buffer) => {
        hash.update(c);
        bytes += c.length;
        if (text.length < 4096) text += c.toString('utf8');
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, md5: hash.digest('hex'), bytes, text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (options.body instanceof Readable) pipeline(options.body, req).catch(reject);
    else req.end(options.body);
  });
}

export async function run(): Promise<BenchResult[]> {
  const size = Number(process.env.JOTTADAV_BENCH_BYTES ?? 1024 * MiB);
  const child = fork(self, [CHILD_FLAG], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: ['--expose-gc'] });
  const link = new ChildLink(child);
  try {
    const ready = await link.next();
    if (ready.kind !== 'ready') throw new Error('emulator child did not start');
    const p = JSON.parse(Buffer.from(ready.loginToken, 'base64url').toString('utf8')) as { auth_token: string; username: string; well_known_link: string };
    const tokenUrl = p.well_known_link.replace(/\.well-known\/openid-configuration$/, 'protocol/openid-connect/token');
    const form = new URLSearchParams({ client_id: 'jottacli', grant_type: 'password', username: p.username, password: p.auth_token }).toString();
    const tok = await call(tokenUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form });
    const bearer = { authorization: `Bearer ${(JSON.parse(tok.text) as { access_token: string }).access_token}` };

    const block = seededBytes(MiB);
    const hash = createHash('md5');
    for await (const c of body(block, size)) hash.update(c as Buffer);
    const md5 = hash.digest('hex');
    const fileUrl = `${ready.jfs}${ready.username}/Jotta/Archive/bench/big.bin`;
    const allocate = async (path: string, bytes: number, sum: string) => {
      const r = await call(`${ready.api}files/v1/allocate`, { method: 'POST', headers: { ...bearer, 'content-type': 'application/json' }, body: JSON.stringify({ path, bytes, md5: sum }) });
      return JSON.parse(r.text) as { upload_url: string; state: string };
    };
    // Warm-up: a small upload and download so lazy code paths are loaded before the baseline.
    const small = Buffer.from('warm-up');
    const w = await allocate('/jfs/Jotta/Archive/bench/warm.txt', small.length, createHash('md5').update(small).digest('hex'));
    await call(w.upload_url, { method: 'POST', headers: bearer, body: small.toString() });
    await call(`${ready.jfs}${ready.username}/Jotta/Archive/bench/warm.txt?mode=bin`, { headers: bearer });

    const results: BenchResult[] = [];
    const phase = async (name: string, bytes: number, work: () => Promise<string>) => {
      const mark = await link.ask({ kind: 'mark' });
      const t0 = Date.now();
      const note = await work();
      const ms = Date.now() - t0;
      const peak = await link.ask({ kind: 'peak' });
      if (mark.kind !== 'baseline' || peak.kind !== 'peak') throw new Error('sampler out of step');
      results.push({ name: `emulator RSS growth: ${name}`, value: +((peak.rss - peak.baseline) / MiB).toFixed(1), unit: 'MiB', target: '< 64', note: `${note}; ${(bytes / MiB / Math.max(ms / 1000, 0.001)).toFixed(0)} MiB/s; baseline RSS ${(peak.baseline / MiB).toFixed(1)} MiB` });
    };
    await phase(`upload ${size / MiB} MiB`, size, async () => {
      const a = await allocate('/jfs/Jotta/Archive/bench/big.bin', size, md5);
      const r = await call(a.upload_url, { method: 'POST', headers: { ...bearer, 'content-type': 'application/octet-stream', 'content-length': String(size) }, body: body(block, size) });
      if (r.status !== 200) throw new Error(`upload answered ${r.status}: ${r.text}`);
      return 'allocate + streamed POST';
    });
    await phase(`download ${size / MiB} MiB`, size, async () => {
      const r = await call(`${fileUrl}?mode=bin`, { headers: bearer });
      if (r.status !== 200 || r.md5 !== md5) throw new Error(`download: ${r.status}, md5 ${r.md5} != ${md5}`);
      return 'mode=bin, MD5 verified';
    });
    await phase('range of the last 1 MiB', MiB, async () => {
      const r = await call(`${fileUrl}?mode=bin`, { headers: { ...bearer, range: `bytes=${size - MiB}-${size - 1}` } });
      if (r.status !== 206 || r.bytes !== MiB) throw new Error(`range: ${r.status}, ${r.bytes} bytes`);
      return '206 with 1 MiB';
    });
    return results;
  } finally {
    child.send({ kind: 'stop' } satisfies ToChild);
    await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
  }
}

if (process.argv.includes(CHILD_FLAG)) {
  await childMain();
} else if (process.argv[1] === self) {
  const results = await run();
  for (const r of results) console.log(`${r.name}: ${r.value} ${r.unit} (target ${r.target}) — ${r.note}`);
  const worst = Math.max(...results.map((r) => r.value));
  process.exitCode = worst < 64 ? 0 : 1;
}
