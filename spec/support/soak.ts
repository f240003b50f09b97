/**
 * The fault soak: a seeded mix of PUT, GET, PROPFIND, MOVE, COPY, DELETE and MKCOL through the
 * whole bridge over HTTP, while the emulator injects faults of every kind into a share of the
 * upstream requests (chaos: error statuses, errors after the work, dropped connections before,
 * after and halfway through an answer, cut uploads, delays). Each worker owns a folder and keeps
 * an oracle of what it holds; every answer is checked against it (bytes of every GET, names of
 * every PROPFIND). At the end, with the faults off, the service itself is compared with the
 * oracles: a file acknowledged and missing is lost, one with other bytes is corrupted. (Bodies are
 * never empty, so nothing is held back on the bridge as a placeholder when the check runs.)
 *
 * Used by `npm run bench:soak` (spec/bench/soak.ts) and, short, by spec/e2e/fault-soak.spec.ts.
 */
import { createHash } from 'node:crypto';
import { seededRandom } from '../../lib/util/seeded-random.js';
import { startStack, type Stack } from './stack.js';
import { emulatorBackend } from '../support/emulator.js';
import type { JottacloudBackend } from '../../lib/jottacloud/backend.js';
import { collect } from '../jottacloud/support.js';

export interface SoakOptions {
  operations: number;
  /** Share of upstream requests that get a fault (0..1). */
  faultRate: number;
  seed: number;
  /** Concurrent clients, each in its own folder. */
  workers: number;
  /** Largest body of a PUT. */
  maxFileSize: number;
  /** A request that takes longer counts as a hang (an error). */
  clientTimeoutMs: number;
}

export interface SoakResult {
  operations: number;
  /** Operations whose answer was wrong: an unexpected status, wrong bytes, a wrong listing, a hang. */
  errors: number;
  errorsByKind: Record<string, number>;
  /** Files the bridge acknowledged that the service does not hold at the end. */
  lost: number;
  /** Files the service holds with other bytes than the last acknowledged write. */
  corrupted: number;
  /** Files the service holds that the oracle says were deleted or moved away. */
  unexpected: number;
  faultsInjected: number;
  upstreamRequests: number;
  elapsedMs: number;
  /** A few error descriptions, to start the diagnosis with. */
  samples: string[];
}

export const SOAK_DEFAULTS: SoakOptions = { operations: 10_000, faultRate: 0.05, seed: 20261202, workers: 8, maxFileSize: 256 * 1024, clientTimeoutMs: 120_000 };


const md5 = (data: Buffer) => createHash('md5').update(data).digest('hex');

/** What one worker believes its folder holds; `uncertain` paths had a failed change. */
interface Oracle {
  files: Map<string, Buffer>;
  dirs: Set<string>;
  /** path → the contents it may hold (undefined: absent) after a change that failed. */
  uncertain: Map<string, Array<Buffer | undefined>>;
}

type Kind = 'PUT' | 'GET' | 'PROPFIND' | 'MOVE' | 'COPY' | 'DELETE' | 'MKCOL';
const MIX: Array<[Kind, number]> = [
  ['PUT', 25],
  ['GET', 25],
  ['PROPFIND', 14],
  ['MOVE', 10],
  ['COPY', 8],
  ['DELETE', 10],
  ['MKCOL', 8],
];

class Worker {
  private readonly oracle: Oracle = { files: new Map(), dirs: new Set(['']), uncertain: new Map() };
  private counter = 0;

  constructor(
    private readonly stack: Stack,
    private readonly root: string,
    private readonly random: () => number,
    private readonly options: SoakOptions,
    private readonly fail: (kind: string, detail: string) => void,
  ) {}

  private url(path: string): string {
    return new URL(`${this.root}${path}`.replace(/^\//, '').split('/').map(encodeURIComponent).join('/'), this.stack.url).href;
  }

  private async send(method: string, path: string, init: { headers?: Record<string, string>; body?: Buffer } = {}): Promise<{ status: number; body: Buffer }> {
    const res = await fetch(this.url(path), {
      method,
      headers: { Authorization: this.stack.authHeader(), ...init.headers },
      body: init.body,
      signal: AbortSignal.timeout(this.options.clientTimeoutMs),
    });
    return { status: res.status, body: Buffer.from(await res.arrayBuffer()) };
  }

  private pick<T>(items: T[]): T | undefined {
    return items.length === 0 ? undefined : items[Math.floor(this.random() * items.length)];
  }

  private certainFiles(): string[] {
    return [...this.oracle.files.keys()].filter((p) => !this.oracle.uncertain.has(p) && !this.underUncertain(p));
  }

  private certainDirs(): string[] {
    return [...this.oracle.dirs].filter((d) => !this.oracle.uncertain.has(d) && !this.underUncertain(d));
  }

  private underUncertain(path: string): boolean {
    for (const u of this.oracle.uncertain.keys()) if (path.startsWith(`${u}/`)) return true;
    return false;
  }

  private fresh(prefix: string): string {
    const dir = this.pick(this.certainDirs()) ?? '';
    this.counter += 1;
    return `${dir}/${prefix}-${this.counter}`;
  }

  private content(): Buffer {
    // Mostly small, some large enough for the disk spool and a resumed upload.
    const size = this.random() < 0.9 ? 1 + Math.floor(this.random() * 8192) : 1 + Math.floor(this.random() * this.options.maxFileSize);
    // Never empty: an empty new file is a placeholder on the bridge for a while, not an upload.
    const out = Buffer.alloc(size);
    for (let i = 0; i < size; i++) out[i] = Math.floor(this.random() * 256);
    return out;
  }

  /** A change failed: the path may hold either outcome from now on. */
  private doubt(path: string, outcomes: Array<Buffer | undefined>): void {
    this.oracle.uncertain.set(path, [...(this.oracle.uncertain.get(path) ?? []), ...outcomes]);
  }

  async step(): Promise<void> {
    let roll = this.random() * 100;
    let kind: Kind = 'GET';
    for (const [k, weight] of MIX) {
      if (roll < weight) {
        kind = k;
        break;
      }
      roll -= weight;
    }
    try {
      await this[kind]();
    } catch (error) {
      this.fail(`${kind} threw`, (error as Error).message);
    }
  }

  private async PUT(): Promise<void> {
    const existing = this.random() < 0.4 ? this.pick(this.certainFiles()) : undefined;
    const path = existing ?? `${this.fresh('f')}.bin`;
    const body = this.content();
    const res = await this.send('PUT', path, { body });
    if (res.status === 201 || res.status === 204) {
      this.oracle.files.set(path, body);
      return;
    }
    this.doubt(path, [this.oracle.files.get(path), body]);
    this.fail(`PUT ${res.status}`, path);
  }

  private async GET(): Promise<void> {
    const path = this.random() < 0.1 ? `${this.fresh('missing')}.bin` : this.pick(this.certainFiles());
    if (path === undefined) return;
    const res = await this.send('GET', path);
    const want = this.oracle.files.get(path);
    if (want === undefined) {
      if (res.status !== 404) this.fail(`GET of a missing file ${res.status}`, path);
      return;
    }
    if (res.status !== 200) return this.fail(`GET ${res.status}`, path);
    if (md5(res.body) !== md5(want)) this.fail('GET wrong bytes', `${path}: ${res.body.length} bytes, want ${want.length}`);
  }

  private async PROPFIND(): Promise<void> {
    const dir = this.pick(this.certainDirs());
    if (dir === undefined) return;
    const res = await this.send('PROPFIND', dir === '' ? '/' : dir, { headers: { Depth: '1' } });
    if (res.status !== 207) return this.fail(`PROPFIND ${res.status}`, dir);
    const own = new URL(this.url(dir === '' ? '/' : dir)).pathname.replace(/\/$/, '');
    const names = [...res.body.toString('utf8').matchAll(/<(?:[A-Za-z0-9]+:)?href>([^<]+)<\/(?:[A-Za-z0-9]+:)?href>/g)]
      .map((m) => decodeURIComponent(new URL(m[1]!, this.stack.url).pathname.replace(/\/$/, '')))
      .filter((h) => h !== decodeURIComponent(own))
      .map((h) => h.slice(h.lastIndexOf('/') + 1));
    const prefix = dir === '' ? '/' : `${dir}/`;
    const children = (paths: Iterable<string>) => [...paths].filter((p) => p.startsWith(prefix) && p !== dir && !p.slice(prefix.length).includes('/'));
    const expected = new Set([...children(this.oracle.files.keys()), ...children(this.oracle.dirs)].map((p) => p.slice(prefix.length)));
    const doubtful = new Set(children(this.oracle.uncertain.keys()).map((p) => p.slice(prefix.length)));
    const seen = new Set(names);
    for (const name of expected) if (!seen.has(name) && !doubtful.has(name)) return this.fail('PROPFIND misses a child', `${dir}/${name}`);
    for (const name of seen) if (!expected.has(name) && !doubtful.has(name)) return this.fail('PROPFIND shows a stranger', `${dir}/${name}`);
  }

  private async transfer(method: 'MOVE' | 'COPY'): Promise<void> {
    const from = this.pick(this.certainFiles());
    if (from === undefined) return;
    const to = `${this.fresh(method === 'MOVE' ? 'moved' : 'copied')}.bin`;
    const body = this.oracle.files.get(from)!;
    const res = await this.send(method, from, { headers: { Destination: this.url(to), Overwrite: 'F' } });
    if (res.status === 201) {
      this.oracle.files.set(to, body);
      if (method === 'MOVE') this.oracle.files.delete(from);
      return;
    }
    this.doubt(to, [undefined, body]);
    if (method === 'MOVE') this.doubt(from, [undefined, body]);
    this.fail(`${method} ${res.status}`, `${from} → ${to}`);
  }

  private async MOVE(): Promise<void> {
    return this.transfer('MOVE');
  }

  private async COPY(): Promise<void> {
    return this.transfer('COPY');
  }

  private async DELETE(): Promise<void> {
    const dirs = this.certainDirs().filter((d) => d !== '');
    // Mostly files; now and then a whole folder.
    const dir = this.random() < 0.1 ? this.pick(dirs) : undefined;
    const path = dir ?? this.pick(this.certainFiles());
    if (path === undefined) return;
    const res = await this.send('DELETE', path);
    if (res.status === 204) {
      if (dir === undefined) this.oracle.files.delete(path);
      else this.forgetTree(path);
      return;
    }
    this.doubt(path, [undefined, this.oracle.files.get(path)]);
    this.fail(`DELETE ${res.status}`, path);
  }

  private forgetTree(dir: string): void {
    this.oracle.dirs.delete(dir);
    for (const d of [...this.oracle.dirs]) if (d.startsWith(`${dir}/`)) this.oracle.dirs.delete(d);
    for (const f of [...this.oracle.files.keys()]) if (f.startsWith(`${dir}/`)) this.oracle.files.delete(f);
  }

  private async MKCOL(): Promise<void> {
    // Folders stay shallow: the mix is about faults, not depth.
    const path = this.fresh('d');
    if (path.split('/').length > 4) return;
    const res = await this.send('MKCOL', path);
    if (res.status === 201) {
      this.oracle.dirs.add(path);
      return;
    }
    this.doubt(path, [undefined]);
    this.fail(`MKCOL ${res.status}`, path);
  }

  /** With the faults off: the service against the oracle. */
  async verify(remote: JottacloudBackend, tally: { lost: number; corrupted: number; unexpected: number }, note: (s: string) => void): Promise<void> {
    const remoteFiles = new Map<string, string>();
    const walk = async (dir: string): Promise<void> => {
      for (const entry of await remote.list(`${this.root}${dir}` || '/')) {
        const path = `${dir}/${entry.name}`;
        if (entry.kind === 'folder') await walk(path);
        else {
          try {
            remoteFiles.set(path, md5(await collect(await remote.read(`${this.root}${path}`))));
          } catch (error) {
            note(`unreadable ${this.root}${path}: ${(error as Error).message}`);
            remoteFiles.set(path, 'unreadable');
          }
        }
      }
    };
    await walk('');
    for (const [path, body] of this.oracle.files) {
      const doubts = this.oracle.uncertain.get(path);
      const held = remoteFiles.get(path);
      const acceptable = [body, ...(doubts ?? [])].map((b) => (b === undefined ? undefined : md5(b)));
      if (held === undefined) {
        if (!acceptable.includes(undefined) && !this.underUncertain(path)) {
          tally.lost += 1;
          note(`lost ${this.root}${path}`);
        }
      } else if (!acceptable.includes(held) && !this.underUncertain(path)) {
        tally.corrupted += 1;
        note(`corrupted ${this.root}${path}`);
      }
    }
    for (const path of remoteFiles.keys()) {
      if (this.oracle.files.has(path) || this.oracle.uncertain.has(path) || this.underUncertain(path)) continue;
      tally.unexpected += 1;
      note(`unexpected ${this.root}${path}`);
    }
  }
}

export async function runSoak(
  partial: Partial<SoakOptions> = {},
  log: (line: string) => void = () => undefined,
  bridgeLog?: { write(chunk: string): unknown },
): Promise<SoakResult> {
  const options = { ...SOAK_DEFAULTS, ...partial };
  const stack = await startStack(bridgeLog ? { logSink: bridgeLog, config: { log: { format: 'json', level: 'debug' } } } : {});
  const errorsByKind: Record<string, number> = {};
  const samples: string[] = [];
  let errors = 0;
  const fail = (kind: string, detail: string) => {
    errors += 1;
    errorsByKind[kind] = (errorsByKind[kind] ?? 0) + 1;
    if (samples.length < 20) samples.push(`${kind}: ${detail}`);
  };
  const started = Date.now();
  try {
    const random = seededRandom(options.seed);
    const workers: Worker[] = [];
    for (let i = 0; i < options.workers; i++) {
      const root = `/soak-${i}`;
      const res = await fetch(new URL(root.slice(1), stack.url), { method: 'MKCOL', headers: { Authorization: stack.authHeader() } });
      if (res.status !== 201) throw new Error(`MKCOL ${root}: ${res.status}`);
      // Each worker draws from its own stream, so the mix does not depend on timing.
      workers.push(new Worker(stack, root, seededRandom(Math.floor(random() * 2 ** 31)), options, fail));
    }
    const mark = stack.emulator.controls.requests().length;
    const faultsBefore = stack.emulator.controls.injectedFaults();
    stack.emulator.controls.chaos({ rate: options.faultRate, seed: options.seed });
    let next = 0;
    let done = 0;
    await Promise.all(
      workers.map(async (worker) => {
        while (next < options.operations) {
          next += 1;
          await worker.step();
          done += 1;
          if (done % 1000 === 0) log(`${done} operations, ${errors} errors, ${stack.emulator.controls.injectedFaults() - faultsBefore} faults injected`);
        }
      }),
    );
    stack.emulator.controls.chaos({ rate: 0, seed: options.seed });
    const faultsInjected = stack.emulator.controls.injectedFaults() - faultsBefore;
    const upstreamRequests = stack.emulator.controls.requests().length - mark;
    const elapsedMs = Date.now() - started;
    const remote = await emulatorBackend(stack.emulator);
    const tally = { lost: 0, corrupted: 0, unexpected: 0 };
    try {
      for (const worker of workers) await worker.verify(remote, tally, (s) => samples.length < 40 && samples.push(s));
    } finally {
      await remote.close();
    }
    return { operations: options.operations, errors, errorsByKind, ...tally, faultsInjected, upstreamRequests, elapsedMs, samples };
  } finally {
    await stack.close();
  }
}
