/**
 * jottadav on its defaults, side by side in one run with its two baselines on one emulator:
 * - direct: the Jottacloud protocol itself (MD5, allocate, upload; folder XML; mode=bin GET);
 * - rclone: `rclone serve webdav --vfs-cache-mode off` over rclone's own jottacloud backend (and,
 *   for the tree copy, rclone's backend copying straight to the service).
 * jottadav runs on the config `jottadav login` writes (default-bridge.ts), nothing tuned.
 *
 * rclone reaches the emulator through a loopback TLS proxy (it insists on the real hosts); the
 * proxy's own cost is measured in the same run and printed beside rclone's figures.
 *
 * Sizes for quick tries: JOTTADAV_BENCH_SMALL (default 1,000 small PUTs), JOTTADAV_BENCH_FILES
 * (10,000 in the listing), JOTTADAV_BENCH_BYTES (1 GiB), JOTTADAV_BENCH_TREE (200 files),
 * JOTTADAV_BENCH_EMULATOR_FILES (100,000). One workload or a few alone: `--only get` (or
 * JOTTADAV_BENCH_PHASES=get), from small, listing, copy, put, get, big (put and get), emulator.
 * `--cpu-prof DIR`: the bridge writes a V8 CPU profile there when it stops. Without rclone on the
 * PATH, its columns stay empty.
 */
import '../../lib/cli/gc-tuning.js';
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { content, Dav, DirectJotta, expectStatus, HttpClient, inParallel, log, MiB, prefixOf, timed } from './bridge-http.js';
import { emulatorDataRoot, RssSampler, startEmulatorProcess, type Child, type EmulatorInfo } from './bridge-processes.js';
import { benchBig } from './bridge-transfers.js';
import { startDefaultBridge } from './default-bridge.js';
import { freshLogin, rcloneVersion, startRcloneSide, type RcloneSide } from './rclone-side.js';
import type { BenchResult } from './types.js';
import { seededRandom as seeded } from '../../lib/util/seeded-random.js';

const self = fileURLToPath(import.meta.url);
const SMALL_BYTES = 4096;

function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got '${raw}'`);
  return n;
}

const PHASES = ['small', 'listing', 'copy', 'put', 'get', 'emulator'] as const;
type Phase = (typeof PHASES)[number];
/** Names that stand for several phases. */
const ALIASES: Record<string, Phase[]> = { big: ['put', 'get'] };

/** The phases named by `only` (comma-separated), else by JOTTADAV_BENCH_PHASES, else all. */
function phases(only: string | undefined): Set<Phase> {
  const raw = only ?? process.env['JOTTADAV_BENCH_PHASES'];
  if (!raw) return new Set(PHASES);
  const wanted = raw.split(',').map((p) => p.trim()).flatMap((p) => ALIASES[p] ?? [p]);
  const unknown = wanted.filter((p) => !(PHASES as readonly string[]).includes(p));
  if (unknown.length > 0) throw new Error(`unknown phase ${unknown.join(', ')}; known: ${[...PHASES, ...Object.keys(ALIASES)].join(', ')}`);
  return new Set(wanted as Phase[]);
}

export interface RunOptions {
  /** Comma-separated phases to run alone (see phases()). */
  only?: string;
  /** A directory where the bridge writes a V8 CPU profile when it stops. */
  cpuProfDir?: string;
}

/** One row of the side-by-side table: milliseconds (or another unit) per side. */
interface Row {
  workload: string;
  unit: string;
  direct?: number;
  rclone?: number;
  jottadav: number;
  target: string;
  note?: string;
}

interface Servers {
  jd: { dav: Dav; sampler: RssSampler };
  rc?: { dav: Dav; sampler: RssSampler };
}

/** Peak RSS of each server during `work`, kept per workload for the memory table. */
class PeakTable {
  readonly rows: Array<{ workload: string; jottadav: number; rclone?: number }> = [];
  constructor(private readonly servers: Servers) {}
  async during<T>(workload: string, work: () => Promise<T>): Promise<T> {
    await this.servers.jd.sampler.mark();
    await this.servers.rc?.sampler.mark();
    const value = await work();
    const peak = async (s: RssSampler) => {
      const p = await s.peakSinceMark();
      return Math.max(p.sampled, p.hwm ?? 0) / MiB;
    };
    const row: { workload: string; jottadav: number; rclone?: number } = { workload, jottadav: await peak(this.servers.jd.sampler) };
    if (this.servers.rc) row.rclone = await peak(this.servers.rc.sampler);
    this.rows.push(row);
    return value;
  }
}

async function smallPuts(direct: DirectJotta, servers: Servers, count: number, concurrency: number, peaks: PeakTable): Promise<Row> {
  const tag = concurrency === 1 ? 'seq' : `par${concurrency}`;
  const bodies = (side: string) => Promise.all(Array.from({ length: count }, (_, i) => prefixOf(content(`small-${tag}-${side}-${i}`, SMALL_BYTES), SMALL_BYTES)));
  const name = (i: number) => `f-${String(i).padStart(5, '0')}.bin`;
  const d = await bodies('direct');
  const directRun = await timed(() =>
    inParallel(count, concurrency, (i) => direct.upload(`/small-${tag}-direct/${name(i)}`, SMALL_BYTES, createHash('md5').update(d[i]!).digest('hex'), () => d[i]!)),
  );
  const viaDav = async (side: string, dav: Dav) => {
    const b = await bodies(side);
    await dav.mkcol(`/small-${tag}-${side}`);
    return (await timed(() => inParallel(count, concurrency, (i) => dav.put(`/small-${tag}-${side}/${name(i)}`, SMALL_BYTES, b[i]!)))).ms;
  };
  const label = `${count} × 4 KiB PUT, ${concurrency === 1 ? 'sequential' : `${concurrency} parallel`}`;
  const rclone = servers.rc ? await peaks.during(`${label} (rclone)`, () => viaDav('rclone', servers.rc!.dav)) : undefined;
  const jottadav = await peaks.during(label, () => viaDav('jottadav', servers.jd.dav));
  log(`${label}: direct ${directRun.ms.toFixed(0)} ms, rclone ${rclone?.toFixed(0) ?? '-'} ms, jottadav ${jottadav.toFixed(0)} ms`);
  const row: Row = { workload: label, unit: 's', direct: directRun.ms / 1000, jottadav: jottadav / 1000, target: concurrency === 1 ? '≤ 1.5× direct, < rclone' : '≤ 2× direct, < rclone' };
  if (rclone !== undefined) row.rclone = rclone / 1000;
  return row;
}

async function populate(direct: DirectJotta, folder: string, files: number): Promise<void> {
  const body = Buffer.from('one of many files in a big folder\n');
  const sum = createHash('md5').update(body).digest('hex');
  await inParallel(files, 16, (i) => direct.upload(`${folder}/file-${String(i).padStart(6, '0')}.txt`, body.length, sum, () => body));
}

const LISTING_SIDES = ['direct', 'rclone', 'jottadav'] as const;

/**
 * Made before either bridge starts: rclone serve caches a folder's listing for minutes, so a
 * folder made behind its back later would stay invisible to it; and both start cold.
 */
async function populateListings(direct: DirectJotta, files: number): Promise<void> {
  for (const side of LISTING_SIDES) await populate(direct, `/listing-${side}`, files);
}

async function listing(http: HttpClient, emulator: EmulatorInfo, token: string, servers: Servers, files: number, peaks: PeakTable): Promise<Row[]> {
  const directList = async () => {
    const url = `${emulator.jfs}${emulator.username}/Jotta/Archive/listing-direct`;
    const reply = expectStatus('direct listing', await http.call(url, { headers: { authorization: `Bearer ${token}` }, count: Buffer.from('<file ') }), 200);
    if (reply.matches !== files) throw new Error(`direct listing: ${reply.matches} files, expected ${files}`);
  };
  const directMs = (await timed(directList)).ms;
  const coldWarm = async (dav: Dav, folder: string) => {
    await dav.propfind('/', '0'); // authentication and quota are not the listing's cost
    const check = (n: number) => {
      if (n !== files + 1) throw new Error(`PROPFIND ${folder}: ${n} responses, expected ${files + 1}`);
    };
    const cold = await timed(() => dav.propfind(folder, '1'));
    check(cold.value);
    const warm: number[] = [];
    for (let i = 0; i < 3; i++) {
      const w = await timed(() => dav.propfind(folder, '1'));
      check(w.value);
      warm.push(w.ms);
    }
    return { cold: cold.ms, warm: warm.sort((a, b) => a - b)[1]! };
  };
  const label = `PROPFIND Depth 1, ${files} files`;
  const rc = servers.rc ? await peaks.during(`${label} (rclone)`, () => coldWarm(servers.rc!.dav, '/listing-rclone')) : undefined;
  const jd = await peaks.during(label, () => coldWarm(servers.jd.dav, '/listing-jottadav'));
  log(`${label}: direct ${directMs.toFixed(0)} ms; rclone cold ${rc?.cold.toFixed(0) ?? '-'} warm ${rc?.warm.toFixed(0) ?? '-'} ms; jottadav cold ${jd.cold.toFixed(0)} warm ${jd.warm.toFixed(0)} ms`);
  const cold: Row = { workload: `${label}, cold`, unit: 'ms', direct: directMs, jottadav: jd.cold, target: '≤ 2.5× direct, < rclone', note: 'direct: the folder XML' };
  const warm: Row = { workload: `${label}, warm`, unit: 'ms', jottadav: jd.warm, target: '≤ 0.1× jottadav cold', note: `median of 3; warm/cold ${(jd.warm / jd.cold).toFixed(3)}` };
  if (rc) {
    cold.rclone = rc.cold;
    warm.rclone = rc.warm;
  }
  return [cold, warm];
}

/** A tree of `count` files from 1 KiB to 20 MiB (log-uniform, fixed seed) in a few folders. */
async function makeTree(root: string, count: number): Promise<number> {
  const random = seeded(20261202);
  let total = 0;
  for (let i = 0; i < count; i++) {
    const folder = join(root, `dir-${i % 12}`, i % 3 === 0 ? 'sub' : '');
    await mkdir(folder, { recursive: true });
    const size = Math.round(1024 * Math.pow(20 * 1024, random()));
    total += size;
    await pipeline(content(`tree-${i}`, size), createWriteStream(join(folder, `file-${i}.bin`)));
  }
  return total;
}

async function treeCopy(rclone: RcloneSide | undefined, jdUrl: string, servers: Servers, dir: string, count: number, peaks: PeakTable): Promise<Row | undefined> {
  if (!rclone) return undefined;
  const tree = join(dir, 'tree');
  const bytes = await makeTree(tree, count);
  const own = await rclone.copy(tree, 'jotta:copy-own');
  const rc = await peaks.during(`rclone copy, ${count} files (rclone)`, () => rclone.copy(tree, 'rs:copy-rclone'));
  const jd = await peaks.during(`rclone copy, ${count} files`, () => rclone.copy(tree, 'jd:copy-jottadav'));
  log(`rclone copy of ${count} files (${(bytes / MiB).toFixed(0)} MiB): rclone's backend ${own.toFixed(0)} ms, via rclone serve ${rc.toFixed(0)} ms, via jottadav ${jd.toFixed(0)} ms (${jdUrl})`);
  return { workload: `rclone copy, ${count} files (1 KiB–20 MiB, ${(bytes / MiB).toFixed(0)} MiB)`, unit: 's', direct: own / 1000, rclone: rc / 1000, jottadav: jd / 1000, target: '≤ 2× rclone backend, < rclone serve', note: "direct: rclone's own jottacloud backend" };
}

/** Sequential small PUTs straight to a fresh emulator, on an empty account and at `files` files. */
async function emulatorScaling(http: HttpClient, dir: string, files: number): Promise<Row> {
  const storage = await emulatorDataRoot(0);
  const data = await mkdtemp(join(storage.root, 'jottadav-bench-emulator-scale-'));
  await mkdir(join(dir, 'scale'), { recursive: true });
  const emulator = await startEmulatorProcess(join(dir, 'scale'), data);
  try {
    const token = await freshLogin(emulator.info);
    const direct = new DirectJotta(http, emulator.info.api, emulator.info.jfs, emulator.info.username, token.accessToken);
    const perPut = async (tag: string) => {
      const n = 500;
      const bodies = await Promise.all(Array.from({ length: n }, (_, i) => prefixOf(content(`scale-${tag}-${i}`, SMALL_BYTES), SMALL_BYTES)));
      const run = await timed(() => inParallel(n, 1, (i) => direct.upload(`/scale-${tag}/f-${i}.bin`, SMALL_BYTES, createHash('md5').update(bodies[i]!).digest('hex'), () => bodies[i]!)));
      return run.ms / n;
    };
    await perPut('warm-up'); // code paths and connections warm: 500 files is still an empty account
    const empty = await perPut('empty');
    const filled = await timed(() => inParallel(100, 4, (f) => populate(direct, `/scale-fill/d-${f}`, files / 100)));
    log(`emulator: ${files} files made in ${(filled.ms / 1000).toFixed(1)} s`);
    const full = await perPut('full');
    log(`emulator small PUT: ${empty.toFixed(2)} ms empty, ${full.toFixed(2)} ms at ${files} files`);
    return { workload: `emulator: small PUT at ${files} files vs empty`, unit: 'ms', direct: empty, jottadav: full, target: '≤ 1.5× empty', note: 'direct column: empty account; jottadav column: the same PUT at that size (both straight to the emulator)' };
  } finally {
    await emulator.child.stop();
    await rm(data, { recursive: true, force: true });
  }
}

/** Proxy's own cost: the same small request straight and through the proxy (curl, keep-alive). */
async function proxyCost(rclone: RcloneSide | undefined, emulator: EmulatorInfo, token: string): Promise<string> {
  if (!rclone) return 'not measured (no rclone)';
  const path = `jfs/${emulator.username}/Jotta/Archive`;
  const straight = await rclone.timeCurl(`${emulator.url}/${path}`, token, 200, false);
  const proxied = await rclone.timeCurl(`https://jfs.jottacloud.com/${path}`, token, 200, true);
  return `200 folder reads: ${straight.toFixed(0)} ms straight, ${proxied.toFixed(0)} ms through the TLS proxy`;
}

function fmt(n: number | undefined, unit: string): string {
  if (n === undefined) return '–';
  return unit === 's' ? n.toFixed(2) : n.toFixed(n >= 100 ? 0 : 1);
}

function printTable(rows: Row[], peaks: PeakTable, proxyNote: string): void {
  console.log('\n| workload | direct | rclone serve webdav | jottadav (defaults) | jottadav / direct | jottadav / rclone | target |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const vsDirect = r.direct === undefined ? '–' : (r.jottadav / r.direct).toFixed(2);
    const vsRclone = r.rclone === undefined ? '–' : (r.jottadav / r.rclone).toFixed(2);
    console.log(`| ${r.workload} (${r.unit}) | ${fmt(r.direct, r.unit)} | ${fmt(r.rclone, r.unit)} | ${fmt(r.jottadav, r.unit)} | ${vsDirect} | ${vsRclone} | ${r.target} |`);
  }
  console.log('\n| workload | jottadav peak RSS (MiB) | rclone serve peak RSS (MiB) |');
  console.log('|---|---|---|');
  const byWorkload = new Map<string, { jottadav?: number; rclone?: number }>();
  for (const p of peaks.rows) {
    const key = p.workload.replace(/ \(rclone\)$/, '');
    const entry = byWorkload.get(key) ?? {};
    if (p.workload.endsWith('(rclone)')) entry.rclone = p.rclone;
    else entry.jottadav = p.jottadav;
    byWorkload.set(key, entry);
  }
  for (const [w, e] of byWorkload) console.log(`| ${w} | ${fmt(e.jottadav, 'MiB')} | ${fmt(e.rclone, 'MiB')} |`);
  console.log(`\nTLS proxy (rclone's path to the emulator): ${proxyNote}`);
}

export async function run(options: RunOptions = {}): Promise<BenchResult[]> {
  const want = phases(options.only);
  const sizes = {
    small: envInt('JOTTADAV_BENCH_SMALL', 1000),
    files: envInt('JOTTADAV_BENCH_FILES', 10_000),
    big: envInt('JOTTADAV_BENCH_BYTES', 1024 * MiB),
    tree: envInt('JOTTADAV_BENCH_TREE', 200),
    emulatorFiles: envInt('JOTTADAV_BENCH_EMULATOR_FILES', 100_000),
  };
  const dir = await mkdtemp(join(tmpdir(), 'jottadav-bench-sbs-'));
  const storage = await emulatorDataRoot(6 * sizes.big + 2 * 1024 * MiB);
  const emulatorDir = await mkdtemp(join(storage.root, 'jottadav-bench-emulator-'));
  const http = new HttpClient();
  const children: Child[] = [];
  let rclone: RcloneSide | undefined;
  const samplers: RssSampler[] = [];
  try {
    // First, on a machine where nothing else runs yet: a fresh emulator of its own.
    const scaling = want.has('emulator') ? await emulatorScaling(http, dir, sizes.emulatorFiles) : undefined;
    const emulator = await startEmulatorProcess(dir, emulatorDir);
    children.push(emulator.child);
    const token = (await freshLogin(emulator.info)).accessToken;
    const direct = new DirectJotta(http, emulator.info.api, emulator.info.jfs, emulator.info.username, token);
    if (want.has('listing')) await populateListings(direct, sizes.files);
    const bridge = await startDefaultBridge(join(dir, 'jottadav'), emulator.info, options.cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', options.cpuProfDir] : []);
    children.unshift(bridge.child);
    const jd = { dav: new Dav(http, bridge.url, bridge.user, bridge.password), sampler: new RssSampler(bridge.child.pid) };
    samplers.push(jd.sampler);
    const servers: Servers = { jd };
    const version = await rcloneVersion();
    if (version) {
      rclone = await startRcloneSide(join(dir, 'rclone'), emulator.info);
      const served = await rclone.serveWebdav();
      servers.rc = { dav: new Dav(http, served.url, 'none', 'none'), sampler: new RssSampler(served.child.pid) };
      samplers.push(servers.rc.sampler);
      await rclone.addWebdavRemote('rs', served.url);
      await rclone.addWebdavRemote('jd', bridge.url, bridge.user, bridge.password);
    } else log('rclone is not installed: its columns stay empty');
    for (const s of samplers) s.start();
    const peaks = new PeakTable(servers);
    const rows: Row[] = [];
    log(`jottadav on the config \`jottadav login\` wrote: ${bridge.configFile}; ${version ?? 'no rclone'}`);

    if (want.has('small')) {
      rows.push(await smallPuts(direct, servers, sizes.small, 1, peaks));
      rows.push(await smallPuts(direct, servers, sizes.small, 8, peaks));
    }
    if (want.has('listing')) rows.push(...(await listing(http, emulator.info, token, servers, sizes.files, peaks)));
    if (want.has('copy')) {
      const row = await treeCopy(rclone, bridge.url, servers, dir, sizes.tree, peaks);
      if (row) rows.push(row);
    }
    const extra: BenchResult[] = [];
    if (want.has('put') || want.has('get')) {
      await jd.dav.mkcol('/bench');
      const parts = { put: want.has('put'), get: want.has('get') };
      const label = [parts.get ? 'GET' : '', parts.put ? 'PUT' : ''].filter(Boolean).join(' and ');
      extra.push(...(await peaks.during(`${label} ${sizes.big / MiB} MiB`, () => benchBig(jd.dav, direct, jd.sampler, sizes.big, parts))));
    }
    const proxyNote = await proxyCost(rclone, emulator.info, token);
    if (scaling) rows.push(scaling);

    printTable(rows, peaks, proxyNote);
    const results: BenchResult[] = rows.map((r) => {
      const result: BenchResult = { name: `side by side: ${r.workload}`, value: +r.jottadav.toFixed(3), unit: r.unit, target: r.target };
      if (r.direct !== undefined) {
        result.baseline = +r.direct.toFixed(3);
        result.ratio = +(r.jottadav / r.direct).toFixed(3);
      }
      result.note = `rclone serve webdav: ${fmt(r.rclone, r.unit)} ${r.unit}${r.note ? `; ${r.note}` : ''}`;
      return result;
    });
    const worst = Math.max(0, ...peaks.rows.map((p) => p.jottadav));
    if (peaks.rows.length > 0) results.push({ name: 'side by side: jottadav peak RSS, worst workload', value: +worst.toFixed(1), unit: 'MiB', target: '≤ 128' });
    return [...results, ...extra];
  } finally {
    for (const s of samplers) s.stop();
    await rclone?.close();
    http.close();
    for (const child of children) await child.stop();
    await rm(dir, { recursive: true, force: true });
    await rm(emulatorDir, { recursive: true, force: true });
  }
}

if (process.argv[1] === self) {
  const { values } = parseArgs({ options: { only: { type: 'string' }, 'cpu-prof': { type: 'string' } } });
  const options: RunOptions = {};
  if (values.only !== undefined) options.only = values.only;
  if (values['cpu-prof'] !== undefined) options.cpuProfDir = values['cpu-prof'];
  run(options).then(
    (results) => {
      for (const r of results) console.log(`${r.name}: ${r.value} ${r.unit}${r.ratio === undefined ? '' : ` (ratio ${r.ratio})`} target ${r.target ?? '-'}${r.note ? ` — ${r.note}` : ''}`);
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
