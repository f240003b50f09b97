/**
 * Warm PROPFIND Depth 1 of a folder of 10,000 files over the in-memory Vfs: the DAV layer's own
 * cost (multistatus building, live properties, lock and dead-property lookups), with the server
 * and the client in this process. Reports the mean time per listing, the GC time the listings
 * caused, and the highest heap / RSS seen while they ran (sampled every 2 ms).
 *
 * Alone: `npx tsc -p tsconfig.json && node dist/spec/bench/dav-propfind.bench.js`
 * (JOTTADAV_BENCH_FILES and JOTTADAV_BENCH_ROUNDS override 10,000 files / 20 listings.)
 */
import http from 'node:http';
import { PerformanceObserver } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { startDavServer } from '../../lib/dav/index.js';
import { MemoryStore } from '../../lib/store/memory-store.js';
import { MemoryVfs } from '../support/memory-vfs.js';
import type { BenchResult } from './types.js';
import { DAV_DEFAULTS } from '../support/defaults.js';

const FILES = Number(process.env.JOTTADAV_BENCH_FILES ?? 10_000);
const ROUNDS = Number(process.env.JOTTADAV_BENCH_ROUNDS ?? 20);
const MiB = 1024 * 1024;

/** What rclone asks for in a listing (its PROPFIND body). */
const RCLONE_PROPS =
  '<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns"><d:prop>' +
  '<d:displayname/><d:getlastmodified/><d:getcontentlength/><d:resourcetype/><d:getcontenttype/><oc:checksums/>' +
  '</d:prop></d:propfind>';

interface Round {
  meanMs: number;
  gcMs: number;
  peakHeapMiB: number;
  peakRssMiB: number;
  bytes: number;
}

function propfind(port: number, body: string | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { Depth: '1' };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/xml';
      headers['Content-Length'] = Buffer.byteLength(body);
    }
    const req = http.request({ host: '127.0.0.1', port, method: 'PROPFIND', path: '/big/', headers, agent: false }, (res) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => (bytes += c.length));
      res.on('end', () => (res.statusCode === 207 ? resolve(bytes) : reject(new Error(`PROPFIND answered ${res.statusCode}`))));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function measure(port: number, body: string | undefined): Promise<Round> {
  for (let i = 0; i < 3; i++) await propfind(port, body); // warm: JIT, caches
  let gcMs = 0;
  const gc = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcMs += e.duration;
  });
  gc.observe({ entryTypes: ['gc'] });
  let peakHeap = 0;
  let peakRss = 0;
  const sample = () => {
    const m = process.memoryUsage();
    peakHeap = Math.max(peakHeap, m.heapUsed);
    peakRss = Math.max(peakRss, m.rss);
  };
  const sampler = setInterval(sample, 2);
  let bytes = 0;
  const started = performance.now();
  for (let i = 0; i < ROUNDS; i++) bytes = await propfind(port, body);
  const elapsed = performance.now() - started;
  clearInterval(sampler);
  sample();
  gc.disconnect();
  return { meanMs: elapsed / ROUNDS, gcMs: gcMs / ROUNDS, peakHeapMiB: peakHeap / MiB, peakRssMiB: peakRss / MiB, bytes };
}

export async function run(): Promise<BenchResult[]> {
  const vfs = new MemoryVfs({ caseInsensitive: true });
  await vfs.mkdir('/big');
  for (let i = 0; i < FILES; i++) await vfs.write(`/big/file-${String(i).padStart(5, '0')}.txt`, Readable.from([Buffer.from('x')]));
  const store = new MemoryStore();
  const server = await startDavServer({ ...DAV_DEFAULTS, vfs, store, auth: { ...DAV_DEFAULTS.auth, anonymous: { readOnly: false } } });
  const port = Number(new URL(server.url).port);
  try {
    const out: BenchResult[] = [];
    for (const [label, body] of [['allprop', undefined], ['rclone props', RCLONE_PROPS]] as const) {
      const r = await measure(port, body);
      const note = `${FILES} files, ${ROUNDS} warm listings, ${(r.bytes / MiB).toFixed(1)} MiB body`;
      out.push(
        { name: `PROPFIND Depth 1 (${label}): mean`, value: r.meanMs, unit: 'ms', note },
        { name: `PROPFIND Depth 1 (${label}): GC per listing`, value: r.gcMs, unit: 'ms', note },
        { name: `PROPFIND Depth 1 (${label}): peak heap`, value: r.peakHeapMiB, unit: 'MiB', note },
        { name: `PROPFIND Depth 1 (${label}): peak RSS`, value: r.peakRssMiB, unit: 'MiB', note },
      );
    }
    return out;
  } finally {
    await server.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const r of await run()) console.log(`${r.name}: ${r.value.toFixed(1)} ${r.unit} (${r.note ?? ''})`);
}
