import type { RemoteEntry, StorageBackend } from '../storage/backend.js';
import { StorageError } from '../storage/errors.js';
import type { DirCache } from './dir-cache.js';
import { foldPath, normalizeClientPath } from './fold.js';
import { withEntry, withoutEntry } from './listing-edits.js';
import type { LocalOnlyFiles } from './local-only.js';
import type { NameCodec } from './name-codec.js';
import { isSwapName } from './no-versions.js';
import type { Placeholders } from './placeholders.js';
import type { DirRef, Resolver } from './resolver.js';

/**
 * What the parts of BackendVfs share (the write path, removal, move and copy live in files of their
 * own and take this instead of the class), and the rules every change through the bridge keeps:
 * nothing is written under a name the service would refuse, and a cached listing is either edited
 * to match a change that succeeded or forgotten after one that failed.
 */
export interface VfsContext {
  readonly backend: StorageBackend;
  /** Declared by the backend, never probed: lookups and listing edits fold case because of it. */
  readonly caseInsensitive: boolean;
  readonly cache: DirCache;
  readonly placeholders: Placeholders;
  /** Undefined when the junk-file policy is off (`localOnly: false`). */
  readonly local: LocalOnlyFiles | undefined;
  readonly resolver: Resolver;
  /** Client names ⇄ stored names, as names.encoding says. */
  readonly names: NameCodec;
  readonly settings: VfsSettings;
}

/** The settings of BackendVfsOptions the parts read (absent switches are off). */
export interface VfsSettings {
  md5MemoryLimit: number;
  spoolDir: string;
  spoolDirectIo: boolean;
  hardDelete: boolean;
  /** Overwrites leave no revision (no-versions.ts). */
  noVersions: boolean;
  trashedOnly: boolean;
  usageTtlMs: number;
}

export function assertWritable(ctx: VfsContext): void {
  if (ctx.settings.trashedOnly) throw new StorageError('PERMISSION_DENIED', 'the trash view is read-only');
}

/** Vfs.resourceKey: the canonical path, folded when the backend folds, so every spelling meets. */
export function resourceKeyOf(path: string, caseInsensitive: boolean): string {
  const canonical = normalizeClientPath(path);
  return caseInsensitive ? foldPath(canonical) : canonical;
}

/** The encoded name, or NAME_TOO_LONG before anything is written. */
export function encodeChecked(ctx: VfsContext, name: string): string {
  const remote = ctx.names.encode(name);
  if (isSwapName(remote)) throw new StorageError('INVALID_NAME', 'names of the form .jottadav-swap-… are reserved for jottadav\'s own swap files');
  const limit = ctx.backend.features.maxNameLength;
  if (remote.length > limit) {
    throw new StorageError('NAME_TOO_LONG', `the name is ${remote.length} UTF-16 units long once encoded; the storage allows at most ${limit}`);
  }
  return remote;
}

/** Runs a change; when it fails (it may still have touched the remote), forgets the listings. */
export async function withInvalidation<T>(ctx: VfsContext, dirs: DirRef[], work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    for (const dir of dirs) await ctx.cache.invalidate(dir.folded);
    throw error;
  }
}

/*
 * A cached listing takes the change instead of being dropped: a run of PUTs into one folder would
 * otherwise re-list it after every file (quadratic in the folder's size).
 */

/** The entry the backend returned for a change, into the folder's cached listing. */
export async function addToListing(ctx: VfsContext, dir: DirRef, entry: RemoteEntry): Promise<void> {
  await ctx.cache.update(dir.folded, (entries) => withEntry(entries, entry, ctx.caseInsensitive));
}

/** The item of that stored name, out of the folder's cached listing. */
export async function dropFromListing(ctx: VfsContext, dir: DirRef, remoteName: string): Promise<void> {
  await ctx.cache.update(dir.folded, (entries) => withoutEntry(entries, remoteName, ctx.caseInsensitive));
}

/** The store key of a folder given by its folded segments (what resolver's dirKey gives for a DirRef). */
export function folderKey(folded: readonly string[]): string {
  return '/' + folded.join('/');
}
