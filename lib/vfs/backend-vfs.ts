import type { Readable } from 'node:stream';
import type { StorageBackend } from '../storage/backend.js';
import { StorageError } from '../storage/errors.js';
import type { KeyValueStore } from '../store/key-value-store.js';
import { namespaced } from '../store/key-value-store.js';
import { MemoryStore } from '../store/memory-store.js';
import { joinPath } from '../util/paths.js';
import type { DirCache } from './dir-cache.js';
import { ChangeCountingDirCache, FAST_LIST, WalkLister } from './fast-list.js';
import { foldName } from './fold.js';
import { addToListing, assertWritable, encodeChecked, resourceKeyOf, withInvalidation, type VfsContext } from './vfs-context.js';
import { LocalOnlyFiles, type LocalOnlyOptions } from './local-only.js';
import { ListingMemory, MemoryDirCache } from './memory-dir-cache.js';
import { meteredDirCache } from './metered-dir-cache.js';
import { materialisePlaceholder, readHeld } from './local-content.js';
import { MissCache } from './miss-cache.js';
import { NameCodec } from './name-codec.js';
import { transfer } from './move-copy.js';
import { Placeholders } from './placeholders.js';
import { removeItem } from './remove-item.js';
import { applyDates, FolderTimes, type FolderDates } from './folder-times.js';
import { Resolver, dirKey, dirOf, remoteChild, splitTarget, toEntry, type Child, type DirRef, type Located } from './resolver.js';
import { SharedDirCache } from './shared-dir-cache.js';
import type { ByteRange, Entry, ReadOptions, StatOptions, TransferOptions, TransferResult, Usage, Vfs, WriteOptions, WriteResult } from './types.js';
import { writeFile } from './write-file.js';

export interface BackendVfsOptions {
  backend: StorageBackend;
  /** State (placeholders, junk files; the caches too when `sharedCache`); default a private MemoryStore. */
  store?: KeyValueStore;
  /**
   * Listings and quota are cached in `store` rather than in process memory: for several instances
   * serving one account over a shared store (Redis), which then see each other's changes at once.
   */
  sharedCache?: boolean;
  /** The process's memory for cached listings (bounded in bytes); default a private one without a byte bound. */
  listingMemory?: ListingMemory;
  /** Key prefix inside `store` (default 'vfs'); instances serving one account share it. */
  namespace?: string;
  /** How long a folder listing is trusted (cache.listingTtl); 0 disables the cache. */
  listingTtlMs: number;
  /** How long a name found absent upstream is believed absent (cache.missTtl); 0 asks every time. */
  missTtlMs: number;
  /** Recognise tree walks and read the subtree in one request (cache.fastList, fast-list.ts). */
  fastList: boolean;
  /** Bodies up to this size are spooled in memory, larger ones on disk (uploads.md5MemoryLimit). */
  md5MemoryLimit: number;
  /** Where larger bodies are spooled (uploads.spoolDir). */
  spoolDir: string;
  /** Spool files bypass the page cache (O_DIRECT) where the filesystem allows (uploads.directIo). */
  spoolDirectIo: boolean;
  /** How long an empty new file stays a local placeholder (placeholders.grace). */
  placeholderGraceMs: number;
  /** Junk-file policy (localOnly.*); false uploads everything. */
  localOnly: LocalOnlyOptions | false;
  /** How long the account usage is cached (cache.quotaTtl). */
  usageTtlMs: number;
  /** rclone's `encoding` list for stored names (names.encoding). */
  nameEncoding: string;
  /** Delete permanently instead of moving to the trash (hardDelete); absent: to the trash. */
  hardDelete?: boolean;
  /** A read-only view of the trash (trashedOnly, rclone's --jottacloud-trashed-only); absent: the live tree. */
  trashedOnly?: boolean;
  /** An overwrite replaces the file instead of adding a revision (uploads.noVersions, no-versions.ts); absent: a revision. */
  noVersions?: boolean;
  /** The clock of placeholder, junk-file and usage-cache deadlines; Date.now unless a spec moves time instead of waiting. */
  now?: () => number;
}

/**
 * The Vfs over any StorageBackend (see lib/vfs/types.ts for the contract): names are mapped with
 * the configured encoding (rclone's flag lists), lookups fold case when the backend declares it,
 * listings are cached in the store, uploads are spooled and hashed first, empty new files wait
 * as placeholders, and junk files never leave the bridge.
 *
 * The class composes the parts and keeps the small operations; the larger ones live beside it:
 * writes in write-file.ts (placeholders and junk files in local-content.ts), removal in
 * remove-item.ts, move and copy in move-copy.ts (case-only renames in case-rename.ts).
 */
/** A folder's entries as listDir made them, and what they were made from. */
interface Listed {
  clientPath: string;
  /** FolderTimes.version when they were made. */
  datesVersion: number;
  entries: readonly Entry[];
  dates: FolderDates;
}

export class BackendVfs implements Vfs {
  readonly caseInsensitive: boolean;
  private readonly store: KeyValueStore;
  /** Where the account usage is cached: `store` when shared, else process memory. */
  private readonly usageCache: KeyValueStore;
  /** The clock of the usage cache (and of placeholder and junk-file deadlines). */
  private readonly now: () => number;
  private readonly ownsStore: boolean;
  private readonly ctx: VfsContext;
  private readonly folderTimes = new FolderTimes();
  /** What listDir made of each children array (see there). */
  private readonly listed = new WeakMap<readonly Child[], Listed>();

  constructor(options: BackendVfsOptions) {
    const backend = options.backend;
    // Fold because the backend declares it (abilities are declared, never probed).
    this.caseInsensitive = backend.features.caseInsensitive;
    this.ownsStore = options.store === undefined;
    const base = options.store ?? new MemoryStore();
    const prefix = `${options.namespace ?? 'vfs'}${options.trashedOnly ? ':trash' : ''}`;
    this.store = namespaced(base, prefix);
    const cacheOptions = { ttlMs: options.listingTtlMs };
    // A cache is not state: in one process it stays in memory and is never written to disk.
    const listings: DirCache = meteredDirCache(
      options.sharedCache
        ? new SharedDirCache(namespaced(this.store, 'dir'), cacheOptions)
        : new MemoryDirCache(options.listingMemory ?? new ListingMemory(Infinity), prefix, cacheOptions),
    );
    const counting = new ChangeCountingDirCache(listings);
    const cache: DirCache = counting;
    const walker = !options.fastList || options.trashedOnly ? undefined : new WalkLister(backend, counting, (remoteName) => remoteChild({ name: remoteName, kind: 'folder', size: 0 }, names).nameKey, FAST_LIST);
    this.usageCache = options.sharedCache ? this.store : new MemoryStore();
    const now = options.now ?? Date.now;
    this.now = now;
    // Called only once a placeholder is due, long after the context below exists.
    const placeholders = new Placeholders(namespaced(this.store, 'ph'), options.placeholderGraceMs, (dirKey, record) => materialisePlaceholder(this.ctx, dirKey, record), now);
    const local = options.localOnly === false ? undefined : new LocalOnlyFiles(namespaced(this.store, 'lo'), { ...options.localOnly, now });
    const trashedOnly = options.trashedOnly === true;
    const names = NameCodec.of(options.nameEncoding);
    this.ctx = {
      backend,
      caseInsensitive: this.caseInsensitive,
      cache,
      placeholders,
      local,
      resolver: new Resolver(backend, cache, placeholders, local, trashedOnly, names, new MissCache(options.missTtlMs), walker),
      names,
      settings: {
        md5MemoryLimit: options.md5MemoryLimit,
        spoolDir: options.spoolDir,
        spoolDirectIo: options.spoolDirectIo,
        hardDelete: options.hardDelete === true,
        noVersions: options.noVersions === true,
        trashedOnly,
        usageTtlMs: options.usageTtlMs,
      },
    };
  }

  resourceKey(path: string): string {
    return resourceKeyOf(path, this.caseInsensitive);
  }

  async stat(path: string, options: StatOptions = {}): Promise<Entry> {
    const found = await this.ctx.resolver.locate(path, options.trustMisses === true && !options.fresh);
    const current = options.fresh ? await this.ctx.resolver.refresh(found) : found;
    const entry = options.details ? await this.withDetails(current) : toEntry(current);
    // A folder's dates come from its listing (folder-times.ts), which the Depth 1 that usually
    // follows reuses; the service sends none of its own.
    if (entry.kind === 'collection' && !entry.modified && !options.kindOnly) applyDates(entry, (await this.listDir(dirOf(current))).dates);
    return entry;
  }

  async list(path: string): Promise<readonly Entry[]> {
    return (await this.listDir(await this.ctx.resolver.resolveDirectory(path))).entries;
  }

  /** The entry from the item's own remote document (public link, older revisions); held items have neither. */
  private async withDetails(found: Located): Promise<Entry> {
    const entry = toEntry(found);
    // Held items are not on the service; the trash view's items have no live document to ask for.
    if ((found.child && found.child.source !== 'remote') || this.ctx.settings.trashedOnly) return entry;
    const own = await this.ctx.backend.stat(found.remotePath);
    if (own.publicLink) entry.publicLink = own.publicLink;
    else delete entry.publicLink;
    if (entry.kind === 'file') entry.revisions = own.revisions ?? [];
    return entry;
  }

  /**
   * A folder's entries and dates. The resolver hands out the same children while the folder is
   * unchanged, and so does this (frozen), as long as no folder's derived dates changed meanwhile
   * (a subfolder's dates show in its entry): a warm PROPFIND does not build 10,000 entries again,
   * and lib/dav can keep what it rendered of them.
   */
  private async listDir(dir: DirRef): Promise<Listed> {
    const children = await this.ctx.resolver.children(dir);
    const known = this.listed.get(children);
    if (known && known.clientPath === dir.clientPath && known.datesVersion === this.folderTimes.version) return known;
    const entries = children.map((child) => toEntry({ dir, child, clientPath: joinPath(dir.clientPath, child.name), remotePath: joinPath(dir.remotePath, child.remoteName) }));
    const dates = this.folderTimes.fromListing(dirKey(dir), entries);
    for (const entry of entries) Object.freeze(entry);
    const listed: Listed = { clientPath: dir.clientPath, datesVersion: this.folderTimes.version, entries: Object.freeze(entries), dates };
    this.listed.set(children, listed);
    return listed;
  }

  async read(path: string, range?: ByteRange, signal?: AbortSignal, options: ReadOptions = {}): Promise<Readable> {
    const found = await this.ctx.resolver.locate(path);
    const child = found.child;
    if (!child || child.kind === 'collection') throw new StorageError('IS_A_DIRECTORY', `${path} is a collection`);
    const expect = options.expect;
    if (child.source === 'remote') {
      const trashed = this.ctx.settings.trashedOnly;
      // Without an expected revision the backend looks the file up itself: a cached listing never
      // decides which bytes are sent.
      if (expect?.md5 === undefined) return this.ctx.backend.read(found.remotePath, range, signal, { trashed });
      return this.ctx.backend.read(found.remotePath, range, signal, { trashed, expect: { size: expect.size, md5: expect.md5 } });
    }
    const held = toEntry(found);
    if (expect && held.etag !== expect.etag) throw new StorageError('CHANGED', `${path} changed`);
    return readHeld(this.ctx, found.dir, child, range, path);
  }

  async write(path: string, body: Readable, options: WriteOptions = {}): Promise<WriteResult> {
    return writeFile(this.ctx, path, body, options);
  }

  async mkdir(path: string): Promise<Entry> {
    const ctx = this.ctx;
    assertWritable(ctx);
    const { parent, name, raw } = splitTarget(path);
    if (name === undefined || raw === undefined) throw new StorageError('ALREADY_EXISTS', 'the root exists');
    const { dir, existing } = await ctx.resolver.target(parent, raw);
    if (existing) throw new StorageError('ALREADY_EXISTS', `${path} exists`);
    const remoteName = encodeChecked(ctx, name);
    await withInvalidation(ctx, [dir], () => ctx.backend.mkdir(joinPath(dir.remotePath, remoteName)));
    this.forgetDates(path);
    await addToListing(ctx, dir, { name: remoteName, kind: 'folder', size: 0 });
    // A folder of that name may have been trashed: nothing cached below it may survive.
    await ctx.cache.invalidateSubtree([...dir.folded, foldName(name)]);
    return { path: joinPath(dir.clientPath, name), name, kind: 'collection', size: 0 };
  }

  async remove(path: string): Promise<void> {
    assertWritable(this.ctx);
    const found = await this.ctx.resolver.locate(path);
    const child = found.child;
    if (!child) throw new StorageError('PERMISSION_DENIED', 'the root cannot be removed');
    await removeItem(this.ctx, found, child);
    this.forgetDates(path);
  }

  async move(from: string, to: string, options: TransferOptions): Promise<TransferResult> {
    assertWritable(this.ctx);
    const result = await transfer(this.ctx, from, to, options, true);
    this.forgetDates(from, to);
    return result;
  }

  async copy(from: string, to: string, options: TransferOptions): Promise<TransferResult> {
    assertWritable(this.ctx);
    const result = await transfer(this.ctx, from, to, options, false);
    this.forgetDates(to);
    return result;
  }

  /** Dates derived below these paths describe folders that are gone or replaced. */
  private forgetDates(...paths: string[]): void {
    for (const path of paths) this.folderTimes.forgetBelow(resourceKeyOf(path, true));
  }

  async setModified(path: string, modified: Date): Promise<void> {
    const ctx = this.ctx;
    assertWritable(ctx);
    const found = await ctx.resolver.locate(path);
    const child = found.child;
    if (!child || child.kind === 'collection') return; // a backend sets times on files only
    if (child.source === 'placeholder') return ctx.placeholders.update(dirKey(found.dir), child.nameKey, { modified: modified.getTime() });
    if (child.source === 'local') return ctx.local!.touch(dirKey(found.dir), child.nameKey, modified.getTime());
    const remote = await withInvalidation(ctx, [found.dir], () => ctx.backend.setModified(found.remotePath, modified));
    await addToListing(ctx, found.dir, remote);
  }

  async usage(): Promise<Usage | undefined> {
    // The deadline is kept beside the value so that it follows the injected clock; the store's
    // own expiry only clears the record away.
    const cached = await this.usageCache.get<{ usage: Usage; until: number }>('usage');
    if (cached && cached.until > this.now()) return cached.usage;
    try {
      const usage = await this.ctx.backend.usage();
      const ttl = this.ctx.settings.usageTtlMs;
      await this.usageCache.set('usage', { usage, until: this.now() + ttl }, ttl);
      return usage;
    } catch {
      return undefined; // unknown, never 0
    }
  }

  async close(): Promise<void> {
    if (!this.ctx.settings.trashedOnly) await this.ctx.placeholders.flushAll();
    if (this.ownsStore) await this.store.close();
  }
}

