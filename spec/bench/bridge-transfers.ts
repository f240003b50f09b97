/**
 * The 1 GiB part of the bridge bench: PUT and GET through the bridge against the same transfer
 * straight to the emulator, with the bridge's peak RSS and CPU seconds during its transfers.
 */
import { content, Dav, DirectJotta, expectStatus, log, md5Of, MiB, prefixOf, sizeLabel, timed, type Reply } from './bridge-http.js';
import { cpuSecondsOf, RssSampler } from './bridge-processes.js';
import type { BenchResult } from './types.js';

const CHECK_BYTES = MiB;
/** Rounds of ABBA for the GETs (JOTTADAV_BENCH_GET_ROUNDS, default 3). */
const GET_ROUNDS = Math.max(1, Number(process.env['JOTTADAV_BENCH_GET_ROUNDS'] ?? 3) || 3);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

interface Peak {
  baseline: number;
  sampled: number;
  hwm?: number;
}

/** Runs `work` while watching the bridge: its peak RSS, and the CPU seconds it spent. */
async function withPeak<T>(sampler: RssSampler, work: () => Promise<T>): Promise<{ value: T; peak: Peak; cpu: number }> {
  const baseline = await sampler.mark();
  const cpu0 = await cpuSecondsOf(sampler.pid);
  const value = await work();
  const cpu = (await cpuSecondsOf(sampler.pid)) - cpu0;
  const { sampled, hwm } = await sampler.peakSinceMark();
  return { value, peak: hwm === undefined ? { baseline, sampled } : { baseline, sampled, hwm }, cpu };
}

function rssRow(name: string, peak: Peak, extra = ''): BenchResult {
  const hwm = peak.hwm === undefined ? '' : `; kernel VmHWM ${(peak.hwm / MiB).toFixed(1)} MiB`;
  return {
    name,
    value: +(Math.max(peak.sampled, peak.hwm ?? 0) / MiB).toFixed(1),
    unit: 'MiB',
    target: '< 200',
    note: `bridge process RSS, sampled every 50 ms ${(peak.sampled / MiB).toFixed(1)} MiB${hwm}; ${(peak.baseline / MiB).toFixed(1)} MiB before${extra}`,
  };
}

/** Peak of several windows: the highest sampled peak, the highest VmHWM, the lowest starting RSS. */
function combine(peaks: Peak[]): Peak {
  const out: Peak = { baseline: Math.min(...peaks.map((p) => p.baseline)), sampled: Math.max(...peaks.map((p) => p.sampled)) };
  if (peaks.every((p) => p.hwm !== undefined)) out.hwm = Math.max(...peaks.map((p) => p.hwm!));
  return out;
}

const seconds = (ms: number) => (ms / 1000).toFixed(2);

/** Loads the code paths of a spooled PUT and a GET before the RSS baseline. */
async function warmUp(dav: Dav): Promise<void> {
  const warm = 12 * MiB;
  await dav.put('/bench/warm-up.bin', warm, content('warm-up', warm));
  expectStatus('warm-up GET', await dav.get('/bench/warm-up.bin', 0), 200);
}

/** The file the GETs read: the bridge's first PUT, or the same bytes uploaded directly when no PUT ran. */
const GET_SOURCE = { path: '/bench/big-bridge-1.bin', seed: 'big-bridge-1' };

/**
 * 1 GiB each way, in the order direct, bridge, bridge, direct (ABBA) so that a drift in the
 * shared machine's load weighs on both sides alike; the ratios compare the sums. `parts` picks
 * the directions (the bench's --only put / --only get).
 */
export async function benchBig(dav: Dav, direct: DirectJotta, sampler: RssSampler, size: number, parts: { put: boolean; get: boolean } = { put: true, get: true }): Promise<BenchResult[]> {
  await warmUp(dav);
  const put = parts.put ? await benchBigPut(dav, direct, sampler, size) : undefined;
  if (!parts.put) {
    const sum = await md5Of(content(GET_SOURCE.seed, size));
    await direct.upload(GET_SOURCE.path, size, sum, () => content(GET_SOURCE.seed, size));
  }
  const get = parts.get ? await benchBigGet(dav, direct, sampler, size) : undefined;
  const rows: BenchResult[] = [...(get?.rows ?? []), ...(put?.rows ?? [])];
  if (put && get) rows.push(rssRow(`bridge peak RSS during the ${sizeLabel(size)} transfers`, combine([put.peak, get.peak]), '; the larger of the two above'));
  return rows;
}

async function benchBigPut(dav: Dav, direct: DirectJotta, sampler: RssSampler, size: number): Promise<{ rows: BenchResult[]; peak: Peak }> {
  const label = sizeLabel(size);
  // PUT: a different seed each time, so no upload can be deduplicated against another.
  const directPut = async (n: number) => {
    const seed = `big-direct-${n}`;
    const hashing = await timed(() => md5Of(content(seed, size)));
    const upload = await timed(() => direct.upload(`/bench/${seed}.bin`, size, hashing.value, () => content(seed, size)));
    if (upload.value !== 'uploaded') throw new Error(`the direct ${label} upload was deduplicated: the content is not unique`);
    log(`PUT ${label} direct: ${seconds(hashing.ms + upload.ms)} s (MD5 pass ${seconds(hashing.ms)} s, allocate + upload ${seconds(upload.ms)} s)`);
    return { ms: hashing.ms + upload.ms, md5Ms: hashing.ms };
  };
  const bridgePut = async (n: number) => {
    const seed = `big-bridge-${n}`;
    const { value: run, peak, cpu } = await withPeak(sampler, () => timed(() => dav.put(`/bench/${seed}.bin`, size, content(seed, size))));
    // The bridge takes the whole body (spooling and hashing it) before it allocates: the request
    // body is all handed over when the spool has taken nearly all of it; the answer follows the upload.
    const { timing } = run.value;
    const spoolMs = timing.sent - timing.start;
    log(`PUT ${label} bridge: ${seconds(run.ms)} s (body taken in ${seconds(spoolMs)} s, answer ${seconds(timing.end - timing.sent)} s later); bridge CPU ${cpu.toFixed(2)} s; peak RSS ${(peak.sampled / MiB).toFixed(1)} MiB`);
    return { ms: run.ms, spoolMs, forwardMs: timing.end - timing.sent, peak, cpu };
  };
  const d1 = await directPut(1);
  const b1 = await bridgePut(1);
  const b2 = await bridgePut(2);
  const d2 = await directPut(2);

  const directPutMs = d1.ms + d2.ms;
  const bridgePutMs = b1.ms + b2.ms;
  const putPeak = combine([b1.peak, b2.peak]);
  const rows: BenchResult[] = [
    {
      name: `PUT ${label}: time, bridge vs direct`,
      value: +(bridgePutMs / 2000).toFixed(2),
      unit: 's',
      baseline: +(directPutMs / 2000).toFixed(2),
      ratio: +(bridgePutMs / directPutMs).toFixed(3),
      target: '<= 1.3',
      note:
        `2 runs each, ABBA: direct ${seconds(d1.ms)}/${seconds(d2.ms)} s (of which MD5 pass ${seconds(d1.md5Ms)}/${seconds(d2.md5Ms)} s), ` +
        `bridge ${seconds(b1.ms)}/${seconds(b2.ms)} s (body spooled + hashed ${seconds(b1.spoolMs)}/${seconds(b2.spoolMs)} s, then allocate + upload + read-back ${seconds(b1.forwardMs)}/${seconds(b2.forwardMs)} s; bridge CPU ${b1.cpu.toFixed(2)}/${b2.cpu.toFixed(2)} s)`,
    },
    rssRow(`bridge peak RSS during the ${label} PUTs`, putPeak),
  ];
  return { rows, peak: putPeak };
}

async function benchBigGet(dav: Dav, direct: DirectJotta, sampler: RssSampler, size: number): Promise<{ rows: BenchResult[]; peak: Peak }> {
  const label = sizeLabel(size);
  // GET of a file the bridge uploaded, both ways; the first MiB is compared with what was sent.
  const expected = await prefixOf(content(GET_SOURCE.seed, size), Math.min(CHECK_BYTES, size));
  const check = (what: string, reply: Reply) => {
    if (reply.bytes !== size) throw new Error(`${what} returned ${reply.bytes} bytes, expected ${size}`);
    if (!reply.head.equals(expected)) throw new Error(`${what} returned other bytes than the bridge PUT sent`);
  };
  const directGet = async () => {
    const run = await timed(() => direct.download(GET_SOURCE.path, CHECK_BYTES));
    check('the direct GET', run.value);
    log(`GET ${label} direct: ${seconds(run.ms)} s`);
    return run.ms;
  };
  const bridgeGet = async () => {
    const { value: run, peak, cpu } = await withPeak(sampler, () => timed(() => dav.get(GET_SOURCE.path, CHECK_BYTES)));
    check('the bridge GET', run.value);
    log(`GET ${label} bridge: ${seconds(run.ms)} s; bridge CPU ${cpu.toFixed(2)} s; peak RSS ${(peak.sampled / MiB).toFixed(1)} MiB`);
    return { ms: run.ms, peak, cpu };
  };
  // GETs store nothing, so they can be repeated: GET_ROUNDS rounds of ABBA, compared by medians,
  // so that one slow run (this shared VM has them, on either side) does not decide the ratio.
  const directGets: number[] = [];
  const bridgeGets: Array<{ ms: number; peak: Peak; cpu: number }> = [];
  for (let round = 0; round < GET_ROUNDS; round++) {
    directGets.push(await directGet());
    bridgeGets.push(await bridgeGet());
    bridgeGets.push(await bridgeGet());
    directGets.push(await directGet());
  }

  const directGetMs = median(directGets);
  const bridgeGetMs = median(bridgeGets.map((g) => g.ms));
  const mibps = (ms: number) => +(size / MiB / (ms / 1000)).toFixed(1);
  const getPeak = combine(bridgeGets.map((g) => g.peak));
  const cpus = bridgeGets.map((g) => g.cpu);
  const rows: BenchResult[] = [
    {
      name: `GET ${label}: throughput, bridge vs direct`,
      value: mibps(bridgeGetMs),
      unit: 'MiB/s',
      baseline: mibps(directGetMs),
      ratio: +(directGetMs / bridgeGetMs).toFixed(3),
      target: '>= 0.95',
      note: `medians of ${bridgeGets.length} runs each (${GET_ROUNDS} rounds of ABBA): direct ${directGets.map(seconds).join('/')} s, bridge ${bridgeGets.map((g) => seconds(g.ms)).join('/')} s; direct = mode=bin GET from the emulator; bytes counted, first MiB compared`,
    },
    {
      name: `GET ${label}: bridge CPU seconds per GiB`,
      value: +((median(cpus) * 1024 * MiB) / size).toFixed(2),
      unit: 's',
      note: `median of ${cpus.map((c) => c.toFixed(2)).join('/')} s (user + system, /proc); the figure the shared machine's load disturbs least`,
    },
    rssRow(`bridge peak RSS during the ${label} GETs`, getPeak),
  ];
  return { rows, peak: getPeak };
}
