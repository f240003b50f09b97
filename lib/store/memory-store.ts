import type { KeyValueStore } from './key-value-store.js';

interface Slot {
  json: string;
  expiresAt: number;
}

/**
 * A process-local store on a Map. Values are stored as JSON so that callers see the same
 * round-trip behaviour as with keyv (no shared object references, no Dates).
 */
export class MemoryStore implements KeyValueStore {
  private readonly slots = new Map<string, Slot>();

  async get<T>(key: string): Promise<T | undefined> {
    const slot = this.live(key);
    return slot ? (JSON.parse(slot.json) as T) : undefined;
  }

  async set<T>(key: string, value: T, ttlMs?: number): Promise<void> {
    // undefined has no JSON form: storing it would make every later get() throw.
    if (value === undefined) throw new TypeError(`cannot store undefined under ${key}`);
    this.slots.set(key, { json: JSON.stringify(value), expiresAt: ttlMs ? Date.now() + ttlMs : Infinity });
  }

  async delete(key: string): Promise<boolean> {
    const existed = this.live(key) !== undefined;
    this.slots.delete(key);
    return existed;
  }

  async setIfAbsent<T>(key: string, value: T, ttlMs?: number): Promise<boolean> {
    if (this.live(key)) return false;
    await this.set(key, value, ttlMs);
    return true;
  }

  async close(): Promise<void> {
    this.slots.clear();
  }

  private live(key: string): Slot | undefined {
    const slot = this.slots.get(key);
    if (slot && slot.expiresAt <= Date.now()) {
      this.slots.delete(key);
      return undefined;
    }
    return slot;
  }
}
