import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Keyv from 'keyv';
import type KeyvRedis from '@keyv/redis';
import { DeferredStore } from './deferred-store.js';
import type { KeyValueStore } from './key-value-store.js';
import { KeyvStore, type AtomicSetIfAbsent } from './keyv-store.js';
import { LmdbAdapter } from './lmdb-adapter.js';
import { migrateFileStore, OLD_FILE_STORE_NAME } from './migrate-file-store.js';

export type StoreSpec = { kind: 'memory' } | { kind: 'file'; dir: string } | { kind: 'redis'; url: string };

/** File name of the on-disk store (an LMDB file; LMDB adds `<name>-lock` beside it). */
export const FILE_STORE_NAME = 'jottadav-store.mdb';

/**
 * Builds the shared store. Memory and file stores serve one process; Redis serves several
 * (its set-if-absent is a single `SET NX PX`, so leases hold across processes).
 * The file store migrates an older `jottadav-store.json` in its directory before its first use.
 */
export function createStore(spec: StoreSpec): KeyValueStore {
  switch (spec.kind) {
    case 'memory':
      return new KeyvStore(keyvOver(undefined));
    case 'file': {
      if (!spec.dir) throw new Error('file store: a data directory is required');
      mkdirSync(spec.dir, { recursive: true });
      const adapter = new LmdbAdapter(join(spec.dir, FILE_STORE_NAME));
      const migrated = migrateFileStore(join(spec.dir, OLD_FILE_STORE_NAME), (records) => adapter.putAll(records));
      migrated.catch(() => undefined); // reported by the first call that awaits it
      // Nothing is read or written before the old state is in (a failed migration fails every call).
      return new KeyvStore(keyvOver(adapter, true), undefined, () => migrated);
    }
    case 'redis': {
      if (!/^rediss?:\/\//.test(spec.url)) throw new Error(`redis store: not a redis:// URL: ${spec.url}`);
      const url = spec.url;
      // Loaded on first use of Redis only (see DeferredStore).
      return new DeferredStore(import('@keyv/redis').then(({ default: Redis }) => redisStore(Redis, url)));
    }
    default: {
      const never: never = spec;
      throw new Error(`unknown store kind: ${JSON.stringify(never)}`);
    }
  }
}

function redisStore(Redis: typeof KeyvRedis, url: string): KeyValueStore {
  // Without disableOfflineQueue every command issued while Redis is down waits in a queue
  // forever (a token refresh would hang); with it, commands fail fast and the client keeps
  // reconnecting in the background.
  const adapter = new Redis(
    {
      url,
      disableOfflineQueue: true,
      socket: { connectTimeout: 5000, reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 2000) },
    },
    { throwOnConnectError: true, throwOnErrors: true, connectionTimeout: 5000 },
  );
  unrefConnectionTimeout(adapter);
  const atomic: AtomicSetIfAbsent = async (key, serialized, ttlMs) => {
    const client = (await adapter.getClient()) as unknown as RedisSetNx;
    const reply = await client.set(key, serialized, ttlMs ? { NX: true, PX: ttlMs } : { NX: true });
    return reply === 'OK';
  };
  // One connection attempt shared by concurrent first callers: node-redis reports itself
  // open before it is ready, and with the offline queue disabled an early command would fail.
  let connecting: Promise<unknown> | undefined;
  const ready = () =>
    (connecting ??= adapter.getClient().catch((error: unknown) => {
      connecting = undefined;
      throw error;
    }));
  return new KeyvStore(keyvOver(adapter), atomic, ready);
}

/**
 * @keyv/redis races each connect against a timer it never clears, so a process that connected
 * and closed its store still lived until that timer fired: every CLI command in Redis mode
 * (`about`, `cleanup`, `link`) exited 5 s after its work was done. The same timer, unref'd, still
 * bounds a connect that hangs, but no longer holds the process open.
 */
function unrefConnectionTimeout(adapter: KeyvRedis<unknown>): void {
  // Vendor quirk: createTimeoutPromise is private in the typings, so it is replaced on the instance.
  (adapter as unknown as { createTimeoutPromise(ms: number): Promise<never> }).createTimeoutPromise = (ms) =>
    new Promise((_, reject) => setTimeout(() => reject(new Error(`Redis timed out after ${ms}ms`)), ms).unref());
}

interface RedisSetNx {
  set(key: string, value: string, options: { NX: true; PX?: number }): Promise<string | null>;
}

function keyvOver(adapter: unknown, raw = adapter === undefined): Keyv {
  // namespace undefined: keys are stored verbatim, so the Redis SET NX above and keyv's own
  // get/set address the same key. Callers namespace through `namespaced()` instead.
  // In memory and in LMDB, values (already JSON text, see keyv-store.ts) are kept as they are:
  // keyv's own serializer would encode that text a second time on every write and decode it on
  // every read. Redis needs keyv's serialized form (the SET NX above writes it).
  const base = adapter === undefined ? {} : { store: adapter as never };
  const keyv = new Keyv(raw ? { ...base, namespace: undefined, serialize: undefined, deserialize: undefined } : { ...base, namespace: undefined });
  keyv.throwOnErrors = true;
  // Errors are rethrown to the caller; a listener keeps the emitter from treating them as fatal.
  keyv.on('error', () => undefined);
  return keyv;
}
