/**
 * The composition root: config → stores → token source → client → backend → vfs → dav server.
 * The only module that wires concrete classes from several layers together.
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isLoopbackHost, storeSpecOf, type AccountConfig, type JottadavConfig } from './config/index.js';
import { startDavServer, type AuthOptions, type DavUser, type RunningDavServer, type StartOptions } from './dav/index.js';
import { openAccountStorage, sharesTokens } from './account-storage.js';
import type { TokenStore } from './jottacloud/index.js';
import { createStore } from './store/create-store.js';
import { namespaced, type KeyValueStore } from './store/key-value-store.js';
import { InterruptibleBackend } from './storage/interruptible-backend.js';
import { errorFields, type Logger } from './util/logger.js';
import { metrics } from './util/metrics.js';
import { startMetricsServer, type RunningMetricsServer } from './util/metrics-server.js';
import { BackendVfs, ListingMemory, MountsVfs, RootedVfs, type BackendVfsOptions, type Vfs } from './vfs/index.js';

export interface AppDependencies {
  logger: Logger;
  /** The clock of placeholder, junk-file and usage-cache deadlines; Date.now unless a spec moves time instead of waiting. */
  now?: () => number;
  /** Where an account's OAuth tokens live; default: its token file (or the shared store, for Redis). */
  tokenStoreFor?: (name: string, account: AccountConfig, store: KeyValueStore) => TokenStore;
}

export interface RunningApp {
  /** The WebDAV root URL, e.g. http://127.0.0.1:8080/ */
  url: string;
  dav: RunningDavServer;
  /** The Prometheus endpoint, when `metrics.enabled`. */
  metrics?: RunningMetricsServer;
  /** One Vfs per account, shared by every user of that account. */
  vfs: ReadonlyMap<string, Vfs>;
  /** Graceful: stop accepting, let uploads finish within `shutdown.grace`, flush placeholders and stores. */
  close(): Promise<void>;
}

interface Account {
  /** The account as users see it below their roots: one mount point, or every one (allDevices). */
  vfs: Vfs;
  /** Cuts the uploads in flight; returns how many. */
  interrupt(): number;
  /** Turns remaining placeholders into files, then stops the token timers. */
  close(): Promise<void>;
}

/** The file system's settings from the config (specs take the registry's defaults through it). */
export function vfsSettingsOf(config: JottadavConfig): Omit<BackendVfsOptions, 'backend' | 'store' | 'sharedCache' | 'listingMemory' | 'namespace'> {
  const { cache, uploads, localOnly } = config;
  return {
    listingTtlMs: cache.listingTtl,
    missTtlMs: cache.missTtl,
    fastList: cache.fastList,
    usageTtlMs: cache.quotaTtl,
    md5MemoryLimit: uploads.md5MemoryLimit,
    spoolDir: uploads.spoolDir,
    spoolDirectIo: uploads.directIo,
    placeholderGraceMs: config.placeholders.grace,
    localOnly: localOnly.enabled ? { patterns: localOnly.patterns, ttlMs: localOnly.ttl } : false,
    hardDelete: config.hardDelete,
    trashedOnly: config.trashedOnly,
    nameEncoding: config.names.encoding,
    noVersions: uploads.noVersions,
  };
}

async function openAccount(name: string, account: AccountConfig, config: JottadavConfig, store: KeyValueStore, listingMemory: ListingMemory, deps: AppDependencies): Promise<Account> {
  const shared = sharesTokens(config);
  const storage = await openAccountStorage(name, account, config, store, deps.tokenStoreFor?.(name, account, store));
  const mounts: Array<{ uploads: InterruptibleBackend; vfs: BackendVfs }> = [];
  const mount = (device: string, mountPoint: string, namespace: string): BackendVfs => {
    const uploads = new InterruptibleBackend(storage.backend(device, mountPoint), (path, error) =>
      deps.logger.warn('upload cut off; the previous version stays', { account: name, path, code: error.code }),
    );
    const vfs = new BackendVfs({ ...vfsSettingsOf(config), backend: uploads, store, sharedCache: shared, listingMemory, namespace, ...(deps.now ? { now: deps.now } : {}) });
    mounts.push({ uploads, vfs });
    return vfs;
  };
  const vfs: Vfs = account.allDevices
    ? new MountsVfs({
        source: {
          list: () => storage.devices(),
          vfsFor: (device) =>
            new MountsVfs({
              source: {
                list: () => storage.mountPoints(device),
                vfsFor: (mountPoint) => mount(device, mountPoint, `vfs:${name}:${device}/${mountPoint}`),
              },
            }),
        },
      })
    : mount(account.device, account.mountPoint, `vfs:${name}`);
  return {
    vfs,
    interrupt: () => mounts.reduce((cut, m) => cut + m.uploads.interrupt('jottadav is shutting down'), 0),
    async close() {
      const failures: unknown[] = [];
      for (const m of mounts) await m.vfs.close().catch((error: unknown) => failures.push(error));
      storage.close();
      if (failures.length > 0) throw new AggregateError(failures, failures.map(String).join('; '));
    },
  };
}

function healthEndpoint(path: string | null): ((req: IncomingMessage, res: ServerResponse) => boolean) | undefined {
  if (path === null) return undefined;
  return (req, res) => {
    const pathname = (req.url ?? '').split('?')[0];
    if (pathname !== path) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      // Not a WebDAV resource: a PUT here must not look stored (a 200 would tell the client so).
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Length': 0, Connection: 'close' });
      res.end();
      return true;
    }
    const body = JSON.stringify({ status: 'ok' });
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  };
}

/** The protocol layer's settings from the config (specs take the registry's defaults through it). */
export function davSettingsOf(config: JottadavConfig): Pick<StartOptions, 'host' | 'port' | 'basePath' | 'lockTimeout' | 'timeouts'> & { auth: Pick<AuthOptions, 'realm' | 'trustedProxies'> } {
  const { server, locks } = config;
  return {
    host: server.host,
    port: server.port,
    basePath: server.basePath,
    auth: { realm: server.realm, trustedProxies: server.trustedProxies },
    lockTimeout: {
      defaultSeconds: Math.round(locks.defaultTimeout / 1000),
      minSeconds: Math.round(locks.minTimeout / 1000),
      maxSeconds: Math.round(locks.maxTimeout / 1000),
    },
    timeouts: { headersMs: server.timeouts.headers, requestMs: server.timeouts.request, keepAliveMs: server.timeouts.keepAlive, idleMs: server.timeouts.idle },
  };
}

export async function startApp(config: JottadavConfig, deps: AppDependencies): Promise<RunningApp> {
  const { logger } = deps;
  const store = createStore(storeSpecOf(config));
  // One byte budget for every account's listings (with Redis they are cached there instead).
  const listingMemory = new ListingMemory(config.cache.memory);
  const accounts = new Map<string, Account>();
  try {
    for (const [name, account] of Object.entries(config.accounts)) {
      accounts.set(name, await openAccount(name, account, config, store, listingMemory, deps));
    }
  } catch (error) {
    await Promise.allSettled([...accounts.values()].map((a) => a.close()));
    await store.close();
    throw error;
  }

  // A user's view of an account below their root. Views of one account share resource keys
  // (scoped by the account), so users with overlapping roots see each other's locks.
  const view = (name: string | null, root: string): Vfs => {
    const accountName = name ?? (accounts.keys().next().value as string | undefined);
    const account = accountName === undefined ? undefined : accounts.get(accountName);
    if (!account || accountName === undefined) throw new Error(`no account '${name}' is configured`);
    return new RootedVfs(account.vfs, root, accountName);
  };
  const byUser = new Map<string, Vfs>();
  for (const user of config.users) byUser.set(user.name.normalize('NFC'), view(user.account, user.root));
  const anonymous = config.anonymous.enabled ? view(config.anonymous.account, config.anonymous.root) : undefined;
  const vfsFor = (user: string | undefined): Vfs => {
    const vfs = user === undefined ? anonymous : byUser.get(user.normalize('NFC'));
    // The protocol layer only calls this after authenticating, so a miss is a wiring bug.
    if (!vfs) throw new Error(`no file system for user ${user ?? '(anonymous)'}`);
    return vfs;
  };
  const users: DavUser[] = config.users.map((u) => ({ name: u.name, passwordHash: u.passwordHash, readOnly: u.readOnly }));

  const tls = config.server.tls.cert && config.server.tls.key ? { cert: readFileSync(config.server.tls.cert), key: readFileSync(config.server.tls.key) } : undefined;
  if (!tls && !isLoopbackHost(config.server.host) && users.length > 0) {
    logger.warn('serving plain HTTP on a non-loopback address: Basic auth passwords cross the network in clear text; configure server.tls', {
      host: config.server.host,
    });
  }

  let dav: RunningDavServer | undefined;
  let metricsServer: RunningMetricsServer | undefined;
  try {
    const settings = davSettingsOf(config);
    dav = await startDavServer({
      ...settings,
      vfs: vfsFor,
      sharedResourceKeys: true,
      store: namespaced(store, 'dav'),
      // Anonymous access serves requests without credentials; the users still log in beside it.
      auth: { ...settings.auth, users, ...(anonymous ? { anonymous: { readOnly: config.anonymous.readOnly } } : {}) },
      logger: (entry) => logger.request({ ...entry }),
      tls,
      intercept: healthEndpoint(config.server.healthPath),
    });
    if (config.metrics.enabled) metricsServer = await startMetricsServer(metrics, { host: config.metrics.host, port: config.metrics.port });
  } catch (error) {
    // Nothing serves (a busy port): release what was opened, so the process can exit.
    await dav?.shutdown(0);
    await Promise.allSettled([...accounts.values()].map((a) => a.close()));
    await store.close();
    throw error;
  }
  const running = dav;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      // Scrapes go on while uploads drain: the last figures are the interesting ones.
      await running.shutdown(config.shutdown.grace);
      await metricsServer?.close();
      // The grace is over: uploads still running upstream are cut, so the process can exit.
      for (const [name, account] of accounts) {
        const cut = account.interrupt();
        if (cut > 0) logger.warn('uploads cut off at shutdown; Jottacloud keeps the previous versions', { account: name, uploads: cut });
      }
      // Placeholders still empty become real empty files now, so no empty file is lost.
      for (const [name, account] of accounts) {
        try {
          await account.close();
        } catch (error) {
          logger.error('closing the file system failed', { account: name, ...errorFields(error) });
        }
      }
      await store.close();
    })();
    return closing;
  };

  return { url: running.url, dav: running, ...(metricsServer ? { metrics: metricsServer } : {}), vfs: new Map([...accounts].map(([n, a]) => [n, a.vfs])), close };
}
