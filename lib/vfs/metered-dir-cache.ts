/**
 * A DirCache that reports its hits and misses to the metrics: a hit is a lookup answered with a
 * cached listing, a miss a listing that had to be fetched from the service because none was
 * cached. Everything else passes straight through.
 */
import { recordListingLookup } from '../util/metrics.js';
import type { DirCache, ListingCursor } from './dir-cache.js';

export function meteredDirCache(cache: DirCache): DirCache {
  const hit = <T>(entries: T | undefined): T | undefined => {
    if (entries !== undefined) recordListingLookup(true);
    return entries;
  };
  return {
    get: async (folded) => hit(await cache.get(folded)),
    cursor: (): ListingCursor => {
      const cursor = cache.cursor();
      return { get: async () => hit(await cursor.get()), down: (name) => cursor.down(name) };
    },
    put: (folded, entries) => cache.put(folded, entries),
    fill: (folded, fetch) =>
      cache.fill(folded, () => {
        recordListingLookup(false);
        return fetch();
      }),
    update: (folded, change) => cache.update(folded, change),
    invalidate: (folded) => cache.invalidate(folded),
    invalidateSubtree: (folded) => cache.invalidateSubtree(folded),
  };
}
