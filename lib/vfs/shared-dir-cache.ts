import { randomUUID } from 'node:crypto';
import type { RemoteEntry } from '../storage/backend.js';
import type { KeyValueStore } from '../store/key-value-store.js';
import type { DirCache, DirCacheOptions, ListingChange, ListingCursor } from './dir-cache.js';

/**
 * Folder listings cached in a shared KeyValueStore (Redis), for several jottadav instances that
 * serve one account. A single process caches them in memory instead (memory-dir-cache.ts).
 *
 * Keys form a chain of tokens: the root has a token, and each folder's token is stored under
 * `tok:<parent token>:<folded name>`. A listing lives under `ls:<folder token>`. Invalidating one
 * listing deletes one key; invalidating a whole subtree (a folder moved or removed) deletes the
 * folder's token record, which orphans every token and listing below it in O(1) — the orphans
 * simply expire.
 *
 * Each listing carries a version stamp stored beside it (`lv:<token>`); a process keeps the last
 * parsed listings in memory and re-reads one only when its stamp changed, so a stat in a folder of
 * 10,000 files costs two small store reads instead of parsing the whole listing again.
 *
 * A change made through the bridge updates the cached listing in place (`update`) rather than
 * dropping it, so a run of PUTs into one folder never re-lists it. Several instances may share the
 * store, which offers no compare-and-set, so two rules keep a stale listing from hiding a change:
 * - updaters take a short lease (`lk:<token>`, setIfAbsent); one that cannot get it invalidates;
 * - a generation stamp (`gn:<token>`) changes on every invalidation and every update; whoever
 *   writes a listing (an updater, or a fill from a backend listing that may predate a change) reads
 *   it before and after, and drops what it wrote when it moved in between.
 */

interface StoredEntry {
  name: string;
  kind: 'file' | 'folder';
  size: number;
  md5?: string;
  modified?: number;
  created?: number;
  updated?: number;
  mime?: string;
  publicLink?: string;
  deleted?: number;
}

interface QueuedChanges {
  folded: readonly string[];
  changes: ListingChange[];
  waiters: Array<{ resolve(): void; reject(error: unknown): void }>;
}

interface StoredListing {
  version: string;
  /** Epoch ms after which the listing is no longer trusted: updates keep the original deadline. */
  expiresAt?: number;
  entries: StoredEntry[];
}

const MEMO_SIZE = 64;
/** How long an update may hold a folder's lease (a crashed holder only costs cache misses). */
const LEASE_MS = 10_000;
const LEASE_TRIES = 10;
const LEASE_WAIT_MS = 2;

export class SharedDirCache implements DirCache {
  private readonly tokenTtlMs: number;
  private readonly memo = new Map<string, { version: string; entries: RemoteEntry[]; expiresAt: number | undefined }>();
  /** Changes waiting for a folder's update under way (keyed by folder token), applied together next. */
  private readonly queued = new Map<string, QueuedChanges>();
  private readonly draining = new Set<string>();

  constructor(
    private readonly store: KeyValueStore,
    private readonly options: DirCacheOptions,
  ) {
    // A token outlives the listings keyed by it; when it expires only cache misses follow.
    this.tokenTtlMs = Math.max(options.ttlMs * 20, 3_600_000);
  }

  async get(folded: readonly string[]): Promise<RemoteEntry[] | undefined> {
    if (this.options.ttlMs <= 0) return undefined;
    return this.listing(await this.token(folded, false));
  }

  /** Each folder's token is read from its parent's: one store read per level. */
  cursor(): ListingCursor {
    let token: Promise<string | undefined> = this.options.ttlMs <= 0 ? Promise.resolve(undefined) : this.token([], false);
    return {
      get: async () => this.listing(await token),
      down: (foldedName) => {
        token = token.then((parent) => (parent ? this.store.get<string>(`tok:${parent}:${foldedName}`) : undefined));
      },
    };
  }

  private async listing(token: string | undefined): Promise<RemoteEntry[] | undefined> {
    if (!token) return undefined;
    const version = await this.store.get<string>(`lv:${token}`);
    if (!version) return undefined;
    const memo = this.memo.get(token);
    if (memo?.version === version) return memo.entries;
    const stored = await this.store.get<StoredListing>(`ls:${token}`);
    if (!stored) return undefined;
    const entries = stored.entries.map(fromStored);
    this.remember(token, stored.version, entries, stored.expiresAt);
    return entries;
  }

  async put(folded: readonly string[], entries: RemoteEntry[]): Promise<void> {
    if (this.options.ttlMs <= 0) return;
    const token = await this.token(folded, true);
    if (!token) return;
    await this.write(token, entries, Date.now() + this.options.ttlMs);
  }

  async fill(folded: readonly string[], fetch: () => Promise<RemoteEntry[]>): Promise<RemoteEntry[]> {
    if (this.options.ttlMs <= 0) return fetch();
    const token = await this.token(folded, true);
    const before = token ? await this.store.get<string>(`gn:${token}`) : undefined;
    const entries = await fetch();
    if (!token) return entries;
    await this.write(token, entries, Date.now() + this.options.ttlMs);
    if ((await this.store.get<string>(`gn:${token}`)) !== before) await this.drop(token);
    return entries;
  }

  async update(folded: readonly string[], change: ListingChange): Promise<void> {
    if (this.options.ttlMs <= 0) return;
    const token = await this.token(folded, false);
    if (!token) return;
    // Concurrent PUTs into one folder from this process queue here rather than contend for the
    // store lease (a lost race would drop the listing, and the next PUT would re-list it). Changes
    // that queue up while an update runs are applied together by the next one: one lease and one
    // listing write for the lot, so a burst of PUTs does not rewrite the listing once per file.
    return new Promise<void>((resolve, reject) => {
      let batch = this.queued.get(token);
      if (!batch) {
        batch = { folded, changes: [], waiters: [] };
        this.queued.set(token, batch);
      }
      batch.changes.push(change);
      batch.waiters.push({ resolve, reject });
      if (!this.draining.has(token)) void this.drain(token);
    });
  }

  private async drain(token: string): Promise<void> {
    this.draining.add(token);
    try {
      for (let batch = this.queued.get(token); batch; batch = this.queued.get(token)) {
        this.queued.delete(token);
        const { changes, waiters } = batch;
        try {
          await this.updateLeased(batch.folded, token, (entries) => changes.reduce((current, apply) => apply(current), entries));
          for (const waiter of waiters) waiter.resolve();
        } catch (error) {
          for (const waiter of waiters) waiter.reject(error);
        }
      }
    } finally {
      this.draining.delete(token);
    }
  }

  private async updateLeased(folded: readonly string[], token: string, change: ListingChange): Promise<void> {
    const lease = randomUUID();
    // Another instance holds the lease for a few store round trips: wait briefly, then give up.
    let leased = false;
    for (let attempt = 0; attempt < LEASE_TRIES && !leased; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, LEASE_WAIT_MS));
      leased = await this.store.setIfAbsent(`lk:${token}`, lease, LEASE_MS);
    }
    if (!leased) return this.invalidate(folded);
    try {
      const before = await this.store.get<string>(`gn:${token}`);
      const version = await this.store.get<string>(`lv:${token}`);
      // The version stamp names one stored listing: when this process parsed that one last, the
      // whole listing need not be read (and parsed) again for one changed entry.
      const memo = this.memo.get(token);
      let current: RemoteEntry[] | undefined;
      let expiresAt = 0;
      if (version && memo?.version === version && memo.expiresAt !== undefined) {
        current = memo.entries;
        expiresAt = memo.expiresAt;
      } else if (version) {
        const stored = await this.store.get<StoredListing>(`ls:${token}`);
        if (stored?.version === version) {
          current = stored.entries.map(fromStored);
          expiresAt = stored.expiresAt ?? 0;
        }
      }
      if (!current || expiresAt <= Date.now()) {
        // Nothing current to update; a fill under way may still hold the old content.
        await this.bump(token);
        await this.drop(token);
        return;
      }
      await this.write(token, change([...current]), expiresAt);
      if ((await this.store.get<string>(`gn:${token}`)) !== before) await this.drop(token);
      else await this.bump(token);
    } catch (error) {
      await this.invalidate(folded).catch(() => undefined);
      throw error;
    } finally {
      if ((await this.store.get<string>(`lk:${token}`).catch(() => undefined)) === lease) await this.store.delete(`lk:${token}`).catch(() => false);
    }
  }

  async invalidate(folded: readonly string[]): Promise<void> {
    const token = await this.token(folded, false);
    if (!token) return;
    // The stamp first: an update or fill that wrote before the delete below sees it and drops.
    await this.bump(token);
    await this.drop(token);
  }

  async invalidateSubtree(folded: readonly string[]): Promise<void> {
    if (folded.length === 0) {
      await this.store.delete('tok:root');
      return;
    }
    const parent = await this.token(folded.slice(0, -1), false);
    if (parent) await this.store.delete(`tok:${parent}:${folded[folded.length - 1]}`);
  }

  private async write(token: string, entries: RemoteEntry[], expiresAt: number): Promise<void> {
    const ttl = expiresAt - Date.now();
    if (ttl <= 0) return;
    const version = randomUUID();
    await this.store.set<StoredListing>(`ls:${token}`, { version, expiresAt, entries: entries.map(toStored) }, ttl);
    await this.store.set(`lv:${token}`, version, ttl);
    this.remember(token, version, entries, expiresAt);
  }

  private async drop(token: string): Promise<void> {
    await this.store.delete(`lv:${token}`);
    await this.store.delete(`ls:${token}`);
    this.memo.delete(token);
  }

  private async bump(token: string): Promise<void> {
    await this.store.set(`gn:${token}`, randomUUID(), this.tokenTtlMs);
  }

  private remember(token: string, version: string, entries: RemoteEntry[], expiresAt: number | undefined): void {
    this.memo.delete(token);
    this.memo.set(token, { version, entries, expiresAt });
    // Map keeps insertion order: the first key is the least recently stored.
    if (this.memo.size > MEMO_SIZE) this.memo.delete(this.memo.keys().next().value!);
  }

  private async token(folded: readonly string[], create: boolean): Promise<string | undefined> {
    let key = 'tok:root';
    let token: string | undefined;
    for (let i = 0; ; i++) {
      token = await this.store.get<string>(key);
      if (!token) {
        if (!create) return undefined;
        const fresh = randomUUID();
        // Another instance may create the same token at once: the first one wins.
        token = (await this.store.setIfAbsent(key, fresh, this.tokenTtlMs)) ? fresh : await this.store.get<string>(key);
        if (!token) return undefined;
      }
      if (i === folded.length) return token;
      key = `tok:${token}:${folded[i]}`;
    }
  }
}

function toStored(entry: RemoteEntry): StoredEntry {
  const out: StoredEntry = { name: entry.name, kind: entry.kind, size: entry.size };
  if (entry.md5 !== undefined) out.md5 = entry.md5;
  if (entry.modified) out.modified = entry.modified.getTime();
  if (entry.created) out.created = entry.created.getTime();
  if (entry.updated) out.updated = entry.updated.getTime();
  if (entry.mime !== undefined) out.mime = entry.mime;
  if (entry.publicLink !== undefined) out.publicLink = entry.publicLink;
  if (entry.deleted) out.deleted = entry.deleted.getTime();
  return out;
}

function fromStored(stored: StoredEntry): RemoteEntry {
  const out: RemoteEntry = { name: stored.name, kind: stored.kind, size: stored.size };
  if (stored.md5 !== undefined) out.md5 = stored.md5;
  if (stored.modified !== undefined) out.modified = new Date(stored.modified);
  if (stored.created !== undefined) out.created = new Date(stored.created);
  if (stored.updated !== undefined) out.updated = new Date(stored.updated);
  if (stored.mime !== undefined) out.mime = stored.mime;
  if (stored.publicLink !== undefined) out.publicLink = stored.publicLink;
  if (stored.deleted !== undefined) out.deleted = new Date(stored.deleted);
  return out;
}
