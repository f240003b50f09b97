import { createHash, randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { Readable } from 'node:stream';
import type { RemoteEntry, StorageBackend } from '../storage/backend.js';
import { StorageError } from '../storage/errors.js';
import type { KeyValueStore } from '../store/key-value-store.js';
import { namespaced } from '../store/key-value-store.js';
import { MemoryStore } from '../store/memory-store.js';
import { joinPath } from '../util/paths.js';
import { DirCache } from './dir-cache.js';
import { foldName } from './fold.js';
import { addToListing, assertWritable, dropFromListing, encodeChecked, folderKey, resourceKeyOf, withInvalidation, type JottaContext } from './jotta-context.js';
import { LocalOnlyFiles, type LocalOnlyOptions } from './local-only.js';
import { heldContent, materialisePlaceholder, readHeld, writePlaceholder } from './local-content.js';
import { Placeholders } from './pending.js';
import { Resolver, dirKey, sameDir, splitTarget, toEntry, type Child, type DirRef, type Located } from './resolver.js';
import type { ByteRange, Entry, TransferOptions, TransferResult, Usage, Vfs, WriteOptions, WriteResult } from './types.js';
import { writeFile } from './write-file.js';

export interface JottaVfsOptions {
  backend: StorageBackend;
  /** Shared state (listing cache, placeholders, junk files); default a private MemoryStore. */
  store?: KeyValueStore;
  /** Key prefix inside `store` (default 'vfs'); instances serving one account share it. */
  namespace?: string;
  /** How long a folder listing is trusted; 0 disables the cache. Default 30 s. */
  listingTtlMs?: number;
  /** Bodies up to this size are spooled in memory, larger ones on disk. Default 10 MiB. */
  md5MemoryLimit?: number;
  /** Where larger bodies are spooled. Default the OS temp dir. */
  spoolDir?: string;
  /** Spool files bypass the page cache (O_DIRECT) where the filesystem allows. Default true. */
  spoolDirectIo?: boolean;
  /** Passed to the backend with each upload: resume interrupted uploads above this size. */
  uploadResumeLimit?: number;
  /** How long an empty new file stays a local placeholder. Default 60 s. */
  placeholderGraceMs?: number;
  /** Junk-file policy; false uploads everything. */
  localOnly?: LocalOnlyOptions | false;
  /** Delete permanently instead of moving to the trash. */
  hardDelete?: boolean;
  /** A read-only view of the trash (rclone's --jottacloud-trashed-only). */
  trashedOnly?: boolean;
  /** How long the account usage is cached. Default 60 s. */
  usageTtlMs?: number;
}

/**
 * The Vfs over a StorageBackend with Jottacloud's rules (see lib/vfs/types.ts for the contract):
 * names are mapped with rclone's encoding, lookups fold case because the backend declares it,
 * listings are cached in the store, uploads are spooled and hashed first, empty new files wait
 * as placeholders, and junk files never leave the bridge.
 *
 * The class composes the parts and keeps the small operations; the larger ones live beside it:
 * writes in write-file.ts (placeholders and junk files in local-content.ts); removal, move and
 * copy below it, as functions over the same context.
 */
export class JottaVfs implements Vfs {
  readonly caseInsensitive: boolean;
  private readonly store: KeyValueStore;
  private readonly ownsStore: boolean;
  private readonly ctx: JottaContext;

  constructor(options: JottaVfsOptions) {
    const backend = options.backend;
    // Habit 4: fold because the backend declares it, never by probing.
    this.caseInsensitive = backend.features.caseInsensitive;
    this.ownsStore = options.store === undefined;
    const base = options.store ?? new MemoryStore();
    const prefix = `${options.namespace ?? 'vfs'}${options.trashedOnly ? ':trash' : ''}`;
    this.store = namespaced(base, prefix);
    const cache = new DirCache(namespaced(this.store, 'dir'), { ttlMs: options.listingTtlMs ?? 30_000 });
    // Called only once a placeholder is due, long after the context below exists.
    const placeholders = new Placeholders(namespaced(this.store, 'ph'), options.placeholderGraceMs ?? 60_000, (dirKey, record) =>
      materialisePlaceholder(this.ctx, dirKey, record),
    );
    const local = options.localOnly === false ? undefined : new LocalOnlyFiles(namespaced(this.store, 'lo'), options.localOnly ?? {});
    const trashedOnly = options.trashedOnly ?? false;
    this.ctx = {
      backend,
      caseInsensitive: this.caseInsensitive,
      cache,
      placeholders,
      local,
      resolver: new Resolver(backend, cache, placeholders, local, trashedOnly),
      settings: {
        md5MemoryLimit: options.md5MemoryLimit ?? 10 * 1024 * 1024,
        spoolDir: options.spoolDir ?? tmpdir(),
        spoolDirectIo: options.spoolDirectIo ?? true,
        hardDelete: options.hardDelete ?? false,
        trashedOnly,
        usageTtlMs: options.usageTtlMs ?? 60_000,
        uploadResumeLimit: options.uploadResumeLimit,
      },
    };
  }

  resourceKey(path: string): string {
    return resourceKeyOf(path, this.caseInsensitive);
  }

  async stat(path: string): Promise<Entry> {
    return toEntry(await this.ctx.resolver.locate(path));
  }

  async list(path: string): Promise<Entry[]> {
    const resolver = this.ctx.resolver;
    const dir = await resolver.resolveDirectory(path);
    const children = await resolver.children(dir);
    return children.map((child) => toEntry({ dir, child, clientPath: joinPath(dir.clientPath, child.name), remotePath: joinPath(dir.remotePath, child.remoteName) }));
  }

  async read(path: string, range?: ByteRange, signal?: AbortSignal): Promise<Readable> {
    const found = await this.ctx.resolver.locate(path);
    const child = found.child;
    if (!child || child.kind === 'collection') throw new StorageError('IS_A_DIRECTORY', `${path} is a collection`);
    if (child.source === 'remote') return this.ctx.backend.read(found.remotePath, range, signal, { trashed: this.ctx.settings.trashedOnly });
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
  }

  async move(from: string, to: string, options: TransferOptions): Promise<TransferResult> {
    assertWritable(this.ctx);
    return transfer(this.ctx, from, to, options, true);
  }

  async copy(from: string, to: string, options: TransferOptions): Promise<TransferResult> {
    assertWritable(this.ctx);
    return transfer(this.ctx, from, to, options, false);
  }

  async setModified(path: string, modified: Date): Promise<void> {
    const ctx = this.ctx;
    assertWritable(ctx);
    const found = await ctx.resolver.locate(path);
    const child = found.child;
    if (!child || child.kind === 'collection') return; // Jottacloud folders have no timestamps
    if (child.source === 'placeholder') return ctx.placeholders.update(dirKey(found.dir), child.nameKey, { modified: modified.getTime() });
    if (child.source === 'local') return ctx.local!.touch(dirKey(found.dir), child.nameKey, modified.getTime());
    const remote = await withInvalidation(ctx, [found.dir], () => ctx.backend.setModified(found.remotePath, modified));
    await addToListing(ctx, found.dir, remote);
  }

  async usage(): Promise<Usage | undefined> {
    const cached = await this.store.get<Usage>('usage');
    if (cached) return cached;
    try {
      const usage = await this.ctx.backend.usage();
      await this.store.set('usage', usage, this.ctx.settings.usageTtlMs);
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

// ---- removal ----

/**
 * The placeholders of a whole subtree, for changes that act on a folder: the records are keyed by
 * folder, so the folder and every folder below it are found by key prefix.
 */

async function foldersBelow(placeholders: Placeholders, folded: readonly string[]): Promise<string[]> {
  const prefix = folderKey(folded);
  return (await placeholders.folders()).filter((key) => key === prefix || key.startsWith(prefix + '/'));
}

/** A removed folder takes its placeholders with it: none may turn into a file later. */
async function dropPlaceholdersBelow(placeholders: Placeholders, folded: readonly string[]): Promise<void> {
  for (const key of await foldersBelow(placeholders, folded)) {
    for (const nameKey of Object.keys(await placeholders.inFolder(key))) await placeholders.remove(key, nameKey);
  }
}

/**
 * Before a folder is moved or copied on the service, its placeholders become real empty files, so
 * that they travel with it (their records name the old remote path).
 */
async function flushPlaceholdersBelow(placeholders: Placeholders, folded: readonly string[]): Promise<void> {
  for (const key of await foldersBelow(placeholders, folded)) await placeholders.flushFolder(key, true);
}

/**
 * Removes one child of a folder, wherever it lives: a placeholder or junk file only on the bridge,
 * a remote item on the service (to the trash unless `hardDelete`). A removed folder also takes
 * what the bridge holds below it (cached listings, placeholders, junk files), so that a new
 * folder of that name starts empty.
 */
async function removeItem(ctx: JottaContext, found: Located, child: Child): Promise<void> {
  const key = dirKey(found.dir);
  if (child.source === 'local') {
    await ctx.local!.remove(key, child.nameKey);
    return;
  }
  if (child.source === 'placeholder') {
    await ctx.placeholders.remove(key, child.nameKey);
    return;
  }
  await withInvalidation(ctx, [found.dir], () => ctx.backend.remove(found.remotePath, child.kind === 'collection' ? 'folder' : 'file', { hard: ctx.settings.hardDelete }));
  await dropFromListing(ctx, found.dir, child.remoteName);
  if (child.kind === 'collection') {
    const folded = [...found.dir.folded, child.nameKey];
    await ctx.cache.invalidateSubtree(folded);
    await dropPlaceholdersBelow(ctx.placeholders, folded);
    await ctx.local?.removeTree(folderKey(folded));
  }
}

// ---- move and copy ----

/**
 * A rename that only changes case (a.txt → A.txt). On the bridge it re-keys the record; on the
 * service it goes through a temporary name, since the service may treat both names as one.
 */
async function renameCase(ctx: JottaContext, source: Located, child: Child, name: string): Promise<void> {
  const key = dirKey(source.dir);
  if (child.source === 'placeholder') {
    await ctx.placeholders.remove(key, child.nameKey);
    await ctx.placeholders.add(key, foldName(name), { ...child.placeholder!, name, remoteName: encodeChecked(ctx, name) });
    return;
  }
  if (child.source === 'local') {
    const content = await heldContent(ctx, source.dir, child);
    await ctx.local!.remove(key, child.nameKey);
    await ctx.local!.put(key, foldName(name), { ...child.local!, name }, content);
    return;
  }
  const kind = child.kind === 'collection' ? 'folder' : 'file';
  const finalPath = joinPath(source.dir.remotePath, encodeChecked(ctx, name));
  const tempPath = joinPath(source.dir.remotePath, `.jottadav-rename-${randomUUID().slice(0, 8)}`);
  if (kind === 'folder') await flushPlaceholdersBelow(ctx.placeholders, [...source.dir.folded, child.nameKey]);
  await withInvalidation(ctx, [source.dir], async () => {
    await ctx.backend.move(source.remotePath, tempPath, kind);
    try {
      await ctx.backend.move(tempPath, finalPath, kind);
    } catch (error) {
      // Back to the old name, so that a failed rename leaves no temporary name behind.
      await ctx.backend.move(tempPath, source.remotePath, kind).catch(() => undefined);
      throw error;
    }
  });
  // Rare, and the stored spelling is the service's to report: re-list rather than guess.
  await ctx.cache.invalidate(source.dir.folded);
  if (kind === 'folder') await ctx.cache.invalidateSubtree([...source.dir.folded, child.nameKey]);
}

/**
 * Vfs.move and Vfs.copy (`move` tells them apart). The destination is looked up like a write's:
 * a sibling that differs only in case (or normalisation) is the destination itself, so a move onto
 * it is a case-only rename, and anything else of that name is replaced only with `overwrite`.
 * Remote items move and copy on the service; placeholders and junk files on the bridge.
 */
async function transfer(ctx: JottaContext, from: string, to: string, options: TransferOptions, move: boolean): Promise<TransferResult> {
  const source = await ctx.resolver.locate(from);
  const child = source.child;
  if (!child) throw new StorageError('INVALID_ARGUMENT', 'the root cannot be moved or copied');
  const { parent, name, raw } = splitTarget(to);
  if (name === undefined || raw === undefined) throw new StorageError('INVALID_ARGUMENT', 'nothing can be moved or copied onto the root');
  const sourceKey = resourceKeyOf(source.clientPath, ctx.caseInsensitive);
  const targetKey = resourceKeyOf(to, ctx.caseInsensitive);
  const { dir, existing } = await ctx.resolver.target(parent, raw);
  // The same stored item answers to the target name (compared by stored name, so that one of two
  // remote names that fold together is not mistaken for its twin).
  const sameItem = existing !== undefined && sameDir(dir, source.dir) && existing.remoteName === child.remoteName && existing.source === child.source;
  if (sameItem) {
    if (!move || existing.name === raw || existing.name === name) throw new StorageError('INVALID_ARGUMENT', `${to} is ${from} itself`);
    await renameCase(ctx, source, child, name);
    return { created: false };
  }
  if (targetKey.startsWith(sourceKey + '/')) throw new StorageError('INVALID_ARGUMENT', `${to} lies inside ${from}`);
  if (existing && !options.overwrite) throw new StorageError('ALREADY_EXISTS', `${to} exists`);
  const remoteName = encodeChecked(ctx, name);
  if (existing) {
    await removeItem(ctx, { dir, child: existing, clientPath: joinPath(dir.clientPath, existing.name), remotePath: joinPath(dir.remotePath, existing.remoteName) }, existing);
  }
  const target: Destination = { dir, name, remoteName, clientPath: joinPath(dir.clientPath, name), remotePath: joinPath(dir.remotePath, remoteName) };
  if (child.source !== 'remote') await transferHeld(ctx, source, child, target, move);
  else if (child.kind === 'file') await transferRemoteFile(ctx, source, child, target, move);
  else await transferRemoteFolder(ctx, source, child, target, move, options.depth ?? 'infinity');
  return { created: !existing };
}

/** Where the item goes: the folder, and the new name as the client sent it (NFC) and encoded. */
interface Destination extends Located {
  name: string;
  remoteName: string;
}

async function transferRemoteFile(ctx: JottaContext, source: Located, child: Child, target: Destination, move: boolean): Promise<void> {
  if (move) {
    await withInvalidation(ctx, [source.dir, target.dir], () => ctx.backend.move(source.remotePath, target.remotePath, 'file'));
    // A move keeps the file's revision: its entry under the new name.
    await moved(ctx, source, child, target.dir, { ...child.remote!, name: target.remoteName });
  } else {
    const copied = await withInvalidation(ctx, [target.dir], () => ctx.backend.copy(source.remotePath, target.remotePath));
    await addToListing(ctx, target.dir, copied);
  }
}

async function transferRemoteFolder(ctx: JottaContext, source: Located, child: Child, target: Destination, move: boolean, depth: 0 | 'infinity'): Promise<void> {
  const dir = target.dir;
  const folded = [...source.dir.folded, child.nameKey];
  await flushPlaceholdersBelow(ctx.placeholders, folded);
  const folder: RemoteEntry = { name: target.remoteName, kind: 'folder', size: 0 };
  if (move) {
    await withInvalidation(ctx, [source.dir, dir], () => ctx.backend.move(source.remotePath, target.remotePath, 'folder'));
    await moved(ctx, source, child, dir, folder);
  } else {
    await withInvalidation(ctx, [dir], () => copyFolder(ctx, source.remotePath, target.remotePath, depth));
    await addToListing(ctx, dir, folder);
  }
  // Nothing cached below either end describes the result: the listings below are re-read.
  const targetFolded = [...dir.folded, foldName(target.name)];
  if (move) {
    await ctx.cache.invalidateSubtree(folded);
    await ctx.local?.moveTree(folderKey(folded), folderKey(targetFolded));
  }
  await ctx.cache.invalidateSubtree(targetFolded);
}

/** Moves or copies a placeholder or a junk file. */
async function transferHeld(ctx: JottaContext, source: Located, child: Child, target: Destination, move: boolean): Promise<void> {
  const name = target.name;
  const fromKey = dirKey(source.dir);
  const content = await heldContent(ctx, source.dir, child);
  const modified = new Date(child.local?.modified ?? child.placeholder!.modified);
  if (child.source === 'local' && ctx.local!.matches(name)) {
    await ctx.local!.put(dirKey(target.dir), foldName(name), { ...child.local!, name }, content);
  } else if (child.source === 'placeholder') {
    await writePlaceholder(ctx, target.dir, undefined, name, target.remoteName, modified);
  } else {
    // A junk file renamed to a real name (Office's save-as-temp-then-rename) becomes a real upload.
    const uploaded = await withInvalidation(ctx, [target.dir], () =>
      ctx.backend.upload(target.remotePath, { size: content.length, md5: md5Of(content), modified, open: (o) => Readable.from([content.subarray(o)]) }),
    );
    await addToListing(ctx, target.dir, uploaded);
  }
  if (move) {
    if (child.source === 'local') await ctx.local!.remove(fromKey, child.nameKey);
    else await ctx.placeholders.remove(fromKey, child.nameKey);
  }
}

/** StorageBackend.copy takes files only: a folder is made anew and each file copied (Depth 0: the folder alone). */
async function copyFolder(ctx: JottaContext, from: string, to: string, depth: 0 | 'infinity'): Promise<void> {
  await ctx.backend.mkdir(to);
  if (depth === 0) return;
  for (const entry of await ctx.backend.list(from)) {
    const src = joinPath(from, entry.name);
    const dst = joinPath(to, entry.name);
    if (entry.kind === 'file') await ctx.backend.copy(src, dst);
    else await copyFolder(ctx, src, dst, depth);
  }
}

/** The listings of both folders after a successful move: out of one, into the other. */
async function moved(ctx: JottaContext, source: Located, child: Child, dir: DirRef, entry: RemoteEntry): Promise<void> {
  await dropFromListing(ctx, source.dir, child.remoteName);
  await addToListing(ctx, dir, entry);
}

function md5Of(content: Buffer): string {
  return createHash('md5').update(content).digest('hex');
}
