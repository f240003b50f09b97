/**
 * The bridge against the service it fronts, in one run (issue 5, `npm run bench`):
 * - PROPFIND Depth 1 of a 10,000-file folder, cold (listing cache empty) and warm (cached), once
 *   for a folder opened by its URL and once for one reached from a listed root;
 * - GET and PUT of a 1 GiB file through the bridge against the same transfer straight to the
 *   emulator (mode=bin GET; MD5 + allocate + upload);
 * - 1,000 small PUTs through the bridge against the same uploads straight to the emulator;
 * - the bridge's peak RSS during the 1 GiB transfers.
 * The emulator (`jottadav emulator`) and the bridge (`jottadav serve`) each run in their own
 * process, so the bridge's RSS (sampled from /proc every 50 ms) is its own; this process is the
 * client of both. The emulator keeps its data on a RAM disk when there is one (it stands in for a
 * remote service: on this machine's one disk its writes would compete with the bridge's spool);
 * the bridge spools to the OS temp dir, as deployed.
 *
 * Alone: `node .build/bench/spec/bench/bridge.bench.js` (or dist/…). JOTTADAV_BENCH_BYTES sets the
 * big file's size (default 1 GiB), JOTTADAV_BENCH_FILES the listing's size (default 10,000) and
 * JOTTADAV_BENCH_SMALL the number of small PUTs (default 1,000), for quick tries;
 * JOTTADAV_BENCH_GET_ROUNDS the rounds of ABBA GETs (default 3, compared by medians);
 * JOTTADAV_BENCH_PHASES=listing,small,big runs some phases only; JOTTADAV_BENCH_PROFILE=DIR makes
 * the bridge write a V8 CPU profile there when it stops.
 */
// The bench process is the client of both sides. It gets the bridge's own GC tuning: with V8's
// incremental marking it spent ~1.1 CPU-seconds per GiB received (a real client, on its own
// machine, spends a fraction of that), taking the second core from whichever side needs more
// processes, the bridge's. First import, so that it is in place before anything allocates.
import '../../lib/cli/gc-tuning.js';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { content, Dav, DirectJotta, HttpClient, inParallel, log, MiB, prefixOf, timed } from './bridge-http.js';
import { emulatorDataRoot, startBridgeProcess, startEmulatorProcess, RssSampler, type Child } from './bridge-processes.js';
import { benchBig } from './bridge-transfers.js';
import type { BenchResult } from './types.js';

const self = fileURLToPath(import.meta.url);

function sizeFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got '${raw}'`);
  return n;
}

const PHASES = ['listing', 'small', 'big'] as const;
type Phase = (typeof PHASES)[number];

/** JOTTADAV_BENCH_PHASES=listing,small,big (default all): one phase alone, e.g. to profile it. */
function phasesFromEnv(): Set<Phase> {
  const raw = process.env['JOTTADAV_BENCH_PHASES'];
  if (raw === undefined || raw === '') return new Set(PHASES);
  const wanted = raw.split(',').map((p) => p.trim());
  const unknown = wanted.filter((p) => !(PHASES as readonly string[]).includes(p));
  if (unknown.length > 0) throw new Error(`JOTTADAV_BENCH_PHASES: unknown phase(s) ${unknown.join(', ')}; known: ${PHASES.join(', ')}`);
  return new Set(wanted as Phase[]);
}



interface Sizes {
  big: number;
  files: number;
  small: number;
}

const SMALL_BYTES = 4096;
const SMALL_CONCURRENCY = 8;
const SETUP_CONCURRENCY = 16;

/**
 * The two 10,000-file folders: one a client opens straight by its URL (its parent never listed),
 * one it reaches by browsing from the root, as a file manager does. Made on the emulator before
 * the bridge's first request, so its cache is empty: one upload, then dedup for the rest.
 */
const LISTING_FOLDERS = { opened: '/bench-listing-opened', browsed: '/bench-listing-browsed' } as const;

async function populateListing(direct: DirectJotta, files: number): Promise<void> {
  const body = Buffer.from('one of many files in a big folder\n');
  const sum = createHash('md5').update(body).digest('hex');
  for (const folder of Object.values(LISTING_FOLDERS)) {
    const name = (i: number) => `${folder}/file-${String(i).padStart(5, '0')}.txt`;
    await direct.upload(name(0), body.length, sum, () => body);
    await inParallel(files - 1, SETUP_CONCURRENCY, (i) => direct.upload(name(i + 1), body.length, sum, () => body));
  }
}

async function coldAndWarm(dav: Dav, folder: string, files: number): Promise<{ cold: number; warm: number[]; median: number }> {
  const cold = await timed(() => dav.propfind(folder, '1'));
  if (cold.value !== files + 1) throw new Error(`cold PROPFIND of ${folder} listed ${cold.value} responses, expected ${files + 1}`);
  const warm: number[] = [];
  for (let i = 0; i < 3; i++) {
    const run = await timed(() => dav.propfind(folder, '1'));
    if (run.value !== files + 1) throw new Error(`warm PROPFIND of ${folder} listed ${run.value} responses, expected ${files + 1}`);
    warm.push(run.ms);
  }
  const median = [...warm].sort((a, b) => a - b)[1]!;
  log(`PROPFIND ${folder}: cold ${cold.ms.toFixed(0)} ms, warm ${warm.map((w) => w.toFixed(0)).join('/')} ms`);
  return { cold: cold.ms, warm, median };
}

async function benchListing(dav: Dav, files: number): Promise<BenchResult[]> {
  const row = (how: string, r: { cold: number; warm: number[]; median: number }): BenchResult => ({
    name: `PROPFIND Depth 1, ${files} files, ${how}: warm vs cold`,
    value: +r.median.toFixed(1),
    unit: 'ms',
    baseline: +r.cold.toFixed(1),
    ratio: +(r.median / r.cold).toFixed(3),
    target: '<= 0.2',
    note: `cold = first PROPFIND (listing cache empty); warm = median of the next 3 (${r.warm.map((w) => w.toFixed(0)).join(', ')} ms)`,
  });
  // Authentication (one scrypt) and the account's quota (cached) are paid here, not by a cold run;
  // Depth 0 of the root lists nothing.
  await dav.propfind('/', '0');
  const opened = await coldAndWarm(dav, LISTING_FOLDERS.opened, files);
  // A file manager lists the root first, then opens the folder.
  await dav.propfind('/', '1');
  const browsed = await coldAndWarm(dav, LISTING_FOLDERS.browsed, files);
  return [row('opened by URL (parent never listed)', opened), row('reached from a listed root', browsed)];
}

async function benchSmallPuts(dav: Dav, direct: DirectJotta, count: number): Promise<BenchResult> {
  const make = async (side: string) => Promise.all(Array.from({ length: count }, (_, i) => prefixOf(content(`small-${side}-${i}`, SMALL_BYTES), SMALL_BYTES)));
  const directBodies = await make('direct');
  const bridgeBodies = await make('bridge');
  const name = (i: number) => `f-${String(i).padStart(4, '0')}.bin`;
  const directRun = await timed(() =>
    inParallel(count, SMALL_CONCURRENCY, async (i) => {
      const body = directBodies[i]!;
      await direct.upload(`/bench/small-direct/${name(i)}`, body.length, createHash('md5').update(body).digest('hex'), () => body);
    }),
  );
  await dav.mkcol('/bench/small-bridge');
  const bridgeRun = await timed(() => inParallel(count, SMALL_CONCURRENCY, (i) => dav.put(`/bench/small-bridge/${name(i)}`, SMALL_BYTES, bridgeBodies[i]!)));
  log(`${count} small PUTs: direct ${directRun.ms.toFixed(0)} ms, bridge ${bridgeRun.ms.toFixed(0)} ms`);
  return {
    name: `${count} small PUTs (${SMALL_BYTES / 1024} KiB, ${SMALL_CONCURRENCY} at a time, one folder): time`,
    value: +(bridgeRun.ms / 1000).toFixed(2),
    unit: 's',
    baseline: +(directRun.ms / 1000).toFixed(2),
    ratio: +(bridgeRun.ms / directRun.ms).toFixed(2),
    target: 'none set (issue 5 asks for the figure)',
    note: 'baseline: MD5 + allocate + upload per file straight to the emulator, same concurrency',
  };
}


export async function run(): Promise<BenchResult[]> {
  const sizes: Sizes = {
    big: sizeFromEnv('JOTTADAV_BENCH_BYTES', 1024 * MiB),
    files: sizeFromEnv('JOTTADAV_BENCH_FILES', 10_000),
    small: sizeFromEnv('JOTTADAV_BENCH_SMALL', 1_000),
  };
  const phases = phasesFromEnv();
  const dir = await mkdtemp(join(tmpdir(), 'jottadav-bench-bridge-'));
  // Four big uploads are stored (ABBA), plus the small files.
  const storage = await emulatorDataRoot(4 * sizes.big + sizes.small * SMALL_BYTES * 2);
  const emulatorDir = await mkdtemp(join(storage.root, 'jottadav-bench-emulator-'));
  const http = new HttpClient();
  const children: Child[] = [];
  let sampler: RssSampler | undefined;
  try {
    log(`emulator data in ${emulatorDir} (${storage.why}); bridge spool in ${dir}`);
    const emulator = await startEmulatorProcess(dir, emulatorDir);
    children.push(emulator.child);
    const bridge = await startBridgeProcess(dir, emulator.info);
    children.unshift(bridge.child); // stopped first: it talks to the emulator while it drains
    sampler = new RssSampler(bridge.child.pid);
    sampler.start();
    const direct = new DirectJotta(http, emulator.info.api, emulator.info.jfs, emulator.info.username, bridge.accessToken);
    const dav = new Dav(http, bridge.url, bridge.user, bridge.password);

    // The big folder is made behind the bridge's back before its first request, so its cache is empty.
    if (phases.has('listing')) {
      const populate = await timed(() => populateListing(direct, sizes.files));
      log(`2 folders of ${sizes.files} files made on the emulator in ${populate.ms.toFixed(0)} ms`);
    }
    await dav.mkcol('/bench');

    const rss = async (when: string) => log(`bridge RSS ${when}: ${((await sampler!.now()) / MiB).toFixed(1)} MiB`);
    await rss('at start');
    // The big transfers come first, so their peak is theirs and not what the 10,000-entry listing
    // left behind; the peak over the whole run is reported too.
    const results: BenchResult[] = [];
    if (phases.has('big')) {
      results.push(...(await benchBig(dav, direct, sampler, sizes.big)));
      await rss('after the big transfers');
    }
    if (phases.has('listing')) {
      results.push(...(await benchListing(dav, sizes.files)));
      await rss('after the PROPFINDs');
    }
    if (phases.has('small')) {
      results.push(await benchSmallPuts(dav, direct, sizes.small));
      await rss('after the small PUTs');
    }
    const highest = await sampler.overallPeak();
    results.push({
      name: 'bridge peak RSS over the whole run',
      value: +(highest / MiB).toFixed(1),
      unit: 'MiB',
      target: 'none set (context for the row above)',
      note: `every phase, ${[...phases].join(', ')}; sampled every 50 ms`,
    });
    return results;
  } finally {
    sampler?.stop();
    http.close();
    for (const child of children) await child.stop();
    await rm(dir, { recursive: true, force: true });
    await rm(emulatorDir, { recursive: true, force: true });
  }
}

function format(n: number): string {
  return Math.abs(n) >= 100 ? n.toFixed(0) : n.toPrecision(3);
}

if (process.argv[1] === self) {
  run().then(
    (results) => {
      for (const r of results) {
        const against = r.baseline === undefined ? '' : ` vs ${format(r.baseline)} ${r.unit}`;
        const ratio = r.ratio === undefined ? '' : `, ratio ${format(r.ratio)}`;
        console.log(`${r.name}: ${format(r.value)} ${r.unit}${against}${ratio} (target ${r.target ?? '-'})${r.note ? ` — ${r.note}` : ''}`);
      }
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
