/**
 * The one seam for every piece of shared state: locks, dead properties, listing cache, OAuth
 * tokens, placeholders. A keyv instance satisfies it through lib/store/keyv-store.ts; several
 * jottadav processes share state when the store is Redis, so no caller may assume one process.
 *
 * Values must be JSON-serialisable (Dates do not survive; store ISO strings or epoch numbers).
 */
export interface KeyValueStore {
  get<T>(key: string): Promise<T | undefined>;
  /** `ttlMs` omitted or 0: no expiry. */
  set<T>(key: string, value: T, ttlMs?: number): Promise<void>;
  /** true when a value was removed. */
  delete(key: string): Promise<boolean>;
  /**
   * Atomically stores `value` only when nothing is stored under `key` (or it expired).
   * true when this call stored it. The building block for leases and single-flight work.
   */
  setIfAbsent<T>(key: string, value: T, ttlMs?: number): Promise<boolean>;
  close(): Promise<void>;
}

/** Prefixes every key, so that one store can serve several concerns without collisions. */
export function namespaced(store: KeyValueStore, prefix: string): KeyValueStore {
  const k = (key: string) => `${prefix}:${key}`;
  return {
    get: (key) => store.get(k(key)),
    set: (key, value, ttlMs) => store.set(k(key), value, ttlMs),
    delete: (key) => store.delete(k(key)),
    setIfAbsent: (key, value, ttlMs) => store.setIfAbsent(k(key), value, ttlMs),
    close: () => store.close(),
  };
}
