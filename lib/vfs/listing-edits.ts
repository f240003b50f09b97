import type { RemoteEntry } from '../storage/backend.js';

/**
 * Edits applied to a cached folder listing after a change made through the bridge, so that the
 * listing stays cached (see DirCache.update). Each returns a new array; entries are not mutated.
 *
 * Names are the service's stored names. The service folds case, so an item written under another
 * case lands on the stored one: the exact name is looked for first, then the case-folded one
 * (normalisation is not folded by the service: an NFD twin stays a separate entry).
 */

/**
 * What made a listing by an edit: the listing it was made from, the entry it put in and the one it
 * replaced or removed. Readers that derive something per listing array (the resolver's decoded
 * names) carry their work over from the earlier listing instead of starting again.
 */
export interface ListingEdit {
  from: readonly RemoteEntry[];
  put?: RemoteEntry;
  replaced?: RemoteEntry;
  removed?: RemoteEntry;
}

const edits = new WeakMap<readonly RemoteEntry[], ListingEdit>();

/** How `listing` was made from another by one edit; undefined for a listing as fetched. */
export function editOf(listing: readonly RemoteEntry[]): ListingEdit | undefined {
  return edits.get(listing);
}

function indexOf(entries: readonly RemoteEntry[], name: string, foldCase: boolean): number {
  const exact = entries.findIndex((e) => e.name === name);
  if (exact >= 0 || !foldCase) return exact;
  const lower = name.toLowerCase();
  return entries.findIndex((e) => e.name.toLowerCase() === lower);
}

/** The entry the backend returned replaces the one of that name, or is added. */
export function withEntry(entries: readonly RemoteEntry[], entry: RemoteEntry, foldCase: boolean): RemoteEntry[] {
  const out = [...entries];
  const i = indexOf(out, entry.name, foldCase);
  if (i >= 0) out[i] = entry;
  else out.push(entry);
  edits.set(out, i >= 0 ? { from: entries, put: entry, replaced: entries[i]! } : { from: entries, put: entry });
  return out;
}

/** The listing without the entry of that stored name (unchanged when it is not there). */
export function withoutEntry(entries: readonly RemoteEntry[], name: string, foldCase: boolean): RemoteEntry[] {
  const i = indexOf(entries, name, foldCase);
  if (i < 0) {
    const same = [...entries];
    edits.set(same, { from: entries });
    return same;
  }
  const out = [...entries.slice(0, i), ...entries.slice(i + 1)];
  edits.set(out, { from: entries, removed: entries[i]! });
  return out;
}
