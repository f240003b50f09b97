import type { RemoteEntry } from '../storage/backend.js';

/**
 * Cached folder listings: a hint that saves a listing request, never state (losing all of it only
 * costs listings). Two implementations: in process memory, bounded in bytes (memory-dir-cache.ts,
 * one process), and in a shared store such as Redis (shared-dir-cache.ts, several instances).
 * A listing is handed out as the same array until it changes, so callers may memoise per array
 * and must never mutate one.
 */
export interface DirCache {
  get(folded: readonly string[]): Promise<RemoteEntry[] | undefined>;
  /**
   * The cached listings down a path, one folder at a time, starting at the root: each level costs
   * what one lookup near the root costs, where get() of every prefix in turn could cost time
   * quadratic in the depth of the path.
   */
  cursor(): ListingCursor;
  put(folded: readonly string[], entries: RemoteEntry[]): Promise<void>;
  /**
   * Lists through `fetch` and caches the result, unless the folder changed through the bridge
   * while `fetch` ran (its listing may predate the change): then nothing stays cached.
   */
  fill(folded: readonly string[], fetch: () => Promise<RemoteEntry[]>): Promise<RemoteEntry[]>;
  /**
   * Applies a change made through the bridge to the cached listing (when there is one) instead of
   * forgetting it. Falls back to invalidating whenever it cannot be sure the result is current.
   */
  update(folded: readonly string[], change: ListingChange): Promise<void>;
  /** Forgets the listing of one folder (its content changed). */
  invalidate(folded: readonly string[]): Promise<void>;
  /** Forgets the folder's listing and everything cached below it. */
  invalidateSubtree(folded: readonly string[]): Promise<void>;
}

/** Where DirCache.cursor() stands: a folder, moved down by folded child name. */
export interface ListingCursor {
  /** The folder's cached listing; undefined when it has none. */
  get(): Promise<RemoteEntry[] | undefined>;
  down(foldedName: string): void;
}

/** An edit of a listing (listing-edits.ts): returns the new listing, leaves its argument alone. */
export type ListingChange = (entries: RemoteEntry[]) => RemoteEntry[];

export interface DirCacheOptions {
  /** How long a listing is trusted (changes made outside this bridge show up after it). */
  ttlMs: number;
}
