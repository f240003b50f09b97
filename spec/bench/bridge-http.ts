/**
 * What the bridge bench sends and how: pseudo-random content generated as a stream (so 1 GiB is
 * never in memory and never deduplicated), a small keep-alive HTTP client, and the direct
 * baseline: the same transfers straight to the emulator, as the Jottacloud client would do them
 * (MD5, allocate, upload; mode=bin download).
 */
import { createHash } from 'node:crypto';
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { seededStream } from '../support/seeded-data.js';

/** Pseudo-random content as a stream, by seed (spec/support/seeded-data.ts). */
export const content = seededStream;

export const MiB = 1024 * 1024;
export async function md5Of(body: Readable): Promise<string> {
  const hash = createHash('md5');
  for await (const chunk of body) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export async function prefixOf(body: Readable, bytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let have = 0;
  for await (const chunk of body) {
    chunks.push(chunk as Buffer);
    have += (chunk as Buffer).length;
    if (have >= bytes) break;
  }
  body.destroy();
  return Buffer.concat(chunks).subarray(0, bytes);
}

export interface Reply {
  status: number;
  bytes: number;
  /** The first `keep` bytes of the body. */
  head: Buffer;
  headers: Record<string, string | string[] | undefined>;
  /** performance.now() when the request was made, when its body was all handed to the socket, and when the answer ended. */
  timing: { start: number; sent: number; end: number };
  /** Occurrences of CallOptions.count. */
  matches: number;
}

export interface CallOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: Readable | Buffer | string;
  /** How many leading body bytes to keep in `head` (default 64 KiB); the rest is only counted. */
  keep?: number;
  /** Counts the occurrences of these bytes in the body, across chunk boundaries, into `matches`. */
  count?: Buffer;
}

/** Occurrences of `needle` in a stream of chunks, without joining them. */
function counter(needle: Buffer): { feed(chunk: Buffer): void; total(): number } {
  let carry = Buffer.alloc(0);
  let n = 0;
  return {
    feed(chunk) {
      const data = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
      for (let at = data.indexOf(needle); at !== -1; at = data.indexOf(needle, at + needle.length)) n++;
      // Keep a tail shorter than the needle: a match split across chunks is found next time, none twice.
      carry = Buffer.from(data.subarray(Math.max(0, data.length - needle.length + 1)));
    },
    total: () => n,
  };
}

/** One client for every request of the bench: keep-alive, enough sockets for the concurrency used. */
export class HttpClient {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 32 });

  call(url: string, options: CallOptions = {}): Promise<Reply> {
    const keep = options.keep ?? 64 * 1024;
    const start = performance.now();
    let sent = start;
    return new Promise((resolve, reject) => {
      const u = new URL(url);
      const req = request(
        { agent: this.agent, host: u.hostname, port: u.port, path: `${u.pathname}${u.search}`, method: options.method ?? 'GET', headers: options.headers ?? {} },
        (res) => {
          const kept: Buffer[] = [];
          let bytes = 0;
          const matches = options.count ? counter(options.count) : undefined;
          res.on('data', (chunk: Buffer) => {
            if (bytes < keep) kept.push(chunk.subarray(0, keep - bytes));
            bytes += chunk.length;
            matches?.feed(chunk);
          });
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, bytes, head: Buffer.concat(kept), headers: res.headers, timing: { start, sent, end: performance.now() }, matches: matches?.total() ?? 0 }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.on('finish', () => (sent = performance.now()));
      if (options.body instanceof Readable) pipeline(options.body, req).catch(reject);
      else req.end(options.body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

export function expectStatus(what: string, reply: Reply, ...ok: number[]): Reply {
  if (!ok.includes(reply.status)) throw new Error(`${what}: HTTP ${reply.status}: ${reply.head.toString('utf8', 0, 500)}`);
  return reply;
}

/** The emulator's own API, used the way lib/jottacloud uses it, with the bridge's bearer token. */
export class DirectJotta {
  private readonly auth: Record<string, string>;

  constructor(
    private readonly http: HttpClient,
    private readonly api: string,
    private readonly jfs: string,
    private readonly username: string,
    accessToken: string,
  ) {
    this.auth = { authorization: `Bearer ${accessToken}` };
  }

  /** Allocate then, unless the service already has the content, POST the bytes. */
  async upload(path: string, size: number, md5: string, body: () => Readable | Buffer): Promise<'uploaded' | 'deduplicated'> {
    const allocation = expectStatus(
      `allocate ${path}`,
      await this.http.call(`${this.api}files/v1/allocate`, {
        method: 'POST',
        headers: { ...this.auth, 'content-type': 'application/json' },
        body: JSON.stringify({ path: `/jfs/Jotta/Archive${path}`, bytes: size, md5 }),
      }),
      200,
    );
    const { state, upload_url: uploadUrl } = JSON.parse(allocation.head.toString('utf8')) as { state: string; upload_url: string };
    if (state === 'COMPLETED') return 'deduplicated';
    expectStatus(
      `upload ${path}`,
      await this.http.call(uploadUrl, { method: 'POST', headers: { ...this.auth, 'content-type': 'application/octet-stream', 'content-length': String(size) }, body: body() }),
      200,
    );
    return 'uploaded';
  }

  /** `GET …?mode=bin`; keeps the first `keep` bytes for a spot check. */
  async download(path: string, keep: number): Promise<Reply> {
    const url = `${this.jfs}${this.username}/Jotta/Archive${path.split('/').map(encodeURIComponent).join('/')}?mode=bin`;
    return expectStatus(`download ${path}`, await this.http.call(url, { headers: this.auth, keep }), 200);
  }
}

/** Runs `work(i)` for i in [0, count) with at most `concurrency` at a time; the first error wins. */
export async function inParallel(count: number, concurrency: number, work: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    try {
      while (!failed && next < count) await work(next++);
    } catch (error) {
      failed = true; // the other workers stop after their current item
      throw error;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

export function log(line: string): void {
  console.error(`  bridge: ${line}`);
}

export async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await work();
  return { ms: performance.now() - t0, value };
}

export function sizeLabel(bytes: number): string {
  return bytes >= 1024 * MiB ? `${+(bytes / 1024 / MiB).toFixed(2)} GiB` : `${+(bytes / MiB).toFixed(1)} MiB`;
}

/** The bridge as a WebDAV client sees it. */
export class Dav {
  private readonly auth: string;
  constructor(
    private readonly http: HttpClient,
    private readonly base: string,
    user: string,
    password: string,
  ) {
    this.auth = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  }

  url(path: string): string {
    return `${this.base}${path.replace(/^\//, '').split('/').map(encodeURIComponent).join('/')}`;
  }

  async mkcol(path: string): Promise<void> {
    expectStatus(`MKCOL ${path}`, await this.http.call(this.url(path), { method: 'MKCOL', headers: { authorization: this.auth } }), 201);
  }

  /**
   * PROPFIND (allprop, as an empty body means); answers the number of responses. They are counted
   * by their closing tag as the body streams in, so the client adds little to the time measured
   * (lib/dav writes the DAV: namespace with the D prefix).
   */
  async propfind(path: string, depth: '0' | '1'): Promise<number> {
    const reply = expectStatus(
      `PROPFIND ${path}`,
      await this.http.call(this.url(path), { method: 'PROPFIND', headers: { authorization: this.auth, depth }, count: Buffer.from('</D:response>') }),
      207,
    );
    return reply.matches;
  }

  async put(path: string, size: number, body: Readable | Buffer): Promise<Reply> {
    const headers = { authorization: this.auth, 'content-type': 'application/octet-stream', 'content-length': String(size) };
    return expectStatus(`PUT ${path}`, await this.http.call(this.url(path), { method: 'PUT', headers, body }), 201, 204);
  }

  async get(path: string, keep: number) {
    return expectStatus(`GET ${path}`, await this.http.call(this.url(path), { headers: { authorization: this.auth }, keep }), 200);
  }
}
