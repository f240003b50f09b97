/**
 * The rendered responses of a collection's children, kept for the next PROPFIND Depth 1 of the
 * same collection while its listing is unchanged. The vfs hands out the same (frozen) listing
 * array for as long as the folder is unchanged (Vfs.list), so a rendering kept with that array is
 * exactly as fresh as the listing itself: a warm PROPFIND of 10,000 children writes kept text
 * instead of rendering 10,000 responses again.
 *
 * Only renderings that depend on the entries and the request alone are kept (the caller's
 * business): no lock and no dead property on any child, since those are state, read afresh
 * every time. Bounded in characters; the least recently used go first.
 */

interface Kept {
  listing: readonly object[];
  parts: readonly string[];
  chars: number;
}

export class RenderedListings {
  private readonly kept = new Map<string, Kept>();
  private chars = 0;

  constructor(readonly maxChars: number) {}

  /** The parts rendered for `key` (collection and way of rendering), if made from this very listing. */
  get(key: string, listing: readonly object[]): readonly string[] | undefined {
    const kept = this.kept.get(key);
    if (!kept) return undefined;
    if (kept.listing !== listing) {
      this.drop(key);
      return undefined;
    }
    // Map order is the LRU order: a hit moves to the back.
    this.kept.delete(key);
    this.kept.set(key, kept);
    return kept.parts;
  }

  set(key: string, listing: readonly object[], parts: readonly string[]): void {
    this.drop(key);
    const chars = parts.reduce((n, part) => n + part.length, 0);
    if (chars > this.maxChars) return;
    this.kept.set(key, { listing, parts, chars });
    this.chars += chars;
    for (const [oldest] of this.kept) {
      if (this.chars <= this.maxChars) break;
      this.drop(oldest);
    }
  }

  private drop(key: string): void {
    const kept = this.kept.get(key);
    if (!kept) return;
    this.kept.delete(key);
    this.chars -= kept.chars;
  }
}

/**
 * The process's kept renderings: 16 Mi characters, about two folders of 10,000 files rendered
 * for allprop. Keys hold the collection's href (with the base path), and a kept rendering is
 * only used with the very listing array it was made from, so servers and users in one process
 * never see each other's.
 */
export const renderedListings = new RenderedListings(16 * 1024 * 1024);
