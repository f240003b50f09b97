import type { Readable } from 'node:stream';
import { StorageError } from '../storage/errors.js';
import type { ByteRange, Entry, ReadOptions, StatOptions, TransferOptions, TransferResult, Usage, Vfs, WriteOptions, WriteResult } from './types.js';

/**
 * A view of another Vfs below `root`: the user's '/' is `root` inside the account. Client paths
 * are re-validated here, so whatever the protocol layer let through, nothing can address a
 * resource outside the root (no '.' or '..' segments, no NUL).
 */
export class RootedVfs implements Vfs {
  readonly caseInsensitive: boolean;
  private readonly root: string;
  private readonly rootDepth: number;
  /** Outer listings made of inner ones that come back unchanged. */
  private readonly listed = new WeakMap<readonly Entry[], readonly Entry[]>();

  /**
   * `scope` names the inner Vfs among several (an account): resource keys then start with
   * `/<scope>`, so that views of different accounts never share a key while views of one
   * account (users with overlapping roots) share every key, and with it locks.
   */
  constructor(
    private readonly inner: Vfs,
    root: string,
    private readonly scope?: string,
  ) {
    this.caseInsensitive = inner.caseInsensitive;
    // One spelling for the root whatever the config holds (a root typed on a Mac is NFD); the
    // inner Vfs folds normalisation for lookups, and outer() strips by segments, not characters.
    const segments = root
      .normalize('NFC')
      .split('/')
      .filter((s) => s !== '');
    for (const s of segments) assertSafeSegment(s);
    this.root = segments.length === 0 ? '' : `/${segments.join('/')}`;
    this.rootDepth = segments.length;
  }

  /**
   * The user's path of an inner path: the root's segments dropped. By segment count, not by
   * characters, since the inner Vfs may spell the root differently (its case, its normalisation).
   */
  private outer(innerPath: string): string {
    if (this.rootDepth === 0) return innerPath;
    return `/${innerPath
      .split('/')
      .filter((s) => s !== '')
      .slice(this.rootDepth)
      .join('/')}`;
  }

  private isRoot(innerPath: string): boolean {
    return innerPath.split('/').filter((s) => s !== '').length <= this.rootDepth;
  }

  private innerPath(path: string): string {
    if (!path.startsWith('/')) throw new StorageError('INVALID_ARGUMENT', `not an absolute path: ${path}`);
    const segments = path.split('/').filter((s) => s !== '');
    for (const s of segments) assertSafeSegment(s);
    const rest = segments.length === 0 ? '' : `/${segments.join('/')}`;
    return `${this.root}${rest}` || '/';
  }

  private entry(entry: Entry): Entry {
    return { ...entry, path: this.outer(entry.path), name: this.rootDepth > 0 && this.isRoot(entry.path) ? '' : entry.name };
  }

  resourceKey(path: string): string {
    const key = this.inner.resourceKey(this.innerPath(path));
    return this.scope === undefined ? key : `/${encodeURIComponent(this.scope)}${key === '/' ? '' : key}`;
  }

  async stat(path: string, options?: StatOptions): Promise<Entry> {
    return this.entry(await this.inner.stat(this.innerPath(path), options));
  }

  async list(path: string): Promise<readonly Entry[]> {
    const inner = await this.inner.list(this.innerPath(path));
    // The same inner listing gives the same outer one (see Vfs.list), so renderings stay keyed to it.
    let outer = this.listed.get(inner);
    if (!outer) {
      outer = Object.freeze(inner.map((e) => Object.freeze(this.entry(e))));
      if (Object.isFrozen(inner)) this.listed.set(inner, outer);
    }
    return outer;
  }

  read(path: string, range?: ByteRange, signal?: AbortSignal, options?: ReadOptions): Promise<Readable> {
    return this.inner.read(this.innerPath(path), range, signal, options);
  }

  async write(path: string, body: Readable, options?: WriteOptions): Promise<WriteResult> {
    const result = await this.inner.write(this.innerPath(path), body, options);
    return { ...result, entry: this.entry(result.entry) };
  }

  async mkdir(path: string): Promise<Entry> {
    return this.entry(await this.inner.mkdir(this.innerPath(path)));
  }

  remove(path: string): Promise<void> {
    if (this.innerPath(path) === (this.root || '/')) {
      return Promise.reject(new StorageError('PERMISSION_DENIED', 'the root cannot be removed'));
    }
    return this.inner.remove(this.innerPath(path));
  }

  move(from: string, to: string, options: TransferOptions): Promise<TransferResult> {
    return this.inner.move(this.innerPath(from), this.innerPath(to), options);
  }

  copy(from: string, to: string, options: TransferOptions): Promise<TransferResult> {
    return this.inner.copy(this.innerPath(from), this.innerPath(to), options);
  }

  setModified(path: string, modified: Date): Promise<void> {
    return this.inner.setModified(this.innerPath(path), modified);
  }

  usage(): Promise<Usage | undefined> {
    return this.inner.usage();
  }

  /** The inner Vfs is shared with other users of the account; its owner closes it. */
  async close(): Promise<void> {}
}

function assertSafeSegment(segment: string): void {
  if (segment === '.' || segment === '..' || segment.includes('\0')) {
    throw new StorageError('PERMISSION_DENIED', `path segment not allowed: ${JSON.stringify(segment)}`);
  }
}
