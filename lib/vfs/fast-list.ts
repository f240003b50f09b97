/**
 * Tree walks in one request. Sync clients (rclone, davfs2, Finder) walk a tree with one PROPFIND
 * Depth 1 per folder, and each cold folder costs a listing request. When the backend can list a
 * whole subtree at once (Jottacloud's liststream), a walk is recognised and the subtree is read in
 * one request instead, filling the listing cache for every folder in it.
 *
 * The rule: a folder was listed cold, and then two of its subfolders are listed cold within
 * `windowMs`: the client is walking it. Opening one subfolder is browsing and costs nothing extra;
 * the second is the walk, and the rest of the subtree comes from the cache. A subtree larger than
 * `maxEntries` is given up on (the answer is read only that far), and listings go on one by one.
 * Folders already cached keep their listing; if anything changed through the bridge while the
 * subtree was read, nothing from it is cached (a change may predate it).
 */
import type { RemoteEntry, StorageBackend } from '../storage/backend.js';
import type { DirCache, ListingChange } from './dir-cache.js';

export interface FastListOptions {
  /** How close together the cold listings of a walk come. */
  windowMs: number;
  /** The largest subtree read in one request (entries); beyond it, folder by folder. */
  maxEntries: number;
}

/** The folded key of a child folder, from its remote name (as the resolver derives it). */
export type ChildKey = (remoteName: string) => string;

/** A walk is two subfolders listed within 10 s of their folder; a subtree of up to 50,000 entries is read at once. */
export const FAST_LIST: FastListOptions = Object.freeze({ windowMs: 10_000, maxEntries: 50_000 });

/** Remembered folders per map, at most: a walk of a huge tree must not grow them without bound. */
const MAX_TRACKED = 10_000;

/**
 * The listing cache, counting the changes made through it: a subtree read in one request is only
 * cached when nothing changed while it was read.
 */
export class ChangeCountingDirCache implements DirCache {
  changes = 0;
  constructor(private readonly inner: DirCache) {}
  get(folded: readonly string[]) {
    return this.inner.get(folded);
  }
  cursor() {
    return this.inner.cursor();
  }
  put(folded: readonly string[], entries: RemoteEntry[]) {
    return this.inner.put(folded, entries);
  }
  fill(folded: readonly string[], fetch: () => Promise<RemoteEntry[]>) {
    return this.inner.fill(folded, fetch);
  }
  update(folded: readonly string[], change: ListingChange) {
    this.changes++;
    return this.inner.update(folded, change);
  }
  invalidate(folded: readonly string[]) {
    this.changes++;
    return this.inner.invalidate(folded);
  }
  invalidateSubtree(folded: readonly string[]) {
    this.changes++;
    return this.inner.invalidateSubtree(folded);
  }
}

function remember(map: Map<string, number>, key: string, value: number): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > MAX_TRACKED) map.delete(map.keys().next().value!);
}

export class WalkLister {
  /** Folders listed cold, by folded key, with when. */
  private readonly listed = new Map<string, number>();
  /** Cold listings of a folder's subfolders since it was listed. */
  private readonly childLists = new Map<string, number>();
  /** Subtrees read in one request (in flight or done), by folded key of their top. */
  private readonly walks = new Map<string, { at: number; done: Promise<void> }>();

  constructor(
    private readonly backend: StorageBackend,
    private readonly cache: ChangeCountingDirCache,
    private readonly childKey: ChildKey,
    private readonly options: FastListOptions,
  ) {}

  /**
   * The listing of a folder that is not cached: from a subtree read in one request when the
   * client walks, else through `plain` (one listing request).
   */
  async list(folded: readonly string[], remotePath: string, plain: () => Promise<RemoteEntry[]>): Promise<RemoteEntry[]> {
    const now = Date.now();
    const key = folded.join('/');
    // A walk of an ancestor under way (or just done) fills this folder: wait for it.
    for (let depth = folded.length - 1; depth >= 0; depth--) {
      const walk = this.walks.get(folded.slice(0, depth).join('/'));
      if (!walk || now - walk.at > this.options.windowMs) continue;
      await walk.done;
      const cached = await this.cache.get(folded);
      if (cached) return cached;
      break;
    }
    if (folded.length > 0 && this.backend.listTree) {
      const parent = folded.slice(0, -1);
      const parentKey = parent.join('/');
      const parentListed = this.listed.get(parentKey);
      if (parentListed !== undefined && now - parentListed <= this.options.windowMs) {
        const siblings = (this.childLists.get(parentKey) ?? 0) + 1;
        remember(this.childLists, parentKey, siblings);
        const earlier = this.walks.get(parentKey);
        if (siblings >= 2 && (!earlier || now - earlier.at > this.options.windowMs)) {
          const cut = remotePath.lastIndexOf('/');
          const parentRemote = cut <= 0 ? '/' : remotePath.slice(0, cut);
          const done = this.readSubtree(parent, parentRemote);
          this.walks.set(parentKey, { at: now, done });
          if (this.walks.size > MAX_TRACKED) this.walks.delete(this.walks.keys().next().value!);
          await done;
          const cached = await this.cache.get(folded);
          if (cached) return cached;
        }
      }
    }
    remember(this.listed, key, now);
    this.childLists.delete(key);
    return plain();
  }

  /** Reads the subtree and caches every folder of it that is not cached yet. Never throws. */
  private async readSubtree(top: readonly string[], remoteTop: string): Promise<void> {
    const changesBefore = this.cache.changes;
    let tree: Map<string, RemoteEntry[]> | undefined;
    try {
      tree = await this.backend.listTree!(remoteTop, { maxEntries: this.options.maxEntries });
    } catch {
      return; // the folder-by-folder listings that follow report what is wrong
    }
    if (!tree || this.cache.changes !== changesBefore) return;
    const prefix = remoteTop === '/' ? '' : remoteTop;
    for (const [path, entries] of tree) {
      if (path === remoteTop) continue; // the client listed it already
      const relative = path.slice(prefix.length).split('/').filter((s) => s !== '');
      const folded = [...top, ...relative.map(this.childKey)];
      if (await this.cache.get(folded)) continue;
      await this.cache.put(folded, entries);
    }
  }
}
