import { join } from 'node:path';
import Keyv from 'keyv';
import KeyvRedis from '@keyv/redis';
import { KeyvFile } from 'keyv-file';
import type { KeyValueStore } from './key-value-store.js';
import { KeyvStore, type AtomicSetIfAbsent } from './keyv-store.js';

export type StoreSpec = { kind: 'memory' } | { kind: 'file'; dir: string } | { kind: 'redis'; url: string };

/** File name of the file store inside its data directory. */
export const FILE_STORE_NAME = 'jottadav-store.json';

/**
 * Builds the shared store. Memory and file stores serve one process; Redis serves several
 * (its set-if-absent is a single `SET NX PX`, so leases hold across processes).
 */
export function createStore(spec: StoreSpec): KeyValueStore {
  switch (spec.kind) {
    case 'memory':
      return new KeyvStore(keyvOver(undefined));
    case 'file': {
      if (!spec.dir) throw new Error('file store: a data directory is required');
      // keyv-file keeps the data in memory and writes the whole file after writeDelay; a short
      // delay keeps `await set()` fast while still coalescing bursts.
      const adapter = new KeyvFile({ filename: join(spec.dir, FILE_STORE_NAME), writeDelay: 10 });
      return new KeyvStore(keyvOver(adapter));
    }
    case 'redis': {
      if (!/^rediss?:\/\//.test(spec.url)) throw new Error(`redis store: not a redis:// URL: ${spec.url}`);
      // Without disableOfflineQueue every command issued while Redis is down waits in a queue
      // forever (a token refresh would hang); with it, commands fail fast and the client keeps
      // reconnecting in the background.
      const adapter = new KeyvRedis(
        {
          url: spec.url,
          disableOfflineQueue: true,
          socket: { connectTimeout: 5000, reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 2000) },
        },
        { throwOnConnectError: true, throwOnErrors: true, connectionTimeout: 5000 },
      );
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
    default: {
      const never: never = spec;
      throw new Error(`unknown store kind: ${JSON.stringify(never)}`);
    }
  }
}

interface RedisSetNx {
  set(key: string, value: string, options: { NX: true; PX?: number }): Promise<string | null>;
}

function keyvOver(adapter: unknown): Keyv {
  // namespace undefined: keys are stored verbatim, so the Redis SET NX above and keyv's own
  // get/set address the same key. Callers namespace through `namespaced()` instead.
  // In memory, values (already JSON text, see keyv-store.ts) are kept as they are: keyv's own
  // serializer would encode that text a second time on every write and decode it on every read,
  // which a listing of thousands of entries, rewritten per PUT, pays for dearly.
  const keyv = new Keyv(
    adapter === undefined ? { namespace: undefined, serialize: undefined, deserialize: undefined } : { store: adapter as never, namespace: undefined },
  );
  keyv.throwOnErrors = true;
  // Errors are rethrown to the caller; a listener keeps the emitter from treating them as fatal.
  keyv.on('error', () => undefined);
  return keyv;
}
