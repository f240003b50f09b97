/**
 * The load run: `clients` WebDAV clients at once, each looping over a small PUT, a GET of a file
 * it wrote and a Depth-1 PROPFIND of its folder, for `seconds`. Clients share folders (ten per
 * folder at most), so listings, their cache and the upload path of one folder are contended as
 * with real users. Latency is recorded per method; an error is a status other than the expected
 * one, a wrong body, or a request that failed outright. Deterministic apart from timing: which
 * file a client reads follows from its seed.
 */
import http from 'node:http';
import { seededRandom as random } from '../../lib/util/seeded-random.js';

export interface LoadOptions {
  url: string;
  authorization: string;
  clients: number;
  seconds: number;
  /** Bytes per PUT. */
  fileSize?: number;
  seed?: number;
}

export interface MethodFigures {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

export interface LoadResult {
  operations: number;
  errors: number;
  /** The first few errors, for the report. */
  samples: string[];
  /** The slowest requests, with when they started (ms into the run): where the tail comes from. */
  slowest: Array<{ request: string; startedMs: number; durationMs: number }>;
  byMethod: Record<string, MethodFigures>;
  all: MethodFigures;
  elapsedMs: number;
}

export const LOAD_DEFAULTS = { clients: 200, seconds: 30, fileSize: 1024, seed: 12 };
const CLIENTS_PER_FOLDER = 10;
const FILES_PER_CLIENT = 5;

interface Reply {
  status: number;
  body: string;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

function figures(durations: number[]): MethodFigures {
  const sorted = [...durations].sort((a, b) => a - b);
  return { count: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] ?? 0 };
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const base = new URL(options.url);
  const fileSize = options.fileSize ?? LOAD_DEFAULTS.fileSize;
  // No socket cap: with maxSockets = clients, a few first requests queued in the agent behind
  // sockets it still counted, and waited out the whole run (a tail of the bench, not the bridge).
  const agent = new http.Agent({ keepAlive: true });
  const durations = new Map<string, number[]>();
  const samples: string[] = [];
  const timings: Array<{ request: string; startedMs: number; durationMs: number }> = [];
  let runStarted = performance.now();
  let operations = 0;
  let errors = 0;

  const send = (method: string, path: string, headers: Record<string, string>, body?: Buffer): Promise<Reply> =>
    new Promise((resolve, reject) => {
      const req = http.request(
        { host: base.hostname, port: base.port, method, path: `${base.pathname.replace(/\/$/, '')}${path}`, agent, headers: { Authorization: options.authorization, ...headers, ...(body ? { 'Content-Length': String(body.length) } : {}) } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.setTimeout(120_000, () => req.destroy(new Error('no answer within 120 s')));
      req.on('error', reject);
      req.end(body);
    });

  const timed = async (method: string, path: string, expected: number[], headers: Record<string, string> = {}, body?: Buffer, check?: (reply: Reply) => string | undefined) => {
    const started = performance.now();
    let problem: string | undefined;
    try {
      const reply = await send(method, path, headers, body);
      problem = !expected.includes(reply.status) ? `${method} ${path}: ${reply.status} ${reply.body.slice(0, 200)}` : check?.(reply);
    } catch (error) {
      problem = `${method} ${path}: ${(error as Error).message}`;
    }
    const list = durations.get(method) ?? [];
    const took = performance.now() - started;
    list.push(took);
    timings.push({ request: `${method} ${path}`, startedMs: started - runStarted, durationMs: took });
    durations.set(method, list);
    operations++;
    if (problem) {
      errors++;
      if (samples.length < 10) samples.push(problem);
    }
  };

  const folders = Math.ceil(options.clients / CLIENTS_PER_FOLDER);
  const root = await send('MKCOL', '/load/', {});
  if (root.status !== 201 && root.status !== 405) throw new Error(`MKCOL /load/: ${root.status} ${root.body}`);
  for (let f = 0; f < folders; f++) {
    const made = await send('MKCOL', `/load/f${f}/`, {});
    if (made.status !== 201 && made.status !== 405) throw new Error(`MKCOL /load/f${f}/: ${made.status} ${made.body}`);
  }

  const started = performance.now();
  runStarted = started;
  const deadline = started + options.seconds * 1000;
  const client = async (id: number) => {
    const next = random((options.seed ?? LOAD_DEFAULTS.seed) * 100_003 + id);
    const folder = `/load/f${id % folders}`;
    const written: Array<{ path: string; content: string }> = [];
    for (let round = 0; performance.now() < deadline; round++) {
      const path = `${folder}/c${id}-${round % FILES_PER_CLIENT}.txt`;
      const content = `client ${id} round ${round} `.padEnd(fileSize, '.');
      await timed('PUT', path, [201, 204], { 'Content-Type': 'text/plain' }, Buffer.from(content));
      const slot = round % FILES_PER_CLIENT;
      written[slot] = { path, content };
      if (performance.now() >= deadline) break;
      const pick = written[Math.floor(next() * written.length)] as { path: string; content: string };
      await timed('GET', pick.path, [200], {}, undefined, (reply) => (reply.body === pick.content ? undefined : `GET ${pick.path}: other bytes than written`));
      if (performance.now() >= deadline) break;
      await timed('PROPFIND', `${folder}/`, [207], { Depth: '1' });
    }
  };
  await Promise.all(Array.from({ length: options.clients }, (_, i) => client(i)));
  const elapsedMs = performance.now() - started;
  agent.destroy();
  const byMethod: Record<string, MethodFigures> = {};
  for (const [method, list] of durations) byMethod[method] = figures(list);
  const slowest = timings.sort((a, b) => b.durationMs - a.durationMs).slice(0, 5);
  return { operations, errors, samples, slowest, byMethod, all: figures([...durations.values()].flat()), elapsedMs };
}

/** The report lines a bench prints. */
export function formatLoad(result: LoadResult): string[] {
  const ms = (n: number) => `${Math.round(n)} ms`.padStart(9);
  const row = (name: string, f: MethodFigures) => `${name.padEnd(9)} ${String(f.count).padStart(7)} ${ms(f.p50)} ${ms(f.p99)} ${ms(f.max)}`;
  return [
    `method      count       p50       p99       max`,
    ...Object.entries(result.byMethod)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([method, f]) => row(method, f)),
    row('all', result.all),
    `p99/p50   ${(result.all.p99 / Math.max(1, result.all.p50)).toFixed(1)} (target at most 5)`,
    `errors    ${result.errors} of ${result.operations}`,
    `elapsed   ${(result.elapsedMs / 1000).toFixed(1)} s, ${(result.operations / (result.elapsedMs / 1000)).toFixed(0)} operations/s`,
    `slowest   ${result.slowest.map((t) => `${t.request} ${Math.round(t.durationMs)} ms from ${(t.startedMs / 1000).toFixed(1)} s`).join('; ')}`,
    ...result.samples.map((s) => `  ${s}`),
  ];
}
