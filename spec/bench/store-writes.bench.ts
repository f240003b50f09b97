/**
 * The cost of one state write (a lock, a dead property) in the default on-disk store, with 100
 * and with 100,000 keys already stored: awaited one after another, as a request awaits its write
 * before it answers. The cost must not grow with what is stored.
 *
 * Alone: `node dist/spec/bench/store-writes.bench.js`; JOTTADAV_BENCH_STORE_KEYS sets the large
 * size (default 100,000), JOTTADAV_BENCH_STORE_WRITES the writes timed (default 2,000).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createStore } from '../../lib/store/create-store.js';
import type { BenchResult } from './types.js';

const self = fileURLToPath(import.meta.url);

function envInt(name: string, fallback: number): number {
  const n = Number(process.env[name] ?? fallback);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${name} must be a positive integer`);
  return n;
}

/** A dead-property record about the size the dav layer stores for one resource. */
const record = (i: number) => ({ '{urn:bench}color': `value ${i}`, '{DAV:}displayname': `file-${i}.txt`, touched: 1_700_000_000_000 + i });

/** Microseconds per awaited write (and per read) with `stored` keys in the store. */
async function perWrite(stored: number, writes: number): Promise<{ writeUs: number; readUs: number; parallelUs: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'jottadav-store-bench-'));
  try {
    const store = createStore({ kind: 'file', dir });
    // Filling in parallel batches lets the store commit many per transaction: quick to set up.
    for (let i = 0; i < stored; i += 1000) {
      await Promise.all(Array.from({ length: Math.min(1000, stored - i) }, (_, j) => store.set(`dav:props:/folder-${(i + j) % 300}/file-${i + j}.txt`, record(i + j))));
    }
    const started = process.hrtime.bigint();
    for (let i = 0; i < writes; i++) await store.set(`dav:props:/bench/w-${i % 500}.txt`, record(i));
    const wrote = Number(process.hrtime.bigint() - started) / 1000 / writes;
    const readStart = process.hrtime.bigint();
    for (let i = 0; i < writes; i++) await store.get(`dav:props:/folder-${i % 300}/file-${(i * 7919) % stored}.txt`);
    const read = Number(process.hrtime.bigint() - readStart) / 1000 / writes;
    // Eight clients at once (PROPPATCH bursts): their writes share commits.
    const parallelStart = process.hrtime.bigint();
    await Promise.all(Array.from({ length: 8 }, async (_, w) => {
      for (let i = w; i < writes; i += 8) await store.set(`dav:props:/bench/p-${i % 500}.txt`, record(i));
    }));
    const parallel = Number(process.hrtime.bigint() - parallelStart) / 1000 / writes;
    await store.close();
    return { writeUs: wrote, readUs: read, parallelUs: parallel };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<BenchResult[]> {
  const large = envInt('JOTTADAV_BENCH_STORE_KEYS', 100_000);
  const writes = envInt('JOTTADAV_BENCH_STORE_WRITES', 2000);
  const small = await perWrite(100, writes);
  const big = await perWrite(large, writes);
  console.error(
    `store (LMDB): ${small.writeUs.toFixed(0)} µs/write at 100 keys, ${big.writeUs.toFixed(0)} µs/write at ${large} keys; ` +
      `8 writers: ${small.parallelUs.toFixed(0)} / ${big.parallelUs.toFixed(0)} µs per write; reads ${small.readUs.toFixed(1)} / ${big.readUs.toFixed(1)} µs`,
  );
  return [
    { name: 'store: awaited write, 100 keys', value: small.writeUs, unit: 'µs', note: `${writes} sequential set() of a dead-property record` },
    { name: `store: awaited write, ${large} keys`, value: big.writeUs, unit: 'µs', baseline: small.writeUs, ratio: big.writeUs / small.writeUs, target: '≈ 1 (flat)', note: 'baseline: the same at 100 keys' },
    { name: `store: write with 8 writers, ${large} keys`, value: big.parallelUs, unit: 'µs', baseline: small.parallelUs, ratio: big.parallelUs / small.parallelUs, note: 'per write, wall time / writes; baseline: the same at 100 keys' },
    { name: `store: read, ${large} keys`, value: big.readUs, unit: 'µs', baseline: small.readUs, ratio: big.readUs / small.readUs, note: 'baseline: the same at 100 keys' },
  ];
}

if (process.argv[1] === self) {
  run().then(
    (rows) => {
      for (const r of rows) console.log(`${r.name}: ${r.value.toFixed(1)} ${r.unit}${r.ratio === undefined ? '' : ` (×${r.ratio.toFixed(2)})`}`);
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
