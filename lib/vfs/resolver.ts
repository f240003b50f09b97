import type { RemoteEntry, StorageBackend } from '../storage/backend.js';
import { StorageError, isStorageError } from '../storage/errors.js';
import { joinPath } from '../util/paths.js';
import type { DirCache } from './dir-cache.js';
import type { WalkLister } from './fast-list.js';
import { foldName, normalizeClientPath } from './fold.js';
import { editOf, withEntry, withoutEntry } from './listing-edits.js';
import type { LocalFileMeta, LocalOnlyFiles } from './local-only.js';
import { MissCache } from './miss-cache.js';
import { EMPTY_MD5, localFileEntry, remoteToEntry } from './entries.js';
import type { NameCodec } from './name-codec.js';
import { isSwapName, recoverSwaps } from './no-versions.js';
import type { PlaceholderRecord, Placeholders } from './placeholders.js';
import type { Entry } from './types.js';

/**
 * Client path → remote item. Walks cached listings where there are some (exact name first, then
 * the folded one) and encoded names elsewhere, so that a listing or a stat costs at most one
 * backend listing; merges placeholders and local-only files into each folder's children.
 *
 * A cached listing is a hint, not the truth: other clients write to the same account. A name it
 * holds is served from it (a GET or a conditional request asks `refresh` for the current
 * revision); a name it lacks is looked up remotely before it is called absent, and the absence is
 * remembered briefly (MissCache).
 */

/** A folder as the vfs addresses it: the client path, the remote path, the folded segments. */
export interface DirRef {
  clientPath: string;
  remotePath: string;
  folded: string[];
}

/** One child of a folder, from the remote listing, a placeholder or the local junk store. */
export interface Child {
  source: 'remote' | 'placeholder' | 'local';
  name: string;
  nameKey: string;
  remoteName: string;
  kind: 'file' | 'collection';
  remote?: RemoteEntry;
  /** `remote` was fetched for this lookup (not taken from a cached listing). */
  current?: boolean;
  placeholder?: PlaceholderRecord;
  local?: LocalFileMeta;
}

export interface Located {
  dir: DirRef;
  child?: Child;
  clientPath: string;
  remotePath: string;
}

export const ROOT: DirRef = { clientPath: '/', remotePath: '/', folded: [] };
export class Resolver {
  // The cache hands out the same array while a listing is unchanged: decode its names once.
  private readonly decoded = new WeakMap<RemoteEntry[], readonly Child[]>();
  private readonly withSwaps = new WeakSet<RemoteEntry[]>();

  constructor(
    private readonly backend: StorageBackend,
    private readonly cache: DirCache,
    private readonly placeholders: Placeholders,
    private readonly local: LocalOnlyFiles | undefined,
    private readonly trashedOnly: boolean,
    private readonly names: NameCodec,
    private readonly misses: MissCache = new MissCache(0),
    private readonly walker?: WalkLister,
  ) {}

  /** One folder's remote listing, not cached: through the walk detector when there is one. */
  private listRemote(folded: readonly string[], remotePath: string): Promise<RemoteEntry[]> {
    if (this.trashedOnly) return this.backend.list(remotePath, { trashedOnly: true });
    if (this.walker) return this.walker.list(folded, remotePath, () => this.backend.list(remotePath));
    return this.backend.list(remotePath);
  }


  /** Walks to a folder: through cached listings where there are some, by encoded name elsewhere. */
  async walk(segments: string[]): Promise<DirRef> {
    let dir = ROOT;
    const listings = this.cache.cursor();
    for (const segment of segments) {
      const cached = await listings.get();
      let name = segment.normalize('NFC');
      let remoteName: string;
      if (cached) {
        const child = pick(this.remoteChildren(cached), segment) ?? (await this.missed(dir, segment));
        if (child.kind !== 'collection') throw new StorageError('NOT_A_DIRECTORY', `${joinPath(dir.clientPath, child.name)} is a file`);
        name = child.name;
        remoteName = child.remoteName;
      } else {
        // The backend folds case itself; the stored case shows once the parent is listed.
        remoteName = this.names.encode(name);
      }
      const folded = foldName(name);
      dir = { clientPath: joinPath(dir.clientPath, name), remotePath: joinPath(dir.remotePath, remoteName), folded: [...dir.folded, folded] };
      listings.down(folded);
    }
    return dir;
  }

  /**
   * The service folds case but not normalisation: a file rclone wrote from macOS holds the NFD
   * spelling, which an NFC write must still address. One more stat, only for names that change.
   */
  private async decomposedTwin(dir: DirRef, name: string): Promise<Child[]> {
    const nfd = name.normalize('NFD');
    if (nfd === name.normalize('NFC') || this.local?.matches(name)) return [];
    const remoteName = this.names.encode(nfd);
    if (remoteName.length > this.backend.features.maxNameLength) return [];
    try {
      return [remoteChild(await this.backend.stat(joinPath(dir.remotePath, remoteName)), this.names)];
    } catch (error) {
      if (isStorageError(error, 'NOT_FOUND')) return [];
      throw error;
    }
  }

  /** A folder by client path; its own listing (the next call) reports NOT_FOUND/NOT_A_DIRECTORY. */
  async resolveDirectory(path: string): Promise<DirRef> {
    return this.walk(clientSegments(path));
  }

  /**
   * The folder a new item named `name` goes into, and what already answers to that name there;
   * PARENT_MISSING when the folder is absent or a file. From the cached listing when there is one;
   * otherwise two small stats instead of a listing (a folder never listed is not listed just to
   * write into it; writes update a cached listing in place, so a cached one stays cached).
   */
  async target(segments: string[], name: string): Promise<{ dir: DirRef; existing: Child | undefined }> {
    try {
      const dir = await this.walk(segments);
      if (await this.cache.get(dir.folded)) return { dir, existing: pick(await this.children(dir), name) };
      const remoteName = this.names.encode(name.normalize('NFC'));
      const [parent, child] = await Promise.allSettled([
        dir.folded.length === 0 ? Promise.resolve<RemoteEntry>({ name: '', kind: 'folder', size: 0 }) : this.backend.stat(dir.remotePath),
        // A name too long to exist cannot answer (the caller reports NAME_TOO_LONG); a junk name
        // is written locally whatever the service holds, and never sent to it by name.
        remoteName.length > this.backend.features.maxNameLength || this.local?.matches(name.normalize('NFC'))
          ? Promise.reject(new StorageError('NOT_FOUND', 'not asked'))
          : this.backend.stat(joinPath(dir.remotePath, remoteName)),
      ]);
      if (parent.status === 'rejected') throw parent.reason;
      if (parent.value.kind !== 'folder') throw new StorageError('NOT_A_DIRECTORY', `${dir.clientPath} is a file`);
      if (child.status === 'rejected' && !isStorageError(child.reason, 'NOT_FOUND')) throw child.reason;
      const remote = child.status === 'fulfilled' ? [remoteChild(child.value, this.names)] : await this.decomposedTwin(dir, name);
      const existing = pick(await this.withLocal(dir, remote), name);
      return { dir, existing };
    } catch (error) {
      if (isStorageError(error, 'NOT_FOUND') || isStorageError(error, 'NOT_A_DIRECTORY')) {
        throw new StorageError('PARENT_MISSING', `the parent of ${'/' + [...segments, name].join('/')} does not exist`, { cause: error });
      }
      throw error;
    }
  }

  /** `trustMisses`: a name the cached listing lacks is absent without a remote lookup. */
  async locate(path: string, trustMisses = false): Promise<Located> {
    const segments = clientSegments(path);
    if (segments.length === 0) return { dir: ROOT, clientPath: '/', remotePath: '/' };
    const name = segments.pop()!;
    const dir = await this.walk(segments);
    if (!this.trashedOnly && !(await this.cache.get(dir.folded))) return this.locateCold(dir, name, path);
    const child = pick(await this.children(dir), name) ?? (await this.missed(dir, name, trustMisses));
    return located(dir, child);
  }

  /**
   * A name the folder's cached listing lacks: looked up remotely (another client may have created
   * it since the listing was taken), and added to the listing when it is there. NOT_FOUND otherwise.
   */
  private async missed(dir: DirRef, raw: string, trustMisses = false): Promise<Child> {
    const name = raw.normalize('NFC');
    const absent = () => new StorageError('NOT_FOUND', `${joinPath(dir.clientPath, name)} does not exist`);
    const remoteName = this.names.encode(name);
    // The trash view lists what it shows; junk names and impossible names are never asked for.
    if (trustMisses || this.trashedOnly || remoteName.length > this.backend.features.maxNameLength || this.local?.matches(name)) throw absent();
    const key = `${dirKey(dir)}/${foldName(name)}`;
    if (this.misses.has(key)) throw absent();
    let remote: RemoteEntry;
    try {
      remote = await this.backend.stat(joinPath(dir.remotePath, remoteName));
    } catch (error) {
      if (!isStorageError(error, 'NOT_FOUND')) throw error;
      this.misses.add(key);
      throw absent();
    }
    await this.cache.update(dir.folded, (entries) => withEntry(entries, remote, this.backend.features.caseInsensitive));
    return { ...remoteChild(remote, this.names), current: true };
  }

  /**
   * The located remote item as the service holds it now (for reads and conditional requests),
   * written back into the cached listing; NOT_FOUND, also out of the listing, when it is gone.
   */
  async refresh(found: Located): Promise<Located> {
    const child = found.child;
    if (!child || child.source !== 'remote' || child.current || this.trashedOnly) return found;
    const folded = found.dir.folded;
    const caseInsensitive = this.backend.features.caseInsensitive;
    let remote: RemoteEntry;
    try {
      remote = await this.backend.stat(found.remotePath);
    } catch (error) {
      if (isStorageError(error, 'NOT_FOUND')) await this.cache.update(folded, (entries) => withoutEntry(entries, child.remoteName, caseInsensitive));
      throw error;
    }
    await this.cache.update(folded, (entries) => withEntry(entries, remote, caseInsensitive));
    return located(found.dir, { ...remoteChild(remote, this.names), current: true });
  }

  /**
   * The parent's listing is not cached: ask for the item's own listing instead. A folder (what a
   * PROPFIND Depth 1 asks about) is then known and listed in one request, and the list() that
   * follows is free; a file costs a second, small request. The stored spelling of a folder found
   * this way is the client's until its parent is listed.
   */
  private async locateCold(dir: DirRef, raw: string, path: string): Promise<Located> {
    const local = pick(await this.withLocal(dir, []), raw);
    if (local) return located(dir, local);
    const name = raw.normalize('NFC');
    const remoteName = this.names.encode(name);
    if (remoteName.length > this.backend.features.maxNameLength) throw new StorageError('NOT_FOUND', `${normalizeClientPath(path)} does not exist`);
    const remotePath = joinPath(dir.remotePath, remoteName);
    // Junk names (Finder probes `._*` by the thousand) never go to the service by name.
    if (!this.local?.matches(name)) {
      // A folder opened by URL was listed by the last PROPFIND Depth 1 of it: its own cached
      // listing proves it is a folder, so a warm PROPFIND costs nothing even though the parent
      // was never listed. (Removing or moving it through the vfs drops that listing.)
      if (await this.cache.get([...dir.folded, foldName(name)])) {
        return located(dir, { source: 'remote', name, nameKey: foldName(name), remoteName, kind: 'collection', remote: { name: remoteName, kind: 'folder', size: 0 } });
      }
      try {
        const folded = [...dir.folded, foldName(name)];
        await this.cache.fill(folded, () => this.listRemote(folded, remotePath));
        return located(dir, { source: 'remote', name, nameKey: foldName(name), remoteName, kind: 'collection', remote: { name: remoteName, kind: 'folder', size: 0 } });
      } catch (error) {
        if (isStorageError(error, 'NOT_A_DIRECTORY')) return located(dir, { ...remoteChild(await this.backend.stat(remotePath), this.names), current: true });
        if (!isStorageError(error, 'NOT_FOUND')) throw error;
      }
    }
    // Not under that spelling: the parent's listing still finds an NFD twin (the service folds
    // case, not normalisation) and is cached for the next lookups in the folder.
    const child = pick(await this.children(dir), raw);
    if (!child) throw new StorageError('NOT_FOUND', `${normalizeClientPath(path)} does not exist`);
    return located(dir, child);
  }

  /**
   * A listing's remote children, decoded once per listing array. A listing made by one edit of a
   * decoded one (a PUT into a cached folder) takes that one's children and decodes only the entry
   * the edit put in: decoding every name again would make a run of PUTs into one folder cost time
   * quadratic in its size.
   */
  private remoteChildren(listing: RemoteEntry[]): readonly Child[] {
    let children = this.decoded.get(listing);
    if (!children) {
      children = this.carriedOver(listing) ?? this.decode(listing);
      this.decoded.set(listing, children);
    }
    return children;
  }

  private decode(listing: RemoteEntry[]): Child[] {
    // Swap files of no-versions overwrites (no-versions.ts) are the bridge's own business.
    const visible = listing.filter((r) => !isSwapName(r.name));
    if (visible.length < listing.length) this.withSwaps.add(listing);
    const children = visible.map((r) => remoteChild(r, this.names));
    keepTwinsApart(children, this.names);
    return children;
  }

  /** The children of an edited listing from those of the listing it was made from; undefined when they must be decoded whole. */
  private carriedOver(listing: RemoteEntry[]): Child[] | undefined {
    const edit = editOf(listing);
    const before = edit && this.decoded.get(edit.from as RemoteEntry[]);
    if (!edit || !before || this.withSwaps.has(edit.from as RemoteEntry[])) return undefined;
    const children = [...before];
    const gone = edit.replaced ?? edit.removed;
    const at = gone ? children.findIndex((c) => c.remote === gone) : -1;
    if (gone && at < 0) return undefined;
    // Twins (names that differ only in normalisation) are told apart by the whole listing: any
    // other child answering to the same folded name sends this one back to a full decode.
    const twinned = (nameKey: string) => children.some((c, i) => i !== at && c.nameKey === nameKey);
    if (at >= 0 && twinned(children[at]!.nameKey)) return undefined;
    if (edit.put) {
      if (isSwapName(edit.put.name)) return undefined;
      const child = remoteChild(edit.put, this.names);
      if (twinned(child.nameKey)) return undefined;
      if (at >= 0) children[at] = child;
      else children.push(child);
    } else {
      children.splice(at, 1);
    }
    return children;
  }

  /** The folder's children: the same array as long as its listing is unchanged and nothing is held for it. */
  async children(dir: DirRef): Promise<readonly Child[]> {
    let listing = await this.cache.get(dir.folded);
    const list = () => this.cache.fill(dir.folded, () => this.listRemote(dir.folded, dir.remotePath));
    if (!listing) listing = await list();
    let children = this.remoteChildren(listing);
    // An overwrite that stopped half-way is finished (or cleared) by whoever lists the folder next.
    if (this.withSwaps.has(listing) && !this.trashedOnly && (await recoverSwaps(this.backend, dir.remotePath, listing))) {
      await this.cache.invalidate(dir.folded);
      children = this.remoteChildren(await list());
    }
    return this.trashedOnly ? children : this.withLocal(dir, children);
  }

  /**
   * Adds the folder's placeholders (a remote item of the same name wins: the content arrived) and
   * local-only files (they win over a remote file of the same name, never over a folder).
   */
  private async withLocal(dir: DirRef, remote: readonly Child[]): Promise<readonly Child[]> {
    const key = dirKey(dir);
    const [held, local] = await Promise.all([this.placeholders.inFolder(key), this.local?.inFolder(key)]);
    const heldNames = Object.keys(held);
    const localNames = local ? Object.keys(local) : [];
    // Nothing held for the folder (the usual case): the remote children as they are, not a copy.
    if (heldNames.length === 0 && localNames.length === 0) return remote;
    const children = [...remote];
    const index = new Map(children.map((c, i) => [c.nameKey, i]));
    let overdue = false;
    for (const nameKey of heldNames) {
      const record = held[nameKey]!;
      if (record.dueAt <= this.placeholders.now()) overdue = true;
      if (index.has(nameKey)) continue;
      index.set(nameKey, children.length);
      children.push({ source: 'placeholder', name: record.name, nameKey, remoteName: record.remoteName, kind: 'file', placeholder: record });
    }
    // A placeholder whose owner went away still becomes a real file: whoever sees it overdue does it.
    if (overdue) this.placeholders.flushFolder(key).catch(() => undefined);
    for (const nameKey of localNames) {
      const meta = local![nameKey]!;
      const i = index.get(nameKey);
      if (i !== undefined && children[i]!.kind === 'collection') continue;
      const child: Child = { source: 'local', name: meta.name, nameKey, remoteName: this.names.encode(meta.name), kind: 'file', local: meta };
      if (i !== undefined) children[i] = child;
      else children.push(child);
    }
    return children;
  }


}

export function remoteChild(remote: RemoteEntry, names: NameCodec): Child {
  // Paths are NFC on the client side; names written from macOS by rclone may be NFD.
  let name = names.decode(remote.name).normalize('NFC');
  // rclone's `．`/`．．` mean the names `.`/`..`, which no href can carry (clients and lib/dav treat
  // them as dot segments): those two keep their look-alike form for WebDAV clients.
  if (name === '.' || name === '..') name = remote.name;
  return { source: 'remote', name, nameKey: foldName(name), remoteName: remote.name, kind: remote.kind === 'folder' ? 'collection' : 'file', remote };
}

/** Exact name first, then the folded one (two remote names that fold together stay addressable). */
export function pick(children: readonly Child[], name: string): Child | undefined {
  // The name as sent first (an NFD twin keeps its own spelling), then its NFC form, then folded.
  const exact = children.find((c) => c.name === name);
  if (exact) return exact;
  const nfc = name.normalize('NFC');
  const composed = nfc === name ? undefined : children.find((c) => c.name === nfc);
  if (composed) return composed;
  const key = foldName(nfc);
  return children.find((c) => c.nameKey === key);
}

/**
 * Two remote names that only differ in Unicode normalisation (older data, written by tools that do
 * not normalise) would both show as the same NFC name, and only one could be addressed: the ones
 * that were not NFC keep their stored spelling, so each has its own name and href.
 */
function keepTwinsApart(children: Child[], names: NameCodec): void {
  const seen = new Map<string, number>();
  for (const c of children) seen.set(c.name, (seen.get(c.name) ?? 0) + 1);
  for (const c of children) {
    if ((seen.get(c.name) ?? 0) < 2 || c.source !== 'remote') continue;
    const stored = names.decode(c.remoteName);
    if (stored !== c.name && stored !== '.' && stored !== '..') c.name = stored;
  }
}

/** The segments of a client path as sent: NFC-normalising happens where names are compared or created. */
export function clientSegments(path: string): string[] {
  return path.split('/').filter((s) => s.length > 0);
}

/** Parent segments and the last name: `raw` as sent (for lookups), `name` in NFC (for creating). */
export function splitTarget(path: string): { parent: string[]; name: string | undefined; raw: string | undefined } {
  const segments = clientSegments(path);
  const raw = segments.pop();
  return { parent: segments, name: raw?.normalize('NFC'), raw };
}

export function dirKey(dir: DirRef): string {
  return '/' + dir.folded.join('/');
}

export function sameDir(a: DirRef, b: DirRef): boolean {
  return dirKey(a) === dirKey(b);
}

/** The folder a located collection is (the root when nothing was located below it). */
export function dirOf(found: Located): DirRef {
  if (!found.child) return found.dir;
  return { clientPath: found.clientPath, remotePath: found.remotePath, folded: [...found.dir.folded, found.child.nameKey] };
}

function located(dir: DirRef, child: Child): Located {
  return { dir, child, clientPath: joinPath(dir.clientPath, child.name), remotePath: joinPath(dir.remotePath, child.remoteName) };
}

export function toEntry(found: Located): Entry {
  const child = found.child;
  if (!child) return { path: '/', name: '', kind: 'collection', size: 0 };
  if (child.source === 'remote') return remoteToEntry(child.remote!, found.clientPath, child.name);
  if (child.source === 'placeholder') {
    const r = child.placeholder!;
    return localFileEntry(found.clientPath, child.name, 0, EMPTY_MD5, r.created, r.modified);
  }
  const m = child.local!;
  return localFileEntry(found.clientPath, child.name, m.size, m.md5, m.created, m.modified);
}
