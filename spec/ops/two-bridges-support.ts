/**
 * Two complete bridges (lib/app.ts startApp, as `jottadav serve` composes it) in front of ONE
 * emulator account the caller already runs (startBridge of spec/support/stack.ts); `store` picks
 * what the bridges share (a `redis://` URL) or keep apart (`memory`, for the negative controls).
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningApp } from '../../lib/app.js';
import type { Emulator } from '../../lib/emulator/index.js';
import { FileTokenStore, loginWithToken } from '../../lib/jottacloud/index.js';
import { startBridge, type Bridge } from '../support/stack.js';

export const USER = 'alice';
export const PASSWORD = 'two bridges secret';
export const AUTH = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;

export interface Bridges {
  a: RunningApp;
  b: RunningApp;
  close(): Promise<void>;
}

/**
 * Logs in once (one token family, as `jottadav login` on one machine would) and starts two bridges
 * on that token file (or each on a copy of it) and `store`. With Redis the first bridge seeds the shared token from the file
 * and the second finds it there (lib/app.ts defaultTokenStore).
 */
export async function startBridges(emulator: Emulator, store: string, extra: Record<string, unknown> = {}, options: { copiedTokens?: boolean } = {}): Promise<Bridges> {
  const dir = mkdtempSync(join(tmpdir(), 'jottadav-two-bridges-'));
  const tokenFile = join(dir, 'token.json');
  const started: Bridge[] = [];
  try {
    await loginWithToken(emulator.mintLoginToken(), new FileTokenStore(tokenFile));
    // copiedTokens: the misconfiguration the shared store exists to prevent, one login copied to
    // two machines, each then rotating its own copy of the refresh token.
    if (options.copiedTokens) for (const name of ['a', 'b']) copyFileSync(tokenFile, join(dir, `token-${name}.json`));
    for (const name of ['a', 'b']) {
      started.push(
        await startBridge(emulator, {
          tokenFile: options.copiedTokens ? join(dir, `token-${name}.json`) : tokenFile,
          users: [{ name: USER, password: PASSWORD }],
          config: { store, log: { format: 'json', level: 'error' }, ...extra },
        }),
      );
    }
  } catch (error) {
    for (const bridge of started) await bridge.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const [a, b] = started as [Bridge, Bridge];
  return {
    a: a.app,
    b: b.app,
    async close() {
      await Promise.allSettled([a.close(), b.close()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A WebDAV request as alice to `path` (absolute, below the bridge root). */
export function dav(app: RunningApp, method: string, path: string, init: { headers?: Record<string, string>; body?: string } = {}): Promise<Response> {
  return fetch(new URL(path.replace(/^\//, ''), app.url), { method, headers: { Authorization: AUTH, ...init.headers }, body: init.body });
}

/** Names (decoded, without trailing slash) of the children a Depth 1 PROPFIND of `folder` reports. */
export async function childNames(app: RunningApp, folder: string): Promise<string[]> {
  const res = await dav(app, 'PROPFIND', folder, { headers: { Depth: '1' } });
  const text = await res.text();
  if (res.status !== 207) throw new Error(`PROPFIND ${folder}: ${res.status} ${text}`);
  const own = new URL(folder.replace(/^\//, ''), app.url).pathname.replace(/\/$/, '');
  const hrefs = [...text.matchAll(/<(?:[A-Za-z0-9]+:)?href>([^<]+)<\/(?:[A-Za-z0-9]+:)?href>/g)].map((m) => {
    const href = m[1] as string;
    return decodeURIComponent(href.startsWith('http') ? new URL(href).pathname : href).replace(/\/$/, '');
  });
  return hrefs
    .filter((h) => h !== decodeURIComponent(own))
    .map((h) => h.slice(h.lastIndexOf('/') + 1))
    .sort();
}
