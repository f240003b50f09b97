import { createHash, randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { Readable } from 'node:stream';
import type { RemoteEntry, StorageBackend, UploadBody } from '../storage/backend.js';
import { StorageError, isStorageError } from '../storage/errors.js';
import type { KeyValueStore } from '../store/key-value-store.js';
import { namespaced } from '../store/key-value-store.js';
import { MemoryStore } from '../store/memory-store.js';
import { joinPath } from '../util/paths.js';
import { DirCache } from './dir-cache.js';
import { EMPTY_MD5, localFileEntry, remoteToEntry } from './entries.js';
import { foldName, foldPath, normalizeClientPath } from './fold.js';
import { withEntry, withoutEntry } from './listing-edits.js';
import { LocalOnlyFiles, type LocalOnlyOptions } from './local-only.js';
import { encodeName } from './names.js';
import { Resolver, dirKey, sameDir, splitTarget, toEntry, type Child, type DirRef, type Located } from './resolver.js';
import { Placeholders, type PlaceholderRecord } from './pending.js';
import { spoolBody } from './spool.js';
import type { ByteRange, Entry, TransferOptions, TransferResult, Usage, Vfs, WriteOptions, WriteResult } from './types.js';

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
 */
export class JottaVfs implements Vfs {
  readonly caseInsensitive: boolean;
  private readonly backend: StorageBackend;
  private readonly store: KeyValueStore;
  private readonly ownsStore: boolean;
  private readonly cache: DirCache;
  private readonly placeholders: Placeholders;
  private readonly local: LocalOnlyFiles | undefined;
  private readonly resolver: Resolver;
  private readonly options: Required<Pick<JottaVfsOptions, 'md5MemoryLimit' | 'spoolDir' | 'spoolDirectIo' | 'hardDelete' | 'trashedOnly' | 'usageTtlMs'>> &
    Pick<JottaVfsOptions, 'uploadResumeLimit'>;

  constructor(options: JottaVfsOptions) {
    this.backend = options.backend;
    // Habit 4: fold because the backend declares it, never by probing.
    this.caseInsensitive = options.backend.features.caseInsensitive;
    this.ownsStore = options.store === undefined;
    const base = options.store ?? new MemoryStore();
    const prefix = `${options.namespace ?? 'vfs'}${options.trashedOnly ? ':trash' : ''}`;
    this.store = namespaced(base, prefix);
    this.cache = new DirCache(namespaced(this.store, 'dir'), { ttlMs: options.listingTtlMs ?? 30_000 });
    this.placeholders = new Placeholders(namespaced(this.store, 'ph'), options.placeholderGraceMs ?? 60_000, (dirKey, record) =>
      this.materialise(dirKey, record),
    );
    this.local = options.localOnly === false ? undefined : new LocalOnlyFiles(namespaced(this.store, 'lo'), options.localOnly ?? {});
    this.resolver = new Resolver(this.backend, this.cache, this.placeholders, this.local, options.trashedOnly ?? false);
    this.options = {
      md5MemoryLimit: options.md5MemoryLimit ?? 10 * 1024 * 1024,
      spoolDir: options.spoolDir ?? tmpdir(),
      spoolDirectIo: options.spoolDirectIo ?? true,
      hardDelete: options.hardDelete ?? false,
      trashedOnly: options.trashedOnly ?? false,
      usageTtlMs: options.usageTtlMs ?? 60_000,
      uploadResumeLimit: options.uploadResumeLimit,
    };
  }

  resourceKey(path: string): string {
    const canonical = normalizeClientPath(path);
    return this.caseInsensitive ? foldPath(canonical) : canonical;
  }

  async stat(path: string): Promise<Entry> {
    return toEntry(await this.resolver.locate(path));
  }

  async list(path: string): Promise<Entry[]> {
    const dir = await this.resolver.resolveDirectory(path);
    const children = await this.resolver.children(dir);
    return children.map((child) => toEntry({ dir, child, clientPath: joinPath(dir.clientPath, child.name), remotePath: joinPath(dir.remotePath, child.remoteName) }));
  }

  async read(path: string, range?: ByteRange, signal?: AbortSignal): Promise<Readable> {
    const found = await this.resolver.locate(path);
    const child = found.child;
    if (!child || child.kind === 'collection') throw new StorageError('IS_A_DIRECTORY', `${path} is a collection`);
    if (child.source === 'remote') return this.backend.read(found.remotePath, range, signal, { trashed: this.options.trashedOnly });
    const content = child.source === 'local' ? ((await this.local!.read(dirKey(found.dir), child.nameKey)) ?? Buffer.alloc(0)) : Buffer.alloc(0);
    return Readable.from([sliceRange(content, range, path)].filter((b) => b.length > 0));
  }

  async write(path: string, body: Readable, options: WriteOptions = {}): Promise<WriteResult> {
    // The client may go away while the parent is still being looked up, before the spool reads the
    // body: without a listener that 'error' would be an uncaught exception. The spool sees the
    // destroyed stream and reports ABORTED.
    const swallow = () => undefined;
    body.on('error', swallow);
    try {
      return await this.writeBody(path, body, options);
    } finally {
      body.off('error', swallow);
    }
  }

  private async writeBody(path: string, body: Readable, options: WriteOptions): Promise<WriteResult> {
    this.assertWritable();
    const { parent, name, raw } = splitTarget(path);
    if (name === undefined || raw === undefined) throw new StorageError('IS_A_DIRECTORY', 'the root is a collection');
    const { dir, existing } = await this.resolver.target(parent, raw);
    if (existing?.kind === 'collection') throw new StorageError('IS_A_DIRECTORY', `${path} is a collection`);
    if (this.local?.matches(name) && existing?.source !== 'remote') return this.writeLocal(dir, existing, name, body, options);
    // An existing sibling of another case keeps its name (APFS/NTFS behaviour).
    const remoteName = existing ? existing.remoteName : this.encodeChecked(name);
    const clientName = existing ? existing.name : name;
    const spool = await spoolBody(body, { memoryLimit: this.options.md5MemoryLimit, dir: this.options.spoolDir, directIo: this.options.spoolDirectIo, expectedSize: options.expectedSize });
    try {
      const modified = options.modified ?? new Date();
      if (spool.size === 0 && (!existing || existing.source === 'placeholder')) {
        return await this.writePlaceholder(dir, existing, clientName, remoteName, modified);
      }
      const upload: UploadBody & { uploadResumeLimit?: number } = {
        size: spool.size,
        md5: spool.md5,
        modified,
        open: (offset) => spool.open(offset),
      };
      if (this.options.uploadResumeLimit !== undefined) upload.uploadResumeLimit = this.options.uploadResumeLimit;
      const remotePath = joinPath(dir.remotePath, remoteName);
      let remote: RemoteEntry;
      try {
        remote = await this.backend.upload(remotePath, upload);
      } catch (error) {
        // Even a failed upload may have touched the remote (a pending revision): re-list next time.
        await this.cache.invalidate(dir.folded);
        throw error;
      }
      // The cached listing takes the new entry instead of being dropped: a run of PUTs into one
      // folder would otherwise re-list it after every file (quadratic in the folder's size).
      await this.cache.update(dir.folded, (entries) => withEntry(entries, remote, this.caseInsensitive));
      if (existing?.source === 'placeholder') await this.placeholders.remove(dirKey(dir), existing.nameKey);
      const entry = remoteToEntry(remote, joinPath(dir.clientPath, clientName), clientName);
      return { entry, created: !existing };
    } finally {
      await spool.dispose();
    }
  }

  async mkdir(path: string): Promise<Entry> {
    this.assertWritable();
    const { parent, name, raw } = splitTarget(path);
    if (name === undefined || raw === undefined) throw new StorageError('ALREADY_EXISTS', 'the root exists');
    const { dir, existing } = await this.resolver.target(parent, raw);
    if (existing) throw new StorageError('ALREADY_EXISTS', `${path} exists`);
    const remoteName = this.encodeChecked(name);
    try {
      await this.backend.mkdir(joinPath(dir.remotePath, remoteName));
    } catch (error) {
      await this.cache.invalidate(dir.folded);
      throw error;
    }
    await this.cache.update(dir.folded, (entries) => withEntry(entries, { name: remoteName, kind: 'folder', size: 0 }, this.caseInsensitive));
    // A folder of that name may have been trashed: nothing cached below it may survive.
    await this.cache.invalidateSubtree([...dir.folded, foldName(name)]);
    return { path: joinPath(dir.clientPath, name), name, kind: 'collection', size: 0 };
  }

  async remove(path: string): Promise<void> {
    this.assertWritable();
    const found = await this.resolver.locate(path);
    const child = found.child;
    if (!child) throw new StorageError('PERMISSION_DENIED', 'the root cannot be removed');
    await this.removeChild(found, child);
  }

  async move(from: string, to: string, options: TransferOptions): Promise<TransferResult> {
    return this.transfer(from, to, options, true);
  }

  async copy(from: string, to: string, options: TransferOptions): Promise<TransferResult> {
    return this.transfer(from, to, options, false);
  }

  async setModified(path: string, modified: Date): Promise<void> {
    this.assertWritable();
    const found = await this.resolver.locate(path);
    const child = found.child;
    if (!child || child.kind === 'collection') return; // Jottacloud folders have no timestamps
    if (child.source === 'placeholder') return this.placeholders.update(dirKey(found.dir), child.nameKey, { modified: modified.getTime() });
    if (child.source === 'local') return this.local!.touch(dirKey(found.dir), child.nameKey, modified.getTime());
    let remote: RemoteEntry;
    try {
      remote = await this.backend.setModified(found.remotePath, modified);
    } catch (error) {
      await this.cache.invalidate(found.dir.folded);
      throw error;
    }
    await this.cache.update(found.dir.folded, (entries) => withEntry(entries, remote, this.caseInsensitive));
  }

  async usage(): Promise<Usage | undefined> {
    const cached = await this.store.get<Usage>('usage');
    if (cached) return cached;
    try {
      const usage = await this.backend.usage();
      await this.store.set('usage', usage, this.options.usageTtlMs);
      return usage;
    } catch {
      return undefined; // unknown, never 0
    }
  }

  async close(): Promise<void> {
    if (!this.options.trashedOnly) await this.placeholders.flushAll();
    if (this.ownsStore) await this.store.close();
  }

  // ---- resolution ----
  // ---- writes ----

  private assertWritable(): void {
    if (this.options.trashedOnly) throw new StorageError('PERMISSION_DENIED', 'the trash view is read-only');
  }

  /** The encoded name, or NAME_TOO_LONG before anything is written. */
  private encodeChecked(name: string): string {
    const remote = encodeName(name);
    const limit = this.backend.features.maxNameLength;
    if (remote.length > limit) {
      throw new StorageError('NAME_TOO_LONG', `the name is ${remote.length} UTF-16 units long once encoded; Jottacloud allows at most ${limit}`);
    }
    return remote;
  }

  private async writePlaceholder(dir: DirRef, existing: Child | undefined, name: string, remoteName: string, modified: Date): Promise<WriteResult> {
    const key = dirKey(dir);
    const nameKey = foldName(name);
    const now = Date.now();
    const record: PlaceholderRecord = existing?.placeholder
      ? { ...existing.placeholder, modified: modified.getTime() }
      : { name, remoteDir: dir.remotePath, remoteName, created: now, modified: modified.getTime(), dueAt: now + this.placeholders.grace };
    await this.placeholders.add(key, nameKey, record);
    const path = joinPath(dir.clientPath, name);
    return { entry: localFileEntry(path, name, 0, EMPTY_MD5, record.created, record.modified), created: !existing };
  }

  private async materialise(key: string, record: PlaceholderRecord): Promise<void> {
    const path = joinPath(record.remoteDir, record.remoteName);
    // Content may have arrived another way (another tool wrote the name): never overwrite it empty.
    const present = await this.backend.stat(path).then(
      () => true,
      (error: unknown) => {
        if (isStorageError(error, 'NOT_FOUND')) return false;
        throw error;
      },
    );
    if (!present) {
      const body: UploadBody = { size: 0, md5: EMPTY_MD5, modified: new Date(record.modified), open: () => Readable.from([]) };
      await this.backend.upload(path, body);
    }
    await this.cache.invalidate(key === '/' ? [] : key.slice(1).split('/'));
  }

  private async writeLocal(dir: DirRef, existing: Child | undefined, name: string, body: Readable, options: WriteOptions): Promise<WriteResult> {
    const local = this.local!;
    const spool = await spoolBody(body, { memoryLimit: local.maxBytes, dir: this.options.spoolDir, directIo: this.options.spoolDirectIo, expectedSize: options.expectedSize });
    try {
      if (spool.size > local.maxBytes) {
        throw new StorageError('QUOTA_EXCEEDED', `local-only files are limited to ${local.maxBytes} bytes`);
      }
      const content = await collect(spool.open(0));
      const now = Date.now();
      const clientName = existing?.name ?? name;
      const meta = await local.put(dirKey(dir), foldName(clientName), {
        name: clientName,
        size: content.length,
        md5: spool.md5,
        created: existing?.local?.created ?? now,
        modified: (options.modified ?? new Date()).getTime(),
      }, content);
      const path = joinPath(dir.clientPath, clientName);
      return { entry: localFileEntry(path, clientName, meta.size, meta.md5, meta.created, meta.modified), created: !existing };
    } finally {
      await spool.dispose();
    }
  }

  private async removeChild(found: Located, child: Child): Promise<void> {
    const key = dirKey(found.dir);
    if (child.source === 'local') {
      await this.local!.remove(key, child.nameKey);
      return;
    }
    if (child.source === 'placeholder') {
      await this.placeholders.remove(key, child.nameKey);
      return;
    }
    try {
      await this.backend.remove(found.remotePath, child.kind === 'collection' ? 'folder' : 'file', { hard: this.options.hardDelete });
    } catch (error) {
      await this.cache.invalidate(found.dir.folded);
      throw error;
    }
    await this.cache.update(found.dir.folded, (entries) => withoutEntry(entries, child.remoteName, this.caseInsensitive));
    if (child.kind === 'collection') {
      const folded = [...found.dir.folded, child.nameKey];
      await this.cache.invalidateSubtree(folded);
      await this.dropPlaceholdersBelow(folded);
      await this.local?.removeTree('/' + folded.join('/'));
    }
  }

  private async dropPlaceholdersBelow(folded: string[]): Promise<void> {
    const prefix = '/' + folded.join('/');
    for (const key of await this.placeholders.folders()) {
      if (key !== prefix && !key.startsWith(prefix + '/')) continue;
      for (const nameKey of Object.keys(await this.placeholders.inFolder(key))) await this.placeholders.remove(key, nameKey);
    }
  }

  private async flushPlaceholdersBelow(folded: string[]): Promise<void> {
    const prefix = '/' + folded.join('/');
    for (const key of await this.placeholders.folders()) {
      if (key === prefix || key.startsWith(prefix + '/')) await this.placeholders.flushFolder(key, true);
    }
  }

  // ---- move and copy ----

  private async transfer(from: string, to: string, options: TransferOptions, move: boolean): Promise<TransferResult> {
    this.assertWritable();
    const source = await this.resolver.locate(from);
    const child = source.child;
    if (!child) throw new StorageError('INVALID_ARGUMENT', 'the root cannot be moved or copied');
    const { parent, name, raw } = splitTarget(to);
    if (name === undefined || raw === undefined) throw new StorageError('INVALID_ARGUMENT', 'nothing can be moved or copied onto the root');
    const sourceKey = this.resourceKey(source.clientPath);
    const targetKey = this.resourceKey(to);
    const { dir, existing } = await this.resolver.target(parent, raw);
    const sameItem = existing !== undefined && sameDir(dir, source.dir) && existing.remoteName === child.remoteName && existing.source === child.source;
    if (sameItem) {
      if (!move || existing.name === raw || existing.name === name) throw new StorageError('INVALID_ARGUMENT', `${to} is ${from} itself`);
      await this.renameCase(source, child, name);
      return { created: false };
    }
    if (targetKey.startsWith(sourceKey + '/')) throw new StorageError('INVALID_ARGUMENT', `${to} lies inside ${from}`);
    if (existing && !options.overwrite) throw new StorageError('ALREADY_EXISTS', `${to} exists`);
    const remoteName = this.encodeChecked(name);
    if (existing) {
      await this.removeChild({ dir, child: existing, clientPath: joinPath(dir.clientPath, existing.name), remotePath: joinPath(dir.remotePath, existing.remoteName) }, existing);
    }
    const target: Located = { dir, clientPath: joinPath(dir.clientPath, name), remotePath: joinPath(dir.remotePath, remoteName) };
    if (child.source !== 'remote') {
      await this.transferLocal(source, child, target, name, move);
    } else if (child.kind === 'file') {
      if (move) {
        await this.withInvalidation([source.dir, dir], () => this.backend.move(source.remotePath, target.remotePath, 'file'));
        // A move keeps the file's revision: its entry under the new name.
        await this.moved(source, child, dir, { ...child.remote!, name: remoteName });
      } else {
        const copied = await this.withInvalidation([dir], () => this.backend.copy(source.remotePath, target.remotePath));
        await this.cache.update(dir.folded, (entries) => withEntry(entries, copied, this.caseInsensitive));
      }
    } else {
      const folded = [...source.dir.folded, child.nameKey];
      await this.flushPlaceholdersBelow(folded);
      if (move) {
        await this.withInvalidation([source.dir, dir], () => this.backend.move(source.remotePath, target.remotePath, 'folder'));
        await this.moved(source, child, dir, { name: remoteName, kind: 'folder', size: 0 });
      } else {
        await this.withInvalidation([dir], () => this.copyFolder(source.remotePath, target.remotePath, options.depth ?? 'infinity'));
        await this.cache.update(dir.folded, (entries) => withEntry(entries, { name: remoteName, kind: 'folder', size: 0 }, this.caseInsensitive));
      }
      const targetFolded = [...dir.folded, foldName(name)];
      if (move) {
        await this.cache.invalidateSubtree(folded);
        await this.local?.moveTree('/' + folded.join('/'), '/' + targetFolded.join('/'));
      }
      await this.cache.invalidateSubtree(targetFolded);
    }
    return { created: !existing };
  }

  /** a.txt → A.txt: through a temporary name, since the service may treat both as one. */
  private async renameCase(source: Located, child: Child, name: string): Promise<void> {
    const key = dirKey(source.dir);
    if (child.source === 'placeholder') {
      await this.placeholders.remove(key, child.nameKey);
      await this.placeholders.add(key, foldName(name), { ...child.placeholder!, name, remoteName: this.encodeChecked(name) });
      return;
    }
    if (child.source === 'local') {
      const content = (await this.local!.read(key, child.nameKey)) ?? Buffer.alloc(0);
      await this.local!.remove(key, child.nameKey);
      await this.local!.put(key, foldName(name), { ...child.local!, name }, content);
      return;
    }
    const kind = child.kind === 'collection' ? 'folder' : 'file';
    const finalPath = joinPath(source.dir.remotePath, this.encodeChecked(name));
    const tempPath = joinPath(source.dir.remotePath, `.jottadav-rename-${randomUUID().slice(0, 8)}`);
    if (kind === 'folder') await this.flushPlaceholdersBelow([...source.dir.folded, child.nameKey]);
    await this.withInvalidation([source.dir], async () => {
      await this.backend.move(source.remotePath, tempPath, kind);
      try {
        await this.backend.move(tempPath, finalPath, kind);
      } catch (error) {
        await this.backend.move(tempPath, source.remotePath, kind).catch(() => undefined);
        throw error;
      }
    });
    // Rare, and the stored spelling is the service's to report: re-list rather than guess.
    await this.cache.invalidate(source.dir.folded);
    if (kind === 'folder') await this.cache.invalidateSubtree([...source.dir.folded, child.nameKey]);
  }

  /** Moves or copies a placeholder or a local-only file. */
  private async transferLocal(source: Located, child: Child, target: Located, name: string, move: boolean): Promise<void> {
    const fromKey = dirKey(source.dir);
    const content = child.source === 'local' ? ((await this.local!.read(fromKey, child.nameKey)) ?? Buffer.alloc(0)) : Buffer.alloc(0);
    const modified = new Date(child.local?.modified ?? child.placeholder!.modified);
    if (child.source === 'local' && this.local!.matches(name)) {
      await this.local!.put(dirKey(target.dir), foldName(name), { ...child.local!, name }, content);
    } else if (child.source === 'placeholder') {
      await this.writePlaceholder(target.dir, undefined, name, this.encodeChecked(name), modified);
    } else {
      // A junk file renamed to a real name (Office's save-as-temp-then-rename) becomes a real upload.
      const uploaded = await this.withInvalidation([target.dir], () =>
        this.backend.upload(target.remotePath, { size: content.length, md5: md5Of(content), modified, open: (o) => Readable.from([content.subarray(o)]) }),
      );
      await this.cache.update(target.dir.folded, (entries) => withEntry(entries, uploaded, this.caseInsensitive));
    }
    if (move) {
      if (child.source === 'local') await this.local!.remove(fromKey, child.nameKey);
      else await this.placeholders.remove(fromKey, child.nameKey);
    }
  }

  private async copyFolder(from: string, to: string, depth: 0 | 'infinity'): Promise<void> {
    await this.backend.mkdir(to);
    if (depth === 0) return;
    for (const entry of await this.backend.list(from)) {
      const src = joinPath(from, entry.name);
      const dst = joinPath(to, entry.name);
      if (entry.kind === 'file') await this.backend.copy(src, dst);
      else await this.copyFolder(src, dst, depth);
    }
  }

  /** The listings of both folders after a successful move: out of one, into the other. */
  private async moved(source: Located, child: Child, dir: DirRef, entry: RemoteEntry): Promise<void> {
    await this.cache.update(source.dir.folded, (entries) => withoutEntry(entries, child.remoteName, this.caseInsensitive));
    await this.cache.update(dir.folded, (entries) => withEntry(entries, entry, this.caseInsensitive));
  }

  /** Runs a change; when it fails (it may still have touched the remote), forgets the listings. */
  private async withInvalidation<T>(dirs: DirRef[], work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      for (const dir of dirs) await this.cache.invalidate(dir.folded);
      throw error;
    }
  }
}

function sliceRange(content: Buffer, range: ByteRange | undefined, path: string): Buffer {
  if (!range) return content;
  const end = Math.min(range.end ?? content.length - 1, content.length - 1);
  if (range.start < 0 || range.start >= content.length || end < range.start) {
    throw new StorageError('INVALID_ARGUMENT', `range ${range.start}-${range.end ?? ''} outside the ${content.length} bytes of ${path}`);
  }
  return content.subarray(range.start, end + 1);
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  return Buffer.concat(chunks);
}

function md5Of(content: Buffer): string {
  return createHash('md5').update(content).digest('hex');
}
