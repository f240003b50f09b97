import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { open, type RootDatabase } from 'lmdb';

/**
 * A keyv store on LMDB, the default on-disk store. LMDB is a B+tree in a memory-mapped file:
 * one write touches a few pages, whatever else is stored, and a commit never rewrites the file
 * (unlike a JSON file, rewritten whole after every change). Writes are batched into transactions
 * on a writer thread; a `set` resolves once its transaction is committed and flushed, so what a
 * request confirmed is on disk even if the process is killed (or the machine stops) right after.
 *
 * keyv hands over `{ value, expires }` records as they are (no serializer, see create-store.ts);
 * LMDB encodes them as MessagePack. keyv drops an expired record when it reads one; `sweep`
 * removes those nobody reads again.
 */
export class LmdbAdapter extends EventEmitter {
  readonly opts: { path: string };
  readonly namespace: string | undefined = undefined;
  private readonly db: RootDatabase<KeyvRecord, string>;
  private readonly sweeper: NodeJS.Timeout;

  constructor(path: string) {
    super();
    this.opts = { path };
    this.db = open<KeyvRecord, string>({
      path,
      // A write resolves once its transaction is committed and flushed to disk (lmdb-js's
      // overlapping sync, its default here): durable even across a power cut, not only a kill.
      // Writes that arrive together share one commit, so the flush is paid per batch, not per key.
      // Values are read once per request: a cache of decoded values would only hold memory.
      cache: false,
    });
    this.sweeper = setInterval(() => void this.sweep().catch((error: unknown) => this.emit('error', error)), SWEEP_EVERY_MS);
    this.sweeper.unref();
  }

  async get(key: string): Promise<KeyvRecord | undefined> {
    return this.db.get(storedKey(key));
  }

  async set(key: string, value: KeyvRecord): Promise<boolean> {
    await this.db.put(storedKey(key), value);
    return true;
  }

  async delete(key: string): Promise<boolean> {
    const stored = storedKey(key);
    // remove() resolves true for a missing key too; keyv reports whether one was there.
    if (!this.db.doesExist(stored)) return false;
    return this.db.remove(stored);
  }

  async clear(): Promise<void> {
    await this.db.clearAsync();
  }

  /** Writes many records in one transaction (the migration of an old store file). */
  async putAll(records: Iterable<[string, KeyvRecord]>): Promise<void> {
    await this.db.transaction(() => {
      for (const [key, value] of records) void this.db.put(storedKey(key), value);
    });
  }

  /** Removes expired records (keyv would skip them on read; this gives their space back). */
  async sweep(now = Date.now()): Promise<number> {
    const expired: string[] = [];
    for (const { key, value } of this.db.getRange()) {
      if (typeof value?.expires === 'number' && value.expires <= now) expired.push(key);
    }
    if (expired.length > 0) {
      await this.db.transaction(() => {
        for (const key of expired) void this.db.remove(key);
      });
    }
    return expired.length;
  }

  async disconnect(): Promise<void> {
    clearInterval(this.sweeper);
    await this.db.close();
  }
}

/** What keyv stores per key when it is given no serializer. */
export interface KeyvRecord {
  value: unknown;
  expires?: number | null;
}

const SWEEP_EVERY_MS = 10 * 60_000;
/** LMDB keys are at most 511 bytes by default; lmdb-js allows about 1978. Longer keys are hashed. */
const MAX_KEY_BYTES = 1900;

function storedKey(key: string): string {
  // Nothing iterates keys by prefix, so a long key (a deep path) may stand in as its digest.
  if (Buffer.byteLength(key) <= MAX_KEY_BYTES) return key;
  return `#sha256:${createHash('sha256').update(key).digest('hex')}`;
}
