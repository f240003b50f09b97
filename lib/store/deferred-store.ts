import type { KeyValueStore } from './key-value-store.js';

/**
 * A store whose implementation is still being loaded: every call waits for it, so the caller can
 * be handed a store at once. The Redis client library takes about as long to load as Node itself
 * takes to start, and only a Redis store needs it; every command that starts without Redis (the
 * default) no longer pays for it.
 */
export class DeferredStore implements KeyValueStore {
  constructor(private readonly loading: Promise<KeyValueStore>) {
    loading.catch(() => undefined); // reported by the first call that awaits it
  }

  async get<T>(key: string): Promise<T | undefined> {
    return (await this.loading).get<T>(key);
  }

  async set<T>(key: string, value: T, ttlMs?: number): Promise<void> {
    return (await this.loading).set(key, value, ttlMs);
  }

  async delete(key: string): Promise<boolean> {
    return (await this.loading).delete(key);
  }

  async setIfAbsent<T>(key: string, value: T, ttlMs?: number): Promise<boolean> {
    return (await this.loading).setIfAbsent(key, value, ttlMs);
  }

  /** A store that never loaded has nothing to close. */
  async close(): Promise<void> {
    const store = await this.loading.catch(() => undefined);
    await store?.close();
  }
}
