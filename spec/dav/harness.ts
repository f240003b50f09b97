/**
 * One real jottadav DAV server per test file, on 127.0.0.1 port 0, over the in-memory Vfs,
 * plus a small HTTP client that returns status, headers and the body as text.
 */
import http from 'node:http';
import { startDavServer, type DavLogEntry, type StartOptions } from '../../lib/dav/index.js';
import { hashPassword } from '../../lib/dav/auth.js';
import { MemoryStore } from '../../lib/store/memory-store.js';
import { MemoryVfs } from '../support/memory-vfs.js';
import { DAV_DEFAULTS } from '../support/defaults.js';

export const USER = 'alice';
export const PASSWORD = 'p@ss:word';
let cachedHash: Promise<string> | undefined;

/** scrypt is deliberately slow: hash the test password once per process. */
export function passwordHash(): Promise<string> {
  return (cachedHash ??= hashPassword(PASSWORD, { N: 1024, r: 8, p: 1 }));
}

export function basic(user = USER, password = PASSWORD): string {
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface TestServer {
  url: string;
  port: number;
  vfs: MemoryVfs;
  store: MemoryStore;
  log: DavLogEntry[];
  request(method: string, path: string, options?: { headers?: Record<string, string | number>; body?: string | Buffer; auth?: string | false }): Promise<Reply>;
  close(): Promise<void>;
}

export async function startTestServer(overrides: Partial<StartOptions> & { caseInsensitive?: boolean } = {}): Promise<TestServer> {
  const vfs = new MemoryVfs({ caseInsensitive: overrides.caseInsensitive ?? false });
  const store = new MemoryStore();
  const log: DavLogEntry[] = [];
  const running = await startDavServer({
    ...DAV_DEFAULTS,
    vfs,
    store,
    auth: {
      ...DAV_DEFAULTS.auth, users: [{ name: USER, passwordHash: await passwordHash() }, { name: 'bob', passwordHash: await passwordHash() }, { name: 'reader', passwordHash: await passwordHash(), readOnly: true }] },
    logger: (e) => log.push(e),
    ...overrides,
  });
  const port = Number(new URL(running.url).port);
  const request: TestServer['request'] = (method, path, options = {}) =>
    new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = { ...options.headers };
      if (options.auth !== false) headers.Authorization = options.auth ?? basic();
      if (options.body !== undefined && headers['Content-Length'] === undefined && headers['Transfer-Encoding'] === undefined) {
        headers['Content-Length'] = Buffer.byteLength(options.body);
      }
      const req = http.request({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(options.body);
    });
  return { url: running.url, port, vfs, store, log, request, close: () => running.close() };
}

/** The hrefs of a multistatus body, in order. */
export function hrefsOf(body: string): string[] {
  return [...body.matchAll(/<D:response><D:href>([^<]*)<\/D:href>/g)].map((m) => m[1] as string);
}

export const PROPFIND_ALL = '<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>';

export function lockBody(scope: 'exclusive' | 'shared' = 'exclusive', owner = 'tester'): string {
  return `<?xml version="1.0" encoding="utf-8"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:${scope}/></D:lockscope><D:locktype><D:write/></D:locktype><D:owner><D:href>${owner}</D:href></D:owner></D:lockinfo>`;
}
