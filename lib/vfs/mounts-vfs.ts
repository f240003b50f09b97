import type { Readable } from 'node:stream';
import { StorageError } from '../storage/errors.js';
import { foldName, foldPath, normalizeClientPath } from './fold.js';
import type { ByteRange, Entry, ReadOptions, StatOptions, TransferOptions, TransferResult, Usage, Vfs, WriteOptions, WriteResult } from './types.js';

/**
 * Several Vfs trees shown as top-level folders: every device of the account at `/`, and inside
 * each device folder its mount points (nest a MountsVfs per device). Each mount point is served by
 * its own Vfs, usually a BackendVfs over a backend rooted at that mount point.
 *
 * The top levels are fixed by the account: creating, removing or renaming them is
 * PERMISSION_DENIED. Moves and copies across mount points stream through the bridge (a backend
 * rooted at one mount point cannot name another), so they cost a download and an upload.
 */
export interface MountSource {
  /** The names of the top-level folders. */
  list(): Promise<string[]>;
  /** The Vfs that serves everything below `/<name>` (called once per name and cached). */
  vfsFor(name: string): Vfs;
}

export interface MountsVfsOptions {
  source: MountSource;
  /** How long the list of names is trusted (in this process). Default 60 s. */
  listTtlMs?: number;
  /** Fold top-level names (Jottacloud device and mount point names are case-insensitive). Default true. */
  caseInsensitive?: boolean;
}

interface Route {
  mount: string;
  vfs: Vfs;
  /** Path inside the mount's Vfs. */
  inner: string;
}

export class MountsVfs implements Vfs {
  readonly caseInsensitive: boolean;
  private readonly vfsByName = new Map<string, Vfs>();
  private names: { at: number; list: string[] } | undefined;
  /** Outer listings made of inner ones that come back unchanged (each inner Vfs serves one mount). */
  private readonly listed = new WeakMap<readonly Entry[], readonly Entry[]>();

  constructor(private readonly options: MountsVfsOptions) {
    this.caseInsensitive = options.caseInsensitive ?? true;
  }

  resourceKey(path: string): string {
    const canonical = normalizeClientPath(path);
    return this.caseInsensitive ? foldPath(canonical) : canonical;
  }

  async stat(path: string, options?: StatOptions): Promise<Entry> {
    const route = await this.route(path);
    if (!route) return { path: '/', name: '', kind: 'collection', size: 0 };
    if (route.inner === '/') return mountEntry(route.mount);
    return prefixed(route.mount, await route.vfs.stat(route.inner, options));
  }

  async list(path: string): Promise<readonly Entry[]> {
    const route = await this.route(path);
    if (!route) return (await this.mountNames()).map(mountEntry);
    const inner = await route.vfs.list(route.inner);
    // The same inner listing gives the same outer one (see Vfs.list), so renderings stay keyed to it.
    let outer = this.listed.get(inner);
    if (!outer) {
      outer = Object.freeze(inner.map((e) => Object.freeze(prefixed(route.mount, e))));
      if (Object.isFrozen(inner)) this.listed.set(inner, outer);
    }
    return outer;
  }

  async read(path: string, range?: ByteRange, signal?: AbortSignal, options?: ReadOptions): Promise<Readable> {
    const route = await this.inside(path, 'IS_A_DIRECTORY');
    return route.vfs.read(route.inner, range, signal, options);
  }

  async write(path: string, body: Readable, options?: WriteOptions): Promise<WriteResult> {
    const route = await this.inside(path, 'IS_A_DIRECTORY', 'PARENT_MISSING');
    const result = await route.vfs.write(route.inner, body, options);
    return { ...result, entry: prefixed(route.mount, result.entry) };
  }

  async mkdir(path: string): Promise<Entry> {
    const segments = segmentsOf(path);
    if (segments.length === 0 || (segments.length === 1 && (await this.findMount(segments[0]!)) !== undefined)) {
      throw new StorageError('ALREADY_EXISTS', `${path} exists`);
    }
    const route = await this.inside(path, 'PERMISSION_DENIED', 'PARENT_MISSING');
    return prefixed(route.mount, await route.vfs.mkdir(route.inner));
  }

  async remove(path: string): Promise<void> {
    const route = await this.inside(path, 'PERMISSION_DENIED');
    await route.vfs.remove(route.inner);
  }

  async move(from: string, to: string, options: TransferOptions): Promise<TransferResult> {
    return this.transfer(from, to, options, true);
  }

  async copy(from: string, to: string, options: TransferOptions): Promise<TransferResult> {
    return this.transfer(from, to, options, false);
  }

  async setModified(path: string, modified: Date): Promise<void> {
    const route = await this.route(path);
    if (!route || route.inner === '/') return; // top-level folders: accepted and ignored
    await route.vfs.setModified(route.inner, modified);
  }

  async usage(): Promise<Usage | undefined> {
    // Every mount point belongs to the one account: any of them reports the account's usage.
    const [first] = await this.mountNames().catch(() => [] as string[]);
    return first === undefined ? undefined : this.vfsOf(first).usage();
  }

  async close(): Promise<void> {
    for (const vfs of this.vfsByName.values()) await vfs.close();
  }

  private async transfer(from: string, to: string, options: TransferOptions, move: boolean): Promise<TransferResult> {
    const source = await this.inside(from, 'PERMISSION_DENIED');
    const target = await this.inside(to, 'PERMISSION_DENIED', 'PARENT_MISSING');
    if (source.vfs === target.vfs) {
      return move ? source.vfs.move(source.inner, target.inner, options) : source.vfs.copy(source.inner, target.inner, options);
    }
    const existing = await target.vfs.stat(target.inner).catch(() => undefined);
    if (existing && !options.overwrite) throw new StorageError('ALREADY_EXISTS', `${to} exists`);
    const entry = await source.vfs.stat(source.inner);
    if (existing) await target.vfs.remove(target.inner);
    await copyAcross(source.vfs, source.inner, target.vfs, target.inner, entry, move ? 'infinity' : (options.depth ?? 'infinity'));
    if (move) await source.vfs.remove(source.inner);
    return { created: !existing };
  }

  /**
   * A route strictly below a top-level folder: `topLevel` for '/' and the top-level folders
   * themselves, `missing` when the top-level folder does not exist.
   */
  private async inside(
    path: string,
    topLevel: 'IS_A_DIRECTORY' | 'PERMISSION_DENIED',
    missing: 'NOT_FOUND' | 'PARENT_MISSING' = 'NOT_FOUND',
  ): Promise<Route> {
    const segments = segmentsOf(path);
    if (segments.length <= 1) {
      throw new StorageError(topLevel, segments.length === 0 ? "the root lists the account's folders" : `${path} is a fixed top-level folder`);
    }
    const mount = await this.findMount(segments[0]!);
    if (mount === undefined) throw new StorageError(missing, `/${segments[0]} does not exist`);
    return { mount, vfs: this.vfsOf(mount), inner: '/' + segments.slice(1).join('/') };
  }

  private async route(path: string): Promise<Route | undefined> {
    const segments = segmentsOf(path);
    if (segments.length === 0) return undefined;
    const mount = await this.findMount(segments[0]!);
    if (mount === undefined) throw new StorageError('NOT_FOUND', `/${segments[0]} does not exist`);
    return { mount, vfs: this.vfsOf(mount), inner: '/' + segments.slice(1).join('/') };
  }

  private async findMount(wanted: string): Promise<string | undefined> {
    const names = await this.mountNames();
    return names.find((n) => n === wanted) ?? (this.caseInsensitive ? names.find((n) => foldName(n) === foldName(wanted)) : undefined);
  }

  private async mountNames(): Promise<string[]> {
    const ttl = this.options.listTtlMs ?? 60_000;
    if (!this.names || Date.now() - this.names.at > ttl) {
      this.names = { at: Date.now(), list: (await this.options.source.list()).map((n) => n.normalize('NFC')) };
    }
    return this.names.list;
  }

  private vfsOf(name: string): Vfs {
    let vfs = this.vfsByName.get(name);
    if (!vfs) {
      vfs = this.options.source.vfsFor(name);
      this.vfsByName.set(name, vfs);
    }
    return vfs;
  }
}

async function copyAcross(from: Vfs, fromPath: string, to: Vfs, toPath: string, entry: Entry, depth: 0 | 'infinity'): Promise<void> {
  if (entry.kind === 'file') {
    const options: WriteOptions = { expectedSize: entry.size };
    if (entry.modified) options.modified = entry.modified;
    await to.write(toPath, await from.read(fromPath), options);
    return;
  }
  await to.mkdir(toPath);
  if (depth === 0) return;
  for (const child of await from.list(fromPath)) {
    await copyAcross(from, child.path, to, joinInner(toPath, child.name), child, depth);
  }
}

function segmentsOf(path: string): string[] {
  return normalizeClientPath(path).split('/').filter((s) => s.length > 0);
}

function joinInner(parent: string, name: string): string {
  return parent === '/' ? `/${name}` : `${parent}/${name}`;
}

function mountEntry(name: string): Entry {
  return { path: `/${name}`, name, kind: 'collection', size: 0 };
}

function prefixed(mount: string, entry: Entry): Entry {
  const path = entry.path === '/' ? `/${mount}` : `/${mount}${entry.path}`;
  return { ...entry, path, name: entry.path === '/' ? mount : entry.name };
}
