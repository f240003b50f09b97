/**
 * A local Jottacloud: one HTTP listener that speaks the real wire protocol of every host
 * (identity, api, jfs, upload URLs, public links), so a client only swaps base URLs.
 * Independent of lib/jottacloud on purpose: it is the oracle the client is tested against.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Account } from './account.js';
import { AuthState } from './auth.js';
import { ContentStore } from './content-store.js';
import { REALM, type Core } from './core.js';
import { Faults, type ChaosOptions, type DropRule, type FailRule, type RequestLogEntry } from './faults.js';
import { MetadataStore } from './persistence.js';
import { createEmulatorServer } from './server.js';
import { fold } from './names.js';

export type { ChaosOptions, DropPoint, DropRule, FailRule, RequestLogEntry } from './faults.js';

export interface EmulatorOptions {
  host?: string;
  port?: number;
  /** Persistence; absent → a temp dir removed on close/exit. */
  dataDir?: string;
  /** Base for upload URLs and well_known_link; default the listener's own http://host:port. */
  publicUrl?: string;
  /** Bytes, -1 unlimited (default). */
  capacity?: number;
  accessTokenTtlSeconds?: number;
  /**
   * The clock access tokens expire by (default the real one): a spec moves it forward instead of
   * waiting out a token's lifetime.
   */
  now?: () => number;
  /** JFS username; default a fixed 24-char lowercase alnum id. */
  username?: string;
}

export interface EmulatorControls {
  failNext(rule: FailRule): void;
  delay(rule: { path: string | RegExp; ms: number }): void;
  /** Drops the delay rules and lets the requests they hold go on now. */
  releaseDelays(): void;
  cutUploadAfter(bytes: number): void;
  /** The next matching requests lose their connection (before, after, or halfway through the answer). */
  dropNext(rule: DropRule): void;
  /** Seeded random faults of every kind on a share of all requests; `{rate: 0}` stops them. */
  chaos(options: ChaosOptions): void;
  /** Faults injected so far (rules and chaos). */
  injectedFaults(): number;
  expireTokens(): void;
  revokeRefreshTokens(): void;
  reset(): void;
  requests(): RequestLogEntry[];
}

export interface Emulator {
  url: string;
  urls: { jfs: string; api: string; wellKnown: string; tokenEndpoint: string; www: string };
  username: string;
  loginToken: string;
  mintLoginToken(): string;
  controls: EmulatorControls;
  close(): Promise<void>;
}

export const DEFAULT_USERNAME = '3kq8z1lmd0c7w2vpa9xe4tfh';

function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const host = options.host ?? '127.0.0.1';
  const temporary = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'jottadav-emulator-'));
  mkdirSync(dataDir, { recursive: true });
  const removeTemp = () => {
    if (temporary) rmSync(dataDir, { recursive: true, force: true });
  };
  if (temporary) process.once('exit', removeTemp);

  const metadata = new MetadataStore(dataDir);
  const stored = metadata.read();
  const username = options.username ?? stored?.username ?? DEFAULT_USERNAME;
  const content = new ContentStore(dataDir);
  const changed = () => metadata.changed();
  const account = new Account(username, options.capacity ?? -1, content, changed);
  const auth = new AuthState(username, options.accessTokenTtlSeconds ?? 3600, () => account.changed(), options.now);
  if (stored && fold(stored.username) === fold(username)) {
    for (const d of stored.devices) account.devices.set(fold(d.name), d);
    for (const u of stored.uploads) account.uploads.set(u.id, u);
    auth.load(stored.auth);
  } else if (stored) metadata.startOver();
  for (const d of account.devices.values()) for (const m of d.mounts.values()) account.tree.adopt(m.root);
  metadata.attach({ username, devices: () => account.devices.values(), uploads: () => account.uploads.values(), auth: () => auth.snapshot(), ledger: account.tree });
  account.ensureBuiltins();
  await account.collectGarbage();

  const faults = new Faults();
  let publicUrl = '';
  const mintLoginToken = (): string => {
    const payload = {
      username,
      realm: REALM,
      well_known_link: `${publicUrl}/auth/realms/${REALM}/.well-known/openid-configuration`,
      auth_token: auth.mintAuthToken(),
    };
    return Buffer.from(JSON.stringify(payload)).toString('base64url');
  };
  const core: Core = { account, auth, faults, publicUrl: () => publicUrl, mintLoginToken };
  const server = createEmulatorServer(core);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${hostForUrl(host)}:${port}`;
  publicUrl = (options.publicUrl ?? url).replace(/\/+$/, '');
  account.changed();

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= (async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      metadata.flush();
      removeTemp();
      if (temporary) process.off('exit', removeTemp);
    })();
    return closed;
  };

  return {
    url,
    urls: {
      jfs: `${url}/jfs/`,
      api: `${url}/`,
      wellKnown: `${url}/auth/realms/${REALM}/.well-known/openid-configuration`,
      tokenEndpoint: `${url}/auth/realms/${REALM}/protocol/openid-connect/token`,
      www: `${url}/`,
    },
    username,
    loginToken: mintLoginToken(),
    mintLoginToken,
    controls: {
      failNext: (rule) => faults.failNext(rule),
      delay: (rule) => faults.delay(rule),
      releaseDelays: () => faults.releaseDelays(),
      cutUploadAfter: (bytes) => faults.cutUploadAfter(bytes),
      dropNext: (rule) => faults.dropNext(rule),
      chaos: (options) => faults.chaos(options),
      injectedFaults: () => faults.injectedCount(),
      expireTokens: () => auth.expireAccessTokens(),
      revokeRefreshTokens: () => auth.revokeAllFamilies(),
      reset: () => faults.reset(),
      requests: () => faults.requests(),
    },
    close,
  };
}
