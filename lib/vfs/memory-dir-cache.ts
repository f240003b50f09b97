import type { RemoteEntry } from '../storage/backend.js';
import type { DirCache, DirCacheOptions, ListingChange, ListingCursor } from './dir-cache.js';

interface FillTicket {
  stale: boolean;
  edits: ListingChange[];
}

interface Slot {
  entries: RemoteEntry[];
  expiresAt: number;
  bytes: number;
}

/**
 * The process's memory for cached listings: least recently used first out once the listings
 * together exceed `maxBytes`. One is shared by every MemoryDirCache of the process, so the bound
 * holds for the whole bridge, and the vfs instances of one account (same namespace) share it.
 */
export class ListingMemory {
  private readonly slots = new Map<string, Slot>();
  private bytes = 0;
  /**
   * Fills under way, per key. An edit made meanwhile is recorded and applied to what the fill
   * fetched (edits are idempotent: the listing may or may not hold the change already), so that
   * PUTs landing while a folder is listed do not keep it from being cached. An invalidation
   * marks the fill stale: then it caches nothing.
   */
  private readonly fills = new Map<string, Set<FillTicket>>();

  constructor(readonly maxBytes: number) {}

  /** Bytes the cached listings take, as estimated. */
  get usedBytes(): number {
    return this.bytes;
  }

  get(key: string, now = Date.now()): Slot | undefined {
    const slot = this.slots.get(key);
    if (!slot) return undefined;
    if (slot.expiresAt <= now) {
      this.drop(key);
      return undefined;
    }
    // Map order is the LRU order: a read moves the listing to the back.
    this.slots.delete(key);
    this.slots.set(key, slot);
    return slot;
  }

  set(key: string, entries: RemoteEntry[], expiresAt: number): void {
    this.drop(key);
    const bytes = listingBytes(entries);
    // One listing bigger than the whole budget is not cached: it would evict everything else.
    if (bytes > this.maxBytes) return;
    this.slots.set(key, { entries, expiresAt, bytes });
    this.bytes += bytes;
    this.evict();
  }

  /**
   * A cached listing takes an edit's result, keeping its deadline. An edit adds, replaces or
   * removes an entry or two, so the size changes by the listing's average entry per entry added
   * or removed (measuring the entries again would cost what the in-place edit saves).
   */
  replace(slot: Slot, entries: RemoteEntry[]): void {
    const perEntry = slot.entries.length > 0 ? slot.bytes / slot.entries.length : ENTRY_BYTES;
    const delta = Math.round((entries.length - slot.entries.length) * perEntry);
    slot.entries = entries;
    slot.bytes += delta;
    this.bytes += delta;
    this.evict();
  }

  private evict(): void {
    for (const [oldest] of this.slots) {
      if (this.bytes <= this.maxBytes) break;
      this.drop(oldest);
    }
  }

  drop(key: string): void {
    const slot = this.slots.get(key);
    if (!slot) return;
    this.slots.delete(key);
    this.bytes -= slot.bytes;
  }

  /** Drops `key` and every key below it, and marks their fills under way. */
  dropSubtree(key: string): void {
    const below = key.endsWith('/') ? key : `${key}/`;
    const inside = (k: string) => k === key || k.startsWith(below);
    for (const k of [...this.slots.keys()]) if (inside(k)) this.drop(k);
    for (const [k, tickets] of this.fills) if (inside(k)) for (const t of tickets) t.stale = true;
  }

  /** The folder changed in a way no edit describes: fills under way must not cache. */
  invalidated(key: string): void {
    for (const ticket of this.fills.get(key) ?? []) ticket.stale = true;
  }

  /** An edit of the folder: fills under way apply it to what they fetched. */
  edited(key: string, change: ListingChange): void {
    for (const ticket of this.fills.get(key) ?? []) ticket.edits.push(change);
  }

  async fill(key: string, fetch: () => Promise<RemoteEntry[]>, ttlMs: number): Promise<RemoteEntry[]> {
    const ticket: FillTicket = { stale: false, edits: [] };
    let tickets = this.fills.get(key);
    if (!tickets) this.fills.set(key, (tickets = new Set()));
    tickets.add(ticket);
    try {
      const fetched = await fetch();
      const entries = ticket.edits.reduce((current, edit) => edit(current), fetched);
      if (!ticket.stale) this.set(key, entries, Date.now() + ttlMs);
      return entries;
    } finally {
      tickets.delete(ticket);
      if (tickets.size === 0) this.fills.delete(key);
    }
  }
}

/**
 * Listings cached in this process (see ListingMemory). An edit applies to the listing where it is:
 * nothing is encoded, written or parsed again. The array of references is copied (readers memoise
 * per array, see DirCache), the entries are not.
 */
export class MemoryDirCache implements DirCache {
  constructor(
    private readonly memory: ListingMemory,
    /** Keeps this cache's keys apart from other accounts' and mounts' in the shared memory. */
    private readonly namespace: string,
    private readonly options: DirCacheOptions,
  ) {}

  async get(folded: readonly string[]): Promise<RemoteEntry[] | undefined> {
    if (this.options.ttlMs <= 0) return undefined;
    return this.memory.get(this.key(folded))?.entries;
  }

  cursor(): ListingCursor {
    // The key grows by one name per level instead of being joined again from every segment.
    let key = this.key([]);
    return {
      get: async () => (this.options.ttlMs <= 0 ? undefined : this.memory.get(key)?.entries),
      down: (foldedName) => {
        key = key.endsWith('/') ? `${key}${foldedName}` : `${key}/${foldedName}`;
      },
    };
  }

  async put(folded: readonly string[], entries: RemoteEntry[]): Promise<void> {
    if (this.options.ttlMs <= 0) return;
    this.memory.set(this.key(folded), entries, Date.now() + this.options.ttlMs);
  }

  async fill(folded: readonly string[], fetch: () => Promise<RemoteEntry[]>): Promise<RemoteEntry[]> {
    if (this.options.ttlMs <= 0) return fetch();
    return this.memory.fill(this.key(folded), fetch, this.options.ttlMs);
  }

  async update(folded: readonly string[], change: ListingChange): Promise<void> {
    if (this.options.ttlMs <= 0) return;
    const key = this.key(folded);
    this.memory.edited(key, change);
    const slot = this.memory.get(key);
    if (!slot) return;
    this.memory.replace(slot, change(slot.entries));
  }

  async invalidate(folded: readonly string[]): Promise<void> {
    const key = this.key(folded);
    this.memory.invalidated(key);
    this.memory.drop(key);
  }

  async invalidateSubtree(folded: readonly string[]): Promise<void> {
    this.memory.dropSubtree(this.key(folded));
  }

  private key(folded: readonly string[]): string {
    // Folded names never hold '/', so the key of a folder is a prefix of the keys below it.
    return `${this.namespace}\u0000/${folded.join('/')}`;
  }
}

/*
 * What a listing costs in memory, estimated: the entry object with its dates and strings (two
 * bytes a character at worst). Close enough to bound the total; exactness would cost more than it
 * saves.
 */
const ENTRY_BYTES = 240;

function entryBytes(entry: RemoteEntry): number {
  return ENTRY_BYTES + 2 * (entry.name.length + (entry.mime?.length ?? 0) + (entry.publicLink?.length ?? 0));
}

function listingBytes(entries: readonly RemoteEntry[]): number {
  let bytes = 64 + 8 * entries.length;
  for (const entry of entries) bytes += entryBytes(entry);
  return bytes;
}
