/**
 * Helpers for the operational specs: raw HTTP requests (paths sent byte for byte, unlike fetch,
 * which would resolve `..` and `%2e%2e` before they reach the server), a reader that looks at the
 * emulated account directly, and long-running jottadav child processes.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Emulator } from '../../lib/emulator/index.js';
import { createJottacloudBackend, FileTokenStore } from '../../lib/jottacloud/index.js';
import type { RemoteEntry, StorageBackend } from '../../lib/storage/backend.js';
import { ACCOUNT_MOUNT } from '../support/defaults.js';

export const BIN = fileURLToPath(new URL('../../bin/jottadav.js', import.meta.url));

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface RawOptions {
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** For https: the CA to trust. */
  ca?: string | Buffer;
}

/** Sends `path` exactly as given (no normalisation) to the server at `base`. */
export function raw(base: string, method: string, path: string, options: RawOptions = {}): Promise<RawResponse> {
  const url = new URL(base);
  const secure = url.protocol === 'https:';
  const body = options.body === undefined ? undefined : Buffer.from(options.body);
  const headers: Record<string, string> = { ...options.headers };
  if (body !== undefined) headers['Content-Length'] = String(body.length);
  return new Promise((resolve, reject) => {
    const req = (secure ? https : http).request(
      {
        host: url.hostname,
        port: url.port,
        method,
        path,
        headers,
        agent: false,
        ...(secure ? { ca: options.ca } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

/** A second, independent session on the emulated account: the ground truth the bridge is judged by. */
export interface AccountReader {
  backend: StorageBackend;
  /** Every path below `path` (files and folders), sorted. */
  tree(path?: string): Promise<string[]>;
  /** Content of a file, or undefined when it does not exist. */
  text(path: string): Promise<string | undefined>;
  md5(path: string): Promise<string | undefined>;
  stat(path: string): Promise<RemoteEntry | undefined>;
  close(): Promise<void>;
}

/** `at`: another device / mount point than the default Jotta/Archive. */
export async function accountReader(emulator: Emulator, at: { device?: string; mountPoint?: string } = {}): Promise<AccountReader> {
  const dir = mkdtempSync(join(tmpdir(), 'jottadav-ops-reader-'));
  const backend = await createJottacloudBackend({
    ...ACCOUNT_MOUNT,
    tokenStore: new FileTokenStore(join(dir, 'token.json')),
    loginToken: emulator.mintLoginToken(),
    endpoints: { jfs: emulator.urls.jfs, api: emulator.urls.api, www: emulator.urls.www },
    ...at,
  });
  const notFound = (error: unknown) => (error as { code?: string }).code === 'NOT_FOUND';
  const stat = async (path: string) => {
    try {
      return await backend.stat(path);
    } catch (error) {
      if (notFound(error)) return undefined;
      throw error;
    }
  };
  const hashOf = async (path: string, kind: 'md5' | 'text'): Promise<string | undefined> => {
    if (!(await stat(path))) return undefined;
    const stream = await backend.read(path);
    const hash = createHash('md5');
    const chunks: Buffer[] = [];
    for await (const chunk of stream) {
      if (kind === 'md5') hash.update(chunk as Buffer);
      else chunks.push(chunk as Buffer);
    }
    return kind === 'md5' ? hash.digest('hex') : Buffer.concat(chunks).toString('utf8');
  };
  const tree = async (path = '/'): Promise<string[]> => {
    const out: string[] = [];
    const walk = async (folder: string) => {
      for (const entry of await backend.list(folder)) {
        const child = `${folder === '/' ? '' : folder}/${entry.name}`;
        out.push(entry.kind === 'folder' ? `${child}/` : child);
        if (entry.kind === 'folder') await walk(child);
      }
    };
    await walk(path);
    return out.sort();
  };
  return {
    backend,
    tree,
    stat,
    text: (path) => hashOf(path, 'text'),
    md5: (path) => hashOf(path, 'md5'),
    async close() {
      await backend.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A jottadav subcommand running as a child process, with its output collected. */
export interface Child {
  process: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first match of `pattern` in stdout+stderr (rejects when the child exits first). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /** Resolves with the exit code once the child has exited. */
  exited: Promise<number | null>;
  /** SIGKILL if still running (cleanup). */
  kill(): Promise<void>;
}

export function startChild(args: string[], env: Record<string, string> = {}): Child {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', NO_COLOR: '1', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const waiters = new Set<() => void>();
  const poke = () => {
    for (const w of [...waiters]) w();
  };
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString();
    poke();
  });
  child.stderr.on('data', (c: Buffer) => {
    err += c.toString();
    poke();
  });
  child.stdin.on('error', () => undefined);
  let code: number | null | undefined;
  const exited = new Promise<number | null>((resolve) => {
    child.on('close', (c) => {
      code = c;
      resolve(c);
      poke();
    });
  });
  return {
    process: child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitFor(pattern, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out waiting for ${pattern}\nstdout:\n${out}\nstderr:\n${err}`));
        }, timeoutMs);
        const check = () => {
          const m = pattern.exec(out + err);
          if (m) {
            clearTimeout(timer);
            waiters.delete(check);
            resolve(m);
          } else if (code !== undefined) {
            clearTimeout(timer);
            waiters.delete(check);
            reject(new Error(`child exited (${code}) before ${pattern}\nstdout:\n${out}\nstderr:\n${err}`));
          }
        };
        waiters.add(check);
        check();
      });
    },
    async kill() {
      if (code === undefined && child.exitCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}

/** The URL `jottadav serve` logs once it listens (JSON log line `jottadav is serving`). */
export async function servedUrl(child: Child): Promise<string> {
  const m = await child.waitFor(/"msg":"jottadav is serving"[^\n]*"url":"([^"]+)"/);
  return m[1] as string;
}
