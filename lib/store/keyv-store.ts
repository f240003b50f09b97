import type Keyv from 'keyv';
import type { KeyValueStore } from './key-value-store.js';

/**
 * How `setIfAbsent` is made atomic. Keyv has no compare-and-set, so each backing store supplies
 * its own: an in-process mutex for single-process stores (Map, file), `SET NX PX` for Redis.
 */
export type AtomicSetIfAbsent = (key: string, serialized: string, ttlMs: number | undefined) => Promise<boolean>;

/**
 * The KeyValueStore seam over a keyv instance. Values are stored as JSON text so that every
 * backing store round-trips exactly like MemoryStore (no Dates, no shared references, and no
 * dependence on an adapter's own serializer).
 */
export class KeyvStore implements KeyValueStore {
  private lock: Promise<unknown> = Promise.resolve();

  constructor(
    readonly keyv: Keyv,
    private readonly atomic?: AtomicSetIfAbsent,
    /** Awaited before every operation (e.g. the first connection to Redis). */
    private readonly ready: () => Promise<unknown> = async () => undefined,
  ) {}

  async get<T>(key: string): Promise<T | undefined> {
    await this.ready();
    const json = (await this.keyv.get(key)) as unknown;
    if (typeof json !== 'string') return undefined;
    return JSON.parse(json) as T;
  }

  async set<T>(key: string, value: T, ttlMs?: number): Promise<void> {
    await this.ready();
    await this.keyv.set(key, encode(value), ttlMs ? ttlMs : undefined);
  }

  async delete(key: string): Promise<boolean> {
    await this.ready();
    return this.keyv.delete(key);
  }

  async setIfAbsent<T>(key: string, value: T, ttlMs?: number): Promise<boolean> {
    const json = encode(value);
    await this.ready();
    if (this.atomic) {
      // The wire form must be exactly what keyv itself writes, so that get() reads it back.
      const expires = ttlMs ? Date.now() + ttlMs : undefined;
      const serialized = await this.keyv.serialize!({ value: json, expires });
      return this.atomic(key, String(serialized), ttlMs ? ttlMs : undefined);
    }
    // Single-process stores: a mutex makes the read-then-write pair atomic within this process,
    // which is all such a store can be shared by.
    return this.exclusive(async () => {
      if ((await this.keyv.get(key)) !== undefined) return false;
      await this.keyv.set(key, json, ttlMs ? ttlMs : undefined);
      return true;
    });
  }

  async close(): Promise<void> {
    await this.keyv.disconnect();
  }

  private exclusive<R>(work: () => Promise<R>): Promise<R> {
    const run = this.lock.then(work, work);
    this.lock = run.catch(() => undefined);
    return run;
  }
}

function encode(value: unknown): string {
  const json = JSON.stringify(value);
  if (json === undefined) throw new TypeError('KeyValueStore values must be JSON-serialisable');
  return json;
}
